"""The HTTP stack's boundaries (issue 16): redirects stay on the API's host, a key goes
only to its own host over HTTPS, and a host that said 429 is not asked again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from scanner.errors import Blocked, SourceUnavailable
from scanner.http import ApiKey
from tests.support import mock_http

KEY = ApiKey("hibp-api-key", "s3cret-fictional", "api.example.com")


def send(
    handler: Callable[[httpx.Request], httpx.Response], url: str, key: ApiKey | None = None
) -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    async def go() -> None:
        async with mock_http(record) as http:
            await http.get(url, key=key)

    asyncio.run(go())
    return seen


def test_a_redirect_to_another_host_is_not_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.example.com":
            return httpx.Response(302, headers={"Location": "https://elsewhere.example.net/x"})
        return httpx.Response(404)

    with pytest.raises(SourceUnavailable, match="another host"):
        send(handler, "https://api.example.com/user")


def test_the_key_goes_only_to_its_own_host_over_https() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={})

    (request,) = send(handler, "https://api.example.com/breaches", KEY)
    assert request.headers["hibp-api-key"] == "s3cret-fictional"
    for url in ("http://api.example.com/breaches", "https://other.example.org/breaches"):
        with pytest.raises(SourceUnavailable, match="nothing was sent"):
            send(handler, url, KEY)


def test_a_host_that_said_429_is_not_asked_again_in_the_scan() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(429)

    async def go() -> None:
        async with mock_http(handler) as http:
            first = await http.get("https://api.example.com/a")
            assert first.status_code == 429
            asked = len(seen)
            with pytest.raises(Blocked, match="429"):
                await http.get("https://api.example.com/b")
            assert len(seen) == asked  # nothing more was sent

    asyncio.run(go())
