"""Dates of birth, ages, employers and schools: cue words, formats, and look-alikes.

All data is fictional: invented people and organisations.
"""

from __future__ import annotations

import time
from datetime import date

import pytest

from scanner.extract.personal import (
    find_ages,
    find_birthdates,
    find_personal,
    find_work_and_school,
)
from scanner.models import Kind


def birthdates(text: str) -> list[str]:
    return [e.value for e in find_birthdates(text)]


def ages(text: str) -> list[str]:
    return [e.value for e in find_ages(text)]


def work(text: str) -> list[tuple[Kind, str]]:
    return [(e.kind, e.value) for e in find_work_and_school(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("born March 3, 1987", "1987-03-03"),
        ("Born: March 3rd, 1987", "1987-03-03"),
        ("born on 3 March 1987", "1987-03-03"),
        ("born the 3rd of March 1987", "1987-03-03"),
        ("DOB: 03/03/1987", "1987-03-03"),
        ("D.O.B. 3/3/1987", "1987-03-03"),
        ("Date of birth: 1987-03-03", "1987-03-03"),
        ("**Date of Birth:** 25/12/1987", "1987-12-25"),  # day first when it must be
        ("birthdate 12.25.1987", "1987-12-25"),
        ("Born in March 1987", "1987-03"),
        ("born in 1987", "1987"),
        ("Birthday: March 3", "--03-03"),
        ("Birthday: 3 Mar", "--03-03"),
    ],
)
def test_birthdates(text: str, expected: str) -> None:
    assert birthdates(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "© 1987 Example Inc.",
        "Copyright 1999-2024",
        "founded in 1987",
        "born in Springfield",
        "DOB: 02/30/1987",  # no such day
        "born 1850",  # before 1900
        f"born in {date.today().year + 1}",  # in the future
        "Meeting 03/03/1987",
        "newborn 1987",
    ],
)
def test_not_birthdates(text: str) -> None:
    assert birthdates(text) == []


def test_birthdate_span_is_the_date() -> None:
    text = "Jane was born March 3, 1987."
    (found,) = find_birthdates(text)
    assert text[found.start : found.end] == "March 3, 1987"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Age 38", "38"),
        ("age: 38", "38"),
        ("Jane Example, Age 38, lives in Springfield", "38"),
        ("aged 38", "38"),
        ("38 years old", "38"),
        ("a 38-year-old nurse", "38"),
        ("This 79 year old woman", "79"),
        ("38 yrs old", "38"),
        ("I just turned 38", "38"),
        ("She turns 38 today", "38"),
        ("**Age:** 38", "38"),
    ],
)
def test_ages(text: str, expected: str) -> None:
    assert ages(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "the 36 steps",
        "page 38",
        "Age 5",  # under 13: not an account holder's age
        "age 150",
        "Minimum age 21",
        "You must be over age 18",
        "Ages 18-25",
        "Age 18+ only",
        "turned 90 degrees",
        "the page turned 3 times",
        "version 38.0",
        "Age: N/A",
    ],
)
def test_not_ages(text: str) -> None:
    assert ages(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Works at Acme Widgets", [(Kind.EMPLOYER, "Acme Widgets")]),
        ("I work for Example Holdings Inc.", [(Kind.EMPLOYER, "Example Holdings Inc")]),
        ("I used to work for Example Group as a driver", [(Kind.EMPLOYER, "Example Group")]),
        ("Employer: Springfield Example Clinic", [(Kind.EMPLOYER, "Springfield Example Clinic")]),
        ("Software engineer at Example Corp, based in Chicago", [(Kind.EMPLOYER, "Example Corp")]),
        ("Nurse at the Example General Hospital", [(Kind.EMPLOYER, "Example General Hospital")]),
        ("Employed by Bank of Example", [(Kind.EMPLOYER, "Bank of Example")]),
        ("Studied at University of Example", [(Kind.SCHOOL, "University of Example")]),
        ("Graduated from Exampleton", [(Kind.SCHOOL, "Exampleton")]),
        ("Attended Springfield High School", [(Kind.SCHOOL, "Springfield High School")]),
        ("Education: Example State University", [(Kind.SCHOOL, "Example State University")]),
        ("Student at Example College", [(Kind.SCHOOL, "Example College")]),
    ],
)
def test_employers_and_schools(text: str, expected: list[tuple[Kind, str]]) -> None:
    assert work(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "works at home",
        "Work for Us",  # a careers page heading
        "I work for myself",
        "attended the Springfield Fair",  # not a school
        "Education: BS Physics",
        "works for a living",
        "The company: see below",
    ],
)
def test_not_employers_or_schools(text: str) -> None:
    assert work(text) == []


def test_find_personal_sorts_every_kind() -> None:
    text = "Age 38. Works at Acme Widgets. Born March 3, 1987."
    assert [e.kind for e in find_personal(text)] == [Kind.AGE, Kind.EMPLOYER, Kind.BIRTHDATE]


@pytest.mark.parametrize(
    "text",
    [
        "born " * 20_000,
        "age " * 25_000,
        "Age 38 " * 15_000,
        "works at " * 12_000,
        "engineer at Aa " * 8_000,
        "Aa Bb " * 20_000,
        "1 years old " * 10_000,
    ],
)
def test_hostile_text_stays_linear(text: str) -> None:
    begin = time.perf_counter()
    find_personal(text)
    assert time.perf_counter() - begin < 10  # ~100 kB: well under a second when linear


# --- how people write ages and birthdays, page layouts, Spanish (issue 20) ----------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She is 34.", "34"),
        ("she is 34 and lives with her sister", "34"),
        ("I'm 29, a nurse, and I love hiking", "29"),
        ("he's 41 now", "41"),
        ("I am 52 this year", "52"),
        ("My son turned 40 last May", "40"),
        ("Age | 34 | Springfield", "34"),
        ("Age\n34", "34"),
        ('{"name": "jdoe", "age": 34}', "34"),
        ("Edad: 34", "34"),
        ("Edad | 34", "34"),
        ("Mi madre tiene 67 años", "67"),
        ("una mujer de 45 años de edad", "45"),
        ("Ayer cumplió 30.", "30"),
        ("cumple 50 años mañana", "50"),
    ],
)
def test_ages_in_prose_and_layouts(text: str, expected: str) -> None:
    assert ages(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "she is 34 minutes away",
        "he is 6 feet tall",
        "I am 100% sure",
        "I'm 30 weeks pregnant",
        "it is 34 degrees outside",
        "the age | 34",  # not a label: the row does not start with it
        "Minimum age | 21",
        "hace 34 años que vivimos aquí",  # 34 years ago
        "34 años de experiencia en ventas",  # 34 years of experience
        "tiene 34 empleados",  # 34 employees
        "Edad mínima: 18",
        "Price: $34.99",
        "Order 34, qty 2",
        "© 1987 Example Inc. All rights reserved.",
    ],
)
def test_not_ages_in_prose_and_layouts(text: str) -> None:
    assert ages(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I was born in 1987 in a small town", "1987"),
        ("DOB | 03/04/1988", "1988-03-04"),
        ("Date of birth\nMarch 3, 1988", "1988-03-03"),
        ("Fecha de nacimiento: 3 de marzo de 1988", "1988-03-03"),
        ("Nació el 3 de marzo de 1988 en Lima", "1988-03-03"),
        ("nació el 03/04/1988", "1988-04-03"),  # day first in Spanish
        ("Nacida en 1975", "1975"),
        ("Fecha de nacimiento | 12/10/1990", "1990-10-12"),
        ("Cumpleaños: 3 de marzo", "--03-03"),
        ("Nació en marzo de 1988", "1988-03"),
    ],
)
def test_birthdates_in_layouts_and_spanish(text: str, expected: str) -> None:
    assert birthdates(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "© 1988 Example Inc.",
        "Copyright 1988 | All rights reserved",
        "the DOB | field is required",
        "nació en Lima",
    ],
)
def test_not_birthdates_in_layouts(text: str) -> None:
    assert birthdates(text) == []


@pytest.mark.parametrize(
    "text",
    ["she is " * 15_000, "Age | " * 15_000, "tiene 1 años " * 8_000, "DOB\n" * 20_000],
)
def test_new_cues_stay_linear(text: str) -> None:
    begin = time.perf_counter()
    find_personal(text)
    assert time.perf_counter() - begin < 10
