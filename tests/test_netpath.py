"""The network path: which proxy carries each address, who resolves names, Tor, the CA."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.errors import InputError
from scanner.models import NetworkRoute
from scanner.netpath import (
    NETWORK_VARIABLES,
    NetworkPath,
    Proxy,
    bypassed,
    describe_route,
    find_tor,
    network_path,
    parse_proxy,
    tor_candidates,
)


class FakeSocks:
    """A loopback listener answering the SOCKS5 greeting with `reply` (b"" closes at once)."""

    def __init__(self, reply: bytes = b"\x05\x00") -> None:
        self.reply = reply
        self.greetings: list[bytes] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                self.greetings.append(conn.recv(3))
                if self.reply:
                    conn.sendall(self.reply)

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def socks() -> Iterator[FakeSocks]:
    server = FakeSocks()
    yield server
    server.close()


def free_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port: int = sock.getsockname()[1]
    return port


# --- where a proxy comes from ----------------------------------------------------------------


def test_no_proxy_anywhere_means_straight_to_each_site() -> None:
    path = network_path(environ={})
    assert path == NetworkPath()
    assert path.proxy_for("https://a.example/") is None
    assert path.route() == NetworkRoute(None, None, "local")


def test_environment_proxies_by_scheme_lower_case_first() -> None:
    path = network_path(
        environ={
            "HTTPS_PROXY": "http://upper.example:1",
            "https_proxy": "http://lower.example:2",
            "HTTP_PROXY": "http://plain.example:3",
        }
    )
    assert path.proxy_for("https://a.example/") == Proxy("http://lower.example:2", "https_proxy")
    assert path.proxy_for("http://a.example/") == Proxy("http://plain.example:3", "HTTP_PROXY")


def test_all_proxy_carries_both_schemes_unless_a_scheme_has_its_own() -> None:
    path = network_path(
        environ={"ALL_PROXY": "socks5h://127.0.0.1:9050", "HTTP_PROXY": "http://p.example:8"}
    )
    https = path.proxy_for("https://a.example/")
    assert https is not None
    assert (https.shown, https.origin) == ("socks5h://127.0.0.1:9050", "ALL_PROXY")
    assert path.proxy_for("http://a.example/") == Proxy("http://p.example:8", "HTTP_PROXY")
    assert path.route().dns == "proxy"


def test_an_explicit_proxy_carries_everything_and_ignores_no_proxy() -> None:
    path = network_path("socks5h://127.0.0.1:9050", environ={"NO_PROXY": "*"})
    assert path.proxy_for("https://a.example/") == Proxy("socks5h://127.0.0.1:9050", "--proxy")
    assert path.proxy_for("http://a.example/") is not None
    assert path.route() == NetworkRoute(
        "socks5h://127.0.0.1:9050", "--proxy", "proxy", (), ("https", "http")
    )


def test_a_bare_host_and_port_is_an_http_proxy_as_curl_reads_it() -> None:
    assert parse_proxy("proxy.example:3128", "HTTPS_PROXY").url == "http://proxy.example:3128"


def test_socks5_is_used_with_names_resolved_by_the_proxy() -> None:
    proxy = parse_proxy("socks5://u:p@127.0.0.1:1080", "--proxy")
    assert proxy.url == "socks5h://u:p@127.0.0.1:1080"
    assert proxy.shown == "socks5h://127.0.0.1:1080"


def test_credentials_are_never_shown() -> None:
    proxy = parse_proxy("http://alice:s3cret@[::1]:3128", "--proxy")
    assert proxy.shown == "http://[::1]:3128"
    route = network_path(proxy.url, environ={}).route()
    assert "s3cret" not in repr(route)
    assert all("s3cret" not in text for text in describe_route(route))


@pytest.mark.parametrize(
    ("entries", "host", "port", "expected"),
    [
        ("*", "a.example", 443, True),
        ("example.com", "example.com", 443, True),
        ("example.com", "www.example.com", 443, True),
        (".example.com", "www.example.com", 443, True),
        ("*.example.com", "www.example.com", 443, True),
        ("example.com", "badexample.com", 443, False),
        ("example.com:8443", "example.com", 443, False),
        ("example.com:443", "example.com", 443, True),
        ("10.0.0.0/8", "10.1.2.3", 80, True),
        ("10.0.0.0/8", "11.1.2.3", 80, False),
        ("[::1]:8080", "::1", 8080, True),
        (" , ", "a.example", 443, False),
    ],
)
def test_no_proxy_entries(entries: str, host: str, port: int, expected: bool) -> None:
    assert bypassed(host, port, entries.split(",")) is expected


def test_no_proxy_makes_the_route_partly_local() -> None:
    path = network_path(environ={"ALL_PROXY": "http://p.example:8", "no_proxy": "a.example"})
    assert path.proxy_for("https://www.a.example/") is None
    assert path.proxy_for("https://b.example/") is not None
    assert path.route().dns == "partly local"
    assert path.route().bypass == ("a.example",)


def test_ca_from_the_flag_then_the_environment() -> None:
    env = {"SSL_CERT_FILE": "/etc/ssl/env.pem", "SSL_CERT_DIR": "/etc/ssl/certs"}
    flagged = network_path(ca_bundle=Path("/tmp/mine.pem"), environ=env)
    assert (flagged.ca_bundle, flagged.ca_origin) == (Path("/tmp/mine.pem"), "--ca-bundle")
    from_env = network_path(environ=env)
    assert (from_env.ca_bundle, from_env.ca_origin) == (Path("/etc/ssl/env.pem"), "SSL_CERT_FILE")
    folder = network_path(environ={"SSL_CERT_DIR": "/etc/ssl/certs"})
    assert (folder.ca_dir, folder.ca_origin) == (Path("/etc/ssl/certs"), "SSL_CERT_DIR")


# --- Tor ---------------------------------------------------------------------------------------


def test_tor_is_the_first_local_socks_port_that_answers(socks: FakeSocks) -> None:
    dead = free_port()
    assert find_tor([("127.0.0.1", dead), ("127.0.0.1", socks.port)]) == ("127.0.0.1", socks.port)
    assert socks.greetings == [b"\x05\x01\x00"]  # only the greeting: nothing about anyone


def test_tor_flag_uses_the_answering_client(socks: FakeSocks) -> None:
    path = network_path(tor=True, environ={"EXPOSURE_AUDIT_TOR": f"127.0.0.1:{socks.port}"})
    assert path.route() == NetworkRoute(
        f"socks5h://127.0.0.1:{socks.port}", "--tor", "proxy", (), ("https", "http")
    )


def test_no_tor_client_stops_before_anything_is_sent() -> None:
    port = free_port()
    with pytest.raises(InputError) as caught:
        network_path(tor=True, environ={"EXPOSURE_AUDIT_TOR": f"127.0.0.1:{port}"})
    assert str(caught.value) == (
        f"--tor: no Tor client answers at 127.0.0.1:{port}; start Tor (or Tor Browser) and "
        "try again. Nothing was sent."
    )


def test_something_that_is_not_socks5_is_not_tor() -> None:
    wrong = FakeSocks(reply=b"HTTP/1.1 400 Bad Request\r\n\r\n")
    try:
        assert find_tor([("127.0.0.1", wrong.port)]) is None
    finally:
        wrong.close()


def test_tor_and_proxy_together_are_refused() -> None:
    with pytest.raises(InputError, match="use --tor or --proxy, not both"):
        network_path("http://p.example:8", tor=True, environ={})


def test_tor_candidates() -> None:
    assert tor_candidates({}) == [("127.0.0.1", 9050), ("127.0.0.1", 9150)]
    assert tor_candidates({"EXPOSURE_AUDIT_TOR": "[::1]:9999"}) == [("::1", 9999)]
    assert tor_candidates({"EXPOSURE_AUDIT_TOR": "9151"}) == [("127.0.0.1", 9151)]
    for wrong in ("tor.example", "127.0.0.1:99999", "127.0.0.1:"):
        with pytest.raises(InputError, match="EXPOSURE_AUDIT_TOR must be HOST:PORT or PORT"):
            tor_candidates({"EXPOSURE_AUDIT_TOR": wrong})


# --- what the report says ----------------------------------------------------------------------


def test_describe_route() -> None:
    offline = describe_route(NetworkRoute(None, None, "none"))
    assert offline == (
        "answered on this computer from a recorded world (nothing left it)",
        "none looked up",
    )
    https_only = network_path(environ={"HTTPS_PROXY": "http://p.example:8"}).route()
    where, names = describe_route(https_only)
    assert where == "through the proxy http://p.example:8 (set by HTTPS_PROXY)"
    assert names.endswith("straight there: http:// addresses")


def test_network_variables_name_every_proxy_variable_the_path_reads() -> None:
    names = ("https_proxy", "http_proxy", "all_proxy")
    proxy_variables = [name for name in NETWORK_VARIABLES if name.lower() in names]
    assert len(proxy_variables) == 6
    for name in proxy_variables:
        assert network_path(environ={name: "http://p.example:8"}).proxied, name
