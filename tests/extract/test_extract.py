"""extract_text: the merged API, offsets, evidence, hostile input."""

from __future__ import annotations

import pytest

from scanner.extract import Extracted, extract_html, extract_text
from scanner.extract.base import EVIDENCE_WIDTH, evidence
from scanner.models import Kind

BIO = (
    "Jane Example — designer in Springfield.\n"
    "Email: Jane@Example.com | phone (217) 555-0142\n"
    "Portfolio: https://jane.example.com/work (new!) · twitter @jane_example\n"
    "Old number: +44 20 7946 0958. Joined 2019-2021, v1.2.3, ZIP 62701."
)


def kinds_values(found: list[Extracted]) -> list[tuple[Kind, str]]:
    return [(e.kind, e.value) for e in found]


def test_everything_in_a_bio() -> None:
    assert kinds_values(extract_text(BIO)) == [
        (Kind.EMAIL, "jane@example.com"),
        (Kind.PHONE, "+12175550142"),
        (Kind.WEBSITE, "https://jane.example.com/work"),
        (Kind.USERNAME, "jane_example"),
        (Kind.PHONE, "+442079460958"),
        (Kind.LOCATION, "62701"),  # "ZIP 62701": a labelled ZIP says where she lives
    ]


def test_offsets_point_at_the_raw_match() -> None:
    raw = [BIO[e.start : e.end] for e in extract_text(BIO)]
    assert raw == [
        "Jane@Example.com",
        "(217) 555-0142",
        "https://jane.example.com/work",
        "@jane_example",
        "+44 20 7946 0958",
        "62701",
    ]


def test_sorted_and_deduplicated() -> None:
    text = "jane@example.com jane@example.com"
    found = extract_text(text)
    assert [e.start for e in found] == [0, 17]
    assert found == sorted(found, key=lambda e: e.start)


def test_evidence_is_one_line_around_the_match() -> None:
    for item in extract_text(BIO):
        assert "\n" not in item.evidence
        assert "  " not in item.evidence
        assert " ".join(BIO[item.start : item.end].split()) in item.evidence


def test_evidence_is_cut_with_ellipses() -> None:
    text = "x" * 200 + " jane@example.com " + "y" * 200
    snippet = evidence(text, 201, 217)
    assert snippet.startswith("…")
    assert snippet.endswith("…")
    assert len(snippet) <= 16 + 2 * EVIDENCE_WIDTH + 2
    assert evidence("a\n\tb", 0, 1) == "a b"


def test_phones_and_handles_inside_addresses_are_not_separate() -> None:
    text = (
        "https://example.com/u/2175550142 and https://example.com/?u=@jane, 2175550142@example.com"
    )
    kinds = {e.kind for e in extract_text(text)}
    assert kinds == {Kind.WEBSITE, Kind.EMAIL}


def test_region_is_passed_to_phones() -> None:
    (found,) = extract_text("Tel 020 7946 0958", region="GB")
    assert found.value == "+442079460958"


def test_nothing_found() -> None:
    assert extract_text("") == []
    assert extract_text("Nothing personal here, 2021-03-04, 1.2.3, 192.168.0.1") == []


@pytest.mark.parametrize(
    "text",
    [
        "a" * 100_000,
        "a." * 50_000,
        "1-" * 50_000,
        "@" * 100_000,
        "x@" * 50_000,
        "(" * 50_000 + "https://example.com/" + ")" * 50_000,
        "http://" * 10_000,
        "jane [at] " * 10_000,
        "<script>alert(1)</script>" * 1_000,
        "\x00\ufeff\u202e" * 10_000,
        "12 Elm " * 15_000 + "IL 62704",
        "Relatives: " + "Aa Bb, " * 15_000,
        "Name: Aa Bb\n" * 8_000,
        "Address: 1 Aa\nApt 2\n" * 5_000,
        "born age Lives in " * 6_000,
    ],
)
def test_hostile_text_does_not_crash(text: str) -> None:
    for item in extract_text(text):
        assert 0 <= item.start < item.end <= len(text)


PROFILE_PAGE = """Avery Q Sample, Age 38
Lives in Springfield, IL
Also known as: Avery Sample-Jones
Current Address: 48 Elm Street Apt 3B
Springfield, IL 62704-1234
Phone: (217) 555-0142 ext. 12
Relatives: Casey Sample, Jordan Q Sample (62)
Born March 3, 1987. Works at Acme Widgets Inc. Studied at University of Example.
"""


def test_a_people_search_record() -> None:
    assert kinds_values(extract_text(PROFILE_PAGE, subject_names=["Avery Q Sample"])) == [
        (Kind.REAL_NAME, "Avery Q Sample"),
        (Kind.AGE, "38"),
        (Kind.LOCATION, "Springfield, IL"),
        (Kind.REAL_NAME, "Avery Sample-Jones"),
        (Kind.HOME_ADDRESS, "48 Elm Street Apt 3B, Springfield, IL 62704-1234"),
        (Kind.PHONE, "+12175550142"),
        (Kind.RELATIVE, "Casey Sample"),
        (Kind.RELATIVE, "Jordan Q Sample"),
        (Kind.BIRTHDATE, "1987-03-03"),
        (Kind.EMPLOYER, "Acme Widgets Inc"),
        (Kind.SCHOOL, "University of Example"),
    ]


def test_the_subject_is_never_her_own_relative() -> None:
    text = "Relatives: Avery Sample, Casey Sample"
    assert kinds_values(extract_text(text, subject_names=["Avery Sample"])) == [
        (Kind.RELATIVE, "Casey Sample")
    ]
    assert len(extract_text(text)) == 2


def test_details_inside_others_do_not_count_twice() -> None:
    # the ZIP+4 is not a phone, the city not a location, the house number not an age
    text = "Home: 2175 Elm Street, Springfield, IL 62704-0142"
    assert kinds_values(extract_text(text)) == [
        (Kind.HOME_ADDRESS, "2175 Elm Street, Springfield, IL 62704-0142")
    ]
    # a phone written inside an address block line stays a phone of its own
    block = "48 Elm Street, Springfield, IL 62704 (217) 555-0142"
    assert [k for k, _ in kinds_values(extract_text(block))] == [Kind.HOME_ADDRESS, Kind.PHONE]


def test_extract_html_passes_subject_names() -> None:
    page = "<ul><li>Relatives: Avery Sample, Casey Sample</li></ul>"
    assert kinds_values(extract_html(page, subject_names=["Avery Sample"])) == [
        (Kind.RELATIVE, "Casey Sample")
    ]
