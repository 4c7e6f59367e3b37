"""Site checks with no network: the first failed name look-ups stop the run at once.

Offline means every name look-up fails. Here that is a stand-in transport raising what
httpx raises then (ConnectError from socket.gaierror), or, over the direct connections
site checks use on the network, socket.getaddrinfo failing as an offline resolver does.
Nothing leaves the machine: the conftest guard stays on underneath.
"""

from __future__ import annotations

import asyncio
import errno
import json
import socket
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from scanner.cli import main
from scanner.http import Http
from scanner.http_direct import DirectTransport
from scanner.models import Profile, RunStatus, ScanResult
from scanner.pipeline import run_scan
from scanner.sites.catalogue import Catalogue, Site
from scanner.sites.check import (
    OFFLINE_AFTER,
    NoNetwork,
    SiteResult,
    Verdict,
    check_sites,
    offline_reason,
)
from scanner.sources.accounts import AccountsSource
from tests.support import FAST, mock_http

NAME = "avery_sample"
LOOKUP_FAILS = socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
Handler = Callable[[httpx.Request], Awaitable[httpx.Response]]


def sites(count: int, host: str = "site{i}.example.com") -> list[Site]:
    return [
        Site(
            name=f"Site {i}",
            uri_check=f"https://{host.format(i=i)}/u/{{account}}",
            e_code=200,
            e_string="profile-card",
            m_code=404,
            m_string="",
            cat="social",
        )
        for i in range(count)
    ]


def offline(cause: OSError = LOOKUP_FAILS) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(str(cause), request=request) from cause

    return answer


def run(
    checked: list[Site], handler: Callable[[httpx.Request], Any]
) -> tuple[list[SiteResult] | NoNetwork, int, float]:
    """The results (or the NoNetwork raised), how many requests were sent, and seconds."""

    async def go() -> tuple[list[SiteResult] | NoNetwork, int]:
        async with mock_http(handler) as http:
            try:
                results: list[SiteResult] | NoNetwork = await check_sites(
                    checked, NAME, http, concurrency=8
                )
            except NoNetwork as exc:
                results = exc
            return results, len(http.sent)

    started = time.monotonic()
    outcome, sent = asyncio.run(go())
    return outcome, sent, time.monotonic() - started


def test_no_name_resolves_stops_the_run_at_once() -> None:
    outcome, sent, took = run(sites(400), offline())
    assert isinstance(outcome, NoNetwork)
    assert str(outcome) == "no network (name lookups fail)"
    assert OFFLINE_AFTER <= sent < 40  # the first checks and those already in flight
    assert took < 5.0


def test_an_unreachable_network_stops_it_too() -> None:
    unreachable = OSError(errno.ENETUNREACH, "Network is unreachable")
    outcome, sent, _ = run(sites(400), offline(unreachable))
    assert isinstance(outcome, NoNetwork)
    assert str(outcome) == "no network (network unreachable)"
    assert sent < 40


def test_fewer_failed_hosts_than_the_threshold_are_each_sites_could_not_tell() -> None:
    outcome, sent, _ = run(sites(OFFLINE_AFTER - 1), offline())
    assert isinstance(outcome, list)
    assert [r.verdict for r in outcome] == [Verdict.UNKNOWN] * (OFFLINE_AFTER - 1)
    assert "Temporary failure in name resolution" in outcome[0].reason
    assert sent == OFFLINE_AFTER - 1


def test_hosts_are_counted_once() -> None:
    outcome, sent, _ = run(sites(20, host="one.example.com/{i}"), offline())
    assert isinstance(outcome, list)
    assert len(outcome) == sent == 20
    assert {r.verdict for r in outcome} == {Verdict.UNKNOWN}


def test_a_failed_look_up_among_working_sites_is_that_sites_could_not_tell() -> None:
    dead = {f"site{i}.example.com" for i in range(1, 12)}  # more than the threshold

    async def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host in dead:
            await asyncio.sleep(0.05)  # after the first site has answered
            return offline()(request)
        return httpx.Response(404, text="no such user")

    outcome, sent, _ = run(sites(20), answer)
    assert isinstance(outcome, list)
    assert sent == 20
    verdicts = [r.verdict for r in outcome]
    assert verdicts.count(Verdict.NOT_FOUND) == 9
    assert verdicts.count(Verdict.UNKNOWN) == 11


def test_other_failures_show_names_resolve() -> None:
    refused = ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "site0.example.com":
            return offline(refused)(request)
        return offline()(request)

    async def go() -> list[SiteResult]:
        async with mock_http(answer) as http:
            return await check_sites(sites(30), NAME, http, concurrency=1)

    results = asyncio.run(go())  # the refusal came first: a resolved name, so no NoNetwork
    assert {r.verdict for r in results} == {Verdict.UNKNOWN}


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (LOOKUP_FAILS, "name lookups fail"),
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "name lookups fail"),
        (OSError(errno.ENETUNREACH, "Network is unreachable"), "network unreachable"),
        (OSError(errno.ECONNREFUSED, "Connection refused"), ""),
        (TimeoutError(), ""),
        (ValueError("gaierror"), ""),  # the word alone is not the error
    ],
)
def test_offline_reason_walks_the_chain(error: BaseException, reason: str) -> None:
    middle = httpx.ConnectError("could not connect")
    middle.__cause__ = error
    outer = RuntimeError("wrapped")
    outer.__context__ = middle
    assert offline_reason(outer) == reason
    assert offline_reason(error) == reason


def test_over_direct_connections_when_the_resolver_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def resolver_down(host: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append(str(host))
        raise LOOKUP_FAILS

    monkeypatch.setattr(socket, "getaddrinfo", resolver_down)

    async def go() -> NoNetwork | None:
        async with Http(FAST) as http:
            assert isinstance(http._check_bottom, DirectTransport)  # the network, no proxy
            try:
                await check_sites(sites(300), NAME, http, concurrency=8)
            except NoNetwork as exc:
                return exc
            return None

    started = time.monotonic()
    outcome = asyncio.run(go())
    assert isinstance(outcome, NoNetwork)
    assert str(outcome) == "no network (name lookups fail)"
    assert time.monotonic() - started < 5.0
    assert OFFLINE_AFTER <= len(set(asked)) < 40


def test_the_accounts_source_could_not_check_in_a_scan() -> None:
    profile = Profile(names=("Avery Sample",), handles=(NAME,))
    source = AccountsSource(Catalogue(tuple(sites(400)), "test"))

    async def go() -> ScanResult:
        async with mock_http(offline()) as http:
            return await run_scan(profile, [source], http, source_timeout=60.0)

    started = time.monotonic()
    result = asyncio.run(go())
    assert time.monotonic() - started < 5.0
    (run_,) = [r for r in result.runs if r.name == "accounts"]
    assert run_.status is RunStatus.ERROR
    assert run_.reason == "no network (name lookups fail)"


def test_the_usernames_command_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = [
        {
            "name": site.name,
            "uri_check": site.uri_check,
            "e_code": 200,
            "e_string": "profile-card",
            "m_code": 404,
            "m_string": "",
            "cat": "social",
            "known": ["averysample"],
        }
        for site in sites(40)
    ]
    catalogue = tmp_path / "sites.json"
    catalogue.write_text(json.dumps({"sites": listed}), encoding="utf-8")

    def resolver_down(host: Any, *args: Any, **kwargs: Any) -> Any:
        raise LOOKUP_FAILS

    monkeypatch.setattr(socket, "getaddrinfo", resolver_down)
    assert main(["usernames", NAME, "--sites", str(catalogue), "--quiet"]) == 1
    assert capsys.readouterr().err == (
        "exposure-audit: could not check: no network (name lookups fail)\n"
    )
