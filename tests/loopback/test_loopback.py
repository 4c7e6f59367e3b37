"""The loopback world itself: real TLS, real proxies, real clients (httpx and ddgs)."""

from __future__ import annotations

import json
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from scanner.replay import SCHEMA, ReplayTransport
from tests.loopback import ConnectProxy, LoopbackProxy, Socks5Proxy, TestCA, WorldServer
from tests.support import ROOT

DEMO_WORLD = ROOT / "demo_world"
GITHUB_USER = "https://api.github.com/users/jtestwell"
GITLAB_USER = "https://gitlab.com/api/v4/users?username=jtestwell"
EMAIL_QUERY = '"jordan.testwell@example.com"'
PROXIES = [ConnectProxy, Socks5Proxy]
ProxyClass = type[ConnectProxy] | type[Socks5Proxy]


def eventually(check: Callable[[], bool], timeout: float = 2.0) -> bool:
    """Whether check() becomes true within timeout (a server thread may lag the client)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.fixture
def trusting(ca_pem: Path) -> ssl.SSLContext:
    """A client context that trusts the test CA, as `--ca-bundle ca.pem` gives."""
    return ssl.create_default_context(cafile=str(ca_pem))


@pytest.fixture
def small_world(tmp_path: Path) -> Path:
    """A world with a plain-HTTP route and a form search page, beside the demo world."""
    folder = tmp_path / "world"
    folder.mkdir()
    responses = [
        {"url": "http://plain.example.com/hello", "headers": {"x-kind": "plain"}, "body": "a"},
        {"url": "https://html.duckduckgo.com/html/?q=seed+swap", "body": "a"},
        {"url": "https://cafe.example.org/menu", "headers": {"x-name": "Café"}, "body": "a"},
    ]
    (folder / "a").write_text("hello from the world", encoding="utf-8")
    manifest = {"schema": SCHEMA, "description": "test", "responses": responses}
    (folder / "world.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture
def small_server(ca: TestCA, small_world: Path) -> Iterator[WorldServer]:
    with WorldServer(small_world, ca) as world:
        yield world


def recorded_body(path: str) -> bytes:
    return (DEMO_WORLD / path).read_bytes()


# --- httpx through both proxies --------------------------------------------------------


@pytest.mark.parametrize("proxy_class", PROXIES)
def test_https_through_the_proxy_answers_from_the_world(
    server: WorldServer, trusting: ssl.SSLContext, proxy_class: ProxyClass
) -> None:
    with proxy_class(server) as proxy, httpx.Client(proxy=proxy.url, verify=trusting) as client:
        response = client.get(GITHUB_USER)
    assert response.status_code == 200
    assert response.content == recorded_body("github/user-jtestwell.json")
    assert response.headers["x-ratelimit-remaining"] == "59"
    assert proxy.tunnels == [("api.github.com", 443)]
    assert server.requests == [("GET", GITHUB_USER)]


def test_socks5h_sends_host_names_not_addresses(
    server: WorldServer, trusting: ssl.SSLContext
) -> None:
    with Socks5Proxy(server) as proxy, httpx.Client(proxy=proxy.url, verify=trusting) as client:
        assert proxy.url.startswith("socks5h://127.0.0.1:")
        client.get(GITHUB_USER)
        client.get(GITLAB_USER)
    assert proxy.address_types == ["domain", "domain"]
    assert proxy.tunnels == [("api.github.com", 443), ("gitlab.com", 443)]


def test_keep_alive_carries_several_requests_in_one_tunnel(
    server: WorldServer, trusting: ssl.SSLContext
) -> None:
    with ConnectProxy(server) as proxy, httpx.Client(proxy=proxy.url, verify=trusting) as client:
        statuses = [client.get(f"{GITHUB_USER}{tail}").status_code for tail in ("", "/keys", "")]
    assert statuses == [200, 200, 200]
    assert proxy.tunnels == [("api.github.com", 443)]


@pytest.mark.parametrize("proxy_class", PROXIES)
def test_a_refused_name_is_a_proxy_error(
    server: WorldServer, trusting: ssl.SSLContext, proxy_class: ProxyClass
) -> None:
    with (
        proxy_class(server, refuse=["API.github.com"]) as proxy,
        httpx.Client(proxy=proxy.url, verify=trusting) as client,
    ):
        with pytest.raises(httpx.ProxyError):
            client.get(GITHUB_USER)
        assert client.get(GITLAB_USER).status_code == 200
    assert proxy.tunnels == [("api.github.com", 443), ("gitlab.com", 443)]
    assert server.requests == [("GET", GITLAB_USER)]


@pytest.mark.parametrize("proxy_class", PROXIES)
def test_only_ports_443_and_80_are_carried(
    server: WorldServer, trusting: ssl.SSLContext, proxy_class: ProxyClass
) -> None:
    with (
        proxy_class(server) as proxy,
        httpx.Client(proxy=proxy.url, verify=trusting) as client,
        pytest.raises(httpx.ProxyError),
    ):
        client.get("https://api.github.com:8443/users/jtestwell")
    assert proxy.tunnels == [("api.github.com", 8443)]
    assert server.requests == []


@pytest.mark.parametrize("proxy_class", PROXIES)
def test_die_after_one_tunnel_refuses_everything_after_it(
    server: WorldServer, trusting: ssl.SSLContext, proxy_class: ProxyClass
) -> None:
    with (
        proxy_class(server, die_after=1) as proxy,
        httpx.Client(proxy=proxy.url, verify=trusting) as client,
    ):
        assert client.get(GITHUB_USER).status_code == 200
        with pytest.raises(httpx.ConnectError, match="refused"):
            client.get(GITHUB_USER)  # the same host: its tunnel is gone too
        with pytest.raises(httpx.ConnectError, match="refused"):
            client.get(GITLAB_USER)
        assert eventually(lambda: proxy.dead)
    assert proxy.tunnels == [("api.github.com", 443)]
    assert server.requests == [("GET", GITHUB_USER)]


def test_die_after_closes_tunnels_kept_alive(server: WorldServer, trusting: ssl.SSLContext) -> None:
    with (
        ConnectProxy(server, die_after=2) as proxy,
        httpx.Client(proxy=proxy.url, verify=trusting) as client,
    ):
        assert client.get(GITHUB_USER).status_code == 200  # tunnel 1, kept alive
        assert client.get(GITLAB_USER).status_code == 200  # tunnel 2, the last one
        assert eventually(lambda: proxy.dead)
        with pytest.raises(httpx.ConnectError):
            client.get(GITHUB_USER)
    assert server.requests == [("GET", GITHUB_USER), ("GET", GITLAB_USER)]


def test_a_client_that_does_not_trust_the_ca_fails_the_handshake(server: WorldServer) -> None:
    stranger = TestCA()
    try:
        with (
            ConnectProxy(server) as proxy,
            httpx.Client(proxy=proxy.url, verify=stranger.client_context()) as client,
            pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
        ):
            client.get(GITHUB_USER)
    finally:
        stranger.close()
    assert eventually(lambda: server.tls_failures == 1)
    assert server.requests == []


# --- credentials -------------------------------------------------------------------------


@pytest.mark.parametrize("proxy_class", PROXIES)
def test_credentials_are_required_when_set(
    server: WorldServer, trusting: ssl.SSLContext, proxy_class: ProxyClass
) -> None:
    with proxy_class(server, username="casey", password="s3cret pass") as proxy:
        assert "casey:s3cret%20pass@127.0.0.1:" in proxy.url
        with httpx.Client(proxy=proxy.url, verify=trusting) as client:
            assert client.get(GITHUB_USER).status_code == 200
        anonymous = proxy.url.replace("casey:s3cret%20pass@", "")
        with (
            httpx.Client(proxy=anonymous, verify=trusting) as client,
            pytest.raises(httpx.ProxyError),
        ):
            client.get(GITHUB_USER)
        wrong = proxy.url.replace("s3cret%20pass", "guess")
        with httpx.Client(proxy=wrong, verify=trusting) as client, pytest.raises(httpx.ProxyError):
            client.get(GITHUB_USER)


# --- plain HTTP, HEAD, bodies ------------------------------------------------------------


def test_connect_proxy_forwards_plain_http(small_server: WorldServer) -> None:
    with ConnectProxy(small_server) as proxy, httpx.Client(proxy=proxy.url) as client:
        response = client.get("http://plain.example.com/hello")
        missing = client.get("http://plain.example.com/nowhere")
    assert (response.status_code, response.text) == (200, "hello from the world")
    assert response.headers["x-kind"] == "plain"
    assert missing.status_code == 404
    assert missing.headers["x-replay"] == "unmatched"
    assert missing.content == b""
    assert proxy.tunnels == [("plain.example.com", 80), ("plain.example.com", 80)]
    assert small_server.requests[0] == ("GET", "http://plain.example.com/hello")


def test_head_answers_the_get_route_without_a_body(
    small_server: WorldServer, trusting: ssl.SSLContext
) -> None:
    with ConnectProxy(small_server) as proxy, httpx.Client(proxy=proxy.url, verify=trusting) as c:
        response = c.head("https://cafe.example.org/menu")
        after = c.get("https://cafe.example.org/menu")  # the same connection goes on
    assert response.status_code == 200
    assert response.headers["content-length"] == str(len("hello from the world"))
    assert response.content == b""
    assert after.text == "hello from the world"
    assert after.headers["x-name"] == "Café"  # UTF-8 bytes, passed through unchanged


def test_a_search_form_post_is_looked_up_as_the_recorded_get(
    small_server: WorldServer, trusting: ssl.SSLContext
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"q=seed+swap"
        yield b"&b=&l=us-en"

    form = {"content-type": "application/x-www-form-urlencoded"}
    with ConnectProxy(small_server) as proxy, httpx.Client(proxy=proxy.url, verify=trusting) as c:
        chunked = c.post("https://html.duckduckgo.com/html/", content=chunks(), headers=form)
        sized = c.post("https://html.duckduckgo.com/html/", data={"q": "seed swap", "b": ""})
        other = c.post("https://html.duckduckgo.com/html/", data={"q": "nothing recorded"})
    assert chunked.text == sized.text == "hello from the world"
    assert other.status_code == 404
    assert small_server.requests[0] == ("POST", "https://html.duckduckgo.com/html/")


# --- TLS: a certificate per SNI name -----------------------------------------------------


def _peer_names(port: int, context: ssl.SSLContext, server_name: str | None) -> list[str]:
    """The DNS names of the certificate the world server presents for server_name."""
    with (
        socket.create_connection(("127.0.0.1", port)) as raw,
        context.wrap_socket(raw, server_hostname=server_name) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
        assert tls.selected_alpn_protocol() == "http/1.1"
    assert der is not None
    names = x509.load_der_x509_certificate(der).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    return names.value.get_values_for_type(x509.DNSName)


def test_the_sni_name_chooses_the_certificate(server: WorldServer, ca: TestCA) -> None:
    context = ca.client_context()
    context.set_alpn_protocols(["h2", "http/1.1"])
    assert _peer_names(server.https_port, context, "gitlab.com") == ["gitlab.com"]
    context.check_hostname = False
    assert _peer_names(server.https_port, context, None) == ["localhost"]


def test_stopping_does_not_wait_for_idle_clients(ca: TestCA) -> None:
    clients: list[socket.socket] = []
    try:
        with WorldServer(DEMO_WORLD, ca) as world, ConnectProxy(world) as proxy:
            ports = (world.https_port, world.http_port, proxy.port)
            clients = [socket.create_connection(("127.0.0.1", port)) for port in ports]
            clients[1].sendall(
                b"POST /x HTTP/1.1\r\nHost: a.example.com\r\nContent-Length: 9\r\n\r\n"
            )
            time.sleep(0.05)  # no hello, half a request, no tunnel asked for
            stopping = time.monotonic()
        assert time.monotonic() - stopping < 1.0
    finally:
        for client in clients:
            client.close()


# --- SOCKS5 details ----------------------------------------------------------------------


def _socks_connect(proxy: LoopbackProxy, request: bytes) -> bytes:
    """Greet a SOCKS5 proxy without auth, send one request, return its reply."""
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=2) as sock:
        sock.sendall(b"\x05\x01\x00")
        assert sock.recv(2) == b"\x05\x00"
        sock.sendall(request)
        return sock.recv(10)


def test_socks5_refuses_literal_addresses_and_other_commands(server: WorldServer) -> None:
    with Socks5Proxy(server) as proxy:
        ipv4 = _socks_connect(proxy, b"\x05\x01\x00\x01\xc0\x00\x02\x07\x01\xbb")
        ipv6 = _socks_connect(proxy, b"\x05\x01\x00\x04" + bytes(15) + b"\x01\x01\xbb")
        bind = _socks_connect(proxy, b"\x05\x02\x00\x03\x0agitlab.com\x01\xbb")
    assert ipv4[:2] == b"\x05\x02"
    assert ipv6[:2] == b"\x05\x02"
    assert bind[:2] == b"\x05\x07"
    assert proxy.tunnels == [("192.0.2.7", 443), ("::1", 443)]
    assert proxy.address_types == ["ipv4", "ipv6"]


# --- ddgs (primp, a Rust HTTP client) ----------------------------------------------------


@pytest.mark.parametrize("proxy_class", PROXIES)
def test_ddgs_searches_the_world_through_the_proxy(
    server: WorldServer, ca_pem: Path, proxy_class: ProxyClass
) -> None:
    from ddgs import DDGS

    with proxy_class(server) as proxy:
        results = DDGS(proxy=proxy.url, verify=str(ca_pem), timeout=5).text(
            EMAIL_QUERY, backend="duckduckgo", max_results=10
        )
    assert [r["title"] for r in results] == ["garden club contacts - paste.example.org"]
    assert "paste.example.org/raw/Xq7pL2" in results[0]["href"]
    assert proxy.tunnels == [("html.duckduckgo.com", 443)]
    assert server.requests == [("POST", "https://html.duckduckgo.com/html/")]
    if isinstance(proxy, Socks5Proxy):
        assert proxy.address_types == ["domain"]


# --- the replay lookup the server answers from -------------------------------------------


def test_replay_lookup_is_exact_then_longest_prefix() -> None:
    replay = ReplayTransport(DEMO_WORLD)
    exact = replay.lookup(
        "GET", "https://html.duckduckgo.com/html/?q=%22jordan.testwell%40example.com%22"
    )
    prefix = replay.lookup("GET", "https://html.duckduckgo.com/html/?q=anything+else")
    assert exact is not None
    assert exact.body == recorded_body("web/ddg-email.html")
    assert prefix is not None
    assert prefix.body == recorded_body("web/ddg-none.html")
    assert replay.lookup("DELETE", GITHUB_USER) is None
    assert replay.unmatched == ["DELETE https://api.github.com/users/jtestwell?"]
