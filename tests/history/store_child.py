"""Fictional scan results for the store tests, and the child a crash test kills.

Run as a script: `python store_child.py DB COUNT` opens the store at DB, starts a scan and
saves a result of COUNT findings with finish_scan. It prints "inserting SCAN_ID" when the
first finding row is about to be written (from SQLite's statement trace, so the write
transaction is open by then) and "done SCAN_ID" after the commit.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scanner.correlate import fingerprint
from scanner.history.store import HistoryStore
from scanner.models import (
    Finding,
    Kind,
    Profile,
    RemovalStep,
    Risk,
    ScanResult,
    Severity,
    SourceRef,
)

PROFILE = Profile(names=("Avery Sample",), emails=("avery.sample@example.com",))
STARTED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
_KINDS = (Kind.PHONE, Kind.EMAIL, Kind.HOME_ADDRESS, Kind.ACCOUNT)
_SEVERITIES = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


def finding(
    number: int, profile: Profile = PROFILE, *, value: str | None = None, kind: Kind | None = None
) -> Finding:
    """A fictional finding; its id is the real fingerprint of its kind and value."""
    kind = kind if kind is not None else _KINDS[number % len(_KINDS)]
    text = value if value is not None else f"fictional fact {number}"
    return Finding(
        id=fingerprint(kind, text.casefold(), profile),
        kind=kind,
        value=text,
        sources=(
            SourceRef("brokerone", f"https://brokerone.example.com/p/{number}"),
            SourceRef("brokertwo", f"https://brokertwo.example.net/r/{number}"),
            SourceRef("brokerone", f"https://brokerone.example.com/p/{number}"),
        ),
        evidence=(f"seen as {text}",),
        confidence=0.9,
        severity=_SEVERITIES[number % len(_SEVERITIES)],
        score=number % 101,
        reason="on a fictional broker page",
        removal=(RemovalStep("Opt out", "Use the broker's form.", "https://example.org/optout"),),
    )


def result(
    findings: tuple[Finding, ...],
    *,
    started: datetime = STARTED,
    minutes: int = 5,
    risk: int = 60,
    level: Severity = Severity.HIGH,
) -> ScanResult:
    return ScanResult(
        profile=PROFILE,
        started=started,
        finished=started + timedelta(minutes=minutes),
        runs=(),
        findings=findings,
        accounts=(),
        risk=Risk(score=risk, level=level, summary="fictional"),
    )


def big_result(count: int) -> ScanResult:
    return result(tuple(finding(number) for number in range(count)))


def report_text(scan: ScanResult) -> str:
    return json.dumps({"findings": [f.id for f in scan.findings], "risk": scan.risk.score})


def main(argv: list[str]) -> int:
    db, count = Path(argv[1]), int(argv[2])
    scan = big_result(count)
    report = report_text(scan)
    with HistoryStore(db) as store:
        scan_id = store.start_scan("avery", scan.started)
        announced = False

        def trace(statement: str) -> None:
            nonlocal announced
            if not announced and statement.startswith("INSERT INTO findings"):
                announced = True
                print(f"inserting {scan_id}", flush=True)

        store._conn.set_trace_callback(trace)
        store.finish_scan(scan_id, scan, report)
        store._conn.set_trace_callback(None)
        print(f"done {scan_id}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
