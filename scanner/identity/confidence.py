"""The one table that turns how a sighting was found into how sure it is the subject's.

Every source and page reading says *why* it thinks something is the subject's as a Basis;
the number comes from here, as score.py's KindInfo table gives each kind its severity.
Two modifiers apply on top: each lead followed to reach a sighting (LEAD_TRUST per step:
every step is a chance the chain left the person) and a mention in free text of a kind that
often names someone else (MENTION_FACTOR: a link or @handle in a bio may be a friend's).

    confidence_of(Basis.TIED)                        # 0.85
    confidence_of(Basis.TIED, lead_steps=2)          # 0.85 * 0.9**2
    confidence_of(Basis.KEYED, mention=Kind.WEBSITE) # 0.9 * 0.6
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from scanner.models import Kind


class Basis(StrEnum):
    """Why a sighting is taken to be the subject's."""

    KEYED = "keyed"  # found by looking up the subject's own identifier, or verified as theirs
    TIED = "tied"  # what shows it also shows a strong tie (email, phone, handle, domain, name)
    PROBABLE = "probable"  # tied, but it may be someone else's (a domain's business address)
    CLAIMED = "claimed"  # an account tied to the subject claims it, unverified
    WEAK = "weak"  # tied only by what many people share (a city, an employer), or at one remove
    DOUBTFUL = "doubtful"  # the service itself doubts it (a fabricated breach, a proxy contact)
    UNTIED = "untied"  # found by a username alone: someone else may hold it


@dataclass(frozen=True)
class BasisInfo:
    confidence: float
    clause: str  # how a reason says it, after "because": "nothing ties it to you"


BASES: dict[Basis, BasisInfo] = {
    Basis.KEYED: BasisInfo(0.9, "it was found by looking up your own identifier"),
    Basis.TIED: BasisInfo(0.85, "it is shown with something of yours"),
    Basis.PROBABLE: BasisInfo(0.8, "it is shown with something of yours, but may be another's"),
    Basis.CLAIMED: BasisInfo(0.75, "an account of yours lists it, unverified"),
    Basis.WEAK: BasisInfo(0.7, "it is tied to you only weakly"),
    Basis.DOUBTFUL: BasisInfo(0.6, "the place that shows it doubts it"),
    Basis.UNTIED: BasisInfo(0.55, "nothing on it ties it to you"),
}
LEAD_TRUST = 0.9  # per lead followed to reach a sighting
MENTION_FACTOR: dict[Kind, float] = {Kind.WEBSITE: 0.6, Kind.USERNAME: 0.5}


def lead_trust(steps: int) -> float:
    """The factor for a sighting reached `steps` leads away from what the subject gave."""
    return LEAD_TRUST ** max(0, steps)


def mention_factor(kind: Kind) -> float:
    """The factor for a `kind` mentioned in free text (1.0 for kinds that name the subject)."""
    return MENTION_FACTOR.get(kind, 1.0)


def confidence_of(basis: Basis, *, lead_steps: int = 0, mention: Kind | None = None) -> float:
    """The confidence for a sighting on `basis`, after the modifiers, to 3 decimals."""
    value = BASES[basis].confidence * lead_trust(lead_steps)
    if mention is not None:
        value *= mention_factor(mention)
    return round(value, 3)


def rebased(confidence: float, was: Basis, now: Basis) -> float:
    """A confidence worked out on `was`, moved to `now` (an account found to be untied)."""
    return round(confidence * BASES[now].confidence / BASES[was].confidence, 3)
