"""--redact: a copy to share that keeps the report's shape and none of the subject's values."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from scanner.models import (
    Account,
    AccountStatus,
    Context,
    Finding,
    Kind,
    Location,
    Pivot,
    Profile,
    RemovalStep,
    Risk,
    RunStatus,
    ScanResult,
    SentRequest,
    Severity,
    SourceRef,
    SourceRun,
)
from scanner.report.html import render_html
from scanner.report.json import report_dict
from scanner.report.redact import MASK, redact_result, redact_value
from tests.test_report_json import demo_scan, problems

T0 = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

# Everything personal about the demo subject that the demo scan finds, in the forms it
# appears in (E.164, national, RDAP's "+1.", URL-encoded, hashes, ids, repository names).
DEMO_PERSONAL = (
    "+12175550142", "2175550142", "555-0142", "555-0147", "2175550147", "(217)",
    "jordan.testwell@example.com", "jordan.t.personal", "jordan%40", "jt.garden",
    "j.testwell@oldjob", "oldjob.example.org", "testwell-home", "jordan@",
    "48 Elm Street", "Elm Street", "62704",
    "Jordan", "Testwell", "jtestwell", "jordantestwell",
    "Acme Example Co", "acme-example", "Volunteer Coordinator at",
    "garden-planner", "seed-swap-map", "7322d01", "122f009",
    "93E40124F49BDCA023B83442A09A7B9F632DD9C4", "a4c15e5c8636ab842a3d", "8F3A52C07D1E9B64",
)  # fmt: skip


# --- one value -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("phone", "+12175550117", "+1 •••-•••-••17"),
        ("phone", "+1.2175550147", "+1 •••-•••-••47"),
        ("phone", "(555) 010-0117", "(•••) •••-••17"),
        ("phone", "+442079460958", "+44 ••••••••58"),
        ("phone", "12", MASK),
        ("phones", "+12175550142", "+1 •••-•••-••42"),
        ("email", "jordan.testwell@example.com", "j•••@•••.com"),
        ("email", "Avery@Mail.Example.NET", "A•••@•••.net"),
        ("emails", "jordan@testwell-home.example", "j•••@•••.example"),
        ("email", "not an email", MASK),
        ("home_address", "48 Elm Street, Springfield, IL, 62704, US", "Springfield, IL"),
        ("home_address", "12 Oak Ave, Apt 3, Lakeview, Oregon 97630", "Lakeview, OR"),
        ("home_address", "7 Rue Exemple, 75001 Paris, France", MASK),
        ("home_address", "48 Elm Street", MASK),
        ("location", "Springfield, Illinois", "Springfield, Illinois"),
        ("location", "48 Elm Street, Springfield, IL", "Springfield, IL"),
        ("real_name", "Jordan Testwell", "J. T."),
        ("real_name", "J. Testwell", "J. T."),
        ("relative", "avery sample", "A. S."),
        ("username", "@jtestwell", "j•••"),
        ("handles", "jtestwell@mastodon.example", "j•••@mastodon.example"),
        ("account", "https://github.com/jtestwell", "github.com"),
        ("url", "https://www.example.org/u/jtestwell?x=1", "www.example.org"),
        ("photo", "https://0.gravatar.com/avatar/abc", "0.gravatar.com"),
        ("website", "https://jordantestwell.example.com/about", "•••.com"),
        ("domains", "jordantestwell.example.com", "•••.com"),
        ("employer", "Acme Example Co", "A•••"),
        ("breach", "ExampleSeedCatalog", "ExampleSeedCatalog"),
        ("birthdate", "1990-04-01", MASK),
        ("other", "anything at all", MASK),
        ("no such kind", "anything", MASK),
    ],
)
def test_redact_value(kind: str, value: str, expected: str) -> None:
    assert redact_value(kind, value) == expected


# --- the demo scan ---------------------------------------------------------------------


def _leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [value for value in DEMO_PERSONAL if value.lower() in lowered]


def test_the_demo_scan_really_holds_the_values_checked_for() -> None:
    """The check below can fail: unredacted, the reports show these values."""
    result = demo_scan()
    html = render_html(result)
    text = json.dumps(report_dict(result), ensure_ascii=False)
    assert {"48 Elm Street", "jordan.t.personal", "+12175550142", "jtestwell"} <= set(_leaks(html))
    assert len(_leaks(text)) >= 20


def test_redacted_demo_report_shows_nothing_personal() -> None:
    redacted = redact_result(demo_scan())
    html = render_html(redacted)
    text = json.dumps(report_dict(redacted), ensure_ascii=False)
    assert _leaks(html) == []
    assert _leaks(text) == []
    assert _leaks(json.dumps(report_dict(redacted))) == []  # and in \u-escaped form


def test_redacted_demo_report_keeps_its_shape_and_stays_useful() -> None:
    original = report_dict(demo_scan())
    redacted = report_dict(redact_result(demo_scan()))
    assert problems(redacted) == []  # still a valid report.json
    assert len(redacted["findings"]) == len(original["findings"])
    assert [f["kind"] for f in redacted["findings"]] == [f["kind"] for f in original["findings"]]
    assert [f["score"] for f in redacted["findings"]] == [f["score"] for f in original["findings"]]
    assert all(f["removal"] for f in redacted["findings"])
    assert {f["id"] for f in redacted["findings"]}.isdisjoint(f["id"] for f in original["findings"])
    values = {(f["kind"], f["value"]) for f in redacted["findings"]}
    assert ("home_address", "Springfield, IL") in values
    assert ("phone", "+1 •••-•••-••42") in values
    assert ("email", "j•••@•••.net") in values
    assert ("breach", "ExampleSeedCatalog") in values
    assert ("real_name", "J. T.") in values
    assert ("account", "github.com") in values
    assert ("website", "•••.com") in values
    assert redacted["subject"]["names"] == ["J. T."]
    assert redacted["subject"]["phones"] == ["+1 •••-•••-••42"]
    assert redacted["subject"]["emails"] == ["j•••@•••.com"]
    steps = {s.get("url") for f in redacted["findings"] for s in f["removal"]}
    assert "https://github.com/settings/profile" in steps  # a settings page is kept whole
    assert "https://github.com/" in steps  # a page naming the subject's repository is not
    hosts, masked = original["scan"]["requests_by_host"], redacted["scan"]["requests_by_host"]
    assert "jordantestwell.example.com" in hosts  # the blog and its photo, read by web search
    assert not any("testwell" in host for host in masked)
    assert sum(masked.values()) == sum(hosts.values())
    assert {h: n for h, n in masked.items() if "•" not in h} == {
        h: n for h, n in hosts.items() if "testwell" not in h
    }
    assert all(r["sha256"] is None for r in redacted["scan"]["requests"])
    assert {r["url"] for r in redacted["scan"]["requests"]} >= {"https://api.github.com/"}
    home = next(f for f in redacted["findings"] if f["kind"] == "home_address")
    assert home["evidence"] == ["Registrant address: Springfield, IL"]
    assert [[s["value"] for s in p] for p in home["paths"]] == [["•••.com"]]


def test_redacting_does_not_change_the_original() -> None:
    result = demo_scan()
    before = report_dict(result)
    redact_result(result)
    assert report_dict(result) == before


# --- free text and unknown values ------------------------------------------------------


def _result(finding: Finding, **changes: object) -> ScanResult:
    result = ScanResult(
        profile=Profile(
            names=("Avery Sample",),
            handles=("avsample",),
            emails=("avery@example.org",),
            phones=("+15550100117",),
            locations=(Location("Lakeview", "OR"),),
            domains=("averysample.example.net",),
            context=Context(known_to_abuser=("avery@example.org",), notes="moved in May"),
        ),
        started=T0,
        finished=T0,
        runs=(
            SourceRun(
                "sites", "Sites", RunStatus.OK, "", T0, T0, 1, ("avsample: 3 sites checked",)
            ),
        ),
        findings=(finding,),
        accounts=(
            Account(
                "Forum",
                "https://forum.example.com/u/avsample",
                "avsample",
                AccountStatus.FOUND,
                {"bio": "Avery S., call 555-010-0117", "id": "0123456789abcdef0123"},
            ),
        ),
        risk=Risk(70, Severity.HIGH, "Someone could find your phone number +15550100117."),
        requests=(SentRequest("GET", "https://api.example.com/u/avsample?e=avery%40x", 200),),
        leads=(
            Pivot(
                "domains",
                "averysample.example.net",
                "forum",
                "https://forum.example.com/u/avsample",
                "the website on the Forum profile of avsample",
                "avsample",
            ),
        ),
    )
    return replace(result, **changes)  # type: ignore[arg-type]


def _finding(**changes: object) -> Finding:
    finding = Finding(
        id="0123456789abcdef",
        kind=Kind.PHONE,
        value="+15550100117",
        sources=(SourceRef("forum", "https://forum.example.com/u/avsample"),),
        evidence=("Forum bio: I'm Avery, my kid is at Lincoln Elementary, text 555.010.0117",),
        confidence=0.9,
        severity=Severity.HIGH,
        score=70,
        reason="High: it lets someone call Avery Sample.",
        removal=(
            RemovalStep(
                "Edit your profile at forum.example.com/u/avsample",
                "Write to avery@example.org's forum admin, or visit https://forum.example.com/u/avsample/edit",
                "https://forum.example.com/u/avsample/edit",
            ),
            RemovalStep("Opt out", "Use the form.", "https://broker.example.com/optout/1234567"),
        ),
    )
    return replace(finding, **changes)  # type: ignore[arg-type]


def test_scraped_evidence_keeps_only_its_label_and_the_masked_value() -> None:
    finding = redact_result(_result(_finding())).findings[0]
    assert finding.evidence == ("Forum bio: +1 •••-•••-••17",)  # no school, no first name
    assert finding.value == "+1 •••-•••-••17"


def test_free_text_is_scrubbed_of_every_known_and_every_email_url_phone_shape() -> None:
    redacted = redact_result(_result(_finding()))
    finding = redacted.findings[0]
    assert finding.reason == "High: it lets someone call A. S.."
    assert finding.removal[0].action == "Edit your profile at forum.example.com/u/a•••"
    assert finding.removal[0].how == (
        "Write to a•••@•••.org's forum admin, or visit forum.example.com"
    )
    assert finding.removal[0].url == "https://forum.example.com/"
    assert finding.removal[1].url == "https://broker.example.com/"  # a long number: maybe an id
    assert finding.sources == (SourceRef("forum", "https://forum.example.com/"),)
    assert redacted.risk.summary == "Someone could find your phone number +1 •••-•••-••17."
    assert redacted.runs[0].notes == ("a•••: 3 sites checked",)
    (account,) = redacted.accounts
    assert (account.url, account.username) == ("https://forum.example.com/", "a•••")
    assert account.details == {"bio": "A••• S., call (•••) •••-••17", "id": MASK}
    assert redacted.requests[0].url == "https://api.example.com/"
    (lead,) = redacted.leads
    assert (lead.value, lead.found_from, lead.url) == (
        "•••.net",
        "a•••",
        "https://forum.example.com/",
    )
    assert lead.reason == "the website on the Forum profile of a•••"


def test_the_subject_and_their_context_are_masked() -> None:
    profile = redact_result(_result(_finding())).profile
    assert profile.names == ("A. S.",)
    assert profile.handles == ("a•••",)
    assert profile.emails == ("a•••@•••.org",)
    assert profile.phones == ("+1 •••-•••-••17",)
    assert profile.locations == (Location("Lakeview", "OR"),)
    assert profile.domains == ("•••.net",)
    assert profile.context == Context()  # what the abuser knows and the notes: dropped


def test_the_subjects_own_site_is_not_even_shown_as_a_host() -> None:
    finding = _finding(
        kind=Kind.WEBSITE,
        value="https://averysample.example.net/",
        sources=(SourceRef("forum", "https://averysample.example.net/contact"),),
        evidence=("Website: https://averysample.example.net/",),
    )
    redacted = redact_result(_result(finding)).findings[0]
    assert redacted.value == "•••.net"
    assert redacted.sources == (SourceRef("forum", "•••.net"),)
    assert redacted.evidence == ("Website: •••.net",)


def test_breach_lines_keep_the_breach_and_lose_the_email() -> None:
    finding = _finding(
        kind=Kind.BREACH,
        value="ExampleBreach",
        evidence=("avery@example.org was in the ExampleBreach breach (2021): exposed Emails",),
    )
    redacted = redact_result(_result(finding)).findings[0]
    assert redacted.value == "ExampleBreach"
    assert redacted.evidence == (
        "a•••@•••.org was in the ExampleBreach breach (2021): exposed Emails",
    )


def test_dates_are_not_taken_for_phone_numbers() -> None:
    finding = _finding(kind=Kind.ACCOUNT, value="https://forum.example.com/u/avsample")
    result = _result(finding, risk=Risk(10, Severity.LOW, "Joined 2016-07-01, seen 2024-01-02."))
    assert redact_result(result).risk.summary == "Joined 2016-07-01, seen 2024-01-02."


def test_hostile_text_stays_hostile_text_for_the_escaping_template() -> None:
    finding = _finding(
        kind=Kind.OTHER,
        value="<script>alert(1)</script>",
        evidence=("<img src=x onerror=alert(1)>",),
        reason="High: <b>bold</b>",
    )
    html = render_html(redact_result(_result(finding)))
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert not re.search(r"avsample|Avery|5550100117", html)
