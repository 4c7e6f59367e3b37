"""Real proxies on 127.0.0.1 that carry a client to the loopback world server.

`ConnectProxy` is an HTTP proxy (CONNECT tunnels, and plain-HTTP forwarding of requests
in absolute form); `Socks5Proxy` is a SOCKS5 proxy (RFC 1928, with RFC 1929 username and
password when credentials are given). Both emulate a proxy that looks host names up
itself (remote DNS, like Tor or `socks5h://`), except that they never use DNS: every host
name is "resolved" to the world server, port 443 to its HTTPS port and port 80 to its
HTTP port, and the world server picks the site by SNI and Host header.

What a test can steer and read:
- `refuse`: host names the proxy refuses as it would a name that resolved to a private
  address (CONNECT: 403 Forbidden; SOCKS5: reply 0x02, "not allowed by ruleset"). Any
  port other than 443 and 80 is refused alike, and so (SOCKS5) is a literal IP address:
  the world only knows names.
- `die_after=N`: the proxy dies after N tunnels, as if it went away mid-scan. The moment
  it accepts the N-th tunnel it closes its listening socket, so later connections are
  refused by the operating system (a client sees "connection refused", as from a proxy
  that is gone). The N-th tunnel carries one answer (the world server closes it after
  one response, with `Connection: close`); when it ends, the proxy closes every open
  client and upstream connection, tunnels that clients still keep alive included.
- `tunnels`: (host, port) of every tunnel asked for, refused ones too; `Socks5Proxy`
  also lists in `address_types` how each target was sent ("domain", "ipv4", "ipv6"), so a
  test can tell remote DNS (names) from a client that resolved names itself.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import ipaddress
import selectors
import socket
import threading
from collections.abc import Collection
from dataclasses import dataclass
from types import TracebackType
from typing import ClassVar, Self
from urllib.parse import quote, urlsplit

from tests.loopback.world_server import LOOPBACK, WorldServer

HANDSHAKE_TIMEOUT = 10.0  # seconds a client may take to say where it wants to go
MAX_HEAD = 64 * 1024  # bytes of a proxy request's head (request line and headers)
CHUNK = 64 * 1024
HTTPS_PORT, HTTP_PORT = 443, 80


class ProxyRefused(Exception):
    """The proxy will not carry this tunnel (refused name, port or address)."""


@dataclass(frozen=True)
class Route:
    """Where an admitted tunnel goes: a world server port; `last` when it is the final one."""

    port: int
    last: bool


class LoopbackProxy:
    """What both proxies share: the listening socket, target mapping, death and splicing.

    A subclass speaks its protocol in `handle(client)`: it reads where the client wants
    to go, asks `admit(host, port)` for the route, and hands over to `carry(...)`.
    """

    scheme: ClassVar[str]

    def __init__(
        self,
        server: WorldServer,
        *,
        refuse: Collection[str] = (),
        die_after: int | None = None,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.server = server
        self.refuse = {host.lower() for host in refuse}
        self.die_after = die_after
        self.username = username
        self.password = password
        self.tunnels: list[tuple[str, int]] = []
        self.served = 0  # tunnels accepted
        self._lock = threading.Lock()
        self._dead = False
        self._dying = False  # die() has begun: no new socket is tracked
        self._listening = True
        self._open: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []  # one per client connection
        self._acceptor: threading.Thread | None = None
        self._listener: socket.socket | None = None
        self._port = 0

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        """The proxy's URL for a client, with user:pass@ when credentials are set."""
        auth = ""
        if self.username is not None:
            auth = f"{quote(self.username, safe='')}:{quote(self.password or '', safe='')}@"
        return f"{self.scheme}://{auth}{LOOPBACK}:{self.port}"

    @property
    def dead(self) -> bool:
        return self._dead

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind((LOOPBACK, 0))
        listener.listen(64)
        self._listener = listener
        self._port = int(listener.getsockname()[1])
        self._acceptor = threading.Thread(
            target=self._accept_loop, args=(listener,), name="proxy-accept", daemon=True
        )
        self._acceptor.start()
        if self.die_after == 0:
            self.die()

    def stop(self) -> None:
        """Die (if not dead yet) and wait for every thread of the proxy to end."""
        self.die()
        if self._acceptor is not None:
            self._acceptor.join(timeout=5)  # after it, no client thread starts
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout=5)

    def stop_listening(self) -> None:
        """Close the listening socket: from now on the OS refuses new connections."""
        with self._lock:
            self._listening = False
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # also wakes the accept loop

    def die(self) -> None:
        """Close the listening socket and every open client and upstream connection.

        `dead` turns true only once every connection is shut, so a client that waited for
        it sees its kept-alive tunnels closed (not a tunnel that dies under its next request).
        """
        self.stop_listening()
        with self._lock:
            self._dying = True
            doomed = list(self._open)
        for sock in doomed:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        with self._lock:
            self._dead = True

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _start_client_thread(self, client: socket.socket) -> None:
        thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self, listener: socket.socket) -> None:
        try:
            while True:
                try:
                    client, _ = listener.accept()
                except OSError:
                    return  # shut down by die()
                if self._track(client):
                    self._start_client_thread(client)
        finally:
            listener.close()

    def _track(self, sock: socket.socket) -> bool:
        """Remember an open socket so die() can close it; False (and closed) once dead."""
        with self._lock:
            if not self._dying:
                self._open.add(sock)
                return True
        sock.close()
        return False

    def _untrack(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)
        sock.close()

    def _serve(self, client: socket.socket) -> None:
        try:
            client.settimeout(HANDSHAKE_TIMEOUT)
            self.handle(client)
        except (OSError, ValueError):
            pass  # a client that hung up or spoke nonsense: just end its connection
        finally:
            self._untrack(client)

    def handle(self, client: socket.socket) -> None:
        raise NotImplementedError

    # --- tunnels ---------------------------------------------------------------------

    def admit(self, host: str, port: int, *, literal_ip: bool = False) -> Route:
        """Record a tunnel request and say where it goes.

        Raises ProxyRefused for a refused name, port or literal IP, and ConnectionError
        (the client gets no reply) once the proxy stopped taking tunnels. The tunnel that
        reaches `die_after` stops the listening at once and is the proxy's last.
        """
        with self._lock:
            self.tunnels.append((host, port))
            taking = self._listening and not self._dying
        if not taking:
            raise ConnectionAbortedError("the proxy is dying")
        world_ports = {HTTPS_PORT: self.server.https_port, HTTP_PORT: self.server.http_port}
        if literal_ip or host.lower() in self.refuse or port not in world_ports:
            raise ProxyRefused(f"{host}:{port}")
        with self._lock:
            self.served += 1
            last = self.die_after is not None and self.served >= self.die_after
        if last:
            self.stop_listening()
        return Route(world_ports[port], last)

    def carry(
        self,
        client: socket.socket,
        route: Route,
        *,
        established: bytes,
        failed: bytes,
        pending: bytes = b"",
    ) -> None:
        """Open the tunnel to the world server and splice it to the client.

        `established` is sent to the client once connected (`failed` if the world server
        refuses); `pending` goes upstream first. The last tunnel's end is the proxy's death.
        """
        try:
            try:
                upstream = self._open_upstream(route)
            except ConnectionRefusedError:
                client.sendall(failed)
                return
            client.sendall(established)
            self._splice(client, upstream, pending)
        finally:
            if route.last:
                self.die()

    def _open_upstream(self, route: Route) -> socket.socket:
        """Connect to the world server (always loopback: the proxy's "resolution").

        The world server closes the last tunnel after one answer, so that answer still
        reaches the client before the proxy dies.
        """
        upstream = socket.create_connection((LOOPBACK, route.port), timeout=HANDSHAKE_TIMEOUT)
        if not self._track(upstream):
            raise ConnectionAbortedError("the proxy died")
        if route.last:
            self.server.close_after_answer(int(upstream.getsockname()[1]))
        return upstream

    def _splice(self, client: socket.socket, upstream: socket.socket, pending: bytes) -> None:
        """Carry bytes both ways until either side closes; `pending` goes upstream first."""
        try:
            client.settimeout(None)
            upstream.settimeout(None)
            if pending:
                upstream.sendall(pending)
            _pump(client, upstream)
        finally:
            self._untrack(upstream)


def _pump(a: socket.socket, b: socket.socket) -> None:
    peer = {a: b, b: a}
    with selectors.DefaultSelector() as selector:
        selector.register(a, selectors.EVENT_READ)
        selector.register(b, selectors.EVENT_READ)
        while True:
            for key, _ in selector.select():
                source = key.fileobj
                assert isinstance(source, socket.socket)
                data = source.recv(CHUNK)
                if not data:
                    return
                peer[source].sendall(data)


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionResetError("client closed the connection")
        data += chunk
    return data


# --- HTTP CONNECT ---------------------------------------------------------------------


def _read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    """Read up to the blank line ending a request's head: (head, bytes read past it)."""
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > MAX_HEAD:
            raise ValueError("request head too large")
        chunk = sock.recv(CHUNK)
        if not chunk:
            raise ConnectionResetError("client closed the connection")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _parse_head(head: bytes) -> tuple[str, str, list[tuple[str, str]]]:
    """(method, target, headers) of a request head."""
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return method.upper(), target, headers


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def _split_host_port(authority: str, default: int) -> tuple[str, int]:
    """host and port of "host:port", "[v6]:port" or "host"."""
    if authority.startswith("["):
        host, _, rest = authority[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else default
    host, sep, port = authority.rpartition(":")
    return (host, int(port)) if sep else (authority, default)


def _reply(status: str, extra: str = "") -> bytes:
    return f"HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n".encode()


BAD_GATEWAY = _reply("502 Bad Gateway")


class ConnectProxy(LoopbackProxy):
    """An HTTP proxy: `CONNECT host:port` tunnels, and plain HTTP in absolute form.

    With username and password it asks for `Proxy-Authorization: Basic ...` (else 407).
    A plain-HTTP request is forwarded once per connection (`Connection: close`), in
    origin form, to the world's HTTP port, and recorded in `tunnels` as (host, 80).
    """

    scheme = "http"

    def handle(self, client: socket.socket) -> None:
        head, rest = _read_head(client)
        method, target, headers = _parse_head(head)
        if not self._authorized(headers):
            client.sendall(
                _reply(
                    "407 Proxy Authentication Required",
                    'Proxy-Authenticate: Basic realm="loopback"\r\n',
                )
            )
            return
        if method == "CONNECT":
            self._tunnel(client, target, rest)
        elif target.startswith("http://"):
            self._forward(client, method, target, headers, rest)
        else:
            client.sendall(_reply("400 Bad Request"))

    def _authorized(self, headers: list[tuple[str, str]]) -> bool:
        if self.username is None:
            return True
        scheme, _, token = (_header(headers, "proxy-authorization") or "").partition(" ")
        try:
            given = base64.b64decode(token, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return scheme.lower() == "basic" and given == f"{self.username}:{self.password or ''}"

    def _tunnel(self, client: socket.socket, target: str, rest: bytes) -> None:
        host, port = _split_host_port(target, HTTPS_PORT)
        try:
            route = self.admit(host, port)
        except ProxyRefused:
            client.sendall(_reply("403 Forbidden"))
            return
        established = b"HTTP/1.1 200 Connection established\r\n\r\n"
        self.carry(client, route, established=established, failed=BAD_GATEWAY, pending=rest)

    def _forward(
        self,
        client: socket.socket,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        rest: bytes,
    ) -> None:
        parts = urlsplit(target)
        host, port = parts.hostname or "", parts.port or HTTP_PORT
        try:
            route = self.admit(host, port)
        except ProxyRefused:
            client.sendall(_reply("403 Forbidden"))
            return
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        head = _origin_form(method, path, parts.netloc, headers)
        self.carry(client, route, established=b"", failed=BAD_GATEWAY, pending=head + rest)


HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization"}


def _origin_form(method: str, path: str, netloc: str, headers: list[tuple[str, str]]) -> bytes:
    """The request head as a server expects it: origin-form target, one request only."""
    kept = [(k, v) for k, v in headers if k and k.lower() not in HOP_BY_HOP]
    if _header(kept, "host") is None:
        kept.insert(0, ("Host", netloc))
    lines = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in kept), "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


# --- SOCKS5 ---------------------------------------------------------------------------

SOCKS_VERSION = 5
NO_AUTH, USER_PASS, NO_METHOD = 0x00, 0x02, 0xFF
CMD_CONNECT = 0x01
ATYP_IPV4, ATYP_DOMAIN, ATYP_IPV6 = 0x01, 0x03, 0x04
ADDRESS_TYPES = {ATYP_IPV4: "ipv4", ATYP_DOMAIN: "domain", ATYP_IPV6: "ipv6"}
SUCCEEDED, NOT_ALLOWED, REFUSED, BAD_COMMAND, BAD_ADDRESS = 0x00, 0x02, 0x05, 0x07, 0x08


def _socks_reply(code: int) -> bytes:
    """A reply with BND.ADDR 0.0.0.0 and BND.PORT 0 (nothing a client needs here)."""
    return bytes([SOCKS_VERSION, code, 0x00, ATYP_IPV4, 0, 0, 0, 0, 0, 0])


class Socks5Proxy(LoopbackProxy):
    """A SOCKS5 proxy (RFC 1928) with remote DNS: CONNECT only, names only.

    With username and password only method 0x02 (RFC 1929) is accepted. A literal IPv4 or
    IPv6 target is recorded and refused (0x02): the world has names, not addresses.
    """

    scheme = "socks5h"

    def __init__(
        self,
        server: WorldServer,
        *,
        refuse: Collection[str] = (),
        die_after: int | None = None,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        super().__init__(
            server, refuse=refuse, die_after=die_after, username=username, password=password
        )
        self.address_types: list[str] = []

    def handle(self, client: socket.socket) -> None:
        if not self._greet(client):
            return
        command, address_type, host, port = self._read_request(client)
        if command != CMD_CONNECT:
            client.sendall(_socks_reply(BAD_COMMAND))
            return
        with self._lock:
            self.address_types.append(ADDRESS_TYPES[address_type])
        self._connect(client, address_type, host, port)

    def _greet(self, client: socket.socket) -> bool:
        """Choose an authentication method (and check the credentials): False to hang up."""
        version, count = _recv_exact(client, 2)
        if version != SOCKS_VERSION:
            return False
        offered = _recv_exact(client, count)
        wanted = NO_AUTH if self.username is None else USER_PASS
        if wanted not in offered:
            client.sendall(bytes([SOCKS_VERSION, NO_METHOD]))
            return False
        client.sendall(bytes([SOCKS_VERSION, wanted]))
        return wanted == NO_AUTH or self._check_password(client)

    def _check_password(self, client: socket.socket) -> bool:
        """RFC 1929: VER 1, ULEN, UNAME, PLEN, PASSWD; answered 1, 0 (ok) or 1, 1."""
        _version, name_length = _recv_exact(client, 2)
        name = _recv_exact(client, name_length).decode("utf-8", "replace")
        (password_length,) = _recv_exact(client, 1)
        password = _recv_exact(client, password_length).decode("utf-8", "replace")
        ok = name == self.username and password == (self.password or "")
        client.sendall(bytes([0x01, 0x00 if ok else 0x01]))
        return ok

    def _read_request(self, client: socket.socket) -> tuple[int, int, str, int]:
        """(command, address type, host, port) of a SOCKS5 request."""
        _version, command, _reserved, address_type = _recv_exact(client, 4)
        if address_type == ATYP_DOMAIN:
            (length,) = _recv_exact(client, 1)
            host = _recv_exact(client, length).decode("ascii", "replace")
        elif address_type == ATYP_IPV4:
            host = str(ipaddress.IPv4Address(_recv_exact(client, 4)))
        elif address_type == ATYP_IPV6:
            host = str(ipaddress.IPv6Address(_recv_exact(client, 16)))
        else:
            client.sendall(_socks_reply(BAD_ADDRESS))
            raise ValueError(f"unknown SOCKS address type {address_type}")
        port = int.from_bytes(_recv_exact(client, 2), "big")
        return command, address_type, host, port

    def _connect(self, client: socket.socket, address_type: int, host: str, port: int) -> None:
        try:
            route = self.admit(host, port, literal_ip=address_type != ATYP_DOMAIN)
        except ProxyRefused:
            client.sendall(_socks_reply(NOT_ALLOWED))
            return
        self.carry(client, route, established=_socks_reply(SUCCEEDED), failed=_socks_reply(REFUSED))
