"""Keybase source: the lookup parser on recorded shapes, then the one request it sends."""

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
from scanner.sources.keybase import KeybaseSource, lookup_url, pick_handles
from scanner.sources.keybase_parse import check_keybase_status, parse_lookup
from tests.support import assert_tied, mock_http, page, page_bytes, shared_file

API = "https://keybase.io/_/api/1.0/user/lookup.json"
FIELDS = "fields=basics,profile,proofs_summary,pictures"
JORDAN = Profile(names=("Jordan Testwell",), handles=("jtestwell",))
BOTH = ["jtestwell", "nobody_here"]


def values(result: SourceResult, kind: Kind) -> list[str]:
    return [o.value for o in result.observations if o.kind is kind]


def leads(result: SourceResult) -> list[tuple[str, str]]:
    return [(lead.field, lead.value) for lead in result.leads]


# --- parser --------------------------------------------------------------------------


def test_parse_tied_user() -> None:
    result = parse_lookup(page("keybase/lookup.json"), BOTH, JORDAN)
    assert values(result, Kind.REAL_NAME) == ["Jordan Testwell"]
    assert values(result, Kind.LOCATION) == ["Springfield, IL"]
    assert values(result, Kind.PHOTO) == [
        "https://s3.amazonaws.com/keybase_processed_uploads/0000example_200_200_square_200.jpeg"
    ]
    assert values(result, Kind.ACCOUNT) == [
        "https://twitter.com/jordan_tw",
        "https://github.com/jtestwell-code",
        "https://reddit.com/user/old_jordan_t",
        "https://mastodon.example/@jordan",
    ]
    assert values(result, Kind.WEBSITE) == [
        "https://jordantestwell.example.com",
        "testwell.example.net",  # dns proof: its service_url is not a web link
    ]
    reddit = next(o for o in result.observations if "reddit" in o.value)
    assert reddit.evidence == (
        "reddit proof on Keybase: old_jordan_t "
        "(https://reddit.com/user/old_jordan_t; proof state 2, not verified)"
    )
    for o in result.observations:
        assert o.confidence == TIED
        assert o.source.url == "https://keybase.io/jtestwell"
        assert o.reason.startswith("on the Keybase account jtestwell: ")
        assert_tied(o, by="name", value="Jordan Testwell")
        assert o.removal[-1].url == "https://keybase.io/account/delete_me"
    proof_obs = next(o for o in result.observations if o.kind is Kind.ACCOUNT)
    assert proof_obs.removal[0].action == "Revoke the proof on Keybase"
    (bio,) = result.documents
    assert bio.text == "Gardener and tinkerer. Shop line: (217) 555-0143. <b>not html</b>"
    assert (bio.label, bio.is_html, bio.confidence) == ("Keybase bio", False, TIED)


def test_parse_accounts_and_not_found() -> None:
    result = parse_lookup(page("keybase/lookup.json"), BOTH, JORDAN)
    keybase = [a for a in result.accounts if a.site == "Keybase"]
    assert [(a.username, a.status, a.url) for a in keybase] == [
        ("jtestwell", AccountStatus.FOUND, "https://keybase.io/jtestwell"),
        ("nobody_here", AccountStatus.NOT_FOUND, "https://keybase.io/nobody_here"),
    ]
    assert keybase[0].details == {
        "full_name": "Jordan Testwell",
        "location": "Springfield, IL",
        "proofs": "6",
    }
    linked = [(a.site, a.username) for a in result.accounts if a.site != "Keybase"]
    assert linked == [
        ("twitter", "jordan_tw"),
        ("github", "jtestwell-code"),
        ("mastodon.example", "jordan"),
    ]  # the unverified reddit proof and web proofs are not linked accounts


def test_leads_from_verified_proofs_of_a_tied_account() -> None:
    result = parse_lookup(page("keybase/lookup.json"), BOTH, JORDAN)
    assert leads(result) == [
        ("handles", "jordan_tw"),
        ("handles", "jtestwell-code"),
        ("domains", "jordantestwell.example.com"),
        ("domains", "testwell.example.net"),
        ("handles", "jordan@mastodon.example"),
    ]
    for lead in result.leads:
        assert lead.found_from == "jtestwell"
        assert lead.source.url == "https://keybase.io/jtestwell"
        assert "verified" in lead.reason


def test_untied_account_gives_no_leads() -> None:
    result = parse_lookup(page("keybase/lookup.json"), BOTH, Profile(handles=("jtestwell",)))
    assert result.leads == ()
    assert {o.confidence for o in result.observations} == {UNTIED}
    assert result.observations[0].reason == (
        "an account named jtestwell exists on Keybase; nothing on it ties it to you"
    )
    assert [a.site for a in result.accounts] == ["Keybase", "Keybase"]
    assert result.documents[0].confidence == UNTIED


def test_a_verified_proof_of_another_handle_ties() -> None:
    profile = Profile(handles=("jtestwell", "jordan_tw"))
    result = parse_lookup(page("keybase/lookup.json"), BOTH, profile)
    assert result.observations[0].reason.endswith(" in a verified proof")
    assert_tied(result.observations[0], by="handle", value="jordan_tw")
    assert ("domains", "jordantestwell.example.com") in leads(result)


def test_a_proof_of_the_subjects_domain_ties() -> None:
    profile = Profile(handles=("jtestwell",), domains=("testwell.example.net",))
    result = parse_lookup(page("keybase/lookup.json"), BOTH, profile)
    assert result.observations[0].reason.endswith(" in a verified proof")
    assert_tied(result.observations[0], by="domain", value="testwell.example.net")


def test_an_unverified_proof_does_not_tie() -> None:
    profile = Profile(handles=("jtestwell", "old_jordan_t"))
    result = parse_lookup(page("keybase/lookup.json"), BOTH, profile)
    assert result.leads == ()
    assert result.observations[0].confidence == UNTIED


def test_the_looked_up_handle_itself_proves_nothing() -> None:
    data = page("keybase/lookup.json")
    data["them"][0]["profile"]["bio"] = "I am jtestwell everywhere"
    result = parse_lookup(data, BOTH, Profile(handles=("jtestwell",)))
    assert result.leads == ()


def test_minimal_user_and_null() -> None:
    result = parse_lookup(page("keybase/lookup-minimal.json"), ["avery_s"], JORDAN)
    assert result.observations == ()
    assert result.documents == ()
    assert result.leads == ()
    (account,) = result.accounts
    assert (account.username, account.status, account.details) == (
        "avery_s",
        AccountStatus.FOUND,
        {"proofs": "0"},
    )
    none = parse_lookup(page("keybase/lookup-none.json"), ["nobody_here"], JORDAN)
    assert [a.status for a in none.accounts] == [AccountStatus.NOT_FOUND]


def test_hostile_values_are_capped_and_stripped() -> None:
    data = page("keybase/lookup-minimal.json")
    data["them"][0]["profile"] = {"full_name": "Evil\x00\x1b[31m Name" + "x" * 500}
    (name,) = values(parse_lookup(data, ["avery_s"], JORDAN), Kind.REAL_NAME)
    assert "\x00" not in name
    assert "\x1b" not in name
    assert len(name) == 200
    assert name.endswith("…")


@pytest.mark.parametrize(
    "data",
    [None, [], {"them": []}, {"status": "OK", "them": []}, {"status": {"code": 0, "name": "OK"}}],
)
def test_wrong_shapes_are_source_unavailable(data: Any) -> None:
    with pytest.raises(SourceUnavailable):
        parse_lookup(data, ["jtestwell"], JORDAN)


def test_status_codes() -> None:
    # Error status shapes are not in the reference: these follow {"status": {code, name}}.
    assert check_keybase_status({"status": {"code": 0, "name": "OK"}}) is True
    assert check_keybase_status({"status": {"code": 205, "name": "NOT_FOUND"}}) is False
    with pytest.raises(Blocked, match="Keybase rate limit reached \\(RATE_LIMIT\\)"):
        check_keybase_status({"status": {"code": 602, "name": "RATE_LIMIT"}})
    with pytest.raises(SourceUnavailable, match="error BAD_REQUEST \\(code 100\\)"):
        check_keybase_status({"status": {"code": 100, "name": "BAD_REQUEST"}})


# --- the real recorded shapes (skipped when ../shared is absent) ----------------------


def shared(name: str) -> Any:
    return json.loads(shared_file(f"api-examples/keybase/{name}").read_text(encoding="utf-8"))


def test_shared_2015_capture() -> None:
    data = shared("user-lookup.derrickoswald-capture-2015.json")
    profile = Profile(names=("Derrick Oswald",), handles=("derrickoswald",))
    result = parse_lookup(data, ["derrickoswald"], profile)
    assert values(result, Kind.REAL_NAME) == ["Derrick Oswald"]
    assert values(result, Kind.LOCATION) == ["Bern, Switzerland"]
    assert values(result, Kind.ACCOUNT) == [
        "https://twitter.com/derrick_oswald",
        "https://github.com/derrickoswald",
    ]
    assert values(result, Kind.WEBSITE) == ["http://9code.ch"]
    assert len(values(result, Kind.PHOTO)) == 1
    assert leads(result) == [
        ("handles", "derrick_oswald"),
        ("handles", "derrickoswald"),
        ("domains", "9code.ch"),
    ]
    assert result.documents[0].text.startswith("A Canadian electrical engineer")


def test_shared_docs_sample() -> None:
    result = parse_lookup(shared("user-lookup.docs-sample.json"), ["maxtaco", "nobody"], JORDAN)
    assert [(a.username, a.status) for a in result.accounts] == [
        ("maxtaco", AccountStatus.FOUND),
        ("nobody", AccountStatus.NOT_FOUND),
    ]
    assert values(result, Kind.PHOTO) == ["https://s3.amazonaws.com/ke..._square_200.png"]


# --- request logic -------------------------------------------------------------------

Answer = tuple[int, bytes]


class FakeKeybase:
    def __init__(self, answer: Callable[[httpx.Request], Answer]) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, body = self.answer(request)
        return httpx.Response(status, headers={"content-type": "application/json"}, content=body)


def run(fake: FakeKeybase, profile: Profile) -> SourceResult:
    async def go() -> SourceResult:
        async with mock_http(fake) as http:
            return await KeybaseSource().search(profile, http)

    return asyncio.run(go())


def fixed(status: int, body: bytes) -> FakeKeybase:
    return FakeKeybase(lambda request: (status, body))


BOTH_PROFILE = Profile(names=("Jordan Testwell",), handles=("jtestwell", "nobody_here"))


def test_one_request_for_all_handles() -> None:
    fake = fixed(200, page_bytes("keybase/lookup.json"))
    result = run(fake, BOTH_PROFILE)
    (request,) = fake.requests
    assert str(request.url) == f"{API}?usernames=jtestwell,nobody_here&{FIELDS}"
    assert request.method == "GET"
    assert request.headers["accept"] == "application/json"
    assert "cookie" not in request.headers
    assert "authorization" not in request.headers
    assert [(a.username, a.status) for a in result.accounts if a.site == "Keybase"] == [
        ("jtestwell", AccountStatus.FOUND),
        ("nobody_here", AccountStatus.NOT_FOUND),
    ]
    assert ("domains", "jordantestwell.example.com") in leads(result)
    assert result.notes == ()


def test_handles_are_filtered_deduplicated_and_capped() -> None:
    names = [f"user_{i}" for i in range(7)]
    profile = Profile(handles=("j.testwell", "x@mastodon.example", "USER_0", *names))
    body = json.dumps({"status": {"code": 0, "name": "OK"}, "them": [None] * 5}).encode()
    fake = fixed(200, body)
    result = run(fake, profile)
    assert str(fake.requests[0].url) == lookup_url(["USER_0", *names[1:5]])
    assert result.notes == (
        "'j.testwell' cannot be a Keybase username; not checked on Keybase",
        "Keybase: only the first 5 handles were checked; not checked: user_5, user_6",
    )
    assert pick_handles(Profile(handles=("a",)))[0] == []  # one letter is too short


def test_nothing_to_look_up_sends_nothing() -> None:
    fake = fixed(200, b"{}")
    result = run(fake, Profile(handles=("j.testwell",)))
    assert fake.requests == []
    assert result.accounts == ()


def test_not_found_status() -> None:
    body = b'{"status": {"code": 205, "name": "NOT_FOUND", "desc": "user not found"}}'
    result = run(fixed(200, body), BOTH_PROFILE)
    assert [a.status for a in result.accounts] == [AccountStatus.NOT_FOUND] * 2


def test_not_found_status_with_http_404() -> None:
    body = b'{"status": {"code": 205, "name": "NOT_FOUND"}}'
    result = run(fixed(404, body), BOTH_PROFILE)
    assert [a.status for a in result.accounts] == [AccountStatus.NOT_FOUND] * 2


def test_http_429_is_blocked_after_retries() -> None:
    fake = fixed(429, b"")
    with pytest.raises(Blocked, match="Keybase rate limit reached \\(HTTP 429\\)"):
        run(fake, BOTH_PROFILE)
    assert len(fake.requests) == 3


def test_rate_limit_status_is_blocked() -> None:
    body = b'{"status": {"code": 602, "name": "RATE_LIMIT"}}'
    with pytest.raises(Blocked, match="RATE_LIMIT"):
        run(fixed(200, body), BOTH_PROFILE)


def test_forbidden_is_blocked() -> None:
    with pytest.raises(Blocked, match="HTTP 403"):
        run(fixed(403, b"<html>denied</html>"), BOTH_PROFILE)


def test_server_error_is_source_unavailable() -> None:
    with pytest.raises(SourceUnavailable, match="HTTP 503"):
        run(fixed(503, b""), BOTH_PROFILE)


def test_malformed_body_is_source_unavailable() -> None:
    with pytest.raises(SourceUnavailable, match="not JSON"):
        run(fixed(200, page_bytes("keybase/malformed.txt")), BOTH_PROFILE)
    with pytest.raises(SourceUnavailable, match="HTTP 400"):
        run(fixed(400, b'{"error": "bad"}'), BOTH_PROFILE)
    with pytest.raises(SourceUnavailable, match="'them'"):
        run(fixed(200, b'{"status": {"code": 0, "name": "OK"}, "them": {}}'), BOTH_PROFILE)


def test_source_attributes() -> None:
    source = KeybaseSource()
    assert (source.name, source.title, source.needs) == (
        "keybase",
        "Keybase",
        frozenset({"handles"}),
    )
    assert source.applies_to(Profile(handles=("jtestwell",)))
    assert not source.applies_to(Profile(handles=("jordan@mastodon.example",)))
    assert not source.applies_to(Profile(emails=("a@example.com",)))
