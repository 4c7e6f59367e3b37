"""Sherlock's and Maigret's rules in the verdict engine: scenario tables over fictional
entries in their shape (always) and over entries of the real files (when ../shared is
present), through scanner.http.Http with a mock transport."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest

from scanner.sites import check
from scanner.sites.catalogue import Site
from scanner.sites.check import NOT_ALLOWED, SiteResult, Verdict, check_sites, plan_request
from scanner.sites.formats import read_maigret, read_sherlock
from tests.support import PAGES, mock_http, page, shared_file

NAME = "averysample"
Answer = Callable[[httpx.Request, bool], httpx.Response]
CF = {"Server": "cloudflare", "cf-mitigated": "challenge"}


def sherlock(name: str) -> Site:
    sites = read_sherlock(page("sites/sherlock-shape.json"), "fixture").sites
    return next(site for site in sites if site.name == name)


def maigret(name: str) -> Site:
    sites = read_maigret(page("sites/maigret-shape.json"), "fixture").sites
    return next(site for site in sites if site.name == name)


def quiet_maigret(name: str) -> Site:
    """The entry without its headers (the note on a dropped header is tested below)."""
    return replace(maigret(name), headers=())


def wall(name: str) -> str:
    return (PAGES / "walls" / name).read_text(encoding="utf-8")


def run(
    sites: list[Site], answer: Answer, username: str = NAME, **options: Any
) -> tuple[list[SiteResult], list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return answer(request, username in str(request.url))

    async def go() -> list[SiteResult]:
        async with mock_http(handler) as http:
            return await check_sites(sites, username, http, **options)

    return asyncio.run(go()), sent


def real_or(found: httpx.Response, missing: httpx.Response) -> Answer:
    """`found` for the username looked up, `missing` for any other (the control name)."""
    return lambda request, real: found if real else missing


def always(status: int, text: str = "", headers: dict[str, str] | None = None) -> Answer:
    return lambda request, real: httpx.Response(status, headers=headers, text=text)


def moved(request: httpx.Request, real: bool) -> httpx.Response:
    return httpx.Response(302, headers={"Location": "https://elsewhere.example.com/"})


OK = httpx.Response(200, text="<html>a profile</html>")
GONE = httpx.Response(404, text="<html>not here</html>")
SHERLOCK_MISSING = "Sorry, nobody here goes by that name."
MAIGRET_FOUND = httpx.Response(200, text='{"username": "averysample"}')

# (id, site, answer, verdict, reason, judged status, unreliable, requests sent)
Row = tuple[str, Site, Answer, Verdict, str, int | None, bool, int]
SHERLOCK: list[Row] = [
    ("status found", sherlock("Example Status"), real_or(OK, GONE),
     Verdict.FOUND, "status 200", 200, False, 2),
    ("status missing by code", sherlock("Example Status"), always(404),
     Verdict.NOT_FOUND, "status 404", 404, False, 1),
    ("errorCode missing", sherlock("Example Probe"), always(204),
     Verdict.NOT_FOUND, "status 204, the list's missing status", 204, False, 1),
    ("status redirect", sherlock("Example Status"), moved,
     Verdict.UNKNOWN, "status 302: a redirect, not followed, so it cannot tell", 302, False, 1),
    ("status 5xx", sherlock("Example Status"), always(503, "down"),
     Verdict.UNKNOWN, "status 503: a server error", 503, False, 1),
    ("message found", sherlock("Example Message"),
     real_or(OK, httpx.Response(200, text=SHERLOCK_MISSING)),
     Verdict.FOUND, "status 200 without the missing text", 200, False, 2),
    ("message missing by string", sherlock("Example Message"),
     always(200, f"<p>{SHERLOCK_MISSING}</p>"),
     Verdict.NOT_FOUND, "status 200 and the missing text", 200, False, 1),
    ("message second string", sherlock("Example Message"),
     always(404, "<title>Page gone</title>"),
     Verdict.NOT_FOUND, "status 404 and the missing text", 404, False, 1),
    ("message 404 without the string", sherlock("Example Message"), always(404, "x"),
     Verdict.UNKNOWN, "status 404 without the missing text", 404, False, 1),
    ("message redirect", sherlock("Example Message"), moved,
     Verdict.UNKNOWN, "status 302: a redirect, not followed, so it cannot tell", 302, False, 1),
    ("response_url found", sherlock("Example Redirect"), real_or(OK, GONE),
     Verdict.FOUND, "status 200", 200, False, 2),
    ("response_url redirect is missing", sherlock("Example Redirect"), moved,
     Verdict.NOT_FOUND, "status 302: redirected, the list's sign of no account", 302, False, 1),
    ("wall page", sherlock("Example Status"),
     always(403, wall("cloudflare-challenge.html"), CF),
     Verdict.BLOCKED, "Cloudflare challenge", 403, False, 1),
    ("captcha at 200", sherlock("Example Status"), always(200, wall("hcaptcha.html")),
     Verdict.BLOCKED, "captcha wall (hCaptcha)", 200, False, 1),
    ("429", sherlock("Example Message"), always(429, "slow down"),
     Verdict.BLOCKED, "rate limited (HTTP 429)", 429, False, 1),
    ("says yes to everyone", sherlock("Example Status"), always(200, "<html>hi</html>"),
     Verdict.UNKNOWN, "the site says every name exists", 200, True, 2),
]  # fmt: skip

BOARD_MEMBER = httpx.Response(403, text="<p>You must be logged in to do that.</p>")
BOARD_NONE = httpx.Response(200, text="<p>The specified member cannot be found.</p>")
MAIGRET: list[Row] = [
    ("message found", quiet_maigret("Example Message"),
     real_or(MAIGRET_FOUND, httpx.Response(404, text="User not found")),
     Verdict.FOUND, "status 200 and the profile text", 200, False, 2),
    ("message missing by absence", quiet_maigret("Example Message"),
     always(200, '{"username": "x", "error": "User not found"}'),
     Verdict.NOT_FOUND, "status 200 and the missing text", 200, False, 1),
    ("message without the presence text", quiet_maigret("Example Message"), always(200, "{}"),
     Verdict.NOT_FOUND, "status 200 without the profile text", 200, False, 1),
    ("message error text", quiet_maigret("Example Message"),
     always(200, "Too many requests from your address"),
     Verdict.UNKNOWN, "the site could not answer: Rate limited", 200, False, 1),
    ("message redirect", quiet_maigret("Example Message"), moved,
     Verdict.UNKNOWN, "status 302: a redirect, not followed, so it cannot tell", 302, False, 1),
    ("engine: a 403 read by the rule", maigret("Example Board"), real_or(BOARD_MEMBER, BOARD_NONE),
     Verdict.FOUND, "status 403 and the profile text", 403, False, 2),
    ("engine: the engine's absence text", maigret("Example Board"), always(200, BOARD_NONE.text),
     Verdict.NOT_FOUND, "status 200 and the missing text", 200, False, 1),
    ("engine: the engine's error text", maigret("Example Board"), always(200, "Board maintenance"),
     Verdict.UNKNOWN, "the site could not answer: Maintenance", 200, False, 1),
    ("engine: a wall even with ignore403", maigret("Example Board"),
     always(403, wall("cloudflare-challenge.html"), CF),
     Verdict.BLOCKED, "Cloudflare challenge", 403, False, 1),
    ("absence only: found", maigret("Example Absence Only"),
     real_or(OK, httpx.Response(200, text="Diese Seite gibt es nicht")),
     Verdict.FOUND, "status 200 without the missing text", 200, False, 2),
    ("absence only: missing", maigret("Example Absence Only"),
     always(200, "Diese Seite gibt es nicht"),
     Verdict.NOT_FOUND, "status 200 and the missing text", 200, False, 1),
    ("status found", maigret("Example Status"), real_or(OK, GONE),
     Verdict.FOUND, "status 200", 200, False, 2),
    ("status missing", maigret("Example Status"), always(404),
     Verdict.NOT_FOUND, "status 404", 404, False, 1),
    ("status plain 403", maigret("Example Guarded"), always(403, "<p>Forbidden</p>"),
     Verdict.BLOCKED, "refused (HTTP 403)", 403, False, 1),
    ("response_url found", maigret("Example Move"), real_or(OK, GONE),
     Verdict.FOUND, "status 200", 200, False, 2),
    ("response_url redirect", maigret("Example Move"), moved,
     Verdict.NOT_FOUND, "status 302: redirected, the list's sign of no account", 302, False, 1),
    ("429", maigret("Example Status"), always(429),
     Verdict.BLOCKED, "rate limited (HTTP 429)", 429, False, 1),
    ("says yes to everyone", quiet_maigret("Example Message"), always(200, MAIGRET_FOUND.text),
     Verdict.UNKNOWN, "the site says every name exists", 200, True, 2),
]  # fmt: skip


@pytest.mark.parametrize(
    ("site_", "answer", "verdict", "reason", "status", "unreliable", "requests"),
    [pytest.param(*row[1:], id=f"sherlock {row[0]}") for row in SHERLOCK]
    + [pytest.param(*row[1:], id=f"maigret {row[0]}") for row in MAIGRET],
)
def test_scenarios(
    site_: Site,
    answer: Answer,
    verdict: Verdict,
    reason: str,
    status: int | None,
    unreliable: bool,
    requests: int,
) -> None:
    (result,), sent = run([site_], answer)
    assert (result.verdict, result.reason, result.status, result.unreliable) == (
        verdict,
        reason,
        status,
        unreliable,
    )
    assert len(sent) == requests
    assert {r.method for r in sent} == {"GET"}
    assert str(sent[0].url) == site_.uri_check.replace("{account}", NAME)
    assert result.url == site_.profile_url(NAME)


@pytest.mark.parametrize("site_", [sherlock("Example Message"), maigret("Example Message")])
def test_timeout_is_unknown(site_: Site) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return OK

    async def go() -> list[SiteResult]:
        async with mock_http(slow) as http:  # type: ignore[arg-type]
            return await check_sites([site_], NAME, http, timeout=0.1)

    began = time.monotonic()
    (result,) = asyncio.run(go())
    assert time.monotonic() - began < 2
    assert (result.verdict, result.reason) == (Verdict.UNKNOWN, "no answer within 0.1 s")


@pytest.mark.parametrize(
    ("site_", "reason"),
    [
        (sherlock("Example Graph"), "a POST request, not a read-only GET (Sherlock); not sent"),
        (maigret("Example Query"), "a POST request, not a read-only GET (Maigret); not sent"),
        (maigret("Example Challenged"), "needs a JavaScript challenge (Cloudflare)"),
        (maigret("Example Token"), "needs a token from another request first"),
        (sherlock("Example Availability"), 'looks like an account flow ("/availability")'),
    ],
)
def test_what_the_engine_cannot_do_safely_is_skipped_and_never_sent(
    site_: Site, reason: str
) -> None:
    (result,), sent = run([site_], always(200))
    assert sent == []
    assert result.verdict is Verdict.SKIPPED
    assert reason in result.reason


def test_a_username_the_sites_regex_refuses_is_skipped() -> None:
    strict = sherlock("Example Strict")  # ^[a-z0-9]{3,12}$
    (result,), sent = run([strict], always(200), "Avery_Sample")
    assert (result.verdict, result.reason, sent) == (Verdict.SKIPPED, NOT_ALLOWED, [])
    (result,), sent = run([strict], real_or(OK, GONE), "avery")
    assert result.verdict is Verdict.FOUND
    assert plan_request(strict, "ab").skip == NOT_ALLOWED  # too short
    unanchored = replace(strict, regex="[a-z]{3}")  # re.search, as the lists do
    assert plan_request(unanchored, "a.bcd").skip == ""
    assert plan_request(unanchored, "a.b1").skip == NOT_ALLOWED


def test_the_control_name_is_fitted_to_the_sites_regex() -> None:
    short = replace(sherlock("Example Strict"), regex="^[a-z]{3,10}$")  # letters only, <= 10
    (result,), sent = run([short], always(200, "<html>anyone</html>"), "avery")
    assert (result.verdict, result.unreliable) == (Verdict.UNKNOWN, True)
    control = sent[1].url.path.removeprefix("/")
    assert len(control) == 8
    assert control.isalpha()
    assert check.control_for(short, "a" * 24) == "a" * 8
    impossible = replace(short, regex="^x$")
    assert check.control_for(impossible, "a" * 24) == "a" * 24  # skipped: the hit says so


def test_cookie_and_authorization_headers_of_the_lists_are_not_sent() -> None:
    (result,), sent = run([sherlock("Example Headers")], always(404, "x"))
    assert "cookie" not in sent[0].headers
    assert sent[0].headers["accept-language"] == "en-US,en;q=0.9"
    assert result.reason.endswith("the catalogue's Cookie header was not sent")
    (result,), sent = run([maigret("Example Message")], always(200, "User not found"))
    assert "authorization" not in sent[0].headers
    assert sent[0].headers["accept"] == "application/json"
    assert result.reason.endswith("the catalogue's authorization header was not sent")


# --- entries of the real files -------------------------------------------------------


def found_answer(site: Site) -> httpx.Response:
    text = site.presence[0] if site.presence else "<html>a profile</html>"
    return httpx.Response(200, text=f"<html>{text}</html>")


def missing_answer(site: Site) -> httpx.Response:
    if site.check == "response_url":
        return httpx.Response(302, headers={"Location": "https://elsewhere.example.com/"})
    if site.check == "message":
        return httpx.Response(200, text=f"<html>{site.absence[0] if site.absence else ''}</html>")
    return httpx.Response(site.missing_codes[0] if site.missing_codes else 404)


def real_entries(sites: tuple[Site, ...], wanted: dict[str, str]) -> list[Site]:
    """The entries named, each checked to have the rule the table says ("skipped": any)."""
    chosen = [site for site in sites if site.name in wanted]
    assert {site.name for site in chosen} == set(wanted)
    for site in chosen:
        assert wanted[site.name] in (site.check, "skipped"), site.name
    return chosen


def check_real(chosen: list[Site], skipped: dict[str, str]) -> None:
    by_host = {httpx.URL(s.uri_check.replace("{account}", "x")).host: s for s in chosen}
    assert len(by_host) == len(chosen)
    for username, verdict in (("avery", Verdict.FOUND), ("nobody", Verdict.NOT_FOUND)):

        def answer(request: httpx.Request, real: bool, username: str = username) -> httpx.Response:
            site = by_host[request.url.host]
            return found_answer(site) if real and username == "avery" else missing_answer(site)

        results, sent = run(chosen, answer, username)
        for result in results:
            if result.site.name in skipped:
                assert result.verdict is Verdict.SKIPPED
                assert skipped[result.site.name] in result.reason
            else:
                assert result.verdict is verdict, (result.site.name, result.reason)
        asked = {h for h, s in by_host.items() if s.name not in skipped}
        assert {r.url.host for r in sent} == asked
        assert all("cookie" not in r.headers and "authorization" not in r.headers for r in sent)
    # a site that answers "found" to every name is caught by the control check
    everyone, _ = run(
        [s for s in chosen if s.name not in skipped],
        lambda r, real: found_answer(by_host[r.url.host]),
        "avery",
    )
    assert all(r.unreliable and r.verdict is Verdict.UNKNOWN for r in everyone)


def test_real_sherlock_entries() -> None:
    data = json.loads(shared_file("sherlock/data.json").read_text(encoding="utf-8"))
    wanted = {
        "GitHub": "status_code",  # with a regexCheck
        "Docker Hub": "status_code",  # urlProbe: an API
        "Slides": "status_code",  # errorCode 204
        "GitLab": "message",  # errorMsg "[]" on the API
        "Reddit": "message",  # its own accept-language header
        "LibraryThing": "message",  # a Cookie header: dropped
        "devRant": "response_url",
        "Anilist": "skipped",  # a GraphQL POST
        "Chess": "skipped",  # /callback/user/valid: a sign-up check
        "omg.lol": "skipped",  # /availability
        "dailykos": "skipped",  # signup/check_nickname
    }
    chosen = real_entries(read_sherlock(data, "data.json").sites, wanted)
    check_real(
        chosen,
        {
            "Anilist": "POST",
            "Chess": "/user/valid",
            "omg.lol": "availability",
            "dailykos": "signup",
        },
    )


def test_real_maigret_entries() -> None:
    data = json.loads(shared_file("maigret/data.json").read_text(encoding="utf-8"))
    wanted = {
        "xenforo.com": "message",  # the XenForo engine
        "GitHub": "status_code",  # urlProbe, regexCheck
        "Reddit": "message",  # presence and absence texts; ip_reputation: still asked
        "Codechef": "response_url",
        "WordPressOrg": "response_url",
        "rationalwiki.org": "status_code",  # a Cookie header: dropped
        "Quora": "skipped",  # cf_js_challenge
        "Twitter": "skipped",  # activation: a guest token first
    }
    chosen = real_entries(read_maigret(data, "data.json").sites, wanted)
    check_real(chosen, {"Quora": "JavaScript challenge", "Twitter": "token"})
