"""extract_text / extract_html: every extractor over one text, merged and ordered."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from scanner.extract.addresses import find_addresses, find_locations
from scanner.extract.base import Extracted
from scanner.extract.emails import find_emails
from scanner.extract.html import html_to_text
from scanner.extract.names import find_names, find_names_above
from scanner.extract.personal import find_personal
from scanner.extract.phones import find_phones
from scanner.extract.urls import find_handles, find_urls
from scanner.models import Kind

# A detail of one of these kinds is dropped when it lies inside a detail of a kind listed
# for it: it is part of that address, email or URL, not a detail of its own ("example.com/
# 2175550142", "ZIP 62704" inside an address, "Springfield, IL" inside an address).
_CONTAINERS: dict[Kind, frozenset[Kind]] = {
    Kind.PHONE: frozenset({Kind.WEBSITE, Kind.EMAIL, Kind.HOME_ADDRESS}),
    Kind.USERNAME: frozenset({Kind.WEBSITE, Kind.EMAIL}),
    Kind.HOME_ADDRESS: frozenset({Kind.WEBSITE, Kind.EMAIL}),
    Kind.LOCATION: frozenset({Kind.WEBSITE, Kind.EMAIL, Kind.HOME_ADDRESS, Kind.PHONE}),
    Kind.AGE: frozenset({Kind.WEBSITE, Kind.EMAIL, Kind.HOME_ADDRESS, Kind.PHONE}),
    Kind.BIRTHDATE: frozenset({Kind.WEBSITE, Kind.EMAIL, Kind.HOME_ADDRESS, Kind.PHONE}),
    Kind.REAL_NAME: frozenset({Kind.WEBSITE, Kind.EMAIL, Kind.RELATIVE, Kind.HOME_ADDRESS}),
    Kind.RELATIVE: frozenset({Kind.WEBSITE, Kind.EMAIL}),
    Kind.EMPLOYER: frozenset({Kind.WEBSITE, Kind.EMAIL, Kind.HOME_ADDRESS}),
    Kind.SCHOOL: frozenset({Kind.WEBSITE, Kind.EMAIL, Kind.HOME_ADDRESS}),
}


class _Spans:
    """Sorted, possibly overlapping spans; answers "is this offset inside one?"."""

    def __init__(self, found: Iterable[Extracted]) -> None:
        self._spans = sorted((e.start, e.end) for e in found)
        self._starts = [start for start, _ in self._spans]
        # the furthest end among the spans starting at or before each index
        self._reach: list[int] = []
        for _, end in self._spans:
            self._reach.append(max(end, self._reach[-1]) if self._reach else end)

    def covers(self, start: int, end: int) -> bool:
        i = bisect_right(self._starts, start) - 1
        return i >= 0 and self._reach[i] >= end


def _drop_contained(found: list[Extracted]) -> list[Extracted]:
    """found without the details that lie inside a container of theirs (see _CONTAINERS)."""
    by_kind: dict[Kind, list[Extracted]] = {}
    for item in found:
        by_kind.setdefault(item.kind, []).append(item)
    spans: dict[frozenset[Kind], _Spans] = {}
    kept = []
    for item in found:
        containers = _CONTAINERS.get(item.kind, frozenset())
        if containers not in spans:
            spans[containers] = _Spans(e for k in containers for e in by_kind.get(k, ()))
        if not spans[containers].covers(item.start, item.end):
            kept.append(item)
    return kept


def extract_text(
    text: str, *, region: str = "US", subject_names: Iterable[str] = ()
) -> list[Extracted]:
    """Every personal detail in text, sorted by start, without duplicates.

    Emails, phones, URLs, @handles, street addresses, city/state locations, dates of birth,
    ages, relatives, employers, schools and (where a cue makes it reliable) real names.
    `region` (ISO 3166 alpha-2) is how numbers without "+" are read. `subject_names` are the
    subject's own names: never reported as relatives. A detail inside another that contains
    it ("example.com/2175550142", a phone or ZIP inside an address) is dropped: it is part
    of that detail, not one of its own.
    """
    names = tuple(subject_names)
    addresses = find_addresses(text)
    found = (
        find_urls(text)
        + find_emails(text)
        + find_phones(text, region)
        + find_handles(text)
        + addresses
        + find_locations(text)
        + find_personal(text)
        + find_names(text, names)
        + find_names_above(text, [e.start for e in addresses])
    )
    unique: dict[tuple[Kind, str, int], Extracted] = {}
    for item in _drop_contained(found):
        unique.setdefault((item.kind, item.value, item.start), item)
    return sorted(unique.values(), key=lambda e: (e.start, e.end, e.kind.value))


def extract_html(
    html: str, *, region: str = "US", subject_names: Iterable[str] = ()
) -> list[Extracted]:
    """extract_text over html_to_text(html): offsets refer to that text."""
    return extract_text(html_to_text(html), region=region, subject_names=subject_names)
