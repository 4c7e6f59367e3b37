"""`scan`: audit a subject and write the reports; the scheduled `rescan` runs the same.

`scan_and_report` is the whole of a scan as the user sees it: the report targets checked
before anything is sent, the scan (saved to history when asked), the reports written, the
summary printed. The scan itself comes from a ScanRequest (scanner.cli.request).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from scanner.cli.command import CliParser, Command
from scanner.cli.exits import scan_status
from scanner.cli.options import (
    add_depth_option,
    add_json_options,
    add_network_options,
    add_subject_options,
    network_flags,
    path_argument,
    positive_number,
    subject_flags,
)
from scanner.cli.output import emit, scan_summary, since_line
from scanner.cli.request import DEFAULT_TIMEOUT, ScanFlags, ScanRequest, build_request, execute
from scanner.errors import InputError

if TYPE_CHECKING:
    from scanner.history.recorder import Recorder
    from scanner.models import ScanResult

SITES_HELP = (
    "site list for account discovery, WhatsMyName format (default: the bundled WhatsMyName, "
    "Maigret and Sherlock lists, or your `sites update` copies; a replay world's own "
    "sites.json when replaying)"
)
ALL_SITES_HELP = (
    "also check the sites a list marks disabled, NSFW or a similar-name search (the default "
    "leaves them out)"
)
HISTORY_HELP = (
    "save the scan to history and compare it with the last one (default: on, off with --replay)"
)
RESUME_HELP = "continue an interrupted scan of this subject, keeping the sources it finished"
RESUMABLE = "the sources that finished are kept: add --resume to the same command to go on"
REPLAY_HELP = "answer every request from a recorded world instead of the network (demo, tests)"


def add_arguments(parser: CliParser) -> None:
    parser.add_argument(
        "profile", nargs="?", type=path_argument, help="profile TOML file (optional)"
    )
    add_subject_options(parser)
    out = parser.add_argument_group("output")
    out.add_argument(
        "--out", type=path_argument, metavar="DIR", help="write report.json and report.html here"
    )
    add_json_options(
        out,
        prints="print report.json on stdout (the summary goes to stderr)",
        writes="write report.json to PATH",
    )
    out.add_argument("--html", type=path_argument, metavar="PATH", help="write report.html to PATH")
    out.add_argument(
        "--redact",
        action="store_true",
        help="mask every personal value in the reports (a copy safe to share)",
    )
    out.add_argument(
        "--pdf",
        type=path_argument,
        metavar="PATH",
        help="also print report.html to a PDF (needs chromium)",
    )
    out.add_argument("--quiet", action="store_true", help="no progress output")
    net = parser.add_argument_group("network")
    net.add_argument("--sources", metavar="A,B", help="only these sources (see `sources`)")
    net.add_argument("--sites", type=path_argument, metavar="FILE.json", help=SITES_HELP)
    net.add_argument("--all-sites", action="store_true", help=ALL_SITES_HELP)
    add_depth_option(net)
    add_network_options(net)
    net.add_argument(
        "--timeout",
        type=positive_number,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="seconds to wait for each response (default 20)",
    )
    keep = parser.add_argument_group("history")
    keep.add_argument(
        "--subject", help="name of this subject in history (default: the profile file's name)"
    )
    keep.add_argument(
        "--history", action=argparse.BooleanOptionalAction, default=None, help=HISTORY_HELP
    )
    keep.add_argument("--resume", action="store_true", help=RESUME_HELP)
    net.add_argument("--replay", type=path_argument, metavar="DIR", help=REPLAY_HELP)


@dataclass(frozen=True)
class ReportTargets:
    """Where the reports go and what they hold."""

    out: Path | None = None  # a folder for report.json and report.html
    json_file: Path | None = None
    html: Path | None = None
    pdf: Path | None = None
    redact: bool = False
    print_json: bool = False  # report.json on stdout, the summary on stderr

    def paths(self, default_folder: Callable[[], Path]) -> tuple[Path | None, Path | None]:
        """--json-file / --html alone, else --out or the default folder (for the others)."""
        if self.out is None and (self.json_file or self.html):
            return self.json_file, self.html
        base = self.out or default_folder()
        return self.json_file or base / "report.json", self.html or base / "report.html"


@dataclass(frozen=True)
class Keep:
    """Saving the scan to history: under which subject, resuming an interrupted one or not."""

    label: str
    resume: bool = False


def run(args: argparse.Namespace) -> int:
    """Audit a subject from a profile file and/or flags; write and summarise the reports."""
    from scanner.history.recorder import subject_label

    flags = ScanFlags(
        profile_file=args.profile,
        subject=subject_flags(args),
        sources=_source_names(args.sources),
        sites=args.sites,
        all_sites=args.all_sites,
        replay=args.replay,
        network=network_flags(args),
        depth=args.depth,
        timeout=args.timeout,
    )
    request = build_request(flags)
    targets = ReportTargets(
        out=args.out,
        json_file=args.json_file,
        html=args.html,
        pdf=args.pdf,
        redact=args.redact,
        print_json=args.json,
    )
    keep = None
    if _saving(args.history, args.replay):
        keep = Keep(subject_label(args.subject, args.profile), resume=args.resume)
    return scan_and_report(request, targets, keep, quiet=args.quiet)


def _source_names(given: str | None) -> tuple[str, ...] | None:
    if given is None:
        return None
    names = tuple(name.strip() for name in given.split(","))
    if not all(names):
        raise InputError(f"--sources {given!r} names an empty source (see: exposure-audit sources)")
    return names


def _saving(history: bool | None, replay: Path | None) -> bool:
    """--history / --no-history; by default live scans are saved, replayed ones are not."""
    if history is not None:
        return history
    return replay is None


def scan_and_report(
    request: ScanRequest, targets: ReportTargets, keep: Keep | None, *, quiet: bool
) -> int:
    """Check the targets, scan (into history when `keep`), write the reports, summarise."""
    from scanner.paths import scans_dir

    for planned in (*targets.paths(lambda: scans_dir() / "new"), targets.pdf):
        if planned is not None:  # refused now, not after a long scan
            check_writable(planned)
    say = _progress_line(quiet)
    since: dict[str, Any] | None = None
    if keep is None:
        result = _run(request, say, quiet=quiet)
        written = write_all(result, since, targets)
    else:
        result, since, written = _run_into_history(request, targets, keep, say, quiet=quiet)
    _summarise(result, since, written, targets)
    return scan_status(result)


def _progress_line(quiet: bool) -> Callable[[str], None]:
    def say(text: str) -> None:
        if not quiet:
            print(text, file=sys.stderr)

    return say


def _run(
    request: ScanRequest,
    say: Callable[[str], None],
    *,
    quiet: bool,
    recorder: Recorder | None = None,
) -> ScanResult:
    """The scan with its progress on stderr (and a recorder's checkpoints)."""
    from scanner.progress import make_progress

    done = None
    on_outcome = None
    if recorder is not None:
        done, on_outcome = recorder.kept, recorder.keep
    progress = make_progress(sys.stderr, quiet=quiet)
    try:
        return execute(request, observer=progress, say=say, done=done, on_outcome=on_outcome)
    finally:
        progress.close()


def _run_into_history(
    request: ScanRequest,
    targets: ReportTargets,
    keep: Keep,
    say: Callable[[str], None],
    *,
    quiet: bool,
) -> tuple[ScanResult, dict[str, Any] | None, Written]:
    """The scan saved to history: resumed or started, compared with the last, saved once
    its reports are written (an interrupted scan keeps only its checkpoints).

    A scan that could check nothing is not saved and not compared: it would read as every
    earlier finding gone, and the next scan would be compared with it."""
    from scanner.history.recorder import Recorder

    recorder = Recorder(keep.label, resume=keep.resume, say=say)
    try:
        try:
            result = _run(request, say, quiet=quiet, recorder=recorder)
        except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: the checkpoints stay
            raise type(exc)(RESUMABLE) from None
        if not result.risk.checked:
            result = recorder.shown(result)
            recorder.abandon()
            say("not saved to history: nothing could be checked, so nothing is compared")
            return result, None, write_all(result, None, targets)
        result, since = recorder.conclude(result)
        written = write_all(result, since, targets)
        recorder.save(result, _history_json(result, since, written.report_json, targets))
    finally:
        recorder.close()
    return result, since, written


class Written(NamedTuple):
    """Where the reports went, and report.json's text."""

    json_path: Path | None
    html_path: Path | None
    report_json: str  # report.json's text, written or not


def write_all(result: ScanResult, since: dict[str, Any] | None, targets: ReportTargets) -> Written:
    """Write the reports (masked with --redact: history keeps the real scan)."""
    from scanner.paths import new_scan_dir
    from scanner.report import write_reports

    shown, shown_since = result, since
    variant = "standard"
    if targets.redact:
        from scanner.report.redact import redact_result

        shown, shown_since, variant = redact_result(result), None, "redacted"
    try:
        json_path, html_path = targets.paths(lambda: new_scan_dir(result.started))
        report_json = write_reports(shown, json_path, html_path, shown_since, variant=variant)
        if targets.pdf is not None:
            write_pdf(shown, shown_since, html_path, targets.pdf)
    except OSError as exc:  # the disk filled up or the folder went away during the scan
        where = ""
        if exc.filename:
            where = f" {exc.filename}"
        raise InputError(f"cannot write the report to{where}: {exc.strerror or exc}") from None
    return Written(json_path, html_path, report_json)


def _history_json(
    result: ScanResult, since: dict[str, Any] | None, report_json: str, targets: ReportTargets
) -> str:
    """What history keeps: the real report, never the masked copy."""
    if not targets.redact:
        return report_json
    import json

    from scanner.report.json import report_dict

    return json.dumps(report_dict(result, since), ensure_ascii=False)


def _summarise(
    result: ScanResult, since: dict[str, Any] | None, written: Written, targets: ReportTargets
) -> None:
    """The summary on stdout; with --json, report.json there and the summary on stderr."""
    lines = scan_summary(result, written.json_path, written.html_path)
    if since is not None and since.get("previous_scan"):
        lines.append(since_line(since))
    if targets.print_json:
        sys.stdout.write(written.report_json)
        emit(lines, sys.stderr)
        return
    emit(lines)


def write_pdf(
    result: ScanResult, since: dict[str, Any] | None, html_path: Path | None, pdf_path: Path
) -> None:
    """Print the HTML report to PDF with headless Chromium (offline)."""
    import tempfile

    from scanner.report.html import render_html
    from scanner.report.pdf import html_to_pdf
    from scanner.report.write import write_private

    if html_path is not None:
        html_to_pdf(html_path, pdf_path)
        return
    with tempfile.TemporaryDirectory() as folder:  # only a PDF was asked for
        page = Path(folder) / "report.html"
        write_private(page, render_html(result, since=since))
        html_to_pdf(page, pdf_path)


def check_writable(path: Path) -> None:
    """Refuse now what would fail after the scan; creates nothing (no empty folders left)."""
    from scanner.report.write import is_stdout, written_in_place

    if is_stdout(path):
        return
    if written_in_place(path):  # a device or FIFO; InputError for a folder or socket
        if not os.access(path, os.W_OK):
            raise InputError(f"cannot write the report to {path}: permission denied")
        return
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"cannot write the report to {path.parent}: {existing} is not a folder")
    if not os.access(existing, os.W_OK):
        raise InputError(f"cannot write the report to {path.parent}: permission denied")


COMMANDS = (
    Command(
        "scan",
        help="audit a subject from a profile file and/or flags",
        description="Audit a subject. Flags add to what the profile file holds.",
        add_arguments=add_arguments,
        run=run,
        legacy_json=True,
    ),
)
