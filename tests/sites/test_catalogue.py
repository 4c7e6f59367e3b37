"""The WhatsMyName-format loader: fields, per-entry validation, top-level errors, real file."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest

from scanner.errors import InputError
from scanner.sites.catalogue import Catalogue, Site, fill_url, load_catalogue, parse_catalogue
from tests.support import PAGES, page, shared_file

SHAPE = PAGES / "sites" / "wmn-shape.json"

GOOD: dict[str, Any] = {
    "name": "Example Forum",
    "uri_check": "https://forum.example.com/u/{account}",
    "e_code": 200,
    "e_string": "<title>Profile of",
    "m_string": "No such member",
    "m_code": 404,
    "known": ["averysample"],
    "cat": "social",
}


def one(entry: Any) -> Catalogue:
    return parse_catalogue({"sites": [entry]}, "test.json")


def changed(**fields: Any) -> dict[str, Any]:
    entry = copy.deepcopy(GOOD)
    for key, value in fields.items():
        if value is ...:
            del entry[key]
        else:
            entry[key] = value
    return entry


# --- the fixture in the real file's shape -------------------------------------------


def test_loads_every_field_of_the_wmn_shape() -> None:
    cat = load_catalogue(SHAPE)
    assert cat.origin == str(SHAPE)
    assert cat.skipped == ()
    assert [s.name for s in cat.sites] == [
        "Example Forum",
        "Example Art API",
        "Example Graph",
        "Example Games",
        "Example Old Blog",
    ]
    assert cat.license[0] == "Copyright (C) 2015-2026 Jordan Testwell"
    assert len(cat.license) == 5
    assert cat.authors == ("Jordan Testwell", "Avery Sample", "example-contributor")
    forum, art, graph, games, blog = cat.sites
    assert forum == Site(
        name="Example Forum",
        uri_check="https://forum.example.com/u/{account}",
        e_code=200,
        e_string="<title>Profile of",
        m_code=404,
        m_string="No such member",
        cat="social",
        known=("averysample", "jtestwell"),
    )
    assert art.uri_pretty == "https://art.example.net/@{account}"
    assert art.protection == ("cloudflare",)
    assert art.m_string == '"error":"not found"'
    assert graph.post_body == '{"query":"query{User(name:\\"{account}\\"){id name}}"}'
    assert graph.headers == (("Accept", "application/json"), ("Content-Type", "application/json"))
    assert graph.uri_check == "https://graph.example.org/query"
    assert games.strip_bad_char == "."
    assert games.m_code == 302
    assert games.m_string == ""
    assert games.protection == ("user-agent", "ddos-guard")
    assert games.headers[0][0] == "User-Agent"
    assert blog.valid is False
    assert all(s.valid for s in (forum, art, graph, games))


def test_a_users_own_list_needs_only_sites() -> None:
    cat = load_catalogue(PAGES / "sites" / "own-list.json")
    assert [s.name for s in cat.sites] == ["Example Club"]
    assert cat.license == cat.authors == cat.skipped == ()
    assert cat.sites[0].cat == "hobby"


def test_bad_entries_are_skipped_with_a_reason_and_the_rest_load() -> None:
    cat = load_catalogue(PAGES / "sites" / "mixed.json")
    assert [s.name for s in cat.sites] == ["Example Wiki", "Example Shop"]
    assert cat.skipped == (
        "Example Broken Code: 'e_code' must be an HTTP status number, not text",
        "entry 3: not a JSON object",
        "entry 4: 'name' is missing",
        "example wiki: repeats an earlier site's name; the first one is kept",
    )
    assert cat.license == ("Example licence line",)


def test_duplicate_names_keep_the_first() -> None:
    second = changed(uri_check="https://other.example.com/{account}")
    cat = parse_catalogue({"sites": [GOOD, second, second]}, "dup.json")
    assert [s.uri_check for s in cat.sites] == [GOOD["uri_check"]]
    assert len(cat.skipped) == 2
    assert cat.skipped[0] == "Example Forum: repeats an earlier site's name; the first one is kept"


# --- per-entry validation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (changed(name=...), "'name' is missing"),
        (changed(name=""), "'name' is empty"),
        (changed(name="   "), "'name' is empty"),
        (changed(name=7), "'name' must be text, not a number"),
        (changed(name="x" * 201), "'name' is longer than 200 characters"),
        (changed(uri_check=...), "'uri_check' is missing"),
        (changed(uri_check="ftp://example.com/{account}"), "'uri_check' is not an http(s) URL"),
        (changed(uri_check="example.com/{account}"), "'uri_check' is not an http(s) URL"),
        (changed(uri_check="https:///{account}"), "'uri_check' is not an http(s) URL"),
        (changed(uri_check="https://example.com/a b/{account}"), "'uri_check' is not an http"),
        (changed(uri_check="https://example.com/{account}\r\nX: y"), "'uri_check' is not an"),
        (changed(uri_check="https://example.com/u/"), "'uri_check' has no {account}"),
        (changed(uri_pretty="javascript:alert(1)"), "'uri_pretty' is not an http(s) URL"),
        (changed(uri_pretty=None), "'uri_pretty' must be text, not null"),
        (changed(e_code=...), "'e_code' is missing"),
        (changed(e_code="200"), "'e_code' must be an HTTP status number, not text"),
        (changed(e_code=True), "'e_code' must be an HTTP status number, not true/false"),
        (changed(e_code=200.0), "'e_code' must be an HTTP status number, not a number"),
        (changed(e_code=99), "'e_code' 99 is not an HTTP status (100-599)"),
        (changed(m_code=600), "'m_code' 600 is not an HTTP status (100-599)"),
        (changed(m_code=None), "'m_code' must be an HTTP status number, not null"),
        (changed(e_string=...), "'e_string' is missing"),
        (changed(m_string=["a"]), "'m_string' must be text, not a list"),
        (changed(cat=...), "'cat' is missing"),
        (changed(cat=""), "'cat' is empty"),
        (changed(known=...), "'known' is missing"),
        (changed(known=[]), "'known' must be a non-empty list of text"),
        (changed(known="averysample"), "'known' must be a non-empty list of text"),
        (changed(known=["ok", ""]), "'known' must hold only non-empty text"),
        (changed(protection=[]), "'protection' must be a non-empty list of text"),
        (changed(protection=[1]), "'protection' must hold only non-empty text"),
        (changed(headers=["Accept"]), "'headers' must be an object of header names"),
        (changed(headers={"Accept": 1}), "'headers' value for Accept must be text, not a number"),
        (changed(headers={"Bad Name": "x"}), "'headers' has an invalid header name 'Bad Name'"),
        (changed(headers={"X-A": "a\r\nX-B: b"}), "'headers' value for X-A holds a line break"),
        (changed(strip_bad_char=1), "'strip_bad_char' must be text, not a number"),
        (changed(valid="no"), "'valid' must be false (or absent)"),
        (
            changed(uri_check="https://example.com/q", post_body="user=x", headers={"A": "b"}),
            "'post_body' has no {account}",
        ),
        (
            changed(uri_check="https://example.com/q", post_body="user={account}"),
            "'post_body' needs 'headers' (at least a Content-Type)",
        ),
        (
            changed(uri_check="https://example.com/q", post_body="user={account}", headers={}),
            "'post_body' needs 'headers' (at least a Content-Type)",
        ),
        (changed(uri_check="https://example.com/q", post_body=""), "'uri_check' has no {account}"),
    ],
)
def test_an_entry_breaking_the_schema_is_skipped(entry: dict[str, Any], reason: str) -> None:
    cat = parse_catalogue({"sites": [entry, changed(name="Example Other")]}, "test.json")
    assert [s.name for s in cat.sites] == ["Example Other"]
    assert len(cat.skipped) == 1
    label = entry["name"] if isinstance(entry.get("name"), str) and entry["name"].strip() else ""
    prefix = f"{label[:200]}: " if label else "entry 1: "
    assert cat.skipped[0].startswith(prefix + reason), cat.skipped[0]


def test_post_with_headers_and_account_in_the_body_needs_none_in_the_url() -> None:
    entry = changed(
        uri_check="https://example.com/api/check",
        post_body="username={account}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    (site,) = one(entry).sites
    assert site.post_body == "username={account}"
    assert site.headers == (("Content-Type", "application/x-www-form-urlencoded"),)


def test_harmless_departures_from_the_schema_are_accepted() -> None:
    entry = changed(
        cat="forum-of-the-future",
        protection=["cloudflare", "cloudflare", "new-wall"],
        known=["a", "a", "b"],
        headers={},
        strip_bad_char="",
        valid=True,
        comment="unknown keys are ignored",
    )
    (site,) = one(entry).sites
    assert site.cat == "forum-of-the-future"
    assert site.protection == ("cloudflare", "new-wall")
    assert site.known == ("a", "b")
    assert site.headers == ()
    assert site.strip_bad_char == ""
    assert site.valid is True


# --- top level -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([GOOD], "site list test.json: expected a JSON object with a 'sites' list"),
        ("sites", "site list test.json: expected a JSON object with a 'sites' list"),
        ({"site": [GOOD]}, "site list test.json: no 'sites' list at the top level"),
        ({"sites": {"a": GOOD}}, "site list test.json: no 'sites' list at the top level"),
        ({"sites": [], "license": 5}, "site list test.json: 'license' must be text or a list"),
        ({"sites": [], "authors": [1]}, "site list test.json: 'authors' must be text or a list"),
    ],
)
def test_a_wrong_top_level_is_one_input_error(data: Any, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_catalogue(data, "test.json")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_an_empty_sites_list_is_an_empty_catalogue() -> None:
    assert parse_catalogue({"sites": []}, "empty.json") == Catalogue((), "empty.json")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"sites": [', "is not valid JSON: Expecting value (line 1, column 12)"),
        (b"", "is not valid JSON: Expecting value (line 1, column 1)"),
        (b'{"sites": ["\xff"]}', "is not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"authors": []}', "no 'sites' list at the top level"),
    ],
)
def test_load_errors_name_the_file_in_one_line(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "mine.json"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        load_catalogue(path)
    text = str(caught.value)
    assert str(path) in text
    assert message in text
    assert "\n" not in text


def test_load_a_missing_file_or_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^site list not found: .*nope\.json$"):
        load_catalogue(tmp_path / "nope.json")
    with pytest.raises(InputError, match="site list is a directory"):
        load_catalogue(tmp_path)


# --- profile URLs --------------------------------------------------------------------


def test_profile_url_prefers_uri_pretty_and_fills_the_account() -> None:
    forum, art, graph, games, _ = load_catalogue(SHAPE).sites
    assert forum.profile_url("averysample") == "https://forum.example.com/u/averysample"
    assert art.profile_url("averysample") == "https://art.example.net/@averysample"
    assert graph.profile_url("jtestwell") == "https://graph.example.org/people/jtestwell"
    # strip_bad_char applies, and is idempotent
    assert games.profile_url("avery.sample") == "https://games.example.com/player/averysample/"
    assert games.profile_url("averysample") == "https://games.example.com/player/averysample/"
    assert games.account("a.b.c") == "abc"
    assert forum.account("a.b") == "a.b"


def test_profile_url_cannot_be_steered_by_the_username() -> None:
    forum = one(GOOD).sites[0]
    assert forum.profile_url("a/../b?x=1#y") == "https://forum.example.com/u/a%2F..%2Fb%3Fx%3D1%23y"
    assert forum.profile_url("me@example") == "https://forum.example.com/u/me@example"
    assert fill_url("https://{account}.example.org/{account}", "jo") == (
        "https://jo.example.org/jo"
    )


def test_profile_url_of_a_post_site_without_uri_pretty_is_its_endpoint() -> None:
    entry = changed(
        uri_check="https://example.com/api/check",
        post_body='{"u":"{account}"}',
        headers={"Content-Type": "application/json"},
    )
    assert one(entry).sites[0].profile_url("jo") == "https://example.com/api/check"


# --- the real WhatsMyName files (skipped when ../shared is absent) ------------------


def test_every_real_whatsmyname_entry_loads_or_is_skipped_with_a_reason() -> None:
    path = shared_file("whatsmyname/wmn-data.json")
    entries = json.loads(path.read_bytes())["sites"]
    started = time.perf_counter()
    cat = load_catalogue(path)
    elapsed = time.perf_counter() - started
    print(f"loaded {len(cat.sites)} of {len(entries)} real sites in {elapsed * 1000:.1f} ms")
    assert len(entries) == 716
    assert len(cat.sites) + len(cat.skipped) == len(entries)
    assert all(": " in reason for reason in cat.skipped)
    assert len(cat.sites) == 716
    assert cat.skipped == ()
    assert "Creative Commons Attribution-ShareAlike" in " ".join(cat.license)
    assert "Micah Hoffman" in cat.authors
    by_name = {s.name: s for s in cat.sites}
    assert len(by_name) == 716
    assert sum(1 for s in cat.sites if s.post_body) == 23
    assert all(s.headers for s in cat.sites if s.post_body)
    assert sum(1 for s in cat.sites if s.uri_pretty) == 236
    assert sum(1 for s in cat.sites if s.protection) == 61
    assert sum(1 for s in cat.sites if s.strip_bad_char) == 23
    assert [s.valid for s in cat.sites].count(False) == 1
    for site in cat.sites:
        url = site.profile_url("averysample")
        assert url.startswith(("http://", "https://"))
        assert "{account}" not in url
        if not site.post_body:  # a POST site's uri_pretty may be a search page
            assert "averysample" in url, site.name


def test_real_whatsmyname_sample_loads_both_examples() -> None:
    cat = load_catalogue(shared_file("whatsmyname/sample.json"))
    get, post = cat.sites
    assert get.profile_url("whoami") == "https://www.test.com/profile/whoami"
    assert post.post_body == "username={account}&csrf_token=abc123"
    assert post.headers == (("Accept", "text/html"),)
    assert post.strip_bad_char == "."
    assert post.protection == ("captcha",)
    assert cat.skipped == ()


def test_fixture_has_the_real_top_level_keys() -> None:
    assert set(page("sites/wmn-shape.json")) == {"license", "authors", "categories", "sites"}
