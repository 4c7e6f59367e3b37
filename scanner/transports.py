"""The layers every request of a scan passes through, as httpx transports that wrap each other.

Http (scanner.http) stacks them; each does one thing and knows nothing of the others:

    RetryTransport      transport errors, 429 and 5xx tried again (Retry-After, backoff)
      LogTransport      every request sent (each try), its status and its body's SHA-256
        HostLimitTransport   at most `per_host` requests in flight to one host
          CappedTransport    the body read whole and decoded, at most `max_bytes`
            ShardedTransport | DirectTransport | a stand-in (replay, MockTransport)
              PathTransport (scanner.netpath): through the proxy, or straight there

A layer gets an httpx.Request and returns an httpx.Response, as httpx's own transports do,
so a stand-in transport (a replayed world, a test's MockTransport) slots in at the bottom
and everything above it runs unchanged. Redirects are followed above the stack, by the
httpx client: each hop is a request of its own, logged and capped like the first. Site
checks (one try each, thousands at once) take the same stack without RetryTransport.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import random
import time
import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx

from scanner.errors import ResponseTooLarge
from scanner.models import SentRequest

if TYPE_CHECKING:  # tenacity is imported when a request may be retried (start-up time)
    from tenacity import RetryCallState

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Headers that no longer describe a body CappedTransport has read and decoded.
_BODY_FRAMING = (b"content-encoding", b"content-length", b"transfer-encoding")


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
