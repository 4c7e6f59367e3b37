"""The data the history modules exchange: frozen dataclasses, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class MarkState(StrEnum):
    """What the subject says about a finding (`exposure-audit mark ID STATE`)."""

    REQUESTED = "requested"  # a removal was asked for, on this date
    DONE = "done"  # the subject believes it is removed
    NOT_ME = "not_me"  # someone else's: hidden in later scans, remembered
    COULD_NOT_REMOVE = "could_not_remove"  # the site refused or has no way


class ScanStatus(StrEnum):
    RUNNING = "running"  # started, not finished: interrupted if no process holds it
    COMPLETE = "complete"


@dataclass(frozen=True)
class FindingRecord:
    """One finding as stored with a scan."""

    id: str  # the stable fingerprint (correlate.fingerprint): same fact, same id
    kind: str
    value: str
    severity: str
    score: int
    sources: tuple[str, ...] = ()  # source names
    urls: tuple[str, ...] = ()  # where it was seen


@dataclass(frozen=True)
class ScanRecord:
    id: int
    subject: str  # the subject's label: a profile file's stem, or "default"
    started: datetime
    finished: datetime | None
    status: ScanStatus
    risk_score: int = 0
    risk_level: str = ""
    findings: Mapping[str, FindingRecord] = field(default_factory=dict)  # by finding id
    unchecked: frozenset[str] = frozenset()  # the sources that could not check in this scan
    # ids of findings kept from the scan before, unseen because their source could not check
    # (filled in by the diff, never stored)
    carried: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Mark:
    finding_id: str
    state: MarkState
    at: datetime
    note: str = ""


class Change(StrEnum):
    NEW = "new"  # not in the previous scan, never seen before
    GONE = "gone"  # in the previous scan, not in this one: removal may have worked
    RESURFACED = "resurfaced"  # was gone or marked done/requested, and is back
    CHANGED = "changed"  # same place and kind, another value (a new address on a broker)
    STILL = "still"  # in both
    UNCHECKED = "unchecked"  # in the previous scan; its source could not check this time


@dataclass(frozen=True)
class DiffEntry:
    change: Change
    finding: FindingRecord  # the current one (for GONE: the one that went away)
    before: FindingRecord | None = None  # for CHANGED: the value it replaced
    mark: Mark | None = None  # the subject's latest mark on it, if any
    note: str = ""  # one plain sentence, e.g. "marked done on 2026-10-02, back now"


@dataclass(frozen=True)
class Diff:
    older: ScanRecord | None  # None: this is the first scan
    newer: ScanRecord
    entries: tuple[DiffEntry, ...] = ()
    hidden_not_me: int = 0  # findings marked "not me", left out of entries
