"""Advisory file locks (flock) that go with the process: the rescan lock and one lock per
subject's scan. A crashed or killed holder leaves nothing to clean up; the lock file stays
(deleting it would let two processes lock two different files)."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from scanner.errors import InputError
from scanner.paths import data_dir

SCAN_LOCKS = "locks"  # a folder in the data dir: one <subject>.lock per subject


class LockHeld(InputError):
    """Another process holds the lock: the message says who and what to do."""


def take_lock(path: Path, busy: str) -> int:
    """Open and lock `path` (non-blocking); the open descriptor, which holds the lock until
    it is closed. LockHeld(`busy`, with the holder's process id when known) at once."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        raise InputError(f"cannot open the lock {path}: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(fd)
        os.close(fd)
        raise LockHeld(f"{busy}{holder} (lock: {path})") from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


@contextlib.contextmanager
def held(path: Path, busy: str) -> Iterator[Path]:
    """Hold the lock at `path` for the block (LockHeld at once when another process has it)."""
    fd = take_lock(path, busy)
    try:
        yield path
    finally:
        os.close(fd)


def scan_lock_path(label: str) -> Path:
    """Where the lock of one subject's scans lives (labels are checked names: no slashes)."""
    return data_dir() / SCAN_LOCKS / f"{label}.lock"


def _holder(fd: int) -> str:
    """ ", process N" from the lock file, or nothing when it does not say."""
    with contextlib.suppress(OSError, ValueError):
        text = os.pread(fd, 32, 0).decode("ascii").strip()
        if text.isdigit():
            return f", process {int(text)}"
    return ""
