"""`sites update`: fetch the community site lists, keep the last good copy of each.

Sources (LISTS): WhatsMyName's `wmn-data.json` (about 260 KB, CC BY-SA 4.0), Sherlock's
and Maigret's `data.json` (about 100 KB and 1.4 MB, MIT), one GET each through the shared
Http (its size cap applies). A download is kept byte for byte in the user data dir
(`sites_dir()`: `wmn-data.json`, `sherlock-data.json`, `maigret-data.json`) with its
notice beside it: `ATTRIBUTION.md` for WhatsMyName (source, date fetched, authors,
licence, as CC BY-SA requires), `<list>-NOTICE.md` with the MIT licence text for the
others. scanner/sites/lists.py prefers an installed copy to the bundled snapshot.

A download replaces the previous copy only when it is a whole, plausible list: status 200,
JSON, a top level its reader accepts (parse_catalogue, formats.read_sherlock or
read_maigret), for WhatsMyName licence text naming Creative Commons Attribution-ShareAlike,
at least MIN_SITES loadable sites, and not fewer than half of the previous copy's sites (a
truncated or emptied upstream file must not replace a good one). Otherwise UpdateRefused
(a SourceUnavailable) or Blocked is raised with one line, and the previous files are left
as they were. Both files are written to temporary files in the same folder and moved into
place with os.replace (mode 0600, folder 0700).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner.errors import Blocked, InputError, SourceUnavailable
from scanner.http import Http
from scanner.paths import data_dir
from scanner.sites.catalogue import MAX_FILE_BYTES, Catalogue, load_catalogue, parse_catalogue
from scanner.sites.formats import read_maigret, read_sherlock
from scanner.userfiles import read_user_file

WMN_URL = "https://raw.githubusercontent.com/WebBreacher/WhatsMyName/main/wmn-data.json"
WMN_REPO = "https://github.com/WebBreacher/WhatsMyName"
LICENCE_NAME = "Creative Commons Attribution-ShareAlike 4.0 International (CC BY-SA 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"
LICENCE_MARK = "Creative Commons Attribution-ShareAlike"
DATA_FILE = "wmn-data.json"
ATTRIBUTION_FILE = "ATTRIBUTION.md"
SHERLOCK_URL = (
    "https://raw.githubusercontent.com/sherlock-project/sherlock/master/"
    "sherlock_project/resources/data.json"
)
MAIGRET_URL = "https://raw.githubusercontent.com/soxoj/maigret/main/maigret/resources/data.json"
MIT_URL = "https://opensource.org/license/mit"
BUNDLED = Path(__file__).with_name("lists")  # the snapshots and their licence files
MIN_SITES = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class ListSource:
    """Where a community list comes from, where its copy is kept, and its licence."""

    name: str  # "wmn", "sherlock", "maigret"
    title: str
    url: str
    repo: str
    data_file: str  # in sites_dir()
    notice_file: str  # beside it
    licence: str
    licence_url: str


LISTS: dict[str, ListSource] = {
    "wmn": ListSource(
        "wmn", "WhatsMyName", WMN_URL, WMN_REPO, DATA_FILE, ATTRIBUTION_FILE,
        "CC BY-SA 4.0", LICENCE_URL,
    ),
    "sherlock": ListSource(
        "sherlock", "Sherlock", SHERLOCK_URL, "https://github.com/sherlock-project/sherlock",
        "sherlock-data.json", "sherlock-NOTICE.md", "MIT", MIT_URL,
    ),
    "maigret": ListSource(
        "maigret", "Maigret", MAIGRET_URL, "https://github.com/soxoj/maigret",
        "maigret-data.json", "maigret-NOTICE.md", "MIT", MIT_URL,
    ),
}  # fmt: skip
LIST_NAMES = tuple(LISTS)


def list_names(choice: str) -> tuple[str, ...]:
    """The lists a `--list` value names: one of LIST_NAMES, or "all". InputError otherwise."""
    if choice == "all":
        return LIST_NAMES
    if choice not in LISTS:
        raise InputError(f"unknown site list {choice!r} (one of: {', '.join(LIST_NAMES)}, all)")
    return (choice,)


class UpdateRefused(SourceUnavailable):
    """The download was unusable; the previous copy was kept."""


@dataclass(frozen=True)
class UpdateResult:
    path: Path  # the saved wmn-data.json
    sites: int  # loadable sites in the new copy
    skipped: int  # entries the loader refused
    previous: int | None  # loadable sites in the copy it replaced, None when there was none
    message: str  # one line for the user


def sites_dir() -> Path:
    """Where the downloaded site list lives: <user data dir>/sites."""
    return data_dir() / "sites"


def installed_catalogue(folder: Path | None = None) -> Catalogue | None:
    """The downloaded WhatsMyName copy, or None when `sites update` has not been run.

    A copy that is present but unreadable raises InputError (one line naming the file).
    """
    return installed_list("wmn", folder)


def installed_list(name: str, folder: Path | None = None) -> Catalogue | None:
    """The downloaded copy of list `name`, or None when there is none; InputError when it
    is present but unreadable."""
    path = (folder or sites_dir()) / LISTS[name].data_file
    if not path.is_file():
        return None
    if name == "wmn":
        return load_catalogue(path)
    raw = read_user_file(path, "site list", max_bytes=MAX_FILE_BYTES)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise InputError(f"site list {path} is not valid JSON") from None
    return _read(name, data, str(path))


def _read(name: str, data: Any, origin: str) -> Catalogue:
    if name == "sherlock":
        return read_sherlock(data, origin)
    if name == "maigret":
        return read_maigret(data, origin)
    return parse_catalogue(data, origin)


async def update_sites(
    http: Http, folder: Path | None = None, *, now: datetime | None = None
) -> UpdateResult:
    """Download, validate and save the WhatsMyName list; the old copy survives any failure."""
    return await update_list(http, "wmn", folder, now=now)


async def update_list(
    http: Http, name: str, folder: Path | None = None, *, now: datetime | None = None
) -> UpdateResult:
    """Download, validate and save list `name` (LIST_NAMES); the old copy survives any
    failure (UpdateRefused or Blocked, one line)."""
    source = LISTS[name]
    target = folder or sites_dir()
    response = await http.get(source.url, headers={"Accept": "application/json"})
    status = response.status_code
    if status in (401, 403, 429):
        raise Blocked(f"{source.title} download refused (status {status}); previous copy kept")
    if status != 200:
        raise UpdateRefused(f"{source.title} download failed (status {status}); previous copy kept")
    body = response.content
    catalogue = _validate(source, body)
    previous = _previous_count(name, target)
    if previous is not None and len(catalogue.sites) * 2 < previous:
        raise UpdateRefused(
            f"{source.title} download has {len(catalogue.sites)} sites, fewer than half of the "
            f"{previous} in the current copy; previous copy kept"
        )
    fetched = now or datetime.now(UTC)
    sha256 = hashlib.sha256(body).hexdigest()
    if name == "wmn":
        text = attribution(catalogue, fetched, sha256)
    else:
        text = notice(source, fetched, sha256)
    path = _save(target, source, body, text)
    was = "" if previous is None else f" (was {previous})"
    skipped = f", {len(catalogue.skipped)} entries skipped" if catalogue.skipped else ""
    message = f"{len(catalogue.sites)} sites from {source.title}{skipped}{was}, saved to {path}"
    return UpdateResult(path, len(catalogue.sites), len(catalogue.skipped), previous, message)


def _validate(source: ListSource, body: bytes) -> Catalogue:
    title = source.title
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError
        raise UpdateRefused(
            f"{title} download is not valid JSON ({len(body)} bytes; truncated?); "
            "previous copy kept"
        ) from None
    try:
        catalogue = _read(source.name, data, source.url)
    except InputError as exc:
        raise UpdateRefused(f"{title} download unusable: {exc}; previous copy kept") from None
    licence = " ".join(" ".join(catalogue.license).split()).casefold()
    if source.name == "wmn" and LICENCE_MARK.casefold() not in licence:
        raise UpdateRefused("WhatsMyName download has no CC BY-SA licence text; previous copy kept")
    if len(catalogue.sites) < MIN_SITES:
        raise UpdateRefused(
            f"{title} download has only {len(catalogue.sites)} usable sites "
            f"(expected at least {MIN_SITES}); previous copy kept"
        )
    return catalogue


def _previous_count(name: str, folder: Path) -> int | None:
    try:
        previous = installed_list(name, folder)
    except InputError:  # an unreadable copy is nothing worth keeping
        return None
    return None if previous is None else len(previous.sites)


def attribution(catalogue: Catalogue, fetched: datetime, sha256: str) -> str:
    """ATTRIBUTION.md for the downloaded copy (CC BY-SA 4.0 section 3(a))."""
    authors = [_plain(a) for a in catalogue.authors if _plain(a)]
    lines = [
        "# WhatsMyName site list: attribution",
        "",
        f"`{DATA_FILE}` in this folder is WhatsMyName by Micah Hoffman and contributors",
        f"({WMN_REPO}).",
        "",
        f"- Source: {WMN_URL}",
        f"- Fetched: {fetched.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%S UTC')}",
        f"- SHA-256: {sha256}",
        f"- Licence: {LICENCE_NAME}, {LICENCE_URL}",
        "- Modifications: none. The file is stored exactly as downloaded (unmodified);",
        "  exposure-audit reads it without changing it.",
        "",
        "## Authors",
        "",
        *([f"- {a}" for a in authors] or ["- (the file lists no authors)"]),
        "",
        "## Licence notice, as given in the file",
        "",
        *[f"> {_plain(line)}" for line in catalogue.license],
        "",
    ]
    return "\n".join(lines)


def notice(source: ListSource, fetched: datetime, sha256: str) -> str:
    """The notice beside a downloaded MIT-licensed list: source, date, and the licence
    text (the bundled copy of the project's LICENSE file)."""
    licence = (BUNDLED / f"{source.name}.LICENSE").read_text(encoding="utf-8").strip()
    lines = [
        f"# {source.title} site list: licence notice",
        "",
        f"`{source.data_file}` in this folder is the {source.title} site list ({source.repo}).",
        "",
        f"- Source: {source.url}",
        f"- Fetched: {fetched.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%S UTC')}",
        f"- SHA-256: {sha256}",
        f"- Licence: {source.licence}, {source.licence_url}",
        "- Modifications: none. The file is stored exactly as downloaded (unmodified).",
        "",
        "## Licence",
        "",
        "```",
        licence,
        "```",
        "",
    ]
    return "\n".join(lines)


def _plain(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()[:200]


def _save(folder: Path, source: ListSource, body: bytes, text: str) -> Path:
    if folder == sites_dir():
        data_dir().mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        data_tmp = _write_temp(folder, body)
        try:
            notice_tmp = _write_temp(folder, text.encode("utf-8"))
        except BaseException:
            _unlink(data_tmp)
            raise
        try:
            os.replace(data_tmp, folder / source.data_file)
        except BaseException:
            _unlink(data_tmp)
            _unlink(notice_tmp)
            raise
        try:
            os.replace(notice_tmp, folder / source.notice_file)
        except BaseException:
            _unlink(notice_tmp)
            raise
    except OSError as exc:
        raise InputError(f"cannot save the site list in {folder}: {exc.strerror or exc}") from None
    return folder / source.data_file


def _write_temp(folder: Path, content: bytes) -> Path:
    """A new file (mode 0600, mkstemp's) in `folder` holding `content`, flushed to disk."""
    fd, name = tempfile.mkstemp(dir=folder, prefix=".sites-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        _unlink(Path(name))
        raise
    return Path(name)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
