"""Speed and memory targets, checked by measurement (never by timed unit tests).

    .venv/bin/python bench/run.py        # or: make bench

Targets (a 2-core laptop):
- a full demo scan (replayed world, both reports rendered) in under 2 s, peak traced
  Python memory under 50 MB;
- extraction of a 1 MB adversarial string in under 5 s (every regex must be linear);
- extraction quality on ../shared/pii-dev when present (bench/pii_eval.py).
Exit status 1 when a target is missed.
"""

from __future__ import annotations

import asyncio
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pii_eval import adversarial  # noqa: E402
from bench.pii_eval import main as pii_eval_main  # noqa: E402
from scanner.extract import extract_text  # noqa: E402
from scanner.http import Http, HttpSettings  # noqa: E402
from scanner.models import ScanResult  # noqa: E402
from scanner.pipeline import run_scan  # noqa: E402
from scanner.profile import load_profile  # noqa: E402
from scanner.replay import ReplayTransport  # noqa: E402
from scanner.report import render_html, report_dict  # noqa: E402
from scanner.sites.catalogue import load_catalogue  # noqa: E402
from scanner.sources import all_sources  # noqa: E402

T = TypeVar("T")
SCAN_SECONDS, SCAN_MB = 2.0, 50.0
EXTRACT_SECONDS = 5.0


def measure(run: Callable[[], T]) -> tuple[T, float, float]:
    """Result, wall seconds and peak traced memory in MB of one call."""
    tracemalloc.start()
    began = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return result, seconds, peak


def demo_scan() -> ScanResult:
    profile = load_profile(ROOT / "sample_profiles" / "jordan_testwell.toml")

    async def scan() -> ScanResult:
        settings = HttpSettings(pacing=False)  # as `scan --replay`: no service to pace for
        async with Http(settings, transport=ReplayTransport(ROOT / "demo_world")) as http:
            sites = load_catalogue(ROOT / "demo_world" / "sites.json")  # as `scan --replay`
            return await run_scan(profile, all_sources(sites), http)

    result = asyncio.run(scan())
    report_dict(result)
    render_html(result)
    return result


def check(label: str, value: float, limit: float, unit: str) -> bool:
    ok = value <= limit
    print(f"{'PASS' if ok else 'FAIL'}  {label}: {value:.3f} {unit} (target ≤ {limit:g} {unit})")
    return ok


def main() -> int:
    results: list[bool] = []
    _, seconds, peak = measure(demo_scan)
    results.append(check("demo scan + reports, time", seconds, SCAN_SECONDS, "s"))
    results.append(check("demo scan + reports, peak memory", peak, SCAN_MB, "MB"))
    text = adversarial()
    began = time.perf_counter()
    extract_text(text)
    results.append(
        check("extract 1 MB adversarial text", time.perf_counter() - began, EXTRACT_SECONDS, "s")
    )
    print()
    pii_eval_main([])
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
