"""Docs that tests keep true: README's --help blocks, its source list, design.md's layout."""

from __future__ import annotations

import argparse
import re

import pytest

from scanner.cli import build_parser
from scanner.sources import SOURCES
from tests.support import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DESIGN = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")


def _help(args: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", "100")
    parser = build_parser()
    if not args:
        return parser.format_help().rstrip()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sub = subparsers.choices[args[0]]
    return str(sub.format_help()).rstrip()


@pytest.mark.parametrize("args", [[], ["scan"], ["extract"]])
def test_readme_shows_current_help(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    command = " ".join(["exposure-audit", *args, "--help"])
    block = f"$ {command}\n{_help(args, monkeypatch)}\n```"
    assert block in README, f"README's `{command}` block is out of date"


def test_readme_lists_every_source() -> None:
    section = README.split("### Sources", 1)[1].split("\n## ", 1)[0]
    table = re.findall(r"^\| `([a-z0-9_]+)` \|", section, flags=re.MULTILINE)
    assert sorted(table) == sorted(cls.name for cls in SOURCES)


def test_readme_names_the_two_commands() -> None:
    assert "make demo" in README
    assert "make test" in README


def test_design_lists_every_module() -> None:
    modules = sorted(
        path.relative_to(ROOT / "scanner").as_posix() for path in (ROOT / "scanner").rglob("*.py")
    )
    for module in modules:
        assert module.split("/")[-1] in DESIGN, f"docs/design.md does not mention {module}"
    for name in re.findall(r"^\s+([a-z_]+\.py)\b", DESIGN, flags=re.MULTILINE):
        assert any(m.endswith(name) for m in modules), f"design.md lists missing {name}"


def test_makefile_installs_before_demo_and_test() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo: \$\(STAMP\)", makefile, flags=re.MULTILINE)
    assert re.search(r"^test: lint types pytest", makefile, flags=re.MULTILINE)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
