"""Counselor mode end to end: an encrypted workspace, consent, scans, reports, purge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.counsel.clients import scans, set_profile
from scanner.counsel.vault import Vault
from scanner.history.codec import loads
from scanner.models import ScanResult
from tests.support import ROOT

WORLD = str(ROOT / "demo_world")
PROFILE = str(ROOT / "sample_profiles" / "jordan_testwell.toml")
SECRET = "correct horse battery staple"
PERSONAL = ("Jordan Testwell", "jordan.testwell@example.com", "jtestwell", "Client A")


def run(workspace: Path, *argv: str) -> int:
    return main(["clients", "--workspace", str(workspace), *argv])


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EXPOSURE_AUDIT_PASSPHRASE", SECRET)
    folder = tmp_path / "ws"
    assert run(folder, "init") == 0
    return folder


def all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() + str(p).encode() for p in folder.rglob("*") if p.is_file())


def test_a_client_scan_leaves_no_plaintext_and_exports_three_variants(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(workspace, "add", "Client A", "--consent-by", "Sam Advocate") == 0
    assert run(workspace, "scan", "Client A", PROFILE, "--replay", WORLD) == 0
    stored = all_bytes(workspace)
    for personal in PERSONAL:
        assert personal.encode() not in stored
        assert personal.encode("utf-16-le") not in stored
    reports = {}
    for flag, variant in (([], "client"), (["--redact"], "redacted"), (["--evidence"], "evidence")):
        out = tmp_path / variant
        assert run(workspace, "report", "Client A", *flag, "--out", str(out)) == 0
        reports[variant] = (out / f"report-{variant}.html").read_text(encoding="utf-8")
    assert "Consent recorded by Sam Advocate" in reports["client"]
    assert "Evidence record" not in reports["client"]
    assert "Evidence copy" in reports["evidence"]
    assert "jordan.testwell@example.com" in reports["client"]
    assert "jordan.testwell@example.com" not in reports["redacted"]
    assert "48 Elm Street" not in reports["redacted"]


def test_a_wrong_passphrase_is_refused_and_changes_nothing(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(workspace, "add", "Client A", "--consent-by", "Sam Advocate") == 0
    before = {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file()}
    monkeypatch.setenv("EXPOSURE_AUDIT_PASSPHRASE", "not the passphrase")
    capsys.readouterr()
    assert run(workspace, "list") == 2
    err = capsys.readouterr().err
    assert "wrong passphrase" in err
    assert err.count("\n") == 1
    assert {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file()} == before


def test_no_scan_without_consent(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(workspace, "add", "Client B") == 2  # consent is not optional
    assert "--consent-by" in capsys.readouterr().err
    assert run(workspace, "scan", "Client B", PROFILE, "--replay", WORLD) == 2
    assert "no client 'Client B'" in capsys.readouterr().err


def test_consent_scope_limits_the_sources(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["add", "Client A", "--consent-by", "Sam Advocate", "--sources", "gravatar,github"]
    assert run(workspace, *argv) == 0
    assert run(workspace, "scan", "Client A", PROFILE, "--replay", WORLD) == 0
    out = tmp_path / "r"
    assert run(workspace, "report", "Client A", "--evidence", "--out", str(out)) == 0
    html = (out / "report-evidence.html").read_text(encoding="utf-8")
    assert "api.github.com" in html
    assert "api.xposedornot.com" not in html  # not consented: never asked


def test_purge_removes_every_trace_of_one_client_and_the_panic_button_everything(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for label in ("Client A", "Client B"):
        assert run(workspace, "add", label, "--consent-by", "Sam Advocate") == 0
    assert run(workspace, "scan", "Client A", PROFILE, "--replay", WORLD) == 0
    files_before = {p for p in workspace.rglob("*") if p.is_file()}
    assert run(workspace, "purge", "Client A") == 0
    files_after = {p for p in workspace.rglob("*") if p.is_file()}
    assert files_after < files_before
    capsys.readouterr()
    assert run(workspace, "list") == 0
    listed = capsys.readouterr().out
    assert "Client A" not in listed
    assert "Client B" in listed
    monkeypatch.delenv("EXPOSURE_AUDIT_PASSPHRASE")  # the panic button needs no passphrase
    assert run(workspace, "purge", "--all", "--yes") == 0
    assert not workspace.exists()


def test_batch_rescan_goes_on_when_one_client_fails(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for label in ("Client A", "Client B"):
        assert run(workspace, "add", label, "--consent-by", "Sam Advocate") == 0
    vault = Vault.open(workspace, SECRET)
    set_profile(vault, "Client A", {"emails": ["not an email"]})  # this one cannot be scanned
    set_profile(vault, "Client B", {"names": ["Avery Sample"]})
    capsys.readouterr()
    assert run(workspace, "rescan", "--due") == 1  # one failed: said, not hidden
    out, err = capsys.readouterr()
    assert out.strip() == "rescanned 1 client(s); 1 failed; 2 were due"  # counts only
    assert "Client A: not rescanned: " in err
    assert json.dumps(out).count("Avery") == 0


def test_a_session_unlock_opens_without_the_passphrase_until_locked(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert run(workspace, "unlock", "--minutes", "5") == 0
    monkeypatch.delenv("EXPOSURE_AUDIT_PASSPHRASE")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)  # no prompt possible
    assert run(workspace, "list") == 0  # the session unlock opened it
    assert run(workspace, "lock") == 0
    assert run(workspace, "list") == 2  # locked again: a passphrase is needed


def stored_scan(workspace: Path, label: str) -> ScanResult:
    """The latest kept scan of a client, decrypted."""
    return loads(ScanResult, scans(Vault.open(workspace, SECRET), label)[-1][2])


def one_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


def test_the_panic_button_asks_to_type_destroy(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    capsys.readouterr()
    assert run(workspace, "purge", "--all") == 2  # no terminal, no --yes
    assert "type DESTROY at a terminal; or add --yes" in one_error(capsys)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "destroy it")
    assert run(workspace, "purge", "--all") == 2
    assert "not confirmed" in one_error(capsys)
    assert (workspace / "workspace.json").is_file()
    monkeypatch.setattr("builtins.input", lambda prompt: "DESTROY")
    assert run(workspace, "purge", "--all") == 0
    assert not workspace.exists()


def test_the_panic_button_with_a_damaged_header(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(workspace, "add", "Client A", "--consent-by", "Sam Advocate") == 0
    (workspace / "workspace.json").write_bytes(b'{"format": "exposure-audit/wor')
    capsys.readouterr()
    assert run(workspace, "list") == 2  # no passphrase check is possible
    assert "damaged" in one_error(capsys)
    assert run(workspace, "purge", "--all", "--yes") == 0
    assert not workspace.exists()
    assert "exported copies were not listed" in capsys.readouterr().out


def test_report_refuses_a_folder_inside_the_workspace(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(workspace, "add", "Client A", "--consent-by", "Sam Advocate") == 0
    assert run(workspace, "scan", "Client A", PROFILE, "--replay", WORLD) == 0
    link = tmp_path / "looks-outside"
    link.symlink_to(workspace / "c")
    before = set(workspace.rglob("*"))
    capsys.readouterr()
    for out in (workspace, workspace / "reports", link, link / "deeper"):
        assert run(workspace, "report", "Client A", "--out", str(out)) == 2
        assert "inside the encrypted workspace" in one_error(capsys)
    assert set(workspace.rglob("*")) == before


def test_purges_list_the_exported_copies_they_cannot_reach(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for label in ("Client A", "Client B"):
        assert run(workspace, "add", label, "--consent-by", "Sam Advocate") == 0
        assert run(workspace, "scan", label, PROFILE, "--replay", WORLD) == 0
    assert run(workspace, "report", "Client A", "--out", str(tmp_path / "a")) == 0
    assert run(workspace, "report", "Client B", "--out", str(tmp_path / "b1")) == 0
    assert run(workspace, "export", "Client B", "--out", str(tmp_path / "b2")) == 0
    (tmp_path / "b2" / "client.json").unlink()  # deleted by hand already: not listed
    capsys.readouterr()
    assert run(workspace, "purge", "Client A") == 0
    out = capsys.readouterr().out
    kept = tmp_path / "a" / "report-client.html"
    assert f"outside the workspace and were not removed: {kept.resolve()}\n" in out
    assert kept.is_file()  # listed, never removed
    assert run(workspace, "purge", "--all", "--yes") == 0  # unlocked by the passphrase
    out = capsys.readouterr().out
    listed = out.split("were not removed: ")[1].strip().split(", ")
    assert str((tmp_path / "b1" / "report-client.html").resolve()) in listed
    assert str((tmp_path / "a" / "report-client.html").resolve()) not in listed  # A was purged
    assert not any("client.json" in path for path in listed)
    assert len(listed) == 2  # b1's report and b2's one scan


def test_the_subject_from_a_file_or_prompts(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for label in ("Client A", "Client B"):
        assert run(workspace, "add", label, "--consent-by", "Sam Advocate") == 0
    argv = ["scan", "Client A", "--subject-file", PROFILE, "--replay", WORLD]
    assert run(workspace, *argv) == 0
    assert stored_scan(workspace, "Client A").profile.names == ("Jordan Testwell",)
    capsys.readouterr()
    assert run(workspace, "scan", "Client A", PROFILE, "--subject-file", PROFILE) == 2
    assert "PROFILE or --subject-file, not both" in one_error(capsys)
    assert run(workspace, "scan", "Client B", "--ask", "--replay", WORLD) == 2  # no terminal
    assert "--ask needs a terminal" in one_error(capsys)
    answers = iter(["Avery Sample", "asample, avery_s", "avery.sample@example.net"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    # the demo world has no answer for Avery's email: XposedOrNot could not check
    assert run(workspace, "scan", "Client B", "--ask", "--replay", WORLD) == 3
    assert "could not check XposedOrNot" in capsys.readouterr().out
    profile = stored_scan(workspace, "Client B").profile
    assert profile.names == ("Avery Sample",)
    assert profile.handles == ("asample", "avery_s")
    assert profile.emails == ("avery.sample@example.net",)


def test_leads_are_followed_only_into_consented_sources(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["add", "Client A", "--consent-by", "Sam Advocate", "--sources", "github,gravatar"]
    assert run(workspace, *argv) == 0
    subject = ["--name", "Jordan Testwell", "--handle", "jtestwell"]
    assert run(workspace, "scan", "Client A", *subject, "--replay", WORLD) == 0
    result = stored_scan(workspace, "Client A")
    followed = {lead.field for lead in result.leads if lead.followed}
    assert {"emails", "domains"} <= followed  # GitHub's leads: other sources take those
    assert {run.name for run in result.runs} == {"github", "gravatar"}
    assert any(run.via is not None for run in result.runs)  # leads were followed, in scope
    hosts = {request.url.split("/")[2] for request in result.requests}
    assert hosts == {"api.github.com", "api.gravatar.com"}


def test_consent_to_a_mistyped_source_is_refused(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    argv = ["add", "Client A", "--consent-by", "Sam Advocate", "--sources", "github,gravatr"]
    assert run(workspace, *argv) == 2
    assert "unknown source 'gravatr'" in one_error(capsys)
    assert run(workspace, "list") == 0
    assert "no clients yet" in capsys.readouterr().out


def test_the_panic_button_lists_exports_under_a_session_unlock(
    workspace: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run(workspace, "add", "Client A", "--consent-by", "Sam Advocate") == 0
    assert run(workspace, "scan", "Client A", PROFILE, "--replay", WORLD) == 0
    assert run(workspace, "report", "Client A", "--redact", "--out", str(tmp_path / "r")) == 0
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert run(workspace, "unlock", "--minutes", "5") == 0
    monkeypatch.delenv("EXPOSURE_AUDIT_PASSPHRASE")
    capsys.readouterr()
    assert run(workspace, "purge", "--all", "--yes") == 0
    out = capsys.readouterr().out
    report = (tmp_path / "r" / "report-redacted.html").resolve()
    assert f"were not removed: {report}\n" in out
    assert not list(runtime.rglob("unlock-*"))  # the session unlock went with it
