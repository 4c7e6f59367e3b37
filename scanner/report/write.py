"""Write reports to disk: atomically, readable only by the user."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scanner.models import ScanResult
from scanner.report.html import render_html
from scanner.report.json import report_dict


def write_reports(
    result: ScanResult,
    json_path: Path | None,
    html_path: Path | None,
    since: Mapping[str, Any] | None = None,
    *,
    variant: str = "standard",
    consent: Mapping[str, Any] | None = None,
) -> str:
    """Write the requested reports, readable only by the user (0600); return report.json's
    text (history keeps it)."""
    text = json.dumps(report_dict(result, since), indent=2, ensure_ascii=False) + "\n"
    if json_path is not None:
        write_private(json_path, text)
    if html_path is not None:
        write_private(html_path, render_html(result, since=since, variant=variant, consent=consent))
    return text


def write_private(path: Path, text: str) -> None:
    """Write atomically: a fresh 0600 temp file beside the target, then rename over it.

    An old report is never half-overwritten, and the temp file is removed if anything
    fails. mkstemp picks an unpredictable name and refuses to follow an existing link.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
