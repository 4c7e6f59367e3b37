"""The shared HTTP client: retries, Retry-After, caps, logging, proxy and CA settings.

Every request goes to an httpx.MockTransport; no socket is opened.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import random
import re
import socket
import ssl
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import certifi
import httpcore
import httpx
import pytest
from tenacity import RetryCallState

import scanner.http
import scanner.http_direct
from scanner.errors import InputError, ResponseTooLarge, SourceUnavailable
from scanner.http import (
    BROWSER_AGENT,
    RETRY_STATUSES,
    USER_AGENT,
    Agent,
    Http,
    HttpSettings,
    retry_after_seconds,
)
from scanner.http_direct import DirectTransport
from scanner.models import OFFLINE_ROUTE, SentRequest
from scanner.netpath import PathTransport, network_path
from scanner.transports import RetryTransport, ShardedTransport
from tests.support import FAST, mock_http

URL = "https://api.example.com/thing"
NOW = 1_700_000_000.0  # a fixed "now" for HTTP-date arithmetic


def run(http: Http, call: Callable[[Http], Awaitable[Any]]) -> Any:
    """Run `call(http)` inside the client's context, in a fresh event loop."""

    async def go() -> Any:
        async with http:
            return await call(http)

    return asyncio.run(go())


def get(http: Http, url: str = URL, **kwargs: Any) -> httpx.Response:
    response: httpx.Response = run(http, lambda h: h.get(url, **kwargs))
    return response


class Script:
    """A handler answering from a list of responses/exceptions, counting the calls."""

    def __init__(self, *steps: httpx.Response | Exception) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps[min(len(self.requests), len(self.steps)) - 1]
        if isinstance(step, Exception):
            raise step
        return step

    @property
    def calls(self) -> int:
        return len(self.requests)


def response(status: int, text: str = "", **headers: str) -> httpx.Response:
    return httpx.Response(status, text=text, headers=headers)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record every delay tenacity asks for, without waiting."""
    recorded: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(delay: float, result: Any = None) -> Any:
        recorded.append(delay)
        return await real_sleep(0, result)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    return recorded


# --- retries -------------------------------------------------------------------------


def test_transport_errors_are_retried_then_succeed() -> None:
    script = Script(
        httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), response(200, "hello")
    )
    http = mock_http(script)
    result = get(http)
    assert (result.status_code, result.text) == (200, "hello")
    assert script.calls == 3
    # every try is a request sent: the log says so
    assert http.sent == [SentRequest("GET", URL, None)] * 2 + [SentRequest("GET", URL, 200)]


def test_connect_error_on_every_attempt_becomes_source_unavailable() -> None:
    script = Script(httpx.ConnectError("connection refused"))
    http = mock_http(script)
    with pytest.raises(SourceUnavailable) as caught:
        get(http)
    assert str(caught.value) == "api.example.com: could not connect (connection refused)"
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert script.calls == FAST.attempts == 3
    assert http.sent == [SentRequest("GET", URL, None)] * 3


def test_timeout_on_every_attempt_says_timed_out() -> None:
    script = Script(httpx.ReadTimeout("read timed out after 20s"))
    http = mock_http(script, replace(FAST, attempts=2))
    with pytest.raises(SourceUnavailable, match=r"^api\.example\.com: timed out$"):
        get(http)
    assert script.calls == 2
    assert http.sent == [SentRequest("GET", URL, None)] * 2


def test_certificate_failure_suggests_ca_bundle() -> None:
    script = Script(httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify"))
    with pytest.raises(SourceUnavailable, match="try --ca-bundle"):
        get(mock_http(script))


def test_attempts_one_means_no_retry() -> None:
    script = Script(httpx.ConnectError("refused"), response(200))
    with pytest.raises(SourceUnavailable):
        get(mock_http(script, replace(FAST, attempts=1)))
    assert script.calls == 1


@pytest.mark.parametrize("status", sorted(RETRY_STATUSES))
def test_retryable_status_returns_last_response_when_attempts_run_out(status: int) -> None:
    script = Script(response(status, "first"), response(status, "second"), response(status, "last"))
    http = mock_http(script)
    result = get(http)
    assert (result.status_code, result.text) == (status, "last")
    assert script.calls == 3
    assert http.sent == [SentRequest("GET", URL, status)] * 3


def test_retryable_status_then_success() -> None:
    script = Script(response(503), response(429), response(200, "ok"))
    assert get(mock_http(script)).text == "ok"
    assert script.calls == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 410])
def test_client_errors_are_not_retried(status: int) -> None:
    script = Script(response(status, "no"), response(200, "never"))
    http = mock_http(script)
    result = get(http)
    assert (result.status_code, result.text) == (status, "no")
    assert script.calls == 1
    assert http.sent == [SentRequest("GET", URL, status)]


# --- Retry-After and backoff ----------------------------------------------------------


def with_retry_after(value: str) -> httpx.Response:
    return httpx.Response(429, headers=[(b"Retry-After", value.encode())])


def http_date(timestamp: float) -> str:
    return format_datetime(datetime.fromtimestamp(timestamp, UTC), usegmt=True)


def test_retry_after_seconds() -> None:
    assert retry_after_seconds(with_retry_after("120")) == 120.0
    assert retry_after_seconds(with_retry_after(" 7 ")) == 7.0
    assert retry_after_seconds(with_retry_after("0")) == 0.0
    assert retry_after_seconds(httpx.Response(429)) is None


def test_retry_after_http_date() -> None:
    assert http_date(NOW + 90) == "Tue, 14 Nov 2023 22:14:50 GMT"
    assert retry_after_seconds(with_retry_after(http_date(NOW + 90)), now=NOW) == 90.0
    # a date in the past means "now", never a negative wait
    assert retry_after_seconds(with_retry_after(http_date(NOW - 90)), now=NOW) == 0.0


@pytest.mark.parametrize("value", ["soon", "-5", "1.5", "", "²"])
def test_retry_after_garbage_is_ignored(value: str) -> None:
    assert retry_after_seconds(with_retry_after(value), now=NOW) is None


def retrying(settings: HttpSettings) -> RetryTransport:
    """The retry layer an Http with these settings stacks."""
    return RetryTransport(
        httpx.MockTransport(lambda request: httpx.Response(200)),
        attempts=settings.attempts,
        backoff_initial=settings.backoff_initial,
        backoff_max=settings.backoff_max,
        max_retry_after=settings.max_retry_after,
    )


def state_after(outcome: httpx.Response, attempt: int = 1) -> RetryCallState:
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = attempt
    state.set_result(outcome)
    return state


def test_wait_honours_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    layer = retrying(HttpSettings(max_retry_after=60.0, backoff_max=1.0))
    assert layer._wait(state_after(with_retry_after("42"))) == 42.0
    monkeypatch.setattr("time.time", lambda: NOW)
    assert layer._wait(state_after(with_retry_after(http_date(NOW + 30)))) == 30.0
    # never longer than max_retry_after
    assert layer._wait(state_after(with_retry_after("3600"))) == 60.0


def test_wait_without_retry_after_is_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(random, "uniform", lambda low, high: high)
    layer = retrying(HttpSettings(backoff_initial=1.0, backoff_max=20.0))
    assert layer._wait(state_after(httpx.Response(503), attempt=3)) == 4.0


def test_backoff_grows_and_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(random, "uniform", lambda low, high: high)  # the ceiling itself
    layer = retrying(HttpSettings(backoff_initial=1.0, backoff_max=20.0))
    assert [layer.backoff(n) for n in range(1, 8)] == [1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0]


def test_backoff_jitter_stays_within_bounds() -> None:
    layer = retrying(HttpSettings(backoff_initial=0.5, backoff_max=3.0))
    for attempt in range(1, 12):
        ceiling = min(3.0, 0.5 * 2 ** (attempt - 1))
        for _ in range(50):
            assert 0.0 <= layer.backoff(attempt) <= ceiling


def test_retry_after_within_limit_is_waited_for(sleeps: list[float]) -> None:
    settings = HttpSettings(attempts=3, max_retry_after=5.0, backoff_initial=0.0)
    script = Script(with_retry_after("2"), response(200, "ok"))
    assert get(mock_http(script, settings)).text == "ok"
    assert script.calls == 2
    assert sleeps == [2.0]


def test_retry_after_too_long_is_neither_waited_for_nor_retried(sleeps: list[float]) -> None:
    settings = HttpSettings(attempts=3, max_retry_after=5.0)
    script = Script(with_retry_after("3600"), response(200, "never"))
    http = mock_http(script, settings)
    result = get(http)
    assert result.status_code == 429
    assert result.headers["retry-after"] == "3600"
    assert script.calls == 1
    assert sleeps == []
    assert http.sent == [SentRequest("GET", URL, 429)]


def test_retry_after_date_too_far_is_not_retried(sleeps: list[float]) -> None:
    far = http_date(datetime.now(UTC).timestamp() + 7200)
    script = Script(httpx.Response(503, headers={"Retry-After": far}), response(200))
    result = get(mock_http(script, HttpSettings(max_retry_after=60.0)))
    assert (result.status_code, script.calls, sleeps) == (503, 1, [])


def test_backoff_sleeps_never_exceed_backoff_max(sleeps: list[float]) -> None:
    settings = HttpSettings(attempts=8, backoff_initial=1.0, backoff_max=1.5)
    script = Script(httpx.ConnectError("refused"))
    with pytest.raises(SourceUnavailable):
        get(mock_http(script, settings))
    assert script.calls == 8
    assert len(sleeps) == 7
    assert all(0.0 <= s <= 1.5 for s in sleeps)


# --- per-host concurrency -------------------------------------------------------------


def test_per_host_cap_holds_and_other_hosts_are_not_blocked() -> None:
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}
    peak_total = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal peak_total
        host = request.url.host
        in_flight[host] = in_flight.get(host, 0) + 1
        peak[host] = max(peak.get(host, 0), in_flight[host])
        peak_total = max(peak_total, sum(in_flight.values()))
        await asyncio.sleep(0.01)
        in_flight[host] -= 1
        return httpx.Response(200, text=host)

    http = Http(replace(FAST, per_host=2), transport=httpx.MockTransport(handler))
    urls = [f"https://a.example/{n}" for n in range(6)] + [
        f"https://b.example/{n}" for n in range(3)
    ]

    async def call(h: Http) -> list[httpx.Response]:
        return await asyncio.gather(*(h.get(url) for url in urls))

    results: list[httpx.Response] = run(http, call)
    assert [r.text for r in results] == ["a.example"] * 6 + ["b.example"] * 3
    assert peak == {"a.example": 2, "b.example": 2}
    assert peak_total == 4  # b.example ran while a.example was at its cap
    assert len(http.sent) == 9


# --- body size cap ----------------------------------------------------------------------


def test_declared_content_length_over_cap_is_refused() -> None:
    script = Script(httpx.Response(200, content=b"x" * 100))
    http = mock_http(script, replace(FAST, max_bytes=50))
    with pytest.raises(ResponseTooLarge, match=r"^api\.example\.com: response larger than 50"):
        get(http)
    assert script.calls == 1  # not retried
    assert http.sent == [SentRequest("GET", URL, None)]


def test_body_at_cap_is_accepted() -> None:
    script = Script(httpx.Response(200, content=b"x" * 50))
    assert get(mock_http(script, replace(FAST, max_bytes=50))).content == b"x" * 50


def test_streamed_body_over_cap_is_refused_without_reading_it_all() -> None:
    produced = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal produced
        for _ in range(10):
            produced += 1
            yield b"y" * 20

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks())

    http = Http(replace(FAST, max_bytes=50), transport=httpx.MockTransport(handler))

    async def call(h: Http) -> httpx.Response:
        return await h.get(URL)

    with pytest.raises(ResponseTooLarge, match="response larger than 50 bytes"):
        run(http, call)
    assert produced == 3  # 60 bytes: stopped at the first chunk past the cap


def test_streamed_body_under_cap_is_read() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for part in (b"ab", b"cd", b"ef"):
            yield part

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks())

    http = Http(replace(FAST, max_bytes=6), transport=httpx.MockTransport(handler))
    result = get(http)
    assert result.content == b"abcdef"
    assert "transfer-encoding" not in result.headers


# --- what the wrapper hands back ------------------------------------------------------------


def test_gzip_response_is_decoded_and_rebuilt() -> None:
    data = {"login": "jtestwell", "bio": "tomatoes " * 200}
    raw = json.dumps(data).encode()
    script = Script(
        httpx.Response(
            200,
            content=gzip.compress(raw),
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )
    )
    result = get(mock_http(script))
    assert result.json() == data
    assert "content-encoding" not in result.headers
    assert result.headers["content-length"] == str(len(raw))
    assert result.headers["content-type"] == "application/json"


def test_gzip_size_cap_counts_decoded_bytes() -> None:
    raw = b"0" * 10_000  # compresses to a few dozen bytes
    script = Script(
        httpx.Response(200, content=gzip.compress(raw), headers={"Content-Encoding": "gzip"})
    )
    with pytest.raises(ResponseTooLarge):
        get(mock_http(script, replace(FAST, max_bytes=5_000)))


def test_corrupt_gzip_becomes_source_unavailable() -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"not gzip at all"

    script = Script(httpx.Response(200, content=body(), headers={"Content-Encoding": "gzip"}))
    http = mock_http(script)
    with pytest.raises(SourceUnavailable, match=r"^api\.example\.com: response could not be"):
        get(http)
    assert script.calls == 1
    assert http.sent == [SentRequest("GET", URL, None)]


def test_redirect_loop_becomes_source_unavailable() -> None:
    script = Script(httpx.Response(302, headers={"Location": URL}))
    http = mock_http(script)
    with pytest.raises(SourceUnavailable, match=r"^api\.example\.com: too many redirects$"):
        get(http)
    # each hop is a request sent, until httpx's limit of 20 redirects
    assert http.sent == [SentRequest("GET", URL, 302)] * 21


def test_redirects_are_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"Location": "https://api.example.com/new"})
        return httpx.Response(200, text=request.url.path)

    http = mock_http(handler)
    result = get(http, "https://api.example.com/old")
    assert (result.status_code, result.text) == (200, "/new")
    assert [r.status_code for r in result.history] == [301]
    assert http.sent == [
        SentRequest("GET", "https://api.example.com/old", 301),
        SentRequest("GET", "https://api.example.com/new", 200),
    ]


def test_non_ascii_header_values_survive() -> None:
    value = "café ☕".encode()
    script = Script(httpx.Response(200, headers=[(b"X-Note", value)], content=b"ok"))
    result = get(mock_http(script))
    assert (b"X-Note", value) in result.headers.raw
    assert result.text == "ok"


def test_repeated_headers_are_kept() -> None:
    script = Script(httpx.Response(200, headers=[("Link", "<a>"), ("Link", "<b>")]))
    assert get(mock_http(script)).headers.get_list("link") == ["<a>", "<b>"]


# --- what is sent ----------------------------------------------------------------------------


def test_every_request_is_logged_with_its_status() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/down":
            raise httpx.ConnectError("refused")
        return httpx.Response(404 if request.url.path == "/missing" else 200)

    async def call(h: Http) -> None:
        await h.get("https://a.example/ok", params={"q": "1"})
        await h.get("https://a.example/missing")
        with pytest.raises(SourceUnavailable):
            await h.get("https://b.example/down")
        await h.request("POST", "https://a.example/ok", json={"x": 1})

    http = mock_http(handler)
    run(http, call)
    assert http.sent == [
        SentRequest("GET", "https://a.example/ok?q=1", 200),
        SentRequest("GET", "https://a.example/missing", 404),
        *[SentRequest("GET", "https://b.example/down", None)] * FAST.attempts,
        SentRequest("POST", "https://a.example/ok", 200),
    ]


def test_a_browser_user_agent_is_sent_unless_the_source_identifies_itself() -> None:
    script = Script(response(200), response(200))
    http = mock_http(script)

    async def call(h: Http) -> None:
        await h.get(URL)
        await h.speaking_as(Agent.IDENTIFIED).get(URL)

    run(http, call)
    assert script.requests[0].headers["user-agent"] == BROWSER_AGENT
    assert script.requests[1].headers["user-agent"] == USER_AGENT
    assert BROWSER_AGENT.startswith("Mozilla/5.0")
    assert "exposure" not in BROWSER_AGENT
    assert USER_AGENT.startswith("exposure-audit/")
    assert len(http.sent) == 2  # the view shares the log


def test_custom_user_agent_and_extra_headers_are_sent() -> None:
    script = Script(response(200))
    get(mock_http(script, replace(FAST, user_agent="ua-test/1")), headers={"Accept": "x/y"})
    sent = script.requests[0].headers
    assert (sent["user-agent"], sent["accept"]) == ("ua-test/1", "x/y")


def test_query_params_are_sent() -> None:
    script = Script(response(200))
    http = mock_http(script)
    get(http, "https://api.example.com/search?page=2", params={"q": "jordan testwell", "n": "5"})
    url = script.requests[0].url
    assert url.params.multi_items() == [("page", "2"), ("q", "jordan testwell"), ("n", "5")]
    assert url.query == b"page=2&q=jordan+testwell&n=5"
    assert http.sent[0].url == "https://api.example.com/search?page=2&q=jordan+testwell&n=5"


def test_params_win_over_the_same_name_in_the_url() -> None:
    script = Script(response(200))
    get(mock_http(script), "https://api.example.com/search?page=2&q=a", params={"page": "3"})
    assert script.requests[0].url.query == b"page=3&q=a"


def test_empty_params_keep_the_urls_query() -> None:
    script = Script(response(200))
    get(mock_http(script), "https://api.example.com/search?page=2", params={})
    assert script.requests[0].url.query == b"page=2"


def test_request_body_is_sent_again_on_retry() -> None:
    script = Script(response(502), response(200))
    run(mock_http(script), lambda h: h.request("POST", URL, data={"a": "b"}))
    assert [r.content for r in script.requests] == [b"a=b", b"a=b"]


# --- proxy and CA settings --------------------------------------------------------------------


def on_path(settings: HttpSettings = FAST, **kwargs: Any) -> HttpSettings:
    """settings on the network path network_path(**kwargs) gives (an empty environment)."""
    return replace(settings, path=network_path(environ={}, **kwargs))


def routes(http: Http) -> dict[str, str | None]:
    """Which proxy (host:port) each kind of address takes; None: straight there."""
    transport = http._bottom
    assert isinstance(transport, ShardedTransport)
    assert isinstance(transport.shard_of("a.example"), PathTransport)
    result: dict[str, str | None] = {}
    for url in ("https://a.example/", "http://a.example/"):
        proxy = http.path.proxy_for(url)
        result[url.split(":")[0]] = None if proxy is None else proxy.shown.split("//")[1]
    return result


def test_explicit_proxy_is_used() -> None:
    http = Http(on_path(proxy="http://proxy.example:3128"))
    assert routes(http) == {"https": "proxy.example:3128", "http": "proxy.example:3128"}
    assert http.route.proxy == "http://proxy.example:3128"
    assert (http.route.via, http.route.dns) == ("--proxy", "proxy")


def test_environment_proxy_is_used_without_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://envproxy.example:8080")
    http = Http(FAST)  # FAST names no path: the environment's, read now
    assert routes(http) == {"https": "envproxy.example:8080", "http": None}
    assert (http.route.via, http.route.dns) == ("HTTPS_PROXY", "partly local")


def test_explicit_proxy_replaces_environment_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://envproxy.example:8080")
    monkeypatch.setenv("NO_PROXY", "a.example")
    settings = replace(FAST, path=network_path("http://proxy.example:3128"))
    assert routes(Http(settings)) == {
        "https": "proxy.example:3128",
        "http": "proxy.example:3128",
    }


def test_no_proxy_at_all_by_default() -> None:
    http = Http(FAST)
    assert routes(http) == {"https": None, "http": None}
    assert http.route.dns == "local"


def test_httpx_reads_nothing_from_the_environment() -> None:
    # .netrc credentials, proxies and CA variables are decided by scanner.netpath alone
    assert Http(FAST)._client.trust_env is False


def test_each_request_takes_the_transport_its_route_names() -> None:
    seen: list[tuple[str, str]] = []

    class Recording(httpx.AsyncBaseTransport):
        def __init__(self, name: str) -> None:
            self.name = name

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            seen.append((self.name, request.url.host))
            return httpx.Response(200)

    path = network_path(
        environ={"HTTPS_PROXY": "http://proxy.example:3128", "NO_PROXY": ".straight.example"}
    )
    transport = PathTransport(path, httpx.create_ssl_context(), httpx.Limits())
    transport._direct = Recording("direct")  # type: ignore[assignment]
    transport._proxied = {"http://proxy.example:3128": Recording("proxy")}  # type: ignore[dict-item]

    async def go() -> None:
        for url in ("https://a.example/", "https://www.straight.example/", "http://a.example/"):
            await transport.handle_async_request(httpx.Request("GET", url))

    asyncio.run(go())
    assert seen == [
        ("proxy", "a.example"),
        ("direct", "www.straight.example"),
        ("direct", "a.example"),
    ]


def test_custom_transport_ignores_environment_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://envproxy.example:8080")
    script = Script(response(200, "from the transport"))
    http = mock_http(script)
    assert isinstance(http._bottom, httpx.MockTransport)
    assert get(http).text == "from the transport"
    assert http.route == OFFLINE_ROUTE


def test_custom_transport_is_not_bypassed_by_a_proxy_setting() -> None:
    # A proxy would send every request around the replay/mock transport to the network.
    script = Script(response(200, "from the transport"))
    http = mock_http(script, on_path(proxy="http://proxy.example:3128"))
    assert get(http).text == "from the transport"
    assert script.calls == 1
    assert http.route == OFFLINE_ROUTE


@pytest.mark.parametrize(
    ("proxy", "problem"),
    [
        ("ftp://proxy.example:21", "scheme 'ftp' is not one of http, https, socks5h, socks5"),
        ("socks4://proxy.example:1080", "scheme 'socks4' is not one of"),
        ("http://", "the URL names no host"),
    ],
)
def test_unusable_proxy_is_an_input_error(proxy: str, problem: str) -> None:
    with pytest.raises(InputError, match=r"^cannot use proxy from --proxy: ") as caught:
        network_path(proxy, environ={})
    assert problem in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unusable_environment_proxy_names_its_variable() -> None:
    with pytest.raises(InputError, match=r"^cannot use proxy from ALL_PROXY: scheme 'socks4'"):
        network_path(environ={"ALL_PROXY": "socks4://p.example:1080"})


def test_socks_proxies_are_used_with_names_resolved_by_the_proxy() -> None:
    http = Http(on_path(proxy="socks5://user:secret@127.0.0.1:9050"))
    proxy = http.path.proxy_for("https://a.example/")
    assert proxy is not None
    assert proxy.url == "socks5h://user:secret@127.0.0.1:9050"
    assert proxy.shown == "socks5h://127.0.0.1:9050"  # never the credentials
    assert http.route.proxy == "socks5h://127.0.0.1:9050"
    assert not isinstance(http._check_bottom, DirectTransport)


def test_missing_ca_bundle_is_an_input_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    with pytest.raises(InputError) as caught:
        Http(on_path(ca_bundle=missing))
    assert str(caught.value) == f"CA bundle not found: {missing}"


def test_missing_ca_file_from_the_environment_names_the_variable(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    path = network_path(environ={"SSL_CERT_FILE": str(missing)})
    with pytest.raises(InputError) as caught:
        Http(replace(FAST, path=path))
    assert str(caught.value) == f"CA bundle not found: {missing} (from SSL_CERT_FILE)"


def test_ca_bundle_directory_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="CA bundle not found"):
        Http(on_path(ca_bundle=tmp_path))


def test_ca_bundle_without_certificates_is_an_input_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate", encoding="utf-8")
    with pytest.raises(InputError, match="holds no usable PEM certificates"):
        Http(on_path(ca_bundle=bogus))


def test_valid_ca_bundle_is_loaded_without_deprecation_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        http = Http(on_path(ca_bundle=Path(certifi.where())))
    assert http.path.ca_bundle == Path(certifi.where())


def test_ca_bundle_is_checked_even_with_a_custom_transport(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="CA bundle not found"):
        mock_http(lambda r: response(200), on_path(ca_bundle=tmp_path / "x.pem"))


# --- pacing ------------------------------------------------------------------------


def test_pace_spaces_calls_with_one_key_and_not_others(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    async def go() -> None:
        async with mock_http(lambda request: httpx.Response(200)) as http:
            monkeypatch.setattr(asyncio, "sleep", fake_sleep)
            await asyncio.gather(*(http.pace("breaches", 10.0) for _ in range(3)))
            await http.pace("other", 10.0)  # another service keeps its own pace

    asyncio.run(go())
    assert len(waits) == 2
    assert all(9.0 < wait <= 10.0 for wait in waits)


def test_pace_is_off_for_replayed_worlds(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    async def go() -> None:
        settings = replace(FAST, pacing=False)
        async with mock_http(lambda request: httpx.Response(200), settings) as http:
            monkeypatch.setattr(asyncio, "sleep", fake_sleep)
            for _ in range(3):
                await http.pace("breaches", 10.0)

    asyncio.run(go())
    assert waits == []


# --- per-request options -----------------------------------------------------------


def test_a_redirect_can_be_handed_back_as_it_came() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(302, headers={"location": "https://site.example/new"})
        return httpx.Response(200, text="new page")

    async def go() -> tuple[int, int, list[str]]:
        async with mock_http(handler) as http:
            kept = await http.request("GET", "https://site.example/old", follow_redirects=False)
            followed = await http.get("https://site.example/old")
            return kept.status_code, followed.status_code, [r.url for r in http.sent]

    kept, followed, sent = asyncio.run(go())
    assert (kept, followed) == (302, 200)
    assert sent == [
        "https://site.example/old",
        "https://site.example/old",
        "https://site.example/new",
    ]


def test_one_attempt_means_no_retry() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(503)

    async def go() -> int:
        async with mock_http(handler) as http:
            return (await http.check("GET", "https://site.example/")).status_code

    assert asyncio.run(go()) == 503
    assert len(calls) == 1


def test_no_cookie_is_kept_between_requests() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        return httpx.Response(200, headers={"set-cookie": "visitor=abc123; Path=/"})

    async def go() -> None:
        async with mock_http(handler) as http:
            await http.get("https://site.example/a")
            await http.get("https://site.example/b")

    asyncio.run(go())
    assert seen == [None, None]


def test_hosts_are_spread_over_small_pools_created_on_first_use() -> None:
    made: list[httpx.AsyncBaseTransport] = []

    def make() -> httpx.AsyncBaseTransport:
        made.append(httpx.MockTransport(lambda r: httpx.Response(200)))
        return made[-1]

    sharded = ShardedTransport(make, 4)

    async def go() -> None:
        for i in range(40):
            await sharded.handle_async_request(httpx.Request("GET", f"https://site{i}.example/"))

    assert sharded.made == 0
    asyncio.run(go())
    assert (sharded.made, len(made)) == (4, 4)  # made when needed, each once
    assert sharded.shard_of("site1.example") is sharded.shard_of("site1.example")
    # a live Http: 64 connections = 4 pools of 16
    http = Http(replace(FAST, max_connections=64))
    assert isinstance(http._bottom, ShardedTransport)
    assert len(http._bottom._shards) == 4


def test_an_http_knows_whether_it_reaches_the_network() -> None:
    async def go() -> tuple[bool, bool]:
        async with Http(FAST) as real, mock_http(lambda r: httpx.Response(200)) as mocked:
            return real.live, mocked.live

    assert asyncio.run(go()) == (True, False)


# --- direct connections (request(direct=True): site checks by the thousand) -----------------
#
# These run against a small HTTP/1.1 server on 127.0.0.1 (the network guard allows loopback):
# the direct path is real sockets, so a mock transport cannot stand in for it.

Answer = Callable[[bytes, bytes], bytes | None]  # (request head, body) -> raw reply, None: hang


def reply(status: int = 200, body: bytes = b"", *headers: str, length: bool = True) -> bytes:
    lines = [f"HTTP/1.1 {status} Whatever", *headers]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Loopback:
    """An HTTP/1.1 server on 127.0.0.1 answering from `answer`; records every request's
    raw bytes and counts the connections it accepted and saw closed."""

    def __init__(self, answer: Answer, *, close_after: bool = False) -> None:
        self.answer = answer
        self.close_after = close_after  # close the connection after each answer
        self.requests: list[bytes] = []
        self.accepted = 0
        self.closed = 0
        self.port = 0
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Loopback:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.accepted += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
                body = await reader.readexactly(int(length[1])) if length else b""
                self.requests.append(head + body)
                answer = self.answer(head, body)
                if answer is None:
                    await asyncio.sleep(3600)
                    return
                writer.write(answer)
                await writer.drain()
                if self.close_after:
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.closed += 1
            writer.close()


def direct_get(http: Http, url: str, **kwargs: Any) -> Awaitable[httpx.Response]:
    return http.check("GET", url, **kwargs)


def served(answer: Answer, call: Callable[[Http, Loopback], Awaitable[Any]], **server: Any) -> Any:
    """Run `call(http, server)` with a live Http and a Loopback answering `answer`."""

    async def go() -> Any:
        async with Loopback(answer, **server) as loop_server, Http(FAST) as http:
            assert isinstance(http._check_bottom, DirectTransport)
            return await call(http, loop_server)

    return asyncio.run(go())


def test_direct_requests_send_the_same_bytes_and_read_the_same_answer() -> None:
    page = b"<html><p>No such user</p></html>"

    def answer(head: bytes, body: bytes) -> bytes:
        return reply(404, page, "Content-Type: text/html; charset=utf-8", "X-Extra: 1")

    async def call(http: Http, server: Loopback) -> list[tuple[int, bytes, list[Any]]]:
        got = []
        for direct in (True, False):
            options: tuple[dict[str, Any], ...] = (
                {"headers": {"Accept": "text/html"}},
                {"json": {"username": "jt"}, "headers": {"Accept": "application/json"}},
                {"data": {"user": "jt", "view": "profile"}},
            )
            for kwargs in options:
                method = "GET" if len(kwargs) == 1 else "POST"
                url = f"{server.url}/u/jt?x=1"
                if direct:
                    response = await http.check(method, url, **kwargs)
                else:
                    response = await http.request(method, url, follow_redirects=False, **kwargs)
                got.append((response.status_code, response.content, response.headers.multi_items()))
        return got

    requests: list[bytes] = []

    async def go() -> list[tuple[int, bytes, list[Any]]]:
        async with Loopback(answer) as server, Http(FAST) as http:
            result = await call(http, server)
            requests.extend(server.requests)
            return result

    got = asyncio.run(go())
    assert requests[:3] == requests[3:]  # direct, then through httpx's pools: same bytes
    assert got[:3] == got[3:]
    status, content, headers = got[0]
    assert (status, content) == (404, page)
    assert ("x-extra", "1") in headers
    assert ("content-type", "text/html; charset=utf-8") in headers
    assert b"user=jt&view=profile" in requests[2]
    assert b'{"username":"jt"}' in requests[1]


def test_a_hosts_idle_connection_is_reused() -> None:
    async def call(http: Http, server: Loopback) -> list[int]:
        statuses = [(await direct_get(http, f"{server.url}/{n}")).status_code for n in range(3)]
        return [*statuses, server.accepted]

    assert served(lambda head, body: reply(200, b"ok"), call) == [200, 200, 200, 1]


def test_a_connection_the_server_closed_is_replaced() -> None:
    async def call(http: Http, server: Loopback) -> list[int]:
        first = await direct_get(http, f"{server.url}/a")
        await asyncio.sleep(0.05)  # the server's close arrives while the connection is idle
        second = await direct_get(http, f"{server.url}/b")
        return [first.status_code, second.status_code, server.accepted]

    assert served(lambda head, body: reply(200, b"ok"), call, close_after=True) == [200, 200, 2]


def test_connection_close_is_honoured() -> None:
    async def call(http: Http, server: Loopback) -> list[int]:
        for n in range(2):
            await direct_get(http, f"{server.url}/{n}")
        return [server.accepted, len(server.requests)]

    def answer(head: bytes, body: bytes) -> bytes:
        return reply(200, b"bye", "Connection: close")

    assert served(answer, call) == [2, 2]


def test_direct_bodies_are_decoded_chunked_and_large() -> None:
    big = bytes(range(256)) * 2400  # 600 KB: more than one socket read, flow control

    def answer(head: bytes, body: bytes) -> bytes:
        if b"/gzip" in head:
            return reply(200, gzip.compress(b"packed text"), "Content-Encoding: gzip")
        if b"/chunked" in head:
            chunks = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
            return reply(200, chunks, "Transfer-Encoding: chunked", length=False)
        return reply(200, big)

    async def call(http: Http, server: Loopback) -> list[bytes]:
        paths = ("/gzip", "/chunked", "/big")
        responses = [await direct_get(http, server.url + path) for path in paths]
        assert "content-encoding" not in responses[0].headers
        return [r.content for r in responses]

    assert served(answer, call) == [b"packed text", b"hello world", big]


@pytest.mark.parametrize("path", ["/declared", "/chunked"])
def test_direct_bodies_past_the_cap_are_refused(path: str) -> None:
    def answer(head: bytes, body: bytes) -> bytes:
        if b"/declared" in head:
            return reply(200, b"x" * 100)
        chunk = b"40\r\n" + b"x" * 64 + b"\r\n"
        return reply(200, chunk * 4 + b"0\r\n\r\n", "Transfer-Encoding: chunked", length=False)

    async def go() -> list[SentRequest]:
        async with Loopback(answer) as server, Http(replace(FAST, max_bytes=50)) as http:
            with pytest.raises(ResponseTooLarge, match="larger than 50 bytes"):
                await direct_get(http, server.url + path)
            return http.sent

    assert [(s.method, s.status) for s in asyncio.run(go())] == [("GET", None)]


def test_a_redirect_comes_back_as_it_came_on_a_direct_request() -> None:
    def answer(head: bytes, body: bytes) -> bytes:
        return reply(302, b"Object moved", "Location: /elsewhere")

    async def call(http: Http, server: Loopback) -> tuple[int, str, int]:
        response = await direct_get(http, f"{server.url}/old")
        return response.status_code, response.headers["location"], len(server.requests)

    assert served(answer, call) == (302, "/elsewhere", 1)


def test_direct_failures_are_source_unavailable_as_through_the_client() -> None:
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    closed_port = free.getsockname()[1]
    free.close()  # nothing listens there now

    def answer(head: bytes, body: bytes) -> bytes | None:
        return None if b"/hang" in head else b""  # b"": close without a word

    async def go() -> list[str]:
        reasons = []
        settings = replace(FAST, timeout=0.3, connect_timeout=0.3, attempts=1)
        async with Loopback(answer, close_after=True) as server, Http(settings) as http:
            for url in (
                f"http://127.0.0.1:{closed_port}/",
                f"{server.url}/hang",
                f"{server.url}/silent",
            ):
                for direct in (True, False):
                    try:
                        if direct:
                            await http.check("GET", url)
                        else:
                            await http.request("GET", url, follow_redirects=False)
                    except SourceUnavailable as exc:
                        reasons.append(str(exc).split(" (")[0])
        return reasons

    refused, timed_out = "127.0.0.1: could not connect", "127.0.0.1: timed out"
    silent = "127.0.0.1: network error"
    assert asyncio.run(go()) == [refused, refused, timed_out, timed_out, silent, silent]


def test_https_direct_requests_verify_the_certificate(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(reply(200, b"secret page"))
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    async def go() -> tuple[bytes, str]:
        server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
        url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
        try:
            async with Http(on_path(ca_bundle=cert)) as trusting:
                page = (await direct_get(trusting, url)).content
            async with Http(FAST) as default:
                with pytest.raises(SourceUnavailable) as caught:
                    await direct_get(default, url)
            return page, str(caught.value)
        finally:
            server.close()

    page, refusal = asyncio.run(go())
    assert page == b"secret page"
    assert refusal == "127.0.0.1: TLS certificate could not be verified (try --ca-bundle)"


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, signed by itself, and its key (PEM files)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now.replace(year=now.year - 1))
        .not_valid_after(now.replace(year=now.year + 1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_idle_connections_past_the_cap_are_closed_oldest_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("scanner.http.idle_limit", lambda: 2)

    def answer(head: bytes, body: bytes) -> bytes:
        return reply(200, b"ok")

    async def go() -> list[int]:
        async with (
            Loopback(answer) as a,
            Loopback(answer) as b,
            Loopback(answer) as c,
            Http(FAST) as http,
        ):
            for server in (a, b, c):
                await direct_get(http, server.url)
            await asyncio.sleep(0.05)
            closed = [a.closed, b.closed, c.closed]
            await direct_get(http, b.url)  # still idle: reused
            return [*closed, b.accepted]

    assert asyncio.run(go()) == [1, 0, 0, 1]


def test_no_direct_connections_through_a_proxy_or_a_stand_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def direct(http: Http) -> bool:
        return isinstance(http._check_bottom, DirectTransport)

    assert direct(Http(FAST))
    assert not direct(Http(on_path(proxy="http://proxy.example:3128")))
    assert not direct(mock_http(lambda r: response(200)))
    monkeypatch.setenv("HTTPS_PROXY", "http://envproxy.example:8080")
    assert not direct(Http(FAST))


def test_a_direct_request_with_a_stand_in_goes_to_the_stand_in() -> None:
    script = Script(response(200, "from the transport"))
    http = mock_http(script)
    result = run(http, lambda h: direct_get(h, "https://site.example/u/jt"))
    assert (result.text, script.calls) == ("from the transport", 1)


def test_direct_connections_use_an_asyncio_lock_and_a_bounded_idle_store() -> None:
    # httpcore's own (anyio) lock yields to the event loop on every acquire; if httpcore
    # renamed the attribute our asyncio.Lock replaces, this would say so.
    connection = scanner.http_direct.DirectConnection(
        httpcore.Origin(b"http", b"127.0.0.1", 80), httpcore.AsyncNetworkStream(), 5.0
    )
    assert isinstance(connection._state_lock, asyncio.Lock)
    assert 32 <= scanner.http_direct.idle_limit() <= 4096
