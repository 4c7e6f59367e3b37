"""`extract`: the personal details found in text or HTML files, with a scan's extractors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.cli.command import CliParser, Command
from scanner.cli.exits import EXIT_OK
from scanner.cli.options import path_text, region
from scanner.cli.output import emit, extract_json, extract_rows
from scanner.errors import InputError
from scanner.userfiles import read_user_file

if TYPE_CHECKING:
    from scanner.extract import Extracted

MAX_EXTRACT_BYTES = 50_000_000
DESCRIPTION = (
    "Find emails, phone numbers (E.164), street addresses, places, birth dates, ages, "
    "employers, schools, names and relatives (each after a cue such as 'Relatives:'), "
    "URLs and @handles in files, with the same extractors a scan uses."
)


def add_arguments(parser: CliParser) -> None:
    parser.add_argument(
        "files", nargs="+", type=path_text, metavar="FILE", help="a file, or - for stdin"
    )
    parser.add_argument("--json", action="store_true", help="JSON output")
    parser.add_argument(
        "--region", type=region, default="US", help="default region for phone numbers"
    )


def run(args: argparse.Namespace) -> int:
    """Print what each file reveals: tab-separated lines, or JSON with --json."""
    batch = len(args.files) > 1
    for name in args.files:
        found = extract_file(name, str(args.region))
        if args.json:
            print(extract_json(name, found, batch=batch))
        else:
            emit(extract_rows(name, found, batch=batch))
    return EXIT_OK


def extract_file(name: str, region: str) -> list[Extracted]:
    """The findings in one file (`-`: stdin), read as HTML when it looks like HTML."""
    from scanner.extract import extract_html, extract_text

    if name == "-":
        raw = sys.stdin.buffer.read(MAX_EXTRACT_BYTES + 1)
    else:
        raw = read_user_file(Path(name), "file", MAX_EXTRACT_BYTES)
    if len(raw) > MAX_EXTRACT_BYTES:
        raise InputError(f"{name}: larger than {MAX_EXTRACT_BYTES} bytes")
    if b"\0" in raw[:8192]:
        raise InputError(f"{name}: not a text or HTML file")
    text = raw.decode("utf-8", errors="replace")
    if name.lower().endswith((".html", ".htm")) or _sniff_html(text):
        return extract_html(text, region=region)
    return extract_text(text, region=region)


def _sniff_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


COMMANDS = (
    Command(
        "extract",
        help="print the personal details found in text or HTML files",
        description=DESCRIPTION,
        add_arguments=add_arguments,
        run=run,
    ),
)
