"""`usernames`: which sites have an account with this username (account discovery).

Quiet by construction (scanner.sites.check): only public profile pages and APIs, never a
login, sign-up or reset page; a site that says "found" is asked again with a random name.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from scanner.cli.command import CliParser, Command
from scanner.cli.exits import EXIT_OK, CommandFailed
from scanner.cli.options import (
    add_json_options,
    add_network_options,
    network_flags,
    path_argument,
    seconds,
    whole_number,
)
from scanner.cli.output import emit, json_document, usernames_document, usernames_lines
from scanner.errors import InputError

if TYPE_CHECKING:  # the commands import what they use: start-up stays fast
    from rich.progress import Progress

    from scanner.sites.catalogue import Catalogue
    from scanner.sites.check import SiteResult

DEFAULT_CONCURRENCY = 256  # a laptop on a home connection; the per-host limit still applies
MAX_CONCURRENCY = 1024
DEFAULT_TIMEOUT = 10.0
# Checking thousands of sites allocates millions of short-lived objects: with Python's default
# (a young-generation collection every 700 net allocations) the cycle collector ran some 200
# times and took about a tenth of the CPU (bench/README.md). Raised for the checks only.
GC_YOUNG_THRESHOLD = 20_000
DESCRIPTION = (
    "Check which sites have an account named USERNAME (quietly: only public profile pages "
    "and APIs, never a login, sign-up or reset page). Each site that says 'found' is checked "
    "again with a random name: a site that says every name exists is reported as unreliable, "
    "not as an account."
)
SITES_HELP = (
    "a site list in WhatsMyName format (default: the bundled WhatsMyName, Maigret and "
    "Sherlock lists, or your `sites update` copies)"
)
ALL_SITES_HELP = (
    "also check the sites a list marks disabled, NSFW or a similar-name search (the default "
    "leaves them out)"
)
REPLAY_HELP = "answer every request from a recorded world instead of the network (tests)"


def add_arguments(parser: CliParser) -> None:
    parser.add_argument("username", help="the username to look for")
    parser.add_argument("--sites", type=path_argument, metavar="FILE.json", help=SITES_HELP)
    parser.add_argument("--all-sites", action="store_true", help=ALL_SITES_HELP)
    add_json_options(
        parser,
        prints="print the results as JSON on stdout (instead of the lines)",
        writes="write the results here",
    )
    parser.add_argument(
        "--concurrency",
        type=whole_number(1, MAX_CONCURRENCY),
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"checks in flight at once (default {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="seconds to wait for each site (default 10)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    add_network_options(parser)
    parser.add_argument("--replay", type=path_argument, metavar="DIR", help=REPLAY_HELP)


def run(args: argparse.Namespace) -> int:
    """Check every site on the list; print the accounts found and the counts."""
    username = valid_username(args.username)
    catalogue = choose_catalogue(args.sites, all_sites=args.all_sites)
    if args.json_file is not None and args.json_file.is_dir():
        raise InputError(f"--json-file {args.json_file}: is a folder")
    started = time.monotonic()
    results, requests = check(args, catalogue, username)
    elapsed = time.monotonic() - started
    if not args.json and args.json_file is None:
        emit(usernames_lines(results, catalogue))
        return EXIT_OK
    text = json_document(usernames_document(username, catalogue, results, elapsed, requests))
    said_on = sys.stdout
    if args.json:  # stdout is the JSON alone
        print(text)
        said_on = sys.stderr
    else:
        emit(usernames_lines(results, catalogue))
    if args.json_file is not None:
        write_results(args.json_file, text, said_on=said_on)
    return EXIT_OK


def write_results(path: Path, text: str, *, said_on: TextIO) -> None:
    """The results file (0600), and a line saying where it is."""
    from scanner.report.write import write_private

    write_private(path, text + "\n")
    print(f"results: {path}", file=said_on)


def valid_username(given: str) -> str:
    username = given.strip().removeprefix("@")
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        raise InputError(f"invalid username {given!r}")
    return username


def choose_catalogue(path: Path | None, *, all_sites: bool = False) -> Catalogue:
    """--sites, else the merged lists (bundled, or your `sites update` copies)."""
    if path is not None:
        from scanner.sites.catalogue import load_catalogue

        return load_catalogue(path)
    from scanner.sites.lists import merged_catalogue

    return merged_catalogue(include_all=all_sites)


def check(
    args: argparse.Namespace, catalogue: Catalogue, username: str
) -> tuple[list[SiteResult], int]:
    """The verdict of every site, and how many requests were sent."""
    without_httpx_cli()
    import asyncio

    from scanner.http import Http, HttpSettings
    from scanner.sites.check import NoNetwork, check_sites

    settings = HttpSettings(
        timeout=args.timeout,
        connect_timeout=args.timeout,
        attempts=2,
        max_retry_after=5.0,
        max_connections=max(args.concurrency, 32),
        max_bytes=2_000_000,
        pacing=not args.replay,
        path=network_flags(args).path(),
    )
    transport = None
    if args.replay:
        from scanner.replay import ReplayTransport

        transport = ReplayTransport(args.replay)
    display = Display(sys.stderr, len(catalogue.sites), quiet=args.quiet)

    async def run_checks() -> tuple[list[SiteResult], int]:
        async with Http(settings, transport=transport) as http:
            results = await check_sites(
                catalogue.sites,
                username,
                http,
                concurrency=args.concurrency,
                timeout=args.timeout,
                on_result=display.result,
            )
            return results, len(http.sent)

    thresholds = gc.get_threshold()
    if thresholds[0]:  # 0: collection is off, and stays off
        gc.set_threshold(max(GC_YOUNG_THRESHOLD, thresholds[0]), *thresholds[1:])
    try:
        return asyncio.run(run_checks())
    except NoNetwork as exc:  # nothing was checked: one line, exit 1
        raise CommandFailed(f"could not check: {exc}") from exc
    finally:
        gc.set_threshold(*thresholds)
        display.close()


def without_httpx_cli() -> None:
    """httpx imports its optional command-line client (httpx._main: click, rich, pygments)
    whenever click is installed: some 50 ms of start-up, never used here. Marked absent
    before httpx is first imported, httpx falls back as it does without click; if httpx is
    already imported (tests), nothing changes."""
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


class Display:
    """Progress with running counts on a terminal; nothing otherwise (results are printed)."""

    def __init__(self, stream: TextIO, total: int, *, quiet: bool) -> None:
        self.counts: Counter[str] = Counter()
        self.progress: Progress | None = None
        if quiet or not stream.isatty():
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn("[bold]checking sites"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=Console(file=stream),
            transient=True,
        )
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


COMMANDS = (
    Command(
        "usernames",
        help="find the sites where a username has an account",
        description=DESCRIPTION,
        add_arguments=add_arguments,
        run=run,
        legacy_json=True,
    ),
)
