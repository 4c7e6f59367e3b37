"""The `usernames` and `sites update` commands: account discovery from the command line.

Only scanner.cli maps errors to exit codes; these functions raise InputError for bad input
and return an exit status otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from scanner.cli_network import add_network_options, network_path_of
from scanner.errors import InputError, SourceError
from scanner.text import printable

if TYPE_CHECKING:  # the commands import what they use: start-up stays fast
    from rich.progress import Progress

    from scanner.sites.catalogue import Catalogue
    from scanner.sites.check import SiteResult

USERNAMES_SCHEMA = "exposure-audit/usernames/1"
DEFAULT_CONCURRENCY = 256  # a laptop on a home connection; the per-host limit still applies
MAX_CONCURRENCY = 1024
# Checking thousands of sites allocates millions of short-lived objects: with Python's default
# (a young-generation collection every 700 net allocations) the cycle collector ran some 200
# times and took about a tenth of the CPU (bench/README.md). Raised for the checks only.
GC_YOUNG_THRESHOLD = 20_000


def add_commands(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    usernames = commands.add_parser(
        "usernames",
        help="find the sites where a username has an account",
        description="Check which sites have an account named USERNAME (quietly: only public "
        "profile pages and APIs, never a login, sign-up or reset page). Each site that says "
        "'found' is checked again with a random name: a site that says every name exists is "
        "reported as unreliable, not as an account.",
    )
    usernames.add_argument("username", help="the username to look for")
    usernames.add_argument(
        "--sites", type=Path, metavar="FILE.json",
        help="a site list in WhatsMyName format (default: the list from `sites update`)",
    )  # fmt: skip
    usernames.add_argument("--json", type=Path, metavar="PATH", help="write the results here")
    usernames.add_argument(
        "--concurrency", type=_concurrency, default=DEFAULT_CONCURRENCY, metavar="N",
        help=f"checks in flight at once (default {DEFAULT_CONCURRENCY})",
    )  # fmt: skip
    usernames.add_argument(
        "--timeout", type=_seconds, default=10.0, metavar="SECONDS",
        help="seconds to wait for each site (default 10)",
    )  # fmt: skip
    usernames.add_argument("--quiet", action="store_true", help="no progress output")
    add_network_options(usernames)
    usernames.add_argument(
        "--replay", type=Path, metavar="DIR",
        help="answer every request from a recorded world instead of the network (tests)",
    )  # fmt: skip
    sites = commands.add_parser(
        "sites", help="manage the site list used by `usernames` and scans",
        description="The community WhatsMyName site list (CC BY-SA 4.0), kept in your data "
        "folder with its attribution.",
    )  # fmt: skip
    actions = sites.add_subparsers(
        dest="sites_command", metavar="ACTION", parser_class=parser_class
    )
    actions.required = True
    update = actions.add_parser(
        "update",
        help="download the current WhatsMyName list (a bad download never replaces a good copy)",
    )
    add_network_options(update)
    actions.add_parser("info", help="where the site list is and how many sites it has")


def _concurrency(text: str) -> int:
    if not (text.isdigit() and 1 <= int(text) <= MAX_CONCURRENCY):
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_CONCURRENCY}")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 600:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be between 0 and 600 seconds: {text!r}")
    return value


def choose_catalogue(path: Path | None) -> Catalogue:
    if path is not None:
        from scanner.sites.catalogue import load_catalogue

        return load_catalogue(path)
    from scanner.sites.update import installed_catalogue

    installed = installed_catalogue()
    if installed is None:
        raise InputError(
            "no site list yet: run `exposure-audit sites update` (needs the internet once), "
            "or give one with --sites FILE.json"
        )
    return installed


def _without_httpx_cli() -> None:
    """httpx imports its optional command-line client (httpx._main: click, rich, pygments)
    whenever click is installed: some 50 ms of start-up, never used here. Marked absent
    before httpx is first imported, httpx falls back as it does without click; if httpx is
    already imported (tests), nothing changes."""
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


def cmd_usernames(args: argparse.Namespace) -> int:
    _without_httpx_cli()
    from scanner.http import Http, HttpSettings
    from scanner.sites.check import check_sites

    username = args.username.strip().removeprefix("@")
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        raise InputError(f"invalid username {args.username!r}")
    catalogue = choose_catalogue(args.sites)
    if args.json is not None and args.json.is_dir():
        raise InputError(f"--json {args.json}: is a folder")
    settings = HttpSettings(
        timeout=args.timeout, connect_timeout=args.timeout, attempts=2, max_retry_after=5.0,
        max_connections=max(args.concurrency, 32), max_bytes=2_000_000,
        pacing=not args.replay, path=network_path_of(args),
    )  # fmt: skip
    transport = None
    if args.replay:
        from scanner.replay import ReplayTransport

        transport = ReplayTransport(args.replay)
    display = _Display(sys.stderr, len(catalogue.sites), quiet=args.quiet)
    started = time.monotonic()

    async def run() -> tuple[list[SiteResult], int]:
        async with Http(settings, transport=transport) as http:
            results = await check_sites(
                catalogue.sites, username, http, concurrency=args.concurrency,
                timeout=args.timeout, on_result=display.result,
            )  # fmt: skip
            return results, len(http.sent)

    thresholds = gc.get_threshold()
    if thresholds[0]:  # 0: collection is off, and stays off
        gc.set_threshold(max(GC_YOUNG_THRESHOLD, thresholds[0]), *thresholds[1:])
    try:
        results, requests = asyncio.run(run())
    finally:
        gc.set_threshold(*thresholds)
        display.close()
    elapsed = time.monotonic() - started
    _print_results(results, catalogue)
    if args.json is not None:
        from scanner.report.write import write_private

        report = usernames_dict(username, catalogue, results, elapsed, requests)
        write_private(args.json, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        print(f"results: {args.json}")
    return 0


def usernames_dict(
    username: str, catalogue: Catalogue, results: list[SiteResult], elapsed: float, requests: int
) -> dict[str, Any]:
    from scanner.sites.check import Verdict

    counts = Counter(result.verdict.value for result in results)
    return {
        "schema": USERNAMES_SCHEMA,
        "username": username,
        "catalogue": {
            "origin": catalogue.origin,
            "sites": len(catalogue.sites),
            "skipped": len(catalogue.skipped),
        },
        "results": [
            {
                "site": r.site.name,
                "category": r.site.cat,
                "url": r.url,
                "verdict": r.verdict.value,
                "reason": r.reason,
                "status": r.status,
                "unreliable": r.unreliable,
            }
            for r in results
        ],
        "counts": {verdict.value: counts.get(verdict.value, 0) for verdict in Verdict},
        "elapsed_seconds": round(elapsed, 3),
        "requests": requests,
    }


def _print_results(results: list[SiteResult], catalogue: Catalogue) -> None:
    from scanner.sites.check import Verdict

    found = sorted((r for r in results if r.verdict is Verdict.FOUND), key=lambda r: r.site.name)
    for result in found:
        print("\t".join(printable(field) for field in ("found", result.site.name, result.url)))
    counts = Counter(result.verdict for result in results)
    print(
        f"{counts[Verdict.FOUND]} found, {counts[Verdict.NOT_FOUND]} not found, "
        f"{counts[Verdict.BLOCKED]} blocked, {counts[Verdict.UNKNOWN]} could not tell, "
        f"{counts[Verdict.SKIPPED]} skipped, of {len(results)} sites ({catalogue.origin})"
    )
    unreliable = sum(result.unreliable for result in results)
    if unreliable:
        print(f"{unreliable} site(s) said every name exists: not counted as accounts")


class _Display:
    """Progress with running counts on a terminal; nothing otherwise (results are printed)."""

    def __init__(self, stream: TextIO, total: int, *, quiet: bool) -> None:
        self.counts: Counter[str] = Counter()
        self.progress: Progress | None = None
        if quiet or not stream.isatty():
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn("[bold]checking sites"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.description}"), console=Console(file=stream), transient=True,
        )  # fmt: skip
        self.progress.start()
        self.task = self.progress.add_task("", total=total)

    def result(self, result: SiteResult) -> None:
        self.counts[result.verdict.value] += 1
        if self.progress is not None:
            c = self.counts
            text = f"found {c['found']} · not found {c['not_found']} · blocked {c['blocked']}"
            self.progress.update(self.task, advance=1, description=text)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def cmd_sites(args: argparse.Namespace) -> int:
    from scanner.http import Http, HttpSettings
    from scanner.sites.update import installed_catalogue, sites_dir, update_sites

    if args.sites_command == "info":
        installed = installed_catalogue()
        if installed is None:
            print(f"no site list yet in {sites_dir()}: run `exposure-audit sites update`")
        else:
            print(f"{len(installed.sites)} sites in {installed.origin}")
        return 0

    settings = HttpSettings(path=network_path_of(args))

    async def run() -> str:
        async with Http(settings) as http:
            return (await update_sites(http)).message

    try:
        print(printable(asyncio.run(run())))
    except SourceError as exc:  # refused or failed download: the old copy is kept
        print(
            f"exposure-audit: could not update the site list: {printable(str(exc))}",
            file=sys.stderr,
        )
        return 1
    return 0
