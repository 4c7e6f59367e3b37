"""Phone numbers: phonenumbers' matcher, then filters, values in E.164.

The matcher runs at `Leniency.POSSIBLE` (right length for the region). A match is kept
when it is:

- a *valid* number (a real, assigned range for its country), unless the words before it
  call it an identifier ("Order #", "NPI", "MRN", "Account") — or
- a *possible* but not valid number that a phone word labels ("Phone:", "call me on",
  "… fax", "… mobile"): numbers written in another country's local format, or without
  an area code, are only trusted when the text says they are phone numbers.

A number phonenumbers does not take at all (its length is not possible for the region: a
foreign number written without its country code, "Phone: 88 165 40 96") is still a phone
when a phone word labels it, before it or right after it ("96 228011 office"): 7 to 15
digits in groups, written as people write phone numbers (spaces, dots, dashes, brackets,
an extension "x123"). Its value is what phonenumbers reads in `region`, in E.164 form.

The phone words are those people and page layouts use (English and Spanish: "Phone",
"Tel.", "Teléfono", "Móvil", "Celular", "… office", "… fax"), never a labelled data set's
phrasing. Dates and year ranges after "Work" or "Home" are not phones.

Dotted quads (IP addresses) and fragments of longer numbers are always dropped. Numbers
with a leading "+" are read in their own country whatever `region` is; the others in
`region`. Values are E.164 as phonenumbers formats them ("+12175550142"); a local number
without an area code keeps its country code and local digits ("+14673395").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

import phonenumbers
from phonenumbers import Leniency, PhoneNumber, PhoneNumberFormat, PhoneNumberMatcher

from scanner.extract.base import Extracted, make
from scanner.extract.filters import (
    Label,
    has_id_label,
    is_ip_address,
    is_number_fragment,
    label_of,
)
from scanner.models import Kind

MAX_TRIES = 65_535  # phonenumbers' own cap on candidates per text: bounds hostile input
MIN_DIGITS, MAX_DIGITS = 7, 15  # a labelled number phonenumbers does not take
# Digit groups as people write a phone number: "88 165 40 96", "(69) 948-538", "0910-5877671",
# with an optional extension. One bounded run per start, matches never overlap: linear.
_DIGIT_GROUPS = re.compile(
    r"(?<![\w+.-])\+?\(?\d[\d \t().-]{5,22}\d(?:[ \t]*(?:x|ext\.?)[ \t]*\d{1,6})?(?![\w@])"
)
# Dates and year ranges are not phones even after "Work" or "Home": "2015-2019", "2021-03-04".
_DATE_LIKE = re.compile(
    r"(?:19|20)\d\d[ \t]*[-–.][ \t]*\d{1,4}(?:[-.]\d{1,2})?|\d{1,2}[-.]\d{1,2}[-.](?:19|20)\d\d"
)
_EXTENSION = re.compile(r"[ \t]*(?:x|ext\.?)[ \t]*\d{1,6}$")


def _matches(text: str, region: str) -> Iterator[tuple[int, int, PhoneNumber]]:
    """(start, end, PhoneNumber) for each possible number in text."""
    matcher = PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE, max_tries=MAX_TRIES)
    for match in matcher:
        yield match.start, match.end, match.number


def _keep(text: str, start: int, end: int, number: PhoneNumber) -> bool:
    if is_ip_address(text, start, end) or is_number_fragment(text, start, end):
        return False
    label = label_of(text, start, end)
    if label is Label.PHONE:
        return True
    return label is Label.NONE and bool(phonenumbers.is_valid_number(number))


def _overlaps_taken(taken: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    """Whether start..end overlaps one of taken (in order, not overlapping each other;
    starts are their starts)."""
    i = bisect_right(starts, start)
    if i > 0 and taken[i - 1][1] > start:
        return True  # a span starting at or before start reaches into it
    return i < len(taken) and taken[i][0] < end


def _labelled(text: str, region: str, taken: list[tuple[int, int]]) -> Iterator[Extracted]:
    """Numbers phonenumbers did not take that a phone word labels (see the module)."""
    starts = [lo for lo, _ in taken]
    for m in _DIGIT_GROUPS.finditer(text):
        start, end = m.span()
        if _overlaps_taken(taken, starts, start, end):
            continue
        number_end = start + len(_EXTENSION.sub("", m.group()))
        digits = sum(c.isdigit() for c in text[start:number_end])
        if not MIN_DIGITS <= digits <= MAX_DIGITS or _DATE_LIKE.fullmatch(m.group()):
            continue
        if is_ip_address(text, start, end) or is_number_fragment(text, start, end):
            continue
        if label_of(text, start, end) is not Label.PHONE or has_id_label(text, start):
            continue
        try:
            number = phonenumbers.parse(text[start:number_end], region)
        except phonenumbers.NumberParseException:
            continue
        value = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        yield make(Kind.PHONE, value, text, start, end)


def find_phones(text: str, region: str = "US") -> list[Extracted]:
    """Phone numbers in text, E.164 values, in order of appearance."""
    found: list[Extracted] = []
    taken: list[tuple[int, int]] = []
    for start, end, number in _matches(text, region):
        taken.append((start, end))
        if _keep(text, start, end, number):
            value = phonenumbers.format_number(number, PhoneNumberFormat.E164)
            found.append(make(Kind.PHONE, value, text, start, end))
    found.extend(_labelled(text, region, taken))
    return sorted(found, key=lambda e: e.start)
