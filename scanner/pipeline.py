"""Run a scan: every applicable source concurrently, then extract, merge, score, rank.

This is the one place that starts concurrent work. A source that fails, times out or
has a bug is recorded as blocked / error with the reason; it never sinks the scan.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol

from scanner.correlate import merge_accounts, merge_observations
from scanner.errors import Blocked, SourceError
from scanner.extract import Extracted, extract_html, extract_text
from scanner.http import Http
from scanner.models import (
    Document,
    Kind,
    Observation,
    Profile,
    RunStatus,
    ScanResult,
    SourceRef,
    SourceResult,
    SourceRun,
)
from scanner.removal import removal_steps
from scanner.score import overall_risk, score_finding, sort_findings
from scanner.sources.base import Source

DEFAULT_SOURCE_TIMEOUT = 180.0
# Links and @mentions in free text may point at other people: trust them less.
MENTION_DISCOUNT = {Kind.WEBSITE: 0.6, Kind.USERNAME: 0.5}


class ScanObserver(Protocol):
    """Receives progress events (the CLI's progress display implements this)."""

    def scan_started(self, sources: Sequence[Source]) -> None: ...

    def source_finished(self, run: SourceRun) -> None: ...


class NullObserver:
    """An observer that ignores every event (the CLI's --quiet display builds on it)."""

    def scan_started(self, sources: Sequence[Source]) -> None:
        return None

    def source_finished(self, run: SourceRun) -> None:
        return None


async def run_scan(
    profile: Profile,
    sources: Sequence[Source],
    http: Http,
    *,
    observer: ScanObserver | None = None,
    source_timeout: float = DEFAULT_SOURCE_TIMEOUT,
    replay: str | None = None,
) -> ScanResult:
    events = observer or NullObserver()
    started = _now()
    events.scan_started(sources)
    outcomes: list[tuple[SourceRun, SourceResult]] = []
    async with asyncio.TaskGroup() as group:
        for source in sources:
            group.create_task(_run_source(source, profile, http, source_timeout, events, outcomes))
    order = {source.name: index for index, source in enumerate(sources)}
    outcomes.sort(key=lambda pair: order[pair[0].name])
    return _conclude(profile, outcomes, http, started, replay)


async def _run_source(
    source: Source,
    profile: Profile,
    http: Http,
    time_limit: float,
    events: ScanObserver,
    outcomes: list[tuple[SourceRun, SourceResult]],
) -> None:
    run, result = await _guarded(source, profile, http, time_limit)
    outcomes.append((run, result))
    events.source_finished(run)


async def _guarded(
    source: Source, profile: Profile, http: Http, time_limit: float
) -> tuple[SourceRun, SourceResult]:
    """Run one source and read its documents; turn every way it can end into a SourceRun.

    Extraction runs inside the guard too: documents hold hostile text, and an extractor
    that trips on one must cost only that source, not the whole scan.
    """
    started = _now()

    def ended(status: RunStatus, reason: str = "") -> SourceRun:
        return SourceRun(source.name, source.title, status, reason, started, _now())

    if not source.applies_to(profile):
        needs = " or ".join(sorted(source.needs))
        return ended(RunStatus.SKIPPED, f"the profile has no {needs}"), SourceResult()
    limit = asyncio.timeout(time_limit)
    try:
        async with limit:
            result = await source.search(profile, http)
        if not isinstance(result, SourceResult):
            raise TypeError(f"search() returned {type(result).__name__}, not a SourceResult")
        observations = (*result.observations, *document_observations(source, result, profile))
    except Blocked as exc:
        return ended(RunStatus.BLOCKED, str(exc)), SourceResult()
    except SourceError as exc:
        return ended(RunStatus.ERROR, str(exc)), SourceResult()
    except Exception as exc:  # a bug in one source must not sink the scan
        if isinstance(exc, TimeoutError) and limit.expired():
            return ended(RunStatus.ERROR, f"timed out after {time_limit:g} s"), SourceResult()
        return ended(RunStatus.ERROR, f"internal error: {type(exc).__name__}: {exc}"), (
            SourceResult()
        )
    run = replace(ended(RunStatus.OK), observations=len(observations), notes=result.notes)
    return run, replace(result, observations=observations)


def document_observations(
    source: Source, result: SourceResult, profile: Profile
) -> list[Observation]:
    """Run the extractors over every document the source fetched."""
    found: list[Observation] = []
    for document in result.documents:
        extractor = extract_html if document.is_html else extract_text
        for item in extractor(document.text, region=profile.country):
            found.append(_observation(source, document, item))
    return found


def _observation(source: Source, document: Document, item: Extracted) -> Observation:
    discount = MENTION_DISCOUNT.get(item.kind, 1.0)
    return Observation(
        kind=item.kind,
        value=item.value,
        source=SourceRef(source.name, document.url),
        evidence=f"{document.label}: {item.evidence}",
        confidence=round(document.confidence * discount, 3),
        reason=f"mentioned in {document.label} ({document.reason})",
        removal=document.removal,
    )


def _conclude(
    profile: Profile,
    outcomes: list[tuple[SourceRun, SourceResult]],
    http: Http,
    started: datetime,
    replay: str | None,
) -> ScanResult:
    observations = [obs for _, result in outcomes for obs in result.observations]
    findings = sort_findings(
        score_finding(merged, profile, removal_steps(merged.kind, merged.removal))
        for merged in merge_observations(observations, profile)
    )
    return ScanResult(
        profile=profile,
        started=started,
        finished=_now(),
        runs=tuple(run for run, _ in outcomes),
        findings=tuple(findings),
        accounts=tuple(merge_accounts(a for _, result in outcomes for a in result.accounts)),
        risk=overall_risk(findings, checked=any(run.status is RunStatus.OK for run, _ in outcomes)),
        requests=tuple(http.sent),
        replay=replay,
    )


def _now() -> datetime:
    return datetime.now(UTC)
