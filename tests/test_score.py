"""score: tier by kind, 0..100 score, one plain sentence of why; the overall risk."""

from __future__ import annotations

import re

import pytest

from scanner.correlate import Merged, fingerprint, normalise
from scanner.models import Context, Finding, Kind, Profile, RemovalStep, Severity, SourceRef
from scanner.score import (
    KINDS,
    overall_risk,
    score_finding,
    sort_findings,
    summary_sentence,
)

PROFILE = Profile(
    names=("Jordan Testwell",),
    handles=("jtestwell",),
    emails=("jordan.testwell@example.com",),
    phones=("+12175550142",),
)
STEP = RemovalStep("Remove it", "Remove it where it is shown.")
ONE_SENTENCE = re.compile(r"[A-Z][^.]*\.")


def merged(
    kind: Kind, value: str, confidence: float = 1.0, sources: tuple[str, ...] = ("a",)
) -> Merged:
    key = normalise(kind, value)
    return Merged(
        id=fingerprint(kind, key, PROFILE),
        kind=kind,
        value=value,
        key=key,
        sources=tuple(
            SourceRef(name, f"https://{name}.example/{i}") for i, name in enumerate(sources)
        ),
        evidence=(),
        confidence=confidence,
        reasons=(),
        removal=(),
    )


def score(m: Merged, profile: Profile = PROFILE) -> Finding:
    return score_finding(m, profile, (STEP,))


def finding(kind: Kind, score_: int, urls: tuple[str, ...] = ("https://a.example/1",)) -> Finding:
    return Finding(
        id=f"{abs(hash((kind, score_, urls))):016x}"[:16],
        kind=kind,
        value=f"{kind.value} {score_}",
        sources=tuple(SourceRef("a", url) for url in urls),
        evidence=(),
        confidence=1.0,
        severity=KINDS[kind].severity,
        score=score_,
        reason="Why.",
        removal=(STEP,),
    )


# --- tiers --------------------------------------------------------------------------


def test_every_kind_has_a_tier() -> None:
    assert set(KINDS) == set(Kind)


@pytest.mark.parametrize(
    ("kind", "value", "severity", "points"),
    [
        (Kind.HOME_ADDRESS, "12 Old Mill Road, Springfield, IL", Severity.CRITICAL, 95),
        (Kind.PHONE, "+12175550142", Severity.HIGH, 75),
        (Kind.EMPLOYER, "Acme Example Co", Severity.HIGH, 70),
        (Kind.RELATIVE, "Pat Testwell", Severity.HIGH, 65),
        (Kind.PHOTO, "https://images.example/jt.jpg", Severity.HIGH, 60),
        (Kind.LOCATION, "Springfield, IL", Severity.MEDIUM, 50),
        (Kind.EMAIL, "jordan.testwell@example.com", Severity.MEDIUM, 45),
        (Kind.USERNAME, "jtestwell", Severity.MEDIUM, 35),
        (Kind.WEBSITE, "https://jt.example", Severity.LOW, 30),
        (Kind.ACCOUNT, "https://github.com/jtestwell", Severity.LOW, 25),
        (Kind.OTHER, "something", Severity.LOW, 15),
    ],
)
def test_tier_and_base_score_by_kind(
    kind: Kind, value: str, severity: Severity, points: int
) -> None:
    result = score(merged(kind, value))
    assert (result.severity, result.score) == (severity, points)
    assert result.reason.startswith(f"{severity.value.capitalize()}: ")
    assert result.removal == (STEP,)


def test_score_scales_with_confidence() -> None:
    assert score(merged(Kind.LOCATION, "Springfield, IL", 0.5)).score == 25
    assert score(merged(Kind.LOCATION, "Springfield, IL", 0.0)).score == 0


def test_finding_carries_the_merged_fact() -> None:
    m = merged(Kind.LOCATION, "Springfield, IL", 0.8, ("a", "b"))
    result = score(m)
    assert (result.id, result.kind, result.value, result.sources, result.confidence) == (
        m.id,
        m.kind,
        m.value,
        m.sources,
        0.8,
    )


# --- the subject's context ------------------------------------------------------------


def test_public_on_purpose_lowers_the_score_and_says_so() -> None:
    site = merged(Kind.WEBSITE, "https://jordantestwell.example.com", 0.9)
    plain = score(site)
    profile = Profile(
        names=("Jordan Testwell",),
        context=Context(public_on_purpose=("jordantestwell.example.com",)),
    )
    marked = score(site, profile)
    assert plain.score == 27
    assert marked.score == 8  # 30 * 0.9 * 0.3
    assert "you marked it public on purpose" in marked.reason
    assert "public on purpose" not in plain.reason


def test_known_to_abuser_lowers_the_score_and_says_so() -> None:
    email = merged(Kind.EMAIL, "jordan.testwell@example.com", 0.9)
    profile = Profile(
        emails=("jordan.testwell@example.com",),
        context=Context(known_to_abuser=("Jordan.Testwell@example.com",)),
    )
    assert score(email).score == 40
    known = score(email, profile)
    assert known.score == 24  # 45 * 0.9 * 0.6
    assert "the person you are worried about already knows it" in known.reason


def test_public_on_purpose_wins_over_known_to_abuser() -> None:
    profile = Profile(
        names=("Jordan Testwell",),
        context=Context(
            known_to_abuser=("Acme Example Co",), public_on_purpose=("acme example co",)
        ),
    )
    result = score(merged(Kind.EMPLOYER, "Acme Example Co"), profile)
    assert result.score == 21  # 70 * 0.3
    assert "public on purpose" in result.reason
    assert "already knows" not in result.reason


def test_context_matches_only_the_same_fact() -> None:
    profile = Profile(
        names=("Jordan Testwell",),
        context=Context(known_to_abuser=("jordan-testwell@example.com", "Springfield, IL")),
    )
    assert score(merged(Kind.EMAIL, "jordan.testwell@example.com"), profile).score == 50
    assert score(merged(Kind.LOCATION, "Springfield, Illinois"), profile).score == 30


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (Kind.EMAIL, "jt.garden@example.org"),
        (Kind.PHONE, "(217) 555-0199"),
        (Kind.USERNAME, "gardenfriend"),
    ],
)
def test_identifiers_not_in_the_profile_get_a_note_and_rank_higher(kind: Kind, value: str) -> None:
    result = score(merged(kind, value, 0.8))
    assert "you did not list it" in result.reason
    assert result.score == round(KINDS[kind].base * 0.8 * 1.1)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (Kind.EMAIL, "Jordan.Testwell@Example.com"),
        (Kind.PHONE, "(217) 555-0142"),
        (Kind.USERNAME, "@JTestwell"),
    ],
)
def test_identifiers_in_the_profile_get_no_note(kind: Kind, value: str) -> None:
    result = score(merged(kind, value, 0.8))
    assert "did not list" not in result.reason
    assert result.score == round(KINDS[kind].base * 0.8)


def test_other_kinds_are_never_new_identifiers() -> None:
    assert "did not list" not in score(merged(Kind.REAL_NAME, "Someone Else")).reason


def test_corroboration_adds_up_to_two_bonuses() -> None:
    one = score(merged(Kind.LOCATION, "Springfield, IL", 0.5, ("a",)))
    two = score(merged(Kind.LOCATION, "Springfield, IL", 0.5, ("a", "b")))
    four = score(merged(Kind.LOCATION, "Springfield, IL", 0.5, ("a", "b", "c", "d")))
    same = score(merged(Kind.LOCATION, "Springfield, IL", 0.5, ("a", "a")))
    assert (one.score, two.score, four.score, same.score) == (25, 30, 35, 25)
    assert "seen in 2 sources" in two.reason
    assert "seen in 3 sources" in four.reason
    assert "seen in" not in one.reason
    assert "seen in" not in same.reason  # two pages of one source are not corroboration


def test_score_never_exceeds_100() -> None:
    result = score(merged(Kind.HOME_ADDRESS, "12 Old Mill Road", 1.0, ("a", "b", "c")))
    assert result.score == 100


def test_no_sources_is_no_negative_bonus() -> None:
    m = merged(Kind.LOCATION, "Springfield, IL", 0.5, ())
    result = score(m)
    assert result.score == 25
    assert result.reason == "Medium: it narrows down where you live."


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize(
    "context",
    [
        Context(),
        Context(public_on_purpose=("x@example.org",)),
        Context(known_to_abuser=("x@example.org",)),
    ],
)
@pytest.mark.parametrize("sources", [("a",), ("a", "b", "c")])
def test_every_reason_is_one_sentence(
    kind: Kind, context: Context, sources: tuple[str, ...]
) -> None:
    profile = Profile(names=("Jordan Testwell",), context=context)
    result = score(merged(kind, "x@example.org", 0.7, sources), profile)
    assert ONE_SENTENCE.fullmatch(result.reason), result.reason


def test_reason_joins_every_note() -> None:
    profile = Profile(
        names=("Jordan Testwell",), context=Context(known_to_abuser=("x@example.org",))
    )
    result = score(merged(Kind.EMAIL, "x@example.org", 1.0, ("a", "b")), profile)
    assert result.reason == (
        "Medium: it lets someone contact you and find other accounts and breaches "
        "(seen in 2 sources; you did not list it, so it may be one you thought was private; "
        "the person you are worried about already knows it)."
    )


# --- ranking and the overall risk -----------------------------------------------------


def test_sort_by_score_then_kind_then_value() -> None:
    items = [finding(Kind.EMAIL, 40), finding(Kind.PHONE, 70), finding(Kind.ACCOUNT, 40)]
    assert [(f.kind, f.score) for f in sort_findings(items)] == [
        (Kind.PHONE, 70),
        (Kind.ACCOUNT, 40),
        (Kind.EMAIL, 40),
    ]


def test_no_findings_is_zero_and_low() -> None:
    risk = overall_risk([])
    assert (risk.score, risk.level) == (0, Severity.LOW)
    assert risk.summary == "Nothing about you was found in the sources checked."


def test_one_finding_sets_the_score() -> None:
    risk = overall_risk([finding(Kind.EMAIL, 50)])
    assert (risk.score, risk.level) == (50, Severity.MEDIUM)


def test_other_findings_raise_the_worst_with_diminishing_weight() -> None:
    # 50 + (100 - 50) * 0.35 * (1 - e^(-50/300)) = 52.69
    assert overall_risk([finding(Kind.EMAIL, 50), finding(Kind.LOCATION, 50)]).score == 53
    many = overall_risk([finding(Kind.EMAIL, 50)] + [finding(Kind.LOCATION, 50)] * 200)
    assert many.score == 67  # approaches 50 + 50 * 0.35 = 67.5, never reaches it
    assert many.level is Severity.HIGH


def test_without_a_critical_finding_the_level_is_at_most_high() -> None:
    risk = overall_risk([finding(Kind.PHONE, 95), finding(Kind.EMPLOYER, 90)])
    assert risk.score >= 95
    assert risk.level is Severity.HIGH


def test_a_home_address_can_make_it_critical() -> None:
    address = score(merged(Kind.HOME_ADDRESS, "12 Old Mill Road, Springfield, IL", 0.9))
    assert address.severity is Severity.CRITICAL
    risk = overall_risk([address, finding(Kind.EMAIL, 40)])
    assert risk.score >= 86
    assert risk.level is Severity.CRITICAL


def test_a_weak_home_address_does_not_force_critical() -> None:
    address = score(merged(Kind.HOME_ADDRESS, "12 Old Mill Road", 0.3))
    assert overall_risk([address]).level is Severity.LOW


def test_summary_lists_kinds_by_base_weight_with_places() -> None:
    findings = [
        finding(Kind.ACCOUNT, 25),
        finding(Kind.EMAIL, 40, ("https://a.example/1", "https://b.example/1")),
        finding(Kind.EMAIL, 30, ("https://a.example/1", "https://c.example/1")),
        finding(Kind.WEBSITE, 10),  # too minor to mention
        finding(Kind.PHONE, 60),
        finding(Kind.HOME_ADDRESS, 90),
    ]
    assert summary_sentence(findings) == (
        "Someone who searches for you could find: your home address (1 place), "
        "your phone number (1 place), 2 email addresses (3 places), an account (1 place)."
    )
    assert overall_risk(findings).summary == summary_sentence(findings)


def test_summary_of_only_minor_findings() -> None:
    assert (
        summary_sentence([finding(Kind.WEBSITE, 8)]) == "Only minor details about you were found."
    )


def test_summary_counts_one_value_seen_in_many_places_as_one() -> None:
    one = finding(Kind.EMAIL, 40, ("https://a.example/1", "https://b.example/1"))
    assert summary_sentence([one]) == (
        "Someone who searches for you could find: your email address (2 places)."
    )


def test_an_empty_result_from_no_checked_source_does_not_read_as_clean() -> None:
    risk = overall_risk([], checked=False)
    assert risk.summary.startswith("No source could be checked")
    assert "Nothing about you was found" not in risk.summary
