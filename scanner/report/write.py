"""Write reports to disk: atomically, readable only by the user."""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scanner.errors import InputError
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
    """Write text as write_private_bytes does (UTF-8)."""
    write_private_bytes(path, text.encode("utf-8"))


def write_private_bytes(path: Path, data: bytes) -> None:
    """Write atomically: a fresh 0600 temp file beside the target, then rename over it.

    An old report is never half-overwritten, and the temp file is removed if anything
    fails. mkstemp picks an unpredictable name and refuses to follow an existing link.
    What is not a regular file is never replaced: `-` is stdout, and a character device
    or FIFO (/dev/null, /dev/stdout, a named pipe) is written in place; any other special
    file (a folder, socket or block device) is refused with InputError.
    """
    if is_stdout(path):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    if written_in_place(path):
        # O_WRONLY without O_CREAT: the node itself, never a new file in its place.
        with os.fdopen(os.open(path, os.O_WRONLY), "wb") as handle:
            handle.write(data)
        return
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def is_stdout(path: Path) -> bool:
    """`-` names stdout."""
    return str(path) == "-"


def written_in_place(path: Path) -> bool:
    """True for a character device or FIFO (written in place, never replaced); False for a
    regular file or none yet; InputError for any other special file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise InputError(f"cannot write the report to {path}: {exc.strerror or exc}") from None
    if stat.S_ISREG(mode):
        return False
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return True
    what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
    raise InputError(f"cannot write the report to {path}: it is {what}")
