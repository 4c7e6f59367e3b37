"""Where to get help: from the data file, by country, with sources shown in the report."""

from __future__ import annotations

import json

from scanner.help import DATA, resources_for
from scanner.models import Profile, Risk, ScanResult, Severity
from scanner.report.html import render_html
from tests.test_report_json import T0


def test_every_entry_names_its_source_and_check_date_field() -> None:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    entries = [e for country in data["countries"].values() for e in country]
    entries += data["everywhere"]
    for entry in entries:
        assert set(entry) == {"situation", "name", "contact", "url", "source", "checked_on"}
        assert entry["source"] or entry["name"] in (
            "The site's own abuse report", "Your local emergency number",
        )  # fmt: skip


def test_us_gets_its_own_lines_and_others_get_no_foreign_numbers() -> None:
    us = [r.name for r in resources_for("us")]
    assert "NCMEC CyberTipline" in us
    assert "Your local emergency number" not in us  # the US entry says 911 itself
    elsewhere = resources_for("FR")
    assert [r.name for r in elsewhere] == [
        "The site's own abuse report",
        "Your local emergency number",
    ]
    assert all("911" not in r.contact for r in elsewhere)


def test_the_report_ends_with_help_for_the_subjects_country() -> None:
    result = ScanResult(
        profile=Profile(names=("Avery Sample",), country="GB"),
        started=T0, finished=T0, runs=(), findings=(), accounts=(),
        risk=Risk(0, Severity.LOW, "Nothing found."),
    )  # fmt: skip
    html = render_html(result)
    assert "Where to get help" in html
    assert "0808 2000 247" in html
    assert "1-800-799-7233" not in html
    assert "not yet re-checked" in html
