"""The shared cue helpers: field labels in every layout html_to_text writes."""

from __future__ import annotations

import re

import pytest

from scanner.extract.base import field_cue, is_field, starts_cell

LABEL = re.compile(field_cue("employer") + r"(?P<value>\w+)")


@pytest.mark.parametrize(
    "text",
    [
        "Employer: Acme",
        "**Employer:** Acme",
        '"employer": "Acme"',
        "Employer | Acme | 2019",
        "Name | Jane | Employer | Acme",
        "Employer\nAcme",
        "- Employer\nAcme",
    ],
)
def test_field_labels(text: str) -> None:
    m = LABEL.search(text)
    assert m is not None
    assert is_field(text, m)
    assert m.group("value") == "Acme"


@pytest.mark.parametrize("text", ["my employer | Acme", "a new employer\nAcme"])
def test_cell_and_line_forms_need_the_label_to_start_its_cell(text: str) -> None:
    m = LABEL.search(text)
    assert m is not None
    assert not is_field(text, m)


def test_starts_cell() -> None:
    text = "Name | Jane\n  * Age: 34"
    assert starts_cell(text, 0)
    assert starts_cell(text, text.index("Jane"))
    assert starts_cell(text, text.index("Age"))
    assert not starts_cell(text, text.index("ane"))
