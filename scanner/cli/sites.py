"""`sites update | info`: the WhatsMyName site list that `usernames` and scans check."""

from __future__ import annotations

import argparse
import json

from scanner.cli.command import CliParser, Command, CommandGroup
from scanner.cli.exits import EXIT_OK, CommandFailed
from scanner.cli.options import add_network_options, network_flags
from scanner.errors import SourceError
from scanner.text import printable

DESCRIPTION = (
    "The community site lists account discovery checks: WhatsMyName (CC BY-SA 4.0), Maigret "
    "and Sherlock (MIT), bundled with exposure-audit; `sites update` keeps a newer copy of "
    "each in your data folder with its licence notice."
)
LIST_HELP = "which list to download: wmn (the default), sherlock, maigret or all"


def add_update_arguments(parser: CliParser) -> None:
    parser.add_argument("--list", default="wmn", metavar="NAME", help=LIST_HELP)
    add_network_options(parser)


def add_info_arguments(parser: CliParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the same as JSON")


def update(args: argparse.Namespace) -> int:
    """Download the lists asked for; a refused or failed download keeps the old copy, and
    any failure is exit 1 after the others were tried."""
    import asyncio

    from scanner.http import Http, HttpSettings
    from scanner.sites.update import list_names, update_list

    names = list_names(args.list)
    settings = HttpSettings(path=network_flags(args).path())

    async def download() -> list[str]:
        failed: list[str] = []
        async with Http(settings) as http:
            for name in names:
                try:
                    print(printable((await update_list(http, name)).message))
                except SourceError as exc:
                    failed.append(f"{name}: {exc}")
        return failed

    failed = asyncio.run(download())
    if failed:
        raise CommandFailed(f"could not update the site list {'; '.join(failed)}")
    return EXIT_OK


def info(args: argparse.Namespace) -> int:
    """The lists in use (bundled or downloaded), their sites, dates and licences."""
    from scanner.cli.output import sites_info_lines
    from scanner.sites.lists import lists_info

    report = lists_info()
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return EXIT_OK
    for line in sites_info_lines(report):
        print(printable(line))
    return EXIT_OK


COMMANDS = (
    CommandGroup(
        "sites",
        help="manage the site list used by `usernames` and scans",
        description=DESCRIPTION,
        actions=(
            Command(
                "update",
                help="download a newer copy of a site list (a bad download never replaces a "
                "good copy)",
                add_arguments=add_update_arguments,
                run=update,
            ),
            Command(
                "info",
                help="the site lists in use: sites, dates and licences",
                add_arguments=add_info_arguments,
                run=info,
            ),
        ),
    ),
)
