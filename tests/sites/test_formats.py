"""Sherlock's and Maigret's formats read into Site rules: fictional fixtures in their shape,
and every entry of the real files (when ../shared is present)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from scanner.errors import InputError
from scanner.sites.catalogue import Site
from scanner.sites.formats import (
    Records,
    expand,
    maigret_records,
    read_maigret,
    read_sherlock,
    sherlock_records,
    site_from_record,
    site_record,
)
from tests.support import page, shared_file


def by_name(sites: tuple[Site, ...]) -> dict[str, Site]:
    return {site.name: site for site in sites}


def sherlock() -> dict[str, Site]:
    return by_name(read_sherlock(page("sites/sherlock-shape.json"), "fixture").sites)


def maigret() -> dict[str, Site]:
    return by_name(read_maigret(page("sites/maigret-shape.json"), "fixture").sites)


def test_sherlock_fields_map_onto_site_rules() -> None:
    sites = sherlock()
    assert sites["Example Status"] == Site(
        name="Example Status",
        uri_check="https://status.example.com/u/{account}",
        check="status_code",
        known=("averysample",),
        lists=("sherlock",),
    )
    probe = sites["Example Probe"]
    assert (probe.uri_check, probe.uri_pretty, probe.missing_codes) == (
        "https://api.probe.example.com/v2/users/{account}/",
        "https://probe.example.com/{account}",
        (204,),
    )
    assert probe.profile_url("avery") == "https://probe.example.com/avery"
    message = sites["Example Message"]
    assert (message.check, message.absence) == (
        "message",
        ("Sorry, nobody here goes by that name.", "<title>Page gone</title>"),
    )
    assert sites["Example Redirect"].check == "response_url"
    assert sites["Example Strict"].regex == "^[a-z0-9]{3,12}$"
    assert sites["Example Adult"].nsfw
    assert sites["Example Headers"].headers == (
        ("Cookie", "session=fictional"),
        ("Accept-Language", "en-US,en;q=0.9"),
    )
    assert sites["Example Graph"].unsupported == (
        "a POST request, not a read-only GET (Sherlock); not sent"
    )
    assert sites["Example Availability"].uri_check == (
        "https://api.names.example.com/address/{account}/availability"
    )


def test_sherlock_entries_it_cannot_read_are_skipped_with_a_reason() -> None:
    records = sherlock_records(page("sites/sherlock-shape.json"), "fixture")
    assert records.skipped == (
        "Example Broken: 'errorType' 'status_kode' is not one of status_code, message, "
        "response_url",
    )
    assert "$schema" not in {r["name"] for r in records.sites}


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("not an object", "not a JSON object"),
        ({"errorType": "status_code"}, "'url' is missing"),
        ({"errorType": "status_code", "url": "ftp://x.example/{}"}, "'url' is not an http(s) URL"),
        ({"errorType": "status_code", "url": "https://x.example/"}, "no {} for the username"),
        ({"errorType": "message", "url": "https://x.example/{}"}, "'errorMsg' is missing or empty"),
        ({"errorType": "message", "errorMsg": [""], "url": "https://x.example/{}"}, "empty"),
        (
            {"errorType": "status_code", "errorCode": "404", "url": "https://x.example/{}"},
            "'errorCode' must be HTTP statuses",
        ),
        (
            {"errorType": "status_code", "regexCheck": "([a-z", "url": "https://x.example/{}"},
            "'regexCheck' is not a valid pattern",
        ),
        (
            {"errorType": "status_code", "headers": {"X": "a\r\nb"}, "url": "https://x.example/{}"},
            "holds a line break",
        ),
    ],
)
def test_a_bad_sherlock_entry_is_skipped(entry: Any, reason: str) -> None:
    records = sherlock_records({"Bad": entry}, "fixture")
    assert records.sites == ()
    (skipped,) = records.skipped
    assert skipped.startswith("Bad: ")
    assert reason in skipped


def test_maigret_engine_fields_are_the_sites_defaults() -> None:
    board = maigret()["Example Board"]
    assert board.uri_check == "https://board.example.com/community/members/?username={account}"
    assert board.uri_pretty is None
    assert board.check == "message"
    assert board.presence == (  # the site's own first, then the engine's
        "member-card",
        "You must be logged in to do that.",
        "memberHeader-content",
    )
    assert board.absence == ("The specified member cannot be found.",)
    assert board.errors == (("Board maintenance", "Maintenance"),)
    assert board.allow_403
    assert (board.cat, board.known, board.lists) == ("forum", ("averysample",), ("maigret",))


def test_maigret_fields_map_onto_site_rules() -> None:
    sites = maigret()
    message = sites["Example Message"]
    assert (message.uri_check, message.uri_pretty) == (
        "https://api.message.example.org/users/{account}.json",
        "https://message.example.org/u/{account}",
    )
    assert (message.presence, message.absence, message.regex) == (
        ('"username":',),
        ("User not found",),
        "^[a-zA-Z0-9_]{3,20}$",
    )
    assert message.errors == (("Too many requests from your address", "Rate limited"),)
    assert sites["Example Absence Only"].cat == "blog"  # "de" is a country, not a topic
    assert sites["Example Status"].check == "status_code"
    assert sites["Example Move"].check == "response_url"
    assert sites["Example Off"].disabled
    assert sites["Example Adult"].nsfw
    assert sites["Example Similar"].fuzzy
    assert sites["Example Guarded"].protection == ("ip_reputation",)
    assert not sites["Example Guarded"].unsupported  # asked: a wall answer is "blocked"
    assert sites["Example Challenged"].unsupported == (
        "needs a JavaScript challenge (Cloudflare) (Maigret protection cf_js_challenge); not sent"
    )
    assert sites["Example Token"].unsupported.startswith("needs a token from another request")
    assert sites["Example Query"].unsupported == (
        "a POST request, not a read-only GET (Maigret); not sent"
    )


def test_maigret_entries_that_are_not_username_web_checks_are_left_out() -> None:
    records = maigret_records(page("sites/maigret-shape.json"), "fixture")
    assert records.skipped == (
        "Example Id: checks a example_id, not a username",
        "Example Onion: 'protocol' tor: not a web page check",
        "Example Unknown Engine: unknown engine 'NoSuchEngine'",
    )
    assert set(records.engines) == {"ExampleBoard"}


def test_maigret_url_templates_fill_like_str_format() -> None:
    data = {
        "sites": {
            "Braces": {
                "checkType": "status_code",
                "urlMain": "https://braces.example.com/",
                "url": '{urlMain}/search?q={{"author":"{username}"}}',
            },
            "No main": {"checkType": "status_code", "url": "{urlMain}/u/{username}"},
        }
    }
    records = maigret_records(data, "fixture")
    (braces,) = records.sites
    assert braces["uri_check"] == 'https://braces.example.com/search?q={"author":"{account}"}'
    assert records.skipped == ("No main: 'url' needs {urlMain}, which the entry does not give",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "no 'sites' object"),
        ({"sites": []}, "no 'sites' object"),
        ({"sites": {}, "engines": []}, "'engines' must be an object"),
    ],
)
def test_a_wrong_maigret_top_level_is_one_input_error(data: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        maigret_records(data, "fixture")


def test_a_wrong_sherlock_top_level_is_one_input_error() -> None:
    with pytest.raises(InputError, match="expected a JSON object of sites"):
        sherlock_records([], "fixture")


def test_records_round_trip_sites() -> None:
    for site in (*sherlock().values(), *maigret().values()):
        again = site_from_record(site_record(site), {}, "x")
        assert again == type(site)(**{**site.__dict__, "lists": ("x",)})
    assert site_record(Site(name="A", uri_check="https://a.example/{account}")) == {
        "name": "A",
        "uri_check": "https://a.example/{account}",
    }


def test_expand_joins_lists_merges_objects_and_the_site_wins() -> None:
    engines = {"E": {"presence": ["e1", "shared"], "errors": {"a": "1", "b": "2"}, "check": "x"}}
    record = {"engine": "E", "presence": ["s1", "shared"], "errors": {"b": "3"}, "check": "y"}
    assert expand(record, engines) == {
        "presence": ["s1", "shared", "e1"],
        "errors": {"a": "1", "b": "3"},
        "check": "y",
    }
    assert expand({"name": "no engine"}, engines) == {"name": "no engine"}


# --- the real files ------------------------------------------------------------------


def test_every_real_sherlock_entry_is_read() -> None:
    data = json.loads(shared_file("sherlock/data.json").read_text(encoding="utf-8"))
    catalogue = read_sherlock(data, "data.json")
    assert catalogue.skipped == ()
    assert len(catalogue.sites) == len(data) - 1  # all but "$schema"
    sites = by_name(catalogue.sites)
    assert sites["Slides"].missing_codes == (204,)
    assert sites["Docker Hub"].uri_check == "https://hub.docker.com/v2/users/{account}/"
    assert sites["GitLab"].absence == ("[]",)
    assert sites["devRant"].check == "response_url"
    assert sites["Anilist"].unsupported  # a GraphQL POST
    assert sum(1 for site in catalogue.sites if site.nsfw) == 19


def test_every_real_maigret_entry_is_read_or_left_out_with_a_reason() -> None:
    data = json.loads(shared_file("maigret/data.json").read_text(encoding="utf-8"))
    records = maigret_records(data, "data.json")
    assert len(records.sites) + len(records.skipped) == len(data["sites"])
    reasons = {line.split(": ", 1)[1].split(" ")[0] for line in records.skipped}
    assert reasons <= {"checks", "'protocol'", "a"}  # another id, dns/tor/i2p, no strings
    assert len(records.skipped) < 50
    sites = by_name(read_maigret(data, "data.json").sites)
    xenforo = sites["xenforo.com"]  # engine XenForo
    assert xenforo.uri_check == "https://xenforo.com/community/members/?username={account}"
    assert xenforo.allow_403
    assert "The specified member cannot be found. Please enter a member" in xenforo.absence
    assert sites["GitHub"].uri_check == "https://api.github.com/users/{account}"
    assert sites["Quora"].unsupported  # cf_js_challenge
    assert sites["VC.ru"].fuzzy
    assert sites["Pbnation"].disabled
    assert sum(1 for site in sites.values() if site.disabled) > 600


def test_real_maigret_records_are_smaller_than_expanded_sites() -> None:
    data = json.loads(shared_file("maigret/data.json").read_text(encoding="utf-8"))
    records = maigret_records(data, "data.json")
    assert isinstance(records, Records)
    assert {"XenForo", "uCoz", "vBulletin", "Discourse"} <= set(records.engines)
    expanded = [expand(record, records.engines) for record in records.sites]
    assert len(json.dumps(expanded)) > 1.5 * len(json.dumps(records.sites))
