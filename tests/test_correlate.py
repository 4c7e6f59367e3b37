"""correlate: when two values are the same fact, and how sightings of a fact merge."""

from __future__ import annotations

import hashlib
import re

import pytest

from scanner.correlate import fingerprint, merge_accounts, merge_observations, normalise
from scanner.models import (
    Account,
    AccountStatus,
    Kind,
    Observation,
    Profile,
    RemovalStep,
    SourceRef,
)

PROFILE = Profile(names=("Jordan Testwell",), handles=("jtestwell",))
STEP_A = RemovalStep("Edit profile A", "Clear the field on A.", "https://a.example/settings")
STEP_B = RemovalStep("Edit profile B", "Clear the field on B.")
A1 = SourceRef("a", "https://a.example/jt")
A2 = SourceRef("a", "https://a.example/jt/commits")
B1 = SourceRef("b", "https://b.example/jt")


def obs(
    kind: Kind,
    value: str,
    source: SourceRef = A1,
    confidence: float = 0.5,
    evidence: str = "",
    reason: str = "",
    removal: tuple[RemovalStep, ...] = (),
) -> Observation:
    return Observation(kind, value, source, evidence, confidence, reason, removal)


# --- normalise ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.WEBSITE, Kind.ACCOUNT, Kind.PHOTO])
@pytest.mark.parametrize(
    "value",
    [
        "https://www.Example.com/about/",
        "http://example.com/about",
        "https://example.com/about",
        "example.com/about",
        "www.example.com/about/",
        "  EXAMPLE.com/about  ",
    ],
)
def test_urls_with_or_without_scheme_www_and_slash_are_equal(kind: Kind, value: str) -> None:
    assert normalise(kind, value) == "example.com/about"


def test_different_urls_stay_different() -> None:
    assert normalise(Kind.WEBSITE, "https://example.com/a") != normalise(
        Kind.WEBSITE, "https://example.com/b"
    )
    assert normalise(Kind.WEBSITE, "https://example.com/?id=1") != normalise(
        Kind.WEBSITE, "https://example.com/?id=2"
    )
    assert normalise(Kind.WEBSITE, "https://example.com") != normalise(
        Kind.WEBSITE, "https://example.org"
    )


@pytest.mark.parametrize(
    "value",
    [
        "Springfield, Illinois",
        "Springfield, IL",
        "springfield, il, USA",
        "Springfield,IL",
        "  Springfield ,  Illinois , United States ",
        "Springfield, IL, US",
    ],
)
def test_locations_by_state_name_or_code_are_equal(value: str) -> None:
    assert normalise(Kind.LOCATION, value) == "springfield, il"


def test_different_locations_stay_different() -> None:
    assert normalise(Kind.LOCATION, "Springfield, MO") != normalise(
        Kind.LOCATION, "Springfield, IL"
    )
    assert normalise(Kind.LOCATION, "Paris, France") == "paris, france"


@pytest.mark.parametrize(
    "value", ["(217) 555-0142", "+12175550142", "217.555.0142", "+1 217 555 0142", "2175550142"]
)
def test_phones_in_any_format_are_equal(value: str) -> None:
    assert normalise(Kind.PHONE, value) == "2175550142"


def test_different_phones_stay_different() -> None:
    assert normalise(Kind.PHONE, "(217) 555-0142") != normalise(Kind.PHONE, "(217) 555-0143")


@pytest.mark.parametrize("value", ["@jtestwell", "jtestwell", "@JTestwell", " JTESTWELL "])
def test_usernames_with_or_without_at_are_equal(value: str) -> None:
    assert normalise(Kind.USERNAME, value) == "jtestwell"


def test_emails_differ_by_case_only_in_name() -> None:
    assert normalise(Kind.EMAIL, "Jordan.Testwell@Example.COM") == "jordan.testwell@example.com"
    assert normalise(Kind.EMAIL, "mailto:jordan.testwell@example.com") == (
        "jordan.testwell@example.com"
    )


@pytest.mark.parametrize(
    "other",
    [
        "jordan-testwell@example.com",
        "jordan_testwell@example.com",
        "jordantestwell@example.com",
        "jordan.testwell@example-com.net",
        "jordan.testwell+shop@example.com",
    ],
)
def test_different_emails_are_never_the_same_fact(other: str) -> None:
    assert normalise(Kind.EMAIL, other) != normalise(Kind.EMAIL, "jordan.testwell@example.com")


def test_names_ignore_case_punctuation_and_spacing() -> None:
    assert normalise(Kind.REAL_NAME, "  Jordan   TESTWELL ") == "jordan testwell"
    assert normalise(Kind.REAL_NAME, "J. Testwell") == normalise(Kind.REAL_NAME, "j testwell")


# --- merge_observations ------------------------------------------------------------


def test_merge_unites_sources_evidence_reasons_and_removal() -> None:
    merged = merge_observations(
        [
            obs(Kind.EMAIL, "jt@example.org", A1, 0.5, "ev one", "on A", (STEP_A,)),
            obs(Kind.EMAIL, "JT@example.org ", B1, 0.6, "ev two", "on B", (STEP_B, STEP_A)),
            obs(Kind.EMAIL, "jt@example.org", A1, 0.4, "ev one", "on A", (STEP_A,)),
            obs(Kind.EMAIL, "jt@example.org", A1, 0.3, "ev three", "on A"),
        ],
        PROFILE,
    )
    (one,) = merged
    assert one.kind is Kind.EMAIL
    assert one.key == "jt@example.org"
    assert one.value == "JT@example.org"  # the most confident sighting, stripped
    assert one.sources == (A1, B1)
    assert one.evidence == ("ev one", "ev two", "ev three")
    assert one.reasons == ("on A", "on B")
    assert one.removal == (STEP_A, STEP_B)
    # one contribution per SourceRef: A1's best (0.5) and B1 (0.6)
    assert one.confidence == pytest.approx(1 - 0.5 * 0.4)
    assert one.id == fingerprint(Kind.EMAIL, "jt@example.org", PROFILE)


def test_repeats_on_one_page_are_one_piece_of_evidence() -> None:
    group = [obs(Kind.PHONE, "+12175550142", A1, 0.5) for _ in range(5)]
    (one,) = merge_observations(group, PROFILE)
    assert one.confidence == 0.5


def test_two_pages_of_one_source_are_two_pieces_of_evidence() -> None:
    (one,) = merge_observations(
        [obs(Kind.PHONE, "+12175550142", A1, 0.5), obs(Kind.PHONE, "(217) 555-0142", A2, 0.5)],
        PROFILE,
    )
    assert one.confidence == 0.75
    assert one.sources == (A1, A2)


def test_confidence_is_clamped_to_zero_one() -> None:
    (one,) = merge_observations(
        [obs(Kind.EMAIL, "a@example.org", A1, 1.7), obs(Kind.EMAIL, "a@example.org", B1, -2.0)],
        PROFILE,
    )
    assert one.confidence == 1.0


def test_different_kinds_and_values_stay_apart_and_blanks_are_dropped() -> None:
    merged = merge_observations(
        [
            obs(Kind.USERNAME, "jtestwell"),
            obs(Kind.REAL_NAME, "jtestwell"),
            obs(Kind.EMAIL, "jordan.testwell@example.com"),
            obs(Kind.EMAIL, "jordan-testwell@example.com"),
            obs(Kind.EMAIL, "   "),
        ],
        PROFILE,
    )
    assert [(m.kind, m.value) for m in merged] == [
        (Kind.USERNAME, "jtestwell"),
        (Kind.REAL_NAME, "jtestwell"),
        (Kind.EMAIL, "jordan.testwell@example.com"),
        (Kind.EMAIL, "jordan-testwell@example.com"),
    ]
    assert len({m.id for m in merged}) == 4


# --- fingerprint --------------------------------------------------------------------


def test_fingerprint_is_stable_and_short_hex() -> None:
    first = fingerprint(Kind.PHONE, "2175550142", PROFILE)
    again = fingerprint(Kind.PHONE, "2175550142", Profile(names=("Jordan Testwell",)))
    assert first == again
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    # the same across versions (reports are compared by id): kind, key and subject, hashed
    expected = hashlib.sha256(b"phone\x002175550142\x00jordan testwell").hexdigest()[:16]
    assert first == expected == "3817d33d3b5cc336"


def test_fingerprint_differs_by_subject_kind_and_value() -> None:
    base = fingerprint(Kind.PHONE, "2175550142", PROFILE)
    assert fingerprint(Kind.PHONE, "2175550142", Profile(names=("Sam Placeholder",))) != base
    assert fingerprint(Kind.OTHER, "2175550142", PROFILE) != base
    assert fingerprint(Kind.PHONE, "2175550143", PROFILE) != base
    # the subject is matched without case
    assert fingerprint(Kind.PHONE, "2175550142", Profile(names=("JORDAN TESTWELL",))) == base


def test_fingerprint_falls_back_to_handles_emails_phones() -> None:
    by_handle = fingerprint(Kind.EMAIL, "x@example.org", Profile(handles=("jt",)))
    by_email = fingerprint(Kind.EMAIL, "x@example.org", Profile(emails=("jt@example.org",)))
    by_phone = fingerprint(Kind.EMAIL, "x@example.org", Profile(phones=("+12175550142",)))
    assert len({by_handle, by_email, by_phone}) == 3


# --- merge_accounts -----------------------------------------------------------------


def account(
    url: str, status: AccountStatus, details: dict[str, str] | None = None, site: str = "GitHub"
) -> Account:
    return Account(site, url, "jt", status, details or {})


def test_accounts_merge_by_url_found_beats_unknown_beats_not_found() -> None:
    merged = merge_accounts(
        [
            account("https://github.com/jt", AccountStatus.NOT_FOUND, {"a": "1", "name": "old"}),
            account("https://www.github.com/jt/", AccountStatus.FOUND, {"name": "Jordan"}),
            account("https://github.com/jt", AccountStatus.UNKNOWN, {"b": "2"}),
        ]
    )
    (one,) = merged
    assert one.status is AccountStatus.FOUND
    assert one.url == "https://www.github.com/jt/"  # the winner's own record
    assert dict(one.details) == {"a": "1", "name": "Jordan", "b": "2"}


def test_unknown_beats_not_found_whatever_the_order() -> None:
    for pair in (
        [
            account("https://x.example/jt", AccountStatus.UNKNOWN),
            account("https://x.example/jt", AccountStatus.NOT_FOUND),
        ],
        [
            account("https://x.example/jt", AccountStatus.NOT_FOUND),
            account("https://x.example/jt", AccountStatus.UNKNOWN),
        ],
    ):
        assert [a.status for a in merge_accounts(pair)] == [AccountStatus.UNKNOWN]


def test_distinct_accounts_are_kept_found_first() -> None:
    merged = merge_accounts(
        [
            account("https://b.example/jt", AccountStatus.NOT_FOUND, site="Bsite"),
            account("https://a.example/jt", AccountStatus.UNKNOWN, site="Asite"),
            account("https://c.example/jt", AccountStatus.FOUND, site="Csite"),
            account("https://d.example/jt", AccountStatus.FOUND, site="asite"),
        ]
    )
    assert [a.url for a in merged] == [
        "https://d.example/jt",
        "https://c.example/jt",
        "https://a.example/jt",
        "https://b.example/jt",
    ]


def test_a_link_to_a_known_account_is_that_account() -> None:
    merged = merge_observations(
        [
            obs(Kind.ACCOUNT, "https://github.com/jtestwell", A1, 0.9),
            obs(Kind.WEBSITE, "github.com/jtestwell/", B1, 0.4),
            obs(Kind.WEBSITE, "https://testwell.example", B1, 0.4),
        ],
        PROFILE,
    )
    assert [(m.kind, m.key, len(m.sources)) for m in merged] == [
        (Kind.ACCOUNT, "github.com/jtestwell", 2),
        (Kind.WEBSITE, "testwell.example", 1),
    ]
