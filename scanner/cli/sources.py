"""`sources`: the sources a scan can use and what each needs."""

from __future__ import annotations

import argparse

from scanner.cli.command import Command
from scanner.cli.exits import EXIT_OK
from scanner.cli.output import emit, sources_table


def run(args: argparse.Namespace) -> int:
    """List every source: name, title, and the profile fields it needs."""
    from scanner.sources import SOURCES

    emit(sources_table(SOURCES))
    return EXIT_OK


COMMANDS = (
    Command("sources", help="list the sources a scan can use and what each needs", run=run),
)
