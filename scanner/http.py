"""The one network client of a scan, and its per-scan memory.

`Http` sends what sources ask for through a stack of transports (scanner.transports):

    request():  redirects (httpx, on the same host only) > 429 circuit > retries > log >
                per-host cap > API key scope > size cap > the network; with
                follow_redirects=False (pages, which check each hop themselves) the same
                without the redirect rule
    check():    (site checks: one try, no redirect)  429 circuit > log > per-host cap >
                size cap > the direct connections of scanner.http_direct, or the network
                when a proxy carries the request

"The network" is the network path's PathTransport (scanner.netpath: through the proxy the
path names for each address, or straight there), spread over pool shards; with a custom
transport (a replayed world, a test's MockTransport) that transport answers everything,
under the same layers, and no proxy is used: a proxy would route requests around it.

Besides sending, an Http is what one scan shares: `sent` (every request, for "what this
scan sent where"), `pace` (spacing a service asks for, across every lookup of the scan),
`state` (a source's per-scan memory, e.g. web search's answered queries), `live` (whether
requests reach the network) and the network `path`. Failures come out as SourceUnavailable
with one line naming the host and what went wrong (through a proxy, the proxy); a request
to a host that answered 429 earlier in the scan is Blocked before anything is sent.

Who the requests say they are: every request carries a common browser's User-Agent
(`BROWSER_AGENT`), so a site being audited (a people-search page, a forum) cannot tell that
the person it shows is auditing themselves. An API that asks clients to identify
themselves (GitHub, Have I Been Pwned, Reddit) gets the honest `USER_AGENT` from the view
`http.speaking_as(Agent.IDENTIFIED)`, which the pipeline hands to each source by the
source's `agent` declaration.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from http.cookiejar import DefaultCookiePolicy
from types import TracebackType
from typing import Any, TypeVar, cast

import httpx

from scanner import __version__
from scanner.errors import Blocked, SourceUnavailable
from scanner.http_direct import DirectTransport, idle_limit
from scanner.models import OFFLINE_ROUTE, NetworkRoute, SentRequest
from scanner.netpath import Hops, NetworkPath, PathTransport, Proxy, network_path, tls_context
from scanner.transports import (
    API_KEY,
    RETRY_STATUSES,
    ApiKey,
    CappedTransport,
    CircuitTransport,
    HostLimits,
    HostLimitTransport,
    HostResting,
    KeyScopeTransport,
    LogTransport,
    RedirectRefused,
    Resting,
    RetryTransport,
    SameHostRedirects,
    ShardedTransport,
    retry_after_seconds,
)

__all__ = [
    "BROWSER_AGENT",
    "RETRY_STATUSES",
    "USER_AGENT",
    "Agent",
    "ApiKey",
    "Http",
    "HttpSettings",
    "retry_after_seconds",
]

# Sent only to APIs that ask clients to identify themselves (Agent.IDENTIFIED).
USER_AGENT = f"exposure-audit/{__version__} (personal exposure audit; local-first)"
# Sent everywhere else: a common desktop browser's, so an audited site learns nothing.
BROWSER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
POOL_SIZE = 16  # connections per pool shard
T = TypeVar("T")


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
    user_agent: str = BROWSER_AGENT  # what every request says it is
    identified_agent: str = USER_AGENT  # what sources declaring Agent.IDENTIFIED say
    pacing: bool = True  # honour services' request spacing (off when replaying a world)


class Agent(StrEnum):
    """Which User-Agent a source's requests carry (its `agent` declaration)."""

    BROWSER = "browser"  # a common browser's: sites being audited, most APIs
    IDENTIFIED = "identified"  # exposure-audit's own: APIs that ask clients to say who they are


class Http:
    """A scan's network client and shared memory. Use as an async context manager."""

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
        self.sent: list[SentRequest] = []
        self._state: dict[type, object] = {}
        self._pace_locks: dict[str, asyncio.Lock] = {}
        self._paced_at: dict[str, float] = {}
        self.agent = self.settings.user_agent  # speaking_as(Agent.IDENTIFIED) changes it
        self.hops = Hops(self.path)  # redirect hops keep the proxy of the answer before them
        tls = tls_context(self.path) if self.live or self.path.ca_origin else None
        limits = HostLimits(self.settings.per_host)
        self._bottom = transport or self._network(tls)  # what answers: the network or a stand-in
        self._check_bottom = self._check_network(self._bottom, tls)
        resting = self.state(Resting)
        retried = CircuitTransport(self._stack(self._bottom, limits, retry=True), resting)
        self._client = self._make_client(SameHostRedirects(retried), follow=True)
        self._pages = self._make_client(retried)
        checks = CircuitTransport(self._stack(self._check_bottom, limits), resting)
        self._checks = self._make_client(checks)

    def speaking_as(self, agent: Agent) -> Http:
        """This Http, saying it is `agent`: the same clients, log, pace and state (a view,
        never closed on its own)."""
        view = copy.copy(self)
        s = self.settings
        view.agent = s.identified_agent if agent is Agent.IDENTIFIED else s.user_agent
        return view

    def _network(self, tls: Any) -> httpx.AsyncBaseTransport:
        """The path's transport, spread over pool shards of POOL_SIZE connections."""
        s = self.settings
        shards = max(1, s.max_connections // POOL_SIZE)
        limits = httpx.Limits(max_connections=max(s.per_host, s.max_connections // shards))
        return ShardedTransport(lambda: PathTransport(self.path, tls, limits, self.hops), shards)

    def _check_network(self, network: httpx.AsyncBaseTransport, tls: Any) -> Any:
        """Site checks' bottom layer: direct connections when every request goes straight
        to its host anyway (the network, no proxy); else the same as every request."""
        if self.live and not self.path.proxied:
            return DirectTransport(tls, idle_limit())
        return network

    def _stack(
        self, bottom: httpx.AsyncBaseTransport, limits: HostLimits, *, retry: bool = False
    ) -> httpx.AsyncBaseTransport:
        s = self.settings
        layer: httpx.AsyncBaseTransport = KeyScopeTransport(CappedTransport(bottom, s.max_bytes))
        layer = LogTransport(HostLimitTransport(layer, limits), self.sent)
        if not retry:
            return layer
        return RetryTransport(
            layer,
            attempts=s.attempts,
            backoff_initial=s.backoff_initial,
            backoff_max=s.backoff_max,
            max_retry_after=s.max_retry_after,
        )

    def _make_client(
        self, transport: httpx.AsyncBaseTransport, *, follow: bool = False
    ) -> httpx.AsyncClient:
        s = self.settings
        client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(s.timeout, connect=s.connect_timeout),
            headers={"User-Agent": s.user_agent},
            follow_redirects=follow,
            trust_env=False,  # the path decided proxy and CA; no .netrc credentials
        )
        # No cookie is ever kept: nothing links one request of a scan to another.
        client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        return client

    @property
    def route(self) -> NetworkRoute:
        """How this Http's requests leave the computer (the report's line about it)."""
        return self.path.route() if self.live else OFFLINE_ROUTE

    def resolves_locally(self, url: httpx.URL | str) -> bool:
        """Whether sending to url makes this computer look its host name up (no proxy
        carries it, not even as a redirect hop, and no stand-in transport answers it)."""
        target = httpx.URL(url) if isinstance(url, str) else url
        return self.live and self.hops.proxy_for(target) is None

    def state(self, kind: type[T]) -> T:
        """This scan's one `kind()` (made on first use): a source's memory across its runs
        (the first lookup and every lead's), gone with the scan."""
        found = self._state.get(kind)
        if found is None:
            found = self._state[kind] = kind()
        return cast(T, found)

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
        await self._checks.aclose()
        await self._client.aclose()  # _pages shares its transports

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        key: ApiKey | None = None,
    ) -> httpx.Response:
        return await self.request("GET", url, params=params, headers=headers, key=key)

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
        key: ApiKey | None = None,
    ) -> httpx.Response:
        """Send with retries; return the final response (any status) with its body read.

        Raises SourceUnavailable when no response arrived after every attempt, when a
        redirect leaves the host ("redirected to another host (…): not followed"), and
        ResponseTooLarge when the body passes the size cap; Blocked when the host answered
        429 earlier in the scan. `params` are merged into the URL's query, winning on a
        shared name (httpx 0.28 alone would drop the URL's query, even for an empty
        `params`). `follow_redirects=False` hands back a 3xx as it came. `key` is sent only
        to its own host over HTTPS (SourceUnavailable, nothing sent, for any other URL).
        """
        client = self._client if follow_redirects else self._pages
        return await self._send(client, method, url, params, headers, data, json, key)

    async def check(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        """A site check: one try, redirects not followed, on direct connections where every
        request goes straight to its host. Same answer and errors as `request`."""
        return await self._send(self._checks, method, url, None, headers, data, json, None)

    async def _send(
        self,
        client: httpx.AsyncClient,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        json: Any,
        key: ApiKey | None,
    ) -> httpx.Response:
        target = httpx.URL(url).copy_merge_params(params) if params else httpx.URL(url)
        if key is not None and not key.fits(target):
            raise SourceUnavailable(
                f"{target.host}: the API key is only for https://{key.host}; nothing was sent"
            )
        extensions = {API_KEY: key} if key is not None else None
        request = client.build_request(
            method, target, headers=headers, data=data, json=json, extensions=extensions
        )
        if headers is None or "user-agent" not in {name.lower() for name in headers}:
            request.headers["User-Agent"] = self.agent
        try:
            return await client.send(request)
        except HostResting as exc:
            raise Blocked(f"{request.url.host}: {exc}") from exc
        except httpx.RequestError as exc:  # transport errors, too many redirects, bad encoding
            proxy = self.path.proxy_for(request.url) if self.live else None
            raise SourceUnavailable(f"{request.url.host}: {_describe(exc, proxy)}") from exc


def _describe(exc: httpx.RequestError, proxy: Proxy | None = None) -> str:
    """One line for a failed request; through a proxy, failures to reach it say so."""
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, RedirectRefused):
        return str(exc)
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
