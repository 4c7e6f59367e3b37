"""Phone extraction: written forms, labels, and numbers that are not phones."""

from __future__ import annotations

import pytest

from scanner.extract.phones import find_phones


def values(text: str, region: str = "US") -> list[str]:
    return [e.value for e in find_phones(text, region)]


@pytest.mark.parametrize(
    "text",
    [
        "(217) 555-0142",
        "217-555-0142",
        "217.555.0142",
        "217 555 0142",
        "2175550142",
        "+1 217 555 0142",
        "+1-217-555-0142",
        "1-217-555-0142",
        "tel:+12175550142",
        "Call (217) 555-0142 ext. 12",
    ],
)
def test_us_forms(text: str) -> None:
    assert values(f"Reach Jane at {text} after six.") == ["+12175550142"]


def test_international_with_plus_whatever_the_region() -> None:
    assert values("London office: +44 20 7946 0958", region="US") == ["+442079460958"]
    assert values("Ring +1 217 555 0142", region="GB") == ["+12175550142"]


def test_region_reads_national_numbers() -> None:
    assert values("Tel. 020 7946 0958", region="GB") == ["+442079460958"]


@pytest.mark.parametrize(
    "text",
    [
        "Born 2021-03-04, moved 04/03/2021",
        "Springfield, IL 62701",
        "ZIP 62701-1234",
        "version 1.2.3 released",
        "worked there 2019-2021 and 2019–2021",
        "server 192.168.100.200 and 203.0.113.195",
        "id 12345678901234567890123",
        "Order #2175550142 shipped",
        "Invoice no. 217-555-0142",
        "NPI: 2175550142",
        "Account 2175550142",
        "code EN2175550",
        "logged at 20230302-15:30:00",
        "price $1,234,567.89",
        "ISBN 978-3-16-148410-0",
    ],
)
def test_not_phones(text: str) -> None:
    assert values(text) == []


def test_possible_but_not_valid_needs_a_phone_word() -> None:
    # 555-0142 has no area code: possible in the US, never valid
    assert values("Room 555-0142") == []
    assert values("Phone: 555-0142") == ["+15550142"]
    assert values("Phone:\n555-0142") == ["+15550142"]
    assert values("555-0142 (mobile)") == ["+15550142"]


def test_phone_word_outranks_id_word() -> None:
    assert values("Customer phone number: 217-555-0142") == ["+12175550142"]


def test_label_of_next_line_does_not_leak_back() -> None:
    assert values("Ref 1234567\nPhone: 217-555-0142") == ["+12175550142"]


def test_fragment_of_a_longer_number() -> None:
    assert values("Phone: 0393 1144137") == []


def test_offsets_and_several_numbers() -> None:
    text = "Home (217) 555-0142, work 217.555.0199."
    found = find_phones(text)
    assert [text[e.start : e.end] for e in found] == ["(217) 555-0142", "217.555.0199"]
    assert [e.value for e in found] == ["+12175550142", "+12175550199"]


def test_an_id_word_in_the_previous_sentence_does_not_hide_a_labelled_phone() -> None:
    text = "Raised beds built to order. Shop line: (217) 555-0142"
    assert [p.value for p in find_phones(text)] == ["+12175550142"]


def test_an_abbreviated_id_label_still_marks_an_id() -> None:
    assert find_phones("Order no. 2175550142") == []


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("217.555.0142 x204", "217.555.0142 x204"),
        ("(217) 555-0142 ext. 12", "(217) 555-0142 ext. 12"),
        ("217-555-0142 ext 12", "217-555-0142 ext 12"),
        ("217 555 0142 extension 3", "217 555 0142 extension 3"),
        ("Tel: 217.555.0142x12", "217.555.0142x12"),
        ("+1 (217) 555-0142", "+1 (217) 555-0142"),
        ("+1.217.555.0142", "+1.217.555.0142"),
        ("+1-217-555-0142 x 7", "+1-217-555-0142 x 7"),
        ("1 (217) 555 0142", "1 (217) 555 0142"),
        ("(217)555-0142", "(217)555-0142"),
        ("phone: 217 5550142", "217 5550142"),
        ("Call 217.555.0142.", "217.555.0142"),
    ],
)
def test_messy_forms_and_extensions(text: str, raw: str) -> None:
    """The span covers the extension as written; the value is the number without it."""
    (found,) = find_phones(text)
    assert (found.value, text[found.start : found.end]) == ("+12175550142", raw)


# --- numbers a phone word names whatever their format (issue 20) ------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a foreign number written without its country code, after a label or before
        # "office" / "fax" / "mobile", is read in the region as phonenumbers parses it
        ("Phone: 88 165 40 96", "+1881654096"),
        ("Phone:\n51 516 33 75", "+1515163375"),
        ("Can you call me on 9472 7916?", "+194727916"),
        ("96 228011 office", "+196228011"),
        ("(69) 948-538-Office", "+169948538"),
        ("Teléfono: 91 123 45 67 89", "+191123456789"),
        ("Móvil | 612 34 56 78", "+1612345678"),
    ],
)
def test_labelled_numbers_in_any_format(text: str, expected: str) -> None:
    assert values(text) == [expected]


def test_labelled_number_in_its_own_region() -> None:
    assert values("Móvil: 612 34 56 78", region="ES") == ["+34612345678"]


@pytest.mark.parametrize(
    "text",
    [
        "Work 2015-2019 at Example Corp",  # years, not a number
        "Home: 2021-03-04",  # a date
        "Order 12345678 office supplies",  # an identifier, whatever follows it
        "Office 12-34 hours",  # too short
        "Phone: 1 2",
        "Price: $150.00 per call",
        "call 192.168.10.200 admin",
    ],
)
def test_not_labelled_numbers(text: str) -> None:
    assert values(text) == []
