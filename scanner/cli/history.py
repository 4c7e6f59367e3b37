"""`history`, `diff`, `mark`, `letter`: what the local scan history holds and records.

Scans are saved by `scan` (scanner.history.recorder); these commands read the same store
(scanner.history.store) and record removal marks. Bad input raises InputError.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from scanner.cli.command import CliParser, Command
from scanner.cli.exits import EXIT_OK
from scanner.cli.output import diff_lines, emit, history_lines, printable_block
from scanner.errors import InputError
from scanner.text import printable

if TYPE_CHECKING:
    from scanner.history.records import ScanRecord
    from scanner.history.store import HistoryStore

STATES = ("requested", "done", "not-me", "could-not-remove")  # MarkState, spelt with "-"
DIFF_USAGE = "diff takes [SUBJECT] [SCAN_A SCAN_B]"
NOT_PAGES = ("account", "website", "photo", "breach")  # kinds a deletion letter never names


# --- history -------------------------------------------------------------------------------


def add_history_arguments(parser: CliParser) -> None:
    parser.add_argument("subject", nargs="?", help="whose (default: every subject)")


def history(args: argparse.Namespace) -> int:
    """Each subject's scans (date, risk, findings by severity) and time to removal per site."""
    from scanner.history.diff import summarise_removal_times, time_to_removal
    from scanner.history.schedule import check_label
    from scanner.history.store import HistoryStore

    with HistoryStore() as store:
        subjects = [check_label(args.subject)] if args.subject else store.subjects()
        if not subjects:
            print("no scans saved yet")
        for subject in subjects:
            scans = store.scans(subject)
            marked = {fid: store.mark_history(subject, fid) for fid in store.marks(subject)}
            times = summarise_removal_times(time_to_removal(scans, marked))
            emit(history_lines(subject, scans, times))
    return EXIT_OK


# --- diff ----------------------------------------------------------------------------------


def add_diff_arguments(parser: CliParser) -> None:
    parser.add_argument("args", nargs="*", metavar="[SUBJECT] [SCAN_A SCAN_B]")


def diff(args: argparse.Namespace) -> int:
    """What is new, gone, back or changed between the last two (or two given) scans."""
    from scanner.history.diff import diff_scans
    from scanner.history.store import HistoryStore

    with HistoryStore() as store:
        scans = diff_history(store, list(args.args))
        emit(diff_lines(diff_scans(scans, store.marks(scans[-1].subject))))
    return EXIT_OK


def diff_history(store: HistoryStore, args: Sequence[str]) -> list[ScanRecord]:
    """The scans to compare, oldest first: a subject's, or up to two given scans."""
    if len(args) > 3:
        raise InputError(DIFF_USAGE)
    numbers = [a for a in args if a.lstrip("#").isdigit()]
    names = [a for a in args if a not in numbers]
    if len(numbers) not in (0, 2) or len(names) > 1:
        raise InputError(f"{DIFF_USAGE}: a subject and/or two scan numbers")
    if numbers:
        return _between(store, numbers, names)
    return _of_subject(store, names)


def _between(store: HistoryStore, numbers: Sequence[str], names: Sequence[str]) -> list[ScanRecord]:
    """Every scan of the subject up to the older of the two, then the newer one."""
    a, b = (store.scan(int(n.lstrip("#"))) for n in numbers)
    if a.subject != b.subject or (names and names[0] != a.subject):
        raise InputError(f"scans #{a.id} and #{b.id} are not of the same subject")
    older, newer = sorted((a, b), key=lambda s: (s.started, s.id))
    earlier = [s for s in store.scans(a.subject) if (s.started, s.id) <= (older.started, older.id)]
    return [*earlier, newer]


def _of_subject(store: HistoryStore, names: Sequence[str]) -> list[ScanRecord]:
    from scanner.history.schedule import check_label

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


# --- mark ----------------------------------------------------------------------------------


def add_mark_arguments(parser: CliParser) -> None:
    parser.add_argument("finding", metavar="FINDING_ID")
    parser.add_argument(
        "state",
        choices=sorted(STATES),
        metavar="STATE",
        help="requested | done | not-me | could-not-remove",
    )
    parser.add_argument("--note", default="", help="a short note for yourself")


def mark(args: argparse.Namespace) -> int:
    """Record removal progress on a finding, or that it is not the subject."""
    from scanner.history.diff import lifecycle
    from scanner.history.records import MarkState
    from scanner.history.store import HistoryStore

    state = MarkState(args.state.replace("-", "_"))
    with HistoryStore() as store:
        subject, finding = store.resolve_finding(args.finding)
        store.set_mark(subject, finding, state, datetime.now(UTC), args.note)
        now = lifecycle(finding, store.scans(subject), store.mark_history(subject, finding))
        print(printable(f"{subject}: {finding} marked {args.state}; now: {now}"))
    return EXIT_OK


# --- letter --------------------------------------------------------------------------------


def add_letter_arguments(parser: CliParser) -> None:
    parser.add_argument("finding", metavar="FINDING_ID")
    parser.add_argument("--law", choices=("ccpa", "gdpr"), default="ccpa", help="default ccpa")


def letter(args: argparse.Namespace) -> int:
    """Print a deletion request naming only what the finding's page already shows."""
    from scanner.history.store import HistoryStore
    from scanner.letters import deletion_letter

    with HistoryStore() as store:
        subject, finding_id = store.resolve_finding(args.finding)
        scans = [s for s in store.scans(subject) if finding_id in s.findings]
    if not scans:
        raise InputError(f"finding {finding_id} is in no finished scan")
    scan = scans[-1]
    pages = [
        url for url in scan.findings[finding_id].urls if url.startswith(("https://", "http://"))
    ]
    if not pages:
        raise InputError(f"finding {finding_id} has no page to write to")
    page = pages[0]
    shown = [
        (f.kind.replace("_", " "), f.value)
        for f in scan.findings.values()
        if page in f.urls and f.kind not in NOT_PAGES
    ]
    print(printable_block(deletion_letter(args.law, page, shown, datetime.now(UTC).date())))
    return EXIT_OK


COMMANDS = (
    Command(
        "history",
        help="past scans: date, findings by severity, risk",
        add_arguments=add_history_arguments,
        run=history,
    ),
    Command(
        "diff",
        help="what is new, gone, back or changed between two scans",
        description="Compare the last two scans of a subject, or two given scans (by number, "
        "see `history`). Things that came back after they were gone or marked done come first.",
        add_arguments=add_diff_arguments,
        run=diff,
    ),
    Command(
        "mark",
        help="record removal progress, or that a finding is not you",
        description="Mark a finding (its id, or the first 6+ characters of it, from the "
        "report). 'not-me' hides it in later scans.",
        add_arguments=add_mark_arguments,
        run=mark,
    ),
    Command(
        "letter",
        help="a CCPA or GDPR deletion request for a page showing a finding",
        description="Print a deletion request for the page where a saved finding was seen. It "
        "names only what that page already shows about you (nothing new for the recipient); "
        "you sign and send it yourself.",
        add_arguments=add_letter_arguments,
        run=letter,
    ),
)
