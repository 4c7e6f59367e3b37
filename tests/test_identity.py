"""scanner.identity: the known identifiers, the one matcher, the one confidence table."""

from __future__ import annotations

import pytest

from scanner.identity import (
    BASES,
    Basis,
    Identity,
    TieKind,
    confidence_of,
    find_ties,
    lead_trust,
    mention_factor,
    rebased,
)
from scanner.models import Kind, Location, Profile

JORDAN = Profile(
    names=("Jordan Testwell",),
    handles=("jtestwell", "jt"),
    emails=("jordan.testwell@example.com",),
    phones=("+12175550142",),
    locations=(Location("Springfield", "Illinois"),),
    domains=("jordantestwell.example.com",),
    affiliations=("Prairie Lantern Books",),
)
IDENTITY = Identity.from_profile(JORDAN)


def kinds(text: str, **kwargs: object) -> list[str]:
    return [tie.kind.value for tie in find_ties(text, IDENTITY, **kwargs)]  # type: ignore[arg-type]


def test_the_identity_holds_what_the_profile_gives_with_its_origin() -> None:
    cities = IDENTITY.of(TieKind.CITY)
    assert [(c.value, c.text, c.region) for c in cities] == [
        ("Springfield, Illinois", "Springfield", "IL")
    ]
    assert {k.origin for k in IDENTITY.known} == {"you gave it"}
    assert [k.value for k in IDENTITY.of(TieKind.HANDLE)] == ["jtestwell", "jt"]


def test_each_kind_is_found_once_in_order() -> None:
    text = (
        "Jordan A. Testwell (jtestwell) — JORDAN.TESTWELL@example.com — "
        "https://jordantestwell.example.com — Springfield — Prairie Lantern Books"
    )
    found = kinds(text, phones={"+12175550142"})
    assert found == ["name", "email", "phone", "handle", "domain", "city", "affiliation"]


@pytest.mark.parametrize(
    "text",
    [
        "jt",  # too short to mean anything: it turns up inside words
        "jtestwell-archive",  # inside a longer handle
        "mail.jordantestwell.example.com.evil",  # inside a longer host
        "Jordan Testwellington",  # a longer name is someone else
    ],
)
def test_near_misses_do_not_tie(text: str) -> None:
    assert kinds(text, kinds=(TieKind.NAME, TieKind.HANDLE, TieKind.DOMAIN)) == []


def test_the_handle_that_found_an_account_proves_nothing() -> None:
    assert kinds("jtestwell", exclude="JTestwell") == []


def test_a_city_in_another_state_is_another_city() -> None:
    assert kinds("Springfield", states={"MO"}) == []
    assert kinds("Springfield", states={"IL", "MO"}) == ["city"]
    assert kinds("Springfield") == ["city"]


def test_weak_ties_are_cities_and_affiliations() -> None:
    ties = find_ties("Springfield, Prairie Lantern Books, jtestwell", IDENTITY)
    assert [(t.kind.value, t.weak) for t in ties] == [
        ("handle", False),
        ("city", True),
        ("affiliation", True),
    ]
    assert ties[0].phrase == "your handle jtestwell"


def test_the_table_has_a_row_for_every_basis_strongest_first() -> None:
    assert set(BASES) == set(Basis)
    values = [BASES[b].confidence for b in Basis]
    assert values == sorted(values, reverse=True)
    assert all(0.0 < v < 1.0 for v in values)


def test_modifiers() -> None:
    assert confidence_of(Basis.TIED) == 0.85
    assert confidence_of(Basis.TIED, lead_steps=2) == round(0.85 * 0.9**2, 3)
    assert confidence_of(Basis.KEYED, mention=Kind.WEBSITE) == round(0.9 * 0.6, 3)
    assert mention_factor(Kind.EMAIL) == 1.0
    assert lead_trust(0) == 1.0
    assert rebased(0.9, Basis.TIED, Basis.UNTIED) == round(0.9 * 0.55 / 0.85, 3)
