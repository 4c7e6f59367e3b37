"""History on the command line: scans saved and compared, removal marks, scheduled rescans.

`Recorder` wraps one scan's history (start, checkpoints for resume, the "since your last
scan" diff, the save); the commands `history`, `diff`, `mark`, `schedule` and `rescan` read
and write the same store. Bad input raises InputError (scanner.cli prints it, exit 2).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.errors import InputError
from scanner.history.records import Change, MarkState
from scanner.text import printable

if TYPE_CHECKING:  # the commands import what they use: start-up stays fast
    from scanner.history.records import ScanRecord
    from scanner.history.store import HistoryStore
    from scanner.models import ScanResult, SourceResult, SourceRun

STATES = {
    "requested": MarkState.REQUESTED,
    "done": MarkState.DONE,
    "not-me": MarkState.NOT_ME,
    "could-not-remove": MarkState.COULD_NOT_REMOVE,
}


def subject_label(given: str | None, profile: Path | None) -> str:
    """The subject's name in history: --subject, else the profile file's stem, else default."""
    from scanner.history.schedule import check_label

    if given:
        return check_label(given)
    if profile is not None:
        stem = "".join(c if c.isalnum() or c in "_-" else "-" for c in profile.stem)[:64]
        return stem or "default"
    return "default"


class Recorder:
    """One scan's place in history: started, checkpointed, compared, saved."""

    def __init__(self, label: str, *, resume: bool, say: Callable[[str], None]) -> None:
        from scanner.history.codec import loads
        from scanner.history.store import HistoryStore
        from scanner.models import SourceResult, SourceRun

        self.label = label
        self.store = HistoryStore()
        self.kept: dict[str, tuple[SourceRun, SourceResult]] = {}
        self.stale: list[int] = []
        interrupted = self.store.interrupted(label)
        if resume and interrupted:
            last = interrupted[-1]
            self.scan_id = last.id
            self.kept = {
                name: (loads(SourceRun, run), loads(SourceResult, result))
                for name, (run, result) in self.store.checkpoints(last.id).items()
            }
            self.stale = [scan.id for scan in interrupted[:-1]]
            say(f"resuming the interrupted scan of {last.started:%Y-%m-%d %H:%M} UTC "
                f"({len(self.kept)} source(s) kept)")  # fmt: skip
        else:
            if resume:
                say("no interrupted scan to resume: starting a new one")
            elif interrupted:
                say(f"an interrupted scan of {interrupted[-1].started:%Y-%m-%d %H:%M} UTC is "
                    "kept: add --resume to continue it instead")  # fmt: skip
            self.stale = [scan.id for scan in interrupted]
            self.scan_id = self.store.start_scan(label, datetime.now(UTC))

    def keep(self, run: SourceRun, result: SourceResult) -> None:
        from scanner.history.codec import dumps

        self.store.checkpoint(self.scan_id, run.name, dumps(run), dumps(result))

    def conclude(self, result: ScanResult) -> tuple[ScanResult, dict[str, Any]]:
        """The result without findings marked "not me", and the since-last-scan section."""
        from scanner.history.diff import diff_dict, diff_scans
        from scanner.history.store import as_record

        marks = self.store.marks(self.label)
        hidden = {fid for fid, mark in marks.items() if mark.state is MarkState.NOT_ME}
        shown = replace(result, findings=tuple(f for f in result.findings if f.id not in hidden))
        history = [*self.store.scans(self.label), as_record(self.scan_id, self.label, result)]
        return shown, diff_dict(diff_scans(history, marks))

    def save(self, result: ScanResult, report_json: str) -> None:
        self.store.finish_scan(self.scan_id, result, report_json)
        for stale in self.stale:  # superseded by this finished scan
            self.store.discard(stale)

    def close(self) -> None:
        self.store.close()


# --- commands ------------------------------------------------------------------------------


def add_commands(commands: Any) -> None:
    history = commands.add_parser("history", help="past scans: date, findings by severity, risk")
    history.add_argument("subject", nargs="?", help="whose (default: every subject)")
    diff = commands.add_parser(
        "diff", help="what is new, gone, back or changed between two scans",
        description="Compare the last two scans of a subject, or two given scans (by number, "
        "see `history`). Things that came back after they were gone or marked done come first.",
    )  # fmt: skip
    diff.add_argument("args", nargs="*", metavar="[SUBJECT] [SCAN_A SCAN_B]")
    mark = commands.add_parser(
        "mark", help="record removal progress, or that a finding is not you",
        description="Mark a finding (its id, or the first 6+ characters of it, from the report). "
        "'not-me' hides it in later scans.",
    )  # fmt: skip
    mark.add_argument("finding", metavar="FINDING_ID")
    mark.add_argument("state", choices=sorted(STATES), metavar="STATE",
                      help="requested | done | not-me | could-not-remove")  # fmt: skip
    mark.add_argument("--note", default="", help="a short note for yourself")
    schedule = commands.add_parser(
        "schedule", help="rescan a profile regularly (systemd user timer, or crontab)",
        description="Install, list or remove a scheduled rescan. The timer checks daily (cron: "
        "four times a day) and `rescan --due` scans only when the last scan is an interval old, "
        "so missed runs catch up. Reports go to the data folder; nothing is sent to anyone.",
    )  # fmt: skip
    schedule.add_argument("profile", nargs="?", type=Path, help="profile TOML file to rescan")
    every = schedule.add_mutually_exclusive_group()
    for interval in ("monthly", "weekly", "daily"):
        every.add_argument(f"--{interval}", dest="interval", action="store_const",
                           const=interval)  # fmt: skip
    schedule.add_argument("--subject", help="name in history (default: the profile file's name)")
    schedule.add_argument("--dry-run", action="store_true", help="print what would be installed")
    schedule.add_argument("--backend", choices=("systemd", "cron"), help="default: detected")
    schedule.add_argument("--list", action="store_true", help="list installed schedules")
    schedule.add_argument("--remove", metavar="SUBJECT", help="uninstall a subject's schedule")
    letter = commands.add_parser(
        "letter", help="a CCPA or GDPR deletion request for a page showing a finding",
        description="Print a deletion request for the page where a saved finding was seen. It "
        "names only what that page already shows about you (nothing new for the recipient); "
        "you sign and send it yourself.",
    )  # fmt: skip
    letter.add_argument("finding", metavar="FINDING_ID")
    letter.add_argument("--law", choices=("ccpa", "gdpr"), default="ccpa", help="default ccpa")
    rescan = commands.add_parser("rescan", help="what a schedule runs: scan if it is due")
    rescan.add_argument("--due", action="store_true", required=True, help="only if it is due")
    rescan.add_argument("--subject", required=True, help="the schedule's subject")
    rescan.add_argument("--interval", required=True, help="monthly | weekly | daily")
    rescan.add_argument("--profile", type=Path, required=True, help="the profile to scan")


def cmd_history(args: argparse.Namespace) -> int:
    from scanner.history.diff import summarise_removal_times, time_to_removal
    from scanner.history.schedule import check_label
    from scanner.history.store import HistoryStore

    with HistoryStore() as store:
        subjects = [check_label(args.subject)] if args.subject else store.subjects()
        if not subjects:
            print("no scans saved yet")
        for subject in subjects:
            scans = store.scans(subject)
            print(f"{subject}: {len(scans)} scan(s)")
            for scan in scans:
                counts = Counter(f.severity for f in scan.findings.values())
                by = ", ".join(f"{counts[s]} {s}" for s in ("critical", "high", "medium", "low"))
                print(f"  #{scan.id}  {scan.started:%Y-%m-%d %H:%M} UTC  risk "
                      f"{scan.risk_level} {scan.risk_score}/100  {by}")  # fmt: skip
            marked = {fid: store.mark_history(subject, fid) for fid in store.marks(subject)}
            times = summarise_removal_times(time_to_removal(scans, marked))
            for site, line in sorted(times.items()):
                print(printable(f"  time to removal at {site}: {line}"))
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from scanner.history.diff import diff_scans
    from scanner.history.store import HistoryStore

    with HistoryStore() as store:
        history = _diff_history(store, list(args.args))
        diff = diff_scans(history, store.marks(history[-1].subject))
        counts = Counter(entry.change for entry in diff.entries)
        if diff.older is None:
            print(
                f"{diff.newer.subject}: only one scan so far (#{diff.newer.id}): nothing to compare"
            )
        else:
            print(f"{diff.newer.subject}: scan #{diff.older.id} → #{diff.newer.id}: "
                  f"{counts[Change.RESURFACED]} came back, {counts[Change.NEW]} new, "
                  f"{counts[Change.CHANGED]} changed, {counts[Change.GONE]} gone, "
                  f"{counts[Change.STILL]} unchanged")  # fmt: skip
        for entry in diff.entries:
            if entry.change is Change.STILL or diff.older is None:
                continue
            label = "CAME BACK" if entry.change is Change.RESURFACED else entry.change.value
            f = entry.finding
            was = f" (was: {entry.before.value})" if entry.before else ""
            line = f"{label:<10} {f.id[:8]}  {f.kind}: {f.value}{was} — {entry.note}"
            print(printable(line))
        if diff.hidden_not_me:
            print(f"{diff.hidden_not_me} finding(s) you marked 'not me' are not shown")
    return 0


def _diff_history(store: HistoryStore, args: Sequence[str]) -> list[ScanRecord]:
    from scanner.history.schedule import check_label

    if len(args) > 3:
        raise InputError("diff takes [SUBJECT] [SCAN_A SCAN_B]")
    numbers = [a for a in args if a.lstrip("#").isdigit()]
    names = [a for a in args if a not in numbers]
    if len(numbers) not in (0, 2) or len(names) > 1:
        raise InputError("diff takes [SUBJECT] [SCAN_A SCAN_B]: a subject and/or two scan numbers")
    if numbers:
        a, b = (store.scan(int(n.lstrip("#"))) for n in numbers)
        if a.subject != b.subject or (names and names[0] != a.subject):
            raise InputError(f"scans #{a.id} and #{b.id} are not of the same subject")
        older, newer = sorted((a, b), key=lambda s: (s.started, s.id))
        earlier = [
            s for s in store.scans(a.subject) if (s.started, s.id) <= (older.started, older.id)
        ]
        return [*earlier, newer]
    subject = names[0] if names else _only_subject(store)
    scans = store.scans(check_label(subject))
    if not scans:
        raise InputError(f"no saved scans of {subject!r} (see `history`)")
    return scans


def _only_subject(store: HistoryStore) -> str:
    subjects = store.subjects()
    if len(subjects) != 1:
        known = ", ".join(subjects) or "none yet"
        raise InputError(f"say whose scans to compare (subjects: {known})")
    return subjects[0]


def cmd_mark(args: argparse.Namespace) -> int:
    from scanner.history.diff import lifecycle
    from scanner.history.store import HistoryStore

    with HistoryStore() as store:
        subject, finding = store.resolve_finding(args.finding)
        now = datetime.now(UTC)
        store.set_mark(subject, finding, STATES[args.state], now, args.note)
        state = lifecycle(finding, store.scans(subject), store.mark_history(subject, finding))
        print(printable(f"{subject}: {finding} marked {args.state}; now: {state}"))
    return 0


def cmd_letter(args: argparse.Namespace) -> int:
    from scanner.history.store import HistoryStore
    from scanner.letters import deletion_letter

    with HistoryStore() as store:
        subject, finding_id = store.resolve_finding(args.finding)
        scan = next((s for s in reversed(store.scans(subject)) if finding_id in s.findings), None)
    if scan is None:
        raise InputError(f"finding {finding_id} is in no finished scan")
    target = scan.findings[finding_id]
    pages = [url for url in target.urls if url.startswith(("https://", "http://"))]
    if not pages:
        raise InputError(f"finding {finding_id} has no page to write to")
    page = pages[0]
    shown = [
        (f.kind.replace("_", " "), f.value)
        for f in scan.findings.values()
        if page in f.urls and f.kind not in ("account", "website", "photo", "breach")
    ]
    print(printable_block(deletion_letter(args.law, page, shown, datetime.now(UTC).date())))
    return 0


def printable_block(text: str) -> str:
    """Several lines, each made safe for a terminal."""
    return "\n".join(printable(line) for line in text.split("\n"))


def cmd_schedule(args: argparse.Namespace) -> int:
    from scanner.history.schedule import (
        Schedule,
        backend,
        check_label,
        install,
        list_schedules,
        plan,
        remove,
        render,
    )

    chosen = backend(args.backend)
    if args.list:
        rows = list_schedules(chosen)
        for row in rows:
            print(f"{row.label}\t{row.interval}\t{row.where}")
        if not rows:
            print(f"no scheduled rescans ({chosen})")
        return 0
    if args.remove:
        print(remove(check_label(args.remove), chosen))
        return 0
    if args.profile is None or args.interval is None:
        raise InputError("schedule needs a PROFILE and --monthly, --weekly or --daily "
                         "(or --list / --remove SUBJECT)")  # fmt: skip
    profile = args.profile.resolve()
    if not profile.is_file():
        raise InputError(f"profile not found: {args.profile}")
    label = subject_label(args.subject, profile)
    planned = Schedule(label, profile, args.interval)
    if args.dry_run:
        print(render(plan(planned), chosen))
        return 0
    print(install(planned, chosen))
    return 0


def cmd_rescan(args: argparse.Namespace, scan: Callable[[list[str]], int]) -> int:
    from scanner.history.schedule import check_interval, check_label, is_due, rescan_lock
    from scanner.history.store import HistoryStore

    label = check_label(args.subject)
    interval = check_interval(args.interval)
    with rescan_lock():
        with HistoryStore() as store:
            last = store.latest(label)
        if not is_due(last.started if last else None, interval, datetime.now(UTC)):
            assert last is not None  # never scanned is always due
            print(f"{label}: not due (last scan {last.started:%Y-%m-%d} UTC)")
            return 0
        status = scan(["scan", str(args.profile), "--subject", label, "--quiet", "--history"])
        _notify(label, status)
        return status


def _notify(label: str, status: int) -> None:
    """A desktop notice with no personal details, where notify-send exists."""
    program = shutil.which("notify-send")
    if program is None:
        return
    text = "rescan finished" if status == 0 else f"rescan failed (exit status {status})"
    subprocess.run(  # noqa: S603 - fixed program and arguments
        [program, "exposure-audit", f"{label}: {text}; open the report in your data folder"],
        check=False, timeout=10, capture_output=True,
    )  # fmt: skip


def mark_counts(since: Mapping[str, Any]) -> str:
    counts = since.get("counts", {})
    return (f"since the last scan: {counts.get('resurfaced', 0)} came back, "
            f"{counts.get('new', 0)} new, {counts.get('gone', 0)} gone")  # fmt: skip
