"""The identity grows: what a sighting strongly tied to the subject adds to what is known.

    learned = learn(observations, identity)      # new Known identifiers, each with its origin
    year = birth_year_of(observations)           # from a strongly tied age or birth date

Only sightings that carry a strong tie (an email, phone, handle, domain or the name on an
account of theirs: Tie.weak is False) at LEARN_FROM confidence or more teach anything: a
city on a people-search card tied only by the city teaches nothing, or one wrong guess
would feed the next. What is learned: emails, phones, usernames, own domains (a website
that is not a platform's), cities ("Madison, WI": the city, told apart by its state) and
employers or schools. Names are not learned (a commit or a card names other people too).
The origin of each is the page it was seen on, so every later reason can say where a tie
came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from urllib.parse import urlsplit

from scanner.correlate import state_code
from scanner.identity.ties import Identity, city_known
from scanner.models import Kind, Known, Location, Observation, TieKind

LEARN_FROM = 0.7  # the lowest confidence a sighting may have and still teach
LEARNED_KINDS: dict[Kind, TieKind] = {
    Kind.EMAIL: TieKind.EMAIL,
    Kind.PHONE: TieKind.PHONE,
    Kind.USERNAME: TieKind.HANDLE,
    Kind.WEBSITE: TieKind.DOMAIN,
    Kind.LOCATION: TieKind.CITY,
    Kind.EMPLOYER: TieKind.AFFILIATION,
    Kind.SCHOOL: TieKind.AFFILIATION,
}
MAX_AGE_SPREAD = 2  # tied ages further apart than this are not one person's: learn none


def teaches(observation: Observation) -> bool:
    """Whether a sighting is tied strongly enough to add to the identity."""
    if observation.confidence < LEARN_FROM:
        return False
    return any(not tie.weak for tie in observation.ties)


def learn(observations: Iterable[Observation], identity: Identity) -> tuple[Known, ...]:
    """What these sightings add to `identity`: each new identifier once, in order."""
    have = {(k.kind, k.text.casefold()) for k in identity.known}
    found: list[Known] = []
    for observation in observations:
        if not teaches(observation):
            continue
        known = _known(observation)
        if known is None or (known.kind, known.text.casefold()) in have:
            continue
        have.add((known.kind, known.text.casefold()))
        found.append(known)
    return tuple(found)


def _known(observation: Observation) -> Known | None:
    kind = LEARNED_KINDS.get(observation.kind)
    value = observation.value.strip()
    if kind is None or not value:
        return None
    origin = _origin(observation.source.url)
    if kind is TieKind.CITY:
        return _city(value, origin)
    if kind is TieKind.DOMAIN:
        from scanner.sources.base import personal_domain

        domain = personal_domain(value)
        return Known(kind=kind, value=domain, origin=origin) if domain else None
    if kind is TieKind.HANDLE and (len(value) < 4 or " " in value):
        return None
    return Known(kind=kind, value=value, origin=origin)


def _city(value: str, origin: str) -> Known | None:
    """ "Madison, WI" / "Madison, Wisconsin, USA" as a city told apart by its state."""
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts or any(ch.isdigit() for ch in parts[0]) or len(parts[0]) > 40:
        return None
    region = parts[1] if len(parts) > 1 else ""
    if region and not state_code(region):
        region = region.split()[0] if state_code(region.split()[0]) else region
    return city_known(Location(parts[0], region), origin)


def _origin(url: str) -> str:
    """Where a tie was seen, as a short address: "github.com/tbrennecke"."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}" if host else url


def birth_year_of(observations: Iterable[Observation], today: date | None = None) -> int | None:
    """The birth year strongly tied ages and birth dates agree on (None: none, or they
    disagree by more than MAX_AGE_SPREAD years)."""
    year_now = (today or date.today()).year
    years: list[int] = []
    for observation in observations:
        if not teaches(observation):
            continue
        value = observation.value.strip()
        if observation.kind is Kind.AGE and value.isdigit() and 0 < int(value) < 120:
            years.append(year_now - int(value))
        elif observation.kind is Kind.BIRTHDATE and value[:4].isdigit():
            years.append(int(value[:4]))
    if not years or max(years) - min(years) > MAX_AGE_SPREAD:
        return None
    return min(years)  # an age says "born this year or the one before": the earlier fits both
