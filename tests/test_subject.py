"""scanner.subject: records cut at each mention of the name, ties and namesakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from scanner.extract.base import Extracted, make
from scanner.models import Kind, Profile
from scanner.subject import Standing, name_pattern, read_page
from tests.support import JORDAN, assert_tied

PEOPLE_PAGE = (
    "Results for Jordan Testwell\n"
    "Jordan Testwell, Age 38\nLives in Springfield, IL\n"
    "Current address: 418 Prairie View Dr Apt 2, Springfield, IL 62704\n"
    "Phone: (217) 555-0163\nRelatives: Casey Testwell, Morgan Testwell\n"
    "Jordan Testwell, Age 61\nLives in Portland, OR\n"
    "Current address: 77 Harbor Rd, Portland, OR 97201\nPhone: (503) 555-0119\n"
    "Relatives: Pat Testwell\n"
)


def items_of(text: str, spec: list[tuple[Kind, str, str]]) -> list[Extracted]:
    """Extracted items for (kind, as written, value), located in text (first occurrence)."""
    out = []
    for kind, written, value in spec:
        start = text.index(written)
        out.append(make(kind, value, text, start, start + len(written)))
    return out


PEOPLE_ITEMS = [
    (Kind.AGE, "Age 38", "38"),
    (
        Kind.HOME_ADDRESS,
        "418 Prairie View Dr Apt 2, Springfield, IL 62704",
        "418 Prairie View Dr Apt 2, Springfield, IL 62704",
    ),
    (Kind.PHONE, "(217) 555-0163", "+12175550163"),
    (Kind.RELATIVE, "Casey Testwell", "Casey Testwell"),
    (Kind.AGE, "Age 61", "61"),
    (Kind.HOME_ADDRESS, "77 Harbor Rd, Portland, OR 97201", "77 Harbor Rd, Portland, OR 97201"),
    (Kind.PHONE, "(503) 555-0119", "+15035550119"),
    (Kind.RELATIVE, "Pat Testwell", "Pat Testwell"),
]


def test_people_search_page_keeps_the_subject_and_counts_the_namesake() -> None:
    reading = read_page(PEOPLE_PAGE, items_of(PEOPLE_PAGE, PEOPLE_ITEMS), JORDAN)
    standings = [r.standing for r in reading.records]
    assert standings == [Standing.UNCLEAR, Standing.SUBJECT, Standing.NAMESAKE]  # heading first
    values = {item.value for _, item in reading.facts()}
    assert values == {
        "38",
        "418 Prairie View Dr Apt 2, Springfield, IL 62704",
        "+12175550163",
        "Casey Testwell",
    }
    assert len(reading.namesakes()) == 1
    assert reading.namesakes()[0].states == ("OR",)
    assert ("city", "Springfield, IL") in [(t.kind.value, t.value) for t in reading.ties()]


def test_a_page_without_the_name_is_not_about_the_subject() -> None:
    text = "Springfield, IL garden club. Call (217) 555-0142."
    items = items_of(text, [(Kind.PHONE, "(217) 555-0142", "+12175550142")])
    reading = read_page(text, items, JORDAN)
    assert reading.records == ()
    assert not reading.about_subject
    assert reading.facts() == []


def test_the_name_alone_ties_nothing() -> None:
    text = "Jordan Testwell won the pie contest. Phone (217) 555-0199."
    items = items_of(text, [(Kind.PHONE, "(217) 555-0199", "+12175550199")])
    reading = read_page(text, items, JORDAN)
    assert [r.standing for r in reading.records] == [Standing.UNCLEAR]
    assert reading.facts() == []
    assert reading.namesakes() == ()  # unclear alone is not counted as someone else


@pytest.mark.parametrize(
    ("snippet", "by", "value"),
    [
        ("write to JORDAN.TESTWELL@example.com", "email", "jordan.testwell@example.com"),
        ("find me as @jtestwell", "handle", "jtestwell"),
        ("from Springfield, Illinois", "city", "Springfield, IL"),
    ],
)
def test_each_identifier_ties_a_record(snippet: str, by: str, value: str) -> None:
    text = f"Jordan Testwell - {snippet}. Works at Prairie Lantern Books."
    items = items_of(text, [(Kind.EMPLOYER, "Prairie Lantern Books", "Prairie Lantern Books")])
    reading = read_page(text, items, JORDAN)
    (record,) = reading.records
    assert_tied(record, by=by, value=value)
    assert len(record.ties) == 1
    assert [item.value for _, item in reading.facts()] == ["Prairie Lantern Books"]


def test_a_known_phone_ties_by_its_e164_value() -> None:
    text = "Jordan Testwell 217.555.0142 ext 4, employer: Prairie Lantern Books"
    items = items_of(
        text,
        [
            (Kind.PHONE, "217.555.0142", "+12175550142"),
            (Kind.EMPLOYER, "Prairie Lantern Books", "Prairie Lantern Books"),
        ],
    )
    reading = read_page(text, items, JORDAN)
    (record,) = reading.records
    assert_tied(record, by="phone", value="+12175550142")


def test_the_same_city_in_another_state_is_a_namesake() -> None:
    text = "Jordan Testwell, Springfield, MO 65801. Age 44"
    items = items_of(text, [(Kind.AGE, "Age 44", "44")])
    reading = read_page(text, items, JORDAN)
    assert [r.standing for r in reading.records] == [Standing.NAMESAKE]
    assert reading.facts() == []


def test_a_blog_repeating_its_authors_name_is_one_person() -> None:
    text = (
        "Jordan Testwell's garden notes. I live in Springfield, IL.\n"
        "Post: Tomatoes. Works at Prairie Lantern Books.\n"
        "(c) Jordan Testwell - phone 217-555-0177"
    )
    items = items_of(
        text,
        [
            (Kind.EMPLOYER, "Prairie Lantern Books", "Prairie Lantern Books"),
            (Kind.PHONE, "217-555-0177", "+12175550177"),
        ],
    )
    reading = read_page(text, items, JORDAN)
    assert [r.standing for r in reading.records] == [Standing.SUBJECT, Standing.UNCLEAR]
    assert {item.value for _, item in reading.facts()} == {"Prairie Lantern Books", "+12175550177"}
    assert reading.namesakes() == ()


def test_unclear_records_stay_out_on_a_page_that_lists_other_people() -> None:
    text = PEOPLE_PAGE + "Jordan Testwell\nPhone: (312) 555-0188\n"
    items = items_of(text, [*PEOPLE_ITEMS, (Kind.PHONE, "(312) 555-0188", "+13125550188")])
    reading = read_page(text, items, JORDAN)
    assert "+13125550188" not in {item.value for _, item in reading.facts()}
    assert len(reading.namesakes()) == 2


@pytest.mark.parametrize(
    "written",
    ["Jordan Testwell", "JORDAN TESTWELL", "Jordan A. Testwell", "Jordan Alex Testwell",
     "Testwell, Jordan", "Jordan\nTestwell"],
)  # fmt: skip
def test_name_forms(written: str) -> None:
    pattern = name_pattern(JORDAN)
    assert pattern is not None
    assert pattern.search(f"x {written} y")


@pytest.mark.parametrize("text", ["Jordan Testwellington", "MrJordan Testwell", "Jordan Test"])
def test_not_the_name(text: str) -> None:
    pattern = name_pattern(JORDAN)
    assert pattern is not None
    assert not pattern.search(text)


def test_no_name_no_pattern() -> None:
    assert name_pattern(Profile(handles=("x",))) is None
    assert read_page("anything", [], Profile(handles=("x",))).records == ()


def test_hostile_text_is_linear() -> None:
    text = ("Jordan " * 50_000) + ("Testwell, " * 50_000)
    reading = read_page(text, [], JORDAN)
    assert len(reading.records) >= 1


def test_a_row_in_a_dump_is_its_own_record() -> None:
    text = (
        "name | email | phone\n"
        "Casey Example | casey@example.org | 217-555-0101\n"
        "Jordan Testwell | jordan.testwell@example.com | jt.backup@example.org\n"
        "Robin Sample | robin@example.net | 217-555-0104\n"
    )
    items = items_of(
        text,
        [
            (Kind.EMAIL, "casey@example.org", "casey@example.org"),
            (Kind.EMAIL, "jordan.testwell@example.com", "jordan.testwell@example.com"),
            (Kind.EMAIL, "jt.backup@example.org", "jt.backup@example.org"),
            (Kind.EMAIL, "robin@example.net", "robin@example.net"),
            (Kind.PHONE, "217-555-0104", "+12175550104"),
        ],
    )
    reading = read_page(text, items, JORDAN)
    assert {item.value for _, item in reading.facts()} == {
        "jordan.testwell@example.com",
        "jt.backup@example.org",
    }


def test_a_record_reaches_only_so_far() -> None:
    text = "Jordan Testwell of Springfield, IL." + " filler" * 1_000 + " Age 52"
    items = items_of(text, [(Kind.AGE, "Age 52", "52")])
    reading = read_page(text, items, JORDAN)
    assert reading.about_subject
    assert reading.facts() == []


def test_an_age_that_does_not_fit_makes_a_same_city_record_a_namesake() -> None:
    born = date.today().year - 38
    profile = replace(JORDAN, birth_year=born)
    text = (
        "Jordan Testwell, Age 38, Springfield, IL. Phone (217) 555-0163\n"
        "Jordan Testwell, Age 71, Springfield, IL. Phone (217) 555-0177\n"
        "Jordan Testwell, Age 70, jordan.testwell@example.com\n"
    )
    items = items_of(
        text,
        [
            (Kind.AGE, "Age 38", "38"),
            (Kind.PHONE, "(217) 555-0163", "+12175550163"),
            (Kind.AGE, "Age 71", "71"),
            (Kind.PHONE, "(217) 555-0177", "+12175550177"),
            (Kind.AGE, "Age 70", "70"),
        ],
    )
    reading = read_page(text, items, profile)
    standings = [r.standing for r in reading.records]
    # a city alone does not outweigh the wrong age; the subject's own email does
    assert standings == [Standing.SUBJECT, Standing.NAMESAKE, Standing.SUBJECT]
    assert "+12175550177" not in {item.value for _, item in reading.facts()}
    # without a birth year the age says nothing
    assert read_page(text, items, JORDAN).records[1].standing is Standing.SUBJECT


def test_a_birth_year_that_does_not_fit_is_someone_else() -> None:
    profile = replace(JORDAN, birth_year=1987)
    text = "Jordan Testwell, born 1950, of Springfield, IL"
    items = items_of(text, [(Kind.BIRTHDATE, "born 1950", "1950")])
    assert read_page(text, items, profile).records[0].standing is Standing.NAMESAKE


def test_an_affiliation_ties_weakly() -> None:
    profile = replace(JORDAN, affiliations=("Prairie Lantern Books",), locations=())
    text = "Jordan Testwell, bookseller at Prairie Lantern Books. Age 38"
    items = items_of(text, [(Kind.AGE, "Age 38", "38")])
    reading = read_page(text, items, profile)
    (record,) = reading.records
    assert_tied(record, by="affiliation", value="Prairie Lantern Books")
    assert record.ties[0].weak
    assert record.standing is Standing.SUBJECT  # weak, but nothing speaks against it


def test_an_unclear_card_in_another_state_than_the_tied_one_is_someone_else() -> None:
    profile = Profile(names=("Jordan Testwell",), phones=("+12175550163",))  # no place known
    text = (
        "Jordan Testwell | Springfield, IL | (217) 555-0163\n"
        "Jordan Testwell | Portland, OR | (503) 555-0119\n"
    )
    items = items_of(
        text,
        [
            (Kind.PHONE, "(217) 555-0163", "+12175550163"),
            (Kind.PHONE, "(503) 555-0119", "+15035550119"),
        ],
    )
    reading = read_page(text, items, profile)
    assert [r.standing for r in reading.records] == [Standing.SUBJECT, Standing.NAMESAKE]
    assert [item.value for _, item in reading.facts()] == ["+12175550163"]


def test_a_line_naming_everyones_cities_is_not_the_subjects_record() -> None:
    profile = replace(JORDAN, phones=())  # Springfield, IL is known; nothing strong is
    text = (
        "Jordan Testwell\nAge 38\nLives in Springfield, IL\n"
        "Jordan Testwell\nAge 61\nLives in Portland, OR\n"
        "Jordan Testwell: 2 people in Springfield, IL and Portland, OR\n"
    )
    items = items_of(
        text,
        [
            (Kind.LOCATION, "in Springfield, IL", "Springfield, IL"),
            (Kind.LOCATION, "in Portland, OR", "Portland, OR"),
            (Kind.LOCATION, "and Portland, OR", "Portland, OR"),
        ],
    )
    reading = read_page(text, items, profile)
    standings = [r.standing for r in reading.records]
    assert standings == [Standing.SUBJECT, Standing.NAMESAKE, Standing.UNCLEAR]
    assert [item.value for _, item in reading.facts()] == ["Springfield, IL"]


def test_a_relatives_age_and_city_are_not_the_subjects() -> None:
    text = (
        "Jordan Testwell, age 38, Springfield, IL\n"
        "Relatives:\nCasey Testwell, 63, Portland, OR\n"
        "Phone: (217) 555-0163\n"
    )
    items = items_of(
        text,
        [
            (Kind.AGE, "age 38", "38"),
            (Kind.RELATIVE, "Casey Testwell", "Casey Testwell"),
            (Kind.AGE, "63", "63"),
            (Kind.LOCATION, "Portland, OR", "Portland, OR"),
            (Kind.PHONE, "(217) 555-0163", "+12175550163"),
        ],
    )
    reading = read_page(text, items, JORDAN)
    facts = [item.value for _, item in reading.facts()]
    assert facts == ["38", "Casey Testwell", "+12175550163"]
