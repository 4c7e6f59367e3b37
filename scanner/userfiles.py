"""Reading files the user names: every failure is one InputError line naming the file."""

from __future__ import annotations

from pathlib import Path

from scanner.errors import InputError


def read_user_file(path: Path, what: str = "file", max_bytes: int | None = None) -> bytes:
    """The file's bytes, or InputError: missing, a folder, unreadable or too large."""
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise InputError(f"{what} {path} is larger than {max_bytes} bytes")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{what} is a directory, not a file: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
