"""History from the command line: a record disappears and comes back across three scans.

Each scan is replayed from its own small world (Gravatar only), saved with --history, and
compared with the one before; `mark` survives across scans and "not me" hides a finding.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import main
from scanner.history.codec import dumps
from scanner.history.store import HistoryStore
from scanner.models import Kind, Observation, RunStatus, SourceRef, SourceResult, SourceRun

EMAIL = "jordan.testwell@example.com"
URL = "https://api.gravatar.com/v3/profiles/" + hashlib.sha256(EMAIL.encode()).hexdigest()
BASE = {
    "hash": hashlib.sha256(EMAIL.encode()).hexdigest(),
    "display_name": "Jordan Testwell",
    "profile_url": "https://gravatar.com/jordantestwell",
    "location": "Springfield, Illinois",
    "job_title": "Volunteer Coordinator",
    "company": "Acme Example Co",
}


def world(tmp_path: Path, name: str, profile: dict[str, Any]) -> str:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "profile.json").write_text(json.dumps(profile), encoding="utf-8")
    entry = {"url": URL, "status": 200, "headers": {"content-type": "application/json"}}
    manifest = {
        "schema": "exposure-audit/replay/1",
        "responses": [{**entry, "body": "profile.json"}],
    }
    (folder / "world.json").write_text(json.dumps(manifest), encoding="utf-8")
    return str(folder)


def scan(world_dir: str, out: Path) -> dict[str, Any]:
    argv = ["scan", "--email", EMAIL, "--name", "Jordan Testwell", "--sources", "gravatar"]
    argv += ["--replay", world_dir, "--history", "--subject", "jordan", "--quiet"]
    assert main([*argv, "--out", str(out)]) == 0
    report: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return report


def entry(report: dict[str, Any], value: str) -> dict[str, Any]:
    return next(e for e in report["since_last_scan"]["entries"] if e["value"] == value)


def test_gone_then_back_is_resurfaced_everywhere_and_marks_survive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = scan(world(tmp_path, "w1", BASE), tmp_path / "r1")
    assert first["since_last_scan"]["previous_scan"] is None  # the first scan
    location = next(f for f in first["findings"] if f["kind"] == "location")
    employer = next(f for f in first["findings"] if f["kind"] == "employer")
    capsys.readouterr()

    assert main(["mark", location["id"][:8], "done", "--note", "asked Gravatar"]) == 0
    assert "marked done" in capsys.readouterr().out
    assert main(["mark", employer["id"][:10], "not-me"]) == 0

    moved = {k: v for k, v in BASE.items() if k != "location"}  # the location is gone
    second = scan(world(tmp_path, "w2", moved), tmp_path / "r2")
    gone = entry(second, "Springfield, Illinois")
    assert gone["change"] == "gone"
    assert "marked done" in gone["note"]
    assert second["since_last_scan"]["counts"]["hidden_not_me"] == 1
    assert all(f["id"] != employer["id"] for f in second["findings"])  # "not me": hidden

    third = scan(world(tmp_path, "w3", BASE), tmp_path / "r3")  # and back again
    back = entry(third, "Springfield, Illinois")
    assert back["change"] == "resurfaced"
    assert "back" in back["note"]
    assert back["mark"]["state"] == "done"
    html = (tmp_path / "r3" / "report.html").read_text(encoding="utf-8")
    assert "Since your last scan" in html
    assert "CAME BACK" in html
    capsys.readouterr()

    assert main(["diff", "jordan"]) == 0
    out = capsys.readouterr().out
    assert "1 came back" in out
    assert any(line.startswith("CAME BACK") and "Springfield" in line for line in out.splitlines())
    assert main(["diff", "jordan", "1", "2"]) == 0
    assert any(line.startswith("gone") for line in capsys.readouterr().out.splitlines())
    assert main(["history", "jordan"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "jordan: 3 scan(s)"
    assert len(lines) == 4


def test_replayed_scans_are_not_saved_unless_asked(tmp_path: Path) -> None:
    argv = ["scan", "--email", EMAIL, "--sources", "gravatar", "--quiet"]
    assert main([*argv, "--replay", world(tmp_path, "w", BASE), "--out", str(tmp_path / "o")]) == 0
    with HistoryStore() as store:
        assert store.subjects() == []


def interrupted_scan() -> int:
    """A scan killed after Gravatar finished: its outcome kept as a checkpoint."""
    now = datetime.now(UTC)
    run = SourceRun("gravatar", "Gravatar", RunStatus.OK, "", now, now, 1)
    seen = Observation(
        Kind.LOCATION, "Springfield, Illinois", SourceRef("gravatar", URL),
        "Location: Springfield, Illinois", 0.9, "on your Gravatar profile",
    )  # fmt: skip
    with HistoryStore() as store:
        scan_id = store.start_scan("jordan", now)
        store.checkpoint(scan_id, "gravatar", dumps(run), dumps(SourceResult((seen,))))
    return scan_id


def test_an_interrupted_scan_is_resumed_with_what_it_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scan_id = interrupted_scan()
    empty = world(tmp_path, "empty", {})  # Gravatar would answer nothing now
    argv = ["scan", "--email", EMAIL, "--sources", "gravatar", "--replay", empty]
    argv += ["--history", "--subject", "jordan", "--resume", "--out", str(tmp_path / "o")]
    assert main(argv) == 0
    assert "resuming the interrupted scan" in capsys.readouterr().err
    report = json.loads((tmp_path / "o" / "report.json").read_text(encoding="utf-8"))
    assert [f["value"] for f in report["findings"]] == ["Springfield, Illinois"]  # kept
    with HistoryStore() as store:
        assert store.interrupted("jordan") == []
        assert [s.id for s in store.scans("jordan")] == [scan_id]  # the same scan, finished


def test_without_resume_an_interrupted_scan_is_mentioned_then_superseded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scan_id = interrupted_scan()
    answers = world(tmp_path, "w", BASE)
    argv = ["scan", "--email", EMAIL, "--sources", "gravatar", "--replay", answers]
    assert main([*argv, "--history", "--subject", "jordan", "--out", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    assert "add --resume to continue it" in err
    assert "resuming" not in err  # ran again
    with HistoryStore() as store:
        assert store.interrupted("jordan") == []  # the finished scan replaced it
        assert scan_id not in [s.id for s in store.scans("jordan")]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["mark", "zz", "done"], "finding"),
        (["mark", "abcdef12", "gone"], "invalid choice"),
        (["diff"], "say whose scans to compare"),
        (["diff", "a", "b", "c", "d"], "diff takes"),
        (["history", "bad label!"], "label"),
        (["schedule"], "schedule needs a PROFILE"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_schedule_dry_run_install_list_remove_with_a_fake_crontab(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = Path(__file__).parent / "history" / "bin" / "crontab"
    (bin_dir / "crontab").write_bytes(fake.read_bytes())
    (bin_dir / "crontab").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("HOME", str(tmp_path))
    profile = tmp_path / "me.toml"
    profile.write_text('name = "Jordan Testwell"\n', encoding="utf-8")
    base = ["schedule", str(profile), "--monthly", "--backend", "cron"]
    assert main([*base, "--dry-run"]) == 0
    block = capsys.readouterr().out
    assert "# exposure-audit-rescan:me" in block
    assert "rescan --due --subject me --interval monthly --profile" in block
    assert not (tmp_path / "fake-crontab").exists()  # a dry run installs nothing
    assert main(base) == 0
    capsys.readouterr()
    assert main(["schedule", "--list", "--backend", "cron"]) == 0
    assert capsys.readouterr().out == "me\tmonthly\tcrontab\n"
    assert main(["schedule", "--remove", "me", "--backend", "cron"]) == 0
    assert "exposure-audit" not in (tmp_path / "fake-crontab").read_text(encoding="utf-8")


def test_rescan_runs_only_when_due(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    scan(world(tmp_path, "w1", BASE), tmp_path / "r1")  # scanned just now
    capsys.readouterr()
    profile = tmp_path / "me.toml"
    profile.write_text(f'emails = ["{EMAIL}"]\n', encoding="utf-8")
    argv = ["rescan", "--due", "--subject", "jordan", "--interval", "monthly"]
    assert main([*argv, "--profile", str(profile)]) == 0
    assert capsys.readouterr().out.startswith("jordan: not due (last scan ")


def test_a_due_rescan_scans_and_sends_a_notice_without_personal_details(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "notices.txt"
    notifier = bin_dir / "notify-send"
    notifier.write_text(f'#!/bin/sh\nprintf "%s|" "$@" >> "{log}"\n', encoding="utf-8")
    notifier.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    profile = tmp_path / "me.toml"
    profile.write_text('name = "Jordan Testwell"\n', encoding="utf-8")  # no source runs
    argv = ["rescan", "--due", "--subject", "me", "--interval", "weekly"]
    assert main([*argv, "--profile", str(profile)]) == 3  # never scanned: due; nothing could check
    with HistoryStore() as store:
        assert store.scans("me") == []  # it checked nothing: no baseline
        assert store.interrupted("me") == []
    notice = log.read_text(encoding="utf-8")
    assert notice.startswith("exposure-audit|me: rescan finished, but some sources could not check")
    assert "Jordan" not in notice
    capsys.readouterr()
    assert main([*argv, "--profile", str(profile)]) == 3  # nothing saved: still due
    assert "not due" not in capsys.readouterr().out


def test_a_scan_that_checked_nothing_is_unknown_and_not_saved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scan(world(tmp_path, "w", BASE), tmp_path / "o1")
    capsys.readouterr()
    garbage = world(tmp_path, "bad", {})  # a Gravatar answer without a profile: no check
    argv = ["scan", "--email", EMAIL, "--sources", "gravatar", "--replay", garbage]
    assert main([*argv, "--history", "--subject", "jordan", "--out", str(tmp_path / "o2")]) == 3
    captured = capsys.readouterr()
    assert "not saved to history" in captured.err
    assert captured.out.startswith("exposure: unknown: nothing could be checked\n")
    report = json.loads((tmp_path / "o2" / "report.json").read_text(encoding="utf-8"))
    assert (report["risk"]["level"], report["risk"]["checked"]) == ("unknown", False)
    assert "since_last_scan" not in report  # not compared with the baseline
    with HistoryStore() as store:
        assert len(store.scans("jordan")) == 1  # the first scan is still the baseline
        assert store.interrupted("jordan") == []


def test_a_resumed_scan_that_checked_nothing_keeps_the_interrupted_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scan_id = blocked_checkpoint()
    garbage = world(tmp_path, "bad", {})
    argv = ["scan", "--email", EMAIL, "--sources", "gravatar", "--replay", garbage, "--resume"]
    assert main([*argv, "--history", "--subject", "jordan", "--out", str(tmp_path / "o")]) == 3
    assert "not saved to history" in capsys.readouterr().err
    with HistoryStore() as store:
        assert [s.id for s in store.interrupted("jordan")] == [scan_id]  # its checkpoints kept
        assert store.checkpoints(scan_id)
        assert store.scans("jordan") == []


def blocked_checkpoint() -> int:
    """An interrupted scan whose one checkpoint is Gravatar, which could not check."""
    now = datetime.now(UTC)
    run = SourceRun("gravatar", "Gravatar", RunStatus.BLOCKED, "rate limit", now, now)
    with HistoryStore() as store:
        scan_id = store.start_scan("jordan", now)
        store.checkpoint(scan_id, "gravatar", dumps(run), dumps(SourceResult()))
    return scan_id
