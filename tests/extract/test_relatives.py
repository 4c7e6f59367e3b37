"""Relatives lists as people-search profiles write them: a relative's age and city follow
the name on its line, and neither the city nor the state is another relative."""

from __future__ import annotations

import pytest

from scanner.extract.relatives import find_relatives


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Relatives\nCasey Sample, 63, Ann Arbor, MI\nMorgan Sample, 31, Salt Lake City, UT\n",
            ["Casey Sample", "Morgan Sample"],
        ),
        (
            "Relatives: Casey Sample, Ann Arbor, Michigan; Pat Sample, Boise, ID 83702",
            ["Casey Sample", "Pat Sample"],
        ),
        (
            "Related to: Casey Sample, 63, Morgan Sample, 31, Pat Sample, 36",
            ["Casey Sample", "Morgan Sample", "Pat Sample"],
        ),
        (
            "Relatives: Casey Sample, Morgan Sample, Pat Sample",
            ["Casey Sample", "Morgan Sample", "Pat Sample"],
        ),
        ("Relatives: Casey Sample, New York, NY", ["Casey Sample"]),
    ],
)
def test_a_relatives_city_is_not_a_relative(text: str, expected: list[str]) -> None:
    assert [e.value for e in find_relatives(text)] == expected
