"""A scan that could not check everything: exit status 3, "not checked this time" in the
comparison (never "gone"), --resume asks again what could not check, one scan of a subject at
a time, and SIGTERM ends a scan as Ctrl-C does (exit 143, checkpoints kept). Fictional data."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import main
from scanner.history.locks import held, scan_lock_path
from scanner.history.store import HistoryStore
from tests.test_cli_history import blocked_checkpoint

ROOT = Path(__file__).resolve().parents[1]
EMAIL = "jordan.testwell@example.com"
HANDLE = "jtestwell"
GRAVATAR = "https://api.gravatar.com/v3/profiles/" + hashlib.sha256(EMAIL.encode()).hexdigest()
GITHUB = f"https://api.github.com/users/{HANDLE}"
PROFILE = {
    "hash": hashlib.sha256(EMAIL.encode()).hexdigest(),
    "display_name": "Jordan Testwell",
    "profile_url": "https://gravatar.com/jordantestwell",
    "location": "Springfield, Illinois",
}
SCAN = ["scan", "--email", EMAIL, "--handle", HANDLE, "--sources", "gravatar,github"]


def world(tmp_path: Path, name: str, *, gravatar_up: bool) -> str:
    """GitHub has no such user (checked, nothing found); Gravatar answers or is down."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "profile.json").write_text(json.dumps(PROFILE), encoding="utf-8")
    gravatar: dict[str, Any] = {"url": GRAVATAR, "status": 503}
    if gravatar_up:
        json_type = {"content-type": "application/json"}
        gravatar = {"url": GRAVATAR, "status": 200, "headers": json_type, "body": "profile.json"}
    responses = [gravatar, {"url": GITHUB, "status": 404}]
    manifest = {"schema": "exposure-audit/replay/1", "responses": responses}
    (folder / "world.json").write_text(json.dumps(manifest), encoding="utf-8")
    return str(folder)


def scan(world_dir: str, out: Path) -> tuple[int, dict[str, Any]]:
    argv = [*SCAN, "--replay", world_dir, "--history", "--subject", "jordan", "--quiet"]
    status = main([*argv, "--out", str(out)])
    return status, json.loads((out / "report.json").read_text(encoding="utf-8"))


def changes(report: dict[str, Any]) -> dict[str, str]:
    return {e["value"]: e["change"] for e in report["since_last_scan"]["entries"]}


def test_a_finding_whose_source_could_not_check_is_not_checked_this_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _ = scan(world(tmp_path, "up", gravatar_up=True), tmp_path / "r1")
    assert status == 0  # every source checked
    status, second = scan(world(tmp_path, "down", gravatar_up=False), tmp_path / "r2")
    assert status == 3  # incomplete: Gravatar could not check
    assert changes(second)["Springfield, Illinois"] == "unchecked"
    assert "gone" not in changes(second).values()
    assert second["since_last_scan"]["counts"]["unchecked"] >= 1
    out = capsys.readouterr().out
    assert "not checked this time (kept as they were)" in out
    html = (tmp_path / "r2" / "report.html").read_text(encoding="utf-8")
    assert "not checked this time" in html

    status, third = scan(world(tmp_path, "back", gravatar_up=True), tmp_path / "r3")
    assert status == 0
    assert third["since_last_scan"]["entries"] == []  # still there, never gone: no change
    with HistoryStore() as store:
        assert len(store.scans("jordan")) == 3


def test_resume_asks_again_a_source_that_could_not_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scan_id = blocked_checkpoint()
    argv = [*SCAN, "--replay", world(tmp_path, "up", gravatar_up=True), "--resume"]
    assert main([*argv, "--history", "--subject", "jordan", "--out", str(tmp_path / "o")]) == 0
    assert "(0 source(s) kept)" in capsys.readouterr().err
    report = json.loads((tmp_path / "o" / "report.json").read_text(encoding="utf-8"))
    assert "Springfield, Illinois" in [f["value"] for f in report["findings"]]  # asked again
    with HistoryStore() as store:
        assert [s.id for s in store.scans("jordan")] == [scan_id]


def test_a_second_scan_of_a_subject_is_refused_while_one_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = world(tmp_path, "up", gravatar_up=True)
    argv = [*SCAN, "--replay", answers, "--history", "--subject", "jordan"]
    with held(scan_lock_path("jordan"), "a test holds it"):
        assert main([*argv, "--out", str(tmp_path / "o")]) == 2
        err = capsys.readouterr().err.splitlines()
        assert err == [
            f"exposure-audit: error: another scan of 'jordan' is running: wait for it, or add"
            f" --no-history, process {os.getpid()} (lock: {scan_lock_path('jordan')})"
        ]
        with HistoryStore() as store:
            assert store.interrupted("jordan") == []  # nothing started, nothing discarded
        # another subject, or the same one without history, is not held up
        assert main([*argv[:-1], "other", "--quiet", "--out", str(tmp_path / "o2")]) == 0
        assert main([*argv[:-3], "--no-history", "--quiet", "--out", str(tmp_path / "o3")]) == 0
    assert main([*argv, "--quiet", "--out", str(tmp_path / "o4")]) == 0  # released


CHILD = """
import asyncio, sys
from scanner.cli import main
from scanner.replay import ReplayTransport

answer = ReplayTransport.handle_async_request

async def slow_github(self, request):
    if request.url.host == "api.github.com":
        print("waiting", flush=True)
        await asyncio.sleep(60)
    return await answer(self, request)

ReplayTransport.handle_async_request = slow_github
sys.exit(main(sys.argv[1:]))
"""


def test_sigterm_ends_a_scan_like_ctrl_c_and_keeps_what_finished(tmp_path: Path) -> None:
    answers = world(tmp_path, "up", gravatar_up=True)
    argv = [*SCAN, "--replay", answers, "--history", "--subject", "jordan", "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, *argv, "--out", str(tmp_path / "o")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "waiting\n"
        assert _gravatar_kept(time.monotonic() + 30)
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 143
    assert err.splitlines()[-1] == (
        "exposure-audit: terminated: the sources that finished are kept: add --resume to the"
        " same command to go on"
    )
    assert "Traceback" not in err
    with HistoryStore() as store:
        (interrupted,) = store.interrupted("jordan")
        assert set(store.checkpoints(interrupted.id)) == {"gravatar"}
    assert not (tmp_path / "o").exists()  # no half report


def _gravatar_kept(deadline: float) -> bool:
    """True once the child has checkpointed Gravatar (False at the deadline)."""
    while time.monotonic() < deadline:
        with HistoryStore() as store:
            running = store.interrupted("jordan")
            if running and "gravatar" in store.checkpoints(running[-1].id):
                return True
        time.sleep(0.1)
    return False


def test_a_recorder_that_cannot_start_lets_go_of_the_subject(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scanner.history.recorder import Recorder

    def broken(self: HistoryStore, subject: str | None = None) -> list[Any]:
        raise RuntimeError("fictional failure")

    monkeypatch.setattr(HistoryStore, "interrupted", broken)
    with pytest.raises(RuntimeError, match="fictional failure"):
        Recorder("jordan", resume=False, say=print)
    with held(scan_lock_path("jordan"), "still held"):  # the lock was released
        pass
