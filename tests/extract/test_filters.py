"""The false-positive predicates on their own."""

from __future__ import annotations

import pytest

from scanner.extract.filters import (
    Label,
    is_asset_email,
    is_ip_address,
    is_number_fragment,
    label_of,
)


@pytest.mark.parametrize(
    ("local", "domain", "expected"),
    [
        ("logo", "2x.png", True),
        ("hero", "1.5x.webp", True),
        ("icon.svg", "example.com", True),
        ("jane", "example.com", False),
        ("jane", "example.zip", False),  # .zip is a real TLD
    ],
)
def test_is_asset_email(local: str, domain: str, expected: bool) -> None:
    assert is_asset_email(local, domain) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Phone: 2175550142", Label.PHONE),
        ("Tel.\n2175550142", Label.PHONE),
        ("2175550142 (fax)", Label.PHONE),
        ("Order #2175550142", Label.ID),
        ("MRN 2175550142", Label.ID),
        ("Customer phone: 2175550142", Label.PHONE),
        ("Seen 2175550142", Label.NONE),
        ("ID 99\n2175550142", Label.NONE),  # a number ends the previous label's reach
        ("2175550142\nPhone: 1", Label.NONE),  # the next line's label is not ours
    ],
)
def test_label_of(text: str, expected: Label) -> None:
    start = text.index("2175550142")
    assert label_of(text, start, start + 10) is expected


def test_is_ip_address() -> None:
    text = "host 192.168.100.200 and 217.555.0142."
    assert is_ip_address(text, 5, 20)
    assert is_ip_address(text, 9, 20)  # part of the quad
    assert not is_ip_address(text, 25, 37)


@pytest.mark.parametrize(
    ("text", "raw", "expected"),
    [
        ("0393 1144137", "1144137", True),
        ("EN3948405", "3948405", True),
        ("20230302-15:30:00", "20230302-15", True),
        ("217-555-0142 ok", "217-555-0142", False),
        ("(217) 555-0142.", "217) 555-0142", False),
        ("IL 62704 (217) 555-0142", "(217) 555-0142", False),  # opens a number of its own
        ("IL 62704 +1 217 555 0142", "+1 217 555 0142", False),
        ("IL 62704 217 555 0142", "217 555 0142", True),  # could continue the ZIP
    ],
)
def test_is_number_fragment(text: str, raw: str, expected: bool) -> None:
    start = text.index(raw)
    assert is_number_fragment(text, start, start + len(raw)) is expected
