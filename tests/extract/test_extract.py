"""extract_text: the merged API, offsets, evidence, hostile input."""

from __future__ import annotations

import pytest

from scanner.extract import Extracted, extract_text
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
    ]


def test_offsets_point_at_the_raw_match() -> None:
    raw = [BIO[e.start : e.end] for e in extract_text(BIO)]
    assert raw == [
        "Jane@Example.com",
        "(217) 555-0142",
        "https://jane.example.com/work",
        "@jane_example",
        "+44 20 7946 0958",
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
    ],
)
def test_hostile_text_does_not_crash(text: str) -> None:
    for item in extract_text(text):
        assert 0 <= item.start < item.end <= len(text)
