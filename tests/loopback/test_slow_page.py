"""A result page that drips its answer cannot hold web search: over a real loopback socket.

`DripServer` is a plain HTTP/1.1 server on 127.0.0.1 that picks the page by Host header.
For the host `slow.example.com` it sends the head at once and then the body one byte every
DRIP seconds, so no single read waits long enough for httpx's read timeout: only the page
fetch's wall-time deadline (scanner.limits.PAGE_FETCH_SECONDS, made small here) ends it.
"""

from __future__ import annotations

import asyncio
import socketserver
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from types import TracebackType

import httpx
import pytest

from scanner import pagefetch
from scanner.http import Http
from scanner.models import Kind, SourceResult
from scanner.pagefetch import Page, Refusal, fetch
from scanner.sources.pagemine import mine, settled
from scanner.sources.websearch_plan import SearchResult
from tests.loopback.world_server import LOOPBACK
from tests.support import FAST, JORDAN

DRIP = 0.2  # seconds between the slow page's bytes
DEADLINE = 1.0  # the page fetch's wall time in these tests
SLOW_HOST = "slow.example.com"
PAGES = {
    "people.example.net": (
        "<html><body><h1>Jordan Testwell</h1><p>Lives in Springfield, IL</p>"
        "<p>Phone: (217) 555-0163</p></body></html>"
    ),
    "records.example.org": (
        "<html><body><h1>Jordan Testwell</h1><p>Springfield, IL</p>"
        "<p>Current address: 418 Prairie View Dr Apt 2, Springfield, IL 62704</p></body></html>"
    ),
    SLOW_HOST: "<html><body><h1>Jordan Testwell</h1>" + "x" * 200 + "</body></html>",
}


class _Handler(socketserver.StreamRequestHandler):
    server: _Listener

    def handle(self) -> None:
        host = ""
        while line := self.rfile.readline(65536):
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "host":
                host = value.strip().split(":")[0].lower()
        body = PAGES.get(host, "").encode()
        head = (
            f"HTTP/1.1 {200 if body else 404} OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        try:
            self.wfile.write(head.encode())
            self.wfile.flush()
            if host != SLOW_HOST:
                self.wfile.write(body)
                return
            for index in range(len(body)):
                if self.server.stopping.is_set():
                    return
                self.wfile.write(body[index : index + 1])
                self.wfile.flush()
                self.server.dripped += 1
                time.sleep(DRIP)
        except OSError:  # the client gave up: what the deadline does
            return


class _Listener(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__((LOOPBACK, 0), _Handler)
        self.stopping = threading.Event()
        self.dripped = 0


class DripServer:
    """The pages above on a loopback port, served on a thread."""

    def __init__(self) -> None:
        self.listener = _Listener()
        self.port = int(self.listener.server_address[1])
        self._thread = threading.Thread(target=self.listener.serve_forever, daemon=True)

    def __enter__(self) -> DripServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.listener.stopping.set()
        self.listener.shutdown()
        self.listener.server_close()
        self._thread.join()


class ToLoopback(httpx.AsyncBaseTransport):
    """Real sockets: every request goes to the drip server, its Host header kept."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host=LOOPBACK, port=self._port)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@pytest.fixture
def drip() -> Iterator[DripServer]:
    with DripServer() as server:
        yield server


# A read timeout far longer than the drip: only the wall-time deadline can end the page.
SETTINGS = replace(FAST, timeout=5.0, attempts=1)


def hit(host: str) -> SearchResult:
    return SearchResult(f"https://{host}/jordan-testwell", "Jordan Testwell", "", "q")


def test_a_dripping_page_is_refused_at_the_deadline(drip: DripServer) -> None:
    async def go() -> tuple[Page | Refusal, float]:
        async with Http(SETTINGS, transport=ToLoopback(drip.port)) as http:
            started = time.monotonic()
            outcome = await fetch(http, f"https://{SLOW_HOST}/", deadline=DEADLINE)
            return outcome, time.monotonic() - started

    outcome, took = asyncio.run(go())
    assert outcome == Refusal(f"https://{SLOW_HOST}/", f"took longer than {DEADLINE:g} s")
    assert DEADLINE <= took < DEADLINE + 1.0
    assert drip.listener.dripped >= 2  # bytes did arrive: each read was within its timeout


def test_the_other_pages_findings_survive_a_dripping_one(
    drip: DripServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pagefetch, "PAGE_FETCH_SECONDS", DEADLINE)
    found = [hit("people.example.net"), hit(SLOW_HOST), hit("records.example.org")]

    async def go() -> tuple[SourceResult, float]:
        async with Http(SETTINGS, transport=ToLoopback(drip.port)) as http:
            started = time.monotonic()
            result = await mine(found, JORDAN, http, "websearch")
            return settled(result, JORDAN), time.monotonic() - started

    result, took = asyncio.run(go())
    assert took < DEADLINE + 2.0
    slow = f"https://{SLOW_HOST}/jordan-testwell"
    assert f"could not read {slow}: took longer than {DEADLINE:g} s" in result.notes
    assert "2 page(s) read" in result.notes
    phones = {o.value for o in result.observations if o.kind is Kind.PHONE}
    addresses = {o.value for o in result.observations if o.kind is Kind.HOME_ADDRESS}
    assert phones == {"+12175550163"}  # the page before the slow one
    assert "418 Prairie View Dr Apt 2, Springfield, IL 62704" in addresses  # the one after
