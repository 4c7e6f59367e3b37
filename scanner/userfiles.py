"""Reading files the user names: every failure is one InputError line naming the file."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from scanner.errors import InputError

# What a path that is not a regular file is, in the one line that refuses it.
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def read_user_file(path: Path, what: str = "file", max_bytes: int | None = None) -> bytes:
    """The file's bytes, or InputError: missing, not a regular file (a folder, FIFO, socket
    or device is refused without waiting on it), unreadable or larger than `max_bytes`."""
    try:
        _refuse_special(os.stat(path).st_mode, path, what)  # a socket cannot even be opened
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as opened:
        info = os.fstat(fd)
        _refuse_special(info.st_mode, path, what)  # what was opened, not only what was seen
        if max_bytes is not None and info.st_size > max_bytes:
            raise InputError(f"{what} {path} is larger than {max_bytes} bytes")
        return _read(opened, path, what, max_bytes)


def _refuse_special(mode: int, path: Path, what: str) -> None:
    for test, kind in _KINDS:
        if test(mode):
            raise InputError(f"{what} is {kind}, not a file: {path}")


def _read(opened: BinaryIO, path: Path, what: str, max_bytes: int | None) -> bytes:
    """All of it, or at most max_bytes (a file that grew after the size check is refused)."""
    try:
        if max_bytes is None:
            return opened.read()
        data = opened.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(f"{what} {path} is larger than {max_bytes} bytes")
    return data
