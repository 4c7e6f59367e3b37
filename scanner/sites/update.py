"""`sites update`: fetch the community WhatsMyName site list, keep the last good copy.

Source: WMN_URL (WebBreacher/WhatsMyName `wmn-data.json`, about 260 KB, CC BY-SA 4.0), one
GET through the shared Http (its 5 MB size cap applies). The download is kept byte for byte
as `wmn-data.json` in the user data dir (`sites_dir()`), with an `ATTRIBUTION.md` next to
it naming the source, the date fetched, the authors and the licence, as CC BY-SA requires.

A download replaces the previous copy only when it is a whole, plausible list: status 200,
JSON, a top level parse_catalogue accepts, licence text naming Creative Commons
Attribution-ShareAlike, at least MIN_SITES loadable sites, and not fewer than half of the
previous copy's sites (a truncated or emptied upstream file must not replace a good one).
Otherwise UpdateRefused (a SourceUnavailable) or Blocked is raised with one line, and the
previous files are left as they were. Both files are written to temporary files in the
same folder and moved into place with os.replace (mode 0600, folder 0700).
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

from scanner.errors import Blocked, InputError, SourceUnavailable
from scanner.http import Http
from scanner.paths import data_dir
from scanner.sites.catalogue import Catalogue, load_catalogue, parse_catalogue

WMN_URL = "https://raw.githubusercontent.com/WebBreacher/WhatsMyName/main/wmn-data.json"
WMN_REPO = "https://github.com/WebBreacher/WhatsMyName"
LICENCE_NAME = "Creative Commons Attribution-ShareAlike 4.0 International (CC BY-SA 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"
LICENCE_MARK = "Creative Commons Attribution-ShareAlike"
DATA_FILE = "wmn-data.json"
ATTRIBUTION_FILE = "ATTRIBUTION.md"
MIN_SITES = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


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
    """The downloaded copy, or None when `sites update` has not been run.

    A copy that is present but unreadable raises InputError (one line naming the file).
    """
    path = (folder or sites_dir()) / DATA_FILE
    if not path.is_file():
        return None
    return load_catalogue(path)


async def update_sites(
    http: Http, folder: Path | None = None, *, now: datetime | None = None
) -> UpdateResult:
    """Download, validate and save the WhatsMyName list; the old copy survives any failure."""
    target = folder or sites_dir()
    response = await http.get(WMN_URL, headers={"Accept": "application/json"})
    status = response.status_code
    if status in (401, 403, 429):
        raise Blocked(f"WhatsMyName download refused (status {status}); previous copy kept")
    if status != 200:
        raise UpdateRefused(f"WhatsMyName download failed (status {status}); previous copy kept")
    body = response.content
    catalogue = _validate(body)
    previous = _previous_count(target)
    if previous is not None and len(catalogue.sites) * 2 < previous:
        raise UpdateRefused(
            f"WhatsMyName download has {len(catalogue.sites)} sites, fewer than half of the "
            f"{previous} in the current copy; previous copy kept"
        )
    fetched = now or datetime.now(UTC)
    path = _save(target, body, attribution(catalogue, fetched, hashlib.sha256(body).hexdigest()))
    was = "" if previous is None else f" (was {previous})"
    skipped = f", {len(catalogue.skipped)} entries skipped" if catalogue.skipped else ""
    message = f"{len(catalogue.sites)} sites from WhatsMyName{skipped}{was}, saved to {path}"
    return UpdateResult(path, len(catalogue.sites), len(catalogue.skipped), previous, message)


def _validate(body: bytes) -> Catalogue:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError
        raise UpdateRefused(
            f"WhatsMyName download is not valid JSON ({len(body)} bytes; truncated?); "
            "previous copy kept"
        ) from None
    try:
        catalogue = parse_catalogue(data, WMN_URL)
    except InputError as exc:
        raise UpdateRefused(f"WhatsMyName download unusable: {exc}; previous copy kept") from None
    if LICENCE_MARK.casefold() not in " ".join(" ".join(catalogue.license).split()).casefold():
        raise UpdateRefused("WhatsMyName download has no CC BY-SA licence text; previous copy kept")
    if len(catalogue.sites) < MIN_SITES:
        raise UpdateRefused(
            f"WhatsMyName download has only {len(catalogue.sites)} usable sites "
            f"(expected at least {MIN_SITES}); previous copy kept"
        )
    return catalogue


def _previous_count(folder: Path) -> int | None:
    try:
        previous = installed_catalogue(folder)
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


def _plain(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()[:200]


def _save(folder: Path, body: bytes, notice: str) -> Path:
    if folder == sites_dir():
        data_dir().mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        data_tmp = _write_temp(folder, body)
        try:
            notice_tmp = _write_temp(folder, notice.encode("utf-8"))
        except BaseException:
            _unlink(data_tmp)
            raise
        try:
            os.replace(data_tmp, folder / DATA_FILE)
        except BaseException:
            _unlink(data_tmp)
            _unlink(notice_tmp)
            raise
        try:
            os.replace(notice_tmp, folder / ATTRIBUTION_FILE)
        except BaseException:
            _unlink(notice_tmp)
            raise
    except OSError as exc:
        raise InputError(f"cannot save the site list in {folder}: {exc.strerror or exc}") from None
    return folder / DATA_FILE


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
