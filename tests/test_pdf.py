"""--pdf: report.html printed by headless Chromium; a plain error when there is none."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from scanner.errors import InputError, ScannerError
from scanner.report import pdf
from scanner.report.html import render_html
from tests.test_report_json import small_result


def _fake_browser(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_find_chromium_takes_chromium_env_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = _fake_browser(tmp_path, "my-chrome")
    _fake_browser(tmp_path, "chromium")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CHROMIUM", str(chosen))
    assert pdf.find_chromium() == str(chosen)
    monkeypatch.setenv("CHROMIUM", "my-chrome")  # a command name on PATH works too
    assert pdf.find_chromium() == str(chosen)
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "missing"))
    assert pdf.find_chromium() is None  # a wrong $CHROMIUM is not silently replaced


@pytest.mark.parametrize("name", ["chromium", "chromium-browser", "google-chrome"])
def test_find_chromium_on_path(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = _fake_browser(tmp_path, name)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CHROMIUM", raising=False)
    assert pdf.find_chromium() == str(found)


def test_missing_chromium_is_one_plain_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CHROMIUM", raising=False)
    html = tmp_path / "report.html"
    html.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(InputError, match="install chromium to export PDF") as caught:
        pdf.html_to_pdf(html, tmp_path / "report.pdf")
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "report.pdf").exists()


def test_flags_keep_chromium_offline_with_a_throwaway_profile(tmp_path: Path) -> None:
    flags = pdf.chromium_flags(tmp_path / "profile")
    assert "--headless=new" in flags
    assert "--host-resolver-rules=MAP * ~NOTFOUND" in flags
    assert "--proxy-server=127.0.0.1:9" in flags
    assert "--disable-background-networking" in flags
    assert f"--user-data-dir={tmp_path / 'profile'}" in flags
    assert ("--no-sandbox" in flags) == (os.geteuid() == 0)


def test_a_failing_browser_is_reported_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n", encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setenv("CHROMIUM", str(broken))
    html = tmp_path / "report.html"
    html.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(ScannerError, match=r"exit 3\): cannot open display"):
        pdf.html_to_pdf(html, tmp_path / "out" / "report.pdf")
    assert not (tmp_path / "out" / "report.pdf").exists()


def test_a_hanging_browser_is_killed_at_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = tmp_path / "chromium"
    slow.write_text("#!/bin/sh\nsleep 30\n", encoding="utf-8")
    slow.chmod(0o755)
    monkeypatch.setenv("CHROMIUM", str(slow))
    html = tmp_path / "report.html"
    html.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(ScannerError, match=r"longer than 0.5 s"):
        pdf.html_to_pdf(html, tmp_path / "report.pdf", timeout=0.5)


def test_real_chromium_prints_a_small_report(tmp_path: Path) -> None:
    if pdf.find_chromium() is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    html = tmp_path / "report.html"
    html.write_text(render_html(small_result(())), encoding="utf-8")
    before = set(Path(tempfile.gettempdir()).glob("exposure-audit-pdf-*"))
    out = tmp_path / "out" / "report.pdf"
    pdf.html_to_pdf(html, out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(data) > 1000
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert set(Path(tempfile.gettempdir()).glob("exposure-audit-pdf-*")) == before  # removed


def test_chromium_gets_a_home_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    env = pdf.chromium_env(tmp_path)
    assert env["HOME"] == str(tmp_path / "home")
    assert env["XDG_CACHE_HOME"] == str(tmp_path / "xdg_cache_home")
    assert "HTTPS_PROXY" not in env
