"""Places: how people say where they live or come from, page layouts, profile fields and
Spanish labels, and what stays out.

Every sentence here is written for this test in everyday phrasing; the places are real
or invented towns, the people invented.
"""

from __future__ import annotations

import time

import pytest

from scanner.extract import extract_html, extract_text
from scanner.extract.places import find_locations
from scanner.models import Kind


def locations(text: str) -> list[str]:
    return [e.value for e in find_locations(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # prose
        ("We live near Hyde Park, so the walk is short", "Hyde Park"),
        ("grew up near Lake Placid", "Lake Placid"),
        ("I'm from Austin and I miss the tacos", "Austin"),
        ("She's originally from Boise, Idaho.", "Boise, ID"),
        ("he is from Duluth", "Duluth"),
        ("They came from Fresno in 2012", "Fresno"),
        ("a native of Tulsa, she studied law", "Tulsa"),
        ("born and raised in Spokane", "Spokane"),
        # labelled fields: colon, table row, <dl> line, JSON keys of public profile APIs
        ("Location: Springfield, IL", "Springfield, IL"),
        ("Location | Springfield, IL | 2021", "Springfield, IL"),
        ("Lives in\nExampleville", "Exampleville"),
        ("Hometown | Cedar Falls", "Cedar Falls"),
        ('{"login": "jdoe", "location": "Austin, TX", "bio": ""}', "Austin, TX"),
        ('"city": "Madison"', "Madison"),
        ("Current city: Eau Claire", "Eau Claire"),
        ("Birthplace: Fargo", "Fargo"),
        # Spanish prose and labels
        ("Vive en Sevilla con su familia", "Sevilla"),
        ("soy de Monterrey", "Monterrey"),
        ("Nació en Guadalajara en 1990", "Guadalajara"),
        ("nos mudamos a Valparaíso", "Valparaíso"),
        ("Vive en: Bilbao", "Bilbao"),
        ("Ciudad | Valencia", "Valencia"),
        ("Ubicación: Ciudad de México", "Ciudad de México"),
        ("Lugar de residencia: Rosario", "Rosario"),
    ],
)
def test_places(text: str, expected: str) -> None:
    assert locations(text) == [expected]


def test_definition_list_from_html() -> None:
    page = "<dl><dt>Hometown</dt><dd>Cedar Falls</dd><dt>Age</dt><dd>34</dd></dl>"
    found = [(e.kind, e.value) for e in extract_html(page)]
    assert (Kind.LOCATION, "Cedar Falls") in found
    assert (Kind.AGE, "34") in found


@pytest.mark.parametrize(
    "text",
    [
        "Name | Location | Company",  # a table's header row
        "Location\nWe are open every day",
        "From: Jane Example <jane@example.com>",  # an email header, not a place
        "the email is from Google",
        "I'm from the future",
        "Nació en 1987",  # a year: a birth date, not a place
        "vive en la calle",  # lower case: no place
    ],
)
def test_not_places(text: str) -> None:
    assert locations(text) == []


def test_street_name_inside_an_address_is_not_a_place() -> None:
    found = extract_text("She lives at 48 Hyde Park Road, Springfield, IL 62704")
    assert [e.value for e in found if e.kind is Kind.LOCATION] == []
    assert [e.kind for e in found if e.kind is Kind.HOME_ADDRESS] == [Kind.HOME_ADDRESS]


@pytest.mark.parametrize(
    "text",
    [
        "lives near " * 10_000,
        "Location | " * 10_000,
        "soy de " * 15_000,
        "she is from Aa " * 8_000,
    ],
)
def test_hostile_text_stays_linear(text: str) -> None:
    begin = time.perf_counter()
    find_locations(text)
    assert time.perf_counter() - begin < 10
