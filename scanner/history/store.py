"""The scan history: one SQLite file in the user's data dir, readable only by the user.

Durability and crash safety
- WAL journal: a reader never blocks the writer, and a write that dies half-way (Ctrl-C,
  SIGKILL, power loss) leaves only uncommitted frames in the -wal file, which the next
  open ignores. The -wal and -shm files get the database file's 0600 mode from SQLite.
- ``synchronous=FULL``: in WAL mode NORMAL already keeps the file consistent after a crash
  or power loss, but the last committed transactions may roll back after a power loss.
  FULL makes every COMMIT durable before it returns, so "scan saved" is true even then.
  We commit a handful of times per scan (start, one checkpoint per source, finish), so the
  extra fsync per commit costs nothing a user would notice.
- Every write is one explicit ``BEGIN IMMEDIATE`` … ``COMMIT``; any exception (including
  KeyboardInterrupt) rolls it back. ``finish_scan`` writes a scan's findings, its risk, its
  report and drops its checkpoints in ONE transaction: a scan is either complete with all
  its findings or still running with none.
- A busy timeout lets two processes (a timer's rescan and a manual ``history``) share the
  file: the second waits for the first's short write instead of failing.

Schema versioning: ``MIGRATIONS`` is an ordered tuple of (name, sql). The names applied are
recorded in ``schema_migrations``; opening applies the missing ones in order, each in its own
transaction. A name we do not know means a newer exposure-audit wrote the file: refused.

Subjects are labels (a profile file's stem, or "default"); finding ids are the stable
fingerprints from ``correlate.fingerprint``. Datetimes must be timezone-aware; they are
stored as UTC ISO-8601 with microseconds, so text order is time order.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from scanner import paths
from scanner.errors import InputError
from scanner.history.records import FindingRecord, Mark, MarkState, ScanRecord, ScanStatus
from scanner.models import Finding, ScanResult

FILENAME = "history.sqlite3"
BUSY_TIMEOUT_MS = 10_000
MIN_PREFIX = 6
_HEX_PREFIX = re.compile(r"^[0-9a-f]+$")

# Ordered, named migrations. Append only: never edit or reorder one that has shipped.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "0001_initial",
        """
        CREATE TABLE subjects (
            id INTEGER PRIMARY KEY,
            label TEXT NOT NULL UNIQUE
        );
        CREATE TABLE scans (
            id INTEGER PRIMARY KEY AUTOINCREMENT,  -- a discarded scan's id is never reused
            subject INTEGER NOT NULL REFERENCES subjects(id),
            started TEXT NOT NULL,
            finished TEXT,
            status TEXT NOT NULL CHECK (status IN ('running', 'complete')),
            risk_score INTEGER NOT NULL DEFAULT 0,
            risk_level TEXT NOT NULL DEFAULT '',
            report_json TEXT,  -- the full report.json of the scan, to rebuild a report
            CHECK ((status = 'complete') = (finished IS NOT NULL AND report_json IS NOT NULL))
        );
        CREATE TABLE findings (
            scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
            finding_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            severity TEXT NOT NULL,
            score INTEGER NOT NULL,
            sources TEXT NOT NULL,  -- JSON array of source names
            urls TEXT NOT NULL,  -- JSON array of the URLs where it was seen
            PRIMARY KEY (scan_id, finding_id)
        );
        CREATE TABLE marks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,  -- every mark is a row: history is kept
            subject INTEGER NOT NULL REFERENCES subjects(id),
            finding_id TEXT NOT NULL,
            state TEXT NOT NULL
                CHECK (state IN ('requested', 'done', 'not_me', 'could_not_remove')),
            at TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE checkpoints (
            scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            run_json TEXT NOT NULL,
            result_json TEXT NOT NULL,
            PRIMARY KEY (scan_id, source)
        );
        """,
    ),
    (
        "0002_lookup_indexes",
        """
        CREATE INDEX scans_by_subject ON scans(subject, status, started);
        CREATE INDEX findings_by_id ON findings(finding_id);
        CREATE INDEX marks_by_finding ON marks(subject, finding_id, at);
        """,
    ),
    (
        "0003_unchecked_sources",
        """
        -- JSON array of the sources that could not check in the scan: what they showed
        -- before is "not checked this time", never "gone"
        ALTER TABLE scans ADD COLUMN unchecked TEXT NOT NULL DEFAULT '[]';
        """,
    ),
)

_BOOTSTRAP = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    name TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
)
"""

_SCAN_COLUMNS = """
    scans.id, subjects.label, scans.started, scans.finished, scans.status,
    scans.risk_score, scans.risk_level, scans.unchecked
"""
_FINDING_COLUMNS = "scan_id, finding_id, kind, value, severity, score, sources, urls"
_INSERT_FINDING = (
    "INSERT INTO findings (scan_id, finding_id, kind, value, severity, score, sources, urls)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
# Where SQL text is put together below, only this module's own constant clauses and "?"
# placeholders go in: every value is bound (hence the S608 exemptions).


def default_path() -> Path:
    return paths.data_dir() / FILENAME


class HistoryStore:
    """The history database. Use as a context manager; one connection per instance."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else default_path()
        _create_private(self.path)
        self._conn = _connect(self.path)
        try:
            self._migrate()
        except BaseException:
            self._conn.close()
            raise

    # --- lifecycle -------------------------------------------------------------------

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: BEGIN IMMEDIATE … COMMIT, rolled back on any exception."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: the queries inside see one snapshot (WAL), even while a
        writer commits in between. Nested uses join the outer one."""
        conn = self._conn
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def _migrate(self) -> None:
        with self._write() as conn:
            conn.execute(_BOOTSTRAP)
        known = {name for name, _ in MIGRATIONS}
        applied = self._applied()
        if applied - known:
            raise InputError("history database was written by a newer exposure-audit")
        for name, sql in MIGRATIONS:
            if name in applied:
                continue
            with self._write() as conn:
                # read again inside the lock: another process may have just applied it
                done = conn.execute("SELECT 1 FROM schema_migrations WHERE name = ?", (name,))
                if done.fetchone() is not None:
                    continue
                for statement in _statements(sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                    (name, _iso(datetime.now(UTC))),
                )

    def _applied(self) -> set[str]:
        rows = self._conn.execute("SELECT name FROM schema_migrations")
        return {str(row[0]) for row in rows}

    # --- scans -----------------------------------------------------------------------

    def start_scan(self, subject: str, started: datetime) -> int:
        """Record a scan as running; returns its id."""
        with self._write() as conn:
            subject_id = _subject_id(conn, subject)
            cursor = conn.execute(
                "INSERT INTO scans (subject, started, status) VALUES (?, ?, ?)",
                (subject_id, _iso(started), ScanStatus.RUNNING.value),
            )
            scan_id = cursor.lastrowid
        assert scan_id is not None
        return scan_id

    def checkpoint(self, scan_id: int, source: str, run_json: str, result_json: str) -> None:
        """Save one finished source of a running scan (the caller serialises), for resume."""
        with self._write() as conn:
            self._require_running(conn, scan_id, "checkpoint")
            conn.execute(
                "INSERT INTO checkpoints (scan_id, source, run_json, result_json)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (scan_id, source) DO UPDATE SET"
                " run_json = excluded.run_json, result_json = excluded.result_json",
                (scan_id, source, run_json, result_json),
            )

    def checkpoints(self, scan_id: int) -> dict[str, tuple[str, str]]:
        """Source name -> (run_json, result_json), in the order they were saved."""
        self._status(self._conn, scan_id)
        rows = self._conn.execute(
            "SELECT source, run_json, result_json FROM checkpoints WHERE scan_id = ?"
            " ORDER BY rowid",
            (scan_id,),
        )
        return {str(source): (str(run), str(res)) for source, run, res in rows}

    def finish_scan(self, scan_id: int, result: ScanResult, report_json: str) -> None:
        """Store the scan's findings, risk and report and mark it complete: ONE transaction.

        A finding id seen twice in `result.findings` is stored once (the first: same id,
        same fact). The scan's checkpoints are deleted in the same transaction.
        """
        with self._write() as conn:
            self._require_running(conn, scan_id, "finish")
            conn.executemany(
                _INSERT_FINDING,
                (_finding_row(scan_id, finding) for finding in _unique_ids(result.findings)),
            )
            conn.execute(
                "UPDATE scans SET finished = ?, status = ?, risk_score = ?, risk_level = ?,"
                " report_json = ?, unchecked = ? WHERE id = ?",
                (
                    _iso(result.finished),
                    ScanStatus.COMPLETE.value,
                    result.risk.score,
                    result.risk.level.value,
                    report_json,
                    json.dumps(sorted(unchecked_sources(result))),
                    scan_id,
                ),
            )
            conn.execute("DELETE FROM checkpoints WHERE scan_id = ?", (scan_id,))

    def interrupted(self, subject: str | None = None) -> list[ScanRecord]:
        """Scans still marked running (oldest first): interrupted, unless one is under way."""
        where = "scans.status = ?"
        params: list[object] = [ScanStatus.RUNNING.value]
        if subject is not None:
            where += " AND subjects.label = ?"
            params.append(subject)
        return self._records(where, params)

    def discard(self, scan_id: int) -> None:
        """Forget an interrupted scan and its checkpoints (to start clean).

        Only a running scan can be discarded: complete history is never removed here.
        """
        with self._write() as conn:
            self._require_running(conn, scan_id, "discard")
            conn.execute("DELETE FROM checkpoints WHERE scan_id = ?", (scan_id,))
            conn.execute("DELETE FROM findings WHERE scan_id = ?", (scan_id,))
            conn.execute("DELETE FROM scans WHERE id = ?", (scan_id,))

    def scans(self, subject: str) -> list[ScanRecord]:
        """The subject's complete scans, oldest first, with their findings."""
        return self._records(
            "subjects.label = ? AND scans.status = ?", [subject, ScanStatus.COMPLETE.value]
        )

    def scan(self, scan_id: int) -> ScanRecord:
        """One scan (running or complete) with its findings; InputError when there is none."""
        records = self._records("scans.id = ?", [scan_id])
        if not records:
            raise InputError(f"no scan {scan_id}")
        return records[0]

    def latest(self, subject: str, before: int | None = None) -> ScanRecord | None:
        """The subject's newest complete scan; with `before`, the newest one older than it."""
        where = "subjects.label = ? AND scans.status = ?"
        params: list[object] = [subject, ScanStatus.COMPLETE.value]
        with self._read() as conn:
            if before is not None:
                row = conn.execute("SELECT started FROM scans WHERE id = ?", (before,))
                found = row.fetchone()
                if found is None:
                    raise InputError(f"no scan {before}")
                where += " AND (scans.started < ? OR (scans.started = ? AND scans.id < ?))"
                params += [found[0], found[0], before]
            records = self._records(where, params, newest_first=True, limit=1)
        return records[0] if records else None

    def subjects(self) -> list[str]:
        """Every subject label the history knows (from scans or marks), sorted."""
        rows = self._conn.execute("SELECT label FROM subjects ORDER BY label")
        return [str(row[0]) for row in rows]

    def report_json(self, scan_id: int) -> str:
        """The report.json text saved with a complete scan."""
        row = self._conn.execute("SELECT report_json FROM scans WHERE id = ?", (scan_id,))
        found = row.fetchone()
        if found is None:
            raise InputError(f"no scan {scan_id}")
        if found[0] is None:
            raise InputError(f"scan {scan_id} did not finish: it has no report")
        return str(found[0])

    # --- marks -----------------------------------------------------------------------

    def set_mark(
        self, subject: str, finding_id: str, state: MarkState, at: datetime, note: str = ""
    ) -> None:
        """Add a mark; earlier marks are kept as history."""
        state = MarkState(state)
        with self._write() as conn:
            subject_id = _subject_id(conn, subject)
            conn.execute(
                "INSERT INTO marks (subject, finding_id, state, at, note) VALUES (?, ?, ?, ?, ?)",
                (subject_id, finding_id, state.value, _iso(at), note),
            )

    def marks(self, subject: str) -> dict[str, Mark]:
        """The latest mark (by date, then by order of entry) of each of a subject's findings."""
        latest: dict[str, Mark] = {}
        for mark in self._marks("subjects.label = ?", (subject,)):
            latest[mark.finding_id] = mark
        return latest

    def mark_history(self, subject: str, finding_id: str) -> list[Mark]:
        """Every mark of one finding, oldest first."""
        return self._marks("subjects.label = ? AND marks.finding_id = ?", (subject, finding_id))

    def resolve_finding(self, prefix: str) -> tuple[str, str]:
        """(subject, full finding id) for a unique prefix of at least 6 hex characters."""
        wanted = prefix.strip().lower()
        if len(wanted) < MIN_PREFIX or not _HEX_PREFIX.match(wanted):
            shown = wanted[:40]
            raise InputError(
                f"finding id {shown!r} must be at least {MIN_PREFIX} hex characters (0-9, a-f)"
            )
        rows = self._conn.execute(
            "SELECT DISTINCT subjects.label, findings.finding_id FROM findings"
            " JOIN scans ON scans.id = findings.scan_id"
            " JOIN subjects ON subjects.id = scans.subject"
            " WHERE findings.finding_id GLOB ? ORDER BY 1, 2",
            (wanted + "*",),
        ).fetchall()
        if not rows:
            raise InputError(f"no finding id starts with {wanted}")
        ids = sorted({str(row[1]) for row in rows})
        if len(ids) > 1:
            raise InputError(
                f"finding id {wanted} is ambiguous: it matches {len(ids)} findings"
                f" ({', '.join(ids[:5])}{', …' if len(ids) > 5 else ''}); give more characters"
            )
        if len(rows) > 1:
            labels = ", ".join(str(row[0]) for row in rows)
            raise InputError(f"finding {ids[0]} belongs to several subjects ({labels})")
        return str(rows[0][0]), str(rows[0][1])

    # --- reading ---------------------------------------------------------------------

    def _records(
        self,
        where: str,
        params: Sequence[object],
        *,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[ScanRecord]:
        order = "DESC" if newest_first else "ASC"
        sql = (
            f"SELECT {_SCAN_COLUMNS} FROM scans JOIN subjects ON subjects.id = scans.subject"  # noqa: S608 - constant clauses
            f" WHERE {where} ORDER BY scans.started {order}, scans.id {order}"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._read() as conn:  # the scans and their findings from one snapshot
            rows = conn.execute(sql, params).fetchall()
            findings = self._findings([int(row[0]) for row in rows])
        return [
            ScanRecord(
                id=int(scan_id),
                subject=str(label),
                started=_parse(started),
                finished=_parse(finished) if finished is not None else None,
                status=ScanStatus(status),
                risk_score=int(risk_score),
                risk_level=str(risk_level),
                findings=findings.get(int(scan_id), {}),
                unchecked=frozenset(_strings(unchecked)),
            )
            for scan_id, label, started, finished, status, risk_score, risk_level, unchecked in rows
        ]

    def _findings(self, scan_ids: list[int]) -> dict[int, dict[str, FindingRecord]]:
        by_scan: dict[int, dict[str, FindingRecord]] = {}
        for start in range(0, len(scan_ids), 500):  # stay under SQLite's variable limit
            chunk = scan_ids[start : start + 500]
            holders = ", ".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT {_FINDING_COLUMNS} FROM findings WHERE scan_id IN ({holders})"  # noqa: S608 - placeholders
                " ORDER BY scan_id, rowid",
                chunk,
            )
            for scan_id, finding_id, kind, value, severity, score, sources, urls in rows:
                by_scan.setdefault(int(scan_id), {})[str(finding_id)] = FindingRecord(
                    id=str(finding_id),
                    kind=str(kind),
                    value=str(value),
                    severity=str(severity),
                    score=int(score),
                    sources=_strings(sources),
                    urls=_strings(urls),
                )
        return by_scan

    def _marks(self, where: str, params: Sequence[object]) -> list[Mark]:
        rows = self._conn.execute(
            "SELECT marks.finding_id, marks.state, marks.at, marks.note FROM marks"  # noqa: S608 - constant clause
            f" JOIN subjects ON subjects.id = marks.subject WHERE {where}"
            " ORDER BY marks.at, marks.id",
            params,
        )
        return [
            Mark(finding_id=str(fid), state=MarkState(state), at=_parse(at), note=str(note))
            for fid, state, at, note in rows
        ]

    def _status(self, conn: sqlite3.Connection, scan_id: int) -> ScanStatus:
        row = conn.execute("SELECT status FROM scans WHERE id = ?", (scan_id,)).fetchone()
        if row is None:
            raise InputError(f"no scan {scan_id}")
        return ScanStatus(row[0])

    def _require_running(self, conn: sqlite3.Connection, scan_id: int, doing: str) -> None:
        if self._status(conn, scan_id) is not ScanStatus.RUNNING:
            raise InputError(f"scan {scan_id} is already complete: cannot {doing} it")


# --- helpers -----------------------------------------------------------------------


def _create_private(path: Path) -> None:
    """The folder 0700 and the file 0600, before SQLite opens it (it would use the umask)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as error:
        raise InputError(f"cannot open history database {path}: {error.strerror}") from None
    try:
        os.fchmod(fd, 0o600)  # an older file made with a looser umask is tightened too
    finally:
        os.close(fd)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()
        if mode is None or str(mode[0]).lower() != "wal":
            raise InputError(f"history database {path} cannot use WAL journaling")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as error:
        conn.close()
        raise InputError(f"cannot open history database {path}: {error}") from None
    except BaseException:
        conn.close()
        raise
    return conn


def _statements(sql: str) -> Iterator[str]:
    """Split a migration into statements (executescript would COMMIT on its own)."""
    buffer = ""
    for piece in sql.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            buffer = ""
            if statement.strip(" \n;"):
                yield statement
    if buffer.strip(" \n;"):
        raise ValueError("migration ends with an incomplete statement")


def _subject_id(conn: sqlite3.Connection, subject: str) -> int:
    if not subject.strip():
        raise InputError("a subject label cannot be empty")
    conn.execute(
        "INSERT INTO subjects (label) VALUES (?) ON CONFLICT (label) DO NOTHING", (subject,)
    )
    row = conn.execute("SELECT id FROM subjects WHERE label = ?", (subject,)).fetchone()
    return int(row[0])


def _unique_ids(findings: Iterable[Finding]) -> Iterator[Finding]:
    seen: set[str] = set()
    for finding in findings:
        if finding.id not in seen:
            seen.add(finding.id)
            yield finding


def _finding_row(scan_id: int, finding: Finding) -> tuple[object, ...]:
    names = list(dict.fromkeys(ref.name for ref in finding.sources))
    urls = list(dict.fromkeys(ref.url for ref in finding.sources if ref.url))
    return (
        scan_id,
        finding.id,
        finding.kind.value,
        finding.value,
        finding.severity.value,
        finding.score,
        json.dumps(names, ensure_ascii=False),
        json.dumps(urls, ensure_ascii=False),
    )


def _strings(text: object) -> tuple[str, ...]:
    values = json.loads(str(text))
    return tuple(str(value) for value in values) if isinstance(values, list) else ()


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("history datetimes must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _parse(text: object) -> datetime:
    moment = datetime.fromisoformat(str(text))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def as_record(scan_id: int, subject: str, result: ScanResult) -> ScanRecord:
    """A finished scan as history will hold it, before it is saved (for the diff that goes
    into the scan's own report)."""
    findings: dict[str, FindingRecord] = {}
    for finding in _unique_ids(result.findings):
        names = tuple(dict.fromkeys(ref.name for ref in finding.sources))
        urls = tuple(dict.fromkeys(ref.url for ref in finding.sources if ref.url))
        findings[finding.id] = FindingRecord(
            finding.id, finding.kind.value, finding.value, finding.severity.value,
            finding.score, names, urls,
        )  # fmt: skip
    return ScanRecord(
        id=scan_id,
        subject=subject,
        started=result.started,
        finished=result.finished,
        status=ScanStatus.COMPLETE,
        risk_score=result.risk.score,
        risk_level=result.risk.level.value,
        findings=findings,
        unchecked=unchecked_sources(result),
    )


def unchecked_sources(result: ScanResult) -> frozenset[str]:
    """The names of the sources that could not check in `result`."""
    return frozenset(run.name for run in result.runs if run.could_not_check)
