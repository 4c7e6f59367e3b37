"""Direct HTTP/1.1 connections for site checks: httpcore's engine without httpx's pools.

DirectTransport is the bottom of the stack scanner.http.Http uses for site checks
(`Http.check`); see the section comment below and docs/design.md. Nothing here is used
when the network path has a proxy or a transport stands in for the network.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator
from typing import Any, cast

import httpcore
import httpx

KEEPALIVE_SECONDS = 5.0  # an idle direct connection is not reused after this (httpx's default)


# --- direct connections -------------------------------------------------------------------
#
# httpx's pools cost O(pool size) bookkeeping on every request and every response close
# (encode/httpcore#1035), and run on anyio (a cancel scope per socket read and write, a
# readability poll per idle connection per request). Checking 2,000 sites that is most of
# the client's CPU (bench/README.md). Here the same HTTP/1.1 engine (httpcore's
# AsyncHTTP11Connection, which drives h11) runs over a minimal asyncio stream, and the only
# bookkeeping is one idle connection per host, the oldest dropped past a cap.

_READ_HIGH_WATER = 256 * 1024  # unread bytes past which the socket stops being read
_TLS_ALPN = ["http/1.1"]  # what httpcore announces with http2 off, as the pools do


def _wake(future: asyncio.Future[None] | None) -> None:
    if future is not None and not future.done():
        future.set_result(None)


def _expire(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


async def _wait(future: asyncio.Future[None], seconds: float | None) -> None:
    """Await `future`; TimeoutError after `seconds` (None: no limit). Lighter than
    asyncio.timeout, which matters once per socket read."""
    if seconds is None:
        await future
        return
    timer = asyncio.get_running_loop().call_later(seconds, _expire, future)
    try:
        await future
    finally:
        timer.cancel()


class _Socket(asyncio.Protocol):
    """The bytes and events the event loop delivers for one connection, kept for _Stream."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.eof = False  # the peer closed its side (or the connection is gone)
        self.error: Exception | None = None
        self.transport: asyncio.Transport | None = None  # delivering data (TLS after start_tls)
        self.reading: asyncio.Future[None] | None = None
        self.draining: asyncio.Future[None] | None = None
        self.write_paused = False
        self.read_paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # a stream transport (any loop's)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > _READ_HIGH_WATER and not self.read_paused and self.transport:
            self.read_paused = True
            self.transport.pause_reading()
        _wake(self.reading)

    def eof_received(self) -> bool:
        self.eof = True
        _wake(self.reading)
        return False  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        _wake(self.reading)
        _wake(self.draining)

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        _wake(self.draining)


class _Stream(httpcore.AsyncNetworkStream):
    """httpcore's network stream over a _Socket: what its anyio backend does, for asyncio."""

    def __init__(self, transport: asyncio.Transport, sock: _Socket) -> None:
        self._transport = transport
        self._socket = sock

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        sock = self._socket
        if not sock.buffer and not sock.eof:
            sock.reading = asyncio.get_running_loop().create_future()
            try:
                await _wait(sock.reading, timeout)
            except TimeoutError:
                raise httpcore.ReadTimeout("timed out reading") from None
            finally:
                sock.reading = None
        if not sock.buffer:
            if sock.error is not None:
                raise httpcore.ReadError(str(sock.error) or type(sock.error).__name__)
            return b""  # end of stream: httpcore tells a complete answer from a cut one
        data = bytes(sock.buffer[:max_bytes])
        del sock.buffer[:max_bytes]
        if sock.read_paused and len(sock.buffer) <= _READ_HIGH_WATER // 4:
            sock.read_paused = False
            self._transport.resume_reading()
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        if not buffer:
            return
        if self._transport.is_closing():
            raise httpcore.WriteError("connection closed")
        self._transport.write(buffer)
        sock = self._socket
        if sock.write_paused:
            sock.draining = asyncio.get_running_loop().create_future()
            try:
                await _wait(sock.draining, timeout)
            except TimeoutError:
                raise httpcore.WriteTimeout("timed out writing") from None
            finally:
                sock.draining = None
            if sock.error is not None:
                raise httpcore.WriteError(str(sock.error) or type(sock.error).__name__)

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    self._transport, self._socket, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError:
            self._transport.close()
            raise httpcore.ConnectTimeout("timed out in the TLS handshake") from None
        except OSError as exc:  # ssl.SSLError included
            self._transport.close()
            raise httpcore.ConnectError(str(exc)) from exc
        if transport is None:  # closed meanwhile
            self._transport.close()
            raise httpcore.ConnectError("connection closed during the TLS handshake")
        self._socket.transport = transport
        return _Stream(transport, self._socket)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # httpcore: has an idle connection been closed (or spoken)?
            return bool(self._socket.buffer) or self._socket.eof
        names = {"client_addr": "sockname", "server_addr": "peername"}
        if info in ("ssl_object", "socket", *names):
            return self._transport.get_extra_info(names.get(info, info))
        return None


def idle_limit() -> int:
    """Idle direct connections to keep at most: each is an open file, so a quarter of the
    process's limit on those, within 32..4096 (Linux's common 1,024 gives 256)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return 256
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 4096
    return max(32, min(4096, soft // 4))


def _is_ip(host: str) -> bool:
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except OSError:
            continue
        return True
    return False


async def _connect_tcp(host: str, port: int, seconds: float | None) -> _Stream:
    loop = asyncio.get_running_loop()
    # A name may resolve to several addresses: try them the happy-eyeballs way, 250 ms
    # apart (as httpx's anyio backend does); an IP address is one plain connect.
    try:
        async with asyncio.timeout(seconds):
            if _is_ip(host):
                transport, sock = await loop.create_connection(_Socket, host, port)
            else:
                transport, sock = await loop.create_connection(
                    _Socket, host, port, happy_eyeballs_delay=0.25
                )
    except TimeoutError:
        raise httpcore.ConnectTimeout("timed out connecting") from None
    except OSError as exc:
        raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
    return _Stream(transport, sock)


# httpcore's errors as httpx's (what httpx's own transport raises), most specific first.
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)
_HTTPCORE_ERRORS = tuple(core for core, _ in _ERRORS)


def _as_httpx(exc: Exception, request: httpx.Request) -> httpx.TransportError:
    mapped = next(ours for core, ours in _ERRORS if isinstance(exc, core))
    return mapped(str(exc), request=request)


class _Body(httpx.AsyncByteStream):
    """A direct response's body; closing it hands the connection back for reuse."""

    def __init__(
        self,
        response: httpcore.Response,
        connection: httpcore.AsyncHTTP11Connection,
        origin: Origin,
        owner: DirectConnections,
        request: httpx.Request,
    ) -> None:
        self._response = response
        self._connection = connection
        self._origin = origin
        self._owner = owner
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_stream():
                yield chunk
        except _HTTPCORE_ERRORS as exc:
            raise _as_httpx(exc, self._request) from exc

    async def aclose(self) -> None:
        try:
            await self._response.aclose()
        finally:
            await self._owner.release(self._connection, self._origin)


Origin = tuple[bytes, bytes, int]  # scheme, host, port


class DirectConnection(httpcore.AsyncHTTP11Connection):
    """httpcore's HTTP/1.1 connection with an asyncio.Lock over its state. A direct
    connection serves one request at a time, so the lock is never contended; the anyio lock
    httpcore makes otherwise yields to the event loop on every acquire, two extra loop
    passes per request (about a sixth of a request's CPU, measured without sockets)."""

    def __init__(
        self, origin: httpcore.Origin, stream: httpcore.AsyncNetworkStream, keepalive: float
    ) -> None:
        super().__init__(origin=origin, stream=stream, keepalive_expiry=keepalive)
        self._state_lock = asyncio.Lock()  # type: ignore[assignment]


class DirectConnections:
    """HTTP/1.1 connections of our own (httpcore's engine on asyncio sockets): at most one
    idle per host, kept KEEPALIVE_SECONDS (a site's random-name control check comes back to
    the host its check used, seconds later), the oldest closed past `max_idle`. No limit on
    connections in use: callers bound that (check_sites' gate, Http's per-host cap)."""

    def __init__(self, ssl_context: ssl.SSLContext | None, max_idle: int) -> None:
        self._ssl_context = ssl_context  # the pools' (shared, or --ca-bundle's); else made later
        if ssl_context is not None:
            ssl_context.set_alpn_protocols(_TLS_ALPN)
        self._max_idle = max(1, max_idle)
        self._idle: dict[Origin, httpcore.AsyncHTTP11Connection] = {}  # oldest first

    async def send(self, request: httpx.Request) -> httpx.Response:
        """Send `request` as httpx's transport would; the body is left to stream."""
        url = request.url
        port = url.port or (443 if url.raw_scheme == b"https" else 80)
        origin = (url.raw_scheme, url.raw_host, port)
        connection = self._idle.pop(origin, None)
        if connection is not None and (connection.has_expired() or not connection.is_idle()):
            await connection.aclose()
            connection = None
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            if connection is None:
                connection = await self._connect(request, origin)
            response = await connection.handle_async_request(core)
        except _HTTPCORE_ERRORS as exc:
            raise _as_httpx(exc, request) from exc
        return httpx.Response(
            response.status,
            headers=response.headers,
            stream=_Body(response, connection, origin, self, request),
            request=request,
            extensions=response.extensions,
        )

    async def _connect(
        self, request: httpx.Request, origin: Origin
    ) -> httpcore.AsyncHTTP11Connection:
        scheme, host, port = origin
        if scheme not in (b"http", b"https"):
            raise httpcore.UnsupportedProtocol(f"unsupported scheme {scheme.decode()!r}")
        timeout = request.extensions.get("timeout", {}).get("connect")
        stream: httpcore.AsyncNetworkStream = await _connect_tcp(host.decode(), port, timeout)
        if scheme == b"https":
            sni = request.extensions.get("sni_hostname") or host.decode()
            stream = await stream.start_tls(self._context(), sni, timeout)
        return DirectConnection(httpcore.Origin(scheme, host, port), stream, KEEPALIVE_SECONDS)

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is None:  # made on the first https request: loading CAs takes time
            self._ssl_context = httpx.create_ssl_context(trust_env=False)
            self._ssl_context.set_alpn_protocols(_TLS_ALPN)
        return self._ssl_context

    async def release(self, connection: httpcore.AsyncHTTP11Connection, origin: Origin) -> None:
        """Keep a connection that can take another request, else close it."""
        if not connection.is_idle():
            await connection.aclose()
            return
        closing = []
        replaced = self._idle.pop(origin, None)
        if replaced is not None:
            closing.append(replaced)
        self._idle[origin] = connection
        while True:  # oldest first: close the expired ones and those past the cap
            key, oldest = next(iter(self._idle.items()))
            if len(self._idle) <= self._max_idle and not oldest.has_expired():
                break
            del self._idle[key]
            closing.append(oldest)
            if not self._idle:
                break
        for old in closing:
            await old.aclose()

    async def aclose(self) -> None:
        idle, self._idle = list(self._idle.values()), {}
        for connection in idle:
            await connection.aclose()


class DirectTransport(httpx.AsyncBaseTransport):
    """DirectConnections as an httpx transport: the bottom of the site-check stack."""

    def __init__(self, ssl_context: ssl.SSLContext | None, max_idle: int) -> None:
        self.connections = DirectConnections(ssl_context, max_idle)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.connections.send(request)

    async def aclose(self) -> None:
        await self.connections.aclose()
