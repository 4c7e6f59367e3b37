"""`make demo-live`: the demo scan on the live network path, with nothing leaving the machine.

    .venv/bin/python scripts/demo_live.py [--socks | --tor] [--out DIR]

`make demo` answers every request inside the process (--replay). This runs the same audit of
sample_profiles/jordan_testwell.toml as a real `exposure-audit scan` process that takes the
path a live scan takes: a proxy, real TLS with a CA it was told to trust, real sockets. On
127.0.0.1 it starts the demo world behind a TLS server that has a certificate for every
host name (signed by a throw-away CA), and a proxy in front of it that sends every host
name there (tests/loopback: an HTTP CONNECT proxy by default; --socks a SOCKS5 proxy with
remote DNS; --tor the same SOCKS5 proxy found through `--tor`, via EXPOSURE_AUDIT_TOR).

The scan process watches its own resolver (a Python audit hook on socket.getaddrinfo) and
the script prints, after the scan's own summary: the proxy in use, the tunnels it carried
by host, the requests the world answered, and the host names the scanner looked up itself
(the proxy's literal address only: names are the proxy's job).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.netpath import NETWORK_VARIABLES  # noqa: E402
from tests.loopback import ConnectProxy, Socks5Proxy, TestCA, WorldServer  # noqa: E402

WORLD = ROOT / "demo_world"
PROFILE = ROOT / "sample_profiles" / "jordan_testwell.toml"
LOCAL = ("127.0.0.1", "::1", "localhost")
# Run the CLI with an audit hook that writes every host name given to getaddrinfo.
WATCHED = """
import sys
log = open(sys.argv[1], "a", encoding="utf-8")
def hook(event, args):
    if event == "socket.getaddrinfo":
        log.write(str(args[0]) + "\\n")
        log.flush()
sys.addaudithook(hook)
from scanner.cli import main
sys.exit(main(sys.argv[2:]))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--socks", action="store_true", help="a SOCKS5 proxy instead of CONNECT")
    how.add_argument("--tor", action="store_true", help="the SOCKS5 proxy, found with --tor")
    parser.add_argument("--out", type=Path, default=ROOT / "demo-output-live")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exposure-audit-live-") as folder:
        ca = TestCA()
        try:
            return _run(args, ca, Path(folder))
        finally:
            ca.close()


def _run(args: argparse.Namespace, ca: TestCA, folder: Path) -> int:
    bundle = ca.write(folder / "ca.pem")
    dns_log = folder / "lookups.txt"
    kind = Socks5Proxy if args.socks or args.tor else ConnectProxy
    with WorldServer(WORLD, ca) as world, kind(world) as proxy:
        env = {k: v for k, v in os.environ.items() if k not in NETWORK_VARIABLES}
        env["XDG_DATA_HOME"] = str(folder / "data")  # the demo never lands in your history
        route = ["--proxy", proxy.url]
        if args.tor:
            env["EXPOSURE_AUDIT_TOR"] = f"127.0.0.1:{proxy.port}"
            route = ["--tor"]
        command = [
            sys.executable, "-c", WATCHED, str(dns_log),
            "scan", str(PROFILE), *route, "--ca-bundle", str(bundle),
            "--sites", str(WORLD / "sites.json"), "--out", str(args.out), "--no-history",
        ]  # fmt: skip
        print(f"demo-live: the demo world on 127.0.0.1, behind {proxy.url}", flush=True)
        status = subprocess.run(command, env=env, check=False).returncode  # noqa: S603
        tunnels = Counter(host for host, _ in proxy.tunnels)
        served = len(world.requests)
    looked_up = dns_log.read_text(encoding="utf-8").split() if dns_log.exists() else []
    targets = sorted({host for host in looked_up if host not in LOCAL})
    print(
        f"demo-live: {sum(tunnels.values())} connections through the proxy to {len(tunnels)} hosts"
    )
    for host, count in sorted(tunnels.items()):
        print(f"  {host}: {count}")
    print(f"demo-live: {served} requests answered by the loopback world")
    if targets:
        print(f"demo-live: the scanner looked up host names itself: {', '.join(targets)}")
        return 1
    print("demo-live: local DNS look-ups of target hosts: none (the proxy resolved every name)")
    return status


if __name__ == "__main__":
    sys.exit(main())
