"""Employers and schools: how people write where they work and study, page layouts, profile
fields and Spanish labels, and what stays out.

Every sentence here is written for this test in everyday phrasing; people and
organisations are invented.
"""

from __future__ import annotations

import time

import pytest

from scanner.extract import extract_html, extract_text
from scanner.extract.work import find_work_and_school
from scanner.models import Kind


def work(text: str) -> list[tuple[Kind, str]]:
    return [(e.kind, e.value) for e in find_work_and_school(text)]


def employers(text: str) -> list[str]:
    return [e.value for e in find_work_and_school(text) if e.kind is Kind.EMPLOYER]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # prose: a job and where it is done
        ("She works as a nurse at St. Mary's Hospital in Dayton.", "St. Mary's Hospital"),
        ("works as a nurse at St. Mary's", "St. Mary's"),
        ("He worked as a line cook for Blue Heron Diner", "Blue Heron Diner"),
        ("I'm a teacher with the Lincoln school district", "Lincoln school district"),
        ("I'm a volunteer for Riverside Animal Rescue on weekends", "Riverside Animal Rescue"),
        ("Mostly I work for The Daily Example these days", "Daily Example"),
        ("Been employed with Northfield Mutual since 2019", "Northfield Mutual"),
        # names that start with a number
        ("my brother works at 3M", "3M"),
        ("I work for 21 Example Partners", "21 Example Partners"),
        # "US" starting a longer name is a company ("US Foods" is one), not "us"
        ("I work for Us Example Weekly", "Us Example Weekly"),
        # Spanish prose
        ("Mi hermana trabaja para Ejemplo Seguros desde 2015", "Ejemplo Seguros"),
        ("Trabajo en la empresa Construcciones Ejemplo", "Construcciones Ejemplo"),
        ("Es empleado de Banco Ejemplar", "Banco Ejemplar"),
    ],
)
def test_employers_in_prose(text: str, expected: str) -> None:
    assert employers(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # labelled fields: a colon, a table row (html_to_text joins cells with " | "),
        # a <dl> term on its own line, a JSON key
        ("Employer: Harbor Point Logistics", "Harbor Point Logistics"),
        ("Employer | Harbor Point Logistics | since 2018", "Harbor Point Logistics"),
        ("Works at | Harbor Point Logistics", "Harbor Point Logistics"),
        ("Company\nHarbor Point Logistics", "Harbor Point Logistics"),
        ("Workplace: Maple Grove Clinic", "Maple Grove Clinic"),
        ("Organization: Example Food Bank", "Example Food Bank"),
        ('{"login": "jdoe", "company": "Harbor Point Logistics", "blog": ""}',
         "Harbor Point Logistics"),
        ("**Current employer:** Maple Grove Clinic", "Maple Grove Clinic"),
        # a job title field names the employer after "at"
        ("job_title: Head of Growth at Example Robotics", "Example Robotics"),
        ("Job title | Senior Analyst at Harbor Point Logistics", "Harbor Point Logistics"),
        ("Headline: Physical therapist at Maple Grove Clinic", "Maple Grove Clinic"),
        # Spanish labels
        ("Empresa: Ejemplo Soluciones", "Ejemplo Soluciones"),
        ("Empleador | Ejemplo Soluciones", "Ejemplo Soluciones"),
        ("Lugar de trabajo: Hospital Ejemplo", "Hospital Ejemplo"),
        ("Trabaja en: Ejemplo Soluciones", "Ejemplo Soluciones"),
        ("Puesto: Enfermera en Clínica Ejemplo", "Clínica Ejemplo"),
    ],
)  # fmt: skip
def test_employers_in_fields(text: str, expected: str) -> None:
    assert employers(text) == [expected]


def test_table_and_definition_list_from_html() -> None:
    table = "<table><tr><th>Employer</th><td>Harbor Point Logistics</td></tr></table>"
    dl = "<dl><dt>Company</dt><dd>Maple Grove Clinic</dd></dl>"
    assert [e.value for e in extract_html(table) if e.kind is Kind.EMPLOYER] == [
        "Harbor Point Logistics"
    ]
    assert [e.value for e in extract_html(dl) if e.kind is Kind.EMPLOYER] == ["Maple Grove Clinic"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Estudió en la Universidad de Ejemplo", [(Kind.SCHOOL, "Universidad de Ejemplo")]),
        ("School | Lakeview High School", [(Kind.SCHOOL, "Lakeview High School")]),
        ("Education\nExample State University", [(Kind.SCHOOL, "Example State University")]),
        ("Universidad: Universidad Ejemplo del Norte",
         [(Kind.SCHOOL, "Universidad Ejemplo del Norte")]),
    ],
)  # fmt: skip
def test_schools(text: str, expected: list[tuple[Kind, str]]) -> None:
    assert work(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # site navigation under a "Company" footer heading, a table's header row
        "Company\nAbout\nCareers\nPress",
        "Name | Company | Location",
        "Company | Location | Phone",
        # the label inside prose is not a field
        "I told the company\nNothing else happened",
        "we sold the Company | Example Widgets bought it",
        # times and durations after a cue
        "works at 5pm on Fridays",
        "I worked for 20 years in retail",
        "she works for Myself Inc? no, for herself",
        # the fruit, a price, a product: no cue, no employer
        "I ate an Apple at lunch",
        "Apple iPhone 15 Pro, $999",
        "estudió en Madrid",  # a city, not a school
        "Education | BS",
    ],
)
def test_not_employers(text: str) -> None:
    assert work(text) == []


def test_street_name_inside_an_address_is_not_an_employer() -> None:
    found = extract_text("Ship to: 48 Employer Way, Springfield, IL 62704")
    assert [e.kind for e in found if e.kind is Kind.EMPLOYER] == []


@pytest.mark.parametrize(
    "text",
    [
        "Company | " * 10_000,
        "works as a " + "x " * 30_000,
        "job title: " + "a " * 30_000,
        "Employer\n" * 10_000,
        "trabaja para " * 8_000,
        "3M " * 30_000,
    ],
)
def test_hostile_text_stays_linear(text: str) -> None:
    begin = time.perf_counter()
    find_work_and_school(text)
    assert time.perf_counter() - begin < 10  # ~100 kB: well under a second when linear
