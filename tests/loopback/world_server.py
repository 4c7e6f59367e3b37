"""A real HTTP(S) server on 127.0.0.1 that plays every web site of a recorded world.

`WorldServer(world, ca)` serves a replay world folder (the format of scanner/replay.py)
on two loopback ports: `https_port` speaks TLS with a certificate for whatever host name
the client sends by SNI (signed by the test CA), `http_port` speaks plain HTTP. Which site
a request is for comes from its Host header, just as on a shared web host; the answer is
`ReplayTransport(world).lookup(method, url)`, the same matching a replayed scan uses.
A proxy from tests/loopback/proxies.py sends every host name here, so a scanner pointed
at that proxy reaches "api.github.com" and every other recorded site over real sockets.

How it answers, as a plain HTTP/1.1 server would:
- keep-alive (HTTP/1.1), and every answer carries a Content-Length (none is chunked);
  ALPN offers only "http/1.1", so a client that would like HTTP/2 settles for 1.1;
- HEAD is answered from the GET route, without the body;
- a request body is read by Content-Length or as chunks (Transfer-Encoding: chunked);
- a URL the world has no answer for gets 404, an empty body and `x-replay: unmatched`.

Service emulation, not scanner behaviour: the world records DuckDuckGo's HTML results as
`GET https://html.duckduckgo.com/html/?q=<query>`, which is how the scanner asks without
ddgs. The `ddgs` package instead POSTs the form `q=<query>&b=&l=us-en` to the same URL,
and DuckDuckGo answers both alike; so here a POST of a form to html.duckduckgo.com/html/
(or lite.duckduckgo.com/lite/) is looked up as a GET of that URL with only `?q=`.

What ddgs (through primp, a Rust client with browser TLS fingerprints) needs was only
that: TLS 1.2/1.3 with a leaf signed directly by the root it was given, HTTP/1.1 by ALPN,
Content-Length answers, and the form POST mapped onto the recorded GET.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import socket
import socketserver
import ssl
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit

from scanner.replay import Recorded, ReplayTransport
from tests.loopback.ca import TestCA

LOOPBACK = "127.0.0.1"
IDLE_TIMEOUT = 10.0  # seconds a kept-alive connection may sit idle before it is closed
DEFAULT_PORTS = {"http": 80, "https": 443}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}
NO_BODY_STATUSES = {204, 304}
SEARCH_FORMS = {("html.duckduckgo.com", "/html/"), ("lite.duckduckgo.com", "/lite/")}


class _Listener(socketserver.ThreadingTCPServer):
    """One listening port of the world: plain HTTP, or TLS when `tls` is set."""

    daemon_threads = True
    block_on_close = True  # server_close() joins the (daemon) connection threads
    allow_reuse_address = True

    def __init__(self, world: WorldServer, scheme: str, tls: ssl.SSLContext | None) -> None:
        super().__init__((LOOPBACK, 0), _Handler)
        self.world = world
        self.scheme = scheme
        self.tls = tls
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def opened(self, conn: socket.socket) -> None:
        with self._open_lock:
            self._open.add(conn)

    def closed(self, conn: socket.socket) -> None:
        with self._open_lock:
            self._open.discard(conn)

    def close_open_connections(self) -> None:
        """End every connection still open (kept-alive ones would otherwise idle on)."""
        with self._open_lock:
            conns = list(self._open)
        for conn in conns:
            _hang_up(conn)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that hang up; report anything else as usual."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers one connection's requests from the world (TLS is set up in its own thread)."""

    protocol_version = "HTTP/1.1"
    server_version = "loopback-world"
    sys_version = ""

    def setup(self) -> None:
        """Set up TLS here, in the connection's thread: a failed handshake ends only it."""
        self.handshake_failed = False
        site = self.site
        self.request.settimeout(IDLE_TIMEOUT)
        if site.tls is not None:
            self.request = site.tls.wrap_socket(
                self.request, server_side=True, do_handshake_on_connect=False
            )
        site.opened(self.request)  # from here on, stop() can hang it up
        if site.tls is not None:
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError):
                self.handshake_failed = True
                site.world.count_tls_failure()
                return
        super().setup()

    def handle(self) -> None:
        if not self.handshake_failed:
            super().handle()

    def finish(self) -> None:
        try:
            if not self.handshake_failed:
                super().finish()
        finally:
            self.site.closed(self.request)
            self.request.close()  # the TLS socket took over the accepted one

    @property
    def site(self) -> _Listener:
        return cast(_Listener, self.server)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `WorldServer.requests` instead of a log."""

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_PUT(self) -> None:
        self._answer()

    def do_PATCH(self) -> None:
        self._answer()

    def do_DELETE(self) -> None:
        self._answer()

    def do_OPTIONS(self) -> None:
        self._answer()

    def _answer(self) -> None:
        body = self._read_body()
        url = self._url()
        self.site.world.record(self.command, url)
        content_type = self.headers.get("Content-Type", "")
        method, lookup_url = _lookup_key(self.command, url, body, content_type)
        recorded = self.site.world.lookup(method, lookup_url)
        self._send(recorded or Recorded(404, (("x-replay", "unmatched"),), b""))

    def _url(self) -> str:
        """scheme://host/path?query of the request, the host from its Host header."""
        if self.path.startswith(("http://", "https://")):
            return self.path  # absolute form, as sent to a proxy
        scheme = self.site.scheme
        host = (self.headers.get("Host") or "localhost").strip().lower()
        default = f":{DEFAULT_PORTS[scheme]}"
        if host.endswith(default):
            host = host[: -len(default)]
        return f"{scheme}://{host}{self.path}"

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return _read_chunked(self.rfile)
        length = self.headers.get("Content-Length", "").strip()
        return self.rfile.read(int(length)) if length.isdigit() else b""

    def _send(self, recorded: Recorded) -> None:
        self.send_response_only(recorded.status)
        names = set()
        for name, value in recorded.headers:
            if name.lower() not in HOP_BY_HOP:
                names.add(name.lower())
                # send_header writes latin-1: pass UTF-8 bytes through unchanged
                self.send_header(name, value.encode("utf-8").decode("latin-1"))
        if "date" not in names:
            self.send_header("Date", self.date_time_string())
        if recorded.status not in NO_BODY_STATUSES:
            self.send_header("Content-Length", str(len(recorded.body)))
        if self.site.world.is_last_answer(int(self.client_address[1])):
            self.close_connection = True
        if self.close_connection:  # asked for by the client, or by a dying proxy
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and recorded.status not in NO_BODY_STATUSES:
            self.wfile.write(recorded.body)
        self.wfile.flush()


def _lookup_key(method: str, url: str, body: bytes, content_type: str) -> tuple[str, str]:
    """The (method, URL) a request is looked up as: HEAD as GET, a search form as GET ?q=."""
    if method == "HEAD":
        return "GET", url
    parts = urlsplit(url)
    if (
        method == "POST"
        and (parts.hostname, parts.path) in SEARCH_FORMS
        and "application/x-www-form-urlencoded" in content_type
    ):
        fields = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        query = urlencode({"q": fields.get("q", "")})
        return "GET", f"{parts.scheme}://{parts.netloc}{parts.path}?{query}"
    return method, url


def _read_chunked(stream: io.BufferedIOBase) -> bytes:
    """Read a chunked request body (RFC 9112 section 7.1); trailers are dropped."""
    body = bytearray()
    while True:
        size_field = stream.readline(1024).split(b";")[0].strip()
        try:
            size = int(size_field, 16)
        except ValueError:
            break  # the client hung up mid-body, or sent no chunk size
        if size == 0:
            while stream.readline(1024).strip():
                pass
            break
        body += stream.read(size)
        stream.readline(1024)  # the CRLF after each chunk
    return bytes(body)


def _hang_up(conn: socket.socket) -> None:
    """Shut a socket down from another thread, so its reader wakes and ends."""
    with contextlib.suppress(OSError):
        socket.socket.shutdown(conn, socket.SHUT_RDWR)  # the plain socket's, also for TLS


class WorldServer:
    """The recorded world as real loopback web servers, one HTTPS and one HTTP port.

    Use as a context manager; `requests` lists (method, URL) of every request served and
    `tls_failures` counts handshakes that failed (a client that does not trust the CA).
    """

    def __init__(self, world: Path, ca: TestCA) -> None:
        self.world = world
        self.ca = ca
        self.replay = ReplayTransport(world)
        self.requests: list[tuple[str, str]] = []
        self.tls_failures = 0
        self._lock = threading.Lock()
        self._listeners: list[_Listener] = []
        self._threads: list[threading.Thread] = []
        self._last_answer: set[int] = set()

    @property
    def https_port(self) -> int:
        return self._listener(0).port

    @property
    def http_port(self) -> int:
        return self._listener(1).port

    def _listener(self, index: int) -> _Listener:
        if not self._listeners:
            raise RuntimeError("WorldServer is not running (use it as a context manager)")
        return self._listeners[index]

    def record(self, method: str, url: str) -> None:
        with self._lock:
            self.requests.append((method, url))

    def count_tls_failure(self) -> None:
        with self._lock:
            self.tls_failures += 1

    def close_after_answer(self, client_port: int) -> None:
        """Close the connection from this (loopback) port after its next answer.

        A proxy about to die uses it for its last tunnel: the answer carries
        `Connection: close`, so the client does not keep the tunnel for a next request.
        """
        with self._lock:
            self._last_answer.add(client_port)

    def is_last_answer(self, client_port: int) -> bool:
        with self._lock:
            if client_port in self._last_answer:
                self._last_answer.discard(client_port)
                return True
            return False

    def lookup(self, method: str, url: str) -> Recorded | None:
        with self._lock:  # ReplayTransport.unmatched is a plain list
            return self.replay.lookup(method, url)

    def start(self) -> None:
        self._listeners = [
            _Listener(self, "https", self.ca.server_context()),
            _Listener(self, "http", None),
        ]
        for listener in self._listeners:
            thread = threading.Thread(
                target=listener.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"world-{listener.scheme}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        for listener in self._listeners:
            listener.shutdown()
            listener.close_open_connections()
            listener.server_close()
        for thread in self._threads:
            thread.join()
        self._threads.clear()

    def __enter__(self) -> WorldServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
