"""Following leads: identifiers tied to the subject are looked up in later waves."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any, ClassVar

import httpx
import jsonschema

from scanner.errors import SourceUnavailable
from scanner.http import Http
from scanner.identity.confidence import LEAD_TRUST
from scanner.models import (
    Kind,
    Lead,
    Observation,
    Profile,
    RunStatus,
    ScanResult,
    SourceRef,
    SourceResult,
    SourceRun,
)
from scanner.pipeline import NullObserver, run_scan
from scanner.report.html import path_text, render_html
from scanner.report.json import SCHEMA_PATH, report_dict
from scanner.sources.base import Need, Source
from tests.support import mock_http

Script = dict[str, tuple[list[str], list[tuple[str, str]]]]
PROFILE = Profile(names=("Jordan Testwell",), handles=("jtestwell",))


class Scripted(Source):
    """Answers each identifier it looks up from a script: {value: (observations, leads)}."""

    name = "scripted"
    title = "Scripted"
    needs: ClassVar[frozenset[Need]] = frozenset()
    field: ClassVar[str] = ""
    script: ClassVar[Script] = {}

    def __init__(self) -> None:
        self.seen: list[Profile] = []

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        self.seen.append(profile)
        observations: list[Observation] = []
        leads: list[Lead] = []
        for value in getattr(profile, self.field):
            if value == "boom":
                raise SourceUnavailable("scripted failure")
            facts, found = self.script.get(value, ([], []))
            url = f"https://{self.name}.example/{value}"
            for fact in facts:
                observations.append(
                    Observation(Kind.OTHER, fact, SourceRef(self.name, url), fact, 0.8, "test")
                )
            for field, lead in found:
                leads.append(Lead(field, lead, SourceRef(self.name, url), "on your page", value))
        return SourceResult(observations=tuple(observations), leads=tuple(leads))


class ByHandle(Scripted):
    name = "byhandle"
    title = "By handle"
    needs = frozenset({"handles"})
    field = "handles"
    script: ClassVar[Script] = {
        "jtestwell": (["handle fact"], [("emails", "jordan@personal.example")]),
        "second-handle": (["second fact"], []),
    }


class ByEmail(Scripted):
    name = "byemail"
    title = "By email"
    needs = frozenset({"emails"})
    field = "emails"
    script: ClassVar[Script] = {
        "jordan@personal.example": (["breach fact"], [("domains", "testwell.example")]),
    }


class ByDomain(Scripted):
    name = "bydomain"
    title = "By domain"
    needs = frozenset({"domains"})
    field = "domains"
    script: ClassVar[Script] = {
        "testwell.example": (["registrant fact"], [("handles", "deep-handle")])
    }


def scan(sources: Sequence[Source], profile: Profile = PROFILE, **options: Any) -> ScanResult:
    async def go() -> ScanResult:
        async with mock_http(lambda request: httpx.Response(404)) as http:
            return await run_scan(profile, sources, http, **options)

    return asyncio.run(go())


def finding(result: ScanResult, value: str) -> Any:
    (match,) = [f for f in result.findings if f.value == value]
    return match


def test_a_lead_is_looked_up_by_the_sources_that_take_it() -> None:
    by_handle, by_email = ByHandle(), ByEmail()
    result = scan([by_handle, by_email])
    # wave 0: the email source had nothing to look up; wave 1: it looked up the lead only
    assert [r.status for r in result.runs if r.name == "byemail"] == [
        RunStatus.SKIPPED,
        RunStatus.OK,
    ]
    (lead_profile,) = by_email.seen
    assert lead_profile.emails == ("jordan@personal.example",)
    assert lead_profile.handles == ()  # nothing the subject gave is looked up again
    assert lead_profile.names == PROFILE.names  # but names stay, to tell whose account it is
    (pivot,) = [p for p in result.leads if p.depth == 1]
    assert (pivot.field, pivot.value, pivot.found_by, pivot.found_from) == (
        "emails", "jordan@personal.example", "byhandle", "jtestwell",
    )  # fmt: skip
    assert pivot.followed


def test_findings_reached_by_a_lead_carry_the_path_and_less_confidence() -> None:
    result = scan([ByHandle(), ByEmail()], depth=1)
    direct, pivoted = finding(result, "handle fact"), finding(result, "breach fact")
    assert direct.via == ()
    (via,) = pivoted.via
    assert via.value == "jordan@personal.example"
    assert pivoted.confidence == round(0.8 * LEAD_TRUST, 3)
    run = next(r for r in result.runs if r.name == "byemail" and r.via is not None)
    assert run.via == via


def test_leads_are_followed_wave_by_wave_up_to_the_depth() -> None:
    result = scan([ByHandle(), ByEmail(), ByDomain()], depth=2)
    deep = finding(result, "registrant fact")
    (via,) = deep.via
    assert [step.value for step in via.path] == ["jordan@personal.example", "testwell.example"]
    assert via.depth == 2
    beyond = [p for p in result.leads if p.value == "deep-handle"]
    assert len(beyond) == 1
    assert not beyond[0].followed
    assert beyond[0].note == "deeper than --depth 2"
    assert not any(r.via and r.via.value == "deep-handle" for r in result.runs)


def test_depth_zero_looks_up_only_what_the_subject_gave() -> None:
    by_email = ByEmail()
    result = scan([ByHandle(), by_email], depth=0)
    assert by_email.seen == []
    (pivot,) = result.leads
    assert not pivot.followed
    assert pivot.note == "following leads is off (--depth 0)"


def test_an_identifier_is_looked_up_once_however_many_sources_find_it() -> None:
    class AlsoByHandle(ByHandle):
        name = "alsobyhandle"

    by_email = ByEmail()
    result = scan([ByHandle(), AlsoByHandle(), by_email], depth=1)
    assert len(by_email.seen) == 1
    assert [p.value for p in result.leads if p.depth == 1] == ["jordan@personal.example"]


def test_what_the_subject_gave_is_not_a_new_lead() -> None:
    profile = Profile(
        names=PROFILE.names, handles=("jtestwell",), emails=("jordan@personal.example",)
    )
    by_email = ByEmail()
    result = scan([ByHandle(), by_email], profile, depth=1)
    assert [p.value for p in result.leads] == ["testwell.example"]  # found by the email run
    assert by_email.seen == [profile]


def test_invalid_or_unknown_leads_are_dropped_before_anything_is_sent() -> None:
    class Hostile(ByHandle):
        script: ClassVar[Script] = {
            "jtestwell": (
                [],
                [
                    ("emails", "not an email"),
                    ("domains", "127.0.0.1"),
                    ("domains", "localhost"),
                    ("handles", "../../etc/passwd"),
                    ("phones", "+12175550142"),
                    ("emails", "x" * 300 + "@example.com"),
                ],
            )
        }

    result = scan([Hostile(), ByEmail(), ByDomain()])
    assert result.leads == ()
    assert len(result.runs) == 3


def test_leads_past_the_per_wave_limit_are_recorded_not_followed() -> None:
    class Many(ByHandle):
        script: ClassVar[Script] = {
            "jtestwell": ([], [("emails", f"person{i}@example.com") for i in range(5)])
        }

    by_email = ByEmail()
    result = scan([Many(), by_email], max_leads=2)
    assert len(by_email.seen) == 2
    assert [p.followed for p in result.leads] == [True, True, False, False, False]
    assert result.leads[-1].note == "more than 2 new leads at this step"


def test_a_failing_lookup_of_a_lead_costs_only_that_run() -> None:
    class Failing(ByHandle):
        script: ClassVar[Script] = {
            "jtestwell": (["handle fact"], [("emails", "jordan@personal.example")])
        }

    class BoomEmail(ByEmail):
        script: ClassVar[Script] = {"jordan@personal.example": ([], [])}

        async def search(self, profile: Profile, http: Http) -> SourceResult:
            raise SourceUnavailable("service down")

    result = scan([Failing(), BoomEmail()])
    lead_run = next(r for r in result.runs if r.via is not None)
    assert lead_run.status is RunStatus.ERROR
    assert lead_run.reason == "service down"
    assert finding(result, "handle fact")


def test_the_observer_hears_of_the_added_lookups() -> None:
    class Counting(NullObserver):
        def __init__(self) -> None:
            self.added: list[int] = []
            self.finished: list[SourceRun] = []

        def sources_added(self, count: int) -> None:
            self.added.append(count)

        def source_finished(self, run: SourceRun) -> None:
            self.finished.append(run)

    events = Counting()
    result = scan([ByHandle(), ByEmail(), ByDomain()], observer=events, depth=2)
    assert events.added == [1, 1]
    assert len(events.finished) == len(result.runs) == 5


def test_report_json_has_the_paths_and_validates() -> None:
    result = scan([ByHandle(), ByEmail(), ByDomain()], depth=2)
    report = report_dict(result)
    jsonschema.validate(report, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    deep = next(f for f in report["findings"] if f["value"] == "registrant fact")
    assert [[step["value"] for step in path] for path in deep["paths"]] == [
        ["jordan@personal.example", "testwell.example"]
    ]
    assert deep["paths"][0][0]["found_by"] == "byhandle"
    assert deep["paths"][0][0]["found_from"] == "jtestwell"
    direct = next(f for f in report["findings"] if f["value"] == "handle fact")
    assert direct["paths"] == []
    assert [lead["followed"] for lead in report["leads"]] == [True, True, False]
    lead_runs = [run for run in report["scan"]["sources"] if run["via"]]
    assert [run["via"][-1]["value"] for run in lead_runs] == [
        "jordan@personal.example",
        "testwell.example",
    ]


def test_report_html_shows_how_a_finding_was_reached() -> None:
    result = scan([ByHandle(), ByEmail(), ByDomain()], depth=2)
    deep = finding(result, "registrant fact")
    text = path_text(deep.via[0])
    assert text == "jtestwell → (byhandle) jordan@personal.example → (byemail) testwell.example"
    page = render_html(result)
    assert "How it was reached" in page
    assert "Leads followed" in page
    assert "no: deeper than --depth 2" in page


# --- resuming an interrupted scan -------------------------------------------------------


def test_kept_first_wave_outcomes_are_reused_and_new_ones_are_reported() -> None:
    first = scan([ByHandle(), ByEmail()], depth=0)
    kept = {run.name: (run, SourceResult()) for run in first.runs if run.name == "byhandle"}
    by_handle, by_email = ByHandle(), ByEmail()
    heard: list[str] = []
    result = scan(
        [by_handle, by_email],
        Profile(names=PROFILE.names, handles=("jtestwell",), emails=("jordan@personal.example",)),
        depth=0,
        done=kept,
        on_outcome=lambda run, outcome: heard.append(run.name),
    )
    assert by_handle.seen == []  # not run again: its outcome was kept
    assert len(by_email.seen) == 1
    assert heard == ["byemail"]
    assert [run.name for run in result.runs] == ["byhandle", "byemail"]
