"""`sites update`: download, validate, keep the last good copy, attribution. No network."""

from __future__ import annotations

import asyncio
import copy
import json
import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from scanner.errors import Blocked, InputError, SourceUnavailable
from scanner.paths import data_dir
from scanner.sites.update import (
    LIST_NAMES,
    MAIGRET_URL,
    SHERLOCK_URL,
    WMN_URL,
    UpdateRefused,
    UpdateResult,
    installed_catalogue,
    installed_list,
    list_names,
    sites_dir,
    update_list,
    update_sites,
)
from tests.support import mock_http, page, shared_file

FETCHED = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)


def wmn_body(count: int, **top: Any) -> bytes:
    """A WhatsMyName-shaped file (the fixture's licence and authors) with `count` sites."""
    shape = page("sites/wmn-shape.json")
    template = shape["sites"][0]
    sites = []
    for n in range(count):
        site = copy.deepcopy(template)
        site["name"] = f"Example Site {n:04d}"
        site["uri_check"] = f"https://site{n:04d}.example.com/u/{{account}}"
        sites.append(site)
    data = {**shape, "sites": sites, **top}
    return json.dumps(data, indent=2).encode("utf-8")


def serve(
    *responses: httpx.Response,
) -> tuple[Callable[[httpx.Request], httpx.Response], list[str]]:
    seen: list[str] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url}")
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler, seen


def run_update(folder: Path | None, *responses: httpx.Response) -> tuple[UpdateResult, list[str]]:

    handler, seen = serve(*responses)

    async def go() -> UpdateResult:
        async with mock_http(handler) as http:
            return await update_sites(http, folder, now=FETCHED)

    return asyncio.run(go()), seen


def attempt(folder: Path, response: httpx.Response) -> BaseException:
    with pytest.raises((SourceUnavailable, Blocked, InputError)) as caught:
        run_update(folder, response)
    return caught.value


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# --- a good download -----------------------------------------------------------------


def test_first_update_saves_the_file_unmodified_with_attribution(tmp_path: Path) -> None:
    folder = tmp_path / "sites"
    body = wmn_body(120)
    result, seen = run_update(folder, httpx.Response(200, content=body))
    assert seen == [f"GET {WMN_URL}"]
    assert result == UpdateResult(
        path=folder / "wmn-data.json",
        sites=120,
        skipped=0,
        previous=None,
        message=f"120 sites from WhatsMyName, saved to {folder / 'wmn-data.json'}",
    )
    assert (folder / "wmn-data.json").read_bytes() == body
    assert sorted(p.name for p in folder.iterdir()) == ["ATTRIBUTION.md", "wmn-data.json"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in ("wmn-data.json", "ATTRIBUTION.md"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    notice = (folder / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert f"- Source: {WMN_URL}" in notice
    assert "- Fetched: 2026-03-14 09:26:53 UTC" in notice
    assert "WhatsMyName by Micah Hoffman and contributors" in notice
    assert "- Jordan Testwell\n- Avery Sample\n- example-contributor\n" in notice
    assert "CC BY-SA 4.0" in notice
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in notice
    assert "unmodified" in notice
    assert "> This work is licensed under the Creative Commons Attribution-ShareAlike" in notice
    cat = installed_catalogue(folder)
    assert cat is not None
    assert len(cat.sites) == 120
    assert cat.authors == ("Jordan Testwell", "Avery Sample", "example-contributor")


def test_a_second_update_replaces_the_copy_and_reports_the_previous_count(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "sites"
    run_update(folder, httpx.Response(200, content=wmn_body(200)))
    body = wmn_body(150)  # shrinking, but not by half
    result, _ = run_update(folder, httpx.Response(200, content=body))
    assert (result.sites, result.previous) == (150, 200)
    assert result.message.startswith("150 sites from WhatsMyName (was 200), saved to ")
    assert (folder / "wmn-data.json").read_bytes() == body
    assert sorted(p.name for p in folder.iterdir()) == ["ATTRIBUTION.md", "wmn-data.json"]


def test_skipped_entries_are_counted_not_fatal(tmp_path: Path) -> None:
    data = json.loads(wmn_body(110))
    data["sites"][3]["e_code"] = "200"
    data["sites"].append({"name": "Example Broken"})
    result, _ = run_update(tmp_path, httpx.Response(200, content=json.dumps(data).encode()))
    assert (result.sites, result.skipped) == (109, 2)
    assert "109 sites from WhatsMyName, 2 entries skipped, saved to" in result.message


def test_default_folder_is_sites_under_the_user_data_dir() -> None:
    assert sites_dir() == data_dir() / "sites"
    assert installed_catalogue() is None
    result, _ = run_update(None, httpx.Response(200, content=wmn_body(100)))
    assert result.path == sites_dir() / "wmn-data.json"
    assert stat.S_IMODE(sites_dir().stat().st_mode) == 0o700
    assert stat.S_IMODE(data_dir().stat().st_mode) == 0o700
    cat = installed_catalogue()
    assert cat is not None
    assert cat.origin == str(sites_dir() / "wmn-data.json")


def test_a_retried_5xx_then_200_is_saved(tmp_path: Path) -> None:
    body = wmn_body(100)
    result, seen = run_update(tmp_path, httpx.Response(503), httpx.Response(200, content=body))
    assert seen == [f"GET {WMN_URL}"] * 2
    assert result.sites == 100


def test_a_corrupt_previous_copy_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "wmn-data.json").write_bytes(b"{ half a fi")
    with pytest.raises(InputError, match=r"wmn-data\.json is not valid JSON"):
        installed_catalogue(tmp_path)
    result, _ = run_update(tmp_path, httpx.Response(200, content=wmn_body(100)))
    assert result.previous is None
    assert installed_catalogue(tmp_path) is not None


# --- a bad download never replaces the good copy -------------------------------------

GOOD = wmn_body(300)
NO_LICENCE = json.loads(wmn_body(300))
del NO_LICENCE["license"]
OTHER_LICENCE = json.loads(wmn_body(300))
OTHER_LICENCE["license"] = ["All rights reserved, Example Corp"]


@pytest.mark.parametrize(
    ("response", "error", "message"),
    [
        (
            httpx.Response(200, content=GOOD[: len(GOOD) // 2]),
            UpdateRefused,
            f"WhatsMyName download is not valid JSON ({len(GOOD) // 2} bytes; truncated?); "
            "previous copy kept",
        ),
        (
            httpx.Response(200, content=b"<html><body>Rate limited</body></html>"),
            UpdateRefused,
            "WhatsMyName download is not valid JSON (38 bytes; truncated?); previous copy kept",
        ),
        (
            httpx.Response(200, content=b"\xff\xfe\x00garbage"),
            UpdateRefused,
            "WhatsMyName download is not valid JSON (10 bytes; truncated?); previous copy kept",
        ),
        (
            httpx.Response(500, content=b"oops"),
            UpdateRefused,
            "WhatsMyName download failed (status 500); previous copy kept",
        ),
        (
            httpx.Response(404, content=b"404: Not Found"),
            UpdateRefused,
            "WhatsMyName download failed (status 404); previous copy kept",
        ),
        (
            httpx.Response(429, headers={"Retry-After": "3600"}),
            Blocked,
            "WhatsMyName download refused (status 429); previous copy kept",
        ),
        (
            httpx.Response(200, content=wmn_body(3)),
            UpdateRefused,
            "WhatsMyName download has only 3 usable sites (expected at least 100); "
            "previous copy kept",
        ),
        (
            httpx.Response(200, content=wmn_body(120)),
            UpdateRefused,
            "WhatsMyName download has 120 sites, fewer than half of the 300 in the current "
            "copy; previous copy kept",
        ),
        (
            httpx.Response(200, json=NO_LICENCE),
            UpdateRefused,
            "WhatsMyName download has no CC BY-SA licence text; previous copy kept",
        ),
        (
            httpx.Response(200, json=OTHER_LICENCE),
            UpdateRefused,
            "WhatsMyName download has no CC BY-SA licence text; previous copy kept",
        ),
        (
            httpx.Response(200, json=[{"name": "x"}]),
            UpdateRefused,
            f"WhatsMyName download unusable: site list {WMN_URL}: expected a JSON object with "
            "a 'sites' list; previous copy kept",
        ),
        (
            httpx.Response(200, json={"license": ["x"], "sites": "all of them"}),
            UpdateRefused,
            f"WhatsMyName download unusable: site list {WMN_URL}: no 'sites' list at the top "
            "level; previous copy kept",
        ),
    ],
)
def test_a_bad_download_leaves_the_previous_files_untouched(
    tmp_path: Path, response: httpx.Response, error: type[Exception], message: str
) -> None:
    folder = tmp_path / "sites"
    run_update(folder, httpx.Response(200, content=GOOD))
    before = snapshot(folder)
    assert before["wmn-data.json"] == GOOD
    caught = attempt(folder, response)
    assert type(caught) is error
    assert str(caught) == message
    assert snapshot(folder) == before  # byte-identical, and no temporary files left behind


def test_a_bad_first_download_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "sites"
    caught = attempt(folder, httpx.Response(200, content=b'{"sites": ['))
    assert isinstance(caught, UpdateRefused)
    assert not folder.exists()
    assert installed_catalogue(folder) is None


def test_a_network_failure_is_source_unavailable(tmp_path: Path) -> None:

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async def go() -> None:
        async with mock_http(handler) as http:
            await update_sites(http, tmp_path)

    with pytest.raises(SourceUnavailable, match=r"raw\.githubusercontent\.com: could not connect"):
        asyncio.run(go())
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_folder_is_one_input_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    caught = attempt(blocker / "sites", httpx.Response(200, content=wmn_body(100)))
    assert isinstance(caught, InputError)
    assert str(caught).startswith(f"cannot save the site list in {blocker / 'sites'}: ")
    assert blocker.read_text() == "not a folder"


# --- the real file, as upstream serves it ---------------------------------------------


def test_the_real_whatsmyname_file_is_accepted_and_attributed(tmp_path: Path) -> None:
    body = shared_file("whatsmyname/wmn-data.json").read_bytes()
    result, _ = run_update(tmp_path, httpx.Response(200, content=body))
    assert (result.sites, result.skipped, result.previous) == (716, 0, None)
    assert (tmp_path / "wmn-data.json").read_bytes() == body
    notice = (tmp_path / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "- Micah Hoffman\n" in notice
    assert "> Copyright (C) 2015-2026 Micah Hoffman" in notice


# --- Sherlock and Maigret (`sites update --list`) ------------------------------------


def sherlock_body(count: int) -> bytes:
    template = page("sites/sherlock-shape.json")["Example Status"]
    data: dict[str, Any] = {"$schema": "data.schema.json"}
    for n in range(count):
        data[f"Example {n:04d}"] = {**template, "url": f"https://s{n:04d}.example.com/u/{{}}"}
    return json.dumps(data, indent=2).encode("utf-8")


def maigret_body(count: int) -> bytes:
    shape = page("sites/maigret-shape.json")
    template = shape["sites"]["Example Board"]
    sites = {
        f"Example {n:04d}": {**template, "urlMain": f"https://m{n:04d}.example.com/"}
        for n in range(count)
    }
    return json.dumps({**shape, "sites": sites}).encode("utf-8")


def run_list(name: str, folder: Path, *responses: httpx.Response) -> tuple[UpdateResult, list[str]]:
    handler, seen = serve(*responses)

    async def go() -> UpdateResult:
        async with mock_http(handler) as http:
            return await update_list(http, name, folder, now=FETCHED)

    return asyncio.run(go()), seen


@pytest.mark.parametrize(
    ("name", "body", "url", "title"),
    [
        ("sherlock", sherlock_body(150), SHERLOCK_URL, "Sherlock"),
        ("maigret", maigret_body(150), MAIGRET_URL, "Maigret"),
    ],
)
def test_sherlock_and_maigret_are_saved_unmodified_with_their_licence(
    tmp_path: Path, name: str, body: bytes, url: str, title: str
) -> None:
    result, seen = run_list(name, tmp_path, httpx.Response(200, content=body))
    assert seen == [f"GET {url}"]
    path = tmp_path / f"{name}-data.json"
    assert result == UpdateResult(path, 150, 0, None, f"150 sites from {title}, saved to {path}")
    assert path.read_bytes() == body
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{name}-NOTICE.md", path.name]
    notice = (tmp_path / f"{name}-NOTICE.md").read_text(encoding="utf-8")
    assert f"- Source: {url}" in notice
    assert "- Fetched: 2026-03-14 09:26:53 UTC" in notice
    assert "- Licence: MIT, https://opensource.org/license/mit" in notice
    assert "MIT License\n\nCopyright (c) 20" in notice
    assert "unmodified" in notice
    installed = installed_list(name, tmp_path)
    assert installed is not None
    assert len(installed.sites) == 150
    again, _ = run_list(name, tmp_path, httpx.Response(200, content=body))
    assert again.previous == 150


@pytest.mark.parametrize(
    ("name", "good", "bad", "message"),
    [
        ("sherlock", sherlock_body(300), sherlock_body(100),
         "Sherlock download has 100 sites, fewer than half of the 300 in the current copy; "
         "previous copy kept"),
        ("sherlock", sherlock_body(300), b'{"GitHub": {"errorType": ',
         "Sherlock download is not valid JSON (25 bytes; truncated?); previous copy kept"),
        ("sherlock", sherlock_body(300), b"[]",
         f"Sherlock download unusable: site list {SHERLOCK_URL}: expected a JSON object of "
         "sites; previous copy kept"),
        ("maigret", maigret_body(300), maigret_body(20),
         "Maigret download has only 20 usable sites (expected at least 100); "
         "previous copy kept"),
        ("maigret", maigret_body(300), b'{"engines": {}}',
         f"Maigret download unusable: site list {MAIGRET_URL}: no 'sites' object at the top "
         "level; previous copy kept"),
    ],
)  # fmt: skip
def test_a_bad_sherlock_or_maigret_download_keeps_the_good_copy(
    tmp_path: Path, name: str, good: bytes, bad: bytes, message: str
) -> None:
    run_list(name, tmp_path, httpx.Response(200, content=good))
    before = snapshot(tmp_path)
    with pytest.raises(UpdateRefused) as caught:
        run_list(name, tmp_path, httpx.Response(200, content=bad))
    assert str(caught.value) == message
    assert snapshot(tmp_path) == before


def test_each_list_keeps_its_own_files(tmp_path: Path) -> None:
    run_update(tmp_path, httpx.Response(200, content=wmn_body(120)))
    run_list("sherlock", tmp_path, httpx.Response(200, content=sherlock_body(130)))
    run_list("maigret", tmp_path, httpx.Response(200, content=maigret_body(140)))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ATTRIBUTION.md",
        "maigret-NOTICE.md",
        "maigret-data.json",
        "sherlock-NOTICE.md",
        "sherlock-data.json",
        "wmn-data.json",
    ]
    counts = {name: installed_list(name, tmp_path) for name in LIST_NAMES}
    assert {name: len(c.sites) for name, c in counts.items() if c} == {
        "wmn": 120,
        "sherlock": 130,
        "maigret": 140,
    }


def test_list_names_for_the_list_flag() -> None:
    assert list_names("all") == ("wmn", "sherlock", "maigret") == LIST_NAMES
    assert list_names("maigret") == ("maigret",)
    with pytest.raises(InputError, match=r"unknown site list 'blackbird' \(one of: wmn, "):
        list_names("blackbird")


def test_the_real_sherlock_and_maigret_files_are_accepted(tmp_path: Path) -> None:
    for name, relative, count in (
        ("sherlock", "sherlock/data.json", 481),
        ("maigret", "maigret/data.json", 3198),
    ):
        body = shared_file(relative).read_bytes()
        result, _ = run_list(name, tmp_path, httpx.Response(200, content=body))
        assert (result.sites, result.previous) == (count, None)
        assert (tmp_path / f"{name}-data.json").read_bytes() == body
