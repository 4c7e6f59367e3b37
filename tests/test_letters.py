"""Deletion letters give the recipient nothing it does not already show."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.letters import deletion_letter

PAGE = "https://people.example.com/p/jordan-testwell-123"


def test_the_letter_names_only_what_the_page_shows() -> None:
    shown = [("real name", "Jordan Testwell"), ("home address", "48 Elm Street, Springfield, IL")]
    text = deletion_letter("ccpa", PAGE, shown, date(2026, 11, 24))
    assert text.startswith("2026-11-24\n")
    assert "people.example.com" in text
    assert "§ 1798.105" in text
    assert "45 days" in text
    assert "  - home address: 48 Elm Street, Springfield, IL" in text
    assert "do not consent to this request being used to collect" in text
    gdpr = deletion_letter("gdpr", PAGE, shown, date(2026, 11, 24))
    assert "Article 17" in gdpr
    assert "one month" in gdpr
    with pytest.raises(ValueError, match="unknown law"):
        deletion_letter("hipaa", PAGE, shown, date(2026, 11, 24))


def test_letter_command_uses_the_saved_scan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = Path(__file__).parent.parent / "demo_world"
    argv = ["scan", str(Path(__file__).parent.parent / "sample_profiles" / "jordan_testwell.toml")]
    argv += ["--replay", str(world), "--history", "--quiet", "--out", str(tmp_path / "o")]
    assert main(argv) == 0
    report = json.loads((tmp_path / "o" / "report.json").read_text(encoding="utf-8"))
    home = next(f for f in report["findings"] if f["kind"] == "home_address")
    capsys.readouterr()
    assert main(["letter", home["id"][:8], "--law", "gdpr"]) == 0
    letter = capsys.readouterr().out
    assert "rdap.registry.example" in letter
    assert "48 Elm Street" in letter
    assert "jordan.testwell@example.com" not in letter  # not shown on that page: not given
    assert "+12175550142" not in letter
