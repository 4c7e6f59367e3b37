"""The history store: migrations, one transaction per scan, marks, crash safety."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from scanner import paths
from scanner.errors import InputError
from scanner.history import store as store_module
from scanner.history.records import FindingRecord, MarkState, ScanStatus
from scanner.history.store import MIGRATIONS, HistoryStore
from scanner.models import Finding, Kind, Profile, Severity
from tests.history.store_child import (
    PROFILE,
    STARTED,
    big_result,
    finding,
    report_text,
    result,
)
from tests.support import ROOT

CHILD = Path(__file__).with_name("store_child.py")
ALL_NAMES = [name for name, _ in MIGRATIONS]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "hist" / "history.sqlite3"


@pytest.fixture
def store(db: Path) -> Iterator[HistoryStore]:
    with HistoryStore(db) as opened:
        yield opened


def raw(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(db, isolation_level=None)


def applied(db: Path) -> list[tuple[str, str]]:
    conn = raw(db)
    try:
        rows = conn.execute("SELECT name, applied_at FROM schema_migrations ORDER BY rowid")
        return [(str(name), str(at)) for name, at in rows]
    finally:
        conn.close()


def names_in(db: Path, kind: str) -> set[str]:
    conn = raw(db)
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,))
        return {str(row[0]) for row in rows}
    finally:
        conn.close()


def saved(store: HistoryStore, subject: str, scan: object, report: str = "{}") -> int:
    assert hasattr(scan, "started")
    scan_id = store.start_scan(subject, scan.started)
    store.finish_scan(scan_id, scan, report)  # type: ignore[arg-type]
    return scan_id


# --- files and settings ------------------------------------------------------------


def test_default_path_is_private_in_the_data_dir() -> None:
    with HistoryStore() as store:
        store.start_scan("avery", STARTED)
        expected = paths.data_dir() / "history.sqlite3"
        assert store.path == expected
        assert stat.S_IMODE(expected.parent.stat().st_mode) == 0o700
        for suffix in ("", "-wal", "-shm"):  # SQLite copies the file's mode to its sidecars
            sidecar = Path(f"{expected}{suffix}")
            assert sidecar.exists()
            assert stat.S_IMODE(sidecar.stat().st_mode) == 0o600


def test_an_existing_loose_file_is_tightened(db: Path) -> None:
    db.parent.mkdir()
    db.touch(mode=0o644)
    os.chmod(db, 0o644)
    with HistoryStore(db):
        assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_connection_settings(store: HistoryStore) -> None:
    conn = store._conn
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert conn.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone() == (store_module.BUSY_TIMEOUT_MS,)


def test_a_file_that_is_not_a_database_is_a_one_line_input_error(db: Path) -> None:
    db.parent.mkdir()
    db.write_bytes(b"this is not sqlite at all, just fictional text\n" * 100)
    with pytest.raises(InputError, match="cannot open history database") as caught:
        HistoryStore(db)
    assert "\n" not in str(caught.value)


def test_a_symlink_in_place_of_the_file_is_refused(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.sqlite3"
    db.parent.mkdir()
    db.symlink_to(target)
    with pytest.raises(InputError, match="cannot open history database"):
        HistoryStore(db)
    assert not target.exists()


# --- migrations --------------------------------------------------------------------


def test_migrations_are_ordered_and_uniquely_named() -> None:
    assert len(ALL_NAMES) >= 2
    assert len(set(ALL_NAMES)) == len(ALL_NAMES)
    assert sorted(ALL_NAMES) == ALL_NAMES


def test_a_fresh_database_gets_every_migration(db: Path) -> None:
    with HistoryStore(db):
        pass
    assert [name for name, _ in applied(db)] == ALL_NAMES
    assert {"subjects", "scans", "findings", "marks", "checkpoints", "schema_migrations"} <= (
        names_in(db, "table")
    )
    assert {"scans_by_subject", "findings_by_id", "marks_by_finding"} <= names_in(db, "index")


def test_a_database_with_the_first_migration_only_is_upgraded(db: Path) -> None:
    db.parent.mkdir()
    conn = raw(db)
    conn.execute(store_module._BOOTSTRAP)
    conn.executescript(MIGRATIONS[0][1])
    conn.execute(
        "INSERT INTO schema_migrations VALUES (?, ?)", (ALL_NAMES[0], "2026-01-01T00:00:00+00:00")
    )
    conn.execute("INSERT INTO subjects (label) VALUES ('avery')")
    conn.close()
    assert "findings_by_id" not in names_in(db, "index")

    with HistoryStore(db) as store:
        assert store.subjects() == ["avery"]  # data kept
    rows = applied(db)
    assert [name for name, _ in rows] == ALL_NAMES
    assert rows[0][1] == "2026-01-01T00:00:00+00:00"  # the first was not applied again
    assert "findings_by_id" in names_in(db, "index")


def test_reopening_applies_nothing(db: Path) -> None:
    with HistoryStore(db) as first:
        saved(first, "avery", result((finding(1),)))
    before = applied(db)
    with HistoryStore(db) as again:
        assert again._conn.total_changes == 0  # opening wrote no row
        assert len(again.scans("avery")) == 1
    assert applied(db) == before


def test_each_migration_runs_in_its_own_transaction(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = (MIGRATIONS[0], ("0002_broken", "CREATE TABLE extra (x INTEGER); SELECT nonsense"))
    monkeypatch.setattr(store_module, "MIGRATIONS", broken)
    with pytest.raises(sqlite3.OperationalError):
        HistoryStore(db)
    assert [name for name, _ in applied(db)] == ["0001_initial"]  # the first one stuck
    assert "extra" not in names_in(db, "table")  # the broken one left nothing behind


def test_a_database_from_a_newer_version_is_refused(db: Path) -> None:
    with HistoryStore(db):
        pass
    conn = raw(db)
    conn.execute("INSERT INTO schema_migrations VALUES ('0099_future', '2030-01-01T00:00:00Z')")
    conn.close()
    with pytest.raises(InputError) as caught:
        HistoryStore(db)
    assert str(caught.value) == "history database was written by a newer exposure-audit"


def test_statements_split_keeps_semicolons_inside_a_trigger() -> None:
    sql = """
        CREATE TABLE a (x TEXT);
        CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = 'p;q'; END;
    """
    parts = list(store_module._statements(sql))
    assert len(parts) == 2
    assert parts[1].startswith("CREATE TRIGGER")
    assert parts[1].endswith("END;")


# --- scans -------------------------------------------------------------------------


def test_a_scan_round_trip(store: HistoryStore) -> None:
    scan = result((finding(1), finding(2)), risk=71, level=Severity.CRITICAL)
    scan_id = store.start_scan("avery", scan.started)
    running = store.scan(scan_id)
    assert running.status is ScanStatus.RUNNING
    assert running.finished is None
    assert running.findings == {}

    store.checkpoint(scan_id, "brokerone", '{"run": 1}', '{"result": 1}')
    store.checkpoint(scan_id, "brokertwo", '{"run": 2}', '{"result": 2}')
    store.checkpoint(scan_id, "brokerone", '{"run": 3}', '{"result": 3}')  # replaced
    assert store.checkpoints(scan_id) == {
        "brokerone": ('{"run": 3}', '{"result": 3}'),
        "brokertwo": ('{"run": 2}', '{"result": 2}'),
    }

    store.finish_scan(scan_id, scan, '{"report": "fictional"}')
    done = store.scan(scan_id)
    assert done.status is ScanStatus.COMPLETE
    assert done.subject == "avery"
    assert done.started == STARTED
    assert done.finished == STARTED + timedelta(minutes=5)
    assert (done.risk_score, done.risk_level) == (71, "critical")
    first = scan.findings[0]
    assert done.findings[first.id] == FindingRecord(
        id=first.id,
        kind=first.kind.value,
        value="fictional fact 1",
        severity=first.severity.value,
        score=1,
        sources=("brokerone", "brokertwo"),
        urls=(
            "https://brokerone.example.com/p/1",
            "https://brokertwo.example.net/r/1",
        ),
    )
    assert list(done.findings) == [f.id for f in scan.findings]
    assert store.report_json(scan_id) == '{"report": "fictional"}'
    assert store.checkpoints(scan_id) == {}
    assert store.interrupted() == []


def test_datetimes_come_back_as_utc(store: HistoryStore) -> None:
    local = datetime(2026, 3, 1, 11, 0, tzinfo=timezone(timedelta(hours=2)))
    scan_id = store.start_scan("avery", local)
    started = store.scan(scan_id).started
    assert started == local
    assert started.utcoffset() == timedelta(0)
    with pytest.raises(ValueError, match="timezone-aware"):
        store.start_scan("avery", datetime(2026, 3, 1, 9, 0))


def test_a_finding_id_seen_twice_is_stored_once(store: HistoryStore) -> None:
    twice = result((finding(1), finding(1, value="fictional fact 1"), finding(2)))
    scan_id = saved(store, "avery", twice)
    assert len(store.scan(scan_id).findings) == 2


def test_scans_latest_and_subjects(store: HistoryStore) -> None:
    march = saved(store, "avery", result((finding(1),)))
    april_start = STARTED + timedelta(days=31)
    april = saved(store, "avery", result((finding(1), finding(2)), started=april_start))
    # recorded later, but it started before April's: ordered by start time
    mid = saved(store, "avery", result((finding(3),), started=STARTED + timedelta(days=15)))
    other = saved(store, "jordan", result((finding(9, Profile(names=("Jordan Testwell",))),)))
    store.start_scan("avery", STARTED + timedelta(days=60))  # running: not in scans()

    assert [s.id for s in store.scans("avery")] == [march, mid, april]
    assert [len(s.findings) for s in store.scans("avery")] == [1, 1, 2]
    assert [s.id for s in store.scans("jordan")] == [other]
    assert store.scans("nobody") == []

    newest = store.latest("avery")
    assert newest is not None
    assert newest.id == april
    assert len(newest.findings) == 2
    before_april = store.latest("avery", before=april)
    assert before_april is not None
    assert before_april.id == mid
    before_mid = store.latest("avery", before=mid)
    assert before_mid is not None
    assert before_mid.id == march
    assert store.latest("avery", before=march) is None
    assert store.latest("nobody") is None
    with pytest.raises(InputError, match=r"^no scan 999$"):
        store.latest("avery", before=999)

    assert store.subjects() == ["avery", "jordan"]


def test_unknown_and_wrong_state_scans_are_input_errors(store: HistoryStore) -> None:
    with pytest.raises(InputError, match=r"^no scan 42$"):
        store.scan(42)
    with pytest.raises(InputError, match=r"^no scan 42$"):
        store.report_json(42)
    with pytest.raises(InputError, match=r"^no scan 42$"):
        store.checkpoint(42, "brokerone", "{}", "{}")
    with pytest.raises(InputError, match=r"^no scan 42$"):
        store.finish_scan(42, result(()), "{}")
    running = store.start_scan("avery", STARTED)
    with pytest.raises(InputError, match="did not finish"):
        store.report_json(running)
    store.finish_scan(running, result((finding(1),)), "{}")
    with pytest.raises(InputError, match="already complete: cannot finish"):
        store.finish_scan(running, result((finding(2),)), "{}")
    with pytest.raises(InputError, match="already complete: cannot checkpoint"):
        store.checkpoint(running, "brokerone", "{}", "{}")
    with pytest.raises(InputError, match="already complete: cannot discard"):
        store.discard(running)
    assert list(store.scan(running).findings) == [finding(1).id]  # untouched
    with pytest.raises(InputError, match="cannot be empty"):
        store.start_scan("  ", STARTED)


def test_interrupted_and_discard(store: HistoryStore) -> None:
    kept = saved(store, "avery", result((finding(1),)))
    stale = store.start_scan("avery", STARTED + timedelta(days=1))
    other = store.start_scan("jordan", STARTED + timedelta(days=2))
    store.checkpoint(stale, "brokerone", "{}", "{}")

    assert [s.id for s in store.interrupted()] == [stale, other]
    assert [s.id for s in store.interrupted("avery")] == [stale]
    assert all(s.status is ScanStatus.RUNNING for s in store.interrupted())

    store.discard(stale)
    assert [s.id for s in store.interrupted()] == [other]
    with pytest.raises(InputError, match=f"^no scan {stale}$"):
        store.scan(stale)
    count = store._conn.execute("SELECT count(*) FROM checkpoints").fetchone()
    assert count == (0,)
    assert [s.id for s in store.scans("avery")] == [kept]
    assert store.start_scan("avery", STARTED) > other  # ids are never reused


# --- marks -------------------------------------------------------------------------


def test_marks_keep_history_and_the_latest_wins(store: HistoryStore) -> None:
    one, two = finding(1).id, finding(2).id
    day = STARTED + timedelta(days=3)
    store.set_mark("avery", one, MarkState.REQUESTED, day, "asked by form")
    store.set_mark("avery", one, MarkState.DONE, day + timedelta(days=20))
    store.set_mark("avery", two, MarkState.NOT_ME, day)
    store.set_mark("jordan", one, MarkState.COULD_NOT_REMOVE, day)
    # entered later but dated earlier: history, not the current state
    store.set_mark("avery", one, MarkState.REQUESTED, day - timedelta(days=1), "first try")

    latest = store.marks("avery")
    assert set(latest) == {one, two}
    assert latest[one].state is MarkState.DONE
    assert latest[one].at == day + timedelta(days=20)
    assert latest[two].state is MarkState.NOT_ME
    assert store.marks("jordan")[one].state is MarkState.COULD_NOT_REMOVE
    assert store.marks("nobody") == {}

    history = store.mark_history("avery", one)
    assert [(m.state, m.note) for m in history] == [
        (MarkState.REQUESTED, "first try"),
        (MarkState.REQUESTED, "asked by form"),
        (MarkState.DONE, ""),
    ]
    assert store.subjects() == ["avery", "jordan"]


def test_a_same_time_mark_entered_later_wins(store: HistoryStore) -> None:
    one = finding(1).id
    store.set_mark("avery", one, MarkState.DONE, STARTED)
    store.set_mark("avery", one, MarkState.NOT_ME, STARTED)
    assert store.marks("avery")[one].state is MarkState.NOT_ME


def test_marks_survive_reopening(db: Path) -> None:
    with HistoryStore(db) as store:
        store.set_mark("avery", finding(1).id, MarkState.REQUESTED, STARTED)
    with HistoryStore(db) as store:
        assert store.marks("avery")[finding(1).id].state is MarkState.REQUESTED


def test_an_unknown_mark_state_is_refused(store: HistoryStore) -> None:
    with pytest.raises(ValueError, match="gone"):
        store.set_mark("avery", finding(1).id, "gone", STARTED)  # type: ignore[arg-type]
    assert store.marks("avery") == {}


# --- resolving a finding id for `mark ID` --------------------------------------------


def fixed(finding_id: str, profile: Profile = PROFILE) -> Finding:
    base = finding(0, profile)
    return Finding(
        id=finding_id,
        kind=Kind.PHONE,
        value=f"fictional {finding_id}",
        sources=base.sources,
        evidence=(),
        confidence=0.9,
        severity=Severity.HIGH,
        score=50,
        reason="fictional",
        removal=(),
    )


def test_resolve_finding(store: HistoryStore) -> None:
    saved(store, "avery", result((fixed("abcdef0123456789"), fixed("abcdef9999999999"))))
    saved(store, "avery", result((fixed("abcdef0123456789"),)))  # same fact, later scan
    saved(store, "jordan", result((fixed("123456aaaaaaaaaa"), fixed("fedcba0000000000"))))
    saved(store, "casey", result((fixed("fedcba0000000000"),)))

    assert store.resolve_finding("abcdef0") == ("avery", "abcdef0123456789")
    assert store.resolve_finding(" ABCDEF99 ") == ("avery", "abcdef9999999999")
    assert store.resolve_finding("123456") == ("jordan", "123456aaaaaaaaaa")
    assert store.resolve_finding("abcdef0123456789") == ("avery", "abcdef0123456789")

    with pytest.raises(InputError, match="ambiguous: it matches 2 findings") as caught:
        store.resolve_finding("abcdef")
    assert "abcdef0123456789" in str(caught.value)
    with pytest.raises(InputError, match=r"belongs to several subjects \(casey, jordan\)"):
        store.resolve_finding("fedcba")
    with pytest.raises(InputError, match=r"^no finding id starts with 000000$"):
        store.resolve_finding("000000")
    with pytest.raises(InputError, match="at least 6 hex characters"):
        store.resolve_finding("abcde")
    with pytest.raises(InputError, match="at least 6 hex characters"):
        store.resolve_finding("abcdeg")
    with pytest.raises(InputError, match="at least 6 hex characters"):
        store.resolve_finding("abc*ef")  # no GLOB wildcards reach SQLite


# --- one transaction per scan -------------------------------------------------------


@pytest.mark.parametrize("error", [RuntimeError("fictional failure"), KeyboardInterrupt()])
def test_an_exception_inside_finish_scan_leaves_no_findings(
    store: HistoryStore, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    scan = big_result(50)
    scan_id = store.start_scan("avery", scan.started)
    store.checkpoint(scan_id, "brokerone", "{}", "{}")
    real_row = store_module._finding_row
    inserted_before_failure: list[int] = []

    def failing_row(scan_id: int, item: Finding) -> tuple[object, ...]:
        if item is scan.findings[10]:
            inserted_before_failure.append(store._conn.total_changes)
            raise error
        return real_row(scan_id, item)

    changes_at_start = store._conn.total_changes
    monkeypatch.setattr(store_module, "_finding_row", failing_row)
    with pytest.raises(type(error)):
        store.finish_scan(scan_id, scan, report_text(scan))
    assert inserted_before_failure == [changes_at_start + 10]  # ten rows were written

    assert not store._conn.in_transaction
    conn = raw(store.path)  # what another process sees
    assert conn.execute("SELECT count(*) FROM findings").fetchone() == (0,)
    assert conn.execute("SELECT status, report_json FROM scans").fetchone() == ("running", None)
    conn.close()
    assert store.checkpoints(scan_id) == {"brokerone": ("{}", "{}")}
    assert [s.id for s in store.interrupted()] == [scan_id]

    monkeypatch.setattr(store_module, "_finding_row", real_row)
    store.finish_scan(scan_id, scan, report_text(scan))  # the store still works
    assert len(store.scan(scan_id).findings) == 50


def test_a_failing_update_after_the_inserts_rolls_them_back(
    store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = big_result(30)
    scan_id = store.start_scan("avery", scan.started)
    start = store._conn.total_changes
    inserted: list[int] = []

    def broken_iso(moment: datetime) -> str:
        inserted.append(store._conn.total_changes - start)
        raise OSError("fictional disk failure")

    monkeypatch.setattr(store_module, "_iso", broken_iso)  # first used by the UPDATE
    with pytest.raises(OSError, match="fictional disk failure"):
        store.finish_scan(scan_id, scan, report_text(scan))
    assert inserted == [30]  # every finding row was written before the failure
    assert store._conn.execute("SELECT count(*) FROM findings").fetchone() == (0,)
    assert store.scan(scan_id).status is ScanStatus.RUNNING


def test_readers_never_see_a_half_written_scan(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scan = big_result(200)
    with HistoryStore(db) as writer, HistoryStore(db) as reader:
        scan_id = writer.start_scan("avery", scan.started)
        seen: list[int] = []
        real_row = store_module._finding_row

        def peeking_row(scan_id: int, item: Finding) -> tuple[object, ...]:
            if item is scan.findings[100]:
                seen.append(len(reader.scan(scan_id).findings))
                seen.append(len(reader.interrupted()))
            return real_row(scan_id, item)

        monkeypatch.setattr(store_module, "_finding_row", peeking_row)
        writer.finish_scan(scan_id, scan, report_text(scan))
        assert seen == [0, 1]  # mid-write: still running, no findings
        assert len(reader.scan(scan_id).findings) == 200


# --- crash safety: a real process killed in the middle of a write -------------------

CRASH_FINDINGS = 10_000


def run_child(db: Path, delay: float | None) -> tuple[int, bool]:
    """Start the child; kill it `delay` seconds after its first finding insert (None: wait)."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(db), str(CRASH_FINDINGS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None
        assert child.stderr is not None
        line = child.stdout.readline()
        assert line.startswith("inserting "), child.stderr.read()
        scan_id = int(line.split()[1])
        if delay is None:
            assert child.wait(timeout=60) == 0, child.stderr.read()
            return scan_id, False
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        code = child.wait(timeout=60)
        return scan_id, code == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()


def check_all_or_nothing(db: Path, scan_id: int) -> ScanStatus:
    with HistoryStore(db) as store:  # opens (and recovers) cleanly
        conn = raw(db)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            status, report = conn.execute(
                "SELECT status, report_json FROM scans WHERE id = ?", (scan_id,)
            ).fetchone()
            (rows,) = conn.execute(
                "SELECT count(*) FROM findings WHERE scan_id = ?", (scan_id,)
            ).fetchone()
        finally:
            conn.close()
        record = store.scan(scan_id)
        if status == "complete":
            assert rows == CRASH_FINDINGS
            assert len(record.findings) == CRASH_FINDINGS
            assert report == report_text(big_result(CRASH_FINDINGS))
            assert scan_id not in [s.id for s in store.interrupted()]
        else:
            assert status == "running"
            assert rows == 0
            assert record.findings == {}
            assert report is None
            assert scan_id in [s.id for s in store.interrupted("avery")]
        return record.status


def test_a_scan_killed_mid_write_is_complete_or_untouched(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    rng = random.Random(20260301)
    delays: list[float | None] = [0.0, 0.002, 0.01]
    delays += [rng.uniform(0.0, 0.25) for _ in range(4)]
    delays.append(None)  # and once left to finish
    outcomes: list[ScanStatus] = []
    killed_mid_write = 0
    for delay in delays:
        scan_id, killed = run_child(db, delay)
        status = check_all_or_nothing(db, scan_id)
        outcomes.append(status)
        killed_mid_write += killed and status is ScanStatus.RUNNING
    assert killed_mid_write >= 1, outcomes  # at least one kill landed inside the write
    assert outcomes[-1] is ScanStatus.COMPLETE

    with HistoryStore(db) as store:  # the next run can start clean
        stale = store.interrupted("avery")
        assert len(stale) == outcomes.count(ScanStatus.RUNNING)
        for scan in stale:
            store.discard(scan.id)
        assert store.interrupted() == []
        complete = store.scans("avery")
        assert len(complete) == outcomes.count(ScanStatus.COMPLETE)
        assert all(len(scan.findings) == CRASH_FINDINGS for scan in complete)
