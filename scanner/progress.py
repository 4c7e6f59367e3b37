"""Progress on stderr: a live bar on a terminal, plain lines otherwise, nothing with --quiet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from scanner.models import RunStatus, SourceRun
from scanner.pipeline import NullObserver
from scanner.sources.base import Source
from scanner.text import printable


def describe(run: SourceRun) -> str:
    title = run_title(run)
    if run.status is RunStatus.OK:
        line = f"{title}: checked, {run.observations} detail(s)"
    elif run.status is RunStatus.SKIPPED:
        line = f"{title}: skipped ({run.reason})"
    else:
        line = f"{title}: could not check: {run.reason}"
    return printable(line)


def run_title(run: SourceRun) -> str:
    """The source's title, and the lead it looked up when it was following one."""
    if run.via is None:
        return run.title
    return f"{run.title}, for {run.via.value} (found by {run.via.found_by})"


class QuietProgress(NullObserver):
    """Shows nothing (--quiet); the base of the other displays."""

    def close(self) -> None:
        return None


class LineProgress(QuietProgress):
    """One plain line per finished source, for logs and pipes."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.total = 0
        self.done = 0

    def scan_started(self, sources: Sequence[Source]) -> None:
        self.total = len(sources)
        print(f"scanning {self.total} source(s)…", file=self.stream, flush=True)

    def sources_added(self, count: int) -> None:
        self.total += count
        print(f"following leads: {count} more lookup(s)…", file=self.stream, flush=True)

    def source_finished(self, run: SourceRun) -> None:
        self.done += 1
        print(f"[{self.done}/{self.total}] {describe(run)}", file=self.stream, flush=True)


class BarProgress(QuietProgress):
    """A live rich progress bar; finished sources are printed above it."""

    def __init__(self, stream: TextIO) -> None:
        self.console = Console(file=stream)
        self.progress = Progress(
            TextColumn("[bold]scanning"), BarColumn(), MofNCompleteColumn(),
            console=self.console, transient=True,
        )  # fmt: skip
        self.task: TaskID | None = None

    def scan_started(self, sources: Sequence[Source]) -> None:
        self.progress.start()
        self.task = self.progress.add_task("scan", total=len(sources))

    def sources_added(self, count: int) -> None:
        if self.task is not None:
            total = self.progress.tasks[0].total or 0
            self.progress.update(self.task, total=total + count)

    def source_finished(self, run: SourceRun) -> None:
        self.progress.console.print(describe(run), markup=False, highlight=False)
        if self.task is not None:
            self.progress.advance(self.task)

    def close(self) -> None:
        self.progress.stop()


def make_progress(stream: TextIO, *, quiet: bool) -> QuietProgress:
    if quiet:
        return QuietProgress()
    if stream.isatty():
        return BarProgress(stream)
    return LineProgress(stream)
