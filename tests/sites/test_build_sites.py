"""scripts/build_sites.py: the bundled lists are what it makes, byte for byte, each with its
licence file; nothing marked NC is read, and no reference file is shipped as it is."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.sites.update import BUNDLED
from tests.support import ROOT, SHARED

REFERENCE = SHARED / "reference"
SCRIPT = ROOT / "scripts" / "build_sites.py"
FILES = {
    "wmn.json",
    "wmn.ATTRIBUTION.md",
    "sherlock.json",
    "sherlock.LICENSE",
    "maigret.json",
    "maigret.LICENSE",
}
needs_reference = pytest.mark.skipif(
    not (REFERENCE / "maigret" / "data.json").is_file(), reason="../shared reference not present"
)


def build(out: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(REFERENCE), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_bundled_folder_holds_each_list_with_its_licence_file() -> None:
    assert {p.name for p in BUNDLED.iterdir()} == FILES
    for name, licence, notice in (
        ("wmn", "CC BY-SA 4.0", "wmn.ATTRIBUTION.md"),
        ("sherlock", "MIT", "sherlock.LICENSE"),
        ("maigret", "MIT", "maigret.LICENSE"),
    ):
        raw = (BUNDLED / f"{name}.json").read_text(encoding="utf-8")
        assert raw.endswith("]}\n")
        head = json.loads(raw)
        assert (head["list"], head["licence"], head["notice"]) == (name, licence, notice)
        assert re.fullmatch(r"[0-9a-f]{40}", head["commit"])
        assert re.fullmatch(r"[0-9a-f]{64}", head["sha256"])
    attribution = (BUNDLED / "wmn.ATTRIBUTION.md").read_text(encoding="utf-8")
    for needed in (
        "WhatsMyName by Micah Hoffman and contributors",
        "https://github.com/WebBreacher/WhatsMyName",
        "e62338e4fc88536a330733d355a9d33a3a1697c6",
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "licensed under the same licence, CC BY-SA 4.0",
        "stays under its own MIT licence",
        "Changes:",
        "## Authors",
        "Creative Commons Attribution-ShareAlike 4.0 International License",
    ):
        assert needed in attribution, needed
    for name in ("sherlock", "maigret"):
        assert (BUNDLED / f"{name}.LICENSE").read_text(encoding="utf-8").startswith("MIT License")


@needs_reference
def test_the_shipped_files_are_what_the_build_script_makes(tmp_path: Path) -> None:
    said = build(tmp_path)
    assert "wmn: 716 sites" in said
    assert {p.name for p in tmp_path.iterdir()} == FILES
    for name in FILES:  # nothing edited by hand
        assert (tmp_path / name).read_bytes() == (BUNDLED / name).read_bytes(), name


@needs_reference
def test_a_rebuild_is_byte_identical(tmp_path: Path) -> None:
    build(tmp_path / "one")
    build(tmp_path / "two")
    for name in FILES:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


@needs_reference
def test_the_licence_files_are_the_projects_own() -> None:
    for name in ("sherlock", "maigret"):
        assert (BUNDLED / f"{name}.LICENSE").read_bytes() == (
            REFERENCE / name / "LICENSE"
        ).read_bytes()


@needs_reference
def test_nothing_marked_nc_is_read_and_no_reference_file_is_shipped() -> None:
    readme = (REFERENCE / "README.md").read_text(encoding="utf-8")
    nc_folders = set()
    for section in re.split(r"\n(?=#+ )", readme):
        if re.search(r"\bNC\b.*do not ship", section):
            nc_folders.update(re.findall(r"^#+ \d*\.?\s*([\w-]+)/", section, flags=re.M))
            nc_folders.update(re.findall(r"^\* ([\w-]+)/ ", section, flags=re.M))
    assert {"blackbird", "badbool"} <= nc_folders
    spec = importlib.util.spec_from_file_location("build_sites", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    sys.modules["build_sites"] = script  # its dataclasses look their module up
    try:
        spec.loader.exec_module(script)
    finally:
        del sys.modules["build_sites"]
    inputs = [path for s in script.SOURCES for path in (s.data, s.licence_file)]
    read = {path.split("/")[0] for path in inputs}
    assert read == {"whatsmyname", "sherlock", "maigret"}
    assert not read & nc_folders
    shipped = {
        hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (ROOT / "scanner").rglob("*")
        if p.is_file() and not p.name.endswith("LICENSE")
    }
    manifest = (REFERENCE / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    reference = {line.split("\t")[2]: line.split("\t")[0] for line in manifest}
    assert not shipped & set(reference), [reference[h] for h in shipped & set(reference)]


def test_a_missing_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"not found in {tmp_path}: whatsmyname/wmn-data.json")
    assert not (tmp_path / "out").exists()
