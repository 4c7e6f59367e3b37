"""The verdict engine against mock sites: verdicts, what is sent, what is never sent."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest

from scanner.http import Http
from scanner.http_direct import DirectTransport
from scanner.sites import check
from scanner.sites.catalogue import Site, parse_catalogue
from scanner.sites.check import BAD_CHARACTERS, SiteResult, Verdict, check_sites, plan_request
from tests.support import FAST, PAGES, mock_http, shared_file

NAME = "avery_sample"
PROFILE = '<html><div class="profile-card">Avery Sample</div></html>'
MISSING = "<html><p>No such user</p></html>"
CF = {"Server": "cloudflare", "cf-mitigated": "challenge"}

Answer = Callable[[httpx.Request, bool], httpx.Response]


def site(**fields: Any) -> Site:
    base: dict[str, Any] = {
        "name": "Profiles Example",
        "uri_check": "https://profiles.example.com/u/{account}",
        "e_code": 200,
        "e_string": 'class="profile-card"',
        "m_code": 404,
        "m_string": "No such user",
        "cat": "social",
        "known": ("jordan",),
    }
    base.update(fields)
    return Site(**base)


def wall(name: str) -> str:
    return (PAGES / "walls" / name).read_text(encoding="utf-8")


def asks_for(request: httpx.Request, name: str) -> bool:
    return (
        name in request.url.path
        or name in request.url.query.decode()
        or (name.encode() in request.content)
    )


def run(
    sites: list[Site],
    answer: Answer | Callable[[httpx.Request, bool], Awaitable[httpx.Response]],
    username: str = NAME,
    **options: Any,
) -> tuple[list[SiteResult], list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> Any:
        sent.append(request)
        return answer(request, asks_for(request, username))

    async def go() -> list[SiteResult]:
        async with mock_http(handler) as http:
            return await check_sites(sites, username, http, **options)

    return asyncio.run(go()), sent


def profile_or_missing(request: httpx.Request, real: bool) -> httpx.Response:
    return httpx.Response(200, text=PROFILE) if real else httpx.Response(404, text=MISSING)


def redirect_home(request: httpx.Request, real: bool) -> httpx.Response:
    if request.url.path == "/":
        return httpx.Response(200, text="<html>home</html>")
    if real:
        return httpx.Response(200, text=PROFILE)
    return httpx.Response(
        302,
        headers={"Location": "https://profiles.example.com/"},
        text="<title>Object moved</title>",
    )


def redirect_to_wall(request: httpx.Request, real: bool) -> httpx.Response:
    if request.url.path == "/challenge":
        return httpx.Response(403, headers=CF, text=wall("cloudflare-challenge.html"))
    return httpx.Response(302, headers={"Location": "https://profiles.example.com/challenge"})


def always(status: int, text: str = "", headers: dict[str, str] | None = None) -> Answer:
    """The same answer for every name."""
    return lambda request, real: httpx.Response(status, headers=headers, text=text)


def refuse(request: httpx.Request, real: bool) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


WORDPRESS_PRIVATE = site(
    e_code=403,
    e_string='"message":"User cannot access this private blog."',
    m_string='"error":"unknown_blog"',
)

# (id, site, answer, verdict, reason, judged status, unreliable, requests sent)
SCENARIOS: list[tuple[str, Site, Answer, Verdict, str, int | None, bool, int]] = [
    # found: the exists condition holds; the random-name control says missing, so it stands
    ("found", site(), profile_or_missing,
     Verdict.FOUND, "status 200 and the profile text", 200, False, 2),
    ("missing by code", site(m_string=""), always(404, "<p>Gone</p>"),
     Verdict.NOT_FOUND, "status 404", 404, False, 1),
    ("missing by string", site(m_code=200), always(200, MISSING),
     Verdict.NOT_FOUND, "status 200 and the missing text", 200, False, 1),
    # The missing text at another status than m_code is not "missing" (WMN needs both).
    ("missing text, wrong status", site(), always(200, MISSING),
     Verdict.UNKNOWN, "status 200 matches neither found nor missing", 200, False, 1),
    ("both conditions", site(e_string="user", m_code=200), always(200, MISSING),
     Verdict.UNKNOWN, "status 200 matches both found and missing", 200, False, 1),
    # Blogmarks' shape: same code both ways and no missing text: the exists text decides.
    ("same code, exists text", site(m_code=200, m_string=""),
     lambda r, real: httpx.Response(200, text=PROFILE if real else "<p>nothing</p>"),
     Verdict.FOUND, "status 200 and the profile text", 200, False, 2),
    ("same code, no exists text", site(m_code=200, m_string=""),
     always(200, "<p>nothing</p>"),
     Verdict.NOT_FOUND, "status 200", 200, False, 1),
    # A wall is never found, even where any 200 would be (e_string "").
    ("captcha wall", site(e_string=""), always(200, wall("hcaptcha.html")),
     Verdict.BLOCKED, "captcha wall (hCaptcha)", 200, False, 1),
    ("Cloudflare 403", site(),
     always(403, wall("cloudflare-challenge.html"), CF),
     Verdict.BLOCKED, "Cloudflare challenge", 403, False, 1),
    # one attempt per check: a refusal is "blocked" at once, never waited out
    ("429", site(), always(429, "slow down"),
     Verdict.BLOCKED, "rate limited (HTTP 429)", 429, False, 1),
    ("plain 403", site(e_string=""), always(403, "<p>Forbidden</p>"),
     Verdict.BLOCKED, "refused (HTTP 403)", 403, False, 1),
    # WordPress.com's shape: the site itself says 403 + this message means "exists".
    ("site's own 403", WORDPRESS_PRIVATE,
     lambda r, real: httpx.Response(403, json={"message": "User cannot access this private blog."})
     if real else httpx.Response(404, json={"error": "unknown_blog"}),
     Verdict.FOUND, "status 403 and the profile text", 403, False, 2),
    ("5xx", site(), always(500, "oops"),
     Verdict.UNKNOWN, "status 500 matches neither found nor missing", 500, False, 1),
    ("network error", site(), refuse, Verdict.UNKNOWN,
     "profiles.example.com: could not connect (connection refused)", None, False, 1),
    ("says found to everyone", site(), always(200, PROFILE),
     Verdict.UNKNOWN, "the site says every name exists", 200, True, 2),
    # m_code 302: the first response is judged, as WMN does; redirects are not followed.
    ("302 means missing", site(m_code=302, m_string="Object moved"), redirect_home,
     Verdict.FOUND, "status 200 and the profile text", 200, False, 2),
    ("a redirect is not followed", site(), redirect_to_wall,
     Verdict.UNKNOWN, "status 302 matches neither found nor missing", 302, False, 1),
]  # fmt: skip


@pytest.mark.parametrize(
    ("site_", "answer", "verdict", "reason", "status", "unreliable", "requests"),
    [pytest.param(*row[1:], id=row[0]) for row in SCENARIOS],
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
    assert result.username == NAME
    assert result.url == f"https://profiles.example.com/u/{NAME}"
    assert len(sent) == requests
    assert str(sent[0].url) == f"https://profiles.example.com/u/{NAME}"
    assert sent[0].method == "GET"


class OverLoopback:
    """The scenarios' answers served by a real HTTP/1.1 server on 127.0.0.1, so checks take
    Http's direct connections (real sockets) instead of a mock transport."""

    def __init__(self, answer: Answer, username: str) -> None:
        self.answer = answer
        self.username = username
        self.accepted = 0
        self.requests = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = [line.split(": ", 1) for line in lines[1:] if line]
                pairs = [(name, value) for name, value in headers]
                length = {k.lower(): v for k, v in pairs}.get("content-length", "0")
                body = await reader.readexactly(int(length))
                self.requests += 1
                request = httpx.Request(
                    method, "https://profiles.example.com" + target, headers=pairs, content=body
                )
                answer = self.answer(request, asks_for(request, self.username))
                assert isinstance(answer, httpx.Response)
                kept = [
                    (k, v)
                    for k, v in answer.headers.raw
                    if k.lower() not in (b"content-length", b"transfer-encoding")
                ]
                out = [f"HTTP/1.1 {answer.status_code} X".encode()]
                out += [k + b": " + v for k, v in kept]
                out.append(f"Content-Length: {len(answer.content)}".encode())
                writer.write(b"\r\n".join(out) + b"\r\n\r\n" + answer.content)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.mark.parametrize(
    ("site_", "answer", "verdict", "reason", "status", "unreliable", "requests"),
    [pytest.param(*row[1:], id=row[0]) for row in SCENARIOS if row[0] != "network error"],
)
def test_scenarios_over_real_connections(
    site_: Site,
    answer: Answer,
    verdict: Verdict,
    reason: str,
    status: int | None,
    unreliable: bool,
    requests: int,
) -> None:
    server = OverLoopback(answer, NAME)

    async def go() -> list[SiteResult]:
        listening = await asyncio.start_server(server.serve, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        here = replace(site_, uri_check=f"http://127.0.0.1:{port}/u/{{account}}")
        try:
            async with Http(FAST) as http:
                # the network, no proxy: direct connections
                assert isinstance(http._check_bottom, DirectTransport)
                return await check_sites([here], NAME, http)
        finally:
            listening.close()

    (result,) = asyncio.run(go())
    assert (result.verdict, result.reason, result.status, result.unreliable) == (
        verdict,
        reason,
        status,
        unreliable,
    )
    assert server.requests == requests
    assert server.accepted == 1  # a control check reuses the connection its check left idle


def test_302_missing_is_judged_on_the_first_response() -> None:
    missing = site(m_code=302, m_string="Object moved")
    (result,), sent = run([missing], lambda r, real: redirect_home(r, False), "nobody")
    assert (result.verdict, result.reason, result.status) == (
        Verdict.NOT_FOUND,
        "status 302 and the missing text",
        302,
    )
    # the redirect is not followed: the home page is never fetched
    assert [str(r.url) for r in sent] == ["https://profiles.example.com/u/nobody"]


def test_control_uses_one_random_name_per_run() -> None:
    sites = [
        site(name=f"S{i}", uri_check=f"https://s{i}.example.com/u/{{account}}") for i in range(3)
    ]
    results, sent = run(sites, lambda r, real: httpx.Response(200, text=PROFILE))
    assert [r.verdict for r in results] == [Verdict.UNKNOWN] * 3
    assert all(r.unreliable for r in results)
    controls = {r.url.path for r in sent if NAME not in r.url.path}
    assert len(controls) == 1
    (path,) = controls
    assert re.fullmatch(r"/u/[a-z0-9]{24}", path)


def test_control_name_avoids_strip_bad_char() -> None:
    sites = [site(strip_bad_char="abcdefghijklmnopqrstuvwxy0123456789")]
    assert check.control_name(sites) == "z" * 24


def test_control_only_for_hits_and_can_be_turned_off() -> None:
    (missing,), sent = run([site()], lambda r, real: httpx.Response(404, text=MISSING))
    assert missing.verdict is Verdict.NOT_FOUND
    assert len(sent) == 1
    (found,), sent = run([site()], lambda r, real: httpx.Response(200, text=PROFILE), control=False)
    assert (found.verdict, found.unreliable) == (Verdict.FOUND, False)
    assert len(sent) == 1


def test_control_that_cannot_tell_keeps_the_hit_and_says_so() -> None:
    def answer(request: httpx.Request, real: bool) -> httpx.Response:
        return httpx.Response(200, text=PROFILE) if real else httpx.Response(429)

    (result,), _ = run([site()], answer)
    assert result.verdict is Verdict.FOUND
    assert result.reason == (
        "status 200 and the profile text; the random-name control could not tell"
    )


def test_timeout_is_unknown_and_a_slow_site_delays_no_other() -> None:
    slow = site(name="Slow", uri_check="https://slow.example.com/u/{account}")
    fast = [
        site(name=f"F{i}", uri_check=f"https://f{i}.example.com/u/{{account}}") for i in range(5)
    ]
    streamed: list[str] = []

    async def answer(request: httpx.Request, real: bool) -> httpx.Response:
        if request.url.host == "slow.example.com":
            await asyncio.sleep(5)
        return httpx.Response(404, text=MISSING)

    start = time.monotonic()
    results, _ = run(
        [slow, *fast],
        answer,
        timeout=0.2,
        concurrency=2,
        on_result=lambda r: streamed.append(r.site.name),
    )
    assert time.monotonic() - start < 2
    assert (results[0].verdict, results[0].reason) == (Verdict.UNKNOWN, "no answer within 0.2 s")
    assert [r.verdict for r in results[1:]] == [Verdict.NOT_FOUND] * 5
    assert [r.site.name for r in results] == ["Slow", "F0", "F1", "F2", "F3", "F4"]
    assert streamed[-1] == "Slow"  # streamed as they finish; the list keeps the input order
    assert sorted(streamed) == sorted(r.site.name for r in results)


def test_strip_bad_char_is_removed_before_the_request() -> None:
    (result,), sent = run([site(strip_bad_char=".")], profile_or_missing, "avery.sample")
    assert str(sent[0].url) == "https://profiles.example.com/u/averysample"
    assert result.url == "https://profiles.example.com/u/averysample"


def test_username_is_percent_encoded_in_the_path() -> None:
    (_,), sent = run([site()], profile_or_missing, "jane@doe%")
    assert sent[0].url.raw_path == b"/u/jane%40doe%25"


def test_post_json_body_is_json_escaped() -> None:
    api = site(
        uri_check="https://api.example.com/graphql",
        post_body='{"query":"query{User(name:\\"{account}\\"){id}}","variables":{"u":"{account}"}}',
        headers=(("Content-Type", "application/json"), ("Accept", "application/json")),
    )
    username = 'o"neil\\x'
    (result,), sent = run([api], lambda r, real: httpx.Response(404, text=MISSING), username)
    assert result.verdict is Verdict.NOT_FOUND
    (request,) = sent
    assert request.method == "POST"
    assert str(request.url) == "https://api.example.com/graphql"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "query": 'query{User(name:"o"neil\\x"){id}}',
        "variables": {"u": 'o"neil\\x'},
    }


def test_post_form_body_is_form_encoded() -> None:
    form = site(
        uri_check="https://forum.example.org/ajax.php",
        post_body="do=usersearch&fragment={account}",
        headers=(("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"),),
    )
    (_,), sent = run([form], lambda r, real: httpx.Response(404, text=MISSING), "a&b=c+d")
    (request,) = sent
    assert request.method == "POST"
    assert request.content == b"do=usersearch&fragment=a%26b%3Dc%2Bd"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded; charset=UTF-8"


@pytest.mark.parametrize(
    ("loud", "word"),
    [
        (site(uri_check="https://example.net/register.ajax?u={account}"), "register"),
        (site(uri_check="https://example.net/api?route=signup/check&u={account}"), "signup"),
        (
            site(
                uri_check="https://example.net/xhr",
                post_body="act=check_login&login={account}",
                headers=(("Content-Type", "application/x-www-form-urlencoded"),),
            ),
            "login",
        ),
    ],
)
def test_loud_site_is_skipped_and_not_requested(loud: Site, word: str) -> None:
    (result,), sent = run([loud], profile_or_missing)
    assert sent == []
    assert result.verdict is Verdict.SKIPPED
    assert result.reason == f'the check looks like an account flow ("{word}"); not sent'


def test_a_username_that_reads_like_a_flow_is_not_loud() -> None:
    (result,), sent = run([site()], always(404, MISSING), "login_reset")
    assert result.verdict is Verdict.NOT_FOUND
    assert len(sent) == 1


@pytest.mark.parametrize(
    ("username", "site_"),
    [
        ("", site()),
        ("..", site()),
        (".", site()),
        ("ave ry", site()),
        ("a/b", site()),
        ("a?b", site()),
        ("a#b", site()),
        ("tab\there", site()),
        ("x" * 65, site()),
        ("...", site(strip_bad_char=".")),  # nothing left after stripping
        ("avery_sample", site(uri_check="https://{account}.blogs.example.com/")),  # not a DNS label
    ],
)
def test_unusable_username_is_skipped_and_not_requested(username: str, site_: Site) -> None:
    (result,), sent = run([site_], profile_or_missing, username)
    assert sent == []
    assert (result.verdict, result.reason) == (Verdict.SKIPPED, BAD_CHARACTERS)


def test_dns_label_username_goes_into_the_host() -> None:
    blogs = site(uri_check="https://{account}.blogs.example.com/", strip_bad_char=".")
    (_,), sent = run([blogs], profile_or_missing, "avery.sample")
    assert str(sent[0].url) == "https://averysample.blogs.example.com/"


def test_invalid_site_is_skipped_and_not_requested() -> None:
    (result,), sent = run([site(valid=False)], profile_or_missing)
    assert sent == []
    assert (result.verdict, result.reason) == (Verdict.SKIPPED, "marked invalid in the catalogue")


def test_site_headers_are_sent() -> None:
    headers = (("User-Agent", "Mozilla/5.0 (fictional)"), ("Accept-Language", "en-US"))
    (_,), sent = run([site(headers=headers)], profile_or_missing)
    assert sent[0].headers["user-agent"] == "Mozilla/5.0 (fictional)"
    assert sent[0].headers["accept-language"] == "en-US"


def test_cookie_and_authorization_headers_are_dropped_and_noted() -> None:
    headers = (
        ("Cookie", "accept_rules=true;"),
        ("Authorization", "Bearer fictional"),
        ("Accept", "text/html"),
    )
    (result,), sent = run(
        [site(headers=headers)], lambda r, real: httpx.Response(404, text=MISSING)
    )
    assert "cookie" not in sent[0].headers
    assert "authorization" not in sent[0].headers
    assert sent[0].headers["accept"] == "text/html"
    assert result.reason == (
        "status 404 and the missing text; "
        "the catalogue's Cookie and Authorization header was not sent"
    )


def test_plan_refuses_a_body_that_is_not_json() -> None:
    broken = site(
        uri_check="https://api.example.com/q",
        post_body='{"u": {account}',
        headers=(("Content-Type", "application/json"),),
    )
    assert plan_request(broken, NAME).skip == "the catalogue's POST body is not valid JSON"


def test_real_whatsmyname_entries() -> None:
    """Every WMN entry of a few shapes, answered per its own e_/m_ conditions."""
    data = json.loads(shared_file("whatsmyname/wmn-data.json").read_text(encoding="utf-8"))
    catalogue = parse_catalogue(data, "wmn-data.json")
    wanted = {
        "GitHub (User)",  # 200 / 404 with strings, own User-Agent header
        "Blogmarks",  # 200 / 200, no missing text
        "CodeChef",  # missing is a 302 with no text
        "Ko-Fi",  # missing is a 302 whose own body is "Object moved"
        "Medium",  # strip_bad_char "."
        "AniList",  # POST JSON (GraphQL)
        "Tindie",  # a sign-up username check (check_username): loud
        "Showup.tv",  # a Cookie header in the catalogue
        "StreamLabs",  # missing is a 401
        "Electrobel",  # register.ajax: loud
        "7cup",  # valid: false
    }
    sites = [s for s in catalogue.sites if s.name in wanted]
    assert {s.name for s in sites} == wanted
    by_host = {httpx.URL(s.uri_check.replace("{account}", "x")).host: s for s in sites}
    assert len(by_host) == len(sites)

    def answer(request: httpx.Request, real: bool) -> httpx.Response:
        entry = by_host[request.url.host]
        if real and username == "avery":
            return httpx.Response(entry.e_code, text=f"<html>{entry.e_string}</html>")
        return httpx.Response(entry.m_code, text=f"<html>{entry.m_string}</html>")

    skipped = {"Electrobel": "register", "Tindie": "check_username", "7cup": "marked invalid"}
    for username, verdict in (("avery", Verdict.FOUND), ("nobody", Verdict.NOT_FOUND)):
        results, sent = run(sites, answer, username)
        for result in results:
            if result.site.name in skipped:
                assert result.verdict is Verdict.SKIPPED
                assert skipped[result.site.name] in result.reason
            else:
                assert result.verdict is verdict, (result.site.name, result.reason)
        assert {r.url.host for r in sent} == {
            h for h, s in by_host.items() if s.name not in skipped
        }
    showup = next(r for r in results if r.site.name == "Showup.tv")
    assert showup.reason.endswith("the catalogue's Cookie header was not sent")


def test_results_keep_site_identity() -> None:
    first = site()
    second = replace(first, name="Other", uri_check="https://other.example.com/{account}")
    results, _ = run([first, second], lambda r, real: httpx.Response(404, text=MISSING))
    assert [r.site for r in results] == [first, second]


@pytest.mark.parametrize(
    ("uri_check", "word"),
    [
        ("https://api.names.example.com/address/{account}/availability", "/availability"),
        (
            "https://forum.example.no/?app=core&controller=ajax&do=usernameExists&input={account}",
            "usernameExists",
        ),
        ("https://learn.example.com/api/user/exist/{account}", "user/exist"),
        ("https://www.example.com/callback/user/valid?username={account}", "/user/valid"),
    ],
)
def test_availability_endpoints_are_loud_too(uri_check: str, word: str) -> None:
    assert check.never_sent(site(uri_check=uri_check)) == (
        f'the check looks like an account flow ("{word}"); not sent'
    )


@pytest.mark.parametrize(
    "uri_check",
    [
        "http://archive.org/wayback/available?url=https://example.com/{account}",  # a lookup
        "https://lichess.example.org/api/player/autocomplete?term={account}&exists=1",
        "https://profiles.example.com/u/{account}",
    ],
)
def test_lookups_that_are_not_sign_up_checks_are_sent(uri_check: str) -> None:
    assert check.never_sent(site(uri_check=uri_check)) == ""
