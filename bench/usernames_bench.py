"""Benchmark of `exposure-audit usernames` against the loopback site farm (issue 3).

    .venv/bin/python bench/usernames_bench.py                   # 2,000 sites, 100 ms latency
    .venv/bin/python bench/usernames_bench.py --sites 500 --latency 0.05 --concurrency 64
    .venv/bin/python bench/usernames_bench.py --farm-only     # farm self-check, bare baseline

The farm (bench/site_farm.py) runs in its own process; the CLI runs as a subprocess, and its
CPU time and peak RSS come from os.wait4 on that one child (the farm is not counted). Runs the
CLI at its default concurrency and at --concurrency C (256), checks every verdict against the
farm's table, and compares the wall time with the ideal bound requests x latency / concurrency.
Two "bare" clients (2 requests per site, no retries, no logging) give the baselines: one
httpx.AsyncClient, and hand-written HTTP/1.1 on asyncio streams (the floor of this machine).
--farm-only also measures httpx with a stub `sniffio` and the farm at zero latency.

Targets (a 2-core machine; issue 3): 2,000 sites at 100 ms in <= 3.5 s wall, <= 1 ms CPU per
site, start-up (`exposure-audit --version`) <= 0.3 s, peak RSS <= 150 MB, every verdict right.
Exit status 1 when a target is missed; 0 with SKIP while the `usernames` command does not exist.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.site_farm import (  # noqa: E402
    Kind,
    expected_verdicts,
    generate_catalogue,
    kind_of,
    site_entry,
)

WALL_SECONDS, CPU_MS_PER_SITE, STARTUP_SECONDS, RSS_MB = 3.5, 1.0, 0.3, 150.0
RUN_LIMIT = 600.0  # a CLI run that takes longer is killed


def check(label: str, value: float, limit: float, unit: str, digits: int = 3) -> bool:
    ok = value <= limit
    shown = f"{value:.{digits}f}"
    print(f"{'PASS' if ok else 'FAIL'}  {label}: {shown} {unit} (target ≤ {limit:g} {unit})")
    return ok


CLI: Path | None = None  # --cli


def cli_path() -> Path:
    if CLI is not None:
        return CLI
    beside = Path(sys.executable).parent / "exposure-audit"
    return beside if beside.exists() else ROOT / ".venv" / "bin" / "exposure-audit"


@dataclass
class Measured:
    returncode: int
    wall: float
    cpu: float  # user + system seconds of the child alone
    rss_mb: float  # its peak resident set
    stdout: str
    stderr: str


# The measured processes may write bytecode caches, as an installed package has them (pip
# compiles on install): with PYTHONDONTWRITEBYTECODE set (some sandboxes set it), every run
# would compile the project's modules again, about 0.05 s of CPU, which no user pays.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(cmd: list[str], limit: float = RUN_LIMIT) -> Measured:
    """Run cmd; wall time, and CPU / peak RSS of that child from os.wait4."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        began = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=CHILD_ENV
        )
        killer = threading.Timer(limit, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
        out.seek(0)
        err.seek(0)
        return Measured(
            proc.returncode,
            wall,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss / 1024,  # kilobytes on Linux
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


# --- the farm process ---------------------------------------------------------------------


class FarmProcess:
    def __init__(self, latency: float) -> None:
        farm = ROOT / "bench" / "site_farm.py"
        cmd = [sys.executable, str(farm), "--port", "0", "--latency", str(latency), "--no-summary"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], 15.0)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith("READY "):
            self.proc.kill()
            raise SystemExit(f"the site farm did not start (said {line!r})")
        self.port = int(line.split()[1])

    def requests(self) -> int:
        """Requests the farm has received so far (retries included)."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://127.0.0.1:{self.port}/_stats", timeout=5) as response:
            return int(json.load(response)["requests"])

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def farm_cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- start-up and the CLI -----------------------------------------------------------------


def warm_up(farm: FarmProcess, folder: Path, args: argparse.Namespace) -> None:
    """One unmeasured `usernames` run over 16 farm sites: bytecode caches written, as after
    an install, and the file cache warm."""
    small = folder / "warm-up-sites.json"
    small.write_text(json.dumps(generate_catalogue(16, farm.port)), encoding="utf-8")
    cmd = [str(cli_path()), "usernames", args.username, "--sites", str(small), "--quiet"]
    measure([*cmd, "--timeout", str(args.timeout)], 120)


def startup_seconds(runs: int = 5) -> float:
    walls = [measure([str(cli_path()), "--version"], 60).wall for _ in range(runs)]
    return statistics.median(walls)


def default_concurrency() -> int | None:
    """The CLI's default --concurrency, read from `usernames --help`."""
    result = measure([str(cli_path()), "usernames", "--help"], 60)
    match = re.search(r"--concurrency.*?default (\d+)", result.stdout, re.DOTALL)
    return int(match.group(1)) if match else None


@dataclass
class Run:
    label: str
    measured: Measured
    report: dict[str, Any] | None
    concurrency: int | None
    served: int


def run_cli(
    farm: FarmProcess, catalogue: Path, args: argparse.Namespace, concurrency: int | None
) -> Run:
    out = catalogue.with_name(f"results-{concurrency or 'default'}.json")
    cmd = [str(cli_path()), "usernames", args.username, "--sites", str(catalogue)]
    cmd += ["--json-file", str(out), "--quiet", "--timeout", str(args.timeout)]
    if concurrency is not None:
        cmd += ["--concurrency", str(concurrency)]
    before = farm.requests()
    measured = measure(cmd)
    served = farm.requests() - before
    report = None
    if measured.returncode == 0 and out.is_file():
        report = json.loads(out.read_text(encoding="utf-8"))
    return Run("", measured, report, concurrency, served)


def unavailable(measured: Measured) -> bool:
    return measured.returncode == 2 and "invalid choice" in measured.stderr


def wrong_verdicts(results: list[dict[str, Any]], expected: dict[str, str]) -> list[str]:
    """One line per site whose verdict (or unreliable flag) differs from the farm's table."""
    wrong: list[str] = []
    seen: set[str] = set()
    for result in results:
        name = str(result.get("site"))
        seen.add(name)
        want = expected.get(name)
        verdict, unreliable = result.get("verdict"), bool(result.get("unreliable"))
        got = "unreliable" if unreliable and verdict == "unknown" else str(verdict)
        if want is None:
            wrong.append(f"{name}: not a farm site (verdict {got})")
        elif got != want or (unreliable and want != "unreliable"):
            flag = " (flagged unreliable)" if unreliable else ""
            why = f"{result.get('reason', '')!s}"[:80]
            wrong.append(
                f"{name} [{kind_of(int(name.rsplit(' ', 1)[1])).value}]: expected {want}, "
                f"got {verdict}{flag}, status {result.get('status')}: {why}"
            )
    wrong += [f"{name}: no result" for name in expected if name not in seen]
    return wrong


def report_run(run: Run, args: argparse.Namespace, expected: dict[str, str]) -> list[bool]:
    m, label = run.measured, run.label
    print(f"\n{label}: exit {m.returncode}, wall {m.wall:.2f} s")
    if run.report is None:
        print(f"  no JSON report; stderr ends:\n{_tail(m.stderr)}")
        return [check(f"{label}, completed", 1, 0, "failures", 0)]
    requests = int(run.report.get("requests", 0))
    conc = run.concurrency
    ideal = requests * args.latency / conc if conc else float("nan")
    print(
        f"  ideal bound {ideal:.2f} s = {requests} requests x {args.latency:g} s / "
        f"{conc if conc else '?'}; the CLI's own elapsed_seconds "
        f"{run.report.get('elapsed_seconds', 0):.2f} s"
    )
    print(f"  requests: {requests} by the CLI's count, {run.served} served by the farm")
    per_site = m.cpu * 1000 / args.sites
    print(f"  client CPU {m.cpu:.2f} s ({per_site:.2f} ms per site), peak RSS {m.rss_mb:.1f} MB")
    print(f"  counts: {run.report.get('counts')}")
    wrong = wrong_verdicts(list(run.report.get("results", [])), expected)
    for line in wrong[:10]:
        print(f"  wrong: {line}")
    if len(wrong) > 10:
        print(f"  ... and {len(wrong) - 10} more")
    return [
        check(f"{label}, wall", m.wall, WALL_SECONDS, "s"),
        check(f"{label}, CPU per site", per_site, CPU_MS_PER_SITE, "ms"),
        check(f"{label}, peak RSS", m.rss_mb, RSS_MB, "MB"),
        check(f"{label}, wrong verdicts", len(wrong), 0, "sites", 0),
    ]


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines()[-lines:])


# --- bare clients (baselines; each runs in its own process through --bare-client) --------
#
# "httpx": one httpx.AsyncClient, a semaphore, 2 requests per site (name, then a random
#   control name on the same keep-alive connection), no retries, no logging.
# "httpx-sniffio": the same with a stub `sniffio` module in sys.modules, to measure what the
#   failing `import sniffio` inside httpcore costs per request when sniffio is not installed.
# "streams": asyncio.open_connection and a hand-written HTTP/1.1 exchange: the floor.
BARE_KINDS = ("httpx", "httpx-sniffio", "streams")


def bare_verdict(site: dict[str, Any], status: int, text: str) -> str:
    if status in (401, 403, 429) or "challenge-platform" in text:
        return "blocked"
    if status == site["e_code"] and site["e_string"] in text:
        return "found"
    if status == site["m_code"] and site["m_string"] in text:
        return "not_found"
    return "unknown"


def _request_parts(site: dict[str, Any], name: str) -> tuple[str, str, bytes | None]:
    body = site.get("post_body")
    url = site["uri_check"].replace("{account}", name)
    return (
        ("POST" if body else "GET"),
        url,
        body.replace("{account}", name).encode() if body else None,
    )


async def bare_client(
    sites: list[dict[str, Any]], username: str, concurrency: int, seconds: float, kind: str
) -> None:
    if kind == "httpx-sniffio":
        stub = types.ModuleType("sniffio")
        stub.current_async_library = lambda: "asyncio"  # type: ignore[attr-defined]
        sys.modules["sniffio"] = stub
    import httpx

    gate = asyncio.Semaphore(concurrency)
    requests = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=64)
    client = httpx.AsyncClient(limits=limits, timeout=seconds, trust_env=False)

    async def httpx_probe(site: dict[str, Any], name: str) -> str:
        method, url, body = _request_parts(site, name)
        try:
            response = await client.request(method, url, content=body, headers=site.get("headers"))
        except httpx.TimeoutException:
            return "unknown"
        return bare_verdict(site, response.status_code, response.text)

    async def streams_pair(site: dict[str, Any], names: tuple[str, str]) -> list[str]:
        host, port = urlsplit(site["uri_check"]).hostname, urlsplit(site["uri_check"]).port
        verdicts = ["unknown", "unknown"]
        try:
            async with asyncio.timeout(seconds):
                reader, writer = await asyncio.open_connection(host, port)
        except TimeoutError:
            return verdicts
        try:
            for n, name in enumerate(names):
                method, url, body = _request_parts(site, name)
                parts = urlsplit(url)
                head = f"{method} {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                for key, value in (site.get("headers") or {}).items():
                    head += f"{key}: {value}\r\n"
                if body is not None:
                    head += f"Content-Length: {len(body)}\r\n"
                writer.write(head.encode() + b"\r\n" + (body or b""))
                async with asyncio.timeout(seconds):
                    raw = await reader.readuntil(b"\r\n\r\n")
                    status = int(raw.split(b" ", 2)[1])
                    length = re.search(rb"(?i)content-length: *(\d+)", raw)
                    text = await reader.readexactly(int(length.group(1))) if length else b""
                verdicts[n] = bare_verdict(site, status, text.decode("utf-8", "replace"))
        except TimeoutError:
            pass
        finally:
            writer.close()
        return verdicts

    async def one(site: dict[str, Any]) -> tuple[str, str]:
        nonlocal requests
        names = (username, "zq" + secrets.token_hex(6))
        async with gate:
            requests += 2
            if kind == "streams":
                first, control = await streams_pair(site, names)
            else:
                first = await httpx_probe(site, names[0])
                control = await httpx_probe(site, names[1])
        if first == "found":
            return site["name"], "unreliable" if control == "found" else "found"
        return site["name"], first

    began = time.perf_counter()
    async with client:
        verdicts = dict(await asyncio.gather(*(one(site) for site in sites)))
    wall = time.perf_counter() - began
    print(json.dumps({"wall": wall, "requests": requests, "verdicts": verdicts}))


def run_bare(
    farm: FarmProcess,
    catalogue: Path,
    args: argparse.Namespace,
    kind: str,
    concurrency: int,
    latency: float,
) -> None:
    cmd = [sys.executable, __file__, "--bare-client", str(catalogue), "--username", args.username]
    cmd += ["--concurrency", str(concurrency), "--timeout", str(args.timeout), "--bare-kind", kind]
    before, farm_cpu = farm.requests(), farm_cpu_seconds(farm.proc.pid)
    m = measure(cmd)
    farm_cpu = farm_cpu_seconds(farm.proc.pid) - farm_cpu
    if m.returncode != 0:
        print(f"bare {kind} client failed (exit {m.returncode}):\n{_tail(m.stderr)}")
        return
    data = json.loads(m.stdout)
    expected = expected_verdicts(args.sites, args.username)
    got = data["verdicts"]
    wrong = [f"{k}: expected {v}, got {got.get(k)}" for k, v in expected.items() if got.get(k) != v]
    requests, loop_wall = data["requests"], data["wall"]
    print(
        f"bare {kind} client, concurrency {concurrency}, latency {latency:g} s: "
        f"{args.sites} sites x 2 = {requests} requests in {loop_wall:.2f} s "
        f"({requests / loop_wall:.0f} req/s; ideal {requests * latency / concurrency:.2f} s; "
        f"process wall {m.wall:.2f} s)"
    )
    print(
        f"  client CPU {m.cpu:.2f} s ({m.cpu * 1000 / args.sites:.2f} ms per site), peak RSS "
        f"{m.rss_mb:.1f} MB; farm CPU {farm_cpu:.2f} s, farm served {farm.requests() - before}; "
        f"verdicts differing from the table: {len(wrong)}"
    )
    for line in wrong[:10]:
        print(f"  differs: {line}")


# --- farm self-check ----------------------------------------------------------------------


def farm_self_check(farm: FarmProcess, username: str) -> None:
    """A few curl-like requests (urllib), one per behaviour."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    picked: dict[Kind, int] = {}
    for i in range(40):
        picked.setdefault(kind_of(i), i)
    posts = [i for i in range(200) if site_entry(i, farm.port).get("post_body")][:2]
    for i in [*picked.values(), *posts]:
        site = site_entry(i, farm.port)
        for name in (username, "zq" + secrets.token_hex(6)):
            url = site["uri_check"].replace("{account}", name)
            body = site.get("post_body")
            data = body.replace("{account}", name).encode() if body else None
            request = urllib.request.Request(url, data=data, headers=site.get("headers", {}))  # noqa: S310 - loopback farm
            try:
                with opener.open(request, timeout=0.5 if kind_of(i) == Kind.TIMEOUT else 5) as r:
                    status, size = r.status, len(r.read())
            except urllib.error.HTTPError as exc:
                status, size = exc.code, len(exc.read())
            except (TimeoutError, urllib.error.URLError) as exc:
                status, size = 0, 0
                print(
                    f"  {request.get_method():4} {url} -> no answer ({exc})  [{kind_of(i).value}]"
                )
                continue
            print(
                f"  {request.get_method():4} {url} -> {status}, {size} bytes  [{kind_of(i).value}]"
            )


# --- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sites", type=int, default=2000, help="farm sites (default 2000)")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per answer (0.1)")
    parser.add_argument(
        "--concurrency", type=int, default=256, help="second run's --concurrency (256)"
    )
    parser.add_argument("--timeout", type=float, default=2.0, help="CLI --timeout (2 s)")
    parser.add_argument("--username", default="benchuser")
    parser.add_argument("--cli", type=Path, help="the exposure-audit executable to measure")
    parser.add_argument("--farm-only", action="store_true", help="check the farm; bare baseline")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare-client run")
    parser.add_argument("--bare-client", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bare-kind", choices=BARE_KINDS, default="httpx", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    global CLI
    CLI = args.cli
    if args.bare_client:
        sites = json.loads(args.bare_client.read_text(encoding="utf-8"))["sites"]
        asyncio.run(
            bare_client(sites, args.username, args.concurrency, args.timeout, args.bare_kind)
        )
        return 0
    farm = FarmProcess(args.latency)
    try:
        with tempfile.TemporaryDirectory(prefix="usernames-bench-") as folder:
            catalogue = Path(folder) / "farm-sites.json"
            catalogue.write_text(json.dumps(generate_catalogue(args.sites, farm.port)), "utf-8")
            if args.farm_only:
                return farm_only(farm, catalogue, args)
            return bench(farm, catalogue, args)
    finally:
        farm.stop()


def farm_only(farm: FarmProcess, catalogue: Path, args: argparse.Namespace) -> int:
    print(f"site farm on port {farm.port}, latency {args.latency:g} s; a few requests:")
    farm_self_check(farm, args.username)
    for kind in BARE_KINDS:
        run_bare(farm, catalogue, args, kind, args.concurrency, args.latency)
    fast = FarmProcess(0.0)
    try:
        fast_catalogue = catalogue.with_name("farm-sites-0.json")
        fast_catalogue.write_text(json.dumps(generate_catalogue(args.sites, fast.port)), "utf-8")
        for kind in BARE_KINDS:
            run_bare(fast, fast_catalogue, args, kind, args.concurrency, 0.0)
    finally:
        fast.stop()
    startup = startup_seconds()
    print(f"start-up of `exposure-audit --version`: {startup:.3f} s (median of 5)")
    return 0


def bench(farm: FarmProcess, catalogue: Path, args: argparse.Namespace) -> int:
    print(
        f"usernames benchmark: {args.sites} farm sites, latency {args.latency:g} s, "
        f"timeout {args.timeout:g} s, username {args.username!r}"
    )
    warm_up(farm, catalogue.parent, args)
    startup = startup_seconds()
    expected = expected_verdicts(args.sites, args.username)
    results: list[bool] = []
    default = default_concurrency()
    for concurrency in (None, args.concurrency):
        run = run_cli(farm, catalogue, args, concurrency)
        if unavailable(run.measured):
            print("usernames command not available yet")
            print(f"SKIP  usernames benchmark (start-up now {startup:.3f} s)")
            return 0
        if concurrency is None:
            run.concurrency = default
            run.label = f"{args.sites} sites, default concurrency ({default or '?'})"
        else:
            run.label = f"{args.sites} sites, concurrency {concurrency}"
        results += report_run(run, args, expected)
    print()
    if not args.no_baseline:
        for kind in ("httpx", "streams"):
            run_bare(farm, catalogue, args, kind, args.concurrency, args.latency)
    results.append(check("start-up (exposure-audit --version)", startup, STARTUP_SECONDS, "s"))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
