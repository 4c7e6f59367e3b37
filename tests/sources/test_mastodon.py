"""Mastodon source: WebFinger / Account / actor parsers, then the requests per address."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from scanner.errors import Blocked, SourceUnavailable
from scanner.models import AccountStatus, Kind, Profile, SourceResult
from scanner.sources.base import TIED, UNTIED
from scanner.sources.mastodon import MastodonSource, parse_account, parse_actor, pick_addresses
from scanner.sources.mastodon_parse import (
    fediverse_address,
    parse_webfinger,
    profile_handle,
    split_address,
)
from tests.support import assert_tied, mock_http, page, page_bytes, shared_file

HOST = "mastodon.example"
ADDRESS = f"jordan@{HOST}"
JORDAN = Profile(names=("Jordan Testwell",), handles=(ADDRESS,))
WEBFINGER = f"https://{HOST}/.well-known/webfinger?resource=acct%3Ajordan%40{HOST}"
LOOKUP = f"https://{HOST}/api/v1/accounts/lookup?acct=jordan"
ACTOR = f"https://{HOST}/users/jordan"


def values(result: SourceResult, kind: Kind) -> list[str]:
    return [o.value for o in result.observations if o.kind is kind]


def leads(result: SourceResult) -> list[tuple[str, str]]:
    return [(lead.field, lead.value) for lead in result.leads]


# --- URL helpers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (ADDRESS, ("jordan", HOST)),
        ("@Jordan@Mastodon.Example", ("Jordan", HOST)),
        ("jordan@10.0.0.1", None),
        ("jordan@[::1]", None),
        ("jordan@localhost", None),
        ("jordan@nas.local", None),
        ("jordan@printer.internal", None),
        ("jordan@host.example:8080", None),
        ("jordan@host.example/path", None),
        ("jo/rdan@host.example", None),
        ("@host.example", None),
    ],
)
def test_split_address(address: str, expected: tuple[str, str] | None) -> None:
    assert split_address(address) == expected


@pytest.mark.parametrize(
    ("url", "address", "handle"),
    [
        ("https://social.example.org/@jordan_alt", "jordan_alt@social.example.org", ""),
        ("https://social.example.org/@jordan_alt/109", "", ""),
        ("https://social.example.org/@a@other.example", "", ""),
        ("https://10.0.0.1/@jordan", "", ""),
        ("https://github.com/jtestwell-code", "", "jtestwell-code"),
        ("https://www.github.com/jtestwell-code/", "", "jtestwell-code"),
        ("https://github.com/jtestwell-code/repo", "", ""),
        ("https://github.com/sponsors", "", ""),
        ("https://x.com/jordan_tw", "", "jordan_tw"),
        ("https://old.reddit.com/user/jordan_t", "", "jordan_t"),
        ("https://news.ycombinator.com/user?id=jtest", "", "jtest"),
        ("https://keybase.io/jtestwell", "", "jtestwell"),
        ("https://jordantestwell.example.com/", "", ""),
        ("javascript:alert(1)", "", ""),
        ("https://github.com:8443/jtestwell", "", ""),
    ],
)
def test_profile_links(url: str, address: str, handle: str) -> None:
    assert fediverse_address(url) == address
    assert profile_handle(url) == handle


# --- parsers -------------------------------------------------------------------------


def test_parse_webfinger() -> None:
    finger = parse_webfinger(page("mastodon/webfinger.json"))
    assert (finger.subject, finger.actor, finger.page) == (
        f"acct:{ADDRESS}",
        ACTOR,
        f"https://{HOST}/@jordan",
    )
    with pytest.raises(SourceUnavailable):
        parse_webfinger({"subject": "acct:x@y.example"})
    with pytest.raises(SourceUnavailable):
        parse_webfinger(["links"])


def test_parse_account_tied_by_name() -> None:
    result = parse_account(page("mastodon/account.json"), ADDRESS, HOST, JORDAN)
    assert values(result, Kind.REAL_NAME) == ["Jordan Testwell"]
    assert values(result, Kind.PHOTO) == [
        f"https://files.{HOST}/accounts/avatars/000/000/001/original/0123abcd.jpg"
    ]
    assert values(result, Kind.WEBSITE) == [
        "https://jordantestwell.example.com",
        "https://seeds.example.net/shop",
    ]
    assert values(result, Kind.ACCOUNT) == [
        "https://github.com/jtestwell-code",
        "https://social.example.org/@jordan_alt",
    ]
    site = next(o for o in result.observations if o.kind is Kind.WEBSITE)
    assert site.evidence == (
        "Profile field 'Website': https://jordantestwell.example.com (verified by the server)"
    )
    for o in result.observations:
        assert o.confidence == TIED
        assert o.reason.startswith(f"on the fediverse account {ADDRESS}: ")
        assert_tied(o, by="name", value="Jordan Testwell")
        assert [step.url for step in o.removal] == [
            f"https://{HOST}/settings/profile",
            f"https://{HOST}/settings/delete",
        ]
        assert o.source.url == f"https://{HOST}/@jordan"
    (account,) = result.accounts
    assert (account.site, account.username, account.status, account.url) == (
        "Mastodon",
        ADDRESS,
        AccountStatus.FOUND,
        f"https://{HOST}/@jordan",
    )
    assert account.details["created_at"] == "2022-11-05T14:34:26.392Z"
    assert account.details["statuses_count"] == "3401"
    bio, fields = result.documents
    assert bio.is_html
    assert bio.label == "fediverse bio"
    assert "(217) 555-0143" in bio.text
    assert not fields.is_html
    assert fields.text.splitlines() == [
        "Website: https://jordantestwell.example.com",
        "Code: https://github.com/jtestwell-code",
        "Alt: @jordan_alt",
        "Shop: https://seeds.example.net/shop",
        "Pronouns: they/them",
    ]


def test_leads_only_from_verified_fields() -> None:
    result = parse_account(page("mastodon/account.json"), ADDRESS, HOST, JORDAN)
    assert leads(result) == [
        ("domains", "jordantestwell.example.com"),
        ("handles", "jtestwell-code"),
    ]  # not the unverified @jordan_alt mention nor the unverified shop link
    for lead in result.leads:
        assert lead.found_from == ADDRESS
        assert "verified (rel=me)" in lead.reason


def test_a_verified_link_ties_on_its_own() -> None:
    data = page("mastodon/account.json")
    data["display_name"] = "JT"
    result = parse_account(data, ADDRESS, HOST, Profile(handles=(ADDRESS,)))
    assert result.observations[0].confidence == TIED
    assert result.observations[0].reason == (
        f"on the fediverse account {ADDRESS}: it has a link its server verified as yours "
        "(rel=me): https://jordantestwell.example.com"
    )
    assert len(result.leads) == 2


def test_untied_account_gives_no_leads() -> None:
    data = page("mastodon/account.json")
    data["display_name"] = "JT"
    for field in data["fields"]:
        field["verified_at"] = None
    result = parse_account(data, ADDRESS, HOST, Profile(handles=(ADDRESS,)))
    assert result.leads == ()
    assert {o.confidence for o in result.observations} == {UNTIED}
    assert result.observations[0].reason == (
        f"the fediverse account {ADDRESS} exists; nothing on it ties it to you"
    )


def test_moved_account_is_a_lead_when_tied() -> None:
    data = page("mastodon/account.json")
    data["moved"] = {"id": "2", "username": "jordan", "acct": "jordan@new.example.org"}
    result = parse_account(data, ADDRESS, HOST, JORDAN)
    assert ("handles", "jordan@new.example.org") in leads(result)
    assert result.accounts[0].details["moved_to"] == "jordan@new.example.org"


def test_parse_suspended_account() -> None:
    result = parse_account(page("mastodon/account-suspended.json"), f"gone@{HOST}", HOST, JORDAN)
    assert result.observations == ()
    assert result.documents == ()
    assert result.leads == ()
    (account,) = result.accounts
    assert account.status is AccountStatus.FOUND
    assert account.details == {"suspended": f"is suspended on {HOST}"}
    assert result.notes == (f"gone@{HOST}: the account exists but is suspended on {HOST}",)


def test_default_avatar_is_not_a_photo() -> None:
    data = page("mastodon/account-suspended.json")
    data["suspended"] = False
    result = parse_account(data, f"gone@{HOST}", HOST, JORDAN)
    assert values(result, Kind.PHOTO) == []


@pytest.mark.parametrize(
    "data",
    [
        page("mastodon/account-404.json"),
        page("mastodon/account-401.json"),
        None,
        [],
        {"id": "1", "username": "someone_else"},
    ],
)
def test_parse_account_rejects_non_accounts(data: Any) -> None:
    with pytest.raises(SourceUnavailable):
        parse_account(data, ADDRESS, HOST, JORDAN)


def test_parse_actor() -> None:
    result = parse_actor(page("mastodon/actor.json"), ADDRESS, HOST, JORDAN, "HTTP 401")
    assert values(result, Kind.REAL_NAME) == ["J. T."]
    assert values(result, Kind.WEBSITE) == ["https://jordantestwell.example.com"]
    assert len(values(result, Kind.PHOTO)) == 1
    assert result.leads == ()  # an actor does not say whether a link is verified
    assert result.observations[0].confidence == UNTIED
    assert result.documents[0].text == "<p>Seeds and soil.</p>"
    assert result.accounts[0].details["profile_read_from"] == "ActivityPub actor (HTTP 401)"
    data = page("mastodon/actor.json")
    data["id"] = "https://elsewhere.example/users/jordan"
    with pytest.raises(SourceUnavailable, match="another server"):
        parse_actor(data, ADDRESS, HOST, JORDAN)
    with pytest.raises(SourceUnavailable):
        parse_actor({"type": "Note", "id": ACTOR}, ADDRESS, HOST, JORDAN)


# --- the real recorded shapes (skipped when ../shared is absent) ----------------------


def shared(name: str) -> Any:
    return json.loads(shared_file(f"api-examples/mastodon/{name}").read_text(encoding="utf-8"))


def test_shared_webfinger() -> None:
    gargron = parse_webfinger(shared("webfinger-gargron.json"))
    assert gargron.actor == "https://mastodon.social/users/Gargron"
    assert gargron.page == "https://mastodon.social/@Gargron"
    minimal = parse_webfinger(shared("webfinger-minimal.json"))
    assert (minimal.actor, minimal.page) == ("https://host.example/accounts/username", "")
    assert parse_webfinger(shared("webfinger.spec-fixture.json")).actor == (
        "https://ap.example.com/users/foo"
    )


def test_shared_accounts() -> None:
    address = "Gargron@mastodon.social"
    local = parse_account(
        shared("accounts-get-local-user.json"), address, "mastodon.social", Profile()
    )
    assert values(local, Kind.REAL_NAME) == ["Eugen"]
    assert values(local, Kind.WEBSITE) == [
        "https://www.patreon.com/mastodon",
        "https://zeonfederated.com",
    ]
    assert leads(local) == [("domains", "zeonfederated.com")]  # the verified Homepage field
    remote = parse_account(
        shared("accounts-get-remote-user.json"), "noiob@awoo.space", "awoo.space", Profile()
    )
    assert leads(remote) == [("domains", "shork.xyz")]
    assert "https://botsin.space/@darksouls" in values(remote, Kind.ACCOUNT)
    gone = parse_account(
        shared("accounts-get-suspended-user.json"), "stigatle@quitter.no", "quitter.no", Profile()
    )
    assert gone.accounts[0].details == {"suspended": "is suspended on quitter.no"}


def test_shared_actor() -> None:
    result = parse_actor(
        shared("activitypub-actor.spec-fixture.json"),
        "foo@ap.example.com",
        "ap.example.com",
        JORDAN,
    )
    assert result.accounts[0].url == "https://ap.example.com/@foo"
    assert values(result, Kind.PHOTO) == ["https://quitter.no/avatar/7477-300-20160211190340.png"]
    assert result.documents[0].text == "<p>test</p>"


# --- request logic -------------------------------------------------------------------

Answer = tuple[int, bytes]
Routes = dict[str, Answer]


class FakeFediverse:
    """Answers by full URL; anything not routed is a test failure."""

    def __init__(self, routes: Routes) -> None:
        self.requests: list[httpx.Request] = []
        self.routes = routes

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = str(request.url)
        assert url in self.routes, f"unexpected request {url}"
        status, body = self.routes[url]
        headers = {"content-type": "application/json"}
        if status in (301, 302):
            headers["location"] = body.decode()
            body = b""
        return httpx.Response(status, headers=headers, content=body)

    @property
    def urls(self) -> list[str]:
        return [str(r.url) for r in self.requests]


def run(fake: FakeFediverse, profile: Profile = JORDAN) -> SourceResult:
    async def go() -> SourceResult:
        async with mock_http(fake) as http:
            return await MastodonSource().search(profile, http)

    return asyncio.run(go())


FOUND: Routes = {
    WEBFINGER: (200, page_bytes("mastodon/webfinger.json")),
    LOOKUP: (200, page_bytes("mastodon/account.json")),
}


def test_found_sends_webfinger_then_lookup() -> None:
    fake = FakeFediverse(FOUND)
    result = run(fake)
    assert fake.urls == [WEBFINGER, LOOKUP]
    assert fake.requests[0].headers["accept"] == "application/jrd+json, application/json;q=0.9"
    assert fake.requests[1].headers["accept"] == "application/json"
    for request in fake.requests:
        assert request.method == "GET"
        assert "authorization" not in request.headers
        assert "cookie" not in request.headers
    assert [(a.username, a.status) for a in result.accounts] == [(ADDRESS, AccountStatus.FOUND)]
    assert leads(result) == [
        ("domains", "jordantestwell.example.com"),
        ("handles", "jtestwell-code"),
    ]
    assert values(result, Kind.REAL_NAME) == ["Jordan Testwell"]


def test_webfinger_404_is_not_found_and_sends_nothing_more() -> None:
    fake = FakeFediverse({WEBFINGER: (404, b"")})
    result = run(fake)
    assert fake.urls == [WEBFINGER]
    (account,) = result.accounts
    assert (account.status, account.url) == (AccountStatus.NOT_FOUND, f"https://{HOST}/@jordan")


def test_webfinger_410_is_found_but_gone() -> None:
    result = run(FakeFediverse({WEBFINGER: (410, b"")}))
    assert result.accounts[0].status is AccountStatus.FOUND
    assert "suspended or deleted" in result.accounts[0].details["suspended"]


def test_lookup_410_and_suspended_flag() -> None:
    gone = run(FakeFediverse({**FOUND, LOOKUP: (410, b"")}))
    assert gone.accounts[0].details == {"suspended": f"is suspended on {HOST}"}
    body = page("mastodon/account-suspended.json")
    body["username"] = "jordan"
    flagged = run(FakeFediverse({**FOUND, LOOKUP: (200, json.dumps(body).encode())}))
    assert flagged.accounts[0].details == {"suspended": f"is suspended on {HOST}"}
    assert flagged.observations == ()


def test_api_401_falls_back_to_the_actor() -> None:
    routes = {
        **FOUND,
        LOOKUP: (401, page_bytes("mastodon/account-401.json")),
        ACTOR: (200, page_bytes("mastodon/actor.json")),
    }
    fake = FakeFediverse(routes)
    result = run(fake)
    assert fake.urls == [WEBFINGER, LOOKUP, ACTOR]
    assert fake.requests[2].headers["accept"].startswith("application/activity+json")
    assert values(result, Kind.REAL_NAME) == ["J. T."]
    assert result.accounts[0].details["profile_read_from"] == (
        "ActivityPub actor (the API answered HTTP 401)"
    )


def test_actor_refused_too_reports_found_with_a_note() -> None:
    routes = {**FOUND, LOOKUP: (401, b"{}"), ACTOR: (401, b"")}
    result = run(FakeFediverse(routes))
    (account,) = result.accounts
    assert account.status is AccountStatus.FOUND
    assert account.details == {"profile": "not read"}
    assert result.notes == (
        f"{ADDRESS}: profile not read (the API answered HTTP 401; "
        f"{HOST} wants signed requests (HTTP 401))",
    )


def test_split_domain_is_not_followed() -> None:
    fake = FakeFediverse({WEBFINGER: (200, page_bytes("mastodon/webfinger-split.json"))})
    result = run(fake)
    assert fake.urls == [WEBFINGER]  # social.example.org is never asked
    assert result.accounts[0].status is AccountStatus.FOUND
    assert "another server" in result.notes[0]


def test_redirect_to_another_host_is_not_read() -> None:
    other = (
        "https://social.example.org/.well-known/webfinger?resource=acct%3Ajordan%40mastodon.example"
    )
    fake = FakeFediverse({WEBFINGER: (301, other.encode()), other: (200, b"{}")})
    with pytest.raises(SourceUnavailable, match=r"social\.example\.org"):
        run(fake)


def test_429_is_blocked() -> None:
    fake = FakeFediverse({WEBFINGER: (429, b"")})
    with pytest.raises(Blocked, match=f"{HOST} rate limit reached"):
        run(fake)
    assert len(fake.requests) == 3  # the shared client's retries, then no more


def test_server_error_is_source_unavailable() -> None:
    with pytest.raises(SourceUnavailable, match="HTTP 502"):
        run(FakeFediverse({WEBFINGER: (502, b"")}))
    with pytest.raises(SourceUnavailable, match="HTTP 500"):
        run(FakeFediverse({**FOUND, LOOKUP: (500, b"")}))


def test_malformed_answers_are_source_unavailable() -> None:
    html = page_bytes("mastodon/malformed.txt")
    with pytest.raises(SourceUnavailable, match="not JSON"):
        run(FakeFediverse({WEBFINGER: (200, html)}))
    with pytest.raises(SourceUnavailable, match="not JSON"):
        run(FakeFediverse({**FOUND, LOOKUP: (200, html)}))
    with pytest.raises(SourceUnavailable, match="no links"):
        run(FakeFediverse({WEBFINGER: (200, b'{"subject": 1}')}))


def test_a_refusal_stops_that_server_only() -> None:
    other = "jordan@social.example.org"
    other_finger = "https://social.example.org/.well-known/webfinger?resource=acct%3Ajordan%40social.example.org"
    routes = {WEBFINGER: (403, b""), other_finger: (404, b"")}
    fake = FakeFediverse(routes)
    profile = Profile(handles=(ADDRESS, f"second@{HOST}", other))
    with pytest.raises(Blocked):
        run(fake, profile)
    assert fake.urls == [WEBFINGER, other_finger]  # second@mastodon.example never asked


def test_a_refusal_after_a_find_keeps_the_find() -> None:
    second = f"https://{HOST}/.well-known/webfinger?resource=acct%3Asecond%40{HOST}"
    fake = FakeFediverse({**FOUND, second: (429, b"")})
    result = run(fake, Profile(names=("Jordan Testwell",), handles=(ADDRESS, f"second@{HOST}")))
    statuses = [(a.username, a.status) for a in result.accounts]
    assert statuses == [(ADDRESS, AccountStatus.FOUND), (f"second@{HOST}", AccountStatus.UNKNOWN)]
    assert len(result.leads) == 2
    assert "rate limit reached" in result.notes[0]


def test_addresses_are_deduplicated_and_capped() -> None:
    handles = [f"user{i}@{HOST}" for i in range(7)]
    picked, notes = pick_addresses(Profile(handles=("plain", "USER0@mastodon.example", *handles)))
    assert picked == ["USER0@mastodon.example", *handles[1:5]]
    assert notes == [
        "Mastodon: only the first 5 addresses were checked; "
        f"not checked: {handles[5]}, {handles[6]}"
    ]
    picked, notes = pick_addresses(Profile(handles=("x@printer.local",)))
    assert picked == []
    assert notes == ["'x@printer.local' is not a fediverse address that can be looked up safely"]


def test_source_attributes() -> None:
    source = MastodonSource()
    assert (source.name, source.title, source.needs) == (
        "mastodon",
        "Mastodon (fediverse)",
        frozenset({"handles"}),
    )
    assert source.applies_to(JORDAN)
    assert not source.applies_to(Profile(handles=("jtestwell",)))
