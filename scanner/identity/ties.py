"""The subject's identity as evidence: what is known to be theirs, and what ties a sighting.

A `Known` identifier is one value (an email, a phone, a handle, a domain, a name, a city, an
employer or school) with where it is known from: "you gave it" for the profile's own, or
the page that tied it to the subject. A `Tie` is one Known found on a page or an account:
its kind decides how much it says (STRONG: one alone ties; WEAK: many people share it, so
it ties only when nothing speaks against it).
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.correlate import state_code
from scanner.models import (
    GIVEN,
    NOUN,
    STRENGTH,
    Known,
    Location,
    Profile,
    Strength,
    Tie,
    TieKind,
)

__all__ = ["GIVEN", "NOUN", "STRENGTH", "Identity", "Known", "Strength", "Tie", "TieKind"]


@dataclass(frozen=True)
class Identity:
    """Everything known to be the subject's: what the profile gives (certain) and what the
    scan has tied to it so far (`Profile.learned`, each with where it was seen)."""

    known: tuple[Known, ...]
    birth_year: int | None = None

    @classmethod
    def from_profile(cls, profile: Profile) -> Identity:
        known: list[Known] = []
        for name in (*profile.names, *profile.aliases):
            known.append(Known(kind=TieKind.NAME, value=name))
        for kind, values in (
            (TieKind.EMAIL, profile.emails),
            (TieKind.PHONE, profile.phones),
            (TieKind.HANDLE, profile.handles),
            (TieKind.DOMAIN, profile.domains),
            (TieKind.AFFILIATION, profile.affiliations),
        ):
            known.extend(Known(kind=kind, value=value) for value in values)
        known.extend(_city(loc) for loc in profile.locations if loc.city.strip())
        known.extend(profile.learned)
        return cls(_distinct(known), profile.birth_year)

    def of(self, kind: TieKind) -> tuple[Known, ...]:
        return tuple(k for k in self.known if k.kind is kind and k.value)


def _distinct(known: list[Known]) -> tuple[Known, ...]:
    """Each identifier once (the first origin wins: what the subject gave comes first)."""
    seen: dict[tuple[TieKind, str], Known] = {}
    for item in known:
        seen.setdefault((item.kind, item.text.casefold()), item)
    return tuple(seen.values())


def city_known(location: Location, origin: str = GIVEN) -> Known:
    """A place as a Known city: matched on its city name, told apart by its US state."""
    return Known(
        kind=TieKind.CITY,
        value=str(location),
        origin=origin,
        needle=location.city.strip(),
        region=state_code(location.region),
    )


def _city(location: Location) -> Known:
    return city_known(location)
