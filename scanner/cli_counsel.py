"""Counselor mode on the command line: `exposure-audit clients …`.

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
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.cli_network import add_network_options, network_path_of
from scanner.errors import InputError, ScannerError
from scanner.text import printable

if TYPE_CHECKING:
    from scanner.counsel.vault import Vault
    from scanner.models import ScanResult
    from scanner.netpath import NetworkPath

PASSPHRASE_ENV = "EXPOSURE_AUDIT_PASSPHRASE"  # noqa: S105 - the variable's name, not a secret
RESCAN_DAYS = 30


def add_commands(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    clients = commands.add_parser(
        "clients", help="counselor mode: encrypted audits for many clients",
        description="Audits for clients, kept encrypted with a passphrase in a workspace "
        f"(--workspace DIR, default your data folder). The passphrase is asked, or read from "
        f"{PASSPHRASE_ENV}. Nothing is ever sent to a client's devices or inboxes.",
    )  # fmt: skip
    clients.add_argument("--workspace", type=Path, metavar="DIR", help="the workspace folder")
    actions = clients.add_subparsers(dest="action", metavar="ACTION", parser_class=parser_class)
    actions.required = True
    actions.add_parser("init", help="create an encrypted workspace (asks for a passphrase)")
    add = actions.add_parser("add", help="add a client and record their consent")
    add.add_argument("label", help='how you refer to the client, e.g. "Client A"')
    add.add_argument("--consent-by", required=True, metavar="NAME", help="who recorded consent")
    add.add_argument("--sources", default="all", metavar="A,B",
                     help="sources the client agreed to (default all)")  # fmt: skip
    add.add_argument(
        "--retention-days", type=int, default=90, metavar="N",
        help="delete the client's data N days after the last scan (default 90)",
    )  # fmt: skip
    add.add_argument("--note", default="", help="what the client agreed to, in words")
    scan = actions.add_parser("scan", help="scan a client (with their recorded consent)")
    scan.add_argument("label")
    scan.add_argument("profile", nargs="?", type=Path, help="profile TOML (kept encrypted)")
    for flag in ("name", "handle", "email", "phone", "location", "domain"):
        scan.add_argument(f"--{flag}", action="append", default=[])
    scan.add_argument("--replay", type=Path, metavar="DIR", help=argparse.SUPPRESS)
    add_network_options(scan)
    report = actions.add_parser("report", help="export a client's latest report to a folder")
    report.add_argument("label")
    kind = report.add_mutually_exclusive_group()
    kind.add_argument("--redact", action="store_true", help="values masked: for a shared file")
    kind.add_argument("--evidence", action="store_true", help="with the full evidence record")
    report.add_argument("--pdf", action="store_true", help="also a PDF (needs chromium)")
    report.add_argument("--out", type=Path, required=True, metavar="DIR", help="where to write")
    actions.add_parser("list", help="clients, consent and when their data expires")
    rescan = actions.add_parser("rescan", help="rescan every client that is due")
    rescan.add_argument("--due", action="store_true", required=True)
    rescan.add_argument("--every", type=int, default=RESCAN_DAYS, metavar="DAYS")
    add_network_options(rescan)
    export = actions.add_parser("export", help="write a client's decrypted data to a new folder")
    export.add_argument("label")
    export.add_argument("--out", type=Path, required=True, metavar="DIR")
    purge = actions.add_parser("purge", help="destroy a client's data, expired data, or all")
    which = purge.add_mutually_exclusive_group(required=True)
    which.add_argument("label", nargs="?")
    which.add_argument("--expired", action="store_true", help="every client past retention")
    which.add_argument("--all", action="store_true", help="the panic button: everything")
    unlock = actions.add_parser("unlock", help="keep the workspace unlocked for a while")
    unlock.add_argument("--minutes", type=int, default=15)
    actions.add_parser("lock", help="forget a session unlock now")


def cmd_clients(args: argparse.Namespace, scan_runner: Callable[..., ScanResult]) -> int:
    from scanner.paths import data_dir

    folder = (args.workspace or data_dir() / "workspace").expanduser()
    action = args.action
    if action == "init":
        from scanner.counsel.vault import Vault

        Vault.create(folder, _passphrase(confirm=True))
        print(f"workspace created in {folder}")
        return 0
    if action == "purge" and args.all:  # the panic button works without the passphrase
        from scanner.counsel.vault import destroy

        destroy(folder)
        print("workspace destroyed")
        return 0
    if action == "lock":
        from scanner.counsel.vault import forget

        forget(folder)
        print("locked")
        return 0
    vault = _open(folder)
    handlers: dict[str, Callable[[Vault, argparse.Namespace], int]] = {
        "add": _add, "list": _list, "export": _export, "purge": _purge, "unlock": _unlock,
        "report": _report,
    }  # fmt: skip
    if action == "scan":
        return _scan(vault, args, scan_runner)
    if action == "rescan":
        return _rescan(vault, args, scan_runner)
    return handlers[action](vault, args)


def _passphrase(*, confirm: bool = False) -> str:
    given = os.environ.get(PASSPHRASE_ENV)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise InputError(f"no passphrase: run at a terminal or set {PASSPHRASE_ENV}")
    first = getpass.getpass("workspace passphrase: ")
    if confirm and getpass.getpass("again: ") != first:
        raise InputError("the two passphrases differ")
    return first


def _open(folder: Path) -> Vault:
    from scanner.counsel.vault import Vault, cached_key

    key = cached_key(folder) if os.environ.get(PASSPHRASE_ENV) is None else None
    if key is not None:
        return Vault.open_with_key(folder, key)
    return Vault.open(folder, _passphrase())


def _add(vault: Vault, args: argparse.Namespace) -> int:
    from scanner.counsel.clients import Consent, add_client

    consent = Consent(
        by=args.consent_by, at=datetime.now(UTC),
        sources=tuple(args.sources.split(",")), retention_days=args.retention_days,
        note=args.note,
    )  # fmt: skip
    record = add_client(vault, args.label, consent, datetime.now(UTC))
    print(
        printable(
            f"added {record.label}: consent by {consent.by}, kept {consent.retention_days} days"
        )
    )
    return 0


def _scan(
    vault: Vault,
    args: argparse.Namespace,
    scan_runner: Callable[..., ScanResult],
    *,
    quiet: bool = False,
    path: NetworkPath | None = None,
) -> int:
    from scanner.counsel.clients import get_client, require_consent, save_scan, set_profile
    from scanner.history.codec import dumps
    from scanner.profile import build_profile, merge_flags, read_profile_file
    from scanner.sources import all_sources

    record = get_client(vault, args.label)
    if record.consent is None:
        raise InputError(f"no consent recorded for {record.label}: add it first")
    data: dict[str, Any] = dict(record.profile or {})
    if args.profile:
        data = read_profile_file(args.profile)
    flags = {
        "names": args.name, "handles": args.handle, "emails": args.email,
        "phones": args.phone, "locations": args.location, "domains": args.domain,
    }  # fmt: skip
    data = _plain(merge_flags(data, flags))
    profile = build_profile(data, origin=f"client {record.label}")
    sources = [s for s in all_sources() if record.consent.covers(s.name)]
    require_consent(record, [s.name for s in sources])
    result = scan_runner(profile, sources, args.replay, path or network_path_of(args))
    set_profile(vault, record.label, data)
    save_scan(vault, record.label, dumps(result), result.finished)
    if quiet:
        return 0
    print(printable(f"{record.label}: scanned, {len(result.findings)} finding(s); "
                    f"export a report with `clients report`"))  # fmt: skip
    return 0


def _plain(value: Any) -> Any:
    """A profile as JSON can hold it: TOML dates become ISO text (the profile reads both)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return value


def _report(vault: Vault, args: argparse.Namespace) -> int:
    from scanner.counsel.clients import get_client, scans
    from scanner.history.codec import loads
    from scanner.models import ScanResult
    from scanner.report.html import render_html
    from scanner.report.write import write_private

    record = get_client(vault, args.label)
    stored = scans(vault, record.label)
    if not stored:
        raise InputError(f"no scan of {record.label} yet: run `clients scan`")
    result = loads(ScanResult, stored[-1][2])
    variant = "evidence" if args.evidence else "redacted" if args.redact else "client"
    if args.redact:
        from scanner.report.redact import redact_result

        result = redact_result(result)
    consent = None
    if record.consent is not None:
        c = record.consent
        consent = {"by": c.by, "at": c.at.date().isoformat(), "sources": list(c.sources),
                   "retention_days": c.retention_days}  # fmt: skip
    html_path = args.out / f"report-{variant}.html"
    write_private(html_path, render_html(result, variant=variant, consent=consent))
    print(f"{variant} report: {html_path}")
    if args.pdf:
        from scanner.report.pdf import html_to_pdf

        html_to_pdf(html_path, html_path.with_suffix(".pdf"))
        print(f"pdf: {html_path.with_suffix('.pdf')}")
    return 0


def _list(vault: Vault, args: argparse.Namespace) -> int:
    from datetime import timedelta

    from scanner.counsel.clients import list_clients

    records = list_clients(vault)
    if not records:
        print("no clients yet")
    for r in records:
        last = r.last_scan_at.date().isoformat() if r.last_scan_at else "never scanned"
        start = r.last_scan_at or (r.consent.at if r.consent else r.created_at)
        days = r.consent.retention_days if r.consent else 0
        expires = (start + timedelta(days=days)).date().isoformat()
        by = r.consent.by if r.consent else "NO CONSENT"
        print(printable(f"{r.label}\tconsent: {by}\tlast scan: {last}\tdata expires: {expires}"))
    return 0


def _rescan(vault: Vault, args: argparse.Namespace, scan_runner: Callable[..., ScanResult]) -> int:
    from scanner.counsel.clients import due_for_rescan

    due = due_for_rescan(vault, datetime.now(UTC), args.every)
    path = network_path_of(args)  # once: a missing Tor client stops the batch, not each client
    failed = 0
    for record in due:  # one client failing never stops the others
        ns = argparse.Namespace(
            label=record.label, profile=None, name=[], handle=[], email=[], phone=[],
            location=[], domain=[], replay=getattr(args, "replay", None),
        )  # fmt: skip
        try:
            _scan(vault, ns, scan_runner, quiet=True, path=path)
        except (ScannerError, OSError) as exc:
            failed += 1
            print(printable(f"{record.label}: not rescanned: {exc}"), file=sys.stderr)
    # the notice holds counts only: no client names or details
    print(f"rescanned {len(due) - failed} client(s); {failed} failed; "
          f"{len(due)} were due")  # fmt: skip
    return 1 if failed else 0


def _export(vault: Vault, args: argparse.Namespace) -> int:
    from scanner.counsel.clients import export_client

    written = export_client(vault, args.label, args.out)
    print(f"{len(written)} file(s) written to {args.out} (plain text: keep it safe)")
    return 0


def _purge(vault: Vault, args: argparse.Namespace) -> int:
    from scanner.counsel.clients import expired, purge_client

    if args.expired:
        gone = expired(vault, datetime.now(UTC))
        for record in gone:
            purge_client(vault, record.label)
        print(f"purged {len(gone)} expired client(s)")
        return 0
    count = purge_client(vault, args.label)
    print(printable(f"purged {args.label}: {count} file(s) destroyed"))
    return 0


def _unlock(vault: Vault, args: argparse.Namespace) -> int:
    from scanner.counsel.vault import cache_key

    if not 1 <= args.minutes <= 240:
        raise InputError("--minutes must be 1 to 240")
    cache_key(vault.folder, vault.key, args.minutes)
    print(f"unlocked for {args.minutes} minutes (`exposure-audit clients lock` to end it)")
    return 0
