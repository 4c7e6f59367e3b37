"""Progress: a bar on a terminal, plain lines in a pipe, nothing with --quiet."""

from __future__ import annotations

import io

from scanner.models import RunStatus, SourceRun
from scanner.progress import BarProgress, LineProgress, QuietProgress, make_progress
from scanner.sources import all_sources


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_events(progress: QuietProgress) -> None:
    sources = all_sources()
    progress.scan_started(sources)
    for source in sources:
        progress.source_finished(
            SourceRun(source.name, source.title, RunStatus.BLOCKED, "rate limit (HTTP 429)")
        )
    progress.close()


def test_a_terminal_gets_the_live_bar_and_each_outcome() -> None:
    stream = Terminal()
    progress = make_progress(stream, quiet=False)
    assert isinstance(progress, BarProgress)
    run_events(progress)
    assert "GitHub: could not check: rate limit (HTTP 429)" in stream.getvalue()


def test_a_pipe_gets_plain_numbered_lines() -> None:
    stream = io.StringIO()
    progress = make_progress(stream, quiet=False)
    assert isinstance(progress, LineProgress)
    run_events(progress)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "scanning 2 source(s)…"
    assert lines[1].startswith("[1/2] ")
    assert "\x1b" not in stream.getvalue()


def test_quiet_prints_nothing_even_on_a_terminal() -> None:
    stream = Terminal()
    progress = make_progress(stream, quiet=True)
    run_events(progress)
    assert stream.getvalue() == ""
