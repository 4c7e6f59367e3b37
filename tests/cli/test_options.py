"""Shared options: one definition of each flag and value parser; start-up stays small."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.cli import build_parser
from scanner.cli.options import (
    depth,
    path_argument,
    path_text,
    positive_number,
    region,
    seconds,
    text_argument,
    whole_number,
)
from tests.support import ROOT

HEAVY = ("httpx", "selectolax", "jinja2", "rich", "asyncio", "scanner.pipeline", "scanner.http")


@pytest.mark.parametrize(
    ("parse", "text", "value"),
    [
        (positive_number, "2.5", 2.5),
        (seconds, "600", 600.0),
        (depth, "0", 0),
        (depth, "3", 3),
        (whole_number(1, 1024), "256", 256),
        (region, " gb ", "GB"),
        (text_argument, "Jördan 🌱", "Jördan 🌱"),
        (path_text, "-", "-"),
        (path_argument, " ", Path(" ")),
        (path_argument, "a/b.json", Path("a/b.json")),
    ],
)
def test_parsers_accept(parse: object, text: str, value: object) -> None:
    assert callable(parse)
    assert parse(text) == value


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (positive_number, "nan", "must be a positive number"),
        (positive_number, "inf", "must be a positive number"),
        (positive_number, "-1", "must be a positive number"),
        (positive_number, "x", "not a number"),
        (seconds, "601", "between 0 and 600"),
        (seconds, "nan", "between 0 and 600"),
        (depth, "4", "from 0 to 3"),
        (depth, "-1", "from 0 to 3"),
        (whole_number(1, 1024), "0", "from 1 to 1024: '0'"),
        (region, "XX", "unknown region 'XX'"),
        (text_argument, "J\udcffrdan", "not valid UTF-8: 'J\\\\udcffrdan'"),
        (path_text, "", "an empty path"),
        (path_argument, "", "an empty path"),
        (path_argument, "\udcff.toml", "not valid UTF-8"),
    ],
)
def test_parsers_refuse_with_the_reason(parse: object, text: str, message: str) -> None:
    assert callable(parse)
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        parse(text)


def subparser(*words: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = build_parser()
    for word in words:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[word]
    return parser


def flags(parser: argparse.ArgumentParser, group: str) -> list[tuple[str, str | None]]:
    found = next(g for g in parser._action_groups if g.title == group)
    return [(a.option_strings[0], a.help) for a in found._group_actions]


def test_scan_and_clients_scan_take_the_same_subject_flags() -> None:
    subject = flags(subparser("scan"), "subject (repeatable)")
    assert [flag for flag, _ in subject] == [
        "--name",
        "--alias",
        "--handle",
        "--email",
        "--phone",
        "--location",
        "--domain",
        "--affiliation",
        "--country",
    ]
    assert all(text for _, text in subject)
    assert flags(subparser("clients", "scan"), "subject (repeatable)") == subject


def test_network_flags_are_the_same_everywhere() -> None:
    def network(parser: argparse.ArgumentParser) -> list[tuple[str, str | None]]:
        return [
            (a.option_strings[0], a.help)
            for a in parser._actions
            if a.option_strings and a.option_strings[0] in ("--proxy", "--tor", "--ca-bundle")
        ]

    expected = network(subparser("scan"))
    assert len(expected) == 3
    for words in (["usernames"], ["sites", "update"], ["clients", "scan"], ["clients", "rescan"]):
        assert network(subparser(*words)) == expected, words
    assert network(subparser("doctor")) == expected


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["scan", "--help"]])
def test_start_up_imports_no_scan_machinery(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from scanner.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"heavy = sorted(m for m in sys.modules if m in {HEAVY!r})\n"
        "print(heavy, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.stderr.strip() == "[]"
