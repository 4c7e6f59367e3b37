"""Relatives and real names: only where a cue makes a capitalised pair a person.

All names are invented.
"""

from __future__ import annotations

import time

import pytest

from scanner.extract.names import (
    find_names,
    find_names_above,
    find_real_names,
    find_relatives,
)
from scanner.models import Kind


def relatives(text: str, subject: tuple[str, ...] = ()) -> list[str]:
    return [e.value for e in find_relatives(text, subject)]


def real_names(text: str) -> list[str]:
    return [e.value for e in find_real_names(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Relatives: Casey Sample, Jordan Q. Sample", ["Casey Sample", "Jordan Q. Sample"]),
        ("Possible Relatives: Casey Sample; Morgan Example", ["Casey Sample", "Morgan Example"]),
        ("Related to Casey Sample and Morgan Example", ["Casey Sample", "Morgan Example"]),
        ("Relatives: Casey Sample, 62, Jordan Sample (Age 35)", ["Casey Sample", "Jordan Sample"]),
        ("Associated persons: Riley EXAMPLE, Sam O'Testwell", ["Riley EXAMPLE", "Sam O'Testwell"]),
        ("Family members:\n- Casey Sample\n- Jordan Sample Jr",
         ["Casey Sample", "Jordan Sample Jr"]),
        ("Relatives\nCasey Sample\nJordan Sample\n\nPhone: 217-555-0142",
         ["Casey Sample", "Jordan Sample"]),
        ("Relatives: Casey Sample. Lives in Springfield.", ["Casey Sample"]),
        ("Relatives: Zoë Łukasiewicz, Ορέστης Παπαδόπουλος",
         ["Zoë Łukasiewicz", "Ορέστης Παπαδόπουλος"]),
        ("Relatives: None Listed", []),
        ("Relatives: View All", []),
        ("Relatives include 4 people", []),
        ("relatives are welcome to visit", []),  # no colon, not capitalised, not alone
    ],
)  # fmt: skip
def test_relatives(text: str, expected: list[str]) -> None:
    assert relatives(text) == expected


def test_the_subject_is_not_her_own_relative() -> None:
    text = "Relatives: Avery Sample, Casey Sample"
    assert relatives(text, ("Avery  Sample",)) == ["Casey Sample"]


def test_two_sections_on_consecutive_lines() -> None:
    text = "Relatives: Casey Sample\nAssociated persons: Riley Example, Sam Testwell"
    assert relatives(text) == ["Casey Sample", "Riley Example", "Sam Testwell"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Name: Avery Sample", ["Avery Sample"]),
        ("Full name: Avery Q. Sample\nPhone: 217-555-0142", ["Avery Q. Sample"]),
        ("**Applicant Name:** Avery Sample", ["Avery Sample"]),
        ("First Name: Avery\nLast Name: Sample", ["Avery", "Sample"]),
        ("Insured Name: Avery Sample, Coverage: full", ["Avery Sample"]),
        ("Patient: Dr. Avery Sample", ["Avery Sample"]),
        ("Dear Ms. Sample,", ["Sample"]),
        ("Dear Avery Sample,\nThank you", ["Avery Sample"]),
        ("Hi Avery, thanks for writing", ["Avery"]),
        ("Sincerely,\nAvery Sample\nExample Widgets", ["Avery Sample"]),
        ("My name is Avery Sample and I live here", ["Avery Sample"]),
        ("What's your name? Avery Sample", ["Avery Sample"]),
        ("Called Dr. Morgan Example today", ["Morgan Example"]),
        ("Written by Avery Sample", ["Avery Sample"]),
        ("Avery Sample, Age 38, Springfield IL", ["Avery Sample"]),
        ("Avery Q Sample (38)", ["Avery Q Sample"]),
        ("Avery Sample was born in 1987", ["Avery Sample"]),
        ("Avery Sample lives in Springfield", ["Avery Sample"]),
        ("Yesterday Avery Sample works at the shop", ["Avery Sample"]),
        ("From: Avery Sample <avery@example.com>", ["Avery Sample"]),
        ("Also known as: Avery Sample-Jones, Avery Jones", ["Avery Sample-Jones", "Avery Jones"]),
        ("AKA: Avery van der Sample", ["Avery van der Sample"]),
    ],
)
def test_real_names(text: str, expected: list[str]) -> None:
    assert real_names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Main Street and Acme Widgets are great",  # capitalised, but no cue
        "Company Name: Acme Widgets",
        "File name: Report Final",
        "Name: Jane",  # one word after a plain "Name:" is too thin
        "Name: Example Holdings Inc",  # an organisation
        "Dear Customer,",
        "Dear Valued Member,",
        "Thanks,\nThe Example Team",
        "Minimum age 21",
        "Hello, this is great",
        "48 Elm Dr Springfield",  # Dr is a street suffix here
        "He was born in 1987",
        "Name: Avery Sample is our new hire",  # prose after the label, not a field
        "my name is not important",
    ],
)
def test_not_real_names(text: str) -> None:
    assert real_names(text) == []


def test_span_excludes_the_honorific() -> None:
    text = "Patient: Dr. Avery Sample"
    (found,) = find_real_names(text)
    assert text[found.start : found.end] == "Avery Sample"


def test_names_above_an_address() -> None:
    text = "Avery Sample\nExample Widgets Ltd\n12 Example Road\nFlat 4\nExampletown\nEX1 2AB"
    found = find_names_above(text, [text.index("12 Example")])
    assert [(e.kind, e.value) for e in found] == [
        (Kind.REAL_NAME, "Avery Sample"),
        (Kind.EMPLOYER, "Example Widgets Ltd"),
    ]
    blank_line = "Avery Sample\n\n48 Elm Street\nApt 3B\nSpringfield, IL 62704"
    (name,) = find_names_above(blank_line, [blank_line.index("48")])
    assert name.value == "Avery Sample"
    mid_line = "Deliver to 48 Elm Street"
    assert find_names_above(mid_line, [mid_line.index("48")]) == []
    not_a_name = "Shipping label\n48 Elm Street"
    assert find_names_above(not_a_name, [not_a_name.index("48")]) == []


def test_find_names_has_both_kinds() -> None:
    text = "Name: Avery Sample\nRelatives: Casey Sample"
    assert [(e.kind, e.value) for e in find_names(text)] == [
        (Kind.REAL_NAME, "Avery Sample"),
        (Kind.RELATIVE, "Casey Sample"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Aa Bb " * 20_000,
        "Relatives: " + "Aa Bb, " * 15_000,
        "Relatives: " * 10_000,
        "Name: " * 20_000,
        "Dear " * 20_000,
        "Aa Bb, age 38 " * 8_000,
        "Aa Bb was born " * 8_000,
        "Mr. " * 25_000,
        "Sincerely,\n" * 10_000,
    ],
)
def test_hostile_text_stays_linear(text: str) -> None:
    begin = time.perf_counter()
    find_names(text)
    assert time.perf_counter() - begin < 10  # ~100 kB: well under a second when linear


# --- how people write about and to each other, layouts, Spanish (issue 20) --------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # fields as table cells and <dl> lines, more form labels, a letter's header
        ("Name | Avery Sample | 34", ["Avery Sample"]),
        ("Full name\nAvery Sample", ["Avery Sample"]),
        ("**Customer:** Avery Sample", ["Avery Sample"]),
        ("Support Agent: Morgan Example", ["Morgan Example"]),
        ("Emergency contact: Casey Sample (sister)", ["Casey Sample"]),
        ("To: Avery Sample, Accounts", ["Avery Sample"]),
        ("Nombre completo: Ana María Ejemplo", ["Ana María Ejemplo"]),
        ("Nombre | Lucía Ejemplo Ruiz", ["Lucía Ejemplo Ruiz"]),
        ("Apellidos: Ejemplo Ruiz", ["Ejemplo Ruiz"]),
        # titles of office and rank, occupations in apposition (full names only)
        ("Senator Avery Sample voted no", ["Avery Sample"]),
        ("Sgt. Morgan Example took the report", ["Morgan Example"]),
        ("the novel by poet Avery Sample and publisher Morgan Example",
         ["Avery Sample", "Morgan Example"]),
        ("Sra. Ejemplo llamó ayer", ["Ejemplo"]),
        # greetings and sign-offs, in English and Spanish
        ("Good morning, Avery. The files are attached.", ["Avery"]),
        ("Estimada Lucía:\nLe escribo para", ["Lucía"]),
        ("Hola Ana, ¿qué tal?", ["Ana"]),
        ("Atentamente,\nLucía Ejemplo Ruiz", ["Lucía Ejemplo Ruiz"]),
        # introductions and nicknames
        ("My name is Avery Sample but everyone calls me Aves", ["Avery Sample", "Aves"]),
        ("You can call me Mo.", ["Mo"]),
        ("I go by Sam these days", ["Sam"]),
        ("Me llamo Ana Ejemplo y vivo aquí", ["Ana Ejemplo"]),
        ("Mi nombre es Lucía Ruiz", ["Lucía Ruiz"]),
        # memorials, sources, news style
        ("In loving memory of Avery Sample, 1941-2020", ["Avery Sample"]),
        ("A tribute to Morgan Example, who taught here for 30 years", ["Morgan Example"]),
        ("according to Avery Sample, the road closed at noon", ["Avery Sample"]),
        ("Avery Sample said the road closed at noon", ["Avery Sample"]),
        ("Avery Sample, 38, of Springfield, was hired", ["Avery Sample"]),
    ],
)  # fmt: skip
def test_real_names_in_prose_and_layouts(text: str, expected: list[str]) -> None:
    assert real_names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Name | Age | City",  # a table's header row
        "Name | Company Name | Phone",
        "the name | Avery Sample",  # a label inside a row, not starting it
        "Police said the road closed",  # one word before a reporting verb
        "Google Maps\nthe app said so",
        "Sr. Software Engineer at Example Corp",  # "Sr." is senior here
        "Chief Executive Officer",
        "Principal Component Analysis",
        "Call me maybe",
        "call me at 217-555-0142",
        "In memory of our Team",
        "Good morning, everyone.",
        "Dear Customer Service,",
        "Apples, 34, and pears",
    ],
)
def test_not_real_names_in_prose_and_layouts(text: str) -> None:
    assert real_names(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Name | " * 15_000,
        "Senator " * 15_000,
        "poet Aa " * 15_000,
        "in loving memory of " * 5_000,
        "Aa Bb said " * 10_000,
        "Aa Bb, 38, of " * 8_000,
        "everyone calls me " * 5_000,
    ],
)
def test_new_cues_stay_linear(text: str) -> None:
    begin = time.perf_counter()
    find_names(text)
    assert time.perf_counter() - begin < 10
