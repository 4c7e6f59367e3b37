"""`schedule` and `rescan`: a profile rescanned regularly (systemd user timer or crontab).

The timer only runs `rescan --due …`; `rescan` scans when the subject's last complete scan
is an interval old (scanner.history.schedule.is_due), exactly as `scan PROFILE --subject
LABEL --quiet --history` would, then sends a desktop notice without personal details.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from scanner.cli.command import CliParser, Command
from scanner.cli.exits import EXIT_INCOMPLETE, EXIT_OK, exit_status
from scanner.cli.options import path_argument
from scanner.cli.output import emit, schedule_rows
from scanner.cli.request import ScanFlags, build_request
from scanner.cli.scan import Keep, ReportTargets, scan_and_report
from scanner.errors import InputError

INTERVALS = ("monthly", "weekly", "daily")
SCHEDULE_DESCRIPTION = (
    "Install, list or remove a scheduled rescan. The timer checks daily (cron: four times a "
    "day) and `rescan --due` scans only when the last scan is an interval old, so missed runs "
    "catch up. Reports go to the data folder; nothing is sent to anyone."
)


# --- schedule ------------------------------------------------------------------------------


def add_schedule_arguments(parser: CliParser) -> None:
    parser.add_argument(
        "profile", nargs="?", type=path_argument, help="profile TOML file to rescan"
    )
    every = parser.add_mutually_exclusive_group()
    for interval in INTERVALS:
        every.add_argument(f"--{interval}", dest="interval", action="store_const", const=interval)
    parser.add_argument("--subject", help="name in history (default: the profile file's name)")
    parser.add_argument("--dry-run", action="store_true", help="print what would be installed")
    parser.add_argument("--backend", choices=("systemd", "cron"), help="default: detected")
    parser.add_argument("--list", action="store_true", help="list installed schedules")
    parser.add_argument("--remove", metavar="SUBJECT", help="uninstall a subject's schedule")


def schedule(args: argparse.Namespace) -> int:
    """Install (or --dry-run: print), --list or --remove a scheduled rescan."""
    from scanner.history.schedule import backend, check_label, list_schedules, remove

    chosen = backend(args.backend)
    if args.list:
        emit(schedule_rows(list_schedules(chosen), chosen))
        return EXIT_OK
    if args.remove:
        print(remove(check_label(args.remove), chosen))
        return EXIT_OK
    if args.profile is None or args.interval is None:
        raise InputError(
            "schedule needs a PROFILE and --monthly, --weekly or --daily "
            "(or --list / --remove SUBJECT)"
        )
    return _install(args, chosen)


def _install(args: argparse.Namespace, chosen: str) -> int:
    from scanner.history.recorder import subject_label
    from scanner.history.schedule import Schedule, install, plan, render

    profile = args.profile.resolve()
    if not profile.is_file():
        raise InputError(f"profile not found: {args.profile}")
    planned = Schedule(subject_label(args.subject, profile), profile, args.interval)
    if args.dry_run:
        print(render(plan(planned), chosen))
    else:
        print(install(planned, chosen))
    return EXIT_OK


# --- rescan --------------------------------------------------------------------------------


def add_rescan_arguments(parser: CliParser) -> None:
    parser.add_argument("--due", action="store_true", required=True, help="only if it is due")
    parser.add_argument("--subject", required=True, help="the schedule's subject")
    parser.add_argument("--interval", required=True, help="monthly | weekly | daily")
    parser.add_argument("--profile", type=path_argument, required=True, help="the profile to scan")


def rescan(args: argparse.Namespace) -> int:
    """Scan the profile if the subject's last complete scan is an interval old."""
    from scanner.history.schedule import check_interval, check_label, is_due, rescan_lock
    from scanner.history.store import HistoryStore

    label = check_label(args.subject)
    interval = check_interval(args.interval)
    with rescan_lock():
        with HistoryStore() as store:
            last = store.latest(label)
        if last is not None and not is_due(last.started, interval, datetime.now(UTC)):
            print(f"{label}: not due (last scan {last.started:%Y-%m-%d} UTC)")
            return EXIT_OK
        return _scan_and_notify(label, args.profile)


def _scan_and_notify(label: str, profile: Path) -> int:
    """`scan PROFILE --subject LABEL --quiet --history`, then the notice (how it ended)."""
    try:
        request = build_request(ScanFlags(profile_file=profile))
        status = scan_and_report(request, ReportTargets(), Keep(label), quiet=True)
    except (Exception, KeyboardInterrupt) as exc:
        notify(label, exit_status(exc))
        raise
    notify(label, status)
    return status


def notify(label: str, status: int) -> None:
    """A desktop notice with no personal details, where notify-send exists."""
    import shutil
    import subprocess

    program = shutil.which("notify-send")
    if program is None:
        return
    text = "rescan finished"
    if status == EXIT_INCOMPLETE:
        text = "rescan finished, but some sources could not check"
    elif status != EXIT_OK:
        text = f"rescan failed (exit status {status})"
    subprocess.run(  # noqa: S603 - fixed program and arguments
        [program, "exposure-audit", f"{label}: {text}; open the report in your data folder"],
        check=False,
        timeout=10,
        capture_output=True,
    )


COMMANDS = (
    Command(
        "schedule",
        help="rescan a profile regularly (systemd user timer, or crontab)",
        description=SCHEDULE_DESCRIPTION,
        add_arguments=add_schedule_arguments,
        run=schedule,
    ),
    Command(
        "rescan",
        help="what a schedule runs: scan if it is due",
        add_arguments=add_rescan_arguments,
        run=rescan,
    ),
)
