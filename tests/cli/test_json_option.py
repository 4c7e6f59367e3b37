"""`--json` prints JSON; `--json-file PATH` writes it; 0.1's `--json PATH` still writes it.

The rule for the old spelling: the token after `--json` is a PATH only when it ends in
`.json` (`--json=VALUE` always is); otherwise `--json` is the flag and the token is left
to the positionals, so a profile file is never taken for the PATH and written over.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.cli.options import LEGACY_JSON_WARNING, legacy_json
from tests.support import ROOT

WORLD = str(ROOT / "demo_world")
SITES = str(ROOT / "demo_world" / "sites.json")
SAMPLE = str(ROOT / "sample_profiles" / "jordan_testwell.toml")
DEPRECATED = f"exposure-audit: {LEGACY_JSON_WARNING}"
QUICK = ["--sources", "gravatar,github", "--replay", WORLD, "--quiet"]


@pytest.mark.parametrize(
    ("tokens", "expected", "used"),
    [
        (["--json", "r.json"], ["--json-file", "r.json"], True),
        (["--json", "/tmp/out/R.JSON"], ["--json-file", "/tmp/out/R.JSON"], True),
        (["--json=out/report"], ["--json-file", "out/report"], True),
        (["--json"], ["--json"], False),
        (["--json", "me.toml"], ["--json", "me.toml"], False),  # the profile, not a PATH
        (["--json", "profiles/me.toml"], ["--json", "profiles/me.toml"], False),
        (["me.toml", "--json", "--quiet"], ["me.toml", "--json", "--quiet"], False),
        (["--json", "--sites", "s.json"], ["--json", "--sites", "s.json"], False),
        (["--json", "jtestwell"], ["--json", "jtestwell"], False),  # a username
        (["--json-file", "x.json"], ["--json-file", "x.json"], False),
        (["--", "--json", "r.json"], ["--", "--json", "r.json"], False),
    ],
)
def test_the_rule(tokens: list[str], expected: list[str], used: bool) -> None:
    assert legacy_json(tokens) == (expected, used)


def test_scan_json_prints_the_report_and_the_summary_goes_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", SAMPLE, *QUICK, "--json", "--out", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    printed = json.loads(out)
    assert printed["schema"] == "exposure-audit/report/1"
    assert out == (tmp_path / "report.json").read_text(encoding="utf-8")  # what was written
    assert err.startswith("exposure: ")
    assert f"report.json: {tmp_path / 'report.json'}" in err


def test_json_before_the_profile_is_the_flag_and_the_profile_is_scanned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = Path(SAMPLE).read_bytes()
    assert main(["scan", "--json", SAMPLE, *QUICK, "--out", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["subject"]["names"] == ["Jordan Testwell"]
    assert DEPRECATED not in err
    assert Path(SAMPLE).read_bytes() == before


def test_old_scan_json_path_writes_the_file_as_before_and_says_it_is_deprecated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What ../shared/worlds/run_dev_world.sh runs: `scan … --json PATH --html PATH`."""
    old, new = tmp_path / "old", tmp_path / "new"
    assert (
        main(["scan", SAMPLE, *QUICK, "--json-file", f"{new}/r.json", "--html", f"{new}/r.html"])
        == 0
    )
    new_out, new_err = capsys.readouterr()
    assert main(["scan", SAMPLE, *QUICK, "--json", f"{old}/r.json", "--html", f"{old}/r.html"]) == 0
    old_out, old_err = capsys.readouterr()
    assert json.loads((old / "r.json").read_text(encoding="utf-8"))["schema"] == (
        "exposure-audit/report/1"
    )
    assert sorted(p.name for p in old.iterdir()) == ["r.html", "r.json"]
    assert old_out.replace(str(old), "X") == new_out.replace(str(new), "X")
    assert old_out.splitlines()[-1] == f"report.json: {old}/r.json"
    assert old_err == f"{DEPRECATED}\n"
    assert new_err == ""


def test_a_token_that_is_not_a_json_file_is_never_written_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "me.toml"
    profile.write_text('names = ["Jordan Testwell"]\n', encoding="utf-8")
    assert main(["scan", "--name", "Jordan Testwell", *QUICK, "--json", str(tmp_path / "out")]) == 2
    assert "profile not found" in capsys.readouterr().err
    assert main(["scan", str(profile), "--json", str(tmp_path / "other.toml"), *QUICK]) == 2
    assert "unrecognized arguments" in capsys.readouterr().err
    assert profile.read_text(encoding="utf-8") == 'names = ["Jordan Testwell"]\n'


def test_usernames_json_prints_the_results_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["usernames", "--json", "jtestwell", "--sites", SITES, "--replay", WORLD]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["schema"] == "exposure-audit/usernames/1"
    assert report["username"] == "jtestwell"
    assert err == ""


def test_usernames_old_json_path_still_writes_the_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["usernames", "jtestwell", "--sites", SITES, "--replay", WORLD, "--quiet"]
    assert main([*argv, "--json-file", str(tmp_path / "new.json")]) == 0
    new_out, new_err = capsys.readouterr()
    assert main([*argv, "--json", str(tmp_path / "old.json")]) == 0
    old_out, old_err = capsys.readouterr()
    assert old_out.replace("old.json", "new.json") == new_out
    assert old_out.splitlines()[-1] == f"results: {tmp_path / 'old.json'}"
    assert old_err == f"{DEPRECATED}\n"
    assert new_err == ""
    old = json.loads((tmp_path / "old.json").read_text(encoding="utf-8"))
    new = json.loads((tmp_path / "new.json").read_text(encoding="utf-8"))
    assert old["results"] == new["results"]


def test_usernames_json_and_json_file_keep_stdout_json_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "r.json"
    argv = ["usernames", "jtestwell", "--sites", SITES, "--replay", WORLD, "--json"]
    assert main([*argv, "--json-file", str(target)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == json.loads(target.read_text(encoding="utf-8"))
    assert err == f"results: {target}\n"


def test_a_username_after_json_is_not_taken_for_a_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["usernames", "jtestwell", "--sites", SITES, "--replay", WORLD, "--json", "results"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: results" in err
    assert err.count("\n") == 1
