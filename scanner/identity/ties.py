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
from scanner.models import GIVEN, NOUN, STRENGTH, Location, Profile, Strength, Tie, TieKind

__all__ = ["GIVEN", "NOUN", "STRENGTH", "Identity", "Known", "Strength", "Tie", "TieKind"]


@dataclass(frozen=True, kw_only=True)
class Known:
    """One identifier known to be the subject's, and where that is known from."""

    kind: TieKind
    value: str  # as reasons show it ("Springfield, IL")
    origin: str = GIVEN  # "you gave it", or the page that tied it to the subject
    needle: str = ""  # what a page must show, when not the value (a city's name alone)
    region: str = ""  # a US city's state code ("IL"): another state is another city

    @property
    def text(self) -> str:
        """What a page must show for this to tie."""
        return self.needle or self.value


@dataclass(frozen=True)
class Identity:
    """Everything known to be the subject's (for now: what the profile gives)."""

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
        return cls(tuple(known), profile.birth_year)

    def of(self, kind: TieKind) -> tuple[Known, ...]:
        return tuple(k for k in self.known if k.kind is kind and k.value)


def _city(location: Location) -> Known:
    return Known(
        kind=TieKind.CITY,
        value=str(location),
        needle=location.city.strip(),
        region=state_code(location.region),
    )
