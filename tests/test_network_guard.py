"""The autouse guard in conftest.py: no test reaches a real host, loopback still works.

Without the guard these tests would not pass on an offline machine either: a blocked
attempt raises the guard's RuntimeError (NetworkBlocked), never an OSError.
"""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest

from scanner.http import Http
from tests.support import FAST


def test_connect_to_a_public_ipv4_address_is_blocked() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        with pytest.raises(RuntimeError, match=r"tried to connect to \('93\.184\.216\.34', 80\)"):
            sock.connect(("93.184.216.34", 80))


def test_connect_to_a_public_ipv6_address_is_blocked() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 support")
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        with pytest.raises(RuntimeError, match="test tried to connect to"):
            sock.connect(("2606:4700:4700::1111", 443))


def test_create_connection_to_a_public_ip_is_blocked() -> None:
    with pytest.raises(RuntimeError, match=r"test tried to (resolve|connect)") as caught:
        socket.create_connection(("1.1.1.1", 443), timeout=1)
    assert type(caught.value).__name__ == "NetworkBlocked"


def test_resolving_a_public_name_is_blocked() -> None:
    with pytest.raises(RuntimeError, match=r"^test tried to resolve 'example\.com'$"):
        socket.getaddrinfo("example.com", 443)


def test_http_client_without_a_transport_cannot_go_out() -> None:
    http = Http(FAST)

    async def go() -> None:
        async with http:
            await http.get("https://api.github.com/users/jtestwell")

    with pytest.raises(RuntimeError, match=r"test tried to resolve b?'api\.github\.com'"):
        asyncio.run(go())
    assert [s.status for s in http.sent] == [None]


def test_loopback_is_allowed() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        received: list[bytes] = []

        def accept() -> None:
            conn, _ = server.accept()
            with conn:
                received.append(conn.recv(16))
                conn.sendall(b"pong")

        thread = threading.Thread(target=accept)
        thread.start()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(b"ping")
            assert client.recv(16) == b"pong"
        thread.join(timeout=5)
    assert received == [b"ping"]


def test_localhost_resolves() -> None:
    addresses = {info[4][0] for info in socket.getaddrinfo("localhost", 80)}
    assert addresses & {"127.0.0.1", "::1"}


def test_web_search_through_ddgs_is_blocked_unless_it_goes_to_a_loopback_proxy() -> None:
    from ddgs.http_client import HttpClient

    with pytest.raises(RuntimeError, match="tried to search the web through ddgs"):
        HttpClient(proxy=None)
    with pytest.raises(RuntimeError, match="tried to search the web through ddgs"):
        HttpClient(proxy="http://proxy.example.net:3128")
    HttpClient(proxy="http://127.0.0.1:9")  # a test world's proxy: allowed (nothing is sent)
