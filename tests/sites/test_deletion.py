"""deletion.json (built from JustDeleteMe) and how a found account gets its deletion step."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.sites.deletion import DATA, DIFFICULTY, Deletion, deletion_for, deletion_step
from tests.support import ROOT, SHARED


def test_the_shipped_file_is_well_formed_and_large() -> None:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    assert "JustDeleteMe" in raw["source"]
    assert raw["licence"] == "MIT"
    assert (DATA.parent / "DELETION-LICENSE.md").read_text(encoding="utf-8").count("MIT") >= 1
    sites = raw["sites"]
    assert len(sites) > 2_000
    for site in sites:
        assert set(site) <= {"name", "domains", "url", "difficulty", "how", "email"}
        assert site["difficulty"] in DIFFICULTY
        assert site["url"].startswith(("https://", "http://"))
        assert site["domains"]
        assert site["how"] or site["difficulty"] in ("impossible", "limited")


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://github.com/jtestwell", "GitHub"),
        ("https://www.reddit.com/user/jtestwell/", "Reddit"),
        ("https://GITHUB.com./jtestwell", "GitHub"),
    ],
)
def test_hosts_and_subdomains_match(url: str, name: str) -> None:
    entry = deletion_for(url)
    assert entry is not None
    assert entry.name == name


@pytest.mark.parametrize(
    "url", ["https://forum.example.com/u/x", "not a url", "http://[::1", "", "https://com/"]
)
def test_unknown_or_broken_urls_match_nothing(url: str) -> None:
    assert deletion_for(url) is None


def test_steps_say_how_hard_and_where() -> None:
    easy = Deletion("Example", ("example.com",), "https://example.com/delete", "easy", "Go.")
    step = deletion_step(easy)
    assert step.action == "Delete your Example account (simple process)"
    assert step.how == "Go. (from JustDeleteMe)"
    assert step.url == "https://example.com/delete"
    mail = Deletion("Ex", ("ex.com",), "https://ex.com/h", "hard", "Write.", "privacy@ex.com")
    assert deletion_step(mail).how == "Write. Address: privacy@ex.com. (from JustDeleteMe)"
    never = Deletion("Ex", ("ex.com",), "https://ex.com/h", "impossible", "")
    assert (
        deletion_step(never).action
        == "Hide what you can on Ex (deleting the account: cannot be deleted)"
    )
    long = Deletion("Ex", ("ex.com",), "https://ex.com/h", "easy", "x" * 5_000)
    assert len(deletion_step(long).how) < 700


JDM = SHARED / "reference" / "justdeleteme" / "sites.json"


@pytest.mark.skipif(not JDM.exists(), reason="../shared reference not present")
def test_the_shipped_files_are_what_the_build_script_makes(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_deletion.py"), str(JDM), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for name in ("deletion.json", "DELETION-LICENSE.md"):  # nothing edited by hand
        assert (tmp_path / name).read_bytes() == (DATA.parent / name).read_bytes()
