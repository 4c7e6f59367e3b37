"""Counselor mode on the command line: `exposure-audit clients ACTION …`.

Every client's profile, consent and scans live encrypted in a workspace
(scanner/counsel/vault.py); reports are rendered from the stored scan only when the
counselor exports one, into a folder they name. The passphrase is asked at a prompt, or
read from EXPOSURE_AUDIT_PASSPHRASE (scripts, tests), or taken from a session unlock
(`clients unlock`, off by default, until its timeout or `clients lock`).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.cli.command import CliParser, Command, CommandGroup
from scanner.cli.exits import EXIT_INTERNAL, EXIT_OK, scan_status
from scanner.cli.options import (
    add_network_options,
    add_subject_options,
    network_flags,
    path_argument,
    subject_flags,
)
from scanner.cli.output import client_row, coverage_lines, emit
from scanner.cli.request import ScanFlags, build_request, execute
from scanner.errors import InputError, ScannerError
from scanner.text import printable

if TYPE_CHECKING:
    from collections.abc import Sequence

    from scanner.counsel.clients import ClientRecord
    from scanner.counsel.vault import Vault
    from scanner.models import ScanResult
    from scanner.netpath import NetworkPath

PASSPHRASE_ENV = "EXPOSURE_AUDIT_PASSPHRASE"  # noqa: S105 - the variable's name, not a secret
RESCAN_DAYS = 30
DESCRIPTION = (
    "Audits for clients, kept encrypted with a passphrase in a workspace (--workspace DIR, "
    f"default your data folder). The passphrase is asked, or read from {PASSPHRASE_ENV}. "
    "Nothing is ever sent to a client's devices or inboxes."
)


def add_arguments(parser: CliParser) -> None:
    parser.add_argument(
        "--workspace", type=path_argument, metavar="DIR", help="the workspace folder"
    )


# --- the workspace -------------------------------------------------------------------------


def workspace(args: argparse.Namespace) -> Path:
    """--workspace, else the data folder's workspace."""
    from scanner.paths import data_dir

    if args.workspace is not None:
        return Path(args.workspace).expanduser()
    return (data_dir() / "workspace").expanduser()


def open_vault(args: argparse.Namespace) -> Vault:
    """The workspace, opened with the session unlock, or the passphrase."""
    from scanner.counsel.vault import Vault, cached_key

    folder = workspace(args)
    if os.environ.get(PASSPHRASE_ENV) is None:
        key = cached_key(folder)
        if key is not None:
            return Vault.open_with_key(folder, key)
    return Vault.open(folder, passphrase())


def passphrase(*, confirm: bool = False) -> str:
    """EXPOSURE_AUDIT_PASSPHRASE, else asked at the terminal (twice with `confirm`)."""
    given = os.environ.get(PASSPHRASE_ENV)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise InputError(f"no passphrase: run at a terminal or set {PASSPHRASE_ENV}")
    first = getpass.getpass("workspace passphrase: ")
    if confirm and getpass.getpass("again: ") != first:
        raise InputError("the two passphrases differ")
    return first


def init(args: argparse.Namespace) -> int:
    """Create an encrypted workspace."""
    from scanner.counsel.vault import Vault

    folder = workspace(args)
    Vault.create(folder, passphrase(confirm=True))
    print(f"workspace created in {folder}")
    return EXIT_OK


def unlock(args: argparse.Namespace) -> int:
    """Keep the workspace unlocked for a while (this session only)."""
    from scanner.counsel.vault import cache_key

    vault = open_vault(args)
    if not 1 <= args.minutes <= 240:
        raise InputError("--minutes must be 1 to 240")
    cache_key(vault.folder, vault.key, args.minutes)
    print(f"unlocked for {args.minutes} minutes (`exposure-audit clients lock` to end it)")
    return EXIT_OK


def lock(args: argparse.Namespace) -> int:
    """Forget a session unlock now."""
    from scanner.counsel.vault import forget

    forget(workspace(args))
    print("locked")
    return EXIT_OK


# --- clients and their consent -------------------------------------------------------------


def add_add_arguments(parser: CliParser) -> None:
    parser.add_argument("label", help='how you refer to the client, e.g. "Client A"')
    parser.add_argument("--consent-by", required=True, metavar="NAME", help="who recorded consent")
    parser.add_argument(
        "--sources", default="all", metavar="A,B", help="sources the client agreed to (default all)"
    )
    parser.add_argument(
        "--retention-days",
        type=int,
        default=90,
        metavar="N",
        help="delete the client's data N days after the last scan (default 90)",
    )
    parser.add_argument("--note", default="", help="what the client agreed to, in words")


def add(args: argparse.Namespace) -> int:
    """Add a client with their consent (who, which sources, how long the data is kept)."""
    from scanner.counsel.clients import Consent, add_client

    vault = open_vault(args)
    named = [name.strip().lower() for name in args.sources.split(",") if name.strip()]
    if "all" not in named:
        from scanner.sources import select_sources

        select_sources(named)  # a mistyped source is an error, not a consent that covers nothing
    consent = Consent(
        by=args.consent_by,
        at=datetime.now(UTC),
        sources=tuple(args.sources.split(",")),
        retention_days=args.retention_days,
        note=args.note,
    )
    record = add_client(vault, args.label, consent, datetime.now(UTC))
    kept = consent.retention_days
    print(printable(f"added {record.label}: consent by {consent.by}, kept {kept} days"))
    return EXIT_OK


def list_all(args: argparse.Namespace) -> int:
    """Clients, who recorded their consent, the last scan and when their data expires."""
    from scanner.counsel.clients import list_clients

    records = list_clients(open_vault(args))
    if not records:
        print("no clients yet")
    emit(client_row(record) for record in records)
    return EXIT_OK


# --- scans ---------------------------------------------------------------------------------


def add_scan_arguments(parser: CliParser) -> None:
    parser.add_argument("label", help="the client")
    parser.add_argument(
        "profile", nargs="?", type=path_argument, help="profile TOML (kept encrypted)"
    )
    given = parser.add_argument_group("subject without shell history")
    given.add_argument(
        "--subject-file",
        type=path_argument,
        metavar="PATH",
        help="the client's profile TOML (as PROFILE)",
    )
    given.add_argument(
        "--ask", action="store_true", help="ask for the name, handles and emails at the terminal"
    )
    add_subject_options(parser)
    parser.add_argument("--replay", type=path_argument, metavar="DIR", help=argparse.SUPPRESS)
    add_network_options(parser)


def scan(args: argparse.Namespace) -> int:
    """Scan a client within their consent; the scan is kept encrypted, nothing is written."""
    profile_file = subject_file(args)
    if args.ask and not sys.stdin.isatty():
        raise InputError("--ask needs a terminal: stdin is not one (use --subject-file PATH)")
    vault = open_vault(args)
    subject = subject_flags(args)
    if args.ask:
        subject = asked_subject(subject)
    flags = ScanFlags(
        profile_file=profile_file,
        subject=subject,
        replay=args.replay,
        network=network_flags(args),
    )
    record_label, result = scan_client(vault, args.label, flags)
    findings = len(result.findings)
    print(
        printable(
            f"{record_label}: scanned, {findings} finding(s); export a report with `clients report`"
        )
    )
    emit(coverage_lines(result))  # what could not check: the report is incomplete there
    return scan_status(result)


def subject_file(args: argparse.Namespace) -> Path | None:
    """The profile file: PROFILE or --subject-file (the same file, read the same way)."""
    if args.profile is not None and args.subject_file is not None:
        raise InputError("give the profile once: PROFILE or --subject-file, not both")
    if args.subject_file is not None:
        return Path(args.subject_file)
    profile: Path | None = args.profile
    return profile


# profile key, prompt
ASKED = (
    ("names", "full name (blank for none): "),
    ("handles", "usernames, comma-separated (blank for none): "),
    ("emails", "email addresses, comma-separated (blank for none): "),
)


def asked_subject(subject: dict[str, list[str]]) -> dict[str, list[str]]:
    """The subject flags plus a name, handles and emails typed at prompts (comma-separated;
    blank for none), so nothing about the client lands in the shell's history."""
    asked = {key: list(values) for key, values in subject.items()}
    for key, prompt in ASKED:
        typed = input(prompt)
        if key == "names":
            values = [typed.strip()] if typed.strip() else []
        else:
            values = [part.strip() for part in typed.split(",") if part.strip()]
        asked[key] = [*asked.get(key, []), *values]
    return asked


def scan_client(
    vault: Vault, label: str, flags: ScanFlags, path: NetworkPath | None = None
) -> tuple[str, ScanResult]:
    """Scan one client (their stored profile, or a new file, plus the flags) with the
    sources their consent covers; keep the profile and the scan in the workspace.

    The request holds only the consented sources, and the pipeline follows leads with the
    request's sources alone, so a lead one source finds (an email in GitHub commits) is never
    looked up by a source outside the consent (tests/test_cli_counsel.py)."""
    from scanner.counsel.clients import get_client, require_consent, save_scan, set_profile
    from scanner.history.codec import dumps

    record = get_client(vault, label)
    consent = record.consent
    if consent is None:
        raise InputError(f"no consent recorded for {record.label}: add it first")
    request = build_request(
        flags,
        stored=record.profile,
        origin=f"client {record.label}",
        allowed=consent.covers,
        path=path,
    )
    require_consent(record, [source.name for source in request.sources])
    result = execute(request)
    set_profile(vault, record.label, plain(request.given))
    save_scan(vault, record.label, dumps(result), result.finished)
    return record.label, result


def plain(value: Any) -> Any:
    """A profile as JSON can hold it: TOML dates become ISO text (the profile reads both)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return value


def add_rescan_arguments(parser: CliParser) -> None:
    parser.add_argument("--due", action="store_true", required=True)
    parser.add_argument("--every", type=int, default=RESCAN_DAYS, metavar="DAYS")
    add_network_options(parser)


def rescan(args: argparse.Namespace) -> int:
    """Rescan every client whose last scan is --every days old; one failing stops none."""
    from scanner.counsel.clients import due_for_rescan

    vault = open_vault(args)
    due = due_for_rescan(vault, datetime.now(UTC), args.every)
    path = network_flags(args).path()  # once: a missing Tor client stops the batch
    failed = 0
    for record in due:
        try:
            scan_client(vault, record.label, ScanFlags(), path)
        except (ScannerError, OSError) as exc:
            failed += 1
            print(printable(f"{record.label}: not rescanned: {exc}"), file=sys.stderr)
    # the notice holds counts only: no client names or details
    print(f"rescanned {len(due) - failed} client(s); {failed} failed; {len(due)} were due")
    if failed:
        return EXIT_INTERNAL
    return EXIT_OK


# --- reports, export, purge ----------------------------------------------------------------


def add_report_arguments(parser: CliParser) -> None:
    parser.add_argument("label", help="the client")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--redact", action="store_true", help="values masked: for a shared file")
    kind.add_argument("--evidence", action="store_true", help="with the full evidence record")
    parser.add_argument("--pdf", action="store_true", help="also a PDF (needs chromium)")
    parser.add_argument(
        "--out", type=path_argument, required=True, metavar="DIR", help="where to write"
    )


def report(args: argparse.Namespace) -> int:
    """Render the client's latest scan as a client, redacted or evidence copy, into a folder
    outside the workspace; the record remembers where (for purge)."""
    from scanner.counsel.clients import check_outside, get_client, note_exports, scans
    from scanner.history.codec import loads
    from scanner.models import ScanResult
    from scanner.report.html import render_html
    from scanner.report.write import write_private

    vault = open_vault(args)
    check_outside(vault, args.out)
    record = get_client(vault, args.label)
    stored = scans(vault, record.label)
    if not stored:
        raise InputError(f"no scan of {record.label} yet: run `clients scan`")
    result = loads(ScanResult, stored[-1][2])
    variant = report_variant(args)
    if args.redact:
        from scanner.report.redact import redact_result

        result = redact_result(result)
    consent = None
    if record.consent is not None:
        consent = {
            "by": record.consent.by,
            "at": record.consent.at.date().isoformat(),
            "sources": list(record.consent.sources),
            "retention_days": record.consent.retention_days,
        }
    html_path = args.out / f"report-{variant}.html"
    note_exports(vault, record.label, [html_path])  # remembered before it exists: never lost
    write_private(html_path, render_html(result, variant=variant, consent=consent))
    print(f"{variant} report: {html_path}")
    if args.pdf:
        from scanner.report.pdf import html_to_pdf

        note_exports(vault, record.label, [html_path.with_suffix(".pdf")])
        html_to_pdf(html_path, html_path.with_suffix(".pdf"))
        print(f"pdf: {html_path.with_suffix('.pdf')}")
    return EXIT_OK


def report_variant(args: argparse.Namespace) -> str:
    if args.evidence:
        return "evidence"
    if args.redact:
        return "redacted"
    return "client"


def add_export_arguments(parser: CliParser) -> None:
    parser.add_argument("label", help="the client")
    parser.add_argument(
        "--out", type=path_argument, required=True, metavar="DIR", help="a new folder"
    )


def export(args: argparse.Namespace) -> int:
    """Write a client's decrypted data to a new folder (plain text: kept safe by you)."""
    from scanner.counsel.clients import export_client

    written = export_client(open_vault(args), args.label, args.out)
    print(f"{len(written)} file(s) written to {args.out} (plain text: keep it safe)")
    return EXIT_OK


def add_purge_arguments(parser: CliParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("label", nargs="?", help="the client")
    which.add_argument("--expired", action="store_true", help="every client past retention")
    which.add_argument("--all", action="store_true", help="the panic button: everything")
    parser.add_argument(
        "--yes", action="store_true", help="with --all: do not ask to type DESTROY (scripts)"
    )


CONFIRM_WORD = "DESTROY"
NOT_LISTED = (
    "exported copies were not listed: their list is encrypted and the panic button does not "
    "ask for the passphrase; delete by hand any reports you exported"
)


def purge(args: argparse.Namespace) -> int:
    """Destroy one client's data, every expired client's, or (--all) the whole workspace.

    Exported copies are outside the workspace and are never removed by a purge (the file at a
    remembered path may since have been edited, moved or replaced by something else): the
    ones still there are listed, to be deleted by hand."""
    from scanner.counsel.clients import expired, get_client, purge_client

    if args.all:
        return purge_everything(args)
    vault = open_vault(args)
    if args.expired:
        gone = expired(vault, datetime.now(UTC))
        for record in gone:
            purge_client(vault, record.label)
        print(f"purged {len(gone)} expired client(s)")
    else:
        try:
            gone = [get_client(vault, args.label)]
        except InputError:  # no record left (an interrupted purge): purge_client finishes it
            gone = []
        count = purge_client(vault, args.label)
        print(printable(f"purged {args.label}: {count} file(s) destroyed"))
    say_exports(gone)
    return EXIT_OK


def purge_everything(args: argparse.Namespace) -> int:
    """The panic button: no passphrase (the header may be damaged or gone), a typed DESTROY
    at a terminal or --yes; the exported copies listed when the workspace is unlocked."""
    from scanner.counsel.vault import destroy

    folder = workspace(args)
    if not args.yes:
        if not sys.stdin.isatty():
            raise InputError("purge --all asks to type DESTROY at a terminal; or add --yes")
        typed = input(f"type {CONFIRM_WORD} to destroy every file of the workspace {folder}: ")
        if typed.strip() != CONFIRM_WORD:
            raise InputError(f"not confirmed (typed something other than {CONFIRM_WORD})")
    records = unlocked_records(folder)
    destroy(folder)
    print("workspace destroyed")
    if records is None:
        print(NOT_LISTED)
    else:
        say_exports(records)
    return EXIT_OK


def unlocked_records(folder: Path) -> list[ClientRecord] | None:
    """Every client record, when the workspace opens without asking (a session unlock or
    EXPOSURE_AUDIT_PASSPHRASE) and can be read; None otherwise. Never asks, never fails."""
    from scanner.counsel.clients import list_clients
    from scanner.counsel.vault import Vault, cached_key

    try:
        given = os.environ.get(PASSPHRASE_ENV)
        if given is not None:
            return list_clients(Vault.open(folder, given))
        key = cached_key(folder)
        if key is None:
            return None
        return list_clients(Vault.open_with_key(folder, key))
    except (ScannerError, OSError):
        return None


def say_exports(records: Sequence[ClientRecord]) -> None:
    """List the exported copies of these clients that are still on disk (never removed)."""
    from scanner.counsel.clients import exported_copies

    left = exported_copies(records)
    if left:
        where = ", ".join(printable(str(path)) for path in left)
        print(f"these exported copies are outside the workspace and were not removed: {where}")


def add_unlock_arguments(parser: CliParser) -> None:
    parser.add_argument("--minutes", type=int, default=15, help="default 15")


ACTIONS = (
    Command("init", help="create an encrypted workspace (asks for a passphrase)", run=init),
    Command(
        "add",
        help="add a client and record their consent",
        add_arguments=add_add_arguments,
        run=add,
    ),
    Command(
        "scan",
        help="scan a client (with their recorded consent)",
        add_arguments=add_scan_arguments,
        run=scan,
    ),
    Command(
        "report",
        help="export a client's latest report to a folder",
        add_arguments=add_report_arguments,
        run=report,
    ),
    Command("list", help="clients, consent and when their data expires", run=list_all),
    Command(
        "rescan",
        help="rescan every client that is due",
        add_arguments=add_rescan_arguments,
        run=rescan,
    ),
    Command(
        "export",
        help="write a client's decrypted data to a new folder",
        add_arguments=add_export_arguments,
        run=export,
    ),
    Command(
        "purge",
        help="destroy a client's data, expired data, or all",
        add_arguments=add_purge_arguments,
        run=purge,
    ),
    Command(
        "unlock",
        help="keep the workspace unlocked for a while",
        add_arguments=add_unlock_arguments,
        run=unlock,
    ),
    Command("lock", help="forget a session unlock now", run=lock),
)
COMMANDS = (
    CommandGroup(
        "clients",
        help="counselor mode: encrypted audits for many clients",
        description=DESCRIPTION,
        add_arguments=add_arguments,
        actions=ACTIONS,
    ),
)
