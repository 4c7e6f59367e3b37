"""extract_text / extract_html: every extractor over one text, merged and ordered."""

from __future__ import annotations

from bisect import bisect_right

from scanner.extract.base import Extracted
from scanner.extract.emails import find_emails
from scanner.extract.html import html_to_text
from scanner.extract.phones import find_phones
from scanner.extract.urls import find_handles, find_urls
from scanner.models import Kind


class _Spans:
    """Sorted, possibly overlapping spans; answers "is this offset inside one?"."""

    def __init__(self, found: list[Extracted]) -> None:
        self._spans = sorted((e.start, e.end) for e in found)
        self._starts = [start for start, _ in self._spans]
        # the furthest end among the spans starting at or before each index
        self._reach: list[int] = []
        for _, end in self._spans:
            self._reach.append(max(end, self._reach[-1]) if self._reach else end)

    def covers(self, start: int, end: int) -> bool:
        i = bisect_right(self._starts, start) - 1
        return i >= 0 and self._reach[i] >= end


def extract_text(text: str, *, region: str = "US") -> list[Extracted]:
    """Emails, phones, URLs and @handles in text, sorted by start, without duplicates.

    `region` (ISO 3166 alpha-2) is how numbers without "+" are read. Phones and handles
    that sit inside a URL or an email ("example.com/2175550142", "x.com/@jane") are
    dropped: they are part of that address, not details of their own.
    """
    urls = find_urls(text)
    emails = find_emails(text)
    containers = _Spans(urls + emails)
    phones = [e for e in find_phones(text, region) if not containers.covers(e.start, e.end)]
    handles = [e for e in find_handles(text) if not containers.covers(e.start, e.end)]
    unique: dict[tuple[Kind, str, int], Extracted] = {}
    for item in emails + phones + urls + handles:
        unique.setdefault((item.kind, item.value, item.start), item)
    return sorted(unique.values(), key=lambda e: (e.start, e.end, e.kind.value))


def extract_html(html: str, *, region: str = "US") -> list[Extracted]:
    """extract_text over html_to_text(html): offsets refer to that text."""
    return extract_text(html_to_text(html), region=region)
