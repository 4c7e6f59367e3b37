"""Shared fixtures. The network guard is always on: no test reaches a real host."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
from ddgs.http_client import HttpClient

from scanner.netpath import NETWORK_VARIABLES  # a scan's path: never the test machine's own


class NetworkBlocked(RuntimeError):
    """A test tried to reach the network."""


def _is_local(host: Any) -> bool:
    return str(host) in ("localhost", "127.0.0.1", "::1", "") or str(host).startswith("127.")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            raise NetworkBlocked(f"test tried to connect to {address!r}")
        return real_connect(self, address)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_local(host):
            raise NetworkBlocked(f"test tried to resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    # ddgs fetches through primp, whose sockets and DNS are Rust's: the socket guard above
    # never sees them, so a ddgs client must go through a proxy on loopback (a test world)
    real_init = HttpClient.__init__

    def guarded_ddgs(self: HttpClient, proxy: str | None = None, *args: Any, **kw: Any) -> None:
        if proxy is None or not _is_local(urlsplit(proxy).hostname):
            raise NetworkBlocked(f"test tried to search the web through ddgs (proxy {proxy!r})")
        real_init(self, proxy, *args, **kw)

    monkeypatch.setattr(HttpClient, "__init__", guarded_ddgs)


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep every test's data, config and state out of the real user's folders."""
    base = tmp_path_factory.mktemp("xdg")
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(base / var.lower()))
    for var in NETWORK_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GRAVATAR_API_KEY", raising=False)
    monkeypatch.delenv("HIBP_API_KEY", raising=False)
