"""The command line. The only place that maps errors to exit codes and messages.

Exit status: 0 done (the report lists any source that could not be checked),
1 unexpected internal error, 2 bad input (profile, option or file), 130 interrupted,
141 the output pipe closed early.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

# Start-up stays fast (`--help`, `--version`, a scheduled check that is not due): the
# scan machinery is imported by the commands that use it, not here.
from scanner import __version__, cli_counsel, cli_doctor, cli_history, cli_usernames
from scanner.cli_network import add_network_options, network_path_of
from scanner.errors import InputError
from scanner.limits import DEFAULT_DEPTH, MAX_DEPTH
from scanner.models import RunStatus
from scanner.text import printable
from scanner.userfiles import read_user_file

if TYPE_CHECKING:
    from scanner.extract import Extracted
    from scanner.models import ScanResult
    from scanner.netpath import NetworkPath
    from scanner.sites.catalogue import Catalogue

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_PIPE = 0, 1, 2, 130, 141
MAX_EXTRACT_BYTES = 50_000_000
PROG = "exposure-audit"
DESCRIPTION = (
    "Audit what is public about you: search public sources for your own name, handles, "
    "emails and phones, rank what someone could piece together, and write a report with a "
    "removal step for every finding. Nothing is sent anywhere except the queries each "
    "source needs; no login, sign-up or password-reset page is ever touched."
)
EPILOG = (
    "exit status: 0 done, 1 internal error, 2 bad input, 130 interrupted, 141 output pipe "
    "closed. "
    "Environment: GITHUB_TOKEN and GRAVATAR_API_KEY (optional API keys, never written "
    "to reports); HTTPS_PROXY/HTTP_PROXY/ALL_PROXY/NO_PROXY (http, https or socks5h "
    "proxies; the proxy resolves host names), SSL_CERT_FILE and EXPOSURE_AUDIT_TOR are "
    "honoured; XDG_DATA_HOME decides where reports go by default. `doctor` shows the "
    "network path a scan would take."
)


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise InputError(f"{message} (see `{self.prog} --help`)")


HISTORY_COMMANDS = {
    "history": cli_history.cmd_history,
    "diff": cli_history.cmd_diff,
    "mark": cli_history.cmd_mark,
    "schedule": cli_history.cmd_schedule,
    "letter": cli_history.cmd_letter,
}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    _add_scan(commands)
    _add_extract(commands)
    commands.add_parser("sources", help="list the sources a scan can use and what each needs")
    cli_usernames.add_commands(commands, _Parser)
    cli_history.add_commands(commands)
    cli_counsel.add_commands(commands, _Parser)
    cli_doctor.add_command(commands)
    return parser


def _add_scan(commands: Any) -> None:
    scan = commands.add_parser(
        "scan",
        help="audit a subject from a profile file and/or flags",
        description="Audit a subject. Flags add to what the profile file holds.",
    )
    scan.add_argument("profile", nargs="?", type=Path, help="profile TOML file (optional)")
    who = scan.add_argument_group("subject (repeatable)")
    who.add_argument("--name", action="append", default=[], help="your full name")
    who.add_argument("--alias", action="append", default=[], help="another name you use")
    who.add_argument("--handle", action="append", default=[], help="a username you use")
    who.add_argument("--email", action="append", default=[], help="an email address of yours")
    who.add_argument("--phone", action="append", default=[], help="a phone number of yours")
    who.add_argument(
        "--location", action="append", default=[], metavar='"City, ST"', help="where you live"
    )
    who.add_argument(
        "--domain", action="append", default=[], help="a web domain of yours (example.com)"
    )
    who.add_argument(
        "--affiliation", action="append", default=[], metavar="NAME",
        help="an employer or school you are known by (searched with your name)",
    )  # fmt: skip
    who.add_argument("--country", help="2-letter country code for phone numbers (default US)")
    out = scan.add_argument_group("output")
    out.add_argument(
        "--out", type=Path, metavar="DIR", help="write report.json and report.html here"
    )
    out.add_argument("--json", type=Path, metavar="PATH", help="write report.json to PATH")
    out.add_argument("--html", type=Path, metavar="PATH", help="write report.html to PATH")
    out.add_argument(
        "--redact", action="store_true",
        help="mask every personal value in the reports (a copy safe to share)",
    )  # fmt: skip
    out.add_argument(
        "--pdf", type=Path, metavar="PATH", help="also print report.html to a PDF (needs chromium)"
    )
    out.add_argument("--quiet", action="store_true", help="no progress output")
    net = scan.add_argument_group("network")
    net.add_argument("--sources", metavar="A,B", help="only these sources (see `sources`)")
    net.add_argument(
        "--sites", type=Path, metavar="FILE.json",
        help="site list for account discovery, WhatsMyName format (default: the list from "
        "`sites update`; a replay world's own sites.json when replaying)",
    )  # fmt: skip
    net.add_argument(
        "--depth", type=_depth, default=DEFAULT_DEPTH, metavar="N",
        help=f"follow leads (emails, handles, domains tied to you) N steps deep, 0 to {MAX_DEPTH}"
        f" (default {DEFAULT_DEPTH}; 0 looks up only what you gave)",
    )  # fmt: skip
    add_network_options(net)
    net.add_argument(
        "--timeout", type=_positive, default=20.0, metavar="SECONDS",
        help="seconds to wait for each response (default 20)",
    )  # fmt: skip
    keep = scan.add_argument_group("history")
    keep.add_argument(
        "--subject", help="name of this subject in history (default: the profile file's name)"
    )
    keep.add_argument(
        "--history", action=argparse.BooleanOptionalAction, default=None,
        help="save the scan to history and compare it with the last one (default: on, "
        "off with --replay)",
    )  # fmt: skip
    keep.add_argument(
        "--resume", action="store_true",
        help="continue an interrupted scan of this subject, keeping the sources it finished",
    )  # fmt: skip
    net.add_argument(
        "--replay", type=Path, metavar="DIR",
        help="answer every request from a recorded world instead of the network (demo, tests)",
    )  # fmt: skip


def _add_extract(commands: Any) -> None:
    extract = commands.add_parser(
        "extract",
        help="print the personal details found in text or HTML files",
        description=(
            "Find emails, phone numbers (E.164), street addresses, places, birth dates, ages, "
            "employers, schools, names and relatives (each after a cue such as 'Relatives:'), "
            "URLs and @handles in files, with the same extractors a scan uses."
        ),
    )
    extract.add_argument("files", nargs="+", metavar="FILE", help="a file, or - for stdin")
    extract.add_argument("--json", action="store_true", help="JSON output")
    extract.add_argument(
        "--region", type=_region, default="US", help="default region for phone numbers"
    )


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (math.isfinite(value) and value > 0):  # "nan" and "inf" parse as floats
        raise argparse.ArgumentTypeError(f"must be a positive number: {text!r}")
    return value


def _depth(text: str) -> int:
    if not (text.isdigit() and 0 <= int(text) <= MAX_DEPTH):
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to {MAX_DEPTH}: {text!r}")
    return int(text)


def _region(text: str) -> str:
    code = text.strip().upper()
    import phonenumbers

    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise argparse.ArgumentTypeError(f"unknown region {text!r} (use a 2-letter code like US)")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_output()
    try:
        args = build_parser().parse_args(argv)
        if args.command == "scan":
            return cmd_scan(args)
        if args.command == "extract":
            return cmd_extract(args)
        if args.command == "usernames":
            return cli_usernames.cmd_usernames(args)
        if args.command == "sites":
            return cli_usernames.cmd_sites(args)
        if args.command in HISTORY_COMMANDS:
            return HISTORY_COMMANDS[args.command](args)
        if args.command == "rescan":
            return cli_history.cmd_rescan(args, main)
        if args.command == "clients":
            return cli_counsel.cmd_clients(args, quiet_scan)
        if args.command == "doctor":
            return cli_doctor.cmd_doctor(args)
        return cmd_sources()
    except InputError as exc:
        print(f"{PROG}: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `exposure-audit … | head`: stop quietly
        with contextlib.suppress(OSError, ValueError):  # no more writes to the closed pipe
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE
    except Exception as exc:  # last resort: one line, never a traceback by default
        if os.environ.get("EXPOSURE_AUDIT_DEBUG"):
            raise
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {printable(str(exc))}", file=sys.stderr
        )
        return EXIT_INTERNAL


def _tolerant_output() -> None:
    """Never crash on a terminal or pipe whose encoding cannot show a character."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


# --- scan --------------------------------------------------------------------------


def cmd_scan(args: argparse.Namespace) -> int:
    from scanner.http import Http, HttpSettings
    from scanner.netpath import describe_route
    from scanner.paths import new_scan_dir, scans_dir
    from scanner.pipeline import run_scan
    from scanner.profile import build_profile, merge_flags, read_profile_file
    from scanner.progress import make_progress
    from scanner.replay import ReplayTransport
    from scanner.report import write_reports
    from scanner.sources import select_sources

    data = read_profile_file(args.profile) if args.profile else {}
    flags = {
        "names": args.name, "aliases": args.alias, "handles": args.handle,
        "emails": args.email, "phones": args.phone, "locations": args.location,
        "domains": args.domain, "affiliations": args.affiliation,
        "country": [args.country] if args.country else [],
    }  # fmt: skip
    origin = str(args.profile) if args.profile else "command line"
    profile = build_profile(merge_flags(data, flags), origin=origin)
    site_list = _site_list(args.sites, args.replay)
    sources = select_sources(args.sources.split(",") if args.sources else None, site_list)
    settings = HttpSettings(
        path=network_path_of(args), timeout=args.timeout,
        pacing=not args.replay,  # a recorded world has no service to be polite to
    )  # fmt: skip
    transport = ReplayTransport(args.replay) if args.replay else None
    planned_paths = [*_report_paths(args, lambda: scans_dir() / "new"), args.pdf]
    for planned in planned_paths:  # before a long scan
        if planned is not None:
            _check_writable(planned)
    saving = args.history if args.history is not None else not args.replay
    label = cli_history.subject_label(args.subject, args.profile)
    say = (lambda text: None) if args.quiet else (lambda text: print(text, file=sys.stderr))
    recorder = cli_history.Recorder(label, resume=args.resume, say=say) if saving else None
    progress = make_progress(sys.stderr, quiet=args.quiet)

    async def scan() -> ScanResult:
        async with Http(settings, transport=transport) as http:
            say(f"network path: {describe_route(http.route)[0]}")
            return await run_scan(
                profile, sources, http, observer=progress, depth=args.depth,
                replay=str(args.replay) if args.replay else None,
                done=recorder.kept if recorder else None,
                on_outcome=recorder.keep if recorder else None,
            )  # fmt: skip

    try:
        try:
            result = asyncio.run(scan())
        finally:
            progress.close()
        since = None
        if recorder is not None:
            result, since = recorder.conclude(result)
        shown, shown_since = result, since
        if args.redact:  # nothing personal in what is written; history keeps the real scan
            from scanner.report.redact import redact_result

            shown, shown_since = redact_result(result), None
        try:
            json_path, html_path = _report_paths(args, lambda: new_scan_dir(result.started))
            variant = "redacted" if args.redact else "standard"
            report_json = write_reports(shown, json_path, html_path, shown_since, variant=variant)
            if args.pdf is not None:
                _write_pdf(shown, shown_since, html_path, args.pdf)
        except OSError as exc:  # the disk filled up or the folder went away during the scan
            where = f" {exc.filename}" if exc.filename else ""
            raise InputError(f"cannot write the report to{where}: {exc.strerror or exc}") from None
        if recorder is not None:
            if args.redact:  # history keeps the real report, not the masked copy
                from scanner.report.json import report_dict

                report_json = json.dumps(report_dict(result, since), ensure_ascii=False)
            recorder.save(result, report_json)
    finally:
        if recorder is not None:
            recorder.close()
    _print_summary(result, json_path, html_path)
    if since is not None and since.get("previous_scan"):
        print(cli_history.mark_counts(since))
    return EXIT_OK


def _report_paths(
    args: argparse.Namespace, default_folder: Callable[[], Path]
) -> tuple[Path | None, Path | None]:
    """Where the reports go: --json / --html alone, else --out or the default folder."""
    if args.out is None and (args.json or args.html):
        return args.json, args.html
    base = args.out or default_folder()
    return args.json or base / "report.json", args.html or base / "report.html"


def quiet_scan(
    profile: Any, sources: Any, replay: Path | None = None, path: NetworkPath | None = None
) -> ScanResult:
    """A scan with no progress output and nothing written: for counselor mode."""
    from scanner.http import Http, HttpSettings
    from scanner.netpath import network_path
    from scanner.pipeline import run_scan
    from scanner.replay import ReplayTransport

    settings = HttpSettings(path=path or network_path(), pacing=replay is None)
    transport = ReplayTransport(replay) if replay else None

    async def scan() -> ScanResult:
        async with Http(settings, transport=transport) as http:
            return await run_scan(profile, sources, http, replay=str(replay) if replay else None)

    return asyncio.run(scan())


def _write_pdf(
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


def _site_list(path: Path | None, replay: Path | None) -> Catalogue | None:
    """--sites, else a replayed world's own sites.json (the installed list would send
    requests the world cannot answer), else None: the accounts source uses the installed one."""
    from scanner.sites.catalogue import load_catalogue

    if path is not None:
        return load_catalogue(path)
    if replay is not None and (replay / "sites.json").is_file():
        return load_catalogue(replay / "sites.json")
    return None


def _check_writable(path: Path) -> None:
    """Refuse now what would fail after the scan; creates nothing (no empty folders left)."""
    if path.is_dir():
        raise InputError(f"cannot write the report to {path}: it is a folder")
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"cannot write the report to {path.parent}: {existing} is not a folder")
    if not os.access(existing, os.W_OK):
        raise InputError(f"cannot write the report to {path.parent}: permission denied")


def _print_summary(result: ScanResult, json_path: Path | None, html_path: Path | None) -> None:
    from scanner.progress import run_title

    risk = result.risk
    if risk.checked:
        print(f"exposure: {risk.level.value} ({risk.score}/100), {len(result.findings)} finding(s)")
    else:
        print("exposure: unknown: no source could be checked")
    print(printable(risk.summary))
    ran_for_a_lead = {run.name for run in result.runs if run.via and run.status is RunStatus.OK}
    for run in result.runs:
        if run.status in (RunStatus.BLOCKED, RunStatus.ERROR):
            print(printable(f"could not check {run_title(run)}: {run.reason}"))
        elif run.status is RunStatus.SKIPPED and run.name not in ran_for_a_lead:
            # "nothing found" must not hide "nothing ran"
            print(printable(f"not run {run.title}: {run.reason}"))
    if html_path:
        print(f"report.html: {html_path}")
    if json_path:
        print(f"report.json: {json_path}")


# --- extract -----------------------------------------------------------------------


def cmd_extract(args: argparse.Namespace) -> int:
    region = str(args.region)
    batch = len(args.files) > 1
    for name in args.files:
        found = _extract_file(name, region)
        if args.json:
            items = [asdict(item) | {"kind": item.kind.value} for item in found]
            print(json.dumps({"file": name, "findings": items} if batch else items))
            continue
        for item in found:  # hostile text: no control character reaches the terminal
            fields = [name] if batch else []
            fields += [item.kind.value, item.value, item.evidence]
            print("\t".join(printable(field) for field in fields))
    return EXIT_OK


def _extract_file(name: str, region: str) -> list[Extracted]:
    from scanner.extract import extract_html, extract_text

    raw = (
        sys.stdin.buffer.read(MAX_EXTRACT_BYTES + 1)
        if name == "-"
        else read_user_file(Path(name), "file", MAX_EXTRACT_BYTES)
    )
    if len(raw) > MAX_EXTRACT_BYTES:
        raise InputError(f"{name}: larger than {MAX_EXTRACT_BYTES} bytes")
    if b"\0" in raw[:8192]:
        raise InputError(f"{name}: not a text or HTML file")
    text = raw.decode("utf-8", errors="replace")
    looks_html = name.lower().endswith((".html", ".htm")) or _sniff_html(text)
    return extract_html(text, region=region) if looks_html else extract_text(text, region=region)


def _sniff_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


# --- sources -----------------------------------------------------------------------


def cmd_sources() -> int:
    from scanner.sources import SOURCES

    name_width = max(len(cls.name) for cls in SOURCES)
    title_width = max(len(cls.title) for cls in SOURCES)
    for cls in SOURCES:
        needs = " or ".join(sorted(cls.needs))
        print(f"{cls.name:<{name_width}}  {cls.title:<{title_width}}  needs: {needs}")
    return EXIT_OK
