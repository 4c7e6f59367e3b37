"""The live network path, over real sockets: the demo world served over TLS on loopback,
scanned through an HTTP CONNECT proxy, a SOCKS5 proxy with remote DNS, and `--tor`
pointed at that SOCKS5 proxy. Each scan must report what the in-process replay reports,
send every request through the proxy, and make no DNS look-up of a target host. Faults
(proxy refusing, dying mid-scan, a wrong CA, a name the proxy will not connect to) end as
"could not check: <reason>", never a traceback.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from scanner.http import Http, HttpSettings
from scanner.models import RunStatus, ScanResult
from scanner.netpath import NetworkPath, network_path
from scanner.pipeline import run_scan
from scanner.profile import load_profile
from scanner.replay import ReplayTransport
from scanner.sites.catalogue import load_catalogue
from scanner.sources import select_sources
from tests.loopback import ConnectProxy, LoopbackProxy, Socks5Proxy, TestCA, WorldServer
from tests.support import ROOT

DEMO_WORLD = ROOT / "demo_world"
PROFILE = ROOT / "sample_profiles" / "jordan_testwell.toml"
LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")
SETTINGS = HttpSettings(
    backoff_initial=0.0, backoff_max=0.0, max_retry_after=0.0, pacing=False, timeout=10.0
)


@dataclass
class Scan:
    result: ScanResult
    looked_up: list[str]  # every host name this process asked the resolver about


def scan(path: NetworkPath | None, transport: Any = None) -> Scan:
    """A full scan of the demo world's subject (what `make demo` runs), in-process."""
    profile = load_profile(PROFILE)
    sources = select_sources(None, load_catalogue(DEMO_WORLD / "sites.json"))
    settings = replace(SETTINGS, path=path)
    looked_up: list[str] = []
    guarded = socket.getaddrinfo

    def recording(host: Any, *args: Any, **kwargs: Any) -> Any:
        looked_up.append(str(host))
        return guarded(host, *args, **kwargs)

    async def go() -> ScanResult:
        async with Http(settings, transport=transport) as http:
            return await run_scan(profile, sources, http, source_timeout=60.0)

    socket.getaddrinfo = recording
    try:
        result = asyncio.run(go())
    finally:
        socket.getaddrinfo = guarded
    return Scan(result, looked_up)


def findings(result: ScanResult) -> set[tuple[str, str]]:
    return {(f.kind.value, f.value) for f in result.findings}


def pages_read(result: ScanResult) -> list[str]:
    """The result pages web search read (its notes say how many)."""
    return [n for r in result.runs if r.name == "websearch" for n in r.notes if "read" in n]


@pytest.fixture(scope="module")
def replayed() -> ScanResult:
    return scan(None, ReplayTransport(DEMO_WORLD)).result


def assert_all_through(proxy: LoopbackProxy, server: WorldServer, live: Scan) -> None:
    hosts_served = {url.split("/")[2].split(":")[0] for _, url in server.requests}
    hosts_tunnelled = {host for host, _ in proxy.tunnels}
    assert hosts_served  # the world answered
    assert hosts_served <= hosts_tunnelled  # only the proxy reaches the world
    assert len(server.requests) >= len(live.result.requests)
    # the recorder sees look-ups (httpcore asks for the proxy's literal address), and none
    # of them was for a target host
    assert "127.0.0.1" in live.looked_up
    assert [h for h in live.looked_up if h not in LOCAL_HOSTS] == []


@pytest.mark.parametrize("kind", [ConnectProxy, Socks5Proxy])
def test_a_scan_through_a_proxy_reports_what_the_replay_reports(
    kind: type[ConnectProxy] | type[Socks5Proxy],
    server: WorldServer,
    ca_pem: Path,
    replayed: ScanResult,
) -> None:
    with kind(server) as proxy:
        live = scan(network_path(proxy.url, ca_pem, environ={}))
    assert findings(live.result) == findings(replayed)
    assert {a.url for a in live.result.accounts} == {a.url for a in replayed.accounts}
    assert pages_read(live.result) == pages_read(replayed)
    assert [r.status for r in live.result.runs] == [r.status for r in replayed.runs]
    assert_all_through(proxy, server, live)
    if isinstance(proxy, Socks5Proxy):
        assert set(proxy.address_types) == {"domain"}  # names, resolved by the proxy
    route = live.result.network
    assert (route.proxy, route.via, route.dns) == (proxy.url, "--proxy", "proxy")


def test_an_environment_proxy_is_taken_by_every_client(
    server: WorldServer, ca_pem: Path, replayed: ScanResult
) -> None:
    with ConnectProxy(server) as proxy:
        path = network_path(environ={"HTTPS_PROXY": proxy.url, "SSL_CERT_FILE": str(ca_pem)})
        live = scan(path)
    assert findings(live.result) == findings(replayed)
    assert_all_through(proxy, server, live)
    assert (live.result.network.via, live.result.network.dns) == ("HTTPS_PROXY", "partly local")


def test_tor_pointed_at_a_socks_proxy(
    server: WorldServer, ca_pem: Path, replayed: ScanResult
) -> None:
    with Socks5Proxy(server) as proxy:
        path = network_path(
            ca_bundle=ca_pem, tor=True, environ={"EXPOSURE_AUDIT_TOR": f"127.0.0.1:{proxy.port}"}
        )
        live = scan(path)
    assert findings(live.result) == findings(replayed)
    assert_all_through(proxy, server, live)
    assert live.result.network.via == "--tor"
    assert live.result.network.proxy == f"socks5h://127.0.0.1:{proxy.port}"


# --- faults ------------------------------------------------------------------------------------


def could_not_check(result: ScanResult) -> dict[str, str]:
    return {
        r.name: r.reason
        for r in result.runs
        if r.status in (RunStatus.ERROR, RunStatus.BLOCKED) and r.via is None
    }


def test_a_proxy_that_refuses_connections(ca_pem: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]  # closed below: nothing listens there
    live = scan(network_path(f"http://127.0.0.1:{port}", ca_pem, environ={}))
    failed = could_not_check(live.result)
    assert "github" in failed
    assert failed["github"].startswith(
        f"api.github.com: could not connect to the proxy http://127.0.0.1:{port}"
    )
    assert live.result.findings == ()
    assert set(live.looked_up) <= set(LOCAL_HOSTS)


@pytest.mark.parametrize("kind", [ConnectProxy, Socks5Proxy])
def test_a_proxy_that_dies_mid_scan(
    kind: type[ConnectProxy] | type[Socks5Proxy], server: WorldServer, ca_pem: Path
) -> None:
    with kind(server, die_after=5) as proxy:
        live = scan(network_path(proxy.url, ca_pem, environ={}))
    assert proxy.dead
    failed = could_not_check(live.result)
    assert failed  # the sources cut off say so
    assert all("internal error" not in reason for reason in failed.values())
    odd = {name: reason for name, reason in failed.items() if "proxy" not in reason}
    assert odd == {}


def test_a_wrong_ca_is_a_clear_reason(server: WorldServer, tmp_path: Path) -> None:
    other = TestCA()
    try:
        wrong = other.write(tmp_path / "other.pem")
        with ConnectProxy(server) as proxy:
            live = scan(network_path(proxy.url, wrong, environ={}))
    finally:
        other.close()
    failed = could_not_check(live.result)
    assert failed["github"] == (
        "api.github.com: TLS certificate could not be verified (try --ca-bundle)"
    )
    assert server.tls_failures > 0


@pytest.mark.parametrize("kind", [ConnectProxy, Socks5Proxy])
def test_a_name_the_proxy_will_not_connect_to(
    kind: type[ConnectProxy] | type[Socks5Proxy], server: WorldServer, ca_pem: Path
) -> None:
    # as a proxy that resolved api.github.com to a private address refuses the CONNECT
    with kind(server, refuse=["api.github.com"]) as proxy:
        live = scan(network_path(proxy.url, ca_pem, environ={}))
    failed = could_not_check(live.result)
    assert failed["github"].startswith(
        f"api.github.com: the proxy {proxy.url} refused the connection ("
    )
    assert "gitlab" not in failed  # the other sources went on
