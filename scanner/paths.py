"""Where exposure-audit keeps things: the user's data dir (platformdirs).

On Linux this honours XDG_DATA_HOME, so tests and scripts can isolate it. Folders are
created readable only by the user.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import platformdirs

APP = "exposure-audit"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def scans_dir() -> Path:
    """Where each scan's folder goes by default."""
    return data_dir() / "scans"


def new_scan_dir(started: datetime) -> Path:
    """A fresh folder for one scan's reports. Named by time only: no names on disk."""
    base = scans_dir()
    for folder in (data_dir(), base):  # ours: private, even where the parents are not
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    candidate = base / stamp
    counter = 1
    while True:  # mkdir without exist_ok: two scans in one second get two folders
        try:
            candidate.mkdir(mode=0o700)
            return candidate
        except FileExistsError:
            counter += 1
            candidate = base / f"{stamp}-{counter}"
