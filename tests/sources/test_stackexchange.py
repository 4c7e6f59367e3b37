"""Stack Exchange source: parsers on recorded shapes, then requests over a mock transport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from scanner.errors import Blocked, SourceUnavailable
from scanner.models import AccountStatus, Kind, Lead, Profile, SourceRef, SourceResult
from scanner.sources.base import TIED, UNTIED
from scanner.sources.stackexchange import (
    StackExchangeSource,
    check_stackexchange,
    exact_matches,
    parse_associated,
    parse_user,
    pick_handles,
)
from tests.support import assert_tied, mock_http, page, page_bytes, shared_file

SEARCH = (
    "https://api.stackexchange.com/2.3/users"
    "?inname={}&site=stackoverflow&filter=default&pagesize=20"
)
ASSOCIATED = "https://api.stackexchange.com/2.3/users/{}/associated?pagesize=100"
JORDAN = Profile(names=("Jordan Testwell",), handles=("jtestwell",))
BY_LOCATION = Profile(handles=("jtestwell",), domains=("jordantestwell.example.com",))
NOBODY = Profile(handles=("jtestwell",))
LINK = "https://stackoverflow.com/users/5150/jtestwell"


def values(result: SourceResult, kind: Kind) -> list[str]:
    return [o.value for o in result.observations if o.kind is kind]


def jordan() -> dict[str, Any]:
    user: dict[str, Any] = page("stackexchange/users-inname.json")["items"][1]
    return user


# --- parsers -------------------------------------------------------------------------


def test_exact_matches_keep_only_the_handle_ignoring_case() -> None:
    matches = exact_matches(page("stackexchange/users-inname.json"), "jtestwell")
    assert [m["user_id"] for m in matches] == [5150, 889900]
    assert exact_matches(page("stackexchange/users-inname-no-exact.json"), "jtestwell") == []
    co = exact_matches(page("stackexchange/users-inname.json"), "jtestwell & co")
    assert [m["user_id"] for m in co] == [990011]  # display_name is HTML-escaped


@pytest.mark.parametrize("data", [page("stackexchange/throttle-violation.json"), [], None, {}])
def test_non_wrappers_are_source_unavailable(data: Any) -> None:
    with pytest.raises(SourceUnavailable):
        exact_matches(data, "jtestwell")
    with pytest.raises(SourceUnavailable):
        parse_associated(data)


def test_parse_associated_groups_by_account() -> None:
    sites = parse_associated(page("stackexchange/users-associated.json"))
    assert {k: [s["site_name"] for s in v] for k, v in sites.items()} == {
        4242: ["Stack Overflow", "Server Fault", "Bicycles"],
        31337: ["Stack Overflow"],
    }


def test_parse_user_tied_by_domain_with_lead() -> None:
    associated = parse_associated(page("stackexchange/users-associated.json"))[4242]
    result = parse_user(jordan(), BY_LOCATION, "jtestwell", associated)
    assert values(result, Kind.ACCOUNT) == [LINK]
    assert values(result, Kind.LOCATION) == ["Springfield, IL"]
    assert values(result, Kind.WEBSITE) == ["https://jordantestwell.example.com"]
    assert values(result, Kind.PHOTO) == ["https://i.sstatic.net/AbCd1.jpg?s=256"]
    assert result.observations[0].evidence == (
        "Stack Overflow user JTestwell, reputation 1234, joined 2015-01-01; "
        "also on Server Fault, Bicycles"
    )
    for o in result.observations:
        assert o.confidence == TIED
        assert o.reason.startswith("the Stack Overflow user JTestwell: ")
        assert_tied(o, by="domain", value="jordantestwell.example.com")
        assert o.source == SourceRef("stackexchange", LINK)
        assert o.removal[0].url == "https://stackoverflow.com/users/edit/5150"
        assert o.removal[1].url == "https://stackoverflow.com/help/deleting-account"
        assert "'Delete profile'" in o.removal[1].how
    assert [(a.site, a.url, a.username, a.status) for a in result.accounts] == [
        ("Stack Overflow", LINK, "JTestwell", AccountStatus.FOUND),
        ("Server Fault", "https://serverfault.com/users/60321", "JTestwell", AccountStatus.FOUND),
        (
            "Bicycles",
            "https://bicycles.stackexchange.com/users/7788",
            "JTestwell",
            AccountStatus.FOUND,
        ),
    ]
    assert result.accounts[0].details == {
        "reputation": "1234",
        "joined": "2015-01-01",
        "location": "Springfield, IL",
        "website": "https://jordantestwell.example.com",
        "other_sites": "Server Fault, Bicycles",
    }
    assert result.accounts[1].details == {"reputation": "101", "joined": "2016-01-01"}
    assert result.leads == (
        Lead(
            "domains",
            "jordantestwell.example.com",
            SourceRef("stackexchange", LINK),
            "the website on your Stack Overflow profile "
            "(it shows your domain jordantestwell.example.com)",
            found_from="jtestwell",
        ),
    )
    assert result.documents == ()  # the default filter has no about_me


def test_untied_user_gives_no_lead() -> None:
    result = parse_user(jordan(), NOBODY, "jtestwell")
    assert {o.confidence for o in result.observations} == {UNTIED}
    assert result.observations[0].reason == (
        "a Stack Overflow user named JTestwell exists; nothing on it ties it to you"
    )
    assert result.leads == ()
    assert len(result.accounts) == 1


def test_platform_website_is_not_a_domain_lead() -> None:
    user = jordan()
    user["website_url"] = "https://github.com/jordantestwell"
    result = parse_user(user, JORDAN, "jtestwell")
    assert result.leads == ()
    user["website_url"] = "https://github.com/jordan-testwell"
    user["location"] = "Jordan Testwell's place"
    result = parse_user(user, JORDAN, "jtestwell")
    assert result.observations[0].confidence == TIED
    assert result.leads == ()


def test_about_me_is_an_html_document_and_can_tie() -> None:
    user = jordan()
    del user["website_url"]
    user["about_me"] = "<p>I am <b>Jordan Testwell</b>.</p><script>alert(1)</script>"
    result = parse_user(user, JORDAN, "jtestwell")
    (about,) = result.documents
    assert about.is_html is True
    assert about.text == user["about_me"]
    assert about.label == "Stack Overflow 'About me'"
    assert about.confidence == TIED
    assert_tied(result.observations[0], by="name", value="Jordan Testwell")
    assert result.leads == ()  # no website field


def test_identicon_is_not_a_photo_and_entities_are_unescaped() -> None:
    user = page("stackexchange/users-inname.json")["items"][3]
    user["location"] = "Caf&#233; &amp; Bar"
    user["website_url"] = "javascript:alert(1)"
    result = parse_user(user, NOBODY, "x")
    assert values(result, Kind.PHOTO) == []
    assert values(result, Kind.WEBSITE) == []
    assert values(result, Kind.LOCATION) == ["Café & Bar"]
    assert result.accounts[0].username == "Jtestwell & Co"


def test_user_without_link_or_id_is_source_unavailable() -> None:
    with pytest.raises(SourceUnavailable):
        parse_user({"display_name": "jtestwell"}, NOBODY, "jtestwell")
    fallback = parse_user({"display_name": "jtestwell", "user_id": 12}, NOBODY, "jtestwell")
    assert fallback.accounts[0].url == "https://stackoverflow.com/users/12"


def test_check_stackexchange() -> None:
    check_stackexchange(httpx.Response(200, json={"items": []}))
    throttled = httpx.Response(400, content=page_bytes("stackexchange/throttle-violation.json"))
    with pytest.raises(Blocked, match=r"throttled requests from this network \(too many requests"):
        check_stackexchange(throttled)
    with pytest.raises(SourceUnavailable, match=r"error 400 \(site is required\)"):
        check_stackexchange(
            httpx.Response(400, content=page_bytes("stackexchange/bad-parameter.json"))
        )
    with pytest.raises(Blocked, match="HTTP 429"):
        check_stackexchange(httpx.Response(429))
    with pytest.raises(Blocked, match="HTTP 403"):
        check_stackexchange(httpx.Response(403, text="<html>denied</html>"))
    with pytest.raises(SourceUnavailable, match="HTTP 404"):
        check_stackexchange(httpx.Response(404))
    with pytest.raises(SourceUnavailable, match="HTTP 503"):
        check_stackexchange(httpx.Response(503))


def test_pick_handles() -> None:
    profile = Profile(handles=("a1", "A1", "b2", "c3", "d4", "e5", "f6", "g7", "x@social.example"))
    handles, notes = pick_handles(profile)
    assert handles == ["a1", "b2", "c3", "d4", "e5"]
    assert notes == ["Stack Exchange: only the first 5 handles were checked; not checked: f6, g7"]


# --- the real recorded shapes (skipped when ../shared is absent) ----------------------


def shared(name: str) -> Any:
    path = shared_file(f"api-examples/stackexchange/{name}")
    return json.loads(path.read_text(encoding="utf-8"))


def test_shared_captures() -> None:
    users = shared("users-by-ids.json")
    (user,) = exact_matches(users, "dhanu")
    associated = parse_associated(shared("users-associated.json"))
    assert list(associated) == [1]
    assert len(associated[1]) == 30
    result = parse_user(user, NOBODY, "dhanu", associated[1])
    assert values(result, Kind.ACCOUNT) == ["https://stackoverflow.com/users/9104301/dhanu"]
    assert values(result, Kind.LOCATION) == ["Sri Lanka"]
    assert len(values(result, Kind.PHOTO)) == 1
    # the capture's sites use http:// URLs; Stack Overflow itself is not listed twice
    sites = [a.site for a in result.accounts]
    assert sites[0] == "Stack Overflow"
    assert "Stack Overflow" not in sites[1:]
    assert "Server Fault" in sites
    assert len(sites) == 30


# --- request logic -------------------------------------------------------------------

Answer = tuple[int, bytes]


class FakeStackExchange:
    def __init__(self, answer: Callable[[httpx.Request], Answer]) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.url.host == "api.stackexchange.com"
        status, body = self.answer(request)
        return httpx.Response(status, headers={"content-type": "application/json"}, content=body)

    def urls(self) -> list[str]:
        return [str(r.url) for r in self.requests]


def normal(request: httpx.Request) -> Answer:
    if request.url.path.endswith("/associated"):
        return 200, page_bytes("stackexchange/users-associated.json")
    if request.url.params.get("inname") == "jtestwell":
        return 200, page_bytes("stackexchange/users-inname.json")
    return 200, page_bytes("stackexchange/users-empty.json")


def run(fake: FakeStackExchange, profile: Profile) -> SourceResult:
    async def go() -> SourceResult:
        async with mock_http(fake) as http:
            return await StackExchangeSource().search(profile, http)

    return asyncio.run(go())


def test_search_requests_and_leads() -> None:
    fake = FakeStackExchange(normal)
    profile = Profile(handles=("jtestwell", "nobody_here"), domains=("jordantestwell.example.com",))
    result = run(fake, profile)
    assert fake.urls() == [
        SEARCH.format("jtestwell"),
        ASSOCIATED.format("4242;31337"),
        SEARCH.format("nobody_here"),
    ]
    for request in fake.requests:
        assert request.method == "GET"
        assert request.headers["accept"] == "application/json"
        assert "key" not in request.url.params
    statuses = [(a.site, a.username, a.status) for a in result.accounts]
    assert statuses == [
        ("Stack Overflow", "JTestwell", AccountStatus.FOUND),
        ("Server Fault", "JTestwell", AccountStatus.FOUND),
        ("Bicycles", "JTestwell", AccountStatus.FOUND),
        ("Stack Overflow", "JTestwell", AccountStatus.FOUND),  # a namesake, untied
        ("Stack Overflow", "nobody_here", AccountStatus.NOT_FOUND),
    ]
    assert result.accounts[-1].url == "https://stackoverflow.com/users?search=nobody_here"
    confidences = [o.confidence for o in result.observations if o.kind is Kind.ACCOUNT]
    assert confidences == [TIED, UNTIED]
    assert [(lead.field, lead.value, lead.found_from) for lead in result.leads] == [
        ("domains", "jordantestwell.example.com", "jtestwell")
    ]
    assert result.notes == ()


def test_not_found_and_partial_matches_only() -> None:
    fake = FakeStackExchange(
        lambda request: (200, page_bytes("stackexchange/users-inname-no-exact.json"))
    )
    result = run(fake, NOBODY)
    assert fake.urls() == [SEARCH.format("jtestwell")]  # no associated call
    (account,) = result.accounts
    assert account.status is AccountStatus.NOT_FOUND
    assert result.observations == ()
    assert result.leads == ()


def test_more_results_without_exact_match_is_unknown() -> None:
    data = page("stackexchange/users-inname-no-exact.json")
    data["has_more"] = True
    fake = FakeStackExchange(lambda request: (200, json.dumps(data).encode()))
    result = run(fake, NOBODY)
    assert result.accounts[0].status is AccountStatus.UNKNOWN
    assert "later ones were not read" in result.notes[0]


def test_many_namesakes_are_capped() -> None:
    data = page("stackexchange/users-inname.json")
    namesake = data["items"][2]
    data["items"] = [{**namesake, "account_id": i, "user_id": i} for i in range(1, 6)]
    search = json.dumps(data).encode()
    fake = FakeStackExchange(
        lambda r: (200, b'{"items": []}' if "associated" in r.url.path else search)
    )
    result = run(fake, NOBODY)
    assert fake.urls()[1] == ASSOCIATED.format("1;2;3")
    assert len(result.accounts) == 3
    assert "5 Stack Overflow users have this name" in result.notes[0]


def test_backoff_stops_further_requests() -> None:
    data = page("stackexchange/users-inname.json")
    data["backoff"] = 10

    def answer(request: httpx.Request) -> Answer:
        return 200, json.dumps(data).encode()

    fake = FakeStackExchange(answer)
    result = run(fake, Profile(handles=("jtestwell", "second")))
    assert fake.urls() == [SEARCH.format("jtestwell")]
    assert result.accounts[0].status is AccountStatus.FOUND
    assert result.accounts[-1].username == "second"
    assert result.accounts[-1].status is AccountStatus.UNKNOWN
    assert result.notes == (
        "second: not checked (Stack Exchange asked for a 10 s pause before more requests)",
        "jtestwell: other Stack Exchange sites not listed "
        "(Stack Exchange asked for a 10 s pause before more requests)",
    )


def test_empty_quota_stops_further_requests() -> None:
    data = page("stackexchange/users-empty.json")
    data["quota_remaining"] = 0
    fake = FakeStackExchange(lambda request: (200, json.dumps(data).encode()))
    with pytest.raises(Blocked, match="quota"):
        run(fake, Profile(handles=("first", "second")))
    assert fake.urls() == [SEARCH.format("first")]


def test_throttle_violation_is_blocked() -> None:
    body = page_bytes("stackexchange/throttle-violation.json")
    fake = FakeStackExchange(lambda request: (400, body))
    with pytest.raises(Blocked, match="throttled"):
        run(fake, Profile(handles=("first", "second")))
    assert len(fake.requests) == 1  # 400 is not retried, and nothing more is sent


def test_rate_limited_429_is_blocked() -> None:
    fake = FakeStackExchange(lambda request: (429, b""))
    with pytest.raises(Blocked, match="HTTP 429"):
        run(fake, NOBODY)
    assert len(fake.requests) == 3  # Http's retries, then stop


def test_server_error_is_source_unavailable() -> None:
    fake = FakeStackExchange(lambda request: (500, b""))
    with pytest.raises(SourceUnavailable, match="HTTP 500"):
        run(fake, NOBODY)


@pytest.mark.parametrize("body", [b"<html>maintenance</html>", b'{"quota_max": 300}', b"[]"])
def test_malformed_answer_is_source_unavailable(body: bytes) -> None:
    fake = FakeStackExchange(lambda request: (200, body))
    with pytest.raises(SourceUnavailable):
        run(fake, NOBODY)


def test_failed_associated_call_keeps_the_users_and_stops() -> None:
    def answer(request: httpx.Request) -> Answer:
        if request.url.path.endswith("/associated"):
            return 400, page_bytes("stackexchange/throttle-violation.json")
        return normal(request)

    fake = FakeStackExchange(answer)
    result = run(fake, Profile(handles=("jtestwell", "second"), names=("Jordan Testwell",)))
    assert fake.urls() == [SEARCH.format("jtestwell"), ASSOCIATED.format("4242;31337")]
    assert [(a.site, a.status) for a in result.accounts] == [
        ("Stack Overflow", AccountStatus.FOUND),
        ("Stack Overflow", AccountStatus.FOUND),
        ("Stack Overflow", AccountStatus.UNKNOWN),
    ]
    assert len(result.notes) == 2
    assert result.notes[0].startswith("second: not checked (Stack Exchange throttled")
    assert result.notes[1].startswith("jtestwell: other Stack Exchange sites not listed")


def test_source_attributes() -> None:
    source = StackExchangeSource()
    assert (source.name, source.title, source.needs) == (
        "stackexchange",
        "Stack Exchange",
        frozenset({"handles"}),
    )
    assert source.applies_to(NOBODY)
    assert not source.applies_to(Profile(handles=("jt@social.example",)))
