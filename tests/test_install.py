"""An installed wheel, not just the checkout, carries its templates and schema and renders."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support import ROOT

RENDER = """
import sys
sys.path.insert(0, {site!r})
from datetime import datetime, timezone
from pathlib import Path
import scanner
from scanner.models import Profile, Risk, ScanResult, Severity
from scanner.report import render_html
from scanner.report.html import templates_dir
from scanner.report.json import SCHEMA_PATH

site = Path({site!r}).resolve()
assert site in Path(scanner.__file__).resolve().parents, scanner.__file__
assert site in templates_dir().resolve().parents, templates_dir()
assert SCHEMA_PATH.is_file() and site in SCHEMA_PATH.resolve().parents
now = datetime(2025, 1, 2, tzinfo=timezone.utc)
result = ScanResult(
    profile=Profile(names=("Installed Tester",)), started=now, finished=now, runs=(),
    findings=(), accounts=(), risk=Risk(0, Severity.LOW, "Nothing found."),
)
html = render_html(result)
print(scanner.__file__)
print(html)
"""


@pytest.mark.slow
def test_installed_wheel_renders_a_report(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "-w", str(wheels), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = wheels.glob("exposure_audit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "scanner/templates/report.html.j2",
        "scanner/templates/report.css",
        "scanner/report/schema.json",
        "scanner/help_resources.json",
        "scanner/brokers/brokers.json",
        "scanner/sites/deletion.json",
        "scanner/sites/DELETION-LICENSE.md",
        "scanner/sites/lists/wmn.json",
        "scanner/sites/lists/wmn.ATTRIBUTION.md",
        "scanner/sites/lists/sherlock.json",
        "scanner/sites/lists/sherlock.LICENSE",
        "scanner/sites/lists/maigret.json",
        "scanner/sites/lists/maigret.LICENSE",
        "scanner/cli/__init__.py",
    ):
        assert needed in names, needed
    assert not any(name.startswith(("tests/", "demo_world/")) for name in names)

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
         "--target", str(site), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    run = tmp_path / "elsewhere"  # not the checkout: its scanner/ must not shadow the install
    run.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", RENDER.format(site=str(site))],
        cwd=run,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert done.returncode == 0, done.stderr
    first, html = done.stdout.split("\n", 1)
    assert Path(first).resolve().is_relative_to(site.resolve())
    assert "<title>Exposure audit: Installed Tester</title>" in html
    assert "Content-Security-Policy" in html
