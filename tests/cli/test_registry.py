"""The command registry: one table, every command module in it once, README lists them."""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import re

import scanner.cli
from scanner.cli import COMMANDS, build_parser
from scanner.cli.command import Command, CommandGroup, chosen
from tests.support import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
HELPERS = {"command", "exits", "options", "output", "request"}  # modules that hold no command
MODULES = sorted(
    info.name for info in pkgutil.iter_modules(scanner.cli.__path__) if info.name not in HELPERS
)


def leaves() -> list[tuple[list[str], Command]]:
    """Every runnable command with the argv words that name it."""
    found: list[tuple[list[str], Command]] = []
    for declared in COMMANDS:
        if isinstance(declared, CommandGroup):
            found += [([declared.name, action.name], action) for action in declared.actions]
        else:
            found.append(([declared.name], declared))
    return found


def test_every_command_module_is_registered_once() -> None:
    assert {"scan", "usernames", "clients", "doctor"} <= set(MODULES)
    for name in MODULES:
        module = importlib.import_module(f"scanner.cli.{name}")
        declared = module.COMMANDS
        assert declared, name
        for command in declared:
            assert sum(entry is command for entry in COMMANDS) == 1, (name, command.name)
    assert len(COMMANDS) == sum(
        len(importlib.import_module(f"scanner.cli.{n}").COMMANDS) for n in MODULES
    )


def test_names_are_unique_at_every_level() -> None:
    names = [declared.name for declared in COMMANDS]
    assert len(names) == len(set(names))
    for declared in COMMANDS:
        if isinstance(declared, CommandGroup):
            actions = [action.name for action in declared.actions]
            assert len(actions) == len(set(actions)), declared.name


def test_every_command_says_what_it_does() -> None:
    for words, command in leaves():
        assert command.help, words
        assert inspect.getdoc(command.run), f"{' '.join(words)}: its run() has no docstring"


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not actions:
        return {}
    return dict(actions[0].choices)


def test_the_parser_is_built_from_the_table_and_main_dispatches_through_it() -> None:
    tree = subcommands(build_parser())
    assert list(tree) == [declared.name for declared in COMMANDS]
    for words, command in leaves():
        parser = tree[words[0]]
        if len(words) == 2:
            assert words[1] in subcommands(parser), words
        namespace = argparse.Namespace(command=words[0], action=words[-1])
        assert chosen(COMMANDS, namespace) is command


def test_readme_help_block_lists_every_command_in_order() -> None:
    block = README.split("$ exposure-audit --help\n", 1)[1].split("```", 1)[0]
    listed = re.findall(r"^    ([a-z]+)\b", block, flags=re.MULTILINE)
    assert listed == [declared.name for declared in COMMANDS]


def test_no_fmt_skip_in_the_cli_package() -> None:
    for path in sorted((ROOT / "scanner" / "cli").glob("*.py")):
        assert "fmt: skip" not in path.read_text(encoding="utf-8"), path.name
