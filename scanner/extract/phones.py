"""Phone numbers: phonenumbers' matcher, then filters, values in E.164.

The matcher runs at `Leniency.POSSIBLE` (right length for the region). A match is kept
when it is:

- a *valid* number (a real, assigned range for its country), unless the words before it
  call it an identifier ("Order #", "NPI", "MRN", "Account") — or
- a *possible* but not valid number that a phone word labels ("Phone:", "call me on",
  "… fax", "… mobile"): numbers written in another country's local format, or without
  an area code, are only trusted when the text says they are phone numbers.

Dotted quads (IP addresses) and fragments of longer numbers are always dropped. Numbers
with a leading "+" are read in their own country whatever `region` is; the others in
`region`. Values are E.164 as phonenumbers formats them ("+12175550142"); a local number
without an area code keeps its country code and local digits ("+14673395").
"""

from __future__ import annotations

from collections.abc import Iterator

import phonenumbers
from phonenumbers import Leniency, PhoneNumber, PhoneNumberFormat, PhoneNumberMatcher

from scanner.extract.base import Extracted, make
from scanner.extract.filters import Label, is_ip_address, is_number_fragment, label_of
from scanner.models import Kind

MAX_TRIES = 65_535  # phonenumbers' own cap on candidates per text: bounds hostile input


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


def find_phones(text: str, region: str = "US") -> list[Extracted]:
    """Phone numbers in text, E.164 values, in order of appearance."""
    found: list[Extracted] = []
    for start, end, number in _matches(text, region):
        if _keep(text, start, end, number):
            value = phonenumbers.format_number(number, PhoneNumberFormat.E164)
            found.append(make(Kind.PHONE, value, text, start, end))
    return found
