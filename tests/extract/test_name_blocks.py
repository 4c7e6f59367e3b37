"""Names that layouts give away: address blocks with the company either side of the name,
contact cards and résumé heads, and lines that only look like them.

The layouts are how letters, envelopes, résumés and staff cards are set out; every person
and organisation is invented.
"""

from __future__ import annotations

import time

import pytest

from scanner.extract import extract_text
from scanner.extract.name_blocks import find_card_names, find_names_above
from scanner.models import Kind


def above(text: str, street: str) -> list[tuple[Kind, str]]:
    return [(e.kind, e.value) for e in find_names_above(text, [text.index(street)])]


def test_company_above_the_name_as_business_mail_is_addressed() -> None:
    text = "Example Widgets Ltd\nAvery Sample\n12 Example Road\nFlat 4\nExampletown\nEX1 2AB"
    assert above(text, "12 Example") == [
        (Kind.REAL_NAME, "Avery Sample"),
        (Kind.EMPLOYER, "Example Widgets Ltd"),
    ]


def test_company_between_name_and_street() -> None:
    text = "Avery Sample\nHarborview\n48 Elm Street\nApt 3B\nSpringfield, IL 62704"
    assert above(text, "48 Elm") == [
        (Kind.REAL_NAME, "Avery Sample"),
        (Kind.EMPLOYER, "Harborview"),
    ]


def test_two_people_above_an_address_are_not_a_company() -> None:
    text = "Casey Sample\nAvery Sample\n48 Elm Street\nSpringfield, IL 62704"
    assert above(text, "48 Elm") == [(Kind.REAL_NAME, "Avery Sample")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a résumé head: name, title, contact lines (blank lines between are layout)
        ("Avery Sample\n\nRegistered Nurse\n\nPhone: (217) 555-0142\nEmail: avery@example.com",
         ["Avery Sample"]),
        # a staff card
        ("Intro text here.\n\nMorgan Example\nBranch Librarian\nmorgan@example.org",
         ["Morgan Example"]),
        # a signature-like card with a phone line
        ("Casey Q. Sample\nExample Widgets\n+1 217 555 0142", ["Casey Q. Sample"]),
        # Spanish labels
        ("Lucía Ejemplo Ruiz\nTeléfono: 612 34 56 78", ["Lucía Ejemplo Ruiz"]),
    ],
)  # fmt: skip
def test_card_names(text: str, expected: list[str]) -> None:
    assert [e.value for e in find_card_names(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Contact Us\n\nPhone: (217) 555-0142",
        "Opening Hours\nPhone: (217) 555-0142",
        "Customer Service\nEmail: help@example.com",
        "Clinical Note\n\nDate: 05/22/2024\nSeen by NPI 7048113014 today",
        "Main Street Bakery\nPhone: (217) 555-0142",  # an organisation, not a person
        "Avery Sample\nwrote a long post about gardening\nand nothing else",  # no contact line
        "The weather was fine.\nAvery Sample\nPhone: 217-555-0142",  # not a card's head
    ],
)
def test_not_card_names(text: str) -> None:
    assert find_card_names(text) == []


def test_card_name_through_extract_text() -> None:
    text = "Avery Sample\nRegistered Nurse\navery@example.com"
    names = [e.value for e in extract_text(text) if e.kind is Kind.REAL_NAME]
    assert names == ["Avery Sample"]


@pytest.mark.parametrize("text", ["Aa Bb\n\n" * 15_000, "\n\nAa Bb\nPhone: 1\n" * 8_000])
def test_hostile_text_stays_linear(text: str) -> None:
    begin = time.perf_counter()
    find_card_names(text)
    assert time.perf_counter() - begin < 10
