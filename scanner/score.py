"""Rank findings: a severity tier by kind, a 0..100 score, and one sentence saying why.

First model (the spine). Tiers follow NIST SP 800-122's idea that impact depends on how
directly a datum identifies and locates a person: a home address is critical; a phone,
employer, relatives or face photo are high; emails, usernames, city and birth data are
medium; links and accounts are low. The score multiplies the tier's base by confidence,
adds a little for corroboration (seen in several places) and for identifiers the subject
did not list (new to them), and lowers what the subject marked public on purpose or
already known to the person they fear.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scanner.correlate import Merged, normalise
from scanner.models import Finding, Kind, Profile, RemovalStep, Risk, Severity


@dataclass(frozen=True)
class KindInfo:
    severity: Severity
    base: int
    label: str  # plural-free noun for summaries: "your phone number"
    why: str  # what it lets someone do


KINDS: dict[Kind, KindInfo] = {
    Kind.HOME_ADDRESS: KindInfo(
        Severity.CRITICAL, 95, "your home address", "it tells someone where to find you"
    ),
    Kind.PHOTO: KindInfo(
        Severity.HIGH, 60, "a photo of you", "it lets someone recognise you or match other profiles"
    ),
    Kind.PHONE: KindInfo(
        Severity.HIGH, 75, "your phone number",
        "it lets someone call or text you and is the key people-search sites use",
    ),
    Kind.EMPLOYER: KindInfo(
        Severity.HIGH, 70, "your employer", "it tells someone where you are on weekdays"
    ),
    Kind.RELATIVE: KindInfo(
        Severity.HIGH, 65, "your relatives", "it leads someone to people who know where you are"
    ),
    Kind.LOCATION: KindInfo(
        Severity.MEDIUM, 50, "your city", "it narrows down where you live"
    ),
    Kind.BIRTHDATE: KindInfo(
        Severity.MEDIUM, 50, "your birth date",
        "it confirms your identity on records and account recovery",
    ),
    Kind.AGE: KindInfo(
        Severity.MEDIUM, 40, "your age", "it helps tell you apart from namesakes in records"
    ),
    Kind.EMAIL: KindInfo(
        Severity.MEDIUM, 45, "your email address",
        "it lets someone contact you and find other accounts and breaches",
    ),
    Kind.SCHOOL: KindInfo(
        Severity.MEDIUM, 45, "your school", "it tells someone where you spend your days"
    ),
    Kind.BREACH: KindInfo(
        Severity.MEDIUM, 45, "a data breach", "leaked data can be used to take over accounts"
    ),
    Kind.REAL_NAME: KindInfo(
        Severity.MEDIUM, 40, "your real name", "it links this profile to the rest of your life"
    ),
    Kind.USERNAME: KindInfo(
        Severity.MEDIUM, 35, "a username", "it leads someone to every account that reuses it"
    ),
    Kind.WEBSITE: KindInfo(
        Severity.LOW, 30, "your website", "it may hold more details about you"
    ),
    Kind.ACCOUNT: KindInfo(
        Severity.LOW, 25, "an account", "its profile may show more details about you"
    ),
    Kind.OTHER: KindInfo(
        Severity.LOW, 15, "a detail", "it adds to what someone can piece together"
    ),
}  # fmt: skip
PLURAL: dict[Kind, str] = {
    Kind.HOME_ADDRESS: "home addresses", Kind.PHOTO: "photos of you",
    Kind.PHONE: "phone numbers", Kind.EMPLOYER: "employers", Kind.RELATIVE: "relatives",
    Kind.LOCATION: "places you are tied to", Kind.BIRTHDATE: "birth dates", Kind.AGE: "ages",
    Kind.EMAIL: "email addresses", Kind.SCHOOL: "schools", Kind.BREACH: "data breaches",
    Kind.REAL_NAME: "forms of your name", Kind.USERNAME: "usernames",
    Kind.WEBSITE: "websites", Kind.ACCOUNT: "accounts", Kind.OTHER: "details",
}  # fmt: skip

CORROBORATION_BONUS = 5  # per extra independent source, at most two
NEW_TO_SUBJECT_FACTOR = 1.1
PUBLIC_ON_PURPOSE_FACTOR = 0.3
KNOWN_TO_ABUSER_FACTOR = 0.6
AGGREGATION_WEIGHT = 0.35  # how far the other findings raise the worst one
IDENTIFIER_KINDS = frozenset({Kind.EMAIL, Kind.PHONE, Kind.USERNAME})


def score_finding(merged: Merged, profile: Profile, removal: Sequence[RemovalStep]) -> Finding:
    info = KINDS[merged.kind]
    value = info.base * merged.confidence
    extra_sources = max(0, min(2, len({s.name for s in merged.sources}) - 1))
    value += CORROBORATION_BONUS * extra_sources
    notes: list[str] = []
    if extra_sources:
        notes.append(f"seen in {extra_sources + 1} sources")
    if _is_new_identifier(merged, profile):
        value *= NEW_TO_SUBJECT_FACTOR
        notes.append("you did not list it, so it may be one you thought was private")
    if _matches(merged, profile.context.public_on_purpose):
        value *= PUBLIC_ON_PURPOSE_FACTOR
        notes.append("you marked it public on purpose")
    elif _matches(merged, profile.context.known_to_abuser):
        value *= KNOWN_TO_ABUSER_FACTOR
        notes.append("the person you are worried about already knows it")
    score = max(0, min(100, round(value)))
    reason = f"{info.severity.value.capitalize()}: {info.why}"
    reason += f" ({'; '.join(notes)})." if notes else "."
    return Finding(
        id=merged.id,
        kind=merged.kind,
        value=merged.value,
        sources=merged.sources,
        evidence=merged.evidence,
        confidence=merged.confidence,
        severity=info.severity,
        score=score,
        reason=reason,
        removal=tuple(removal),
        via=merged.via,
    )


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.score, f.kind.value, f.value.casefold()))


NOTHING_CHECKED = (
    "No source could be checked, so this scan says nothing about your exposure: "
    "see the coverage section for why, and run it again later."
)


def overall_risk(findings: Sequence[Finding], *, checked: bool = True) -> Risk:
    """The worst finding sets the floor; the others raise it with diminishing weight.

    Without a critical finding the level stays at most high: many small details add up,
    but they are not a home address. `checked` is False when no source could run: an
    empty result then must not read as a clean one.
    """
    if not findings:
        summary = "Nothing about you was found in the sources checked."
        return Risk(0, Severity.LOW, summary if checked else NOTHING_CHECKED)
    scores = sorted((f.score for f in findings), reverse=True)
    top, rest = scores[0], sum(scores[1:])
    total = min(100, round(top + (100 - top) * AGGREGATION_WEIGHT * (1 - math.exp(-rest / 300))))
    level = _level(total)
    if level is Severity.CRITICAL and all(f.severity is not Severity.CRITICAL for f in findings):
        level = Severity.HIGH
    return Risk(total, level, summary_sentence(findings))


def summary_sentence(findings: Sequence[Finding]) -> str:
    """'Someone who searches for you could find: your phone number (1 place), 3 email
    addresses (4 places), …' — kinds in order of severity, minor details left out."""
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
    return "Someone who searches for you could find: " + ", ".join(parts) + "."


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


def _is_new_identifier(merged: Merged, profile: Profile) -> bool:
    if merged.kind not in IDENTIFIER_KINDS:
        return False
    given = {
        Kind.EMAIL: profile.emails,
        Kind.PHONE: profile.phones,
        Kind.USERNAME: profile.handles,
    }[merged.kind]
    return merged.key not in {normalise(merged.kind, v) for v in given}


def _matches(merged: Merged, values: Iterable[str]) -> bool:
    return any(normalise(merged.kind, v) == merged.key for v in values)
