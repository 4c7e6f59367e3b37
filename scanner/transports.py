"""The layers every request of a scan passes through, as httpx transports that wrap each other.

Http (scanner.http) stacks them; each does one thing and knows nothing of the others:

    SameHostRedirects   (requests whose redirects are followed) a hop off the host refused
    CircuitTransport    a host that answered 429 is not asked again in this scan
      RetryTransport    transport errors, 429 and 5xx tried again (Retry-After, backoff)
        LogTransport    every request sent (each try), its status and its body's SHA-256
          HostLimitTransport   at most `per_host` requests in flight to one host
            KeyScopeTransport  an API key added only on its own host, over HTTPS
              CappedTransport  the body read whole and decoded, at most `max_bytes`
                ShardedTransport | DirectTransport | a stand-in (replay, MockTransport)
                  PathTransport (scanner.netpath): through the proxy, or straight there

A layer gets an httpx.Request and returns an httpx.Response, as httpx's own transports do,
so a stand-in transport (a replayed world, a test's MockTransport) slots in at the bottom
and everything above it runs unchanged. Redirects are followed above the stack, by the
httpx client: each hop is a request of its own, logged and capped like the first, and
SameHostRedirects refuses a hop to another host (or port, or from https to http) before it
is sent. Requests that follow no redirect (pages, which check each hop themselves) take
the stack without it; site checks (one try each, thousands at once) take it without
RetryTransport too.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import random
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx

from scanner.errors import ResponseTooLarge
from scanner.models import SentRequest

if TYPE_CHECKING:  # tenacity is imported when a request may be retried (start-up time)
    from tenacity import RetryCallState

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
API_KEY = "exposure_audit.api_key"  # the request extension that carries an ApiKey
# Headers that no longer describe a body CappedTransport has read and decoded.
_BODY_FRAMING = (b"content-encoding", b"content-length", b"transfer-encoding")


class RedirectRefused(httpx.RequestError):
    """A redirect that was not followed; the message says where it pointed."""


class HostResting(httpx.RequestError):
    """Nothing was sent: the host answered 429 earlier in this scan."""


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def redirect_problem(origin: httpx.URL, target: httpx.URL) -> str | None:
    """Why a followed request's redirect from origin to target is not followed, or None.

    A hop stays on the host the request was sent to: same host, same port (http to https on
    the default ports is an upgrade, and allowed), never from https to plain http.
    """
    host = origin.host.lower().rstrip(".")
    if target.scheme not in ("http", "https"):
        return f"redirected to a {target.scheme or 'relative'} address"
    if (target.host or "").lower().rstrip(".") != host:
        return f"redirected to another host ({target.host or 'none'})"
    if origin.scheme == "https" and target.scheme == "http":
        return "redirected from https to plain http"
    upgrade = origin.scheme == "http" and target.scheme == "https"
    if _port(origin) != _port(target) and not (upgrade and origin.port is None):
        return f"redirected to another port ({_port(target)})"
    return None


class SameHostRedirects(httpx.AsyncBaseTransport):
    """For requests the client follows redirects for: a redirect off the host is refused.

    The answer that points elsewhere is handed up as RedirectRefused ("redirected to
    another host (other.example)"), so the source reports "could not check", never that
    the other host's 404 means "not found". Nothing is sent to the other host.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if response.status_code not in REDIRECTS or "location" not in response.headers:
            return response
        try:
            target = request.url.join(response.headers["location"].strip())
        except (httpx.InvalidURL, ValueError):
            problem: str | None = "redirected to an address that is not a URL"
        else:
            problem = redirect_problem(request.url, target)
        if problem is None:
            return response
        await response.aclose()
        raise RedirectRefused(f"{problem}: not followed", request=request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass(frozen=True)
class ApiKey:
    """An API key and the one host that may receive it, in `header`, over HTTPS."""

    header: str
    value: str = field(repr=False)
    host: str

    def fits(self, url: httpx.URL) -> bool:
        return url.scheme == "https" and url.host.lower().rstrip(".") == self.host


class KeyScopeTransport(httpx.AsyncBaseTransport):
    """Adds a request's ApiKey (extension API_KEY) as its header, only where the key fits.

    The header is decided here for every request and every redirect hop (which httpx builds
    from the previous hop's headers): set when the hop goes to the key's own host over
    HTTPS, removed otherwise.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = request.extensions.get(API_KEY)
        if isinstance(key, ApiKey):
            request.headers.pop(key.header, None)  # a hop built from a request that had it
            if key.fits(request.url):
                request.headers[key.header] = key.value
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


class Resting:
    """The hosts that answered HTTP 429 in this scan (host -> what they said), kept in
    Http.state: none of them is asked again until the scan ends."""

    def __init__(self) -> None:
        self.hosts: dict[str, str] = {}


class CircuitTransport(httpx.AsyncBaseTransport):
    """A host that said 429 (after every retry) is not asked again in this scan.

    The next request to it is refused before anything is sent (HostResting), so a rate
    limit stops every lookup of the scan, lead runs included, not only the one that met it.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, resting: Resting) -> None:
        self._inner = inner
        self._resting = resting

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host.lower()
        if host in self._resting.hosts:
            said = self._resting.hosts[host]
            raise HostResting(f"{said} earlier in this scan; not asked again", request=request)
        response = await self._inner.handle_async_request(request)
        if response.status_code == 429:
            wait = response.headers.get("retry-after", "").strip()
            hint = f", retry after {wait} s" if wait.isdigit() else ""
            self._resting.hosts.setdefault(host, f"rate limited (HTTP 429{hint})")
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class LogTransport(httpx.AsyncBaseTransport):
    """Appends a SentRequest for every request that passes, however it ended."""

    def __init__(self, inner: httpx.AsyncBaseTransport, log: list[SentRequest]) -> None:
        self._inner = inner
        self._log = log

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        method, url = request.method, str(request.url)
        try:
            response = await self._inner.handle_async_request(request)
        except BaseException:
            self._log.append(SentRequest(method, url, None, datetime.now(UTC), None))
            raise
        self._log.append(
            SentRequest(method, url, response.status_code, datetime.now(UTC), _digest(response))
        )
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def _digest(response: httpx.Response) -> str | None:
    try:
        return hashlib.sha256(response.content).hexdigest()
    except httpx.ResponseNotRead:  # a layer below streams: no body to hash yet
        return None


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


class RetryTransport(httpx.AsyncBaseTransport):
    """Up to `attempts` tries on transport errors and RETRY_STATUSES.

    The wait is the answer's Retry-After (at most `max_retry_after`; a longer one is not
    waited for and the answer is handed up as it came), else exponential backoff with full
    jitter: up to initial * 2**(attempt-1), capped at `backoff_max`. After the last try the
    last answer is handed up, or its error raised.
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        attempts: int,
        backoff_initial: float,
        backoff_max: float,
        max_retry_after: float,
    ) -> None:
        self._inner = inner
        self.attempts = max(1, attempts)
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.attempts == 1:
            return await self._inner.handle_async_request(request)
        from tenacity import (
            AsyncRetrying,
            retry_if_exception_type,
            retry_if_result,
            stop_after_attempt,
        )

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(httpx.TransportError) | retry_if_result(self._again),
            retry_error_callback=_last_outcome,
            reraise=True,
        )
        response: httpx.Response = await retrying(self._inner.handle_async_request, request)
        return response

    def _again(self, response: httpx.Response) -> bool:
        if response.status_code not in RETRY_STATUSES:
            return False
        delay = retry_after_seconds(response)
        return delay is None or delay <= self.max_retry_after

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            delay = retry_after_seconds(outcome.result())
            if delay is not None:
                return min(delay, self.max_retry_after)
        return self.backoff(state.attempt_number)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter: up to initial * 2**(attempt-1), capped."""
        ceiling = min(self.backoff_max, self.backoff_initial * 2 ** (attempt - 1))
        return random.uniform(0.0, ceiling)  # noqa: S311 - jitter, not security

    async def aclose(self) -> None:
        await self._inner.aclose()


def _last_outcome(state: RetryCallState) -> httpx.Response:
    """After the last attempt: hand back the last response, or raise its error."""
    assert state.outcome is not None
    return state.outcome.result()  # type: ignore[no-any-return]


class HostLimits:
    """One semaphore per host, shared by every stack of a scan (pages and site checks)."""

    def __init__(self, per_host: int) -> None:
        self.per_host = max(1, per_host)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def of(self, host: str) -> asyncio.Semaphore:
        semaphore = self._hosts.get(host)
        if semaphore is None:
            semaphore = self._hosts[host] = asyncio.Semaphore(self.per_host)
        return semaphore


class HostLimitTransport(httpx.AsyncBaseTransport):
    """Holds the host's semaphore while the request and (below it) the body read run."""

    def __init__(self, inner: httpx.AsyncBaseTransport, limits: HostLimits) -> None:
        self._inner = inner
        self._limits = limits

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async with self._limits.of(request.url.host):
            return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


class CappedTransport(httpx.AsyncBaseTransport):
    """Reads each body whole, decoded, refusing it past `max_bytes` (ResponseTooLarge).

    A declared Content-Length past the cap is refused before reading. The cap counts
    decoded bytes, so a compressed bomb is refused too. The response handed up is read,
    without Content-Encoding / Content-Length / Transfer-Encoding (they described the bytes
    on the wire). Header values stay raw bytes: decoded ones need not be ASCII.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, max_bytes: int) -> None:
        self._inner = inner
        self.max_bytes = max_bytes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        try:
            body = await self._read(response, request)
        finally:
            await response.aclose()
        headers = [(k, v) for k, v in response.headers.raw if k.lower() not in _BODY_FRAMING]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=body,
            request=request,
            extensions=response.extensions,
        )

    async def _read(self, response: httpx.Response, request: httpx.Request) -> bytes:
        too_large = f"{request.url.host}: response larger than {self.max_bytes} bytes"
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise ResponseTooLarge(too_large)
        try:  # a stand-in may hand back a response built with its body, already read
            if len(response.content) > self.max_bytes:
                raise ResponseTooLarge(too_large)
            return response.content
        except httpx.ResponseNotRead:
            pass
        chunks: list[bytes] = []
        size = 0
        # Without a Content-Encoding the raw bytes are the content: one generator fewer.
        if "content-encoding" in response.headers:
            stream = response.aiter_bytes()
        else:
            stream = response.aiter_raw()
        async for chunk in stream:
            size += len(chunk)
            if size > self.max_bytes:
                raise ResponseTooLarge(too_large)
            chunks.append(chunk)
        return b"".join(chunks)

    async def aclose(self) -> None:
        await self._inner.aclose()


class ShardedTransport(httpx.AsyncBaseTransport):
    """Spreads hosts (by crc32) over `shards` transports made by `make` on first use.

    httpcore's pool bookkeeping costs time in proportion to its size on every request
    (encode/httpcore#1035), which dominates when thousands of sites are checked: several
    small pools are cheaper than one big one.
    """

    def __init__(self, make: Callable[[], httpx.AsyncBaseTransport], shards: int) -> None:
        self._make = make
        self._shards: list[httpx.AsyncBaseTransport | None] = [None] * max(1, shards)

    def shard_of(self, host: str) -> httpx.AsyncBaseTransport:
        index = zlib.crc32(host.encode("utf-8", "replace")) % len(self._shards)
        shard = self._shards[index]
        if shard is None:
            shard = self._shards[index] = self._make()
        return shard

    @property
    def made(self) -> int:
        """How many shards exist so far."""
        return sum(shard is not None for shard in self._shards)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.shard_of(request.url.host).handle_async_request(request)

    async def aclose(self) -> None:
        await _close_all(self._shards)


async def _close_all(transports: Iterable[httpx.AsyncBaseTransport | None]) -> None:
    for transport in transports:
        if transport is not None:
            await transport.aclose()
