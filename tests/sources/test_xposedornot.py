"""XposedOrNot source: the breach-analytics parser, then request logic over a mock transport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import scanner.sources.xposedornot as xon
from scanner.errors import Blocked, SourceUnavailable
from scanner.models import AccountStatus, Kind, Profile, SourceResult
from scanner.sources.breaches import Breach
from scanner.sources.xposedornot import XposedOrNotSource, parse_analytics
from tests.support import mock_http, page, page_bytes, shared_file

AVERY = "avery@example.net"
API = "https://api.xposedornot.com/v1/breach-analytics"
AVERY_URL = f"{API}?email=avery%40example.net"
FOUND = "xposedornot/breach-analytics-found.json"
NOT_FOUND = "xposedornot/breach-analytics-not-found.json"


@pytest.fixture(autouse=True)
def _no_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xon, "REQUEST_DELAY", 0.0)


# --- parser --------------------------------------------------------------------------


def test_parse_found() -> None:
    shop, forum = parse_analytics(page(FOUND))
    assert shop == Breach(
        title="ExampleCycleShop",
        date="2019",
        data_classes=(
            "Email addresses",
            "Names",
            "Phone numbers",
            "Physical addresses",
            "Passwords",
        ),
        domain="examplecycles.example.com",
        marks=("XposedOrNot says the stored passwords are easy to crack",),
    )
    assert forum.title == "SampleGardenForum"
    assert forum.data_classes == ("Usernames", "Email addresses")
    assert forum.marks == ("XposedOrNot has not verified this breach",)  # risk "unknown": no mark


def test_parse_not_found_shapes() -> None:
    assert parse_analytics(page(NOT_FOUND)) == []
    assert parse_analytics(page("xposedornot/check-email-not-found.json")) == []


def test_names_only_in_the_summary_are_kept() -> None:
    data = page(FOUND)
    data["BreachesSummary"]["site"] = "ExampleCycleShop;samplegardenforum;Extra Example Board"
    titles = [b.title for b in parse_analytics(data)]
    assert titles == ["ExampleCycleShop", "SampleGardenForum", "Extra Example Board"]
    data["ExposedBreaches"] = None
    assert parse_analytics(data) == [
        Breach("ExampleCycleShop"),
        Breach("samplegardenforum"),
        Breach("Extra Example Board"),
    ]


def test_hostile_values_are_flattened_and_capped() -> None:
    data = page(FOUND)
    item = data["ExposedBreaches"]["breaches_details"][0]
    item["breach"] = "Evil\n<script>x</script>" + "A" * 300
    item["domain"] = "javascript:alert(1)"
    item["xposed_data"] = ";".join(["Email addresses", " ", "Email addresses", "B" * 200])
    breach = parse_analytics(data)[0]
    assert "\n" not in breach.title
    assert len(breach.title) == 100
    assert breach.title.startswith("Evil <script>x</script>AAA")  # plain text, escaped later
    assert breach.domain == ""
    assert breach.data_classes == ("Email addresses", "B" * 59 + "…")


@pytest.mark.parametrize(
    "data",
    [
        [],
        None,
        "oops",
        {"status": "success"},
        {"Error": "Something else"},
        {"ExposedBreaches": ["x"]},
        {"ExposedBreaches": {"breaches_details": "x"}},
    ],
)
def test_parse_rejects_other_shapes(data: Any) -> None:
    with pytest.raises(SourceUnavailable):
        parse_analytics(data)


def test_shared_docs_samples() -> None:
    def shared(name: str) -> Any:
        path = shared_file(f"api-examples/xposedornot/{name}")
        return json.loads(path.read_text(encoding="utf-8"))

    (breach,) = parse_analytics(shared("breach-analytics.found.json"))
    assert (breach.title, breach.date, breach.domain) == ("SweClockers", "2015", "sweclockers.com")
    assert breach.data_classes == ("Usernames", "Email addresses", "Passwords")
    assert breach.marks == ("XposedOrNot says the stored passwords are hard to crack",)
    assert parse_analytics(shared("breach-analytics.not-found.json")) == []
    assert parse_analytics(shared("check-email.not-found.json")) == []


# --- request logic -------------------------------------------------------------------

Answer = tuple[int, bytes]


class FakeXon:
    def __init__(self, answer: Callable[[str], Answer]) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, body = self.answer(request.url.params.get("email", ""))
        return httpx.Response(status, headers={"content-type": "application/json"}, content=body)


def found_for_avery(email: str) -> Answer:
    return (200, page_bytes(FOUND)) if email == AVERY else (200, page_bytes(NOT_FOUND))


def run(fake: FakeXon, *emails: str) -> tuple[SourceResult, list[str]]:
    async def go() -> tuple[SourceResult, list[str]]:
        async with mock_http(fake) as http:
            result = await XposedOrNotSource().search(Profile(emails=emails), http)
            return result, [f"{s.method} {s.url} {s.status}" for s in http.sent]

    return asyncio.run(go())


def test_search_found() -> None:
    fake = FakeXon(found_for_avery)
    result, sent = run(fake, AVERY)
    assert sent == [f"GET {AVERY_URL} 200"]  # one request, nothing else
    (request,) = fake.requests
    assert request.headers["accept"] == "application/json"
    assert "exposure-audit" not in request.headers["user-agent"]  # not an API that asks
    shop, forum = result.observations
    assert (shop.kind, shop.value, shop.confidence) == (Kind.BREACH, "ExampleCycleShop", 0.9)
    assert shop.evidence == (
        "avery@example.net was in the ExampleCycleShop breach (2019): exposed Email addresses, "
        "Names, Phone numbers, Physical addresses and Passwords; XposedOrNot says the stored "
        "passwords are easy to crack"
    )
    assert shop.reason == "your email avery@example.net is in this breach"
    assert (shop.source.name, shop.source.url) == ("xposedornot", "https://xposedornot.com/")
    actions = [step.action for step in shop.removal]
    assert actions == [
        "Change your ExampleCycleShop password and every reuse of it",
        "Turn on two-factor authentication for ExampleCycleShop and your email",
        "Watch for phishing that mentions ExampleCycleShop",
        "Check people-search sites for what leaked",
    ]
    assert shop.removal[0].url == "https://examplecycles.example.com/"
    assert "exposed your phone number and home address:" in shop.removal[3].how
    assert "people-search databases" in shop.removal[3].how
    assert forum.evidence == (
        "avery@example.net was in the SampleGardenForum breach (2021): exposed Usernames and "
        "Email addresses; XposedOrNot has not verified this breach"
    )
    assert len(forum.removal) == 3  # no address, phone or birth date leaked
    (account,) = result.accounts
    assert (account.site, account.url, account.username, account.status) == (
        "XposedOrNot",
        AVERY_URL,
        AVERY,
        AccountStatus.FOUND,
    )
    assert account.details == {"breaches": "2"}
    assert result.leads == ()
    assert result.documents == ()
    assert result.notes == ()


def test_search_not_found_200_and_404() -> None:
    fake = FakeXon(found_for_avery)
    result, sent = run(fake, "nobody@example.org")
    assert sent == [f"GET {API}?email=nobody%40example.org 200"]
    assert result.observations == ()
    assert [a.status for a in result.accounts] == [AccountStatus.NOT_FOUND]
    not_found_404 = FakeXon(lambda e: (404, page_bytes("xposedornot/check-email-not-found.json")))
    result, _ = run(not_found_404, "nobody@example.org")
    assert [a.status for a in result.accounts] == [AccountStatus.NOT_FOUND]


def test_404_without_the_not_found_body_is_unavailable() -> None:
    with pytest.raises(SourceUnavailable, match="404"):
        run(FakeXon(lambda e: (404, b"")), AVERY)


def test_rate_limit_is_blocked_after_retries() -> None:
    fake = FakeXon(lambda e: (429, b'{"Error": "Too many requests"}'))
    with pytest.raises(Blocked, match=r"XposedOrNot rate limit reached \(HTTP 429\)"):
        run(fake, AVERY, "second@example.org")
    assert len(fake.requests) == 3  # the Http retries; the second email is never sent


def test_rate_limit_mid_way_keeps_what_was_found() -> None:
    fake = FakeXon(lambda e: found_for_avery(e) if e == AVERY else (429, b""))
    result, sent = run(fake, AVERY, "second@example.org", "third@example.org")
    assert len(fake.requests) == 1 + 3  # the second is tried 3 times, the third never
    # every try is a request sent, and the report lists each
    assert [s.rsplit(" ", 1)[-1] for s in sent] == ["200", "429", "429", "429"]
    statuses = {a.username: a.status for a in result.accounts}
    assert statuses == {
        AVERY: AccountStatus.FOUND,
        "second@example.org": AccountStatus.UNKNOWN,
        "third@example.org": AccountStatus.UNKNOWN,
    }
    assert [o.value for o in result.observations] == ["ExampleCycleShop", "SampleGardenForum"]
    assert len(result.notes) == 2


def test_malformed_is_unavailable() -> None:
    fake = FakeXon(lambda e: (200, page_bytes("xposedornot/malformed.txt")))
    with pytest.raises(SourceUnavailable, match="not JSON"):
        run(fake, AVERY)
    wrong_shape = FakeXon(lambda e: (200, b'{"status": "success", "breaches": []}'))
    with pytest.raises(SourceUnavailable, match="unexpected"):
        run(wrong_shape, AVERY)


def test_server_error_is_unavailable() -> None:
    with pytest.raises(SourceUnavailable, match="HTTP 503"):
        run(FakeXon(lambda e: (503, b"")), AVERY)


def test_emails_are_deduplicated_capped_and_paced(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(xon, "REQUEST_DELAY", 1.5)
    monkeypatch.setattr("scanner.http.asyncio.sleep", fake_sleep)
    fake = FakeXon(lambda e: (200, page_bytes(NOT_FOUND)))
    emails = [f"p{i}@example.com" for i in range(7)]
    result, _ = run(fake, "P0@Example.com", *emails)
    assert [r.url.params["email"] for r in fake.requests] == emails[:5]
    assert len(waits) == 4  # between lookups, not before the first
    assert all(1.4 < wait <= 1.5 for wait in waits)
    assert result.notes == (
        "XposedOrNot: only the first 5 emails were checked; not: p5@example.com, p6@example.com",
    )


def test_runs_of_one_source_share_its_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leads make the pipeline run a source several times at once: its requests are still
    spaced REQUEST_DELAY apart, so the service sees one polite client."""
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(xon, "REQUEST_DELAY", 10.0)
    monkeypatch.setattr("scanner.http.asyncio.sleep", fake_sleep)
    fake = FakeXon(lambda e: (200, page_bytes(NOT_FOUND)))
    source = XposedOrNotSource()

    async def go() -> None:
        async with mock_http(fake) as http:
            runs = [source.search(Profile(emails=(f"p{i}@example.com",)), http) for i in range(3)]
            await asyncio.gather(*runs)

    asyncio.run(go())
    assert len(fake.requests) == 3
    assert len(waits) == 2  # every request but the first waited for the one before
    assert all(9.0 < wait <= 10.0 for wait in waits)


def test_source_attributes() -> None:
    source = XposedOrNotSource()
    assert (source.name, source.title, source.needs) == (
        "xposedornot",
        "XposedOrNot",
        frozenset({"emails"}),
    )
    assert source.applies_to(Profile(emails=(AVERY,)))
    assert not source.applies_to(Profile(handles=("asample",)))
