"""Run a scan: every applicable source concurrently, follow the leads they find, then
extract, merge, score, rank.

This is the one place that starts concurrent work. A source that fails, times out or
has a bug is recorded as blocked / error with the reason; it never sinks the scan.
Following leads: identifiers a source ties to the subject (an email in their own commits,
a domain on their own profile) are looked up by the other sources in the next wave, to a
bounded depth; every finding reached that way carries its pivot path.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from scanner.correlate import merge_accounts, merge_observations
from scanner.errors import Blocked, SourceError
from scanner.extract import Extracted, extract_html, extract_text
from scanner.http import Http
from scanner.identity import Identity, lead_trust, mention_factor
from scanner.identity.learn import birth_year_of, learn
from scanner.limits import DEFAULT_DEPTH
from scanner.models import (
    AccountStatus,
    Document,
    Field,
    Known,
    Location,
    LookedUp,
    Observation,
    Pivot,
    Profile,
    RunStatus,
    ScanResult,
    SourceRef,
    SourceResult,
    SourceRun,
    TieKind,
)
from scanner.profile import LEAD_FIELDS, lead_value
from scanner.removal import removal_steps
from scanner.score import overall_risk, score_findings
from scanner.sources.base import Source, found_with
from scanner.sources.pagemine import read_pages

DEFAULT_SOURCE_TIMEOUT = 180.0
MAX_LEADS_PER_WAVE = 10
# What the identity learns that no source hands on as a lead, looked up in the next wave
# as this field (web search takes them: the name with the city, with the employer; the
# phone in its written forms). Emails, usernames and domains come as the sources' leads.
SEARCHED_LEARNED: dict[TieKind, Field] = {
    TieKind.CITY: Field.LOCATIONS,
    TieKind.AFFILIATION: Field.AFFILIATIONS,
    TieKind.PHONE: Field.PHONES,
}
# How much a lead step and a mention in free text lower confidence: scanner.identity.


class ScanObserver(Protocol):
    """Receives progress events (the CLI's progress display implements this)."""

    def scan_started(self, sources: Sequence[Source]) -> None: ...

    def sources_added(self, count: int) -> None: ...

    def source_finished(self, run: SourceRun) -> None: ...


class NullObserver:
    """An observer that ignores every event (the CLI's --quiet display builds on it)."""

    def scan_started(self, sources: Sequence[Source]) -> None:
        return None

    def sources_added(self, count: int) -> None:
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
    depth: int = DEFAULT_DEPTH,
    max_leads: int = MAX_LEADS_PER_WAVE,
    done: Mapping[str, tuple[SourceRun, SourceResult]] | None = None,
    on_outcome: Callable[[SourceRun, SourceResult], None] | None = None,
) -> ScanResult:
    """Run every source on the profile, then follow the leads they found, wave by wave.

    Wave 0 looks up what the subject gave. Each later wave looks up the identifiers the
    previous wave tied to the subject (at most `max_leads` new ones per wave), with each
    source that takes that kind of identifier, up to `depth` waves. An identifier is looked
    up once per scan, however many sources found it.

    The identity grows as it goes (scanner.identity.learn): after each wave, what the
    sightings strongly tied to the subject show (a city on their own account, a phone on a
    card that shows their email) is known for the next wave's attribution, and at the end
    every page read is judged again against all of it, until nothing more is learned.

    Resuming: `done` holds first-wave outcomes kept from an interrupted scan (by source
    name); those sources are not run again. `on_outcome` hears each first-wave outcome as
    it ends, so a caller can keep it (lead lookups are cheap to redo and are not kept).
    """
    events = observer or NullObserver()
    started = _now()
    events.scan_started(sources)
    first = [_Job(s, profile, None) for s in sources]
    wave = await _run_wave(first, http, source_timeout, events, done or {}, on_outcome)
    outcomes = list(wave)
    grown, taught = _after(profile, wave)
    known = _given(profile)
    leads: list[Pivot] = []
    for level in range(depth + 1):
        candidates = [*_leads_of(wave), *_learned_leads(taught)]
        if level < depth:
            found = _new_leads(candidates, known, max_leads, "")
        else:
            why = (
                "following leads is off (--depth 0)"
                if depth == 0
                else f"deeper than --depth {depth}"
            )
            found = _new_leads(candidates, known, 0, why)
        leads.extend(found)
        jobs = [job for pivot in found if pivot.followed for job in _jobs(pivot, grown, sources)]
        if not jobs:
            break
        events.sources_added(len(jobs))
        wave = await _run_wave(jobs, http, source_timeout, events)
        outcomes.extend(wave)
        grown, taught = _after(grown, wave)
    return _conclude(profile, outcomes, leads, http, started, replay, grown)


def _after(
    profile: Profile, wave: Sequence[_Outcome]
) -> tuple[Profile, list[tuple[_Job, Observation, Known]]]:
    """The profile with what this wave's sightings (and its pages) taught, and each thing
    learned with the run and the sighting it came from (scanner.identity.learn; a birth
    year when the subject gave none and tied ages agree)."""
    taught: list[tuple[_Job, Observation, Known]] = []
    seen: list[Observation] = []
    identity = Identity.from_profile(profile)
    for job, _, result in wave:
        for observation in _sightings(result, profile):
            seen.append(observation)
            for known in learn([observation], identity):
                taught.append((job, observation, known))
                identity = replace(identity, known=(*identity.known, known))
    return _knowing(profile, [known for _, _, known in taught], seen), taught


def _grown(profile: Profile, seen: Sequence[Observation]) -> Profile:
    """The profile with what these sightings teach about the subject (Profile.learned; a
    birth year when the subject gave none and tied ages agree)."""
    return _knowing(profile, learn(seen, Identity.from_profile(profile)), seen)


def _knowing(profile: Profile, new: Sequence[Known], seen: Sequence[Observation]) -> Profile:
    """The profile that also knows `new`, and the birth year `seen` gives when it had none."""
    year = profile.birth_year
    if year is None:
        year = birth_year_of(seen)
    return replace(profile, learned=(*profile.learned, *new), birth_year=year)


def _sightings(result: SourceResult, profile: Profile) -> list[Observation]:
    """A result's observations and what its pages show, read against `profile`."""
    from_pages, _ = read_pages(result.pages, profile)
    return [*result.observations, *from_pages]


@dataclass(frozen=True)
class _Job:
    """One source looking up one profile: the subject's own, or a lead's."""

    source: Source
    profile: Profile
    via: Pivot | None


_Outcome = tuple[_Job, SourceRun, SourceResult]


async def _run_wave(
    jobs: Sequence[_Job],
    http: Http,
    time_limit: float,
    events: ScanObserver,
    kept: Mapping[str, tuple[SourceRun, SourceResult]] | None = None,
    on_outcome: Callable[[SourceRun, SourceResult], None] | None = None,
) -> list[_Outcome]:
    done: dict[int, _Outcome] = {}

    async def run(index: int, job: _Job) -> None:
        if kept and job.source.name in kept:
            run, result = kept[job.source.name]
        else:
            run, result = await _guarded(job, http, time_limit)
            if on_outcome is not None:
                on_outcome(run, result)
        done[index] = (job, run, result)
        events.source_finished(run)

    async with asyncio.TaskGroup() as group:
        for index, job in enumerate(jobs):
            group.create_task(run(index, job))
    return [done[index] for index in sorted(done)]


def _given(profile: Profile) -> set[tuple[str, str]]:
    """What the subject gave, as (field, value) keys: never looked up again as a lead."""
    known = {(f, v.casefold()) for f in LEAD_FIELDS for v in getattr(profile, f)}
    known |= {(Field.PHONES.value, phone.casefold()) for phone in profile.phones}
    known |= {(Field.LOCATIONS.value, str(place).casefold()) for place in profile.locations}
    known |= {(Field.AFFILIATIONS.value, group.casefold()) for group in profile.affiliations}
    return known


def _leads_of(wave: Sequence[_Outcome]) -> Iterator[Pivot]:
    """The leads this wave's sources handed on, validated like the profile's own."""
    for job, _, result in wave:
        for lead in result.leads:
            value = lead_value(lead.field, lead.value)
            if value is None:
                continue
            yield Pivot(
                field=lead.field,
                value=value,
                found_by=job.source.name,
                url=lead.source.url,
                reason=lead.reason,
                found_from=lead.found_from,
                parent=job.via,
            )


def _learned_leads(taught: Iterable[tuple[_Job, Observation, Known]]) -> Iterator[Pivot]:
    """What the identity learned that no source hands on as a lead: a city, an employer or
    school and a phone, searched with the name in the next wave (SEARCHED_LEARNED)."""
    for job, observation, known in taught:
        field = SEARCHED_LEARNED.get(known.kind)
        if field is None:
            continue
        looked_up = observation.source.looked_up
        found_from = looked_up[0].value if looked_up else job.via.value if job.via else ""
        yield Pivot(
            field=field.value,
            value=known.value,
            found_by=job.source.name,
            url=observation.source.url,
            reason=f"{known.value} is yours: shown on {known.origin}",
            found_from=found_from,
            parent=job.via,
        )


def _new_leads(
    candidates: Iterable[Pivot], known: set[tuple[str, str]], limit: int, why_not: str
) -> list[Pivot]:
    """The candidates not known yet (each once); the first `limit` are to be followed."""
    found: list[Pivot] = []
    for pivot in candidates:
        key = (pivot.field, pivot.value.casefold())
        if key in known:
            continue
        known.add(key)
        if sum(p.followed for p in found) < limit:
            found.append(pivot)
        else:
            note = why_not or f"more than {limit} new leads at this step"
            found.append(replace(pivot, followed=False, note=note))
    return found


def _jobs(pivot: Pivot, profile: Profile, sources: Sequence[Source]) -> list[_Job]:
    """Each source that takes this kind of identifier, looking up only the lead.

    The lead's profile keeps the subject's names, places and context, and knows everything
    else they gave or the scan learned (Profile.learned: sources use it to tell whether an
    account or a record is theirs), but looks up no other identifier, so nothing the
    subject gave is looked up twice.
    """
    lead = (pivot.value,)
    locations = profile.locations
    if pivot.field == Field.LOCATIONS:
        city, _, region = pivot.value.partition(", ")
        locations = (Location(city, region),)
    lead_profile = replace(
        profile,
        handles=lead if pivot.field == Field.HANDLES else (),
        emails=lead if pivot.field == Field.EMAILS else (),
        domains=lead if pivot.field == Field.DOMAINS else (),
        phones=lead if pivot.field == Field.PHONES else (),
        locations=locations,
        affiliations=lead if pivot.field == Field.AFFILIATIONS else profile.affiliations,
        learned=Identity.from_profile(profile).known,
    )
    return [
        _Job(source, lead_profile, pivot)
        for source in sources
        if pivot.field in source.needs and source.applies_to(lead_profile)
    ]


async def _guarded(job: _Job, http: Http, time_limit: float) -> tuple[SourceRun, SourceResult]:
    """Run one source and read its documents; turn every way it can end into a SourceRun.

    Extraction runs inside the guard too: documents hold hostile text, and an extractor
    that trips on one must cost only that source, not the whole scan.
    """
    source, profile = job.source, job.profile
    started = _now()

    def ended(status: RunStatus, reason: str = "") -> SourceRun:
        return SourceRun(source.name, source.title, status, reason, started, _now(), via=job.via)

    if not source.applies_to(profile):
        return ended(RunStatus.SKIPPED, source.skip_reason(profile)), SourceResult()
    limit = asyncio.timeout(time_limit)
    try:
        async with limit:
            result = await source.search(profile, http.speaking_as(source.agent))
        if not isinstance(result, SourceResult):
            raise TypeError(f"search() returned {type(result).__name__}, not a SourceResult")
        if job.via is not None:  # a lead's run looks up that one identifier
            result = found_with(result, LookedUp(Field(job.via.field), job.via.value))
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
    observations = tuple(_reached(observations, job.via))
    if source.asks and not observations and _told_nothing(result):
        reason = f"could not tell for any of {len(result.accounts)} site(s)"
        why = next((a.details["reason"] for a in result.accounts if a.details.get("reason")), "")
        if why:
            reason = f"{reason}, e.g. {why}"
        run = replace(ended(RunStatus.BLOCKED, reason), notes=result.notes)
        return run, replace(result, observations=observations)
    shown = len(observations) + len(read_pages(result.pages, profile)[0])
    run = replace(ended(RunStatus.OK), observations=shown, notes=result.notes)
    return run, replace(result, observations=observations)


def _reached(observations: Iterable[Observation], via: Pivot | None) -> Iterator[Observation]:
    """Observations of a lead's run carry the lead, and the doubt of each step to it."""
    if via is None:
        yield from observations
        return
    trust = lead_trust(via.depth)
    for o in observations:
        yield replace(o, via=via, confidence=round(o.confidence * trust, 3))


def document_observations(
    source: Source, result: SourceResult, profile: Profile
) -> list[Observation]:
    """Run the extractors over every document the source fetched."""
    found: list[Observation] = []
    for document in result.documents:
        extractor = extract_html if document.is_html else extract_text
        names = (*profile.names, *profile.aliases)
        for item in extractor(document.text, region=profile.country, subject_names=names):
            found.append(_observation(source, document, item))
    return found


def _observation(source: Source, document: Document, item: Extracted) -> Observation:
    discount = mention_factor(item.kind)
    return Observation(
        kind=item.kind,
        value=item.value,
        source=SourceRef(source.name, document.url, document.looked_up),
        evidence=f"{document.label}: {item.evidence}",
        confidence=round(document.confidence * discount, 3),
        reason=f"mentioned in {document.label} ({document.reason})",
        removal=document.removal,
        ties=document.ties,
    )


MAX_REREADS = 4  # passes over the pages at the end: each may teach a tie the next one uses


def final_reading(
    outcomes: Sequence[_Outcome], grown: Profile
) -> tuple[list[Observation], list[str], Profile]:
    """Every page read again against the identity as it stands at the end, until a pass
    teaches nothing new (at most MAX_REREADS): what the pages show, the namesakes they
    hold, and the identity they leave. No request is sent."""
    for _ in range(MAX_REREADS):
        seen: list[Observation] = []
        namesakes: list[str] = []
        for job, _, result in outcomes:
            from_pages, others = read_pages(result.pages, grown)
            seen.extend(_reached(from_pages, job.via))
            namesakes.extend(others)
        wiser = _grown(grown, seen)
        if wiser == grown:
            break
        grown = wiser
    return seen, namesakes, grown


def _conclude(
    profile: Profile,
    outcomes: list[_Outcome],
    leads: list[Pivot],
    http: Http,
    started: datetime,
    replay: str | None,
    grown: Profile | None = None,
) -> ScanResult:
    from_pages, namesakes, _ = final_reading(outcomes, grown or profile)
    observations = [obs for _, _, result in outcomes for obs in result.observations]
    observations.extend(from_pages)
    california = any(
        loc.region.upper() in ("CA", "CALIFORNIA") and loc.country.upper() in ("", "US", "USA")
        for loc in profile.locations
    )
    findings = score_findings(
        merge_observations(observations, profile),
        profile,
        lambda merged: removal_steps(merged.kind, merged.removal, california=california),
    )
    return ScanResult(
        profile=profile,
        started=started,
        finished=_now(),
        runs=tuple(run for _, run, _ in outcomes),
        findings=tuple(findings),
        accounts=tuple(merge_accounts(a for _, _, result in outcomes for a in result.accounts)),
        risk=overall_risk(
            findings,
            checked=any(run.status is RunStatus.OK and job.source.asks for job, run, _ in outcomes),
            profile=profile,
        ),
        requests=tuple(http.sent),
        replay=replay,
        leads=tuple(leads),
        namesakes=len(
            {*namesakes, *(key for _, _, result in outcomes for key in result.namesakes)}
        ),
        network=http.route,
    )


def _told_nothing(result: SourceResult) -> bool:
    """True when every account the source checked came back "could not tell" and it read
    nothing else: its run checked nothing, so it must not count as a clean "checked"."""
    if not result.accounts or result.documents or result.pages:
        return False
    return all(account.status is AccountStatus.UNKNOWN for account in result.accounts)


def _now() -> datetime:
    return datetime.now(UTC)
