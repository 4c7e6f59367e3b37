"""Reddit source: the about.json parser on recorded shapes, then requests over a mock transport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from scanner.errors import Blocked, SourceUnavailable
from scanner.models import AccountStatus, Kind, Profile, SourceResult
from scanner.sources.base import TIED, UNTIED
from scanner.sources.reddit import RedditSource, check_reddit, parse_about, pick_handles
from tests.support import assert_tied, mock_http, page, page_bytes, shared_file

ABOUT = "https://www.reddit.com/user/{}/about.json?raw_json=1"
JORDAN = Profile(names=("Jordan Testwell",), handles=("jtestwell",))
NOBODY = Profile(handles=("jtestwell",))


def values(result: SourceResult, kind: Kind) -> list[str]:
    return [o.value for o in result.observations if o.kind is kind]


# --- parser --------------------------------------------------------------------------


def test_parse_about_tied_by_display_name() -> None:
    result = parse_about(page("reddit/user-about.json"), JORDAN, "jtestwell")
    assert values(result, Kind.ACCOUNT) == ["https://www.reddit.com/user/jtestwell/"]
    assert values(result, Kind.PHOTO) == [
        "https://styles.redditmedia.example.com/t5_a1b2c3/styles/profileIcon_abc123.png"
    ]
    account_obs = result.observations[0]
    assert account_obs.evidence == (
        "Reddit account u/jtestwell, joined 2019-03-12; display name: Jordan Testwell"
    )
    for o in result.observations:
        assert o.confidence == TIED
        assert o.reason.startswith("the Reddit account jtestwell: ")
        assert_tied(o, by="name", value="Jordan Testwell")
        assert o.source.name == "reddit"
        assert o.removal[-1].url == "https://www.reddit.com/settings/account"
        assert "does not delete" in o.removal[-1].how
    assert account_obs.removal[0].url == "https://www.reddit.com/settings/profile"
    (account,) = result.accounts
    assert (account.site, account.url, account.username, account.status) == (
        "Reddit",
        "https://www.reddit.com/user/jtestwell/",
        "jtestwell",
        AccountStatus.FOUND,
    )
    assert account.details == {
        "joined": "2019-03-12",
        "display_name": "Jordan Testwell",
        "karma": "465",
        "reddit_employee": "no",
        "verified": "yes",
        "hidden_from_search_engines": "no",
    }
    (about,) = result.documents
    assert about.text == (
        "Bike mechanic near the river. Say hi: jordan@example.com <b>not html</b>"
    )
    assert about.is_html is False  # plain text: kept as written, escaped by the report
    assert about.label == "Reddit profile description"
    assert about.confidence == TIED
    assert result.leads == ()  # Reddit has no structured website/email field


def test_parse_about_untied_when_nothing_matches() -> None:
    result = parse_about(page("reddit/user-about.json"), NOBODY, "jtestwell")
    assert {o.confidence for o in result.observations} == {UNTIED}
    assert result.observations[0].reason == (
        "an account named jtestwell exists on Reddit; nothing on it ties it to you"
    )
    assert result.documents[0].confidence == UNTIED


def test_the_looked_up_handle_alone_does_not_tie() -> None:
    data = page("reddit/user-about.json")
    data["data"]["subreddit"]["title"] = "jtestwell"
    result = parse_about(data, NOBODY, "jtestwell")
    assert result.observations[0].confidence == UNTIED


def test_tied_by_another_handle_in_the_description() -> None:
    data = page("reddit/user-about.json")
    data["data"]["subreddit"]["public_description"] = "also averysample elsewhere"
    profile = Profile(handles=("jtestwell", "averysample"))
    result = parse_about(data, profile, "jtestwell")
    assert result.observations[0].confidence == TIED
    assert_tied(result.observations[0], by="handle", value="averysample")


def test_default_avatar_is_not_a_photo_and_empty_fields_are_skipped() -> None:
    result = parse_about(page("reddit/user-about-default.json"), NOBODY, "avery_sample")
    assert values(result, Kind.PHOTO) == []
    assert result.documents == ()
    assert result.observations[0].evidence == "Reddit account u/avery_sample, joined 2011-11-29"
    assert "display_name" not in result.accounts[0].details


def test_snoo_avatar_is_not_a_photo() -> None:
    data = page("reddit/user-about.json")
    data["data"]["pref_show_snoovatar"] = True
    data["data"]["snoovatar_img"] = "https://i.redd.example.com/snoovatar/avatars/abc.png"
    assert values(parse_about(data, JORDAN, "jtestwell"), Kind.PHOTO) == []


def test_suspended_account() -> None:
    result = parse_about(page("reddit/suspended.json"), JORDAN, "gone_testwell")
    (obs,) = result.observations
    assert (obs.kind, obs.value, obs.confidence) == (
        Kind.ACCOUNT,
        "https://www.reddit.com/user/gone_testwell/",
        UNTIED,
    )
    assert "suspended" in obs.evidence
    assert obs.removal[0].url == "https://www.reddit.com/settings/account"
    assert result.accounts[0].status is AccountStatus.FOUND
    assert result.accounts[0].details == {"suspended": "yes"}


@pytest.mark.parametrize(
    "data",
    [
        page("reddit/not-found.json"),
        {"kind": "Listing", "data": {"children": []}},
        {"kind": "t2", "data": {"name": "x"}},  # too short to be a username
        {"kind": "t2", "data": []},
        [],
        None,
    ],
)
def test_parse_about_rejects_other_shapes(data: Any) -> None:
    with pytest.raises(SourceUnavailable):
        parse_about(data, JORDAN, "jtestwell")


def test_hostile_strings_are_bounded_plain_text() -> None:
    data = page("reddit/user-about.json")
    data["data"]["subreddit"]["title"] = "<script>x</script>\n" + "A" * 1000
    data["data"]["created_utc"] = "yesterday"
    result = parse_about(data, NOBODY, "jtestwell")
    assert result.observations[0].evidence.startswith(
        "Reddit account u/jtestwell; display name: <script>x</script> AAA"
    )
    assert len(result.accounts[0].details["display_name"]) == 300
    assert "joined" not in result.accounts[0].details


def test_pick_handles() -> None:
    profile = Profile(
        handles=("jtestwell", "JTestwell", "ab", "has.dot", "a" * 21, "u/avery", "x@social.example")
    )
    handles, notes = pick_handles(profile)
    assert handles == ["jtestwell", "avery"]
    assert notes == [
        "'ab' cannot be a Reddit username; not checked on Reddit",
        "'has.dot' cannot be a Reddit username; not checked on Reddit",
        f"'{'a' * 21}' cannot be a Reddit username; not checked on Reddit",
    ]
    many = Profile(handles=tuple(f"user{i}" for i in range(7)))
    handles, notes = pick_handles(many)
    assert handles == [f"user{i}" for i in range(5)]
    assert notes == ["Reddit: only the first 5 handles were checked; not checked: user5, user6"]


def test_check_reddit() -> None:
    check_reddit(httpx.Response(200))
    check_reddit(httpx.Response(404))
    with pytest.raises(Blocked, match=r"^Reddit rate limit reached \(HTTP 429\); resets in 42 s$"):
        check_reddit(httpx.Response(429, headers={"X-Ratelimit-Reset": "42"}))
    with pytest.raises(Blocked, match=r"HTTP 403\); Reddit blocks some networks"):
        check_reddit(httpx.Response(403))
    with pytest.raises(SourceUnavailable, match="HTTP 503"):
        check_reddit(httpx.Response(503))


# --- the real recorded shapes (skipped when ../shared is absent) ----------------------


def shared(name: str) -> Any:
    return json.loads(shared_file(f"api-examples/reddit/{name}").read_text(encoding="utf-8"))


def test_shared_captures() -> None:
    result = parse_about(shared("user-about.json"), NOBODY, "Lil_SpazBot")
    assert values(result, Kind.ACCOUNT) == ["https://www.reddit.com/user/Lil_SpazBot/"]
    assert values(result, Kind.PHOTO) == []  # avatar_default_6.png
    assert result.accounts[0].details["joined"] == "2019-03-12"
    assert result.accounts[0].details["display_name"] == "x"
    old = parse_about(shared("user-about.2019.json"), NOBODY, "PyAPITestUser3")
    assert old.accounts[0].details["joined"] == "2011-11-29"
    assert old.documents == ()
    with pytest.raises(SourceUnavailable):
        parse_about(shared("not-found.404.json"), NOBODY, "x")


# --- request logic -------------------------------------------------------------------

Answer = tuple[int, bytes, dict[str, str]]


class FakeReddit:
    def __init__(self, answer: Callable[[str], Answer]) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        name = request.url.path.removeprefix("/user/").removesuffix("/about.json")
        status, body, headers = self.answer(name)
        return httpx.Response(
            status, headers={"content-type": "application/json", **headers}, content=body
        )


def found_jtestwell(name: str) -> Answer:
    if name == "jtestwell":
        return 200, page_bytes("reddit/user-about.json"), {}
    return 404, page_bytes("reddit/not-found.json"), {}


def run(fake: FakeReddit, profile: Profile) -> SourceResult:
    async def go() -> SourceResult:
        async with mock_http(fake) as http:
            return await RedditSource().search(profile, http.speaking_as(RedditSource.agent))

    return asyncio.run(go())


def test_search_requests_only_about_json_with_identifying_user_agent() -> None:
    fake = FakeReddit(found_jtestwell)
    profile = Profile(names=("Jordan Testwell",), handles=("jtestwell", "nobody_here", "x.y"))
    result = run(fake, profile)
    assert [str(r.url) for r in fake.requests] == [
        ABOUT.format("jtestwell"),
        ABOUT.format("nobody_here"),
    ]
    for request in fake.requests:
        assert request.method == "GET"
        assert request.headers["user-agent"].startswith("exposure-audit/")
        assert "personal exposure audit" in request.headers["user-agent"]
        assert request.headers["accept"] == "application/json"
        assert "username_available" not in str(request.url)
    statuses = [(a.username, a.status) for a in result.accounts]
    assert statuses == [
        ("jtestwell", AccountStatus.FOUND),
        ("nobody_here", AccountStatus.NOT_FOUND),
    ]
    assert result.accounts[1].url == "https://www.reddit.com/user/nobody_here/"
    assert values(result, Kind.ACCOUNT) == ["https://www.reddit.com/user/jtestwell/"]
    assert result.observations[0].confidence == TIED
    assert result.notes == ("'x.y' cannot be a Reddit username; not checked on Reddit",)
    assert result.leads == ()


def test_not_found() -> None:
    fake = FakeReddit(lambda name: (404, page_bytes("reddit/not-found.json"), {}))
    result = run(fake, NOBODY)
    (account,) = result.accounts
    assert account.status is AccountStatus.NOT_FOUND
    assert result.observations == ()


def test_rate_limited_is_blocked_and_stops_sending() -> None:
    body = b'{"message": "Too Many Requests", "error": 429}'
    fake = FakeReddit(lambda name: (429, body, {"X-Ratelimit-Reset": "300"}))
    with pytest.raises(Blocked, match="resets in 300 s"):
        run(fake, Profile(handles=("jtestwell", "avery_sample")))
    assert len(fake.requests) == 3  # retried by Http for the first handle; the second never sent
    assert {r.url.path for r in fake.requests} == {"/user/jtestwell/about.json"}


def test_rate_limit_after_a_find_keeps_the_find() -> None:
    def answer(name: str) -> Answer:
        return found_jtestwell(name) if name == "jtestwell" else (429, b"", {})

    fake = FakeReddit(answer)
    result = run(fake, Profile(handles=("jtestwell", "second", "third")))
    statuses = {a.username: a.status for a in result.accounts}
    assert statuses == {
        "jtestwell": AccountStatus.FOUND,
        "second": AccountStatus.UNKNOWN,
        "third": AccountStatus.UNKNOWN,
    }
    assert len(fake.requests) == 1 + 3
    assert all("rate limit reached" in note for note in result.notes)


def test_forbidden_is_blocked() -> None:
    fake = FakeReddit(lambda name: (403, page_bytes("reddit/blocked.html"), {}))
    with pytest.raises(Blocked, match="HTTP 403"):
        run(fake, NOBODY)
    assert len(fake.requests) == 1


def test_server_error_is_source_unavailable() -> None:
    fake = FakeReddit(lambda name: (502, b"", {}))
    with pytest.raises(SourceUnavailable, match="HTTP 502"):
        run(fake, NOBODY)


@pytest.mark.parametrize(
    "body", [page_bytes("reddit/blocked.html"), b'{"kind": "t2"}', b'{"kind": "Listing"}']
)
def test_malformed_answer_is_source_unavailable(body: bytes) -> None:
    fake = FakeReddit(lambda name: (200, body, {}))
    with pytest.raises(SourceUnavailable):
        run(fake, NOBODY)


def test_source_attributes() -> None:
    source = RedditSource()
    assert (source.name, source.title, source.needs) == ("reddit", "Reddit", frozenset({"handles"}))
    assert source.applies_to(NOBODY)
    assert not source.applies_to(Profile(handles=("jt@social.example",)))
    assert not source.applies_to(Profile(emails=("jordan@example.com",)))
