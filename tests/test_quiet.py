"""Never loud: no source ever touches a login, sign-up, password-reset or recovery endpoint.

A full scan of every registered source runs through a recording transport (answering from
the demo world, then from a world where everything is missing) and every request made is
checked: method, path, query and body.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from scanner.http import Http
from scanner.pipeline import run_scan
from scanner.profile import load_profile
from scanner.quiet import LOUD, looks_loud
from scanner.replay import ReplayTransport
from scanner.sites.catalogue import load_catalogue
from scanner.sources import all_sources
from tests.support import REPLAY, ROOT


class Recording(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)


def scan_through(inner: httpx.AsyncBaseTransport) -> list[httpx.Request]:
    profile = load_profile(ROOT / "sample_profiles" / "jordan_testwell.toml")
    recording = Recording(inner)

    async def scan() -> None:
        async with Http(REPLAY, transport=recording) as http:
            # the demo world's site list: account discovery's checks are checked too
            site_list = load_catalogue(ROOT / "demo_world" / "sites.json")
            await run_scan(profile, all_sources(site_list), http)

    asyncio.run(scan())
    return recording.requests


def loud_parts(request: httpx.Request) -> list[str]:
    body = request.content.decode("utf-8", errors="replace")
    places = {"path": request.url.path, "query": str(request.url.query), "body": body}
    return [f"{where}: {text}" for where, text in places.items() if LOUD.search(text)]


@pytest.mark.parametrize("world", ["demo", "nothing found"])
def test_a_full_scan_makes_only_quiet_read_only_requests(
    world: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIBP_API_KEY", "test-key-not-real")  # so every source sends
    inner: httpx.AsyncBaseTransport
    if world == "demo":
        inner = ReplayTransport(ROOT / "demo_world")
    else:
        inner = httpx.MockTransport(lambda request: httpx.Response(404))
    requests = scan_through(inner)
    assert requests, "the scan sent nothing: the check below would prove nothing"
    hosts = {request.url.host for request in requests}
    assert {"haveibeenpwned.com", "api.xposedornot.com", "keys.openpgp.org"} <= hosts
    if world == "demo":  # leads followed: their lookups are checked too
        assert {"mastodon.example", "rdap.registry.example", "data.iana.org"} <= hosts
    assert "garden-forum.example.com" in hosts  # account discovery ran
    assert "www.signup-check.example.com" not in hosts  # its sign-up check was never sent
    for request in requests:
        assert request.method == "GET", f"{request.method} {request.url}"
        assert not loud_parts(request), f"loud request {request.url}: {loud_parts(request)}"


def test_the_check_itself_catches_loud_requests() -> None:
    loud = httpx.Request("POST", "https://example.com/api/password_reset", data={"e": "x"})
    assert loud_parts(loud)
    quiet = httpx.Request("GET", "https://api.github.com/users/jtestwell/gpg_keys")
    assert not loud_parts(quiet)


def test_looks_loud_names_the_account_flow_word() -> None:
    assert looks_loud("/api/v1/users/jt", "", '{"username":"jt"}') == ""
    assert looks_loud("/users/jt", "next=/login") == "login"
    assert looks_loud("/api/users", "", "", "/accounts/password/reset") == "password"


@pytest.mark.parametrize(
    "part",
    [
        "/i/users/username_available.json",
        "/api/v9/unique-username/username-attempt-unauthed",
        "/wp-json/wporg/v1/username-available/jt",
        "/validate_username",
        "/check_username",
        "/v1/usernames/validate",
        "/api/validation/username",
        "/check_availability",
        "login.wordpress.org",
        "auth.roblox.com",
        "/api/auth/user",
    ],
)
def test_username_availability_and_auth_hosts_are_loud(part: str) -> None:
    assert looks_loud(part)


@pytest.mark.parametrize(
    "part",
    ["/users/jtestwell", "/api/v1/accounts/lookup", "author.example.com", "/authors/jt", "/@jt"],
)
def test_profile_paths_are_quiet(part: str) -> None:
    assert looks_loud(part) == ""


def test_the_wayback_availability_api_is_not_an_account_flow() -> None:
    assert looks_loud("archive.org", "/wayback/available", "url=https://site.example/jt") == ""
    assert looks_loud("/graphql?operationName=NickAvailability") == "NickAvailab"
