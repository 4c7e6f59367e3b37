"""Progress: a bar on a terminal, plain lines in a pipe, nothing with --quiet."""

from __future__ import annotations

import io

from scanner.models import Pivot, RunStatus, SourceRun
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
    total = len(all_sources())
    assert lines[0] == f"scanning {total} source(s)…"
    assert lines[1].startswith(f"[1/{total}] ")
    assert "\x1b" not in stream.getvalue()


def lead_run() -> SourceRun:
    via = Pivot("emails", "jordan@personal.example", "github", "https://github.com/jt", "", "jt")
    return SourceRun("gravatar", "Gravatar", RunStatus.OK, observations=3, via=via)


def test_added_lookups_grow_the_count_and_name_the_lead() -> None:
    stream = io.StringIO()
    progress = LineProgress(stream)
    progress.scan_started([])
    progress.sources_added(1)
    progress.source_finished(lead_run())
    assert stream.getvalue().splitlines()[1:] == [
        "following leads: 1 more lookup(s)…",
        "[1/1] Gravatar, for jordan@personal.example (found by github): checked, 3 detail(s)",
    ]


def test_the_bar_grows_with_added_lookups() -> None:
    stream = Terminal()
    progress = BarProgress(stream)
    progress.scan_started(all_sources())
    progress.sources_added(3)
    assert progress.progress.tasks[0].total == len(all_sources()) + 3
    progress.source_finished(lead_run())
    progress.close()
    assert "Gravatar, for jordan@personal.example (found by github)" in stream.getvalue()


def test_quiet_prints_nothing_even_on_a_terminal() -> None:
    stream = Terminal()
    progress = make_progress(stream, quiet=True)
    run_events(progress)
    assert stream.getvalue() == ""
