"""Street addresses: US ones checked by usaddress, and labelled ones anywhere.

    find_addresses(text) -> list[Extracted]    # Kind.HOME_ADDRESS
    find_locations(text) -> list[Extracted]    # Kind.LOCATION (from places)

The work is in three modules: addresses_us (US street addresses), addresses_labelled
(labelled addresses, any country) and places (cities, states, postcodes). This module
joins the first two and keeps the names callers import from here.
"""

from __future__ import annotations

from scanner.extract.addresses_labelled import find_labelled_addresses
from scanner.extract.addresses_us import find_us_addresses
from scanner.extract.base import Extracted
from scanner.extract.places import find_locations

__all__ = ["find_addresses", "find_labelled_addresses", "find_locations", "find_us_addresses"]


def _overlaps(item: Extracted, spans: list[Extracted]) -> bool:
    return any(item.start < other.end and other.start < item.end for other in spans)


def find_addresses(text: str) -> list[Extracted]:
    """Street addresses in text: US ones, then labelled ones that do not overlap them."""
    us = find_us_addresses(text)
    labelled = [e for e in find_labelled_addresses(text) if not _overlaps(e, us)]
    return sorted(us + labelled, key=lambda e: e.start)
