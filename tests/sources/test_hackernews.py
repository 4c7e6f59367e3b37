"""Hacker News source: the user parser on recorded shapes, then request logic (mocked)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from scanner.errors import Blocked, SourceUnavailable
from scanner.models import AccountStatus, Kind, Profile, SourceRef, SourceResult
from scanner.sources.base import TIED, UNTIED
from scanner.sources.hackernews import HackerNewsSource, parse_user, pick_handles
from tests.support import assert_tied, mock_http, page, page_bytes, shared_file

API = "https://hacker-news.firebaseio.com/v0/user/"
WEB = "https://news.ycombinator.com/user?id="
STRANGER = Profile(handles=("jtestwell",))


# --- parser --------------------------------------------------------------------------


def test_parse_user_untied() -> None:
    result = parse_user(page("hackernews/user.json"), "jtestwell", STRANGER)
    (obs,) = result.observations
    assert (obs.kind, obs.value) == (Kind.ACCOUNT, f"{WEB}jtestwell")
    assert obs.source == SourceRef("hackernews", f"{WEB}jtestwell")
    assert obs.evidence == (
        "Hacker News account jtestwell (karma 1234, joined 2016-03-15, submissions 3)"
    )
    assert obs.confidence == UNTIED
    assert obs.reason == (
        "an account named jtestwell exists on Hacker News; nothing on it ties it to you"
    )
    about_step, delete_step = obs.removal
    assert about_step.url == delete_step.url == f"{WEB}jtestwell"
    assert "'about'" in about_step.action
    assert "hn@ycombinator.com" in delete_step.how
    assert "ask" in delete_step.how
    (account,) = result.accounts
    assert (account.site, account.url, account.username, account.status) == (
        "Hacker News",
        f"{WEB}jtestwell",
        "jtestwell",
        AccountStatus.FOUND,
    )
    assert account.details == {"karma": "1234", "joined": "2016-03-15", "submissions": "3"}
    (about,) = result.documents
    assert about.is_html is True
    assert about.label == "Hacker News about"
    assert about.text == page("hackernews/user.json")["about"]
    assert about.confidence == UNTIED
    assert about.removal == (about_step,)
    assert result.leads == ()


@pytest.mark.parametrize(
    ("profile", "by"),
    [
        (Profile(emails=("jordan@example.net",)), "email"),
        (Profile(domains=("jordantestwell.example.com",)), "domain"),
    ],
)
def test_about_ties_the_account_but_gives_no_leads(profile: Profile, by: str) -> None:
    result = parse_user(page("hackernews/user.json"), "jtestwell", profile)
    (obs,) = result.observations
    assert obs.confidence == TIED
    assert obs.reason.startswith("on the Hacker News account jtestwell: ")
    assert_tied(obs, by=by)
    assert_tied(result.documents[0], by=by)
    assert result.documents[0].confidence == TIED
    assert result.leads == ()  # free text is never a lead source


def test_about_is_read_as_html_before_tying() -> None:
    data = page("hackernews/user.json")
    data["about"] = "Hi, I am Jordan <i>Testwell</i>.<p>Reach me at jordan&#x40;example.net"
    by_name = parse_user(data, "jtestwell", Profile(names=("Jordan Testwell",)))
    assert_tied(by_name.observations[0], by="name", value="Jordan Testwell")
    by_email = parse_user(data, "jtestwell", Profile(emails=("jordan@example.net",)))
    assert_tied(by_email.observations[0], by="email", value="jordan@example.net")


def test_looked_up_handle_does_not_tie() -> None:
    data = page("hackernews/user.json")
    data["about"] = "I am jtestwell everywhere"
    result = parse_user(data, "jtestwell", STRANGER)
    assert result.observations[0].confidence == UNTIED


def test_parse_user_without_about() -> None:
    result = parse_user(page("hackernews/user-no-about.json"), "Avery_S", STRANGER)
    assert result.documents == ()
    assert result.accounts[0].details == {"karma": "1", "joined": "2023-11-14", "submissions": "0"}
    assert result.accounts[0].url == f"{WEB}Avery_S"


def test_null_is_not_found() -> None:
    data = page("hackernews/not-found.json")
    assert data is None
    result = parse_user(data, "nobody_here", STRANGER)
    (account,) = result.accounts
    assert (account.url, account.username, account.status) == (
        f"{WEB}nobody_here",
        "nobody_here",
        AccountStatus.NOT_FOUND,
    )
    assert result.observations == ()
    assert result.documents == ()


@pytest.mark.parametrize(
    "data", [[], "jl", {"karma": 5}, {"id": 7}, {"id": "<script>"}, {"id": "x" * 16}]
)
def test_parse_user_rejects_wrong_shapes(data: Any) -> None:
    with pytest.raises(SourceUnavailable):
        parse_user(data, "jtestwell", STRANGER)


def test_odd_field_types_are_skipped() -> None:
    data = {"id": "jtestwell", "karma": "lots", "created": True, "about": 5, "submitted": {}}
    result = parse_user(data, "jtestwell", STRANGER)
    assert result.accounts[0].details == {}
    assert result.observations[0].evidence == "Hacker News account jtestwell"
    assert result.documents == ()


def test_pick_handles_keeps_case_and_skips_what_hn_rejects() -> None:
    profile = Profile(
        handles=("jl", "JL", "a", "dot.ted", "x" * 16, "ok-name_1", "me@social.example")
    )
    picked, notes = pick_handles(profile)
    assert picked == ["jl", "JL", "ok-name_1"]
    assert notes == [
        f"'{bad}' cannot be a Hacker News username (2-15 letters, digits, '_' or '-'); "
        "not checked on Hacker News"
        for bad in ("a", "dot.ted", "x" * 16)
    ]
    many = Profile(handles=tuple(f"user{i}" for i in range(7)))
    picked, notes = pick_handles(many)
    assert picked == [f"user{i}" for i in range(5)]
    assert notes == [
        "Hacker News: only the first 5 handles were checked; not checked: user5, user6"
    ]


# --- the real recorded shape (skipped when ../shared is absent) -----------------------


def test_shared_docs_sample() -> None:
    path = shared_file("api-examples/hackernews/user-jl.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    result = parse_user(data, "jl", STRANGER)
    account = result.accounts[0]
    assert (account.url, account.status) == (f"{WEB}jl", AccountStatus.FOUND)
    assert account.details["karma"] == str(data["karma"])
    assert account.details["joined"] == "2007-03-15"
    assert account.details["submissions"] == str(len(data["submitted"]))
    assert result.documents[0].text == "This is a test"


# --- request logic -------------------------------------------------------------------

Answer = tuple[int, bytes]


class FakeHN:
    def __init__(self, answer: Callable[[str], Answer]) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, body = self.answer(str(request.url))
        return httpx.Response(status, headers={"content-type": "application/json"}, content=body)

    @property
    def urls(self) -> list[str]:
        return [str(r.url) for r in self.requests]


def jordan_exists(url: str) -> Answer:
    if url == f"{API}jtestwell.json":
        return 200, page_bytes("hackernews/user.json")
    return 200, page_bytes("hackernews/not-found.json")


def run(fake: FakeHN, profile: Profile) -> SourceResult:
    async def go() -> SourceResult:
        async with mock_http(fake) as http:
            return await HackerNewsSource().search(profile, http)

    return asyncio.run(go())


def test_search_found_and_not_found() -> None:
    fake = FakeHN(jordan_exists)
    result = run(fake, Profile(emails=("jordan@example.net",), handles=("jtestwell", "JTestwell")))
    assert fake.urls == [f"{API}jtestwell.json", f"{API}JTestwell.json"]
    for request in fake.requests:
        assert request.method == "GET"
        assert request.headers["accept"] == "application/json"
        assert not request.content
    statuses = [(a.username, a.status) for a in result.accounts]
    assert statuses == [("jtestwell", AccountStatus.FOUND), ("JTestwell", AccountStatus.NOT_FOUND)]
    assert result.observations[0].confidence == TIED
    assert len(result.documents) == 1
    assert result.leads == ()
    assert result.notes == ()


def test_rejected_handles_are_never_sent() -> None:
    fake = FakeHN(jordan_exists)
    result = run(fake, Profile(handles=("dot.ted", "jtestwell")))
    assert fake.urls == [f"{API}jtestwell.json"]
    assert len(result.notes) == 1
    assert "dot.ted" in result.notes[0]


def test_404_is_not_found() -> None:
    fake = FakeHN(lambda url: (404, b""))
    result = run(fake, STRANGER)
    assert result.accounts[0].status is AccountStatus.NOT_FOUND


def test_rate_limit_is_blocked_and_stops_sending() -> None:
    fake = FakeHN(lambda url: (429, b'{"error": "Too many requests"}'))
    with pytest.raises(Blocked, match=r"Hacker News rate limit reached \(HTTP 429\)"):
        run(fake, Profile(handles=("jtestwell", "second")))
    assert fake.urls == [f"{API}jtestwell.json"] * 3  # retried, then "second" never sent


def test_permission_denied_is_blocked() -> None:
    fake = FakeHN(lambda url: (401, b'{"error": "Permission denied"}'))
    with pytest.raises(Blocked, match="HTTP 401"):
        run(fake, STRANGER)


def test_server_error_is_source_unavailable() -> None:
    fake = FakeHN(lambda url: (500, b""))
    with pytest.raises(SourceUnavailable, match="HTTP 500"):
        run(fake, STRANGER)


def test_malformed_json_is_source_unavailable() -> None:
    fake = FakeHN(lambda url: (200, page_bytes("hackernews/malformed.txt")))
    with pytest.raises(SourceUnavailable, match="not JSON"):
        run(fake, STRANGER)


def test_wrong_shape_is_source_unavailable() -> None:
    fake = FakeHN(lambda url: (200, b"[1, 2, 3]"))
    with pytest.raises(SourceUnavailable, match="without a valid id"):
        run(fake, STRANGER)


def test_failure_after_a_find_keeps_the_find() -> None:
    def answer(url: str) -> Answer:
        return jordan_exists(url) if "jtestwell" in url else (503, b"")

    fake = FakeHN(answer)
    result = run(fake, Profile(handles=("jtestwell", "second")))
    statuses = {a.username: a.status for a in result.accounts}
    assert statuses == {"jtestwell": AccountStatus.FOUND, "second": AccountStatus.UNKNOWN}
    assert result.notes == ("second: not checked (Hacker News failed (HTTP 503))",)


def test_source_attributes() -> None:
    source = HackerNewsSource()
    assert (source.name, source.title, source.needs) == (
        "hackernews",
        "Hacker News",
        frozenset({"handles"}),
    )
    assert source.applies_to(STRANGER)
    assert not source.applies_to(Profile(handles=("jl@mastodon.example",)))
    assert not source.applies_to(Profile(emails=("jordan@example.net",)))
