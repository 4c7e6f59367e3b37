"""GitLab source: parsers on recorded shapes, then request logic over a mock transport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from scanner.errors import Blocked, SourceUnavailable
from scanner.models import AccountStatus, Kind, Lead, Profile, SourceRef, SourceResult
from scanner.sources.base import TIED, UNTIED
from scanner.sources.gitlab import (
    GitLabSource,
    check_gitlab,
    find_user,
    linked_name,
    parse_user,
    pick_handles,
)
from tests.support import assert_tied, mock_http, page, page_bytes, shared_file

API = "https://gitlab.com/api/v4/users"
JORDAN = Profile(names=("Jordan Testwell",), handles=("jtestwell",))
STRANGER = Profile(handles=("jtestwell",))
RESET_1705 = str(int(datetime(2025, 11, 24, 17, 5, tzinfo=UTC).timestamp()))


def values(result: SourceResult, kind: Kind) -> list[str]:
    return [o.value for o in result.observations if o.kind is kind]


# --- parsers -------------------------------------------------------------------------


def test_parse_full_profile_tied_by_name() -> None:
    result = parse_user(page("gitlab/user.json"), "jtestwell", JORDAN)
    assert values(result, Kind.ACCOUNT) == [
        "https://gitlab.com/jtestwell",
        "https://x.com/jtestwell_x",
        "https://www.linkedin.com/in/jordan-testwell",
    ]
    assert values(result, Kind.REAL_NAME) == ["Jordan Testwell"]
    assert values(result, Kind.LOCATION) == ["Springfield, IL"]
    assert values(result, Kind.EMPLOYER) == ["Example Robotics"]
    employer = next(o for o in result.observations if o.kind is Kind.EMPLOYER)
    assert employer.evidence == "Firmware Engineer at Example Robotics"
    assert values(result, Kind.EMAIL) == ["jordan@example.net"]
    assert values(result, Kind.WEBSITE) == ["https://www.jordantestwell.example.com/blog"]
    assert values(result, Kind.USERNAME) == ["jordan.testwell"]
    assert values(result, Kind.PHOTO) == [
        "https://gitlab.example.com/uploads/-/system/user/avatar/4201/avatar.png"
    ]
    for o in result.observations:
        assert o.confidence == TIED
        assert o.reason.startswith("on the GitLab account jtestwell: ")
        assert_tied(o, by="name", value="Jordan Testwell")
        assert o.source == SourceRef("gitlab", "https://gitlab.com/jtestwell")
        assert o.removal[0].url == "https://gitlab.com/-/user_settings/profile"
        assert o.removal[-1].url == "https://gitlab.com/-/profile/account"
    gitlab, twitter, linkedin = result.accounts
    assert (gitlab.site, gitlab.url, gitlab.username, gitlab.status) == (
        "GitLab",
        "https://gitlab.com/jtestwell",
        "jtestwell",
        AccountStatus.FOUND,
    )
    assert gitlab.details == {
        "name": "Jordan Testwell",
        "state": "active",
        "location": "Springfield, IL",
        "organization": "Example Robotics",
        "job_title": "Firmware Engineer",
        "created_at": "2016-03-14T09:26:53Z",
    }
    assert (twitter.site, twitter.username) == ("X (Twitter)", "jtestwell_x")
    assert (linkedin.site, linkedin.username) == ("LinkedIn", "jordan-testwell")
    (bio,) = result.documents
    assert bio.label == "GitLab bio"
    assert bio.is_html is False
    assert bio.text.startswith("Firmware for small robots. Call 217-555-0142")
    assert bio.confidence == TIED


def test_tied_profile_yields_leads() -> None:
    result = parse_user(page("gitlab/user.json"), "jtestwell", JORDAN)
    source = SourceRef("gitlab", "https://gitlab.com/jtestwell")
    assert [(lead.field, lead.value) for lead in result.leads] == [
        ("emails", "jordan@example.net"),
        ("domains", "jordantestwell.example.com"),
        ("handles", "jtestwell_x"),
        ("handles", "jordan-testwell"),
        ("handles", "jordan.testwell"),
    ]
    assert all(lead.source == source and lead.found_from == "jtestwell" for lead in result.leads)
    assert result.leads[0] == Lead(
        "emails",
        "jordan@example.net",
        source,
        "the public email on your GitLab profile",
        "jtestwell",
    )


def test_untied_profile_yields_no_leads_and_low_confidence() -> None:
    result = parse_user(page("gitlab/user.json"), "jtestwell", STRANGER)
    assert result.leads == ()
    assert {o.confidence for o in result.observations} == {UNTIED}
    assert result.observations[0].reason == (
        "an account named jtestwell exists on GitLab; nothing on it ties it to you"
    )
    assert result.documents[0].confidence == UNTIED


def test_tie_by_other_handle_or_email() -> None:
    by_handle = Profile(handles=("jtestwell", "jtestwell_x"))
    result = parse_user(page("gitlab/user.json"), "jtestwell", by_handle)
    assert_tied(result.observations[0], by="handle", value="jtestwell_x")
    assert ("handles", "jtestwell_x") in [(lead.field, lead.value) for lead in result.leads]
    by_email = Profile(emails=("jordan@example.net",), handles=("jtestwell",))
    result = parse_user(page("gitlab/user.json"), "jtestwell", by_email)
    assert result.observations[0].confidence == TIED
    assert_tied(result.observations[0], by="email", value="jordan@example.net")


def test_platform_website_is_not_a_domain_lead() -> None:
    data = page("gitlab/user.json")
    data["website_url"] = "jtestwell.github.io"
    result = parse_user(data, "jtestwell", JORDAN)
    assert values(result, Kind.WEBSITE) == ["https://jtestwell.github.io"]
    assert "domains" not in [lead.field for lead in result.leads]


def test_parse_minimal_profile() -> None:
    result = parse_user(page("gitlab/user-minimal.json"), "quietfox", STRANGER)
    kinds = [o.kind for o in result.observations]
    assert kinds == [Kind.ACCOUNT, Kind.PHOTO]  # the name equals the username: not a real name
    assert result.documents == ()
    assert result.leads == ()
    assert result.accounts[0].details == {
        "name": "quietfox",
        "state": "active",
        "created_at": "2019-07-01T12:00:00Z",
    }


def test_job_title_without_organization_and_hostile_web_url() -> None:
    data = page("gitlab/user-minimal.json")
    data["job_title"] = "Night nurse"
    data["web_url"] = "https://evil.example/quietfox"
    result = parse_user(data, "quietfox", STRANGER)
    assert [(o.kind, o.value) for o in result.observations if o.kind is Kind.OTHER] == [
        (Kind.OTHER, "Night nurse")
    ]
    assert result.accounts[0].url == "https://gitlab.com/quietfox"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jdoe", "jdoe"),
        ("@jdoe", "jdoe"),
        ("https://twitter.com/jdoe/", "jdoe"),
        ("linkedin.com/in/jane-doe", "jane-doe"),
        ("live:.cid.123", ""),
        ("two words", ""),
        ("", ""),
    ],
)
def test_linked_name(raw: str, expected: str) -> None:
    assert linked_name(raw) == expected


def test_find_user() -> None:
    listing = page("gitlab/users-list.json")
    assert find_user(listing, "JTestwell") == listing[0]
    assert find_user(listing, "someoneelse") is None
    assert find_user([], "jtestwell") is None
    with pytest.raises(SourceUnavailable):
        find_user({"message": "403 Forbidden"}, "jtestwell")


@pytest.mark.parametrize("data", [None, [], {"username": 5}, {"name": "x"}])
def test_parse_user_rejects_non_users(data: Any) -> None:
    with pytest.raises(SourceUnavailable):
        parse_user(data, "jtestwell", JORDAN)


def test_check_gitlab() -> None:
    check_gitlab(httpx.Response(200, json=[]))
    check_gitlab(httpx.Response(404))
    limited = httpx.Response(429, headers={"RateLimit-Reset": RESET_1705, "Retry-After": "60"})
    with pytest.raises(Blocked) as caught:
        check_gitlab(limited)
    assert str(caught.value) == "GitLab rate limit reached (HTTP 429); resets at 17:05 UTC"
    with pytest.raises(Blocked, match=r"HTTP 429\); retry after 60 s$"):
        check_gitlab(httpx.Response(429, headers={"Retry-After": "60"}))
    with pytest.raises(Blocked, match="HTTP 403"):
        check_gitlab(httpx.Response(403))
    with pytest.raises(SourceUnavailable, match="HTTP 502"):
        check_gitlab(httpx.Response(502))


def test_pick_handles() -> None:
    profile = Profile(handles=("a.b.", "jtestwell", "JTESTWELL", "x@mastodon.example", "-dash"))
    assert pick_handles(profile) == (
        ["jtestwell"],
        [
            "'a.b.' cannot be a GitLab username; not checked on GitLab",
            "'-dash' cannot be a GitLab username; not checked on GitLab",
        ],
    )
    many = Profile(handles=tuple(f"user{i}" for i in range(7)))
    picked, notes = pick_handles(many)
    assert picked == [f"user{i}" for i in range(5)]
    assert notes == ["GitLab: only the first 5 handles were checked; not checked: user5, user6"]


# --- the real recorded shapes (skipped when ../shared is absent) ----------------------


def shared(name: str) -> Any:
    return json.loads(shared_file(f"api-examples/gitlab/{name}").read_text(encoding="utf-8"))


def test_shared_examples() -> None:
    listing = shared("users-list-by-username.json")
    entry = find_user(listing, "john_smith")
    assert entry is not None
    assert entry["id"] == 1
    single = shared("users-get-single-user.json")
    result = parse_user(single, "john_smith", Profile(names=("John Smith",)))
    assert values(result, Kind.REAL_NAME) == ["John Smith"]
    assert values(result, Kind.EMAIL) == ["john@example.com"]
    assert values(result, Kind.OTHER) == ["Operations Specialist"]
    assert values(result, Kind.LOCATION) == []
    assert result.accounts[0].url == "https://gitlab.com/john_smith"  # web_url is localhost
    assert [(lead.field, lead.value) for lead in result.leads] == [("emails", "john@example.com")]
    read = {"username", "name", "state", "avatar_url", "web_url", "created_at", "bio"}
    read |= {"location", "public_email", "skype", "linkedin", "twitter", "website_url"}
    read |= {"organization", "job_title", "id"}
    assert read <= set(single)


# --- request logic -------------------------------------------------------------------

Answer = tuple[int, bytes, dict[str, str]]


class FakeGitLab:
    def __init__(self, answer: Callable[[httpx.Request], Answer]) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, body, headers = self.answer(request)
        return httpx.Response(
            status, headers={"content-type": "application/json", **headers}, content=body
        )

    @property
    def urls(self) -> list[str]:
        return [str(r.url) for r in self.requests]


def jordan_exists(request: httpx.Request) -> Answer:
    url = str(request.url)
    if url == f"{API}?username=jtestwell":
        return 200, page_bytes("gitlab/users-list.json"), {}
    if url == f"{API}/4201":
        return 200, page_bytes("gitlab/user.json"), {}
    if url.startswith(f"{API}?username="):
        return 200, page_bytes("gitlab/users-list-empty.json"), {}
    return 500, b"", {}


def run(fake: FakeGitLab, profile: Profile) -> SourceResult:
    async def go() -> SourceResult:
        async with mock_http(fake) as http:
            return await GitLabSource().search(profile, http)

    return asyncio.run(go())


def test_search_found_and_not_found_requests() -> None:
    fake = FakeGitLab(jordan_exists)
    profile = Profile(names=("Jordan Testwell",), handles=("jtestwell", "nobody-here"))
    result = run(fake, profile)
    assert fake.urls == [
        f"{API}?username=jtestwell",
        f"{API}/4201",
        f"{API}?username=nobody-here",
    ]
    for request in fake.requests:
        assert request.method == "GET"
        assert request.headers["accept"] == "application/json"
        assert "authorization" not in request.headers
    statuses = [(a.site, a.username, a.status) for a in result.accounts]
    assert ("GitLab", "jtestwell", AccountStatus.FOUND) in statuses
    assert ("GitLab", "nobody-here", AccountStatus.NOT_FOUND) in statuses
    not_found = next(a for a in result.accounts if a.username == "nobody-here")
    assert not_found.url == "https://gitlab.com/nobody-here"
    assert values(result, Kind.EMAIL) == ["jordan@example.net"]
    assert [lead.value for lead in result.leads] == [
        "jordan@example.net",
        "jordantestwell.example.com",
        "jtestwell_x",
        "jordan-testwell",
        "jordan.testwell",
    ]
    assert result.notes == ()


def test_search_untied_emits_no_leads() -> None:
    fake = FakeGitLab(jordan_exists)
    result = run(fake, STRANGER)
    assert result.leads == ()
    assert result.accounts[0].status is AccountStatus.FOUND


def test_single_user_404_keeps_the_list_entry() -> None:
    def answer(request: httpx.Request) -> Answer:
        if str(request.url) == f"{API}/4201":
            return 404, b'{"message": "404 User Not Found"}', {}
        return jordan_exists(request)

    fake = FakeGitLab(answer)
    result = run(fake, JORDAN)
    assert len(fake.requests) == 2
    assert result.accounts[0].status is AccountStatus.FOUND
    assert values(result, Kind.REAL_NAME) == ["Jordan Testwell"]
    assert values(result, Kind.EMAIL) == []
    assert result.notes == (
        "jtestwell: GitLab did not show the full profile (HTTP 404); only the listing",
    )


def test_rate_limit_is_blocked_after_retries() -> None:
    body = page_bytes("gitlab/rate-limit.txt")
    headers = {"RateLimit-Reset": RESET_1705, "RateLimit-Remaining": "0"}
    fake = FakeGitLab(lambda request: (429, body, headers))
    with pytest.raises(
        Blocked, match=r"GitLab rate limit reached \(HTTP 429\); resets at 17:05 UTC$"
    ):
        run(fake, JORDAN)
    assert fake.urls == [f"{API}?username=jtestwell"] * 3


def test_rate_limit_mid_way_keeps_what_was_found_and_stops() -> None:
    def answer(request: httpx.Request) -> Answer:
        if "jtestwell" in str(request.url) or str(request.url).endswith("/4201"):
            return jordan_exists(request)
        return 429, b"Retry later\n", {"Retry-After": "0"}

    fake = FakeGitLab(answer)
    result = run(fake, Profile(names=("Jordan Testwell",), handles=("jtestwell", "two", "three")))
    assert fake.urls == [f"{API}?username=jtestwell", f"{API}/4201"] + [f"{API}?username=two"] * 3
    statuses = {a.username: a.status for a in result.accounts if a.site == "GitLab"}
    assert statuses == {
        "jtestwell": AccountStatus.FOUND,
        "two": AccountStatus.UNKNOWN,
        "three": AccountStatus.UNKNOWN,
    }
    assert len(result.notes) == 2
    assert len(result.leads) == 5


def test_forbidden_is_blocked() -> None:
    fake = FakeGitLab(lambda request: (403, b'{"message": "403 Forbidden"}', {}))
    with pytest.raises(Blocked, match="HTTP 403"):
        run(fake, JORDAN)


def test_server_error_is_source_unavailable() -> None:
    fake = FakeGitLab(lambda request: (503, b"", {}))
    with pytest.raises(SourceUnavailable, match="HTTP 503"):
        run(fake, JORDAN)


def test_malformed_json_is_source_unavailable() -> None:
    fake = FakeGitLab(lambda request: (200, page_bytes("gitlab/malformed.txt"), {}))
    with pytest.raises(SourceUnavailable, match="not JSON"):
        run(fake, JORDAN)


@pytest.mark.parametrize(
    "body",
    [b'{"id": 4201}', b'"text"', b'[{"username": "jtestwell", "id": "4201"}]'],
    ids=["object-not-list", "string", "id-not-a-number"],
)
def test_wrong_shapes_are_source_unavailable(body: bytes) -> None:
    fake = FakeGitLab(lambda request: (200, body, {}))
    with pytest.raises(SourceUnavailable):
        run(fake, JORDAN)
    assert fake.urls == [f"{API}?username=jtestwell"]


def test_single_user_not_an_object_is_source_unavailable() -> None:
    def answer(request: httpx.Request) -> Answer:
        if str(request.url) == f"{API}/4201":
            return 200, b"[]", {}
        return jordan_exists(request)

    with pytest.raises(SourceUnavailable, match="not an object"):
        run(FakeGitLab(answer), JORDAN)


def test_only_plain_handles_are_sent() -> None:
    fake = FakeGitLab(jordan_exists)
    run(fake, Profile(handles=("jtestwell@mastodon.example", "a.b.", "jtestwell")))
    assert fake.urls == [f"{API}?username=jtestwell", f"{API}/4201"]


def test_source_attributes() -> None:
    source = GitLabSource()
    assert (source.name, source.title, source.needs) == ("gitlab", "GitLab", frozenset({"handles"}))
    assert source.applies_to(Profile(handles=("jtestwell",)))
    assert not source.applies_to(Profile(handles=("jtestwell@mastodon.example",)))
    assert not source.applies_to(Profile(emails=("jordan@example.net",)))
