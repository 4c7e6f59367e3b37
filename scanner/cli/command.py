"""What a command is: the declaration every command module exposes as `COMMANDS`.

A `Command` names itself, says what it does (`help` for the list, `description` for its own
`--help`), declares its arguments and runs: `run(args) -> int`, the exit status of a command
that finished. Bad input is raised as InputError; only `scanner.cli.main` turns exceptions
into exit statuses and messages. A `CommandGroup` is a command with actions of its own
(`sites update`, `clients scan`): options of its own, then one `Command` per action.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from scanner.cli.options import text_argument
from scanner.errors import InputError

Run = Callable[[argparse.Namespace], int]


class CliParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (an InputError: exit status 2), and every
    argument declared without a `type=` is checked by `text_argument` (valid UTF-8)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("type", None, text_argument)  # argparse's default `type=`

    def error(self, message: str) -> NoReturn:
        raise InputError(f"{message} (see `{self.prog} --help`)")


def no_arguments(parser: CliParser) -> None:
    """For a command that takes no arguments."""


@dataclass(frozen=True)
class Command:
    """One command (or one action of a group): its name, help, arguments and runner."""

    name: str
    help: str
    run: Run
    add_arguments: Callable[[CliParser], None] = no_arguments
    description: str | None = None
    # reads the spelling `--json PATH` of 0.1 as `--json-file PATH` (scanner.cli.options)
    legacy_json: bool = False


@dataclass(frozen=True)
class CommandGroup:
    """A command whose first argument is an ACTION, each action a Command."""

    name: str
    help: str
    actions: tuple[Command, ...]
    add_arguments: Callable[[CliParser], None] = no_arguments
    description: str | None = None


Declared = Command | CommandGroup
D = TypeVar("D", bound=Declared)


def add_commands(parser: CliParser, commands: Sequence[Declared], *, dest: str) -> None:
    """One subparser per declaration (and per action of a group), in the order given."""
    subparsers = parser.add_subparsers(dest=dest, metavar=dest.upper(), parser_class=CliParser)
    subparsers.required = True
    subparsers.type = str  # not text_argument: each command's own parser checks its arguments
    for declared in commands:
        sub = _add_parser(subparsers, declared)
        declared.add_arguments(sub)
        if isinstance(declared, CommandGroup):
            add_commands(sub, declared.actions, dest="action")


def _add_parser(subparsers: Any, declared: Declared) -> CliParser:
    parser: CliParser = subparsers.add_parser(
        declared.name, help=declared.help, description=declared.description
    )
    return parser


def chosen(commands: Sequence[Declared], args: argparse.Namespace) -> Command:
    """The command (or group action) the parsed arguments name."""
    declared = by_name(commands)[args.command]
    if isinstance(declared, CommandGroup):
        return by_name(declared.actions)[args.action]
    return declared


def by_name(commands: Sequence[D]) -> dict[str, D]:
    """Name -> declaration (a test checks that no name is declared twice)."""
    return {declared.name: declared for declared in commands}
