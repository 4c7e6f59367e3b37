"""Gravatar source: v3 and legacy parsers, then request logic over a mock transport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from scanner.errors import Blocked, SourceUnavailable
from scanner.models import AccountStatus, Kind, Profile, SourceResult
from scanner.sources.base import normalise_phone
from scanner.sources.gravatar import (
    GravatarSource,
    check_gravatar,
    email_hash,
    parse_legacy_profile,
    parse_profile,
)
from tests.support import mock_http, page, page_bytes, shared_file

AVERY = "avery@example.net"
AVERY_HASH = "3e48934df66ce59530f93472a3cc8b94aaab194c2a9415db1c9d9e6c3e14122d"
API = "https://api.gravatar.com/v3/profiles/"
RESET_1705 = str(int(datetime(2025, 11, 24, 17, 5, tzinfo=UTC).timestamp()))


def values(observations: Any, kind: Kind) -> list[str]:
    return [o.value for o in observations if o.kind is kind]


# --- parsers -------------------------------------------------------------------------


def test_email_hash_is_sha256_of_the_trimmed_lower_cased_address() -> None:
    assert email_hash(AVERY) == AVERY_HASH
    assert email_hash("  Avery@Example.NET \n") == AVERY_HASH


def test_parse_public_profile() -> None:
    result = parse_profile(page("gravatar/profile.json"), AVERY)
    obs = result.observations
    assert values(obs, Kind.REAL_NAME) == ["Avery Sample"]
    assert values(obs, Kind.LOCATION) == ["Portland, Oregon"]
    assert values(obs, Kind.EMPLOYER) == ["Example Cycles"]
    assert (
        next(o for o in obs if o.kind is Kind.EMPLOYER).evidence
        == "Lead Mechanic at Example Cycles"
    )
    assert values(obs, Kind.ACCOUNT) == [
        "https://github.com/asample",
        "https://mastodon.example/@avery",
    ]
    assert values(obs, Kind.PHOTO) == [f"https://0.gravatar.com/avatar/{AVERY_HASH}"]
    assert next(o for o in obs if o.kind is Kind.PHOTO).evidence == "public Gravatar avatar"
    assert values(obs, Kind.PHONE) == values(obs, Kind.EMAIL) == values(obs, Kind.WEBSITE) == []
    for o in obs:
        assert o.source.name == "gravatar"
        assert o.source.url == "https://gravatar.com/averysample"
        assert AVERY in o.reason
        assert o.removal[0].url == "https://gravatar.com/profile"
        assert o.removal[-1].url == "https://wordpress.com/me/account"
        assert "WordPress.com" in o.removal[-1].how
    gravatar, *linked = result.accounts
    assert (gravatar.site, gravatar.url, gravatar.username, gravatar.status) == (
        "Gravatar",
        "https://gravatar.com/averysample",
        AVERY,
        AccountStatus.FOUND,
    )
    assert gravatar.details["company"] == "Example Cycles"
    assert [(a.site, a.username) for a in linked] == [("GitHub", "asample"), ("Mastodon", "@avery")]
    (about,) = result.documents
    assert about.label == "Gravatar about"
    assert about.text == "Fixing bikes near the Alder Street bridge. <script>alert(1)</script>"


def test_hidden_verified_accounts_are_skipped() -> None:
    result = parse_profile(page("gravatar/profile.json"), AVERY)
    assert "https://avery-private.tumblr.example/" not in repr(result)


def test_parse_authenticated_profile() -> None:
    obs = parse_profile(
        page("gravatar/profile-authenticated.json"), AVERY, region="US"
    ).observations
    assert values(obs, Kind.REAL_NAME) == ["Avery Sample", "Avery Sample-Quinn"]
    assert values(obs, Kind.PHONE) == ["+15035550117", "+15035550188"]  # home_phone is empty
    assert [o.evidence for o in obs if o.kind is Kind.PHONE] == [
        "Work phone: +1-503-555-0117",
        "Cell phone: (503) 555-0188",
    ]
    assert values(obs, Kind.EMAIL) == ["avery.contact@example.net"]
    assert values(obs, Kind.WEBSITE) == [
        "https://examplecycles.example.com",
        "https://examplecycles.example.com/contact",
    ]


def test_first_and_last_name_equal_to_display_name_is_one_observation() -> None:
    data = page("gravatar/profile-authenticated.json")
    data["last_name"] = "Sample"
    obs = parse_profile(data, AVERY).observations
    assert values(obs, Kind.REAL_NAME) == ["Avery Sample"]


def test_parse_profile_missing_optional_fields() -> None:
    result = parse_profile(page("gravatar/profile-minimal.json"), "quiet@example.org")
    assert result.observations == ()
    assert result.documents == ()
    assert result.accounts[0].status is AccountStatus.FOUND
    assert result.accounts[0].details == {}


def test_job_title_without_company() -> None:
    data = page("gravatar/profile-minimal.json")
    data["job_title"] = "Night nurse"
    obs = parse_profile(data, "quiet@example.org").observations
    assert [(o.kind, o.value) for o in obs] == [(Kind.OTHER, "Night nurse")]


@pytest.mark.parametrize("data", [page("gravatar/rate-limit.json"), [], None, {"hash": 5}])
def test_parse_profile_rejects_non_profiles(data: Any) -> None:
    with pytest.raises(SourceUnavailable):
        parse_profile(data, AVERY)


def test_parse_legacy_profile() -> None:
    result = parse_legacy_profile(page("gravatar/legacy-profile.json"), AVERY)
    obs = result.observations
    assert values(obs, Kind.USERNAME) == ["averysample"]
    assert values(obs, Kind.REAL_NAME) == ["Avery Sample"]
    assert values(obs, Kind.LOCATION) == ["Portland, Oregon"]
    assert values(obs, Kind.WEBSITE) == ["https://examplecycles.example.com"]
    assert len(values(obs, Kind.PHOTO)) == 1  # photos[0] and thumbnailUrl are the same image
    assert result.accounts[0].url == "http://gravatar.com/averysample"
    assert result.accounts[0].username == "averysample"
    with pytest.raises(SourceUnavailable):
        parse_legacy_profile({"entry": []}, AVERY)


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("(217) 555-0142", "US", "+12175550142"),
        ("+1-555-555-0100", "US", "+15555550100"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+44 20 7946 0958", "US", "+442079460958"),
        ("call me maybe", "US", "call me maybe"),
        ("12", "US", "12"),
    ],
)
def test_normalise_phone(raw: str, region: str, expected: str) -> None:
    assert normalise_phone(raw, region) == expected


def test_check_gravatar() -> None:
    check_gravatar(httpx.Response(200, json={}), authenticated=False)
    check_gravatar(httpx.Response(404), authenticated=False)
    limited = httpx.Response(
        429,
        headers={"X-RateLimit-Reset": RESET_1705},
        content=page_bytes("gravatar/rate-limit.json"),
    )
    with pytest.raises(Blocked) as caught:
        check_gravatar(limited, authenticated=False)
    assert str(caught.value) == (
        "Gravatar rate limit reached (HTTP 429); resets at 17:05 UTC "
        "(an API key in GRAVATAR_API_KEY raises the limit)"
    )
    with pytest.raises(Blocked, match=r"HTTP 429\)$"):
        check_gravatar(httpx.Response(429), authenticated=True)
    with pytest.raises(Blocked, match="rejected the API key"):
        check_gravatar(httpx.Response(401), authenticated=True)
    with pytest.raises(SourceUnavailable):
        check_gravatar(httpx.Response(500), authenticated=False)


# --- the real recorded shapes (skipped when ../shared is absent) ----------------------


def shared(name: str) -> Any:
    return json.loads(shared_file(f"api-examples/gravatar/{name}").read_text(encoding="utf-8"))


def test_shared_v3_examples() -> None:
    docs = parse_profile(shared("v3-profiles-by-id.docs-example.json"), "x@example.com")
    assert values(docs.observations, Kind.REAL_NAME) == ["John Smith"]
    assert values(docs.observations, Kind.LOCATION) == ["San Francisco, CA"]
    assert values(docs.observations, Kind.EMPLOYER) == ["Tech Company"]
    assert values(docs.observations, Kind.ACCOUNT) == ["https://twitter.com/username"]
    assert docs.documents[0].text == "About me section text"
    fixture = parse_profile(shared("v3-profiles-by-id.fixture.json"), "x@example.com")
    assert len(values(fixture.observations, Kind.ACCOUNT)) == 4
    assert [a.site for a in fixture.accounts[1:]] == [
        "GitHub",
        "WordPress",
        "Stack Overflow",
        "Bluesky",
    ]


def test_shared_legacy_capture() -> None:
    data = shared("legacy-profile-json.floverdevel-2021.json")
    result = parse_legacy_profile(data, "x@example.com")
    assert values(result.observations, Kind.LOCATION) == ["Planète Terre, Voie Lactée"]
    assert values(result.observations, Kind.WEBSITE) == [
        "https://nuglif.com",
        "https://plus.lapresse.ca",
        "https://www.lapresse.ca",
    ]
    assert result.accounts[0].url == "http://gravatar.com/floverdevel"


def test_shared_openapi_still_describes_what_we_read() -> None:
    spec = shared("openapi-v3.json")
    assert "/profiles/{profileIdentifier}" in spec["paths"]
    schema = spec["components"]["schemas"]
    read = {"hash", "profile_url", "avatar_url", "display_name", "location", "job_title"}
    read |= {"company", "description", "verified_accounts", "first_name", "last_name"}
    read |= {"links", "contact_info"}
    assert read <= set(schema["Profile"]["properties"])
    contact = set(schema["Profile"]["properties"]["contact_info"]["properties"])
    assert {"home_phone", "work_phone", "cell_phone", "email"} <= contact
    assert {"url", "is_hidden", "service_label"} <= set(schema["VerifiedAccount"]["properties"])


# --- request logic -------------------------------------------------------------------

Answer = tuple[int, bytes, dict[str, str]]


class FakeGravatar:
    def __init__(self, answer: Callable[[str], Answer]) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert str(request.url).startswith(API)
        status, body, headers = self.answer(request.url.path.rsplit("/", 1)[-1])
        return httpx.Response(
            status, headers={"content-type": "application/json", **headers}, content=body
        )


def found_for_avery(digest: str) -> Answer:
    if digest == AVERY_HASH:
        return 200, page_bytes("gravatar/profile.json"), {"X-RateLimit-Remaining": "99"}
    return 404, b"", {}


def run(fake: FakeGravatar, *emails: str, country: str = "US") -> SourceResult:
    async def go() -> SourceResult:
        async with mock_http(fake) as http:
            profile = Profile(emails=emails, country=country)
            return await GravatarSource().search(profile, http)

    return asyncio.run(go())


def test_search_requests_hashes_and_headers() -> None:
    fake = FakeGravatar(found_for_avery)
    result = run(fake, AVERY, "nobody@example.org")
    assert [str(r.url) for r in fake.requests] == [
        API + AVERY_HASH,
        API + email_hash("nobody@example.org"),
    ]
    for request in fake.requests:
        assert "authorization" not in request.headers
        assert AVERY not in str(request.url)  # only the hash leaves the machine
    statuses = [(a.site, a.username, a.status) for a in result.accounts]
    assert ("Gravatar", AVERY, AccountStatus.FOUND) in statuses
    assert ("Gravatar", "nobody@example.org", AccountStatus.NOT_FOUND) in statuses
    assert values(result.observations, Kind.LOCATION) == ["Portland, Oregon"]
    assert result.notes == ()


def test_api_key_is_sent_only_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAVATAR_API_KEY", "grav_example_key_456")
    fake = FakeGravatar(found_for_avery)
    result = run(fake, AVERY)
    assert fake.requests[0].headers["authorization"] == "Bearer grav_example_key_456"
    assert "grav_example_key_456" not in repr(result)


def test_not_found_is_an_account_status() -> None:
    fake = FakeGravatar(lambda digest: (404, b'{"error": "Profile not found"}', {}))
    result = run(fake, "nobody@example.org")
    (account,) = result.accounts
    assert account.status is AccountStatus.NOT_FOUND
    assert account.url == API + email_hash("nobody@example.org")
    assert result.observations == ()


def test_emails_are_deduplicated_and_capped() -> None:
    fake = FakeGravatar(lambda digest: (404, b"", {}))
    emails = [f"p{i}@example.com" for i in range(7)]
    result = run(fake, "P0@example.com", *emails)
    assert [str(r.url) for r in fake.requests] == [API + email_hash(e) for e in emails[:5]]
    assert result.notes == (
        "Gravatar: only the first 5 emails were checked; not: p5@example.com, p6@example.com",
    )


def test_429_is_retried_then_blocked_with_reset() -> None:
    body = page_bytes("gravatar/rate-limit.json")
    fake = FakeGravatar(lambda digest: (429, body, {"X-RateLimit-Reset": RESET_1705}))
    with pytest.raises(Blocked, match="resets at 17:05 UTC"):
        run(fake, AVERY)
    assert len(fake.requests) == 3


def test_server_error_is_source_unavailable() -> None:
    fake = FakeGravatar(lambda digest: (500, b"", {}))
    with pytest.raises(SourceUnavailable, match="HTTP 500"):
        run(fake, AVERY)


def test_malformed_json_is_source_unavailable() -> None:
    fake = FakeGravatar(lambda digest: (200, b"<html>oops</html>", {}))
    with pytest.raises(SourceUnavailable, match="not JSON"):
        run(fake, AVERY)


def test_bad_key_is_blocked_without_showing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAVATAR_API_KEY", "grav_wrong_key")
    fake = FakeGravatar(lambda digest: (401, b'{"error": "Invalid token"}', {}))
    with pytest.raises(Blocked) as caught:
        run(fake, AVERY)
    assert "GRAVATAR_API_KEY" in str(caught.value)
    assert "grav_wrong_key" not in str(caught.value)


def test_rate_limit_mid_way_keeps_what_was_found() -> None:
    body = page_bytes("gravatar/rate-limit.json")

    def answer(digest: str) -> Answer:
        if digest == AVERY_HASH:
            return found_for_avery(digest)
        return 429, body, {"X-RateLimit-Reset": RESET_1705}

    fake = FakeGravatar(answer)
    result = run(fake, AVERY, "second@example.org", "third@example.org")
    assert len(fake.requests) == 1 + 3  # the second is tried 3 times, the third never
    statuses = {a.username: a.status for a in result.accounts if a.site == "Gravatar"}
    assert statuses == {
        AVERY: AccountStatus.FOUND,
        "second@example.org": AccountStatus.UNKNOWN,
        "third@example.org": AccountStatus.UNKNOWN,
    }
    assert values(result.observations, Kind.REAL_NAME) == ["Avery Sample"]
    assert len(result.notes) == 2
    assert all("rate limit reached" in note for note in result.notes)


def test_phones_use_the_profile_country() -> None:
    data = page("gravatar/profile-authenticated.json")
    data["contact_info"]["cell_phone"] = "020 7946 0958"
    body = json.dumps(data).encode()
    fake = FakeGravatar(lambda digest: (200, body, {}))
    result = run(fake, AVERY, country="GB")
    assert "+442079460958" in values(result.observations, Kind.PHONE)


def test_source_attributes() -> None:
    source = GravatarSource()
    assert (source.name, source.title, source.needs) == (
        "gravatar",
        "Gravatar",
        frozenset({"emails"}),
    )
    assert source.applies_to(Profile(emails=(AVERY,)))
    assert not source.applies_to(Profile(handles=("asample",)))


# --- leads ---------------------------------------------------------------------------

JORDAN = "jordan@example.com"


def leads_of(result: SourceResult) -> list[tuple[str, str]]:
    return [(lead.field, lead.value) for lead in result.leads]


def test_public_profile_leads() -> None:
    result = parse_profile(page("gravatar/profile.json"), AVERY)
    assert leads_of(result) == [
        ("handles", "asample"),  # verified GitHub account
        ("handles", "avery@mastodon.example"),  # verified Mastodon account
    ]  # the hidden Tumblr account is no lead
    first = result.leads[0]
    assert first.found_from == AVERY
    assert (first.source.name, first.source.url) == ("gravatar", "https://gravatar.com/averysample")
    assert first.reason == f"a GitHub account verified on the public Gravatar profile of {AVERY}"


def test_authenticated_profile_leads() -> None:
    result = parse_profile(page("gravatar/profile-authenticated.json"), AVERY)
    assert leads_of(result) == [
        ("handles", "asample"),
        ("handles", "avery@mastodon.example"),
        ("domains", "examplecycles.example.com"),  # links[].url
        ("emails", "avery.contact@example.net"),  # contact_info.email, lower-cased
    ]  # the contact form on the same site adds nothing
    contact = result.leads[-1]
    assert contact.reason == f"the contact email on the public Gravatar profile of {AVERY}"


def test_leads_from_every_kind_of_verified_account_and_link() -> None:
    result = parse_profile(page("gravatar/profile-leads.json"), JORDAN)
    assert leads_of(result) == [
        ("handles", "jt_grows"),  # x.com
        ("handles", "jtestwell-garden"),  # reddit.com/user/
        ("handles", "jtgrows"),  # news.ycombinator.com/user?id=
        ("handles", "jtestwell"),  # keybase.io
        ("handles", "jtgrows@garden.example.social"),  # service mastodon, /users/<name>
        ("domains", "jordantestwell.example.com"),  # link, www. dropped
        ("handles", "jordan@garden.example.social"),  # link of the form instance/@name
        ("emails", "jordan.garden@example.org"),
    ]  # Stack Overflow, Bluesky, WordPress, the hidden GitHub, linktr.ee, javascript:,
    # calendly (contact form / calendar) and the @jt_grows in the about text are not leads
    assert "jtestwell-hidden" not in repr(result.leads)


def test_contact_email_that_was_looked_up_is_no_lead() -> None:
    data = page("gravatar/profile-authenticated.json")
    data["contact_info"]["email"] = "AVERY@example.net"
    assert ("emails", AVERY) not in leads_of(parse_profile(data, AVERY))


def test_hostile_urls_are_no_leads() -> None:
    data = page("gravatar/profile-minimal.json")
    data["verified_accounts"] = [
        {"service_type": "github", "service_label": "GitHub", "url": "https://github.com/<b>x"},
        {"service_type": "twitter", "service_label": "X", "url": "https://x.com/a b"},
        {"service_type": "mastodon", "service_label": "M", "url": "https://[::1]/@root"},
    ]
    data["links"] = [{"label": "x", "url": "https://evil.example/\u0000"}, {"label": 5}]
    data["contact_info"] = {"email": "not an email"}
    assert parse_profile(data, "quiet@example.org").leads == ()


def test_legacy_profile_leads() -> None:
    result = parse_legacy_profile(page("gravatar/legacy-profile.json"), AVERY)
    assert leads_of(result) == [("domains", "examplecycles.example.com")]
    assert result.leads[0].found_from == AVERY


def test_search_carries_the_leads_of_every_email() -> None:
    jordan_hash = email_hash(JORDAN)

    def answer(digest: str) -> Answer:
        if digest == jordan_hash:
            return 200, page_bytes("gravatar/profile-leads.json"), {}
        return found_for_avery(digest)

    result = run(FakeGravatar(answer), AVERY, JORDAN, "nobody@example.org")
    assert len(result.leads) == 2 + 8
    assert {lead.found_from for lead in result.leads} == {AVERY, JORDAN}
    assert leads_of(result)[:2] == [("handles", "asample"), ("handles", "avery@mastodon.example")]


def test_no_profile_no_leads() -> None:
    result = run(FakeGravatar(lambda digest: (404, b"", {})), AVERY)
    assert result.leads == ()


def test_shared_examples_leads() -> None:
    docs = parse_profile(shared("v3-profiles-by-id.docs-example.json"), "x@example.com")
    assert leads_of(docs) == [("handles", "username")]  # https://twitter.com/username
    fixture = parse_profile(shared("v3-profiles-by-id.fixture.json"), "x@example.com")
    assert leads_of(fixture) == [("handles", "testuser")]  # GitHub; not WordPress, SO, Bluesky
