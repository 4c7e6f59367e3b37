"""`sites update | info`: the WhatsMyName site list that `usernames` and scans check."""

from __future__ import annotations

import argparse

from scanner.cli.command import CliParser, Command, CommandGroup
from scanner.cli.exits import EXIT_OK, CommandFailed
from scanner.cli.options import add_network_options, network_flags
from scanner.errors import SourceError
from scanner.text import printable

DESCRIPTION = (
    "The community WhatsMyName site list (CC BY-SA 4.0), kept in your data folder with its "
    "attribution."
)


def add_update_arguments(parser: CliParser) -> None:
    add_network_options(parser)


def update(args: argparse.Namespace) -> int:
    """Download the current list; a refused or failed download keeps the old copy (exit 1)."""
    import asyncio

    from scanner.http import Http, HttpSettings
    from scanner.sites.update import update_sites

    settings = HttpSettings(path=network_flags(args).path())

    async def download() -> str:
        async with Http(settings) as http:
            return (await update_sites(http)).message

    try:
        message = asyncio.run(download())
    except SourceError as exc:
        raise CommandFailed(f"could not update the site list: {exc}") from None
    print(printable(message))
    return EXIT_OK


def info(args: argparse.Namespace) -> int:
    """Where the installed list is and how many sites it has."""
    from scanner.sites.update import installed_catalogue, sites_dir

    installed = installed_catalogue()
    if installed is None:
        print(f"no site list yet in {sites_dir()}: run `exposure-audit sites update`")
    else:
        print(f"{len(installed.sites)} sites in {installed.origin}")
    return EXIT_OK


COMMANDS = (
    CommandGroup(
        "sites",
        help="manage the site list used by `usernames` and scans",
        description=DESCRIPTION,
        actions=(
            Command(
                "update",
                help="download the current WhatsMyName list (a bad download never replaces a "
                "good copy)",
                add_arguments=add_update_arguments,
                run=update,
            ),
            Command("info", help="where the site list is and how many sites it has", run=info),
        ),
    ),
)
