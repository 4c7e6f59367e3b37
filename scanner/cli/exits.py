"""Exit statuses, and the one mapping from what ended a command to its status and message.

0 done (a scan: every source could check), 1 internal error (a bug) or a command that
failed for an outside reason (`CommandFailed`), 2 bad input (profile, option or file),
3 a scan that finished incomplete (some sources could not check; restic's convention),
130 interrupted (Ctrl-C), 143 terminated (SIGTERM), 141 the output pipe closed early.
`scanner.cli.main` is the only caller that prints these; a scheduled rescan asks
`exit_status` only to say in its desktop notice how the scan ended.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import TYPE_CHECKING

from scanner.errors import InputError
from scanner.text import printable

if TYPE_CHECKING:
    from scanner.models import ScanResult

PROG = "exposure-audit"
EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INPUT = 2
EXIT_INCOMPLETE = 3
EXIT_INTERRUPTED = 130
EXIT_PIPE = 141
EXIT_TERMINATED = 143


class Terminated(KeyboardInterrupt):
    """SIGTERM: the scan ends as on Ctrl-C (checkpoints kept), with exit status 143."""


def sigterm_interrupts() -> None:
    """Make SIGTERM end the command as Ctrl-C does (raising Terminated), where nothing else
    has claimed the signal: only in the main thread, only over the default handler."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


class CommandFailed(Exception):
    """A command could not do its job for an outside reason (a download refused): its
    message is the one line shown, and the exit status is 1."""


def scan_status(result: ScanResult) -> int:
    """A finished scan's status: 0 when every source could check, else 3 (incomplete)."""
    if any(run.could_not_check for run in result.runs):
        return EXIT_INCOMPLETE
    return EXIT_OK


def exit_status(exc: BaseException) -> int:
    """The exit status of a command that ended with `exc`."""
    if isinstance(exc, InputError):
        return EXIT_INPUT
    if isinstance(exc, Terminated):
        return EXIT_TERMINATED
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        return EXIT_PIPE
    return EXIT_INTERNAL


def error_line(exc: BaseException) -> str:
    """The one line on stderr for `exc` (a closed output pipe is not told anything)."""
    if isinstance(exc, InputError):
        return f"{PROG}: error: {printable(str(exc))}"
    if isinstance(exc, KeyboardInterrupt):
        said = "terminated" if isinstance(exc, Terminated) else "interrupted"
        if str(exc):  # what was kept, and how to go on
            return f"{PROG}: {said}: {printable(str(exc))}"
        return f"{PROG}: {said}"
    if isinstance(exc, CommandFailed):
        return f"{PROG}: {printable(str(exc))}"
    return f"{PROG}: internal error: {type(exc).__name__}: {printable(str(exc))}"


def is_a_bug(exc: BaseException) -> bool:
    """An exception nothing expected (EXPOSURE_AUDIT_DEBUG=1 shows its traceback)."""
    expected = (InputError, KeyboardInterrupt, BrokenPipeError, CommandFailed)
    return not isinstance(exc, expected)
