"""run_scan: every way a source can end becomes a SourceRun; documents go through extraction."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from scanner import pipeline
from scanner.errors import Blocked, SourceUnavailable
from scanner.http import Http
from scanner.models import (
    Account,
    AccountStatus,
    Document,
    Kind,
    Observation,
    Profile,
    RemovalStep,
    RunStatus,
    ScanResult,
    SentRequest,
    SourceRef,
    SourceResult,
    SourceRun,
)
from scanner.pipeline import document_observations, run_scan
from scanner.sources.base import Source
from tests.support import mock_http

PROFILE = Profile(names=("Jordan Testwell",), handles=("jtestwell",))
STEP = RemovalStep("Edit your fake profile", "Open the fake settings and clear it.")
BIO_URL = "https://fake.example/jtestwell"


def ok_handler(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"ok": True})


def scan(
    sources: Sequence[Source], profile: Profile = PROFILE, **options: Any
) -> tuple[ScanResult, Http]:
    async def go() -> tuple[ScanResult, Http]:
        async with mock_http(ok_handler) as http:
            return await run_scan(profile, sources, http, **options), http

    return asyncio.run(go())


def run_named(result: ScanResult, name: str) -> SourceRun:
    (run,) = [r for r in result.runs if r.name == name]
    return run


# --- fake sources --------------------------------------------------------------------


class Finds(Source):
    """Sees one real name, after an optional delay."""

    name = "finds"
    title = "Finds things"
    needs = frozenset({"names"})
    delay = 0.0

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        await asyncio.sleep(self.delay)
        obs = Observation(
            Kind.REAL_NAME,
            "Jordan Testwell",
            SourceRef(self.name, f"https://{self.name}.example/jt"),
            "Name: Jordan Testwell",
            0.9,
            "on your fake profile",
            (STEP,),
        )
        account = Account(self.title, f"https://{self.name}.example/jt", "jt", AccountStatus.FOUND)
        return SourceResult(observations=(obs,), accounts=(account,), notes=("a note",))


class FindsSlowly(Finds):
    name = "slow-finds"
    title = "Finds slowly"
    delay = 0.05


class RaisesBlocked(Source):
    name = "blocked"
    title = "Blocked source"
    needs = frozenset({"names"})

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        raise Blocked("Fake rate limit reached (HTTP 429)")


class RaisesUnavailable(Source):
    name = "unavailable"
    title = "Unavailable source"
    needs = frozenset({"names"})

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        raise SourceUnavailable("Fake failed (HTTP 503)")


class HasABug(Source):
    name = "buggy"
    title = "Buggy source"
    needs = frozenset({"names"})

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        raise RuntimeError("boom")


class Sleeps(Source):
    name = "sleepy"
    title = "Sleepy source"
    needs = frozenset({"names"})

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        await asyncio.sleep(30)
        return SourceResult()


class RaisesOwnTimeout(Source):
    """Raises TimeoutError itself, long before the pipeline's time limit."""

    name = "own-timeout"
    title = "Own timeout"
    needs = frozenset({"names"})

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        raise TimeoutError("socket read timed out")


class ReturnsNothing(Source):
    name = "returns-none"
    title = "Returns None"
    needs = frozenset({"names"})

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        return None  # type: ignore[return-value]  # the bug under test


class NeedsPhones(Source):
    name = "phones-only"
    title = "Phones only"
    needs = frozenset({"phones", "emails"})

    def __init__(self) -> None:
        self.calls = 0

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        self.calls += 1
        return SourceResult()


class HasDocuments(Source):
    name = "docs"
    title = "Documents"
    needs = frozenset({"handles"})
    text = (
        "Garden shop: call (217) 555-0199 or mail shop@example.org. "
        "More at https://shop.example.org, follow @gardenfriend"
    )

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        bio = Document(BIO_URL, self.text, "Fake bio", 0.8, "on your fake profile", False, (STEP,))
        page = Document(
            f"{BIO_URL}/page",
            "<p>Write to <b>page@example.org</b></p><script>hidden@example.org</script>",
            "Fake page",
            0.5,
            "on a page you own",
            is_html=True,
        )
        return SourceResult(documents=(bio, page))


class SendsRequests(Source):
    name = "sender"
    title = "Sender"
    needs = frozenset({"names"})

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        await http.get("https://api.fake.example/users/jt")
        await http.get("https://api.fake.example/search", params={"q": "Jordan"})
        return SourceResult()


class Recorder:
    def __init__(self) -> None:
        self.started: list[list[str]] = []
        self.finished: list[SourceRun] = []

    def scan_started(self, sources: Sequence[Source]) -> None:
        self.started.append([s.name for s in sources])

    def source_finished(self, run: SourceRun) -> None:
        self.finished.append(run)


# --- how runs end --------------------------------------------------------------------


def test_blocked_source_is_recorded_as_blocked_with_its_message() -> None:
    result, _ = scan([RaisesBlocked(), Finds()])
    run = run_named(result, "blocked")
    assert run.status is RunStatus.BLOCKED
    assert run.reason == "Fake rate limit reached (HTTP 429)"
    assert run.title == "Blocked source"
    assert run.observations == 0
    assert run.started is not None
    assert run.finished is not None
    assert run.started <= run.finished
    assert run_named(result, "finds").status is RunStatus.OK


def test_unavailable_source_is_an_error() -> None:
    result, _ = scan([RaisesUnavailable()])
    run = run_named(result, "unavailable")
    assert (run.status, run.reason) == (RunStatus.ERROR, "Fake failed (HTTP 503)")
    assert result.findings == ()


def test_a_bug_in_one_source_does_not_sink_the_others() -> None:
    result, _ = scan([HasABug(), Finds()])
    run = run_named(result, "buggy")
    assert run.status is RunStatus.ERROR
    assert run.reason == "internal error: RuntimeError: boom"
    assert [(f.kind, f.value) for f in result.findings] == [(Kind.REAL_NAME, "Jordan Testwell")]
    assert [a.url for a in result.accounts] == ["https://finds.example/jt"]


def test_a_source_past_its_time_limit_is_an_error() -> None:
    result, _ = scan([Sleeps(), Finds()], source_timeout=0.05)
    run = run_named(result, "sleepy")
    assert (run.status, run.reason) == (RunStatus.ERROR, "timed out after 0.05 s")
    assert run_named(result, "finds").status is RunStatus.OK
    assert len(result.findings) == 1


def test_a_timeout_error_raised_by_the_source_is_not_reported_as_the_time_limit() -> None:
    result, _ = scan([RaisesOwnTimeout()], source_timeout=60)
    run = run_named(result, "own-timeout")
    assert run.status is RunStatus.ERROR
    assert run.reason == "internal error: TimeoutError: socket read timed out"


def test_a_source_returning_the_wrong_type_is_an_internal_error() -> None:
    result, _ = scan([ReturnsNothing(), Finds()])
    run = run_named(result, "returns-none")
    assert run.status is RunStatus.ERROR
    assert run.reason == "internal error: TypeError: search() returned NoneType, not a SourceResult"
    assert len(result.findings) == 1


def test_an_extractor_failure_costs_only_that_source(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str, *, region: str = "US", subject_names: Any = ()) -> list[Any]:
        raise ValueError("extractor tripped")

    monkeypatch.setattr(pipeline, "extract_text", broken)
    result, _ = scan([HasDocuments(), Finds()])
    run = run_named(result, "docs")
    assert (run.status, run.reason) == (
        RunStatus.ERROR,
        "internal error: ValueError: extractor tripped",
    )
    assert [f.kind for f in result.findings] == [Kind.REAL_NAME]


def test_source_whose_needs_the_profile_lacks_is_skipped_and_never_called() -> None:
    source = NeedsPhones()
    result, http = scan([source])
    run = run_named(result, "phones-only")
    assert run.status is RunStatus.SKIPPED
    assert run.reason == "the profile has no emails or phones"
    assert source.calls == 0
    assert http.sent == []


def test_source_runs_when_any_need_is_present() -> None:
    source = NeedsPhones()
    result, _ = scan([source], profile=Profile(phones=("+12175550142",)))
    assert run_named(result, "phones-only").status is RunStatus.OK
    assert source.calls == 1


# --- documents -------------------------------------------------------------------------


def test_documents_are_read_by_the_extractors() -> None:
    result, _ = scan([HasDocuments()])
    by_kind = {(f.kind, f.value): f for f in result.findings}
    phone = by_kind[(Kind.PHONE, "+12175550199")]
    assert phone.confidence == 0.8
    assert phone.sources == (SourceRef("docs", BIO_URL),)
    assert len(phone.evidence) == 1
    assert phone.evidence[0].startswith("Fake bio: ")
    assert "(217) 555-0199" in phone.evidence[0]
    assert phone.removal[0] == STEP  # the document's removal step comes first
    email = by_kind[(Kind.EMAIL, "shop@example.org")]
    assert email.confidence == 0.8
    assert email.evidence[0].startswith("Fake bio: ")
    run = run_named(result, "docs")
    assert run.observations == 5  # phone, email, website, username, page email


def test_html_documents_are_read_as_html() -> None:
    result, _ = scan([HasDocuments()])
    values = {f.value for f in result.findings}
    assert "page@example.org" in values
    assert "hidden@example.org" not in values  # script content is not text
    page = next(f for f in result.findings if f.value == "page@example.org")
    assert page.confidence == 0.5
    assert page.evidence == ("Fake page: Write to page@example.org",)


def test_links_and_mentions_in_documents_are_trusted_less() -> None:
    source = HasDocuments()
    found = document_observations(source, asyncio.run(source.search(PROFILE, None)), PROFILE)  # type: ignore[arg-type]
    confidence = {(o.kind, o.value): o.confidence for o in found}
    assert confidence[(Kind.WEBSITE, "https://shop.example.org")] == pytest.approx(0.48)
    assert confidence[(Kind.USERNAME, "gardenfriend")] == pytest.approx(0.4)
    assert confidence[(Kind.PHONE, "+12175550199")] == 0.8
    assert confidence[(Kind.EMAIL, "page@example.org")] == 0.5
    obs = next(o for o in found if o.kind is Kind.EMAIL and o.value == "shop@example.org")
    assert obs.reason == "mentioned in Fake bio (on your fake profile)"
    assert obs.removal == (STEP,)


# --- the result as a whole -------------------------------------------------------------


def test_runs_follow_the_order_of_the_sources_not_of_completion() -> None:
    sources: list[Source] = [FindsSlowly(), RaisesBlocked(), NeedsPhones(), Finds()]
    result, _ = scan(sources)
    assert [r.name for r in result.runs] == ["slow-finds", "blocked", "phones-only", "finds"]


def test_observer_hears_the_start_once_and_every_source_finish() -> None:
    recorder = Recorder()
    sources: list[Source] = [FindsSlowly(), RaisesBlocked(), NeedsPhones(), Finds()]
    result, _ = scan(sources, observer=recorder)
    assert recorder.started == [["slow-finds", "blocked", "phones-only", "finds"]]
    assert sorted(r.name for r in recorder.finished) == sorted(r.name for r in result.runs)
    assert recorder.finished[-1].name == "slow-finds"  # reported as they finish
    assert set(recorder.finished) == set(result.runs)


def test_ok_run_counts_observations_and_keeps_notes() -> None:
    result, _ = scan([Finds()])
    run = run_named(result, "finds")
    assert (run.status, run.reason, run.observations, run.notes) == (
        RunStatus.OK,
        "",
        1,
        ("a note",),
    )


def test_same_fact_from_two_sources_becomes_one_finding() -> None:
    result, _ = scan([Finds(), FindsSlowly()])
    (finding,) = result.findings
    assert {s.name for s in finding.sources} == {"finds", "slow-finds"}
    assert finding.confidence == pytest.approx(0.99)
    assert "seen in 2 sources" in finding.reason
    assert finding.removal[0] == STEP


def test_requests_come_from_the_http_log() -> None:
    result, http = scan([SendsRequests()])
    assert result.requests == tuple(http.sent)
    assert result.requests == (
        SentRequest("GET", "https://api.fake.example/users/jt", 200),
        SentRequest("GET", "https://api.fake.example/search?q=Jordan", 200),
    )


def test_scan_result_carries_profile_replay_and_times() -> None:
    result, _ = scan([Finds()], replay="demo_world")
    assert result.profile == PROFILE
    assert result.replay == "demo_world"
    assert result.started <= result.finished
    assert result.risk.score == result.findings[0].score  # one finding: its score


def test_no_sources_is_an_empty_scan() -> None:
    result, _ = scan([])
    assert (result.runs, result.findings, result.accounts) == ((), (), ())
    assert result.risk.score == 0


class CouldTellNothing(Source):
    """Every site it asked answered "could not tell" (walls, timeouts)."""

    name = "tells-nothing"
    title = "Tells nothing"
    needs = frozenset({"names"})
    told: tuple[AccountStatus, ...] = (AccountStatus.UNKNOWN, AccountStatus.UNKNOWN)

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        accounts = tuple(
            Account(f"site{n}", f"https://site{n}.example/jo", "jo", status, {"reason": "a wall"})
            for n, status in enumerate(self.told)
        )
        return SourceResult(accounts=accounts)


class CouldTellOne(CouldTellNothing):
    name = "tells-one"
    told = (AccountStatus.UNKNOWN, AccountStatus.NOT_FOUND)


def test_a_source_that_could_tell_nothing_for_any_site_did_not_check() -> None:
    result, _ = scan([CouldTellNothing()])
    run = run_named(result, "tells-nothing")
    assert run.status is RunStatus.BLOCKED
    assert run.reason == "could not tell for any of 2 site(s), e.g. a wall"
    assert not result.risk.checked  # no "low" from a scan that saw nothing


def test_one_clear_answer_is_a_check() -> None:
    result, _ = scan([CouldTellOne()])
    assert run_named(result, "tells-one").status is RunStatus.OK
    assert result.risk.checked
