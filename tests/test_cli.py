"""The command line: exit codes, one-line errors, where reports go, extract and sources."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scanner import __version__, pipeline
from scanner.cli import main
from scanner.models import Profile, RunStatus, SourceRun
from scanner.progress import LineProgress, describe
from scanner.sources import SOURCES, all_sources
from tests.support import ROOT

WORLD = str(ROOT / "demo_world")
SAMPLE = str(ROOT / "sample_profiles" / "jordan_testwell.toml")
DEMO_FLAGS = [
    "--name", "Jordan Testwell", "--handle", "jtestwell",
    "--email", "jordan.testwell@example.com", "--phone", "(217) 555-0142",
    "--location", "Springfield, IL",
]  # fmt: skip
TEXT = "Call me at (217) 555-0199 or write to jt.garden@example.org any time.\n"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def one_error_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run, expect exit 2 and exactly one line on stderr; return that line."""
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 2, (out, err)
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("exposure-audit: error: ")
    assert out == ""
    return lines[0]


# --- scan ----------------------------------------------------------------------------------


def test_scan_demo_world_writes_private_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["scan", SAMPLE, "--replay", WORLD, "--out", str(out)]) == 0
    stdout, stderr = capsys.readouterr()
    report_json, report_html = out / "report.json", out / "report.html"
    assert f"report.json: {report_json}" in stdout.splitlines()
    assert f"report.html: {report_html}" in stdout.splitlines()
    assert re.match(r"exposure: (low|medium|high|critical) \(\d+/100\), \d+ finding\(s\)", stdout)
    assert mode(report_json) == 0o600
    assert mode(report_html) == 0o600
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json"]  # no temp
    report = json.loads(report_json.read_text(encoding="utf-8"))
    assert report["scan"]["mode"] == "replay"
    assert report["scan"]["network"]["dns"] == "none"
    assert stderr.startswith("network path: answered on this computer from a recorded world")
    assert len(report["findings"]) >= 6
    assert "Exposure audit: Jordan Testwell" in report_html.read_text(encoding="utf-8")
    # progress goes to stderr, one line per source run, leads included
    assert f"scanning {len(SOURCES)} source(s)" in stderr
    assert stderr.count("checked,") == len(report["scan"]["sources"]) - stderr.count("skipped (")
    assert "following leads: 17 more lookup(s)" in stderr
    assert "XposedOrNot, for jordan.t.personal@example.net (found by github): checked," in stderr
    # a source that ran for a lead is not reported as "not run"
    assert "not run Mastodon" not in stdout
    assert "not run Have I Been Pwned: set HIBP_API_KEY" in stdout


def test_scan_overwrites_an_old_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "report.json").write_text("old", encoding="utf-8")
    (tmp_path / "report.json").chmod(0o644)
    assert main(["scan", "--quiet", *DEMO_FLAGS, "--replay", WORLD, "--out", str(tmp_path)]) == 0
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["findings"]
    assert mode(tmp_path / "report.json") == 0o600


def test_default_output_goes_to_the_data_dir(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--quiet", *DEMO_FLAGS, "--replay", WORLD]) == 0
    stdout, stderr = capsys.readouterr()
    assert stderr == ""  # --quiet
    data = Path(os.environ["XDG_DATA_HOME"]) / "exposure-audit"
    (folder,) = (data / "scans").iterdir()
    assert re.fullmatch(r"\d{8}T\d{6}Z", folder.name)  # a time, never a name
    assert sorted(p.name for p in folder.iterdir()) == ["report.html", "report.json"]
    assert f"report.json: {folder / 'report.json'}" in stdout
    assert f"report.html: {folder / 'report.html'}" in stdout
    for private in (data, data / "scans", folder):
        assert mode(private) == 0o700, private
    # a second scan in the same second gets its own folder
    assert main(["scan", "--quiet", *DEMO_FLAGS, "--replay", WORLD]) == 0
    assert len(list((data / "scans").iterdir())) == 2


def test_json_file_alone_writes_only_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "deep" / "me.json"
    argv = ["scan", "--quiet", *DEMO_FLAGS, "--replay", WORLD, "--json-file", str(target)]
    assert main(argv) == 0
    stdout, _ = capsys.readouterr()
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["me.json"]
    assert "report.html" not in stdout
    assert f"report.json: {target}" in stdout
    assert not (Path(os.environ["XDG_DATA_HOME"]) / "exposure-audit" / "scans").exists()
    assert json.loads(target.read_text(encoding="utf-8"))["schema"] == "exposure-audit/report/1"


def test_flags_add_to_the_profile_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["scan", "--quiet", SAMPLE, "--email", "jt.other@example.org", "--replay", WORLD]
    assert (
        main([*args, "--json-file", str(tmp_path / "r.json")]) == 3
    )  # XposedOrNot cannot check the added email here
    subject = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["subject"]
    assert subject["emails"] == ["jordan.testwell@example.com", "jt.other@example.org"]


def test_sources_option_limits_the_scan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["scan", "--quiet", *DEMO_FLAGS, "--replay", WORLD, "--sources", "gravatar"]
    assert main([*args, "--json-file", str(tmp_path / "r.json")]) == 0
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in report["scan"]["sources"]] == ["gravatar"]
    assert report["scan"]["requests_by_host"] == {"api.gravatar.com": 1}


def test_a_source_that_cannot_check_is_reported_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = tmp_path / "world"
    world.mkdir()
    (world / "world.json").write_text(
        json.dumps(
            {
                "schema": "exposure-audit/replay/1",
                "responses": [
                    {
                        "url": "https://api.github.com/users/jtestwell",
                        "status": 403,
                        "headers": {"x-ratelimit-remaining": "0", "x-ratelimit-limit": "60"},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    args = ["scan", "--quiet", "--handle", "jtestwell", "--replay", str(world)]
    assert main([*args, "--out", str(tmp_path / "out")]) == 3  # incomplete: GitHub could not check
    stdout, _ = capsys.readouterr()
    assert "could not check GitHub: GitHub API rate limit reached (60 requests/hour" in stdout
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "could not check: GitHub API rate limit reached" in html


def test_summary_says_which_sources_did_not_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["scan", "--quiet", "--name", "Jordan Testwell", "--replay", WORLD]
    assert main([*argv, "--json-file", str(tmp_path / "r.json")]) == 0
    only_a_name = Profile(names=("Jordan Testwell",))
    lines = capsys.readouterr().out.splitlines()
    assert "not run GitHub: the profile has no handles" in lines
    # a name alone is searched on the web (nothing ties a page to the name alone, so the
    # demo world's pages give nothing) and listed for the people-search sites
    assert lines == [
        "exposure: low (0/100), 0 finding(s)",
        "Nothing about you was found in the sources checked.",
        *(
            f"not run {s.title}: {s.skip_reason(only_a_name)}"
            for s in all_sources()
            if not s.applies_to(only_a_name)
        ),
        f"report.json: {tmp_path / 'r.json'}",
    ]


def test_a_scan_where_only_lists_ran_checked_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["scan", "--quiet", "--name", "Jordan Testwell", "--sources", "brokers"]
    assert main([*argv, "--replay", WORLD, "--json-file", str(tmp_path / "r.json")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        "exposure: unknown: nothing could be checked",
        "No source could be checked, so this scan says nothing about your exposure: "
        "see the coverage section for why, and run it again later.",
    ]


BAD_INPUTS = {
    "missing profile": (["scan", "nowhere/profile.toml"], "profile not found: nowhere"),
    "unknown option": (["scan", "--name", "x", "--bogus"], "unrecognized arguments: --bogus"),
    "invalid email": (["scan", "--email", "not-an-email"], "invalid email 'not-an-email'"),
    "invalid phone": (["scan", "--phone", "555-014"], "invalid phone number '555-014'"),
    "empty profile": (["scan"], "empty profile"),
    "unknown source": (["scan", "--name", "x", "--sources", "github,myspace"], "'myspace'"),
    "missing replay": (["scan", "--name", "x", "--replay", "no/such/world"], "replay world"),
    "missing ca bundle": (
        ["scan", "--name", "x", "--replay", WORLD, "--ca-bundle", "no/such/ca.pem"],
        "CA bundle not found",
    ),
    "socks4 proxy": (
        ["scan", "--name", "x", "--proxy", "socks4://127.0.0.1:1080"],
        "cannot use proxy from --proxy: scheme 'socks4' is not one of",
    ),
    "tor and proxy": (
        ["scan", "--name", "x", "--tor", "--proxy", "http://p.example:8"],
        "not allowed with argument",
    ),
    "tor for usernames": (
        ["usernames", "x", "--sites", f"{WORLD}/sites.json", "--tor"],
        "--tor: no Tor client answers at",
    ),
    "tor for sites update": (["sites", "update", "--tor"], "--tor: no Tor client answers at"),
    "negative timeout": (["scan", "--name", "x", "--timeout", "-1"], "--timeout"),
    "nan timeout": (["scan", "--name", "x", "--timeout", "nan"], "--timeout"),
    "bad country": (["scan", "--name", "x", "--country", "XX"], "unknown country"),
    "no command": ([], "required"),
    "unknown command": (["fly"], "invalid choice"),
    "extract without files": (["extract"], "required"),
    "extract bad region": (["extract", "--region", "XX", "-"], "unknown region 'XX'"),
}


@pytest.fixture
def no_tor(monkeypatch: pytest.MonkeyPatch) -> str:
    """EXPOSURE_AUDIT_TOR at a loopback port nothing listens on."""
    from tests.test_netpath import free_port

    where = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("EXPOSURE_AUDIT_TOR", where)
    return where


@pytest.mark.usefixtures("no_tor")
@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_exit_2_and_one_line(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv, expected = BAD_INPUTS[case]
    line = one_error_line(capsys, argv)
    assert expected in line


def test_tor_without_a_tor_client_never_starts_the_scan(
    no_tor: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    line = one_error_line(capsys, ["scan", "--name", "Jordan Testwell", "--tor", "--out", str(out)])
    assert line == (
        f"exposure-audit: error: --tor: no Tor client answers at {no_tor}; start Tor (or "
        "Tor Browser) and try again. Nothing was sent."
    )
    assert not out.exists()


def test_missing_profile_and_invalid_profile_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('names = ["Jordan"]\nemails = ["oops\n', encoding="utf-8")
    assert "TOML syntax error" in one_error_line(capsys, ["scan", str(bad)])
    assert "is a directory" in one_error_line(capsys, ["scan", str(tmp_path)])


def test_an_unwritable_output_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    argv = ["scan", "--quiet", *DEMO_FLAGS, "--replay", WORLD, "--out", str(blocker)]
    line = one_error_line(capsys, argv)
    assert "cannot write the report" in line
    assert blocker.read_text(encoding="utf-8") == "x"


# --- extract -----------------------------------------------------------------------------


def test_extract_text_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(TEXT, encoding="utf-8")
    assert main(["extract", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [
        ["phone", "+12175550199"],
        ["email", "jt.garden@example.org"],
    ]
    assert lines[0].split("\t")[2] == TEXT.strip()


def test_extract_html_file_ignores_scripts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<p>Mail <a href='mailto:x'>jt@example.org</a></p>"
        "<script>var a = 'hidden@example.org'; call('(217) 555-0100');</script>",
        encoding="utf-8",
    )
    assert main(["extract", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [["email", "jt@example.org"]]


def test_extract_sniffs_html_without_the_suffix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "saved"
    path.write_text("<!DOCTYPE html><body><style>a@b.example</style>c@d.example", "utf-8")
    assert main(["extract", str(path)]) == 0
    assert capsys.readouterr().out.split("\t")[:2] == ["email", "c@d.example"]


def test_extract_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(TEXT.encode("utf-8"))))
    assert main(["extract", "-", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [(i["kind"], i["value"]) for i in items] == [
        ("phone", "+12175550199"),
        ("email", "jt.garden@example.org"),
    ]


def test_extract_json_single_file_is_a_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(TEXT, encoding="utf-8")
    assert main(["extract", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 1
    items = json.loads(out)
    assert isinstance(items, list)
    assert [list(item) for item in items] == [["kind", "value", "start", "end", "evidence"]] * 2
    phone, email = items
    assert (phone["kind"], phone["value"]) == ("phone", "+12175550199")
    assert TEXT[phone["start"] : phone["end"]] == "(217) 555-0199"
    assert TEXT[email["start"] : email["end"]] == "jt.garden@example.org"
    assert email["evidence"] == TEXT.strip()


def test_extract_json_several_files_is_one_object_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(TEXT, encoding="utf-8")
    second.write_text("nothing here\n", encoding="utf-8")
    assert main(["extract", "--json", str(first), str(second)]) == 0
    lines = capsys.readouterr().out.splitlines()
    objects = [json.loads(line) for line in lines]
    assert [o["file"] for o in objects] == [str(first), str(second)]
    assert [len(o["findings"]) for o in objects] == [2, 0]
    assert set(objects[0]) == {"file", "findings"}


def test_extract_several_files_prefixes_the_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "a.txt"
    first.write_text(TEXT, encoding="utf-8")
    assert main(["extract", str(first), str(first)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    assert all(line.startswith(f"{first}\t") for line in lines)


def test_extract_region_reads_national_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "uk.txt"
    path.write_text("Ring 020 7946 0958 today\n", encoding="utf-8")
    assert main(["extract", "--region", "gb", str(path)]) == 0
    assert capsys.readouterr().out.split("\t")[:2] == ["phone", "+442079460958"]


def test_extract_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = one_error_line(capsys, ["extract", str(tmp_path / "nope.txt")])
    assert "file not found" in line


def test_extract_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "is a directory" in one_error_line(capsys, ["extract", str(tmp_path)])


def test_extract_binary_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"a@b.example" * 10)
    assert "not a text or HTML file" in one_error_line(capsys, ["extract", str(path)])


# --- sources and version -------------------------------------------------------------------


def test_sources_lists_every_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sources"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [cls.name for cls in SOURCES]
    assert lines[0].startswith("github")
    assert lines[0].endswith("needs: handles")
    assert next(line for line in lines if line.startswith("gravatar")).endswith("needs: emails")
    assert len({line.index("needs:") for line in lines}) == 1  # one column, however long


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"exposure-audit {__version__}"


def test_help_mentions_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "exit status: 0 done" in " ".join(capsys.readouterr().out.split())


# --- the installed console script ------------------------------------------------------------


def test_console_script_bad_profile_is_exit_2_one_line(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "exposure-audit"
    profile = ROOT / "sample_profiles" / "invalid" / "bad_email.toml"
    if not profile.is_file():
        profile = tmp_path / "bad_email.toml"
        profile.write_text('names = ["Jordan"]\nemails = ["jordan.example.com"]\n', "utf-8")
    done = subprocess.run(
        [str(script), "scan", str(profile)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "EXPOSURE_AUDIT_DEBUG": ""},
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("exposure-audit: error: ")
    assert "invalid email 'jordan" in lines[0]


# --- hostile text never drives the terminal ---------------------------------------------------


def test_extract_output_carries_no_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hostile.txt"
    path.write_text(
        "mail a@b.example \x1b]0;pwned\x07 \x1b[2J now \u202eevil\x9b31m done\n", encoding="utf-8"
    )
    assert main(["extract", str(path)]) == 0
    out = capsys.readouterr().out
    (line,) = out.splitlines()
    assert line.split("\t")[:2] == ["email", "a@b.example"]
    assert len(line.split("\t")) == 3
    for bad in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert bad not in out
    assert "\ufffd]0;pwned\ufffd" in line


def test_an_error_message_is_one_line_even_with_a_newline_in_a_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = one_error_line(capsys, ["scan", str(tmp_path / "two\nlines.toml")])
    assert "profile not found" in line
    assert "two\ufffdlines.toml" in line


def test_progress_lines_carry_no_control_characters() -> None:
    now = datetime.now(UTC)
    run = SourceRun(
        "x", "X", RunStatus.ERROR, "internal error: KeyError: '\x1b[31m\nred'", now, now
    )
    assert describe(run) == "X: could not check: internal error: KeyError: '\ufffd[31m\ufffdred'"
    stream = io.StringIO()
    progress = LineProgress(stream)
    progress.scan_started(all_sources())
    progress.source_finished(run)
    total = len(all_sources())
    assert stream.getvalue().splitlines() == [
        f"scanning {total} source(s)…",
        f"[1/{total}] {describe(run)}",
    ]


class ClosedPipe(io.StringIO):
    """stdout after the reader went away (`… | head`)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_output_pipe_ends_quietly(capsys: pytest.CaptureFixture[str]) -> None:
    with contextlib.redirect_stdout(ClosedPipe()):
        assert main(["sources"]) == 141
    assert capsys.readouterr().err == ""  # nothing said: the reader has gone


def test_an_unwritable_output_fails_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[str] = []
    real_run_scan = pipeline.run_scan

    async def spy(*args: Any, **kwargs: Any) -> Any:
        started.append("scan")
        return await real_run_scan(*args, **kwargs)

    monkeypatch.setattr("scanner.pipeline.run_scan", spy)
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    argv = ["scan", "--quiet", *DEMO_FLAGS, "--replay", WORLD, "--out", str(blocker / "sub")]
    assert "cannot write the report" in one_error_line(capsys, argv)
    assert started == []


def test_a_scan_where_every_source_failed_says_exposure_is_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty_world = tmp_path / "world"
    empty_world.mkdir()
    (empty_world / "world.json").write_text(
        '{"schema": "exposure-audit/replay/1", "responses": [{"url": '
        '"https://api.github.com/users/jtestwell", "status": 503}]}',
        encoding="utf-8",
    )
    argv = ["scan", "--quiet", "--handle", "jtestwell", "--replay", str(empty_world)]
    assert main([*argv, "--sources", "github", "--out", str(tmp_path / "out")]) == 3
    out = capsys.readouterr().out
    assert "exposure: unknown: nothing could be checked" in out
    assert "could not check GitHub" in out
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["risk"]["summary"].startswith("No source could be checked")


def test_an_interrupted_scan_leaves_no_empty_report_folder(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr("scanner.pipeline.run_scan", interrupted)
    assert main(["scan", "--quiet", *DEMO_FLAGS, "--replay", WORLD]) == 130
    assert capsys.readouterr().err == "exposure-audit: interrupted\n"
    assert not (Path(os.environ["XDG_DATA_HOME"]) / "exposure-audit" / "scans").exists()


def test_redacted_reports_hold_no_personal_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "shared"
    assert main(["scan", SAMPLE, "--replay", WORLD, "--quiet", "--redact", "--out", str(out)]) == 0
    for name in ("report.json", "report.html"):
        text = (out / name).read_text(encoding="utf-8")
        for personal in ("jordan.testwell@example.com", "555-0142", "5550142", "48 Elm Street"):
            assert personal not in text, (name, personal)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["findings"]  # the findings are there, masked


def test_pdf_export_needs_chromium_and_says_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-chromium-here"))
    argv = ["scan", *DEMO_FLAGS, "--replay", WORLD, "--quiet", "--out", str(tmp_path / "o")]
    assert main([*argv, "--pdf", str(tmp_path / "r.pdf")]) == 2
    err = capsys.readouterr().err
    assert "install chromium to export PDF" in err
    assert err.count("\n") == 1
