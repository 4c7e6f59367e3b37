"""Names that grammar and conversation layout give away (name_prose.py).

Phrasing is how people write letters, chats, obituaries and account forms; every name is
invented.
"""

from __future__ import annotations

import time

import pytest

from scanner.extract.names import find_real_names


def real_names(text: str) -> list[str]:
    return [e.value for e in find_real_names(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # kin: possessives, appositions, Spanish
        ("We stayed with Avery's mother last week", ["Avery"]),
        ("Morgan Example's late husband built the barn", ["Morgan Example"]),
        ("my wife Casey and I moved last spring", ["Casey"]),
        ("She is survived by her son, Jordan Sample.", ["Jordan Sample"]),
        ("Fui con mi esposa Lucía al mercado", ["Lucía"]),
        ("la hija de Ana vive en Sevilla", ["Ana"]),
        # a person predicated of a name
        ("Riley is such a generous person.", ["Riley"]),
        # a remark from one name at another
        ("Casey yelled at Morgan across the yard", ["Casey", "Morgan"]),
        # designations on accounts and wills
        ("I would like to add Avery Sample as an authorized user", ["Avery Sample"]),
        ("She named Jordan Example as executor of the estate", ["Jordan Example"]),
        # a chat log: speakers, and a name addressed
        ("Avery: are you coming tonight?\nMorgan: Yes, I owe you, Avery!",
         ["Avery", "Morgan", "Avery"]),
    ],
)  # fmt: skip
def test_prose_names(text: str, expected: list[str]) -> None:
    assert real_names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Canada's sons and daughters",  # rhetoric about a country
        "Tesla's boss spoke today",  # close people are for appositions only
        "Apple's family of products",
        "Police shouted at protesters",  # one side only, and not a name
        "Chicago is a great city",
        "This is a good person",
        "Subject: Lunch plans\nPlan: Meet at noon.",  # a form's lines, not speakers
        "Interviewer: Tell me more.\nAssessment: stable.",
        "add Example Holdings Inc as a beneficiary",  # an organisation
    ],
)
def test_not_prose_names(text: str) -> None:
    assert real_names(text) == []


@pytest.mark.parametrize(
    "text",
    ["Aa's wife " * 10_000, "my wife " * 10_000, "Aa is a " * 10_000, "Aa: you?\n" * 10_000,
     "Aa shouted at " * 8_000, "add Aa Bb as " * 8_000],
)  # fmt: skip
def test_prose_cues_stay_linear(text: str) -> None:
    begin = time.perf_counter()
    find_real_names(text)
    assert time.perf_counter() - begin < 10
