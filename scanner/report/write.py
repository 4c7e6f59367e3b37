"""Write reports to disk: atomically, readable only by the user."""

from __future__ import annotations

import json
import os
from pathlib import Path

from scanner.models import ScanResult
from scanner.report.html import render_html
from scanner.report.json import report_dict


def write_reports(result: ScanResult, json_path: Path | None, html_path: Path | None) -> None:
    """Write the requested reports, readable only by the user (0600)."""
    if json_path is not None:
        text = json.dumps(report_dict(result), indent=2, ensure_ascii=False) + "\n"
        _write_private(json_path, text)
    if html_path is not None:
        _write_private(html_path, render_html(result))


def _write_private(path: Path, text: str) -> None:
    """Write atomically (temp file + rename) so an old report is never half-overwritten."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = path.with_name(f".{path.name}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temp, path)
