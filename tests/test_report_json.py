"""report.json: the demo scan's report validates against schema.json, which is not vacuous."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from scanner.http import Http
from scanner.models import (
    Finding,
    Kind,
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
from scanner.pipeline import run_scan
from scanner.profile import build_profile
from scanner.replay import ReplayTransport
from scanner.report.json import SCHEMA_ID, SCHEMA_PATH, report_dict
from scanner.sites.catalogue import load_catalogue
from scanner.sources import SOURCES, all_sources
from tests.support import REPLAY, ROOT

WORLD = ROOT / "demo_world"
T0 = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def demo_profile() -> Profile:
    return build_profile(
        {
            "names": ["Jordan Testwell"],
            "handles": ["jtestwell"],
            "emails": ["jordan.testwell@example.com"],
            "phones": ["(217) 555-0142"],
            "locations": ["Springfield, IL"],
        },
        origin="test",
    )


@cache
def demo_scan() -> ScanResult:
    """A full scan of the bundled demo world (no network: a replay transport answers)."""

    async def go() -> ScanResult:
        async with Http(REPLAY, transport=ReplayTransport(WORLD)) as http:
            sources = all_sources(load_catalogue(WORLD / "sites.json"))  # as `scan --replay`
            return await run_scan(demo_profile(), sources, http, replay=str(WORLD))

    return asyncio.run(go())


def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def problems(report: dict[str, Any]) -> list[str]:
    return [error.message for error in validator().iter_errors(report)]


def small_result(runs: tuple[SourceRun, ...]) -> ScanResult:
    finding = Finding(
        id="0123456789abcdef",
        kind=Kind.PHONE,
        value="+12175550142",
        sources=(SourceRef("fake", "https://fake.example/jt"),),
        evidence=("Call (217) 555-0142",),
        confidence=0.9,
        severity=Severity.HIGH,
        score=68,
        reason="High: it lets someone call you.",
        removal=(RemovalStep("Remove it", "Remove it from the page.", "https://fake.example/s"),),
    )
    return ScanResult(
        profile=Profile(names=("Jordan Testwell",)),
        started=T0,
        finished=T0,
        runs=runs,
        findings=(finding,),
        accounts=(),
        risk=Risk(68, Severity.HIGH, "Someone could find your phone number."),
        requests=(SentRequest("GET", "https://fake.example/jt", None),),
    )


# --- the schema itself -----------------------------------------------------------------


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == SCHEMA_ID
    assert schema["properties"]["schema"]["const"] == SCHEMA_ID


def test_schema_kinds_and_levels_match_the_models() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    finding = schema["properties"]["findings"]["items"]["properties"]
    assert finding["kind"]["enum"] == [k.value for k in Kind]
    assert finding["severity"]["enum"] == [s.value for s in Severity]
    run = schema["properties"]["scan"]["properties"]["sources"]["items"]["properties"]
    assert run["status"]["enum"] == [s.value for s in RunStatus]


# --- the demo world --------------------------------------------------------------------


def test_demo_report_validates() -> None:
    report = report_dict(demo_scan())
    assert problems(report) == []
    # and survives a round trip through JSON text unchanged
    assert problems(json.loads(json.dumps(report))) == []


def test_demo_report_content() -> None:
    report = report_dict(demo_scan())
    assert report["schema"] == "exposure-audit/report/1"
    assert report["generator"]["name"] == "exposure-audit"
    assert report["subject"]["phones"] == ["+12175550142"]
    assert report["subject"]["locations"] == ["Springfield, IL"]
    assert report["scan"]["mode"] == "replay"
    findings = report["findings"]
    assert len(findings) >= 6
    assert {s["name"] for f in findings for s in f["sources"]} == {
        "github", "gravatar", "reddit", "mastodon", "openpgp", "xposedornot", "rdap", "accounts",
        "websearch",
    }  # fmt: skip
    scores = [f["score"] for f in findings]
    assert scores == sorted(scores, reverse=True)
    assert all(f["removal"] for f in findings)
    runs = report["scan"]["sources"]
    assert [s["name"] for s in runs if s["via"] is None] == [cls.name for cls in SOURCES]
    assert {s["status"] for s in runs} == {"ok", "skipped"}  # the world answers everything
    assert report["scan"]["requests_by_host"]["api.github.com"] == 8
    assert len(report["scan"]["requests"]) == 76
    values = {(f["kind"], f["value"]) for f in findings}
    assert ("phone", "+12175550142") in values
    assert ("email", "jordan.t.personal@example.net") in values


def test_demo_report_has_findings_reached_only_by_following_leads() -> None:
    """Issue 4's pivot story: handle -> GitHub commits -> personal email -> its breaches, and
    handle -> GitHub blog -> domain -> registrant's home address."""
    report = report_dict(demo_scan())
    by_value = {f["value"]: f for f in report["findings"]}
    breach = by_value["ExampleSeedCatalog"]
    assert breach["kind"] == "breach"
    (path,) = breach["paths"]
    assert [(s["found_by"], s["found_from"], s["field"], s["value"]) for s in path] == [
        ("github", "jtestwell", "emails", "jordan.t.personal@example.net")
    ]
    home = next(f for f in report["findings"] if f["kind"] == "home_address")
    assert home["value"].startswith("48 Elm Street, Springfield")
    assert [[s["value"] for s in p] for p in home["paths"]] == [["jordantestwell.example.com"]]
    deep = by_value["jordan@testwell-home.example"]  # on the key of the commit email
    assert [s["found_by"] for s in deep["paths"][0]] == ["github"]
    assert (
        next(lead for lead in report["leads"] if lead["value"] == "jordan@testwell-home.example")[
            "path"
        ][0]["value"]
        == "jordan.t.personal@example.net"
    )
    namesake = next(f for f in report["findings"] if "reddit.com" in f["value"])
    assert namesake["confidence"] < 0.6  # a handle match alone is not you
    assert by_value["https://github.com/jtestwell"]["paths"] == []  # found directly
    # found on the site list; its page shows Jordan's name, so it is tied and read
    forum = by_value["https://garden-forum.example.com/members/jtestwell"]
    assert forum["confidence"] == 0.85
    assert "it shows your name (Jordan Testwell)" in forum["reason"] or any(
        "it shows your name" in e for e in forum["evidence"]
    )
    assert by_value["+12175550188"]["sources"] == [
        {"name": "accounts", "url": "https://garden-forum.example.com/members/jtestwell"}
    ]
    assert "https://anything.example.net/profile/jtestwell" not in by_value  # says yes to all


def test_live_report_says_live() -> None:
    result = small_result(())
    assert report_dict(result)["scan"]["mode"] == "live"


def test_blocked_error_and_skipped_runs_carry_their_reason() -> None:
    runs = (
        SourceRun("a", "A", RunStatus.BLOCKED, "A rate limit reached (HTTP 429)", T0, T0),
        SourceRun("b", "B", RunStatus.ERROR, "timed out after 180 s", T0, T0),
        SourceRun("c", "C", RunStatus.SKIPPED, "the profile has no phones", T0, T0),
        SourceRun("d", "D", RunStatus.OK, "", T0, T0, 3, ("one note",)),
    )
    report = report_dict(small_result(runs))
    assert problems(report) == []
    sources = report["scan"]["sources"]
    assert [(s["name"], s["status"], s["error"]) for s in sources] == [
        ("a", "blocked", "A rate limit reached (HTTP 429)"),
        ("b", "error", "timed out after 180 s"),
        ("c", "skipped", "the profile has no phones"),
        ("d", "ok", None),
    ]
    assert sources[3]["observations"] == 3
    assert sources[3]["notes"] == ["one note"]
    assert sources[0]["started"] == "2025-01-02T03:04:05+00:00"
    assert report["scan"]["requests"] == [
        {
            "method": "GET",
            "url": "https://fake.example/jt",
            "status": None,
            "at": None,
            "sha256": None,
        }
    ]


def test_removal_url_is_left_out_when_there_is_none() -> None:
    result = small_result(())
    finding = result.findings[0]
    bare = Finding(**{**finding.__dict__, "removal": (RemovalStep("Do it", "Like this."),)})
    report = report_dict(ScanResult(**{**result.__dict__, "findings": (bare,)}))
    assert report["findings"][0]["removal"] == [{"action": "Do it", "how": "Like this."}]
    assert problems(report) == []


def test_subject_context_stays_out_of_the_report() -> None:
    text = json.dumps(report_dict(demo_scan()))
    assert "known_to_abuser" not in text
    assert "public_on_purpose" not in text


# --- the schema rejects what is wrong ------------------------------------------------------


def _break(path: list[Any], value: Any) -> dict[str, Any]:
    report = copy.deepcopy(report_dict(demo_scan()))
    target: Any = report
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return report


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["findings", 0, "score"], 101),
        (["findings", 0, "score"], -1),
        (["findings", 0, "score"], 50.5),
        (["findings", 0, "kind"], "shoe_size"),
        (["findings", 0, "severity"], "apocalyptic"),
        (["findings", 0, "confidence"], 1.5),
        (["findings", 0, "id"], "not-a-fingerprint"),
        (["findings", 0, "removal"], KeyError),
        (["findings", 0, "removal"], []),
        (["findings", 0, "removal", 0, "how"], ""),
        (["findings", 0, "sources"], []),
        (["findings", 0, "reason"], ""),
        (["findings", 0, "unexpected"], "field"),
        (["risk", "score"], 101),
        (["risk", "level"], "extreme"),
        (["schema"], "exposure-audit/report/2"),
        (["scan", "mode"], "dream"),
        (["scan", "sources", 0, "status"], "fine"),
        (["scan", "sources", 0, "error"], KeyError),
        (["scan", "requests_by_host", "api.github.com"], -3),
        (["subject", "country"], "usa"),
        (["accounts", 0, "status"], "maybe"),
        (["accounts", 0, "details", "x"], 3),
        (["surprise"], True),
        (["findings"], KeyError),
    ],
)
def test_broken_reports_fail_validation(path: list[Any], value: Any) -> None:
    assert problems(report_dict(demo_scan())) == []
    assert problems(_break(path, value)) != []


def test_every_answered_request_has_its_time_and_body_hash() -> None:
    report = report_dict(demo_scan())
    requests = report["scan"]["requests"]
    assert requests
    for request in requests:
        assert request["at"] is not None
        assert re.fullmatch(r"[0-9a-f]{64}", request["sha256"])
    github = next(r for r in requests if r["url"] == "https://api.github.com/users/jtestwell")
    body = (WORLD / "github" / "user-jtestwell.json").read_bytes()
    assert github["sha256"] == hashlib.sha256(body).hexdigest()


def test_demo_report_has_the_chain_to_the_home_address_and_what_breaks_it() -> None:
    report = report_dict(demo_scan())
    assert problems(report) == []
    home = next(
        f for f in report["findings"] if f["kind"] == "home_address" and "48 Elm" in f["value"]
    )
    to_home = [c for c in report["chains"] if c["target_id"] == home["id"]]
    assert to_home
    assert to_home[0]["steps"][0]["label"] == "jtestwell"  # what the subject gave
    assert "jordantestwell.example.com" in to_home[0]["text"]
    assert report["remove_first"][0]["chains_broken"] >= 1
    breaking = [a for a in report["remove_first"] if home["id"] in a["finding_ids"]]
    assert breaking
    assert breaking[0]["chains_broken"] >= 1
