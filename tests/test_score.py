"""score: the model in docs/scoring.md — tiers by kind, the factors, context, reasons, risk."""

from __future__ import annotations

import re
from datetime import date

import pytest

from scanner import score as score_module
from scanner.correlate import Merged, fingerprint, merge_observations, normalise
from scanner.models import (
    Context,
    Finding,
    Kind,
    Location,
    Observation,
    Profile,
    RemovalStep,
    Severity,
    SourceRef,
)
from scanner.score import (
    AGGREGATION_FACTOR,
    AUDIENCE,
    CORROBORATION_FACTORS,
    KINDS,
    KNOWN_TO_ABUSER_FACTOR,
    PRECISE_PLACE,
    PUBLIC_ON_PURPOSE_FACTOR,
    REASON_MAX,
    audience,
    freshness,
    is_aggregated,
    overall_risk,
    page_index,
    score_finding,
    score_findings,
    sort_findings,
    summary_sentence,
    tier,
)
from tests.support import ROOT
from tests.test_report_json import demo_profile, demo_scan

PROFILE = Profile(
    names=("Jordan Testwell",),
    handles=("jtestwell",),
    emails=("jordan.testwell@example.com",),
    phones=("+12175550142",),
)
STEP = RemovalStep("Remove it", "Remove it where it is shown.")
ONE_SENTENCE = re.compile(r"[A-Z][^.]*\.")
DOC = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
PAGE = "https://people.example/jordan-testwell"


def merged(
    kind: Kind,
    value: str,
    confidence: float = 1.0,
    sources: tuple[str, ...] = ("a",),
    urls: tuple[str, ...] = (),
) -> Merged:
    """A merged fact; sources are named, each on its own page unless urls are given."""
    key = normalise(kind, value)
    pages = urls or tuple(f"https://{name}.example/{i}" for i, name in enumerate(sources))
    return Merged(
        id=fingerprint(kind, key, PROFILE),
        kind=kind,
        value=value,
        key=key,
        sources=tuple(SourceRef(name, url) for name, url in zip(sources, pages, strict=True)),
        evidence=(),
        confidence=confidence,
        reasons=(),
        removal=(),
    )


def on_page(kind: Kind, value: str, url: str = PAGE, confidence: float = 1.0) -> Merged:
    return merged(kind, value, confidence, ("people",), (url,))


def score(m: Merged, profile: Profile = PROFILE, among: tuple[Merged, ...] = ()) -> Finding:
    return score_finding(m, profile, (STEP,), among=among)


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


# --- tiers ----------------------------------------------------------------------------


def test_every_kind_has_a_tier() -> None:
    assert set(KINDS) == set(Kind)


@pytest.mark.parametrize(
    ("kind", "value", "severity", "points"),
    [
        (Kind.HOME_ADDRESS, "12 Old Mill Road, Springfield, IL", Severity.CRITICAL, 90),
        (Kind.LOCATION, "39.7817, -89.6501", Severity.CRITICAL, 90),
        (Kind.PHONE, "+12175550142", Severity.HIGH, 75),
        (Kind.EMPLOYER, "Acme Example Co", Severity.HIGH, 70),
        (Kind.RELATIVE, "Pat Testwell", Severity.HIGH, 65),
        (Kind.PHOTO, "https://images.example/jt.jpg", Severity.HIGH, 60),
        (Kind.EMAIL, "jordan.testwell@example.com", Severity.MEDIUM, 50),
        (Kind.LOCATION, "Springfield, IL", Severity.MEDIUM, 45),
        (Kind.BIRTHDATE, "1990-04-01", Severity.MEDIUM, 45),
        (Kind.SCHOOL, "Springfield Example High", Severity.MEDIUM, 45),
        (Kind.AGE, "34", Severity.MEDIUM, 40),
        (Kind.USERNAME, "jtestwell", Severity.MEDIUM, 40),
        (Kind.BREACH, "ExampleSeedCatalog", Severity.MEDIUM, 40),
        (Kind.REAL_NAME, "Jordan Testwell", Severity.MEDIUM, 35),
        (Kind.WEBSITE, "https://jt.example", Severity.LOW, 25),
        (Kind.ACCOUNT, "https://github.com/jtestwell", Severity.LOW, 25),
        (Kind.OTHER, "Gardener", Severity.LOW, 15),
    ],
)
def test_tier_and_base_score_by_kind(
    kind: Kind, value: str, severity: Severity, points: int
) -> None:
    result = score(merged(kind, value))
    assert (result.severity, result.score) == (severity, points)
    assert result.reason.startswith(f"{severity.value.capitalize()}: ")
    assert result.removal == (STEP,)


def test_tiers_keep_the_issue_order() -> None:
    order = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW]
    for kind in (Kind.HOME_ADDRESS,):
        assert KINDS[kind].severity is Severity.CRITICAL
    for kind in (Kind.EMPLOYER, Kind.RELATIVE, Kind.PHONE, Kind.PHOTO):
        assert KINDS[kind].severity is Severity.HIGH
    for kind in (Kind.EMAIL, Kind.USERNAME, Kind.BIRTHDATE, Kind.AGE):
        assert KINDS[kind].severity is Severity.MEDIUM
    # a higher tier never has fewer base points than a lower one
    for kind in Kind:
        for other in Kind:
            a, b = KINDS[kind], KINDS[other]
            if order.index(a.severity) < order.index(b.severity):
                assert a.base > b.base, (kind, other)


@pytest.mark.parametrize(
    ("value", "precise"),
    [
        ("39.7817, -89.6501", True),
        ("-33.8688,151.2093", True),
        ("Springfield, IL", False),
        ("39, -89", False),  # whole degrees are not a precise place
        ("Route 66, 12.5 miles out", False),
    ],
)
def test_only_coordinates_make_a_location_a_precise_place(value: str, precise: bool) -> None:
    assert (tier(Kind.LOCATION, value) is PRECISE_PLACE) is precise
    assert tier(Kind.PHONE, value) is KINDS[Kind.PHONE]


def test_the_doc_table_matches_the_code() -> None:
    rows = re.findall(
        r"^\| (critical|high|medium|low) \| `([a-z_]+)`[^|]*\| (\d+) \|", DOC, flags=re.MULTILINE
    )
    documented = {(kind, severity, int(base)) for severity, kind, base in rows}
    coded = {(k.value, i.severity.value, i.base) for k, i in KINDS.items()}
    coded.add((Kind.LOCATION.value, PRECISE_PLACE.severity.value, PRECISE_PLACE.base))
    assert documented == coded


def test_the_doc_states_every_factor() -> None:
    for text in (
        "× 1.25",
        "| 2 | 1.1 |",
        "| 3 or more | 1.2 |",
        "is 0.8",
        "| 0.3 |",
        "| 0.6 |",
        "| over 3 years | 0.75 |",
        "| 1 to 3 years | 0.9 |",
        "0.35 × (1 − e^(−rest / 300))",
        "at most 200 characters",
    ):
        assert text in DOC, text
    assert (AGGREGATION_FACTOR, CORROBORATION_FACTORS) == (1.25, (1.0, 1.1, 1.2))
    assert (AUDIENCE["login"], AUDIENCE["paywall"], AUDIENCE["public"]) == (0.8, 0.8, 1.0)
    assert (PUBLIC_ON_PURPOSE_FACTOR, KNOWN_TO_ABUSER_FACTOR, REASON_MAX) == (0.3, 0.6, 200)


# --- the factors ----------------------------------------------------------------------


def test_score_scales_with_confidence_and_rounds_halves_up() -> None:
    assert score(merged(Kind.LOCATION, "Springfield, IL", 0.5)).score == 23  # 22.5
    assert score(merged(Kind.LOCATION, "Springfield, IL", 0.0)).score == 0
    low = score(merged(Kind.PHONE, "+12175550142", 0.4))
    high = score(merged(Kind.PHONE, "+12175550142", 0.9))
    assert low.score < high.score
    assert "maybe not yours" in low.reason
    assert "maybe not yours" not in high.reason


def test_freshness_is_one_when_the_date_is_unknown_and_falls_with_age() -> None:
    today = date(2025, 6, 1)
    assert freshness(None) == 1.0
    assert freshness(date(2025, 1, 1), today) == 1.0
    assert freshness(date(2023, 6, 1), today) == 0.9
    assert freshness(date(2019, 6, 1), today) == 0.75
    # findings carry no dates yet: nothing is lowered for age
    assert score(merged(Kind.HOME_ADDRESS, "12 Old Mill Road")).score == 90


def test_aggregation_raises_a_fact_shown_with_name_and_city() -> None:
    phone = on_page(Kind.PHONE, "+12175550142", confidence=0.8)
    name = on_page(Kind.REAL_NAME, "Jordan Testwell")
    city = on_page(Kind.LOCATION, "Springfield, IL")
    alone = score(phone)
    joined = score(phone, among=(phone, name, city))
    assert (alone.score, joined.score) == (60, 75)  # 75 × 0.8, then × 1.25
    assert "shown with your name and city" in joined.reason
    assert "shown with" not in alone.reason


@pytest.mark.parametrize(
    ("others", "expected"),
    [
        ((Kind.REAL_NAME,), False),  # name only
        ((Kind.LOCATION,), False),  # city only
        ((Kind.REAL_NAME, Kind.LOCATION), True),
        ((Kind.REAL_NAME, Kind.HOME_ADDRESS), True),
        ((Kind.EMAIL, Kind.USERNAME), False),
    ],
)
def test_aggregation_needs_a_name_and_a_place_on_the_same_page(
    others: tuple[Kind, ...], expected: bool
) -> None:
    values = {
        Kind.REAL_NAME: "Jordan Testwell",
        Kind.LOCATION: "Springfield, IL",
        Kind.HOME_ADDRESS: "12 Old Mill Road, Springfield, IL",
        Kind.EMAIL: "jt@example.org",
        Kind.USERNAME: "jtestwell",
    }
    employer = on_page(Kind.EMPLOYER, "Acme Example Co")
    among = [employer, *(on_page(kind, values[kind]) for kind in others)]
    assert is_aggregated(employer, page_index(among)) is expected


def test_a_name_and_city_on_another_page_do_not_count() -> None:
    phone = on_page(Kind.PHONE, "+12175550142")
    name = on_page(Kind.REAL_NAME, "Jordan Testwell", "https://other.example/jt")
    city = on_page(Kind.LOCATION, "Springfield, IL", "https://other.example/jt")
    assert score(phone, among=(phone, name, city)).score == 75


def test_the_fact_itself_fills_its_own_role() -> None:
    address = on_page(Kind.HOME_ADDRESS, "12 Old Mill Road, Springfield, IL", confidence=0.72)
    name = on_page(Kind.REAL_NAME, "Jordan Testwell")
    city = on_page(Kind.LOCATION, "Springfield, IL")
    result = score(address, among=(address, name))
    assert result.score == 81  # 90 × 0.72 × 1.25 = 81
    assert result.reason == (
        "Critical: your home address, shown with your name, seen in 1 source; "
        "someone could find where you live."
    )
    assert "shown with your city" in score(name, among=(name, city)).reason
    assert "shown with your name" in score(city, among=(name, city)).reason
    assert score(address, among=(address,)).score == 65  # alone on its page


def test_pages_are_compared_without_www_slash_or_host_case() -> None:
    phone = on_page(Kind.PHONE, "+12175550142", "https://www.People.example/jordan-testwell/")
    name = on_page(Kind.REAL_NAME, "Jordan Testwell")
    city = on_page(Kind.LOCATION, "Springfield, IL")
    assert is_aggregated(phone, page_index([phone, name, city]))


def test_among_may_be_the_merged_facts_or_their_index() -> None:
    facts = [on_page(Kind.PHONE, "+12175550142"), on_page(Kind.REAL_NAME, "Jordan Testwell")]
    facts.append(on_page(Kind.LOCATION, "Springfield, IL"))
    by_list = score_finding(facts[0], PROFILE, (STEP,), among=facts)
    by_index = score_finding(facts[0], PROFILE, (STEP,), among=page_index(facts))
    assert by_list == by_index
    assert by_list.score == 94  # 75 × 1.25 = 93.75


def test_score_findings_scores_against_each_other_and_sorts() -> None:
    facts = [
        on_page(Kind.REAL_NAME, "Jordan Testwell"),
        on_page(Kind.LOCATION, "Springfield, IL"),
        on_page(Kind.HOME_ADDRESS, "12 Old Mill Road, Springfield, IL", confidence=0.72),
        merged(Kind.EMAIL, "jt@example.org"),
    ]
    findings = score_findings(facts, PROFILE, lambda m: (STEP,))
    assert [(f.kind, f.score) for f in findings] == [
        (Kind.HOME_ADDRESS, 81),
        (Kind.LOCATION, 56),  # 45 × 1.25 = 56.25
        (Kind.EMAIL, 50),
        (Kind.REAL_NAME, 44),  # 35 × 1.25 = 43.75
    ]


def test_audience_is_public_today_and_a_closed_page_lowers_the_score(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    phone = merged(Kind.PHONE, "+12175550142")
    assert audience(phone) == "public"
    public = score(phone)
    monkeypatch.setattr(score_module, "audience", lambda m: "paywall")
    closed = score(phone)
    assert (public.score, closed.score) == (75, 60)
    assert "not on a public page" in closed.reason
    assert "behind" not in public.reason


def test_corroboration_counts_independent_sources() -> None:
    def at(sources: tuple[str, ...]) -> int:
        return score(merged(Kind.LOCATION, "Springfield, IL", 1.0, sources)).score

    assert (at(("a",)), at(("a", "b")), at(("a", "b", "c")), at(("a", "b", "c", "d"))) == (
        45,
        50,  # 49.5
        54,
        54,
    )
    assert at(("a", "a")) == 45  # two pages of one source are not corroboration
    two = score(merged(Kind.LOCATION, "Springfield, IL", 1.0, ("a", "b")))
    same = score(merged(Kind.LOCATION, "Springfield, IL", 1.0, ("a", "a")))
    assert "seen in 2 sources" in two.reason
    assert "seen in 1 source;" in same.reason


def test_score_never_exceeds_100() -> None:
    address = merged(
        Kind.HOME_ADDRESS, "12 Old Mill Road", 1.0, ("a", "b", "c"), (PAGE, PAGE, PAGE)
    )
    name = on_page(Kind.REAL_NAME, "Jordan Testwell")
    assert score(address, among=(address, name)).score == 100  # 90 × 1.25 × 1.2 = 135


def test_no_sources_is_no_negative_factor() -> None:
    result = score(merged(Kind.LOCATION, "Springfield, IL", 0.5, ()))
    assert result.score == 23
    assert result.reason == "Medium: your city, maybe not yours; it narrows down where you live."


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
    assert plain.score == 23  # 25 × 0.9 = 22.5
    assert marked.score == 7  # 25 × 0.9 × 0.3 = 6.75
    assert "lowered: you keep it public on purpose" in marked.reason
    assert "public on purpose" not in plain.reason


def test_known_to_abuser_lowers_the_score_and_says_so() -> None:
    address = merged(Kind.HOME_ADDRESS, "12 Old Mill Road, Springfield, IL", 0.9)
    profile = Profile(
        names=("Jordan Testwell",),
        context=Context(known_to_abuser=("12 Old Mill Road,  Springfield, IL",)),
    )
    assert score(address).score == 81
    known = score(address, profile)
    assert known.score == 49  # 90 × 0.9 × 0.6 = 48.6
    assert known.severity is Severity.CRITICAL  # the tier stays; the score drops
    assert known.reason == (
        "Critical: your home address, seen in 1 source, lowered: the person you "
        "worry about knows it; someone could find where you live."
    )


def test_public_on_purpose_wins_over_known_to_abuser() -> None:
    profile = Profile(
        names=("Jordan Testwell",),
        context=Context(
            known_to_abuser=("Acme Example Co",), public_on_purpose=("acme example co",)
        ),
    )
    result = score(merged(Kind.EMPLOYER, "Acme Example Co"), profile)
    assert result.score == 21  # 70 × 0.3
    assert "public on purpose" in result.reason
    assert "worry about" not in result.reason


def test_context_matches_only_the_same_fact() -> None:
    profile = Profile(
        names=("Jordan Testwell",),
        context=Context(known_to_abuser=("jordan-testwell@example.com", "Springfield, IL")),
    )
    assert score(merged(Kind.EMAIL, "jordan.testwell@example.com"), profile).score == 50
    assert score(merged(Kind.LOCATION, "Springfield, Illinois"), profile).score == 27  # 45 × 0.6


def test_context_lowers_an_aggregated_fact_too() -> None:
    phone = on_page(Kind.PHONE, "+12175550142")
    name = on_page(Kind.REAL_NAME, "Jordan Testwell")
    city = on_page(Kind.LOCATION, "Springfield, IL")
    profile = Profile(names=("Jordan Testwell",), context=Context(known_to_abuser=("2175550142",)))
    among = (phone, name, city)
    assert score(phone, profile, among).score == 56  # 75 × 1.25 × 0.6 = 56.25
    assert score(phone, PROFILE, among).score == 94


# --- reasons --------------------------------------------------------------------------


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
@pytest.mark.parametrize("confidence", [0.3, 0.9])
def test_every_reason_is_one_short_sentence(
    kind: Kind, context: Context, sources: tuple[str, ...], confidence: float
) -> None:
    profile = Profile(names=("Jordan Testwell",), context=context)
    fact = merged(kind, "x@example.org", confidence, sources, tuple(PAGE for _ in sources))
    name = on_page(Kind.REAL_NAME, "Jordan Testwell")
    city = on_page(Kind.LOCATION, "Springfield, IL")
    result = score(fact, profile, (fact, name, city))
    assert ONE_SENTENCE.fullmatch(result.reason), result.reason
    assert len(result.reason) <= REASON_MAX
    assert "x@example.org" not in result.reason  # values never go into the reason


def test_the_longest_reason_fits_without_cutting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(score_module, "audience", lambda m: "login")
    profile = Profile(names=("Jordan Testwell",), context=Context(known_to_abuser=("1.5, 2.5",)))
    urls = tuple(PAGE for _ in range(12))
    names = tuple(f"s{i}" for i in range(12))
    fact = merged(Kind.LOCATION, "1.5, 2.5", 0.3, names, urls)
    result = score(fact, profile, (fact, on_page(Kind.REAL_NAME, "Jordan Testwell")))
    assert result.reason == (
        "Critical: a precise place you go, shown with your name, seen in 12 sources, not on "
        "a public page, maybe not yours, lowered: the person you worry about knows it; "
        "someone could find where you will be."
    )
    assert len(result.reason) <= REASON_MAX


def test_a_reason_too_long_drops_the_why_clause_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(score_module, "audience", lambda m: "login")
    profile = Profile(names=("Jordan Testwell",), context=Context(known_to_abuser=("1.5, 2.5",)))
    monkeypatch.setattr(score_module, "REASON_MAX", 170)
    names = tuple(f"s{i}" for i in range(1000))
    fact = merged(Kind.LOCATION, "1.5, 2.5", 0.3, names, tuple(PAGE for _ in names))
    result = score(fact, profile, (fact, on_page(Kind.REAL_NAME, "Jordan Testwell")))
    assert result.reason.endswith(
        "seen in 1000 sources, not on a public page, maybe not yours, "
        "lowered: the person you worry about knows it."
    )
    assert ONE_SENTENCE.fullmatch(result.reason)
    assert len(result.reason) <= 170


def test_reason_names_the_main_factors_in_order() -> None:
    profile = Profile(names=("Jordan Testwell",), context=Context(known_to_abuser=("jt@x.org",)))
    fact = merged(Kind.EMAIL, "jt@x.org", 0.5, ("a", "b"), (PAGE, PAGE))
    name = on_page(Kind.REAL_NAME, "Jordan Testwell")
    city = on_page(Kind.LOCATION, "Springfield, IL")
    result = score(fact, profile, (fact, name, city))
    assert result.reason == (
        "Medium: your email address, shown with your name and city, seen in 2 sources, "
        "maybe not yours, lowered: the person you worry about knows it; "
        "someone could contact you and find your accounts."
    )
    assert result.score == 21  # 50 × 0.5 × 1.25 × 1.1 × 0.6 = 20.6


# --- the demo world (the issue's check) -----------------------------------------------


def test_demo_scan_puts_home_address_and_phone_in_the_top_five_with_reasons() -> None:
    result = demo_scan()
    top = result.findings[:5]
    kinds = {(f.kind, f.value) for f in top}
    assert any(kind is Kind.HOME_ADDRESS for kind, _ in kinds), top
    assert (Kind.PHONE, "+12175550142") in kinds, top
    for f in top:
        assert ONE_SENTENCE.fullmatch(f.reason)
        assert len(f.reason) <= REASON_MAX
    address = next(f for f in top if f.kind is Kind.HOME_ADDRESS)
    phone = next(f for f in top if f.kind is Kind.PHONE and f.value == "+12175550142")
    assert address.reason.startswith("Critical: your home address, ")
    assert address.reason.endswith("; someone could find where you live.")
    assert phone.reason.startswith("High: your phone number, ")
    assert result.findings == tuple(sort_findings(result.findings))


def test_demo_scan_scored_with_aggregation_ranks_places_first() -> None:
    """The demo's facts scored against each other, as score_findings does for a scan."""
    result = demo_scan()
    facts = [
        Merged(
            id=f.id,
            kind=f.kind,
            value=f.value,
            key=normalise(f.kind, f.value),
            sources=f.sources,
            evidence=f.evidence,
            confidence=f.confidence,
            reasons=(),
            removal=f.removal,
            via=f.via,
        )
        for f in result.findings
    ]
    findings = score_findings(facts, demo_profile(), lambda m: m.removal)
    top = [(f.kind, f.value, f.score) for f in findings[:3]]
    assert top == [
        (Kind.LOCATION, "39.80133, -89.64855", 96),  # the garden photo's GPS position
        (Kind.HOME_ADDRESS, "48 Elm Street, Springfield, IL, 62704, US", 81),
        (Kind.PHONE, "+12175550142", 80),
    ]
    assert findings[1].reason == (
        "Critical: your home address, shown with your name, seen in 1 source; "
        "someone could find where you live."
    )
    assert findings[2].reason == (
        "High: your phone number, shown with your name and city, seen in 1 source; "
        "someone could call you or use it to look you up."
    )
    risk = overall_risk(findings)
    assert risk.level is Severity.CRITICAL
    assert risk.score >= findings[0].score


# --- ranking and the overall risk -----------------------------------------------------


def test_sort_by_score_then_tier_then_kind_then_value() -> None:
    items = [
        finding(Kind.EMAIL, 40),
        finding(Kind.PHONE, 70),
        finding(Kind.ACCOUNT, 40),
        finding(Kind.BREACH, 40),
    ]
    assert [(f.kind, f.score) for f in sort_findings(items)] == [
        (Kind.PHONE, 70),
        (Kind.BREACH, 40),  # medium before low on a tie, then by kind
        (Kind.EMAIL, 40),
        (Kind.ACCOUNT, 40),
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
    assert (address.severity, address.score) == (Severity.CRITICAL, 81)
    risk = overall_risk([address, finding(Kind.EMAIL, 40)])
    assert risk.score >= 82
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


def test_a_home_you_moved_out_of_is_a_past_address() -> None:
    moved = Profile(
        names=("Jordan Testwell",),
        context=Context(
            past_addresses=("12 Old Mill Road, Springfield, IL",), moved_on="2023-05-01"
        ),
    )
    seen = [
        Observation(Kind.HOME_ADDRESS, value, SourceRef("x", "https://x.example/p"), "", 0.9, "")
        for value in ("12 Old Mill Road, Springfield, IL", "48 Elm Street, Springfield, IL")
    ]
    scored = {
        f.value: f for f in score_findings(merge_observations(seen, moved), moved, lambda m: ())
    }
    old, current = (
        scored["12 Old Mill Road, Springfield, IL"],
        scored["48 Elm Street, Springfield, IL"],
    )
    assert old.severity is Severity.LOW
    assert current.severity is Severity.CRITICAL
    assert old.score < current.score
    assert "you moved out on 2023-05-01" in old.reason


def test_the_summary_starts_from_what_a_searcher_would_know() -> None:
    phone = score_findings(
        merge_observations(
            [
                Observation(
                    Kind.PHONE, "+12175550142", SourceRef("x", "https://x.example"), "", 0.9, ""
                )
            ],
            PROFILE,
        ),
        PROFILE,
        lambda m: (),
    )
    named = Profile(names=("Jordan Testwell",), locations=(Location("Springfield", "IL"),))
    assert summary_sentence(phone, named).startswith(
        "Someone who knows your name or city could find: your phone number"
    )
    handle_only = Profile(handles=("jtestwell",))
    assert summary_sentence(phone, handle_only).startswith("Someone who knows your username could")
    assert summary_sentence(phone).startswith("Someone who searches for you could find")
