"""Rank findings as docs/scoring.md describes: a tier by kind, factors, one sentence of why.

score = base points of the kind's tier
        × confidence × freshness × aggregation × audience × corroboration × context,
rounded to the nearest whole number and kept within 0..100. Every number lives in a
constant below and in docs/scoring.md; a test keeps them the same.

Aggregation needs the other findings of the scan: pass them with `among=` (or call
`score_findings`, which builds the page index once). Without them no finding counts as
aggregated. Freshness and audience are factors with no data behind them yet: findings carry
no dates and every source reads public pages, so both are 1.0 today (see `freshness` and
`AUDIENCE`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from scanner.correlate import Merged, normalise
from scanner.models import Finding, Kind, Profile, RemovalStep, Risk, Severity


@dataclass(frozen=True)
class KindInfo:
    severity: Severity
    base: int  # points before the factors
    label: str  # what it is, for the reason and the summary: "your phone number"
    why: str  # what it lets someone do, as a clause: "someone could find where you live"


KINDS: dict[Kind, KindInfo] = {
    Kind.HOME_ADDRESS: KindInfo(
        Severity.CRITICAL, 90, "your home address", "someone could find where you live"
    ),
    Kind.PHONE: KindInfo(
        Severity.HIGH, 75, "your phone number", "someone could call you or use it to look you up"
    ),
    Kind.EMPLOYER: KindInfo(
        Severity.HIGH, 70, "your employer", "someone could find you at work"
    ),
    Kind.RELATIVE: KindInfo(
        Severity.HIGH, 65, "a relative", "someone could reach you through your family"
    ),
    Kind.PHOTO: KindInfo(
        Severity.HIGH, 60, "a photo of you", "someone could recognise you or match your profiles"
    ),
    Kind.EMAIL: KindInfo(
        Severity.MEDIUM, 50, "your email address",
        "someone could contact you and find your accounts",
    ),
    Kind.LOCATION: KindInfo(
        Severity.MEDIUM, 45, "your city", "it narrows down where you live"
    ),
    Kind.BIRTHDATE: KindInfo(
        Severity.MEDIUM, 45, "your birth date", "it helps someone confirm who you are in records"
    ),
    Kind.SCHOOL: KindInfo(
        Severity.MEDIUM, 45, "your school", "someone could learn where you spend your days"
    ),
    Kind.AGE: KindInfo(
        Severity.MEDIUM, 40, "your age", "it helps someone tell you apart from namesakes"
    ),
    Kind.USERNAME: KindInfo(
        Severity.MEDIUM, 40, "a username", "it leads someone to your other accounts"
    ),
    Kind.BREACH: KindInfo(
        Severity.MEDIUM, 40, "a data breach", "leaked data can be used to get into your accounts"
    ),
    Kind.REAL_NAME: KindInfo(
        Severity.MEDIUM, 35, "your real name", "it ties your accounts to who you are"
    ),
    Kind.WEBSITE: KindInfo(
        Severity.LOW, 25, "your website", "it may show more about you"
    ),
    Kind.ACCOUNT: KindInfo(
        Severity.LOW, 25, "an account", "its profile may show more about you"
    ),
    Kind.OTHER: KindInfo(
        Severity.LOW, 15, "a detail", "it adds to what someone can piece together"
    ),
}  # fmt: skip
# A Kind.LOCATION value that is a latitude, longitude pair (photo GPS, a check-in) is a
# precise place, not a city: it takes this tier instead of KINDS[Kind.LOCATION].
PRECISE_PLACE = KindInfo(
    Severity.CRITICAL, 90, "a precise place you go", "someone could find where you will be"
)
PLURAL: dict[Kind, str] = {
    Kind.HOME_ADDRESS: "home addresses", Kind.PHOTO: "photos of you",
    Kind.PHONE: "phone numbers", Kind.EMPLOYER: "employers", Kind.RELATIVE: "relatives",
    Kind.LOCATION: "places you are tied to", Kind.BIRTHDATE: "birth dates", Kind.AGE: "ages",
    Kind.EMAIL: "email addresses", Kind.SCHOOL: "schools", Kind.BREACH: "data breaches",
    Kind.REAL_NAME: "forms of your name", Kind.USERNAME: "usernames",
    Kind.WEBSITE: "websites", Kind.ACCOUNT: "accounts", Kind.OTHER: "details",
}  # fmt: skip

AGGREGATION_FACTOR = 1.25  # shown on a page that also shows your name and a place
CORROBORATION_FACTORS = (1.0, 1.1, 1.2)  # 1, 2, 3 or more independent sources
AUDIENCE: dict[str, float] = {"public": 1.0, "login": 0.8, "paywall": 0.8}
FRESHNESS_STEPS = ((365, 1.0), (3 * 365, 0.9))  # (age in days up to, factor)
FRESHNESS_OLDEST = 0.75  # seen or dated more than 3 years ago
KNOWN_TO_ABUSER_FACTOR = 0.6
PUBLIC_ON_PURPOSE_FACTOR = 0.3
DOUBT_BELOW = 0.6  # confidence under which the reason says "maybe not yours"
REASON_MAX = 200
JOINED = {  # what an aggregated fact is shown with, said without repeating the fact itself
    Kind.REAL_NAME: "shown with your city",
    Kind.LOCATION: "shown with your name",
    Kind.HOME_ADDRESS: "shown with your name",
}
NAME_KINDS = frozenset({Kind.REAL_NAME})
PLACE_KINDS = frozenset({Kind.LOCATION, Kind.HOME_ADDRESS})
_COORDINATES = re.compile(r"^\s*[-+]?\d{1,2}\.\d+\s*,\s*[-+]?\d{1,3}\.\d+\s*$")

PageIndex = Mapping[str, frozenset[tuple[str, Kind]]]  # page -> (finding id, kind) seen on it


def tier(kind: Kind, value: str) -> KindInfo:
    """The kind's tier; a location given as coordinates is a precise place (critical)."""
    if kind is Kind.LOCATION and _COORDINATES.match(value):
        return PRECISE_PLACE
    return KINDS[kind]


PAST_ADDRESS = KindInfo(
    Severity.LOW, 25, "a past address of yours", "it may still lead to people who know you"
)


def _moved_note(profile: Profile) -> tuple[float, str]:
    when = f" on {profile.context.moved_on}" if profile.context.moved_on else ""
    return 1.0, f"you moved out{when}"


def freshness(seen: date | None, today: date | None = None) -> float:
    """How current a fact is, from the date it was last seen or dated.

    Findings carry no dates yet, so the pipeline always passes None: an unknown date counts
    as current (1.0), because a live home address must never be lowered on a guess. Up to
    a year old: 1.0; up to three years: 0.9; older: 0.75.
    """
    if seen is None:
        return 1.0
    age = ((today or date.today()) - seen).days
    for days, factor in FRESHNESS_STEPS:
        if age <= days:
            return factor
    return FRESHNESS_OLDEST


def audience(merged: Merged) -> str:
    """Who can see the pages it was found on: "public", "login" or "paywall".

    Every source today reads public pages and public APIs, so this is always "public".
    """
    del merged
    return "public"


def corroboration(merged: Merged) -> float:
    """Independent sources = distinct source names (two pages of one site count once)."""
    count = len({s.name for s in merged.sources})
    return CORROBORATION_FACTORS[max(0, min(count, len(CORROBORATION_FACTORS)) - 1)]


def page_index(among: Iterable[Merged]) -> dict[str, frozenset[tuple[str, Kind]]]:
    """Which findings (id, kind) each page shows, pages compared by normalised URL."""
    pages: dict[str, set[tuple[str, Kind]]] = {}
    for item in among:
        for source in item.sources:
            pages.setdefault(_page(source.url), set()).add((item.id, item.kind))
    return {url: frozenset(seen) for url, seen in pages.items()}


def is_aggregated(merged: Merged, pages: PageIndex) -> bool:
    """True when one of its pages also shows the subject's name and a place.

    Another finding must be on that page; the finding itself fills its own role, so a
    home address shown with the name counts (an address holds its city), and so does a
    name shown with a city.
    """
    for source in merged.sources:
        others = {kind for fid, kind in pages.get(_page(source.url), ()) if fid != merged.id}
        if not others:
            continue
        kinds = others | {merged.kind}
        if kinds & NAME_KINDS and kinds & PLACE_KINDS:
            return True
    return False


def score_finding(
    merged: Merged,
    profile: Profile,
    removal: Sequence[RemovalStep],
    *,
    among: Iterable[Merged] | PageIndex = (),
) -> Finding:
    """Score one merged fact; `among` is the scan's other facts (or their page_index)."""
    pages = among if isinstance(among, Mapping) else page_index(among)
    info = tier(merged.kind, merged.value)
    moved = merged.kind is Kind.HOME_ADDRESS and _matches(merged, profile.context.past_addresses)
    if moved:
        info = PAST_ADDRESS
    joined = is_aggregated(merged, pages)
    seen_by = len({s.name for s in merged.sources})
    where = audience(merged)
    context = _context(merged, profile)
    value = (
        info.base
        * max(0.0, min(1.0, merged.confidence))
        * freshness(None)
        * (AGGREGATION_FACTOR if joined else 1.0)
        * AUDIENCE[where]
        * corroboration(merged)
        * (context[0] if context else 1.0)
    )
    return Finding(
        id=merged.id,
        kind=merged.kind,
        value=merged.value,
        sources=merged.sources,
        evidence=merged.evidence,
        confidence=merged.confidence,
        severity=info.severity,
        score=max(0, min(100, math.floor(value + 0.5))),
        reason=_reason(
            merged.kind,
            info,
            joined,
            seen_by,
            where,
            merged.confidence,
            context or (_moved_note(profile) if moved else None),
        ),
        removal=tuple(removal),
        via=merged.via,
        ties=merged.ties,
    )


def score_findings(
    merged: Sequence[Merged],
    profile: Profile,
    removal: Callable[[Merged], Sequence[RemovalStep]],
) -> list[Finding]:
    """Score every fact of a scan against the others (aggregation) and sort them."""
    pages = page_index(merged)
    return sort_findings(score_finding(m, profile, removal(m), among=pages) for m in merged)


SEVERITY_ORDER = {
    Severity.CRITICAL: 0,
    Severity.HIGH: 1,
    Severity.MEDIUM: 2,
    Severity.LOW: 3,
}


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Highest score first; on a tie the graver tier, then kind and value."""
    return sorted(
        findings,
        key=lambda f: (-f.score, SEVERITY_ORDER[f.severity], f.kind.value, f.value.casefold()),
    )


NOTHING_CHECKED = (
    "No source could be checked, so this scan says nothing about your exposure: "
    "see the coverage section for why, and run it again later."
)
RISK_SPREAD = 0.35  # how far the other findings can raise the worst one, as a share of the gap
RISK_SCALE = 300  # points of other findings for about two thirds of that rise


def overall_risk(
    findings: Sequence[Finding], *, checked: bool = True, profile: Profile | None = None
) -> Risk:
    """The worst finding sets the floor; the others raise it with diminishing weight.

    risk = top + (100 - top) × 0.35 × (1 - e^(-rest / 300)), rest = the other scores'
    sum. Level: 80+ critical, 60+ high, 35+ medium, else low; without a critical-tier
    finding it stays at most high: many small details add up, but they are not a home
    address. `checked` is False when no source could run: an empty result then must not
    read as a clean one.
    """
    if not findings:
        summary = "Nothing about you was found in the sources checked."
        return Risk(0, Severity.LOW, summary if checked else NOTHING_CHECKED, checked=checked)
    scores = sorted((f.score for f in findings), reverse=True)
    top, rest = scores[0], sum(scores[1:])
    raised = top + (100 - top) * RISK_SPREAD * (1 - math.exp(-rest / RISK_SCALE))
    total = min(100, math.floor(raised + 0.5))
    level = _level(total)
    if level is Severity.CRITICAL and all(f.severity is not Severity.CRITICAL for f in findings):
        level = Severity.HIGH
    return Risk(total, level, summary_sentence(findings, profile))


def summary_sentence(findings: Sequence[Finding], profile: Profile | None = None) -> str:
    """'Someone who searches for you could find: your phone number (1 place), 3 email
    addresses (4 places), …' — kinds in order of base points, minor details left out."""
    places: dict[Kind, set[str]] = {}
    values: dict[Kind, set[str]] = {}
    for finding in findings:
        if finding.score >= 20:
            places.setdefault(finding.kind, set()).update(s.url for s in finding.sources)
            values.setdefault(finding.kind, set()).add(finding.id)
    if not places:
        return "Only minor details about you were found."
    ordered = sorted(places, key=lambda k: -KINDS[k].base)
    parts = [f"{_label(k, len(values[k]))} ({_places(len(places[k]))})" for k in ordered]
    return f"Someone who {_starting_point(profile)} could find: " + ", ".join(parts) + "."


def _starting_point(profile: Profile | None) -> str:
    """What a searcher starts from: the kinds of identifier the scan itself started from."""
    if profile is None:
        return "searches for you"
    known = [
        label
        for label, present in (
            ("name", profile.names), ("city", profile.locations),
            ("username", profile.handles), ("email address", profile.emails),
            ("phone number", profile.phones),
        )
        if present
    ]  # fmt: skip
    if not known:
        return "searches for you"
    if len(known) == 1:
        return f"knows your {known[0]}"
    return f"knows your {', '.join(known[:-1])} or {known[-1]}"


def _reason(
    kind: Kind,
    info: KindInfo,
    joined: bool,
    seen_by: int,
    where: str,
    confidence: float,
    context: tuple[float, str] | None,
) -> str:
    """'Critical: your home address, shown with your name and city, seen in 2 sources;
    someone could find where you live.' One sentence, no values (they may hold dots or
    hostile text), at most REASON_MAX characters."""
    parts = [info.label]
    if joined:
        parts.append(JOINED.get(kind, "shown with your name and city"))
    if seen_by:
        parts.append(f"seen in {seen_by} source{'s' if seen_by > 1 else ''}")
    if where != "public":
        parts.append("not on a public page")
    if confidence < DOUBT_BELOW:
        parts.append("maybe not yours")
    if context:
        parts.append(context[1])
    head = f"{info.severity.value.capitalize()}: {', '.join(parts)}"
    for text in (f"{head}; {info.why}.", f"{head}."):  # too long: the factors matter more
        if len(text) <= REASON_MAX:
            return text
    return head[: REASON_MAX - 1].rstrip(" ,;") + "."


def _context(merged: Merged, profile: Profile) -> tuple[float, str] | None:
    """The subject's own word on this fact: public on purpose wins over known to the abuser."""
    if _matches(merged, profile.context.public_on_purpose):
        return PUBLIC_ON_PURPOSE_FACTOR, "lowered: you keep it public on purpose"
    if _matches(merged, profile.context.known_to_abuser):
        return KNOWN_TO_ABUSER_FACTOR, "lowered: the person you worry about knows it"
    return None


def _page(url: str) -> str:
    return normalise(Kind.WEBSITE, url) if "://" in url else url.strip()


def _label(kind: Kind, count: int) -> str:
    return KINDS[kind].label if count == 1 else f"{count} {PLURAL[kind]}"


def _places(count: int) -> str:
    return "1 place" if count == 1 else f"{count} places"


def _level(score: int) -> Severity:
    if score >= 80:
        return Severity.CRITICAL
    if score >= 60:
        return Severity.HIGH
    if score >= 35:
        return Severity.MEDIUM
    return Severity.LOW


def _matches(merged: Merged, values: Iterable[str]) -> bool:
    return any(normalise(merged.kind, v) == merged.key for v in values)
