"""Have I Been Pwned source: the breach parser, then request logic over a mock transport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import scanner.sources.hibp as hibp
from scanner.errors import Blocked, SourceError, SourceUnavailable
from scanner.models import AccountStatus, Kind, Profile, SourceResult
from scanner.sources.breaches import Breach
from scanner.sources.hibp import HibpSource, parse_breaches
from tests.support import mock_http, page, page_bytes, shared_file

AVERY = "avery+shop@example.net"
API = "https://haveibeenpwned.com/api/v3/breachedaccount/"
AVERY_URL = f"{API}avery%2Bshop%40example.net?truncateResponse=false"
KEY = "hibp_example_key_0123456789abcdef"
FOUND = "hibp/breachedaccount.json"


@pytest.fixture(autouse=True)
def _key_and_no_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIBP_API_KEY", KEY)
    monkeypatch.setattr(hibp, "REQUEST_DELAY", 0.0)


# --- parser --------------------------------------------------------------------------


def test_parse_breaches() -> None:
    shop, dating, spam, stealer = parse_breaches(page(FOUND))
    assert shop == Breach(
        title="Example Cycle Shop",
        date="2019-03-14",
        data_classes=(
            "Email addresses",
            "Names",
            "Passwords",
            "Phone numbers",
            "Physical addresses",
        ),
        domain="examplecycles.example.com",
    )
    assert dating.marks == ("sensitive breach: only you can see it on HIBP",)
    assert not dating.doubtful
    assert spam.marks == (
        "a spam list: your address was collected to send spam, not necessarily from an "
        "account you made",
        "HIBP has not verified this breach",
    )
    assert spam.doubtful
    assert spam.domain == ""
    assert stealer.malware
    assert stealer.marks == ("from info-stealing malware logs", "taken by malware")


def test_descriptions_are_not_used() -> None:
    text = repr(parse_breaches(page(FOUND)))
    assert "<script>" not in text
    assert "lost customer records" not in text


def test_fabricated_is_doubtful() -> None:
    data = page(FOUND)[:1]
    data[0]["IsFabricated"] = True
    (breach,) = parse_breaches(data)
    assert breach.doubtful
    assert breach.marks == ("HIBP says the data in this breach is likely fabricated",)


def test_parse_truncated_shape() -> None:
    assert parse_breaches(page("hibp/breachedaccount-truncated.json")) == [
        Breach("ExampleCycleShop"),
        Breach("SampleGardenForum"),
    ]


@pytest.mark.parametrize("data", [{}, None, "Adobe", [1], [{"Name": "A"}, "B"]])
def test_parse_rejects_other_shapes(data: Any) -> None:
    with pytest.raises(SourceUnavailable):
        parse_breaches(data)


def test_shared_reference_shapes() -> None:
    def shared(name: str) -> Any:
        path = shared_file(f"api-examples/hibp/{name}")
        return json.loads(path.read_text(encoding="utf-8"))

    full = parse_breaches(shared("breaches.json"))
    assert len(full) == 10
    assert (full[0].title, full[0].date, full[0].domain) == ("Adapt", "2018-11-05", "adapt.io")
    assert "Physical addresses" in full[0].data_classes
    docs = parse_breaches(shared("breachedaccount.untruncated.docs-sample.json"))
    assert [(b.title, b.date) for b in docs] == [
        ("Adobe", "2013-10-04"),
        ("Battlefield Heroes", "2011-06-26"),
    ]
    assert docs[0].data_classes == ("Email addresses", "Password hints", "Passwords", "Usernames")
    truncated = parse_breaches(shared("breachedaccount.truncated.json"))
    assert [b.title for b in truncated] == ["Adobe", "Gawker"]


# --- request logic -------------------------------------------------------------------

Answer = tuple[int, bytes, dict[str, str]]


class FakeHibp:
    def __init__(self, answer: Callable[[str], Answer]) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        email = request.url.path.rsplit("/", 1)[-1]
        status, body, headers = self.answer(email)
        return httpx.Response(status, headers=headers, content=body)


def found_for_avery(email: str) -> Answer:
    if email == AVERY:
        return 200, page_bytes(FOUND), {"content-type": "application/json"}
    return 404, b"", {}


def run(fake: FakeHibp, *emails: str) -> tuple[SourceResult, list[str]]:
    async def go() -> tuple[SourceResult, list[str]]:
        async with mock_http(fake) as http:
            try:
                result = await HibpSource().search(
                    Profile(emails=emails), http.speaking_as(HibpSource.agent)
                )
            finally:
                sent.extend(f"{s.method} {s.url} {s.status}" for s in http.sent)
            return result, sent

    sent: list[str] = []
    return asyncio.run(go())


def test_search_found() -> None:
    fake = FakeHibp(found_for_avery)
    result, sent = run(fake, AVERY)
    assert sent == [f"GET {AVERY_URL} 200"]
    (request,) = fake.requests
    assert request.headers["hibp-api-key"] == KEY
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"].startswith("exposure-audit/")
    shop, dating, spam, stealer = result.observations
    assert all(o.kind is Kind.BREACH for o in result.observations)
    assert [o.value for o in result.observations] == [
        "Example Cycle Shop",
        "Sample Dating Site",
        "Example Spam List",
        "Sample Stealer Logs",
    ]
    assert shop.evidence == (
        "avery+shop@example.net was in the Example Cycle Shop breach (2019-03-14): exposed "
        "Email addresses, Names, Passwords, Phone numbers and Physical addresses"
    )
    assert shop.confidence == 0.9
    assert shop.reason == "your email avery+shop@example.net is in this breach"
    assert (shop.source.name, shop.source.url) == ("hibp", "https://haveibeenpwned.com/")
    assert shop.removal[0].action == "Change your Example Cycle Shop password and every reuse of it"
    assert shop.removal[0].url == "https://examplecycles.example.com/"
    assert "people-search databases" in shop.removal[-1].how
    assert dating.evidence.endswith("; sensitive breach: only you can see it on HIBP")
    assert "exposed your date of birth:" in dating.removal[-1].how
    assert dating.confidence == 0.9
    assert spam.confidence == 0.6
    assert "a spam list" in spam.evidence
    assert spam.removal[0].url is None  # no domain
    assert len(spam.removal) == 3
    assert stealer.removal[0].action == "Check your devices for malware"
    (account,) = result.accounts
    assert (account.site, account.url, account.username, account.status) == (
        "Have I Been Pwned",
        AVERY_URL,
        AVERY,
        AccountStatus.FOUND,
    )
    assert account.details == {"breaches": "4"}
    assert (result.leads, result.documents, result.notes) == ((), (), ())


def test_not_found_is_404_with_empty_body() -> None:
    fake = FakeHibp(found_for_avery)
    result, sent = run(fake, "nobody@example.org")
    assert sent == [f"GET {API}nobody%40example.org?truncateResponse=false 404"]
    assert result.observations == ()
    assert [a.status for a in result.accounts] == [AccountStatus.NOT_FOUND]


def test_404_with_a_body_is_unavailable() -> None:
    fake = FakeHibp(lambda e: (404, b"<html>Not here</html>", {}))
    with pytest.raises(SourceUnavailable, match="unexpected body"):
        run(fake, AVERY)


def test_key_never_leaves_the_header() -> None:
    fake = FakeHibp(found_for_avery)
    result, sent = run(fake, AVERY, "nobody@example.org")
    assert len(sent) == 2
    assert KEY not in repr(result)
    assert all(KEY not in line for line in sent)
    assert all(KEY not in str(r.url) for r in fake.requests)


@pytest.mark.parametrize(
    ("status", "body", "headers", "error", "message", "tries"),
    [
        (401, page_bytes("hibp/unauthorized.txt"), {}, Blocked, "HIBP rejected the API key in "
         "HIBP_API_KEY (HTTP 401)", 1),
        (403, b"", {}, Blocked, "Have I Been Pwned refused the request (HTTP 403)", 1),
        (429, b'{"statusCode": 429}', {"Retry-After": "2"}, Blocked, "Have I Been Pwned rate "
         "limit for this API key reached (HTTP 429); retry after 2 s", 1),  # FAST waits 0 s at most
        (503, b"", {}, SourceUnavailable, "Have I Been Pwned failed (HTTP 503)", 3),
        (200, b"<html>oops</html>", {}, SourceUnavailable, "Have I Been Pwned sent a response "
         "that is not JSON", 1),
        (200, b'{"Name": "Adobe"}', {}, SourceUnavailable, "Have I Been Pwned sent something "
         "other than a list of breaches", 1),
    ],
)  # fmt: skip
def test_refusals_and_failures(
    status: int,
    body: bytes,
    headers: dict[str, str],
    error: type[SourceError],
    message: str,
    tries: int,
) -> None:
    fake = FakeHibp(lambda e: (status, body, headers))
    with pytest.raises(error) as caught:
        run(fake, AVERY, "second@example.org")
    assert str(caught.value) == message
    assert KEY not in str(caught.value)
    # After a refusal nothing more is sent; after a failure the next email is still tried.
    expected = tries if error is Blocked else 2 * tries
    assert len(fake.requests) == expected


def test_without_a_key_the_source_does_not_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    source = HibpSource()
    assert source.applies_to(Profile(emails=(AVERY,)))
    assert not source.applies_to(Profile(handles=("asample",)))
    monkeypatch.setenv("HIBP_API_KEY", "  ")
    assert not source.applies_to(Profile(emails=(AVERY,)))
    monkeypatch.delenv("HIBP_API_KEY")
    assert not source.applies_to(Profile(emails=(AVERY,)))
    assert (
        source.skip_reason(Profile(emails=(AVERY,)))
        == "set HIBP_API_KEY to check Have I Been Pwned"
    )
    assert source.skip_reason(Profile(handles=("asample",))) == "the profile has no emails"
    fake = FakeHibp(found_for_avery)
    with pytest.raises(Blocked, match="set HIBP_API_KEY to check Have I Been Pwned"):
        run(fake, AVERY)
    assert fake.requests == []


def test_emails_are_deduplicated_capped_and_paced(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(hibp, "REQUEST_DELAY", 6.5)
    monkeypatch.setattr("scanner.http.asyncio.sleep", fake_sleep)
    fake = FakeHibp(lambda e: (404, b"", {}))
    emails = [f"p{i}@example.com" for i in range(7)]
    result, sent = run(fake, "P1@example.com", *emails)
    order = [1, 0, 2, 3, 4]
    assert sent == [f"GET {API}p{i}%40example.com?truncateResponse=false 404" for i in order]
    assert len(waits) == 4  # between lookups, not before the first
    assert all(6.4 < wait <= 6.5 for wait in waits)
    assert result.notes == (
        "Have I Been Pwned: only the first 5 emails were checked; not: p5@example.com, "
        "p6@example.com",
    )


def test_source_attributes() -> None:
    source = HibpSource()
    assert (source.name, source.title, source.needs) == (
        "hibp",
        "Have I Been Pwned",
        frozenset({"emails"}),
    )
