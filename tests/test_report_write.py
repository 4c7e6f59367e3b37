"""Reports are written atomically, 0600, and a failed write leaves the old report intact."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from scanner.report import write


def test_a_report_replaces_the_old_one_with_private_permissions(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "report.json"
    write.write_private(target, "old")
    write.write_private(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.json"]


def test_a_failed_write_keeps_the_old_report_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.html"
    write.write_private(target, "old report")

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space"):
        write.write_private(target, "new report")
    assert target.read_text(encoding="utf-8") == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
