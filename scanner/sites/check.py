"""The verdict engine: one request per site and username, streamed concurrently.

Verdict rule (WhatsMyName's field meanings: `e_code`/`e_string` are the status and text of
an "account exists" answer, `m_code`/`m_string` those of a "no such account" answer; its
checkers count a site as a hit only when BOTH the status and the text match):

    exists  = status == e_code and e_string in body     ("" = no text condition)
    missing = status == m_code and m_string in body     ("" = no text condition)
    exists only  -> FOUND          missing only -> NOT_FOUND
    both         -> when exactly one side has a text condition, that side decides (e.g.
                    e_code == m_code == 200, e_string "class=mark", m_string "": a 200 with
                    the text is found, one without it is missing, as WMN's checkers read
                    it); otherwise UNKNOWN ("conflict")
    neither      -> UNKNOWN (BLOCKED for 401/403/429)

Before that, a wall page (walls.detect_wall) is BLOCKED, and 401/403/429 are BLOCKED unless
the site itself names that status as its e_code or m_code (WordPress.com answers 403 with a
specific JSON message for existing private blogs): a refusal is never "found".

Redirects: WMN's codes are those of the FIRST response (50 entries say m_code 302, and their
m_string is the redirect's own body, e.g. "Object moved"), so redirects are not followed
(`follow_redirects=False`): the first response is judged, and no other host is contacted.
`judge` still reads `response.history[0]` when given a followed response (a caller's own).

Requests: the username loses the site's `strip_bad_char` characters; then it must be
1-64 characters without whitespace, control characters, "/", "?", "#", and not "." or ".."
(a conservative rule for any site: WMN lists no per-site username rules), and where
{account} is part of the host name, a DNS label. Otherwise the site is SKIPPED and not asked.
The account is percent-encoded (quote, safe="") in uri_check; in post_body it is JSON-escaped
when the Content-Type is JSON (or, without one, the body looks like JSON) and form-encoded
otherwise. Http takes a mapping (`data=`) or an object (`json=`), not raw bytes, so the
filled body is decoded and re-encoded by httpx (same fields, compact spacing). POST when
there is a post_body, GET otherwise. The site's headers are sent except Cookie,
Authorization and Proxy-Authorization (noted in the reason), framing headers
(Content-Length, Transfer-Encoding, Connection) and a Host naming another host. Sites with
`valid: false`, and sites whose request path, query or body looks like an account flow
(scanner.quiet.looks_loud, judged on the catalogue's template so a username cannot trigger
it), are SKIPPED and never requested.

Reliability control: a random name (24 lowercase letters and digits, one per run, free of
every strip_bad_char character) is checked only on sites that answered FOUND; a site that
says FOUND to it too becomes UNKNOWN with unreliable=True. Sites that said anything else
need no control: a site that over-reports "missing" cannot produce a false hit, so this
halves the requests (one extra request per hit, not per site). When the control itself
cannot tell (blocked, timeout), the hit stands and its reason says so. Http keeps no
cookies, so nothing links a site's check to its control request.

Concurrency: one Semaphore for the run (queueing does not count against the per-site
timeout; one attempt, no retry: a refusal is "blocked" at once and a failure "unknown",
never waited out past the deadline); every site is a task; each result
goes to `on_result` as soon as it is final; the returned list is in the order of `sites`.
Only the first MAX_BODY bytes of a body are decoded and searched. Requests go out with
`Http.check`: on Http's own HTTP/1.1 connections rather than httpx's pools when nothing
(proxy, replay) stands in between, the same request either way (scanner/http.py), and a
site's control check reuses the connection its check left idle.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import secrets
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

import httpx

from scanner.errors import SourceError
from scanner.http import Http
from scanner.quiet import looks_loud
from scanner.sites.catalogue import Site
from scanner.sites.walls import detect_wall

MAX_BODY = 1_000_000
CONTROL_LENGTH = 24
REFUSALS = frozenset({401, 403, 429})
SECRET_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})
PLACEHOLDER = "{account}"
BAD_CHARACTERS = "username has characters the site does not allow"
_GENERAL_BAD = re.compile(r"[\s\x00-\x1f\x7f/?#]")
_HOST_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z")


class Verdict(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    UNKNOWN = "unknown"
    BLOCKED = "blocked"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class SiteResult:
    site: Site
    username: str
    verdict: Verdict
    url: str  # the profile URL a person would open
    reason: str  # plain words
    status: int | None = None
    unreliable: bool = False  # the site said "found" for a random name that cannot exist


@dataclass(frozen=True)
class Planned:
    """The request for one site and name, or why it is not sent (`skip`)."""

    skip: str = ""
    method: str = "GET"
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] | None = None
    json: Any = None
    note: str = ""  # said in the result's reason, e.g. a dropped Cookie header


def plan_request(site: Site, username: str) -> Planned:
    """What would be sent to `site` for `username`; nothing is sent here."""
    if not site.valid:
        return Planned(skip="marked invalid in the catalogue")
    loud = _loud(site)
    if loud:
        return Planned(skip=f'the check looks like an account flow ("{loud}"); not sent')
    account = site.account(username)
    if not _acceptable(site, account):
        return Planned(skip=BAD_CHARACTERS)
    url = site.uri_check.replace(PLACEHOLDER, quote(account, safe=""))
    headers, dropped = _headers(site, url)
    note = f"the catalogue's {' and '.join(dropped)} header was not sent" if dropped else ""
    if site.post_body is None:
        return Planned(url=url, headers=headers, note=note)
    body = site.post_body
    if _is_json(headers, body):
        try:
            payload = json.loads(body.replace(PLACEHOLDER, json.dumps(account)[1:-1]))
        except ValueError:
            return Planned(skip="the catalogue's POST body is not valid JSON")
        return Planned(method="POST", url=url, headers=headers, json=payload, note=note)
    form = dict(parse_qsl(body.replace(PLACEHOLDER, quote_plus(account)), keep_blank_values=True))
    return Planned(method="POST", url=url, headers=headers, data=form, note=note)


def judge(site: Site, response: httpx.Response) -> tuple[Verdict, str, int]:
    """Verdict, reason and judged status for a response (see the module docstring)."""
    first = response.history[0] if response.history else response
    status = first.status_code
    text = _text(first)
    wall = detect_wall(status, first.headers, text)
    if wall:
        return Verdict.BLOCKED, wall, status
    if status in REFUSALS and status not in (site.e_code, site.m_code):
        return Verdict.BLOCKED, _refusal(status), status
    exists = status == site.e_code and site.e_string in text
    missing = status == site.m_code and site.m_string in text
    if exists and missing:
        if site.e_string and not site.m_string:
            missing = False
        elif site.m_string and not site.e_string:
            exists = False
        else:
            return Verdict.UNKNOWN, f"status {status} matches both found and missing", status
    if exists:
        return Verdict.FOUND, _matched(status, site.e_string, "the profile text"), status
    if missing:
        return Verdict.NOT_FOUND, _matched(status, site.m_string, "the missing text"), status
    if first is not response:
        final_wall = detect_wall(response.status_code, response.headers, _text(response))
        if final_wall:
            return Verdict.BLOCKED, f"redirected to a {final_wall}", status
    if status in REFUSALS:
        return Verdict.BLOCKED, _refusal(status), status
    return Verdict.UNKNOWN, f"status {status} matches neither found nor missing", status


async def check_sites(
    sites: Sequence[Site],
    username: str,
    http: Http,
    *,
    concurrency: int = 64,
    timeout: float = 10.0,  # noqa: ASYNC109 - the contract's name; applied per site
    on_result: Callable[[SiteResult], None] | None = None,
    control: bool = True,
) -> list[SiteResult]:
    """Check every site for `username`; results in the order of `sites`."""
    gate = asyncio.Semaphore(max(1, concurrency))
    random_name = control_name(sites) if control else ""

    async def one(site: Site) -> SiteResult:
        result = await _check(site, username, http, gate, timeout)
        if random_name and result.verdict is Verdict.FOUND:
            result = _with_control(result, await _check(site, random_name, http, gate, timeout))
        if on_result is not None:
            on_result(result)
        return result

    return list(await asyncio.gather(*(one(site) for site in sites)))


def control_name(sites: Sequence[Site]) -> str:
    """A random name no one holds, untouched by any site's strip_bad_char."""
    banned = set().union(*(site.strip_bad_char for site in sites))
    alphabet = [c for c in string.ascii_lowercase + string.digits if c not in banned]
    return "".join(secrets.choice(alphabet) for _ in range(CONTROL_LENGTH))


async def _check(
    site: Site, username: str, http: Http, gate: asyncio.Semaphore, seconds: float
) -> SiteResult:
    url = site.profile_url(username)
    plan = plan_request(site, username)
    if plan.skip:
        return SiteResult(site, username, Verdict.SKIPPED, url, plan.skip)
    async with gate:
        try:
            async with asyncio.timeout(seconds):
                response = await http.check(
                    plan.method, plan.url, headers=plan.headers, data=plan.data, json=plan.json
                )
        except TimeoutError:
            return SiteResult(
                site, username, Verdict.UNKNOWN, url, f"no answer within {seconds:g} s"
            )
        except SourceError as exc:  # no response, or a body past the size cap
            return SiteResult(site, username, Verdict.UNKNOWN, url, str(exc))
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
            return SiteResult(site, username, Verdict.UNKNOWN, url, f"could not send: {exc}")
    verdict, reason, status = judge(site, response)
    if plan.note:
        reason = f"{reason}; {plan.note}"
    return SiteResult(site, username, verdict, url, reason, status)


def _with_control(hit: SiteResult, check: SiteResult) -> SiteResult:
    if check.verdict is Verdict.FOUND:
        return replace(
            hit, verdict=Verdict.UNKNOWN, reason="the site says every name exists", unreliable=True
        )
    if check.verdict is Verdict.NOT_FOUND:
        return hit
    return replace(hit, reason=f"{hit.reason}; the random-name control could not tell")


def _loud(site: Site) -> str:
    return _loud_template(site.uri_check, site.post_body)


@functools.lru_cache(maxsize=4096)
def _loud_template(uri_check: str, post_body: str | None) -> str:
    """looks_loud on a check's template; cached, as a site found is planned again for its
    control check (and a scan plans every site for each handle)."""
    parts = urlsplit(uri_check.replace(PLACEHOLDER, ""))
    body = (post_body or "").replace(PLACEHOLDER, "")
    return looks_loud(parts.hostname or "", parts.path, parts.query, body)


def _acceptable(site: Site, account: str) -> bool:
    if not 1 <= len(account) <= 64 or account in (".", "..") or _GENERAL_BAD.search(account):
        return False
    host = site.uri_check.split("//", 1)[-1].split("/", 1)[0]
    return PLACEHOLDER not in host or _HOST_LABEL.match(account) is not None


def _headers(site: Site, url: str) -> tuple[dict[str, str], list[str]]:
    headers: dict[str, str] = {}
    dropped: list[str] = []
    for name, value in site.headers:
        key = name.lower()
        if key in SECRET_HEADERS:
            dropped.append(name)
        elif key in FRAMING_HEADERS:
            continue
        elif key == "host" and value.lower() != (urlsplit(url).hostname or ""):
            dropped.append(name)
        else:
            headers[name] = value
    return headers, dropped


def _is_json(headers: Mapping[str, str], body: str) -> bool:
    for name, value in headers.items():
        if name.lower() == "content-type":
            return "json" in value.lower()
    return body.lstrip().startswith(("{", "["))


def _text(response: httpx.Response) -> str:
    content_type = response.headers.get("content-type", "")
    encoding = _encoding(content_type) if "charset" in content_type.lower() else "utf-8"
    return response.content[:MAX_BODY].decode(encoding, errors="replace")


@functools.lru_cache(maxsize=256)
def _encoding(content_type: str) -> str:
    """httpx's reading of a Content-Type's charset (UTF-8, httpx's default and ours, when it
    names none or an unknown one). It parses with the email package, so it is worked out
    once per distinct header value: sites send the same few over and over."""
    return httpx.Response(200, headers={"content-type": content_type}).encoding or "utf-8"


def _matched(status: int, text: str, what: str) -> str:
    return f"status {status} and {what}" if text else f"status {status}"


def _refusal(status: int) -> str:
    if status == 429:
        return "rate limited (HTTP 429)"
    return f"refused (HTTP {status})"
