"""`usernames` and `sites`: account discovery from the command line, offline."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest

from scanner.cli import main
from scanner.http import Http, HttpSettings
from scanner.sites.update import sites_dir
from tests.support import PAGES, mock_http

SITES = str(PAGES / "sites" / "wmn-shape.json")


def world(tmp_path: Path, responses: list[dict[str, Any]]) -> str:
    folder = tmp_path / "world"
    folder.mkdir()
    (folder / "world.json").write_text(
        json.dumps({"schema": "exposure-audit/replay/1", "responses": responses}),
        encoding="utf-8",
    )
    return str(folder)


def page(url: str, status: int, text: str, method: str = "GET") -> dict[str, Any]:
    return {"method": method, "url": url, "status": status, "headers": {}, "text": text}


def answers(tmp_path: Path) -> str:
    """The forum has jtestwell; the art API does not; the others answer nothing (404)."""
    responses = [
        page("https://forum.example.com/u/jtestwell", 200, "<title>Profile of jtestwell"),
        page("https://api.example.net/v1/users/jtestwell?fields=id", 404, '{"error":"not found"}'),
    ]
    folder = Path(world(tmp_path, responses))
    manifest = json.loads((folder / "world.json").read_text(encoding="utf-8"))
    for entry, name in zip(manifest["responses"], ("forum.html", "art.json"), strict=True):
        (folder / name).write_text(entry.pop("text"), encoding="utf-8")
        entry["body"] = name
    (folder / "world.json").write_text(json.dumps(manifest), encoding="utf-8")
    return str(folder)


def test_usernames_lists_found_accounts_and_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.json"
    argv = ["usernames", "jtestwell", "--sites", SITES, "--replay", answers(tmp_path)]
    assert main([*argv, "--json-file", str(out), "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "found\tExample Forum\thttps://forum.example.com/u/jtestwell"
    assert lines[1].startswith("1 found, 1 not found, 0 blocked, 2 could not tell, 1 skipped")
    assert lines[-1] == f"results: {out}"
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["schema"] == "exposure-audit/usernames/1"
    assert report["counts"] == {
        "found": 1, "not_found": 1, "unknown": 2, "blocked": 0, "skipped": 1,
    }  # fmt: skip
    verdicts = {r["site"]: r["verdict"] for r in report["results"]}
    assert verdicts["Example Forum"] == "found"
    assert verdicts["Example Old Blog"] == "skipped"  # valid: false in the catalogue
    # the forum said "found", so it was asked again for a random name (the control check)
    assert report["requests"] == 5
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["usernames", "two words", "--sites", SITES], "invalid username"),
        (["usernames", "jt", "--sites", "no/such.json"], "no/such.json"),
        (["usernames", "jt", "--sites", SITES, "--concurrency", "0"], "--concurrency"),
        (["usernames", "jt", "--sites", SITES, "--timeout", "nan"], "--timeout"),
        (["sites"], "required"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_a_failed_update_says_so_in_one_line_and_keeps_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(settings: HttpSettings) -> Http:  # the download answers 503 every time
        return mock_http(lambda request: httpx.Response(503))

    monkeypatch.setattr("scanner.http.Http", failing)
    assert main(["sites", "update"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("exposure-audit: could not update the site list wmn: ")
    assert err.count("\n") == 1
    assert not (sites_dir() / "wmn-data.json").exists()


def test_sites_info_and_the_installed_list_is_the_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sites", "info"]) == 0
    bundled = capsys.readouterr().out
    assert "WhatsMyName: 716 sites, 2026-08-16, CC BY-SA 4.0 (bundled: " in bundled
    folder = sites_dir()
    folder.mkdir(parents=True)
    (folder / "wmn-data.json").write_bytes(Path(SITES).read_bytes())
    assert main(["sites", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    wmn = next(item for item in info["lists"] if item["name"] == "wmn")
    assert (wmn["sites"], wmn["installed"]) == (5, True)  # the downloaded copy wins
    argv = ["usernames", "jtestwell", "--quiet", "--replay", answers(tmp_path)]
    assert main(argv) == 0
    assert "found\tExample Forum" in capsys.readouterr().out


def test_the_collector_runs_less_often_during_the_checks_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from scanner.sites import check

    during: list[tuple[int, int, int]] = []
    real = check.check_sites

    async def spy(*args: Any, **kwargs: Any) -> Any:
        during.append(gc.get_threshold())
        return await real(*args, **kwargs)

    monkeypatch.setattr(check, "check_sites", spy)
    before = gc.get_threshold()
    argv = ["usernames", "jtestwell", "--sites", SITES, "--replay", answers(tmp_path), "--quiet"]
    assert main(argv) == 0
    assert during[0][0] >= 20_000
    assert during[0][1:] == before[1:]
    assert gc.get_threshold() == before
