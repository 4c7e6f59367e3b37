"""The command line: `main(argv) -> int`, the one place that turns errors into exit codes.

Every command module exposes `COMMANDS`, a tuple of declarations (scanner.cli.command);
`COMMANDS` below is their one registry, in the order `--help` lists them, and `main`
dispatches through it. Exit status: 0 done, 1 unexpected internal error, 2 bad input
(profile, option or file), 3 a scan finished incomplete (some sources could not check), 130
interrupted, 143 terminated, 141 the output pipe closed early (scanner.cli.exits).

Start-up stays fast (`--help`, `--version`, a scheduled check that is not due): the command
modules import the scan machinery inside the commands that use it, not at import time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from scanner import __version__
from scanner.cli import clients, doctor, extract, history, scan, schedule, sites, sources, usernames
from scanner.cli.command import CliParser, Command, Declared, add_commands, by_name, chosen
from scanner.cli.exits import (
    EXIT_PIPE,
    PROG,
    error_line,
    exit_status,
    is_a_bug,
    sigterm_interrupts,
)
from scanner.cli.options import LEGACY_JSON_WARNING, legacy_json

DESCRIPTION = (
    "Audit what is public about you: search public sources for your own name, handles, "
    "emails and phones, rank what someone could piece together, and write a report with a "
    "removal step for every finding. Nothing is sent anywhere except the queries each "
    "source needs; no login, sign-up or password-reset page is ever touched."
)
EPILOG = (
    "exit status: 0 done, 1 internal error, 2 bad input, 3 scan incomplete (some sources "
    "could not check: the report says which), 130 interrupted, 143 terminated (the sources "
    "that finished are kept for --resume), 141 output pipe closed. "
    "Environment: GITHUB_TOKEN and GRAVATAR_API_KEY (optional API keys, never written "
    "to reports); HTTPS_PROXY/HTTP_PROXY/ALL_PROXY/NO_PROXY (http, https or socks5h "
    "proxies; the proxy resolves host names), SSL_CERT_FILE and EXPOSURE_AUDIT_TOR are "
    "honoured; XDG_DATA_HOME decides where reports go by default. `doctor` shows the "
    "network path a scan would take."
)

COMMANDS: tuple[Declared, ...] = (
    *scan.COMMANDS,
    *extract.COMMANDS,
    *sources.COMMANDS,
    *usernames.COMMANDS,
    *sites.COMMANDS,
    *history.COMMANDS,
    *schedule.COMMANDS,
    *clients.COMMANDS,
    *doctor.COMMANDS,
)


def build_parser() -> CliParser:
    """The whole command line, built from COMMANDS."""
    parser = CliParser(prog=PROG, description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    add_commands(parser, COMMANDS, dest="command")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit status, or the status of the error that ended it."""
    tolerant_output()
    sigterm_interrupts()
    try:
        args = parse(argv)
        return chosen(COMMANDS, args).run(args)
    except BrokenPipeError:  # `exposure-audit … | head`: stop quietly
        with contextlib.suppress(OSError, ValueError):  # no more writes to the closed pipe
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE
    except (Exception, KeyboardInterrupt) as exc:  # one line, never a traceback by default
        if is_a_bug(exc) and os.environ.get("EXPOSURE_AUDIT_DEBUG"):
            raise
        print(error_line(exc), file=sys.stderr)
        return exit_status(exc)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The parsed arguments. The commands that had it read 0.1's `--json PATH` as
    `--json-file PATH` (scanner.cli.options.legacy_json), with one deprecation line."""
    tokens = list(sys.argv[1:] if argv is None else argv)
    used_legacy_json = False
    if tokens and _takes_legacy_json(tokens[0]):
        rest, used_legacy_json = legacy_json(tokens[1:])
        tokens = [tokens[0], *rest]
    args = build_parser().parse_args(tokens)
    if used_legacy_json:
        print(f"{PROG}: {LEGACY_JSON_WARNING}", file=sys.stderr)
    return args


def _takes_legacy_json(name: str) -> bool:
    declared = by_name(COMMANDS).get(name)
    return isinstance(declared, Command) and declared.legacy_json


def tolerant_output() -> None:
    """Never crash on a terminal or pipe whose encoding cannot show a character."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


__all__ = ["COMMANDS", "build_parser", "main"]
