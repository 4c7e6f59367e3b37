"""Street addresses and locations: messy real-world formats, and what is not one.

All data is fictional: invented streets and people, 555-01xx numbers, example.* domains.
"""

from __future__ import annotations

import time

import pytest

from scanner.extract import extract_text
from scanner.extract.addresses import find_addresses, find_locations
from scanner.models import Kind


def addresses(text: str) -> list[str]:
    return [e.value for e in find_addresses(text)]


def locations(text: str) -> list[str]:
    return [e.value for e in find_locations(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("48 Elm Street, Springfield, IL 62704", "48 Elm Street, Springfield, IL 62704"),
        ("48 Elm St. Springfield IL 62704", "48 Elm St., Springfield, IL 62704"),
        # ZIP+4 and units: Apt, Suite, #, Unit
        (
            "48 Elm Street Apt 3B, Springfield, IL 62704-1234",
            "48 Elm Street Apt 3B, Springfield, IL 62704-1234",
        ),
        (
            "1200 W 5th Ave Suite 200, Columbus, OH 43212",
            "1200 W 5th Ave Suite 200, Columbus, OH 43212",
        ),
        ("1200 W 5th Ave #204, Columbus, OH 43212", "1200 W 5th Ave # 204, Columbus, OH 43212"),
        ("77 Oak Rd Unit 7, Peoria, IL 61602", "77 Oak Rd Unit 7, Peoria, IL 61602"),
        # full state names, written any case the page shouts in
        ("77 Oak Rd., Peoria, Illinois 61602", "77 Oak Rd., Peoria, IL 61602"),
        ("12 N Main St, New York, New York 10001", "12 N Main St, New York, NY 10001"),
        ("12 N MAIN ST, NEW YORK, NEW YORK 10001", "12 N MAIN ST, NEW YORK, NY 10001"),
        # two and three lines
        ("48 Elm Street\nSpringfield, IL 62704", "48 Elm Street, Springfield, IL 62704"),
        (
            "48 Elm Street\nApt 3B\nSpringfield, IL 62704",
            "48 Elm Street Apt 3B, Springfield, IL 62704",
        ),
        # routes, grids, directionals, Broadway; streets without a house number
        ("2104 State Highway No 70, Lakehurst, NJ 08733", None),
        ("1600 North Highway 64, Springfield, MO 65802", None),
        ("4300 West 5400 South, Kearns, UT 84118", None),
        ("1619 Broadway, New York, NY 10019", None),
        ("Pineville Road, Buena Vista, GA 31803", None),
        ("Route 16, North Conway, NH 03860", None),
        ("Anchor Inn Road, Round Pond, ME 04564", None),
    ],
)
def test_us_addresses(text: str, expected: str | None) -> None:
    assert addresses(text) == [expected or text]


def test_address_in_prose_starts_at_its_house_number() -> None:
    text = "Call 217-555-0142 or visit us at 48 Elm Street, Springfield, IL 62704 today."
    (found,) = find_addresses(text)
    assert text[found.start : found.end] == "48 Elm Street, Springfield, IL 62704"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Address: 12 Rue de la Paix, 75002 Paris", "12 Rue de la Paix, 75002 Paris"),
        (
            "She lives at 221B Example Street, London NW1 6XE. Call her.",
            "221B Example Street, London NW1 6XE",
        ),
        ("Ship to: Via Roma 131, 00184 Roma", "Via Roma 131, 00184 Roma"),
        (
            "Please update my address to 5 Example Lane, Exampleton 4021",
            "5 Example Lane, Exampleton 4021",
        ),
        ("My home address is Hauptstraße 5, 10115 Berlin.", "Hauptstraße 5, 10115 Berlin"),
        (
            "Address:\n12 Example Road\nFlat 4\nExampletown\nEX1 2AB\nPhone: 01632 960123",
            "12 Example Road, Flat 4, Exampletown, EX1 2AB",
        ),
        (
            "Please return to 12 Example Road\nExampletown, EX 40210 in case of a problem.",
            "12 Example Road, Exampletown, EX 40210",
        ),
        ("Address: PSC 1234, Box 5678\nAPO AE 09001", "PSC 1234, Box 5678, APO AE 09001"),
    ],
)
def test_labelled_addresses_anywhere(text: str, expected: str) -> None:
    assert addresses(text) == [expected]


def test_address_block_without_a_cue() -> None:
    text = "Jane Example\n\n48 Example Road\nSuite 12\nExampleville\nExampleland 10234\n"
    assert addresses(text) == ["48 Example Road, Suite 12, Exampleville, Exampleland 10234"]
    one_line = "Jane Example\n9 Via Esempio 30 Suite 7, Esempiopoli, Exampleland 00336\n"
    assert addresses(one_line) == ["9 Via Esempio 30 Suite 7, Esempiopoli, Exampleland 00336"]


@pytest.mark.parametrize(
    "text",
    [
        "Get your kicks on Route 66",
        "Route 66 Diner, open late",
        "48 Elm Street",  # no city, state or ZIP and no cue
        "1 of 2 Main Street results",
        "PO Box 1234, Springfield, IL 62704",  # a mailbox, not a home
        "Address: P.O. Box 77, Exampletown 40210",
        "Only $1,299.99, or 12 payments of $45",
        "Meeting on 2024-03-04 at 10:30, then 03/04/2024",
        "Phone 217-555-0142, fax 217-555-0199",
        "He climbed the 36 steps of Elm Street",
        "moved to 3 different cities",
        "lives in 2 rooms above the shop",
        "Address: see below",
        "IP address: 192.0.2.10",
        "Email address: jane@example.com",
        "Moved to March 2020 Edition",
    ],
)
def test_not_addresses(text: str) -> None:
    assert addresses(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lives in Springfield, IL", ["Springfield, IL"]),
        ("Location: Austin, Texas", ["Austin, TX"]),
        ("Jane is based in Portland, OR and works remotely", ["Portland, OR"]),
        ("We moved here from Kenosha", ["Kenosha"]),
        ("I'm originally from Villafranca del Cid", ["Villafranca del Cid"]),
        ("Hometown: Springfield", ["Springfield"]),
        ("Madison, Wisconsin", ["Madison, WI"]),
        ("Sent from Springfield, IL 62704", ["Springfield, IL"]),  # no street: a location
        ("PO Box 1234, Springfield, IL 62704", ["Springfield, IL"]),
        ("ZIP: 62704", ["62704"]),
        ("Postcode: SW1A 1AA", ["SW1A 1AA"]),
        ("addressLocality: Springfield", ["Springfield"]),  # JSON-LD, as html_to_text writes it
    ],
)
def test_locations(text: str, expected: list[str]) -> None:
    assert locations(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Hello, OK",  # OK is a word before it is a state
        "Smith, Virginia",  # and Virginia a given name
        "I'm in Love with it",
        "born in May 1988",
        "Located in Appendix D",
        "lives in fear",
        "grew up in a small town",
        "Version 2.0, build 62704",
    ],
)
def test_not_locations(text: str) -> None:
    assert locations(text) == []


def test_parts_of_an_address_are_not_details_of_their_own() -> None:
    text = "Home: 48 Elm Street Apt 3B, Springfield, IL 62704-1234"
    found = extract_text(text)
    assert [(e.kind, e.value) for e in found] == [
        (Kind.HOME_ADDRESS, "48 Elm Street Apt 3B, Springfield, IL 62704-1234")
    ]


def test_a_zip_inside_a_phone_is_not_a_location() -> None:
    found = extract_text("Phone: 217-555-0142, ZIP 62704")
    assert [(e.kind, e.value) for e in found] == [
        (Kind.PHONE, "+12175550142"),
        (Kind.LOCATION, "62704"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "12 Elm " * 20_000 + "IL 62704",
        "IL 62704 " * 20_000,
        "Address: 1 A\n" * 10_000,
        "Lives in " * 20_000,
        "1 Aa Street, Bb, IL 62704 " * 4_000,
        "Aa, IL " * 20_000,
    ],
)
def test_hostile_text_stays_linear(text: str) -> None:
    begin = time.perf_counter()
    find_addresses(text)
    find_locations(text)
    assert time.perf_counter() - begin < 10  # ~100 kB: well under a second when linear


# --- address fields in layouts, intersections, Spanish (issue 20) ------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a table row and a <dl> line as html_to_text writes them
        ("Address | 12 Rue de la Paix, 75002 Paris | since 2019", "12 Rue de la Paix, 75002 Paris"),
        ("Home address\n12 Rue de la Paix, 75002 Paris", "12 Rue de la Paix, 75002 Paris"),
        # the clause before a colon belongs to the cue
        ("Please change my address to the new one: Via Roma 131, 00184 Roma",
         "Via Roma 131, 00184 Roma"),
        # an intersection, as people give where they live
        ("She lives at the corner of Elm Street and 5th Avenue.",
         "the corner of Elm Street and 5th Avenue"),
        ("Address: the corner of ul. Przykładowa 12 and Example Road",
         "the corner of ul. Przykładowa 12 and Example Road"),
        # a street word repeated after a complete street
        ("He lives on Rua Exemplo 50 street.", "Rua Exemplo 50"),
        ("The bus drops you off at 90 Example Road St.", "90 Example Road"),
        # Spanish
        ("Dirección: Calle Mayor 5, 28013 Madrid", "Calle Mayor 5, 28013 Madrid"),
        ("Domicilio | Avenida Ejemplo 120, 44100 Guadalajara",
         "Avenida Ejemplo 120, 44100 Guadalajara"),
        ("Mi dirección es Calle Ejemplo 12, 08001 Barcelona.", "Calle Ejemplo 12, 08001 Barcelona"),
        ("Vivo en Calle Ejemplo 12, 08001 Barcelona.", "Calle Ejemplo 12, 08001 Barcelona"),
    ],
)  # fmt: skip
def test_labelled_addresses_in_layouts(text: str, expected: str) -> None:
    assert addresses(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Address | Phone | Email",  # a header row
        "the address | 12 Example Road",  # not a label at the start of its row
        "at the corner of the room and the window",  # no street names
        "Vivo en Madrid desde 2010",  # a city, not an address
        "Dirección: ver abajo",
        "Apple Street Pie, $4.50",
    ],
)
def test_not_addresses_in_layouts(text: str) -> None:
    assert addresses(text) == []


@pytest.mark.parametrize(
    "text",
    ["Address | " * 10_000, "the corner of " * 8_000, "Dirección\n" * 10_000],
)
def test_new_cues_stay_linear(text: str) -> None:
    begin = time.perf_counter()
    find_addresses(text)
    assert time.perf_counter() - begin < 10
