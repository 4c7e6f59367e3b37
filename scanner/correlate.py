"""Merge what sources saw: the same fact seen in several places becomes one finding.

Observations are grouped by (kind, normalised value). Confidence is combined as
independent evidence (1 - Π(1 - c)); sources, evidence and removal steps are united in
the order first seen. A fact seen only while following leads keeps the leads (its pivot
paths); one seen directly needs none. A link to a page that is also seen as an account is
that account. Accounts are de-duplicated by URL.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TypeVar
from urllib.parse import urlsplit

from scanner.models import (
    Account,
    AccountStatus,
    Kind,
    LookedUp,
    Observation,
    Pivot,
    Profile,
    RemovalStep,
    SourceRef,
    Tie,
)

US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "district of columbia": "DC",
    "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID", "illinois": "IL",
    "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI",
    "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ",
    "new mexico": "NM", "new york": "NY", "north carolina": "NC", "north dakota": "ND",
    "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN",
    "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY",
}  # fmt: skip
STATE_CODES = frozenset(US_STATES.values())
T = TypeVar("T")
_SPACES = re.compile(r"\s+")
_BARE_DOMAIN = re.compile(r"^[\w-]+(\.[\w-]+)*\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)
_PUNCT = re.compile(r"[^\w\s@+]")


@dataclass(frozen=True)
class Merged:
    """One fact and every place it was seen, before scoring."""

    id: str
    kind: Kind
    value: str
    key: str  # the normalised value
    sources: tuple[SourceRef, ...]
    evidence: tuple[str, ...]
    confidence: float
    reasons: tuple[str, ...]
    removal: tuple[RemovalStep, ...]
    via: tuple[Pivot, ...] = ()  # leads that reached it, when nothing reached it directly
    ties: tuple[Tie, ...] = ()  # every tie its sightings carry, each once


def state_code(text: str) -> str:
    """The USPS code of a US state written as its code ("IL") or name ("Illinois"), else ""."""
    value = text.strip()
    if len(value) == 2 and value.upper() == value and value in STATE_CODES:
        return value
    return US_STATES.get(value.casefold(), "")


def normalise(kind: Kind, value: str) -> str:
    """The form under which two values of one kind count as the same fact."""
    text = _SPACES.sub(" ", value.strip())
    if kind in (Kind.WEBSITE, Kind.ACCOUNT, Kind.PHOTO):
        if "://" in text:
            return _normal_url(text)
        if _BARE_DOMAIN.match(text):
            return _normal_url(f"https://{text}")
    if kind is Kind.LOCATION:
        return _normal_location(text)
    if kind is Kind.USERNAME:
        return text.removeprefix("@").casefold()
    if kind is Kind.PHONE:
        return re.sub(r"\D", "", text)[-10:]  # national significant part, format-free
    if kind is Kind.EMAIL:
        # every character of an address counts: "j.doe@" and "j-doe@" are different people
        return text.removeprefix("mailto:").casefold()
    return _SPACES.sub(" ", _PUNCT.sub(" ", text.casefold())).strip()


def fingerprint(kind: Kind, key: str, profile: Profile) -> str:
    """Stable id of a fact about this subject, the same across scans."""
    subject = (profile.names or profile.handles or profile.emails or profile.phones)[0]
    digest = hashlib.sha256(f"{kind.value}\0{key}\0{subject.casefold()}".encode())
    return digest.hexdigest()[:16]


def merge_observations(observations: Iterable[Observation], profile: Profile) -> list[Merged]:
    groups: dict[tuple[Kind, str], list[Observation]] = {}
    kept = [obs for obs in observations if obs.value.strip()]
    accounts = {normalise(Kind.ACCOUNT, o.value) for o in kept if o.kind is Kind.ACCOUNT}
    for obs in kept:
        key = normalise(obs.kind, obs.value)
        kind = Kind.ACCOUNT if obs.kind is Kind.WEBSITE and key in accounts else obs.kind
        groups.setdefault((kind, key), []).append(obs)
    return [_merge(kind, key, group, profile) for (kind, key), group in groups.items()]


def _merge(kind: Kind, key: str, group: list[Observation], profile: Profile) -> Merged:
    best = max(group, key=lambda o: o.confidence)
    doubt = 1.0
    for obs in _one_per_source_url(group):
        doubt *= 1.0 - max(0.0, min(1.0, obs.confidence))
    return Merged(
        id=fingerprint(kind, key, profile),
        kind=kind,
        value=best.value.strip(),
        key=key,
        sources=_sources(group),
        evidence=_unique(o.evidence for o in group if o.evidence),
        confidence=round(1.0 - doubt, 3),
        reasons=_unique(o.reason for o in group if o.reason),
        removal=_unique(step for o in group for step in o.removal),
        via=() if any(o.via is None for o in group) else _unique(o.via for o in group if o.via),
        ties=_unique(tie for o in group for tie in o.ties),
    )


def _sources(group: list[Observation]) -> tuple[SourceRef, ...]:
    """Each place once, in order, with every lookup that showed it."""
    places: dict[SourceRef, list[LookedUp]] = {}
    for obs in group:
        lookups = places.setdefault(obs.source, [])
        lookups.extend(lookup for lookup in obs.source.looked_up if lookup not in lookups)
    return tuple(replace(ref, looked_up=tuple(lookups)) for ref, lookups in places.items())


def _one_per_source_url(group: list[Observation]) -> list[Observation]:
    """Repeats on one page are one piece of evidence, not several."""
    best: dict[SourceRef, Observation] = {}
    for obs in group:
        if obs.source not in best or obs.confidence > best[obs.source].confidence:
            best[obs.source] = obs
    return list(best.values())


def merge_accounts(accounts: Iterable[Account]) -> list[Account]:
    """One entry per account URL; found beats unknown beats not_found; details united."""
    rank = {AccountStatus.FOUND: 2, AccountStatus.UNKNOWN: 1, AccountStatus.NOT_FOUND: 0}
    merged: dict[str, Account] = {}
    for account in accounts:
        key = _normal_url(account.url) if "://" in account.url else account.url
        known = merged.get(key)
        if known is None:
            merged[key] = account
            continue
        first, second = (
            (known, account) if rank[known.status] >= rank[account.status] else (account, known)
        )
        details = {**second.details, **first.details}
        merged[key] = Account(first.site, first.url, first.username, first.status, details)
    return sorted(merged.values(), key=lambda a: (-rank[a.status], a.site.casefold(), a.url))


def _normal_url(url: str) -> str:
    parts = urlsplit(url.strip())
    host = parts.netloc.casefold().removeprefix("www.")
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{path}{query}"


def _normal_location(text: str) -> str:
    pieces = [p.strip().casefold() for p in text.split(",") if p.strip()]
    pieces = [US_STATES.get(p, p.upper() if len(p) == 2 else p).casefold() for p in pieces]
    if pieces and pieces[-1] in ("usa", "us", "united states", "united states of america"):
        pieces = pieces[:-1]
    return ", ".join(pieces)


def _unique(items: Iterable[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(items))
