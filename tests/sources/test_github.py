"""GitHub source: parsers on recorded shapes, then request logic over a mock transport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from scanner.errors import Blocked, SourceUnavailable
from scanner.models import AccountStatus, Kind, Observation, Profile, SourceResult
from scanner.sources.base import TIED, UNTIED, reset_time
from scanner.sources.github import GitHubSource, check_github, pick_handles
from scanner.sources.github_leads import has_profile_readme, readme_document
from scanner.sources.github_parse import (
    parse_commits,
    parse_gpg_keys,
    parse_public_events,
    parse_repos,
    parse_social_accounts,
    parse_ssh_keys,
    parse_user,
    website_url,
)
from tests.support import assert_tied, mock_http, page, page_bytes, shared_file

RESET_1705 = str(int(datetime(2025, 11, 24, 17, 5, tzinfo=UTC).timestamp()))
API = "https://api.github.com"


def values(observations: Any, kind: Kind) -> list[str]:
    return [o.value for o in observations if o.kind is kind]


def by_value(observations: Iterable[Observation], value: str) -> Observation:
    return next(o for o in observations if o.value == value)


# --- parsers -------------------------------------------------------------------------


def test_parse_user_reads_every_profile_field() -> None:
    user = parse_user(page("github/user.json"))
    obs = user.result.observations
    assert (user.login, user.name, user.html_url) == (
        "asample",
        "Avery Sample",
        "https://github.com/asample",
    )
    assert values(obs, Kind.ACCOUNT) == ["https://github.com/asample"]
    assert values(obs, Kind.REAL_NAME) == ["Avery Sample"]
    assert values(obs, Kind.EMPLOYER) == ["example-labs"]  # "@example-labs" without the "@"
    assert values(obs, Kind.WEBSITE) == ["https://avery.example.net"]
    assert values(obs, Kind.LOCATION) == ["Portland, OR"]
    assert values(obs, Kind.EMAIL) == ["avery@example.net"]
    assert values(obs, Kind.USERNAME) == ["avery_rides"]
    assert "X/Twitter" in by_value(obs, "avery_rides").evidence
    for o in obs:
        assert o.source.name == "github"
        assert o.source.url == "https://github.com/asample"
        assert o.confidence == pytest.approx(TIED)  # until settle() knows whether it is tied
        assert "github.com/asample" in o.reason
        assert o.removal
        assert all(step.url for step in o.removal)
    assert (
        by_value(obs, "avery@example.net").removal[0].url == "https://github.com/settings/profile"
    )
    account_removal = by_value(obs, "https://github.com/asample").removal[0]
    assert account_removal.url == "https://github.com/settings/admin"
    (account,) = user.result.accounts
    assert account.status is AccountStatus.FOUND
    assert account.site == "GitHub"
    assert account.username == "asample"
    assert dict(account.details) == {
        "name": "Avery Sample",
        "company": "@example-labs",
        "location": "Portland, OR",
        "blog": "avery.example.net",
        "created_at": "2014-07-19T03:44:10Z",
    }


def test_bio_is_a_document_kept_verbatim() -> None:
    (doc,) = parse_user(page("github/user.json")).result.documents
    assert doc.label == "GitHub bio"
    assert doc.url == "https://github.com/asample"
    assert (
        doc.text == "Bike mechanic by day. Call the shop: 503-555-0117 <script>alert('x')</script>"
    )
    assert not doc.is_html


def test_parse_user_missing_optional_fields() -> None:
    user = parse_user(page("github/user-minimal.json"))
    assert [o.kind for o in user.result.observations] == [Kind.ACCOUNT]
    assert user.result.documents == ()
    assert dict(user.result.accounts[0].details) == {"created_at": "2020-01-05T10:00:00Z"}


def test_hostile_strings_are_data() -> None:
    data = page("github/user.json")
    data["name"] = '<img src=x onerror="alert(1)">'
    data["company"] = "@</td><script>x()</script>"
    obs = parse_user(data).result.observations
    assert values(obs, Kind.REAL_NAME) == ['<img src=x onerror="alert(1)">']
    assert values(obs, Kind.EMPLOYER) == ["</td><script>x()</script>"]


@pytest.mark.parametrize("data", [page("github/not-found.json"), [], None, "x", {"login": 7}])
def test_parse_user_rejects_records_without_login(data: Any) -> None:
    with pytest.raises(SourceUnavailable):
        parse_user(data)


@pytest.mark.parametrize(
    ("blog", "url"),
    [
        ("avery.example.net", "https://avery.example.net"),
        ("http://avery.example.net/x", "http://avery.example.net/x"),
        ("HTTPS://A.example.org", "HTTPS://A.example.org"),
    ],
)
def test_website_url(blog: str, url: str) -> None:
    assert website_url(blog) == url


def test_parse_social_accounts() -> None:
    obs, accounts = parse_social_accounts(page("github/social-accounts.json"), "asample")
    assert [(o.kind, o.value) for o in obs] == [
        (Kind.ACCOUNT, "https://mastodon.example/@avery"),
        (Kind.WEBSITE, "https://avery.example.net/about"),
        (Kind.ACCOUNT, "https://www.linkedin.example/in/avery-sample/"),
    ]
    assert [(a.site, a.username, a.status) for a in accounts] == [
        ("Mastodon", "@avery", AccountStatus.FOUND),
        ("LinkedIn", "avery-sample", AccountStatus.FOUND),
    ]
    assert all(o.removal[0].url == "https://github.com/settings/profile" for o in obs)


def test_parse_gpg_keys_skips_noreply_and_reads_subkeys() -> None:
    obs = parse_gpg_keys(page("github/gpg-keys.json"), "asample")
    assert [(o.value, o.confidence) for o in obs] == [
        ("avery.personal@example.org", 0.9),  # verified
        ("avery@oldshop.example.com", 0.75),  # on a subkey, unverified
    ]
    assert obs[0].source.url == "https://github.com/asample.gpg"
    assert "public GPG key 4B1C8E22A0F3D915" in obs[0].evidence
    assert obs[0].removal[0].url == "https://github.com/settings/keys"


def test_parse_ssh_keys_and_repos() -> None:
    assert parse_ssh_keys(page("github/keys.json")) == 3
    assert parse_ssh_keys({"message": "Not Found"}) == 0
    assert parse_repos(page("github/repos.json")) == [
        "asample/bike-log",
        "asample/empty-idea",
        "asample/wheel-truing",
    ]  # the fork is left out
    assert parse_repos(page("github/repos.json"), limit=1) == ["asample/bike-log"]
    assert parse_repos(page("github/commits-empty.json")) == []


def test_parse_commits_keeps_the_subjects_addresses_only() -> None:
    obs = parse_commits(page("github/commits.json"), "asample/bike-log", "asample", "Avery Sample")
    emails = values(obs, Kind.EMAIL)
    assert emails == ["avery.personal@example.org", "a.sample@oldshop.example.com"]
    # noreply, web-flow's noreply@github.com and another account's committer email are out
    assert "maintainer@example.com" not in emails
    assert values(obs, Kind.REAL_NAME) == ["A. Sample"]  # differs from the profile name
    first = by_value(obs, "avery.personal@example.org")
    sha = page("github/commits.json")[0]["sha"]
    who = "Avery Sample <avery.personal@example.org>"
    assert first.evidence == f"{who}, author of commit {sha[:7]} in asample/bike-log"
    assert first.source.url == f"https://github.com/asample/bike-log/commit/{sha}"
    assert first.confidence == pytest.approx(0.85)
    assert [step.url for step in first.removal] == [
        "https://github.com/settings/emails",
        "https://github.com/asample/bike-log/settings",
    ]
    assert "keep the old address" in first.removal[1].how
    assert by_value(obs, "A. Sample").confidence < first.confidence


def test_parse_commits_on_an_empty_repository_body() -> None:
    assert parse_commits(page("github/commits-empty.json"), "asample/empty-idea", "asample") == []


def test_parse_public_events_both_shapes() -> None:
    assert parse_public_events(page("github/events-public.json"), "asample") == []
    obs = parse_public_events(page("github/events-public-pre-2025.json"), "asample", "Avery Sample")
    assert [(o.kind, o.value, o.confidence) for o in obs] == [
        (Kind.EMAIL, "avery.personal@example.org", 0.7)
    ]
    assert "pushed commit" in obs[0].evidence
    assert obs[0].source.url.startswith("https://github.com/asample/bike-log/commit/")


def test_pick_handles() -> None:
    handles, notes = pick_handles(("@asample", "ASAMPLE", "jane.doe", "b", "c-d", "e"))
    assert handles == ["asample", "b", "c-d"]
    assert any("'jane.doe' cannot be a GitHub username" in n for n in notes)
    assert any("not checked: e" in n for n in notes)


def test_reset_time() -> None:
    assert reset_time(RESET_1705) == "17:05 UTC"
    assert reset_time(None) == ""
    assert reset_time("soon") == ""


def test_check_github_rate_limit_message() -> None:
    headers = {
        "x-ratelimit-limit": "60",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": RESET_1705,
    }
    response = httpx.Response(403, headers=headers, content=page_bytes("github/rate-limit.json"))
    with pytest.raises(Blocked) as caught:
        check_github(response, authenticated=False)
    assert str(caught.value) == (
        "GitHub API rate limit reached (60 requests/hour without a token; set GITHUB_TOKEN); "
        "resets at 17:05 UTC"
    )
    with pytest.raises(Blocked, match="5000 requests/hour with your token"):
        check_github(httpx.Response(429, headers={**headers, "x-ratelimit-limit": "5000"}), True)


def test_check_github_other_statuses() -> None:
    check_github(httpx.Response(200, json={}), authenticated=False)
    check_github(httpx.Response(404), authenticated=False)
    with pytest.raises(Blocked, match="refused"):
        check_github(httpx.Response(403), authenticated=False)
    with pytest.raises(Blocked, match="GITHUB_TOKEN"):
        check_github(httpx.Response(401), authenticated=True)
    secondary = {"message": "You have exceeded a secondary rate limit. Please wait."}
    with pytest.raises(Blocked, match="secondary rate limit"):
        check_github(httpx.Response(403, json=secondary), authenticated=False)
    with pytest.raises(SourceUnavailable):
        check_github(httpx.Response(502), authenticated=False)


# --- the real recorded shapes (skipped when ../shared is absent) ----------------------


def shared(name: str) -> Any:
    return json.loads(shared_file(f"api-examples/github/{name}").read_text(encoding="utf-8"))


def test_shared_user() -> None:
    user = parse_user(shared("users-get-by-username.json"))
    obs = user.result.observations
    assert user.login == "octocat"
    assert values(obs, Kind.REAL_NAME) == ["monalisa octocat"]
    assert values(obs, Kind.EMAIL) == ["octocat@github.com"]
    assert values(obs, Kind.EMPLOYER) == ["GitHub"]
    assert values(obs, Kind.WEBSITE) == ["https://github.com/blog"]
    assert values(obs, Kind.LOCATION) == ["San Francisco"]
    assert values(obs, Kind.USERNAME) == ["monatheoctocat"]
    assert user.result.documents[0].text == "There once was..."
    assert parse_user(shared("users-get-by-username-with-plan.json")).login == "octocat"


def test_shared_lists() -> None:
    assert parse_gpg_keys(shared("users-gpg-keys.json"), "octocat") == []  # noreply only
    assert parse_ssh_keys(shared("users-keys.json")) == 1
    assert parse_repos(shared("users-repos.json")) == ["octocat/Hello-World"]
    obs, accounts = parse_social_accounts(shared("users-social-accounts.json"), "octocat")
    assert values(obs, Kind.ACCOUNT) == ["https://twitter.com/github"]
    assert [(a.site, a.username) for a in accounts] == [("X (Twitter)", "github")]


def test_shared_commits() -> None:
    obs = parse_commits(
        shared("repos-commits.json"), "octocat/Hello-World", "octocat", "monalisa octocat"
    )
    assert [(o.kind, o.value) for o in obs] == [(Kind.EMAIL, "support@github.com")]
    items = shared("search-commits.json")["items"]
    found = parse_commits(items, "octocat/Spoon-Knife", "octocat")
    assert values(found, Kind.EMAIL) == ["octocat@nowhere.com"]
    assert values(found, Kind.REAL_NAME) == ["The Octocat"]


def test_shared_events() -> None:
    assert parse_public_events(shared("users-events-public.json"), "octocat") == []
    old = parse_public_events(shared("users-events-public.pre-2025-with-commits.json"), "octocat")
    assert values(old, Kind.EMAIL) == ["octocat@github.com"]


# --- request logic -------------------------------------------------------------------

Route = tuple[int, bytes, dict[str, str]]
ROUTES: dict[str, tuple[int, str]] = {
    "/users/asample": (200, "github/user.json"),
    "/users/asample/social_accounts": (200, "github/social-accounts.json"),
    "/users/asample/gpg_keys": (200, "github/gpg-keys.json"),
    "/users/asample/keys": (200, "github/keys.json"),
    "/users/asample/repos": (200, "github/repos.json"),
    "/repos/asample/bike-log/commits": (200, "github/commits.json"),
    "/repos/asample/empty-idea/commits": (409, "github/commits-empty.json"),
    "/repos/asample/wheel-truing/commits": (200, ""),
}
LIMITED = {"x-ratelimit-limit": "60", "x-ratelimit-remaining": "0", "x-ratelimit-reset": RESET_1705}


class FakeGitHub:
    """A mock GitHub answering from tests/pages; `override(path)` may replace an answer."""

    def __init__(self, override: Callable[[str], Route | None] = lambda path: None) -> None:
        self.requests: list[httpx.Request] = []
        self.override = override

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.url.host == "api.github.com"
        path = request.url.path
        answer = self.override(path)
        if answer is None:
            status, name = ROUTES.get(path, (404, "github/not-found.json"))
            answer = (status, page_bytes(name) if name else b"[]", {})
        status, body, headers = answer
        headers = {"content-type": "application/json; charset=utf-8", **headers}
        return httpx.Response(status, headers=headers, content=body)

    @property
    def urls(self) -> set[str]:
        return {str(r.url) for r in self.requests}


def run(fake: FakeGitHub, *handles: str) -> SourceResult:
    async def go() -> SourceResult:
        async with mock_http(fake) as http:
            return await GitHubSource().search(Profile(handles=handles), http)

    return asyncio.run(go())


def test_search_requests_and_result() -> None:
    fake = FakeGitHub()
    result = run(fake, "asample")
    assert fake.urls == {
        f"{API}/users/asample",
        f"{API}/users/asample/social_accounts",
        f"{API}/users/asample/gpg_keys",
        f"{API}/users/asample/keys",
        f"{API}/users/asample/repos?type=owner&sort=pushed&per_page=10",
        f"{API}/repos/asample/bike-log/commits?author=asample&per_page=30",
        f"{API}/repos/asample/empty-idea/commits?author=asample&per_page=30",
        f"{API}/repos/asample/wheel-truing/commits?author=asample&per_page=30",
    }
    assert len(fake.requests) == 8
    for request in fake.requests:
        assert request.headers["accept"] == "application/vnd.github+json"
        assert request.headers["x-github-api-version"] == "2022-11-28"
        assert "authorization" not in request.headers
    assert values(result.observations, Kind.EMAIL) == [
        "avery@example.net",  # public profile email
        "avery.personal@example.org",  # GPG key
        "avery@oldshop.example.com",  # GPG subkey
        "avery.personal@example.org",  # commit (other evidence: kept)
        "a.sample@oldshop.example.com",  # commit
    ]
    assert [d.label for d in result.documents] == ["GitHub bio"]
    github, *linked = result.accounts
    assert github.status is AccountStatus.FOUND
    assert github.details["public_ssh_keys"] == "3"
    assert [a.site for a in linked] == ["Mastodon", "LinkedIn"]
    assert result.notes == ()  # the empty repository (409) is not a problem


def test_token_is_sent_only_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_example_secret_123")
    fake = FakeGitHub()
    result = run(fake, "asample")
    assert fake.requests
    assert all(r.headers["authorization"] == "Bearer ghp_example_secret_123" for r in fake.requests)
    assert "ghp_example_secret_123" not in repr(result)


def test_unknown_user_is_not_found() -> None:
    fake = FakeGitHub()
    result = run(fake, "nobody-here")
    assert [str(r.url) for r in fake.requests] == [f"{API}/users/nobody-here"]
    (account,) = result.accounts
    assert (account.status, account.url, account.username) == (
        AccountStatus.NOT_FOUND,
        "https://github.com/nobody-here",
        "nobody-here",
    )
    assert result.observations == ()


def test_rate_limit_on_the_profile_is_blocked_with_reset_time() -> None:
    body = page_bytes("github/rate-limit.json")
    fake = FakeGitHub(lambda path: (403, body, LIMITED))
    with pytest.raises(Blocked, match=r"rate limit reached .*set GITHUB_TOKEN.*17:05 UTC"):
        run(fake, "asample")
    assert len(fake.requests) == 1  # 403 is not retried


def test_plain_403_is_blocked() -> None:
    fake = FakeGitHub(lambda path: (403, b'{"message": "Forbidden"}', {}))
    with pytest.raises(Blocked, match=r"HTTP 403"):
        run(fake, "asample")


def test_429_is_retried_then_blocked() -> None:
    fake = FakeGitHub(lambda path: (429, page_bytes("github/rate-limit.json"), LIMITED))
    with pytest.raises(Blocked, match="17:05 UTC"):
        run(fake, "asample")
    assert len(fake.requests) == 3  # FAST: 3 attempts, no waiting


def test_server_errors_are_source_unavailable() -> None:
    fake = FakeGitHub(lambda path: (502, b"<html>Bad gateway</html>", {}))
    with pytest.raises(SourceUnavailable, match="HTTP 502"):
        run(fake, "asample")
    assert len(fake.requests) == 3


def test_malformed_profile_is_source_unavailable() -> None:
    fake = FakeGitHub(lambda path: (200, page_bytes("github/malformed.txt"), {}))
    with pytest.raises(SourceUnavailable, match="not JSON"):
        run(fake, "asample")


def test_rate_limit_mid_way_keeps_what_was_found() -> None:
    body = page_bytes("github/rate-limit.json")
    fake = FakeGitHub(lambda path: (403, body, LIMITED) if path.startswith("/repos/") else None)
    result = run(fake, "asample")
    emails = values(result.observations, Kind.EMAIL)
    assert "avery.personal@example.org" in emails  # from the GPG key, read before the limit
    assert "a.sample@oldshop.example.com" not in emails  # only in commits
    assert result.accounts[0].status is AccountStatus.FOUND
    (note,) = result.notes
    assert "rate limit reached" in note
    assert "17:05 UTC" in note
    assert "commits in asample/" in note


def test_rate_limit_before_the_repositories_skips_commits() -> None:
    body = page_bytes("github/rate-limit.json")

    def limit_keys(path: str) -> Route | None:
        return (403, body, LIMITED) if path.endswith("/keys") and "gpg" not in path else None

    fake = FakeGitHub(limit_keys)
    result = run(fake, "asample")
    assert not any("/commits" in url for url in fake.urls)
    assert "public_ssh_keys" not in result.accounts[0].details
    (note,) = result.notes
    assert note.startswith("asample: not checked (GitHub API rate limit reached")
    assert "SSH keys" in note
    assert "commit emails" in note  # however the concurrent requests were ordered


def test_second_handle_blocked_keeps_the_first() -> None:
    body = page_bytes("github/rate-limit.json")
    fake = FakeGitHub(lambda path: (403, body, LIMITED) if path == "/users/other" else None)
    result = run(fake, "asample", "other")
    statuses = {(a.site, a.username): a.status for a in result.accounts}
    assert statuses[("GitHub", "asample")] is AccountStatus.FOUND
    assert statuses[("GitHub", "other")] is AccountStatus.UNKNOWN
    assert any(n.startswith("other: not checked (GitHub API rate limit") for n in result.notes)


def test_failure_of_one_commit_list_is_a_note() -> None:
    def fail_one(path: str) -> Route | None:
        return (500, b"", {}) if path == "/repos/asample/wheel-truing/commits" else None

    result = run(FakeGitHub(fail_one), "asample")
    assert "a.sample@oldshop.example.com" in values(result.observations, Kind.EMAIL)
    assert result.notes == (
        "asample: not checked (GitHub failed (HTTP 500)): commits in asample/wheel-truing",
    )


def test_needs_and_invalid_handles() -> None:
    source = GitHubSource()
    assert (source.name, source.title, source.needs) == ("github", "GitHub", frozenset({"handles"}))
    assert not source.applies_to(Profile(emails=("a@example.com",)))
    fake = FakeGitHub()
    result = run(fake, "not a handle")
    assert fake.requests == []
    assert result.accounts == ()
    assert result.notes == ("'not a handle' cannot be a GitHub username; not checked on GitHub",)


# --- tied or not, leads, the profile README --------------------------------------------

AVERY = Profile(names=("Avery Sample",), handles=("asample",))
README = "/repos/asample/asample/readme"
RAW_TYPE = {"content-type": "application/vnd.github.raw; charset=utf-8"}


def run_profile(fake: FakeGitHub, profile: Profile) -> SourceResult:
    async def go() -> SourceResult:
        async with mock_http(fake) as http:
            return await GitHubSource().search(profile, http)

    return asyncio.run(go())


def with_readme(readme: Route | None = None) -> Callable[[str], Route | None]:
    """The repositories list holds asample/asample; README answers with `readme`."""

    def answer(path: str) -> Route | None:
        if path == "/users/asample/repos":
            return 200, page_bytes("github/repos-with-profile-readme.json"), {}
        if path == README:
            return readme or (200, page_bytes("github/profile-readme.md"), RAW_TYPE)
        if path == "/repos/asample/asample/commits":
            return 200, b"[]", {}
        return None

    return answer


def test_untied_account_is_scaled_down_and_yields_no_leads() -> None:
    result = run(FakeGitHub(), "asample")  # the profile has only the handle
    account = by_value(result.observations, "https://github.com/asample")
    assert account.confidence == pytest.approx(UNTIED)
    assert account.reason == (
        "shown on the GitHub profile github.com/asample; "
        "a GitHub account named asample exists; nothing on it ties it to you"
    )
    assert by_value(result.observations, "Avery Sample").confidence == pytest.approx(UNTIED)
    gpg = next(o for o in result.observations if o.source.url.endswith(".gpg"))
    assert gpg.confidence == pytest.approx(round(0.9 * UNTIED / TIED, 3))
    commit = by_value(result.observations, "a.sample@oldshop.example.com")
    assert commit.confidence == pytest.approx(UNTIED)  # 0.85 scaled by UNTIED/TIED
    assert all("nothing on it ties it to you" in o.reason for o in result.observations)
    (bio,) = result.documents
    assert bio.confidence == pytest.approx(UNTIED)
    assert result.leads == ()


def test_tied_account_keeps_its_confidences_and_says_why() -> None:
    result = run_profile(FakeGitHub(), AVERY)
    account = by_value(result.observations, "https://github.com/asample")
    assert account.confidence == pytest.approx(TIED)
    assert account.reason.startswith("shown on the GitHub profile github.com/asample; ")
    assert_tied(account, by="name", value="Avery Sample")
    gpg = next(o for o in result.observations if o.source.url.endswith(".gpg"))
    assert gpg.confidence == pytest.approx(0.9)
    assert by_value(result.observations, "a.sample@oldshop.example.com").confidence == 0.85
    assert result.documents[0].confidence == pytest.approx(TIED)


def test_the_looked_up_handle_alone_does_not_tie() -> None:
    data = page("github/user.json")
    data["bio"] = "I am asample, also known as asample"
    body = json.dumps(data).encode()
    fake = FakeGitHub(lambda path: (200, body, {}) if path == "/users/asample" else None)
    result = run_profile(fake, Profile(handles=("asample",), emails=("nobody@example.org",)))
    assert result.leads == ()
    assert by_value(result.observations, "Avery Sample").confidence == pytest.approx(UNTIED)


def test_another_handle_on_a_social_account_ties_it() -> None:
    result = run_profile(FakeGitHub(), Profile(handles=("asample", "avery@mastodon.example")))
    account = by_value(result.observations, "https://github.com/asample")
    assert_tied(account, by="handle", value="avery@mastodon.example")
    assert account.confidence == pytest.approx(TIED)


def test_leads_of_a_tied_account() -> None:
    result = run_profile(FakeGitHub(), AVERY)
    assert [(lead.field, lead.value) for lead in result.leads] == [
        ("domains", "avery.example.net"),  # website (and the generic social link)
        ("handles", "avery_rides"),  # twitter_username
        ("handles", "avery@mastodon.example"),  # social account, provider mastodon
        ("emails", "avery@example.net"),  # public email
        ("emails", "avery.personal@example.org"),  # GPG key
        ("emails", "avery@oldshop.example.com"),  # GPG subkey
        ("emails", "a.sample@oldshop.example.com"),  # commit
    ]  # no noreply address, no linkedin.example "domain"
    assert all(lead.found_from == "asample" for lead in result.leads)
    assert all(lead.source.name == "github" for lead in result.leads)
    website, twitter = result.leads[0], result.leads[1]
    assert website.source.url == "https://github.com/asample"
    assert website.reason.startswith("the website on the GitHub profile github.com/asample; ")
    assert "Avery Sample" in website.reason  # a lead says what tied the account
    assert twitter.reason.startswith("the X/Twitter username on the GitHub profile")
    commit = result.leads[-1]
    assert commit.source.url.startswith("https://github.com/asample/bike-log/commit/")
    assert commit.reason.startswith("in commits made by the GitHub account asample")
    assert result.leads[4].source.url == "https://github.com/asample.gpg"


def test_leads_from_social_accounts() -> None:
    social = page_bytes("github/social-accounts-more.json")

    def answer(path: str) -> Route | None:
        return (200, social, {}) if path == "/users/asample/social_accounts" else None

    leads = run_profile(FakeGitHub(answer), AVERY).leads
    assert [(lead.field, lead.value) for lead in leads if lead.field == "handles"] == [
        ("handles", "avery_rides"),  # twitter_username; the twitter link is the same
        ("handles", "averys@social.example.org"),  # mastodon provider, /users/<name>
        ("handles", "averyfix"),  # a generic link to a Hacker News profile
    ]  # github.com/asample is the login itself; LinkedIn and bit.ly are left out
    assert [lead.value for lead in leads if lead.field == "domains"] == ["avery.example.net"]


def test_hostile_profile_fields_make_no_leads() -> None:
    data = page("github/user.json")
    data["blog"] = "javascript:alert(1)"
    data["twitter_username"] = "<script>"
    data["email"] = "not-an-email <x@example.org>"
    body = json.dumps(data).encode()

    def answer(path: str) -> Route | None:
        if path == "/users/asample":
            return 200, body, {}
        return (200, b"[]", {}) if path != "/users/asample/repos" else None

    leads = run_profile(FakeGitHub(answer), AVERY).leads
    assert all(lead.field == "emails" for lead in leads)
    assert "not-an-email <x@example.org>" not in [lead.value for lead in leads]


def test_profile_readme_is_read_when_the_repository_is_listed() -> None:
    fake = FakeGitHub(with_readme())
    result = run_profile(fake, AVERY)
    readme_url = f"{API}{README}"
    assert fake.urls == {
        f"{API}/users/asample",
        f"{API}/users/asample/social_accounts",
        f"{API}/users/asample/gpg_keys",
        f"{API}/users/asample/keys",
        f"{API}/users/asample/repos?type=owner&sort=pushed&per_page=10",
        f"{API}/repos/asample/asample/commits?author=asample&per_page=30",
        f"{API}/repos/asample/bike-log/commits?author=asample&per_page=30",
        f"{API}/repos/asample/empty-idea/commits?author=asample&per_page=30",
        f"{API}/repos/asample/wheel-truing/commits?author=asample&per_page=30",
        readme_url,
    }
    assert len(fake.requests) == 10
    (request,) = [r for r in fake.requests if str(r.url) == readme_url]
    assert request.headers["accept"] == "application/vnd.github.raw+json"
    assert request.headers["x-github-api-version"] == "2022-11-28"
    bio, readme = result.documents
    assert bio.label == "GitHub bio"
    assert readme.label == "GitHub profile README"
    assert readme.text == page_bytes("github/profile-readme.md").decode().strip()
    assert not readme.is_html
    assert readme.url == "https://github.com/asample/asample"
    assert readme.confidence == pytest.approx(TIED)
    assert_tied(readme, by="name", value="Avery Sample")
    (step,) = readme.removal
    assert step.url == "https://github.com/asample/asample/settings"
    assert "make that repository private" in step.how
    assert result.notes == ()


def test_profile_readme_of_an_untied_account_is_untied() -> None:
    result = run(FakeGitHub(with_readme()), "asample")
    assert result.documents[1].confidence == pytest.approx(UNTIED)


def test_profile_readme_missing_is_nothing() -> None:
    fake = FakeGitHub(with_readme((404, page_bytes("github/not-found.json"), {})))
    result = run_profile(fake, AVERY)
    assert [d.label for d in result.documents] == ["GitHub bio"]
    assert result.notes == ()
    assert len(fake.requests) == 10


def test_profile_readme_rate_limited_is_a_note() -> None:
    fake = FakeGitHub(with_readme((403, page_bytes("github/rate-limit.json"), LIMITED)))
    result = run_profile(fake, AVERY)
    assert [d.label for d in result.documents] == ["GitHub bio"]
    (note,) = result.notes
    assert note.startswith("asample: not checked (GitHub API rate limit reached")
    assert "profile README" in note
    assert result.accounts[0].status is AccountStatus.FOUND


def test_profile_readme_server_error_is_a_note() -> None:
    fake = FakeGitHub(with_readme((500, b"", {})))
    result = run_profile(fake, AVERY)
    assert result.notes == ("asample: not checked (GitHub failed (HTTP 500)): profile README",)


def test_rate_limit_before_the_readme_skips_it() -> None:
    body = page_bytes("github/rate-limit.json")
    readme = with_readme()

    def answer(path: str) -> Route | None:
        return (403, body, LIMITED) if path.endswith("/gpg_keys") else readme(path)

    fake = FakeGitHub(answer)
    result = run_profile(fake, AVERY)
    assert f"{API}{README}" not in fake.urls
    (note,) = result.notes
    assert "commit emails" in note
    assert "profile README" in note


def test_profile_readme_is_capped() -> None:
    long = ("x" * 99 + "\n") * 1000
    fake = FakeGitHub(with_readme((200, long.encode(), RAW_TYPE)))
    readme = run_profile(fake, AVERY).documents[1]
    assert len(readme.text) == 50_000


def test_fediverse_handles_are_not_github_logins() -> None:
    source = GitHubSource()
    assert not source.applies_to(Profile(handles=("avery@mastodon.example",)))
    assert source.applies_to(Profile(handles=("avery@mastodon.example", "asample")))
    fake = FakeGitHub()
    result = run(fake, "avery@mastodon.example", "nobody-here")
    assert [str(r.url) for r in fake.requests] == [f"{API}/users/nobody-here"]
    assert result.notes == ()


def test_has_profile_readme_and_readme_document() -> None:
    assert has_profile_readme(page("github/repos-with-profile-readme.json"), "asample")
    assert has_profile_readme(page("github/repos-with-profile-readme.json"), "ASample")
    assert not has_profile_readme(page("github/repos.json"), "asample")
    assert not has_profile_readme({"message": "Not Found"}, "asample")
    assert not has_profile_readme(page("github/repos-with-profile-readme.json"), "bike-log")
    assert readme_document(" \n ", "asample") is None
    doc = readme_document("# Hi <b>there</b>", "asample")
    assert doc is not None
    assert (doc.text, doc.is_html, doc.confidence) == ("# Hi <b>there</b>", False, TIED)
