"""Client records inside an encrypted workspace (a Vault): consent, profile, scans, retention.

Everything lives in the Vault, so everything is encrypted; names on disk are random ids, never
a client's label, name or email:

    index                      JSON {label: id}, where labels map to ids
    c/<id>/record              JSON: id, label, created_at, consent, last_scan_at, profile,
                               scans, exports (the paths of decrypted copies written out)
    c/<id>/scans/<scan id>     the report.json text of one scan, as the CLI gave it

A label is what the counselor types ("Client A"): 1-64 printable characters, unique ignoring
case. Writes go record first, index last. The index is a cache of what the records say: each
record carries its own id and label, encrypted and authenticated by the vault key, so every
read of the index adopts a client folder it does not list (a crash between the two writes,
an index deleted, damaged or replaced by an older copy) from that folder's record, and writes
the mended index back. When a folder cannot be adopted (no record, a record that does not
decrypt, two records with one label) every index operation is refused with "the workspace is
damaged: …": a fresh index is never started beside client data it cannot account for.
The only plaintext that ever reaches the disk is what the counselor exports into a folder
they name, outside the workspace (`check_outside`); `note_exports` keeps those paths in the
client's record, so a purge can list the copies it cannot reach.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scanner.counsel.vault import Vault
from scanner.errors import InputError
from scanner.report.write import write_private
from scanner.text import printable

INDEX = "index"
RECORD_FORMAT = "exposure-audit/client/1"
MAX_LABEL = 64
DEFAULT_RETENTION_DAYS = 90
MAX_RETENTION_DAYS = 3650
ALL_SOURCES = "all"
_ID = re.compile(r"[a-z0-9_-]{1,64}")  # ids come from vault.new_id(); anything else is refused


# --- the records ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Consent:
    """Who recorded the client's consent, when, for which sources, kept for how long."""

    by: str  # the counselor's name
    at: datetime  # UTC
    sources: tuple[str, ...] = (ALL_SOURCES,)  # source names, or ("all",)
    retention_days: int = DEFAULT_RETENTION_DAYS
    note: str = ""

    def __post_init__(self) -> None:
        by = " ".join(self.by.split())
        if not by or not by.isprintable() or len(by) > 200:
            raise InputError("consent needs the counselor's name (printable, up to 200 chars)")
        sources = tuple(dict.fromkeys(s.strip().lower() for s in self.sources if s.strip()))
        if not sources:
            raise InputError("consent needs at least one source (or 'all')")
        if ALL_SOURCES in sources:
            sources = (ALL_SOURCES,)
        if not all(re.fullmatch(r"[a-z0-9_.-]{1,40}", s) for s in sources):
            raise InputError(f"consent sources must be source names: {', '.join(sources)}")
        days = self.retention_days
        if isinstance(days, bool) or not isinstance(days, int):
            raise InputError("retention must be a whole number of days")
        if not 1 <= days <= MAX_RETENTION_DAYS:
            raise InputError(f"retention must be 1-{MAX_RETENTION_DAYS} days, not {days}")
        if "\x00" in self.note or len(self.note) > 2000:
            raise InputError("consent note must be text of at most 2000 characters")
        object.__setattr__(self, "by", by)
        object.__setattr__(self, "at", _utc(self.at))
        object.__setattr__(self, "sources", sources)

    def covers(self, source: str) -> bool:
        return self.sources == (ALL_SOURCES,) or source.strip().lower() in self.sources


@dataclass(frozen=True)
class ScanEntry:
    id: str
    at: datetime


@dataclass(frozen=True)
class ClientRecord:
    id: str  # random, from the vault; the folder name c/<id>
    label: str
    created_at: datetime
    consent: Consent | None
    last_scan_at: datetime | None = None
    profile: Mapping[str, Any] | None = None
    scans: tuple[ScanEntry, ...] = field(default=())
    exports: tuple[str, ...] = field(default=())  # absolute paths of decrypted copies

    @property
    def scan_ids(self) -> list[str]:
        return [scan.id for scan in self.scans]


# --- public functions -----------------------------------------------------------------------


def check_label(label: str) -> str:
    """The label as stored: NFC, trimmed; InputError if empty, too long or unprintable."""
    clean = unicodedata.normalize("NFC", label).strip()
    if not clean:
        raise InputError("a client label cannot be empty")
    if len(clean) > MAX_LABEL:
        raise InputError(f"a client label is at most {MAX_LABEL} characters")
    if not clean.isprintable():
        raise InputError(f"client label {printable(clean)!r} has control characters")
    return clean


def add_client(vault: Vault, label: str, consent: Consent, now: datetime) -> ClientRecord:
    """Record a new client with their consent. Refuses a label already used (any case)."""
    label = check_label(label)
    index = _read_index(vault)
    taken = _find(index, label)
    if taken is not None:
        raise InputError(f"there is already a client {taken!r} in this workspace")
    record = ClientRecord(id=vault.new_id(), label=label, created_at=_utc(now), consent=consent)
    _check_id(record.id)
    _write_record(vault, record)
    index[label] = record.id
    _write_index(vault, index)
    return record


def get_client(vault: Vault, label: str) -> ClientRecord:
    index = _read_index(vault)
    key = _find(index, label)
    if key is None:
        wanted = unicodedata.normalize("NFC", label).strip()
        folded = {name.casefold(): name for name in index}
        close = difflib.get_close_matches(wanted.casefold(), list(folded), n=1)
        hint = f" (did you mean {folded[close[0]]!r}?)" if close else ""
        raise InputError(f"no client {printable(wanted)!r} in this workspace{hint}")
    return _read_record(vault, key, index[key])


def list_clients(vault: Vault) -> list[ClientRecord]:
    index = _read_index(vault)
    return [_read_record(vault, key, index[key]) for key in sorted(index, key=str.casefold)]


def set_profile(vault: Vault, label: str, profile: Mapping[str, Any]) -> ClientRecord:
    """Store the client's profile (a JSON-able dict from the CLI) and return the new record."""
    record = get_client(vault, label)
    try:
        stored = json.loads(json.dumps(dict(profile), ensure_ascii=False))
    except (TypeError, ValueError) as exc:
        raise InputError(f"the profile cannot be stored: {exc}") from None
    updated = replace(record, profile=stored)
    _write_record(vault, updated)
    return updated


def require_consent(record: ClientRecord, sources: Sequence[str]) -> None:
    """InputError unless the record's consent covers every requested source."""
    consent = record.consent
    if consent is None:
        raise InputError(f"no consent recorded for {record.label!r}: record it before scanning")
    outside = [s for s in dict.fromkeys(sources) if not consent.covers(s)]
    if outside:
        raise InputError(
            f"consent for {record.label!r} covers only {', '.join(consent.sources)}; "
            f"not {', '.join(printable(s) for s in outside)}"
        )


def save_scan(vault: Vault, label: str, report_json: str, at: datetime) -> str:
    """Keep one scan's report.json text; returns the scan id. Needs a consent record."""
    record = get_client(vault, label)
    if record.consent is None:
        raise InputError(f"no consent recorded for {record.label!r}: record it before scanning")
    scan_id = vault.new_id()
    _check_id(scan_id)
    at = _utc(at)
    vault.write(_scan_path(record.id, scan_id), report_json.encode("utf-8"))
    scans = tuple(sorted((*record.scans, ScanEntry(scan_id, at)), key=lambda s: s.at))
    last = at if record.last_scan_at is None else max(at, record.last_scan_at)
    _write_record(vault, replace(record, scans=scans, last_scan_at=last))
    return scan_id


def scans(vault: Vault, label: str) -> list[tuple[str, datetime, str]]:
    """(scan id, when, report.json text) for each kept scan, oldest first."""
    record = get_client(vault, label)
    return [
        (s.id, s.at, vault.read(_scan_path(record.id, s.id)).decode("utf-8"))
        for s in sorted(record.scans, key=lambda s: s.at)
    ]


def expired(vault: Vault, now: datetime) -> list[ClientRecord]:
    """Clients kept past their retention: more than retention_days since the last scan (or,
    never scanned, since consent was given)."""
    now = _utc(now)
    return [record for record in list_clients(vault) if _is_expired(record, now)]


def due_for_rescan(vault: Vault, now: datetime, interval_days: int) -> list[ClientRecord]:
    """Clients with consent and a profile whose last scan is at least interval_days old (or
    who were never scanned). Expired clients are left out: they are due for purging, and a
    rescan would silently extend how long their data is kept."""
    if interval_days < 1:
        raise InputError("the rescan interval must be at least 1 day")
    now = _utc(now)
    due = []
    for record in list_clients(vault):
        if record.consent is None or not record.profile or _is_expired(record, now):
            continue
        if record.last_scan_at is None or now - record.last_scan_at >= timedelta(interval_days):
            due.append(record)
    return due


def purge_client(vault: Vault, label: str) -> int:
    """Shred every file of that client, then drop it from the index; returns files removed.

    Works from the client's folder listing, not its record, so files a crash left behind go
    too, and it finishes a purge that was interrupted (even with the record already gone).
    """
    index = _read_index(vault)
    key = _find(index, label)
    if key is None:
        get_client(vault, label)  # raises the did-you-mean error
        raise AssertionError("unreachable")
    client_id = index[key]
    _check_id(client_id)
    files = vault.list(_client_prefix(client_id))
    record_path = _record_path(client_id)
    for relpath in sorted(files, key=lambda p: p == record_path):  # the record last
        vault.shred(relpath)
    del index[key]
    _write_index(vault, index)
    return len(files)


def purge_all(vault: Vault) -> None:
    """The panic button: shred everything in the workspace."""
    vault.shred_all()


def export_client(vault: Vault, label: str, folder: Path) -> list[Path]:
    """Write the decrypted record and every scan as plain 0600 files into a new folder.

    This is the only plaintext that ever lands on disk, so the folder must be new (or empty)
    and is created 0700. File names carry no client name: client.json, scan-<time>-<id>.json.
    """
    record = get_client(vault, label)
    kept = scans(vault, label)  # read everything before anything is written
    check_outside(vault, folder)
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise InputError(f"cannot export into {folder}: it is not a folder")
    if folder.exists() and any(folder.iterdir()):
        raise InputError(f"cannot export into {folder}: it is not empty; name a new folder")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    written = [folder / "client.json"]
    write_private(written[0], json.dumps(_record_dict(record), indent=2, ensure_ascii=False))
    for scan_id, at, text in kept:
        path = folder / f"scan-{at.strftime('%Y%m%dT%H%M%SZ')}-{scan_id}.json"
        write_private(path, text)
        written.append(path)
    note_exports(vault, record.label, written)
    return written


def check_outside(vault: Vault, folder: Path) -> None:
    """InputError when `folder` is the workspace or inside it (symlinks resolved): decrypted
    copies must never sit among the encrypted files, where a purge would take them for its own
    and a reader of the folder would find them in plain text."""
    inside = vault.folder.resolve()
    target = folder.expanduser().resolve()
    if target == inside or inside in target.parents:
        raise InputError(f"cannot write into {folder}: it is inside the encrypted workspace")


def note_exports(vault: Vault, label: str, paths: Sequence[Path]) -> None:
    """Remember, in the client's encrypted record, where decrypted copies were written (the
    absolute paths only), so a purge can list the copies it cannot reach."""
    record = get_client(vault, label)
    added = [str(path.expanduser().resolve()) for path in paths]
    exports = tuple(dict.fromkeys((*record.exports, *added)))
    _write_record(vault, replace(record, exports=exports))


def exported_copies(records: Sequence[ClientRecord]) -> list[Path]:
    """The exported copies of these clients that are still where they were written."""
    found = [Path(path) for record in records for path in record.exports]
    return [path for path in dict.fromkeys(found) if path.is_file()]


# --- storage --------------------------------------------------------------------------------


def _client_prefix(client_id: str) -> str:
    return f"c/{client_id}/"


def _record_path(client_id: str) -> str:
    return f"c/{client_id}/record"


def _scan_path(client_id: str, scan_id: str) -> str:
    return f"c/{client_id}/scans/{scan_id}"


def _check_id(value: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise InputError("the workspace holds a malformed id; it may be damaged")
    return value


def _find(index: Mapping[str, str], label: str) -> str | None:
    """The stored label equal to `label` ignoring case, or None."""
    wanted = unicodedata.normalize("NFC", label).strip().casefold()
    return next((key for key in index if key.casefold() == wanted), None)


def _read_index(vault: Vault) -> dict[str, str]:
    """The client index, with every client folder it does not list adopted from the folder's
    own record (and written back when that changed). A missing or damaged index is rebuilt
    that way; InputError "the workspace is damaged: …" when a folder cannot be adopted."""
    stored = _stored_index(vault)
    index = {} if stored is None else stored
    listed = set(index.values())
    adopted = False
    for client_id in _client_ids(vault):
        if client_id in listed:
            continue
        label = _label_of(vault, client_id)
        taken = _find(index, label)
        if taken is not None:
            raise InputError(
                f"the workspace is damaged: two client records are labelled {printable(label)!r}"
            )
        index[label] = client_id
        adopted = True
    if adopted:
        _write_index(vault, index)
    return index


def _stored_index(vault: Vault) -> dict[str, str] | None:
    """The index file as stored; None when it is missing or damaged (then it is rebuilt)."""
    if not vault.exists(INDEX):
        return None
    try:
        data = _load_json(vault.read(INDEX), "the client index")
    except InputError:
        return None
    if not isinstance(data, dict):
        return None
    index: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str) or not isinstance(value, str) or not _ID.fullmatch(value):
            return None
        index[key] = value
    return index


def _client_ids(vault: Vault) -> list[str]:
    """The id of every client folder that holds a file, from the workspace's listing."""
    ids = {relpath.split("/")[1] for relpath in vault.list("c/") if relpath.count("/") >= 2}
    return sorted(_check_id(client_id) for client_id in ids)


def _label_of(vault: Vault, client_id: str) -> str:
    """The label a client folder's own record gives; InputError "the workspace is damaged"
    when it has none or it cannot be read."""
    path = _record_path(client_id)
    if not vault.exists(path):
        raise InputError(f"the workspace is damaged: client folder c/{client_id}/ has no record")
    try:
        data = _load_json(vault.read(path), f"the record in c/{client_id}/")
        return check_label(_record_from(data, client_id).label)
    except InputError as exc:
        raise InputError(f"the workspace is damaged: {exc}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"the workspace is damaged: the record in c/{client_id}/ is malformed ({exc})"
        ) from None


def _write_index(vault: Vault, index: Mapping[str, str]) -> None:
    text = json.dumps(dict(sorted(index.items())), ensure_ascii=False)
    vault.write(INDEX, text.encode("utf-8"))


def _write_record(vault: Vault, record: ClientRecord) -> None:
    text = json.dumps(_record_dict(record), ensure_ascii=False)
    vault.write(_record_path(record.id), text.encode("utf-8"))


def _read_record(vault: Vault, label: str, client_id: str) -> ClientRecord:
    path = _record_path(client_id)
    if not vault.exists(path):
        raise InputError(f"the record of {label!r} is missing; purge it to finish removing it")
    data = _load_json(vault.read(path), f"the record of {label!r}")
    try:
        return _record_from(data, client_id)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"the record of {label!r} is malformed ({exc})") from None


def _load_json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InputError(f"{what} in this workspace is not valid JSON") from None


def _record_dict(record: ClientRecord) -> dict[str, Any]:
    consent = record.consent
    return {
        "format": RECORD_FORMAT,
        "id": record.id,
        "label": record.label,
        "created_at": _iso(record.created_at),
        "consent": None
        if consent is None
        else {
            "by": consent.by,
            "at": _iso(consent.at),
            "sources": list(consent.sources),
            "retention_days": consent.retention_days,
            "note": consent.note,
        },
        "last_scan_at": None if record.last_scan_at is None else _iso(record.last_scan_at),
        "profile": None if record.profile is None else dict(record.profile),
        "scans": [{"id": s.id, "at": _iso(s.at)} for s in record.scans],
        "exports": list(record.exports),
    }


def _record_from(data: Any, client_id: str) -> ClientRecord:
    if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT:
        raise ValueError("unknown format")
    if data["id"] != client_id:
        raise ValueError("the record belongs to another id")
    raw = data["consent"]
    consent = None
    if raw is not None:
        consent = Consent(
            by=str(raw["by"]),
            at=_parse(raw["at"]),
            sources=tuple(str(s) for s in raw["sources"]),
            retention_days=int(raw["retention_days"]),
            note=str(raw.get("note", "")),
        )
    profile = data.get("profile")
    if profile is not None and not isinstance(profile, dict):
        raise ValueError("the profile is not an object")
    last = data.get("last_scan_at")
    exports = data.get("exports", [])
    if not isinstance(exports, list) or not all(isinstance(p, str) for p in exports):
        raise ValueError("the exports are not a list of paths")
    return ClientRecord(
        id=client_id,
        label=str(data["label"]),
        created_at=_parse(data["created_at"]),
        consent=consent,
        last_scan_at=None if last is None else _parse(last),
        profile=profile,
        scans=tuple(ScanEntry(_check_id(s["id"]), _parse(s["at"])) for s in data["scans"]),
        exports=tuple(exports),
    )


def _is_expired(record: ClientRecord, now: datetime) -> bool:
    since = record.last_scan_at or (record.consent.at if record.consent else record.created_at)
    days = record.consent.retention_days if record.consent else DEFAULT_RETENTION_DAYS
    return now - since > timedelta(days=days)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a naive datetime: pass an aware one (UTC)")
    return moment.astimezone(UTC)


def _iso(moment: datetime) -> str:
    return _utc(moment).isoformat().replace("+00:00", "Z")


def _parse(text: Any) -> datetime:
    if not isinstance(text, str):
        raise TypeError("a time is not text")
    return _utc(datetime.fromisoformat(text))
