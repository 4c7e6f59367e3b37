"""One scan's place in history: started, checkpointed (for --resume), compared, saved.

Only one scan of a subject runs at a time: a Recorder holds the subject's lock
(scanner.history.locks) from start to close, so a second scan of the subject (a quick scan
beside a monthly rescan, or a scan beside --resume) is refused at once instead of treating
the first as interrupted and discarding it.

`Recorder` is what a scan that is saved to history goes through: it starts (or resumes)
the scan in the store, keeps each finished source as a checkpoint, gives the result
without the findings marked "not me" and the "since your last scan" section, and saves
the finished scan in one transaction. `subject_label` is the subject's name in history.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.history.records import MarkState

if TYPE_CHECKING:
    from scanner.history.records import ScanRecord
    from scanner.models import ScanResult, SourceResult, SourceRun

DEFAULT_LABEL = "default"


def subject_label(given: str | None, profile: Path | None) -> str:
    """The subject's name in history: --subject, else the profile file's stem, else default."""
    from scanner.history.schedule import check_label

    if given:
        return check_label(given)
    if profile is None:
        return DEFAULT_LABEL
    stem = "".join(c if c.isalnum() or c in "_-" else "-" for c in profile.stem)[:64]
    return stem or DEFAULT_LABEL


class Recorder:
    """One scan's place in history: started, checkpointed, compared, saved."""

    def __init__(self, label: str, *, resume: bool, say: Callable[[str], None]) -> None:
        from scanner.history.locks import scan_lock_path, take_lock
        from scanner.history.store import HistoryStore

        self.label = label
        self.kept: dict[str, tuple[SourceRun, SourceResult]] = {}
        self.stale: list[int] = []
        self.resumed = False
        busy = f"another scan of {label!r} is running: wait for it, or add --no-history"
        self.lock = take_lock(scan_lock_path(label), busy)  # held until close()
        try:
            self.store = HistoryStore()
        except BaseException:
            os.close(self.lock)
            raise
        try:
            self._begin(resume, say)
        except BaseException:
            self.close()
            raise

    def _begin(self, resume: bool, say: Callable[[str], None]) -> None:
        """Resume the last interrupted scan of the subject, or start one."""
        label = self.label
        interrupted = self.store.interrupted(label)
        if resume and interrupted:
            self._resume(interrupted[-1], say)
            self.stale = [scan.id for scan in interrupted[:-1]]
            return
        if resume:
            say("no interrupted scan to resume: starting a new one")
        elif interrupted:
            say(
                f"an interrupted scan of {interrupted[-1].started:%Y-%m-%d %H:%M} UTC is "
                "kept: add --resume to continue it instead"
            )
        self.stale = [scan.id for scan in interrupted]
        self.scan_id = self.store.start_scan(label, datetime.now(UTC))

    def _resume(self, last: ScanRecord, say: Callable[[str], None]) -> None:
        """Continue `last`, keeping the sources it checked (not those that could not)."""
        from scanner.history.codec import loads
        from scanner.models import SourceResult, SourceRun

        self.scan_id = last.id
        self.resumed = True
        for name, (run_json, result_json) in self.store.checkpoints(last.id).items():
            run = loads(SourceRun, run_json)
            if not run.could_not_check:  # one that could not check is asked again
                self.kept[name] = (run, loads(SourceResult, result_json))
        say(
            f"resuming the interrupted scan of {last.started:%Y-%m-%d %H:%M} UTC "
            f"({len(self.kept)} source(s) kept)"
        )

    def keep(self, run: SourceRun, result: SourceResult) -> None:
        """Checkpoint one finished source (a resumed scan keeps it)."""
        from scanner.history.codec import dumps

        self.store.checkpoint(self.scan_id, run.name, dumps(run), dumps(result))

    def conclude(self, result: ScanResult) -> tuple[ScanResult, dict[str, Any]]:
        """The result without findings marked "not me", and the since-last-scan section."""
        from scanner.history.diff import diff_dict, diff_scans
        from scanner.history.store import as_record

        marks = self.store.marks(self.label)
        history = [*self.store.scans(self.label), as_record(self.scan_id, self.label, result)]
        return self.shown(result), diff_dict(diff_scans(history, marks))

    def shown(self, result: ScanResult) -> ScanResult:
        """The result without the findings the subject marked "not me"."""
        marks = self.store.marks(self.label)
        hidden = {fid for fid, mark in marks.items() if mark.state is MarkState.NOT_ME}
        return replace(result, findings=tuple(f for f in result.findings if f.id not in hidden))

    def save(self, result: ScanResult, report_json: str) -> None:
        """Save the finished scan (one transaction); scans it superseded are discarded."""
        self.store.finish_scan(self.scan_id, result, report_json)
        for stale in self.stale:
            self.store.discard(stale)

    def abandon(self) -> None:
        """Keep nothing of this scan: a scan it started is discarded; a resumed one stays
        interrupted, with its checkpoints, and earlier interrupted scans stay too."""
        if not self.resumed:
            self.store.discard(self.scan_id)

    def close(self) -> None:
        self.store.close()
        os.close(self.lock)
