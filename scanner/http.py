"""The one network client of a scan.

`Http` wraps a single `httpx.AsyncClient` and adds what every source needs: retries with
backoff (transport errors, 429 honouring Retry-After, 5xx), a per-host concurrency cap, a
bounded response size, and a log of every request sent (for "what this scan sent where").

Proxy and CA: `HttpSettings.path` (scanner.netpath), decided once from --tor, --proxy,
--ca-bundle and the environment. httpx runs with trust_env=False and a PathTransport that
sends each request through the proxy the path names for it, or straight there; nothing
else reads the environment. With a custom transport (replay, tests) no proxy is used: that
transport answers every request itself, and a proxy would route requests around it to the
network.

Site checks (`direct=True`: thousands of one-shot requests, nearly all to different hosts)
skip httpx's connection pools: they go over HTTP/1.1 connections of Http's own, made with
httpx's own engine (httpcore's HTTP/1.1 connection, h11) on plain asyncio sockets, one kept
idle per host for the next request there. Only when no proxy can apply and no transport
stands in for the network; every other request takes the client (see DirectConnections).
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import random
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookiejar import DefaultCookiePolicy
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:  # tenacity is imported when a request may be retried (start-up time)
    from tenacity import RetryCallState

from scanner import __version__
from scanner.errors import ResponseTooLarge, SourceUnavailable
from scanner.http_direct import DirectConnections, idle_limit
from scanner.models import OFFLINE_ROUTE, NetworkRoute, SentRequest
from scanner.netpath import NetworkPath, PathTransport, Proxy, network_path, tls_context

USER_AGENT = f"exposure-audit/{__version__} (personal exposure audit; local-first)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


POOL_SIZE = 16  # connections per pool shard (see Http.__init__)


@dataclass(frozen=True)
class HttpSettings:
    """Network behaviour of a scan. Defaults suit a laptop on a home connection."""

    # proxy and CA (scanner.netpath); None: the environment's, read when the Http is made
    path: NetworkPath | None = None
    timeout: float = 20.0  # seconds per read / write / pool wait
    connect_timeout: float = 10.0
    attempts: int = 3  # total tries per request (1 = no retry)
    backoff_initial: float = 1.0  # seconds before the first retry
    backoff_max: float = 20.0
    max_retry_after: float = 60.0  # a longer Retry-After is not waited for
    per_host: int = 4  # concurrent requests to one host
    max_connections: int = 32
    max_bytes: int = 5_000_000  # response bodies larger than this are refused
    user_agent: str = USER_AGENT
    pacing: bool = True  # honour services' request spacing (off when replaying a world)


def retry_after_seconds(response: httpx.Response, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait (Retry-After as seconds or HTTP date)."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


class Http:
    """The shared client. Use as an async context manager; sources call `get`/`request`."""

    def __init__(
        self,
        settings: HttpSettings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings or HttpSettings()
        self.path = self.settings.path or network_path()
        # False when a transport stands in for the network (a replayed world, tests): sources
        # that can only reach a service through their own client (ddgs) use an Http path then.
        self.live = transport is None
        self._tls = tls_context(self.path) if self.live or self.path.ca_origin else None
        self.sent: list[SentRequest] = []
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._pace_locks: dict[str, asyncio.Lock] = {}
        self._paced_at: dict[str, float] = {}
        # Hosts are spread over several small connection pools: httpcore's pool bookkeeping
        # costs time in proportion to its size on every request (encode/httpcore#1035), which
        # dominates when thousands of sites are checked. Shards share one SSL context.
        self._shard_count = max(1, self.settings.max_connections // POOL_SIZE)
        self._options = self._client_options(transport)
        self._client = self._new_client()
        self._shards: list[httpx.AsyncClient | None] = [self._client]
        self._shards += [None] * (self._shard_count - 1)
        # Direct connections for `request(direct=True)`: only where every request goes
        # straight to its host anyway (no proxy at all, the network).
        self._direct: DirectConnections | None = None
        if transport is None and not self.path.proxied:
            self._direct = DirectConnections(self._tls, idle_limit())

    @property
    def route(self) -> NetworkRoute:
        """How this Http's requests leave the computer (the report's line about it)."""
        return self.path.route() if self.live else OFFLINE_ROUTE

    def resolves_locally(self, url: httpx.URL | str) -> bool:
        """Whether sending to url makes this computer look its host name up (no proxy
        carries it and no stand-in transport answers it)."""
        return self.live and self.path.resolves_locally(url)

    def _new_client(self) -> httpx.AsyncClient:
        options = dict(self._options)
        if "transport" not in options:  # live: each pool shard gets its own connections
            assert self._tls is not None
            options["transport"] = PathTransport(self.path, self._tls, options["limits"])
        client = httpx.AsyncClient(**options)
        # No cookie is ever kept: nothing links one request of a scan to another.
        client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        return client

    def _client_for(self, host: str) -> httpx.AsyncClient:
        if self._shard_count == 1:
            return self._client
        index = zlib.crc32(host.encode("utf-8", "replace")) % self._shard_count
        client = self._shards[index]
        if client is None:
            client = self._shards[index] = self._new_client()
        return client

    async def pace(self, key: str, interval: float) -> None:
        """Wait until `interval` seconds have passed since the last call with this key.

        For services that ask clients to space their requests (breach APIs). One Http
        serves the whole scan, so every run of a source shares the pace, however many leads
        it is looking up at once. Off when `settings.pacing` is false (replayed worlds).
        """
        if not self.settings.pacing or interval <= 0:
            return
        lock = self._pace_locks.setdefault(key, asyncio.Lock())
        async with lock:
            loop = asyncio.get_running_loop()
            last = self._paced_at.get(key)
            if last is not None and last + interval > loop.time():
                await asyncio.sleep(last + interval - loop.time())
            self._paced_at[key] = loop.time()

    def _client_options(self, transport: httpx.AsyncBaseTransport | None) -> dict[str, Any]:
        s = self.settings
        options: dict[str, Any] = {
            "timeout": httpx.Timeout(s.timeout, connect=s.connect_timeout),
            "limits": httpx.Limits(
                max_connections=max(s.per_host, s.max_connections // max(1, self._shard_count))
            ),
            "headers": {"User-Agent": s.user_agent},
            "follow_redirects": True,
            "trust_env": False,  # the path decided proxy and CA; no .netrc credentials
        }
        if transport is not None:
            options["transport"] = transport
        return options

    async def __aenter__(self) -> Http:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._direct is not None:
            await self._direct.aclose()
        for client in self._shards:
            if client is not None:
                await client.aclose()

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        return await self.request("GET", url, params=params, headers=headers)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        json: Any = None,
        follow_redirects: bool = True,
        attempts: int | None = None,
        direct: bool = False,
    ) -> httpx.Response:
        """Send with retries; return the final response (any status) with its body read.

        Raises SourceUnavailable when no response arrived after every attempt, and
        ResponseTooLarge when the body passes the size cap. `params` are merged into the URL's
        query, winning on a shared name (httpx 0.28 alone would drop the URL's query, even
        for an empty `params`). `follow_redirects=False` hands back a 3xx as it came;
        `attempts` overrides the settings' number of tries for this request (1: one shot,
        no retry machinery at all, for checks that run by the thousand). `direct=True` with
        `follow_redirects=False` sends on Http's own connections instead of httpx's pools
        when nothing stands between us and the host (module docstring); same request, same
        answer, same errors.
        """
        target = httpx.URL(url).copy_merge_params(params) if params else httpx.URL(url)
        request = self._client.build_request(method, target, headers=headers, data=data, json=json)
        tries = max(1, self.settings.attempts if attempts is None else attempts)
        direct = direct and not follow_redirects and self._direct is not None
        status: int | None = None
        digest: str | None = None
        try:
            if tries == 1:
                response = await self._send_once(request, follow_redirects, direct)
            else:
                from tenacity import (
                    AsyncRetrying,
                    retry_if_exception_type,
                    retry_if_result,
                    stop_after_attempt,
                )

                retrying = AsyncRetrying(
                    stop=stop_after_attempt(tries),
                    wait=self._wait,
                    retry=retry_if_exception_type(httpx.TransportError)
                    | retry_if_result(self._should_retry),
                    retry_error_callback=self._give_up,
                    reraise=True,
                )
                response = await retrying(self._send_once, request, follow_redirects, direct)
            status = response.status_code
            digest = hashlib.sha256(response.content).hexdigest()
        except httpx.RequestError as exc:  # transport errors, too many redirects, bad encoding
            proxy = self.path.proxy_for(request.url) if self.live else None
            raise SourceUnavailable(f"{request.url.host}: {_describe(exc, proxy)}") from exc
        finally:  # logged however it ended, ResponseTooLarge included
            self.sent.append(
                SentRequest(method, str(request.url), status, datetime.now(UTC), digest)
            )
        return response

    def _should_retry(self, response: httpx.Response) -> bool:
        if response.status_code not in RETRY_STATUSES:
            return False
        delay = retry_after_seconds(response)
        return delay is None or delay <= self.settings.max_retry_after

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            delay = retry_after_seconds(outcome.result())
            if delay is not None:
                return min(delay, self.settings.max_retry_after)
        return self.backoff(state.attempt_number)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter: up to initial * 2**(attempt-1), capped."""
        ceiling = min(self.settings.backoff_max, self.settings.backoff_initial * 2 ** (attempt - 1))
        return random.uniform(0.0, ceiling)  # noqa: S311 - jitter, not security

    @staticmethod
    def _give_up(state: RetryCallState) -> httpx.Response:
        """After the last attempt: hand back the last response, or raise its error."""
        assert state.outcome is not None
        return state.outcome.result()  # type: ignore[no-any-return]

    async def _send_once(
        self, request: httpx.Request, follow_redirects: bool = True, direct: bool = False
    ) -> httpx.Response:
        host = request.url.host
        semaphore = self._hosts.get(host)
        if semaphore is None:
            semaphore = self._hosts[host] = asyncio.Semaphore(self.settings.per_host)
        async with semaphore:
            if direct and self._direct is not None:
                response = await self._direct.send(request)
            else:
                response = await self._client_for(host).send(
                    request, stream=True, follow_redirects=follow_redirects
                )
            try:
                body = await self._read_capped(response, direct)
            finally:
                await response.aclose()
        # Raw bytes: decoded header values need not be ASCII, and httpx re-encodes str as ASCII.
        headers = [
            (k, v)
            for k, v in response.headers.raw
            if k.lower() not in (b"content-encoding", b"content-length", b"transfer-encoding")
        ]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=body,
            request=response.request,
            history=response.history,
        )

    async def _read_capped(self, response: httpx.Response, direct: bool = False) -> bytes:
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise ResponseTooLarge(
                f"{response.request.url.host}: response larger than {limit} bytes"
            )
        chunks: list[bytes] = []
        size = 0
        # A direct response without a Content-Encoding: its raw bytes are the content, read
        # with one generator fewer. (A client's response may come already read: a mock's.)
        raw = direct and "content-encoding" not in response.headers
        async for chunk in response.aiter_raw() if raw else response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise ResponseTooLarge(
                    f"{response.request.url.host}: response larger than {limit} bytes"
                )
            chunks.append(chunk)
        return b"".join(chunks)


def _describe(exc: httpx.RequestError, proxy: Proxy | None = None) -> str:
    """One line for a failed request; through a proxy, failures to reach it say so."""
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, httpx.DecodingError):
        return f"response could not be decoded ({exc})"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out" if proxy is None else f"timed out (through the proxy {proxy.shown})"
    if isinstance(exc, httpx.ProxyError):
        shown = proxy.shown if proxy is not None else "the proxy"
        return f"the proxy {shown} refused the connection ({exc or 'no reason given'})"
    if isinstance(exc, httpx.ConnectError):
        text = str(exc)
        if "CERTIFICATE_VERIFY_FAILED" in text:
            return "TLS certificate could not be verified (try --ca-bundle)"
        if "SSL" in text or "TLS" in text:
            return f"TLS handshake failed ({text})"
        if proxy is not None:  # every connection of a proxied request goes to the proxy
            return f"could not connect to the proxy {proxy.shown} ({text or 'connection failed'})"
        return f"could not connect ({text or 'connection failed'})"
    if proxy is not None:
        return f"network error through the proxy {proxy.shown} ({type(exc).__name__}: {exc})"
    return f"network error ({type(exc).__name__}: {exc})"
