"""The verdict engine: one request per site and username, streamed concurrently.

Every site carries one rule (`Site.check`): WhatsMyName's, below, or one of Sherlock's and
Maigret's (status_code, message, response_url), whose mapping is written down in
scanner/sites/formats.py. Walls, refusals, the control check, the quiet rules and header
stripping are the same for all of them.

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

Sherlock's and Maigret's rules (after walls; `errors` texts first: "could not tell"):

    401/403/429        -> BLOCKED, unless a missing_codes status, or a 403 with allow_403
    5xx                -> UNKNOWN;  a missing_codes status -> NOT_FOUND
    status_code        2xx FOUND, 3xx UNKNOWN (a redirect, not followed), 4xx NOT_FOUND
    response_url       3xx NOT_FOUND (the redirect is the list's sign of no account),
                       2xx FOUND when presence is empty or one presence text is there,
                       else NOT_FOUND; 4xx NOT_FOUND
    message            an absence text -> NOT_FOUND; else 3xx UNKNOWN; else with presence
                       texts: one there FOUND, none NOT_FOUND; without: 2xx FOUND, else
                       UNKNOWN

Redirects: WMN's codes are those of the FIRST response (50 entries say m_code 302, and their
m_string is the redirect's own body, e.g. "Object moved"), so redirects are not followed
(`follow_redirects=False`): the first response is judged, and no other host is contacted.
`judge` still reads `response.history[0]` when given a followed response (a caller's own).

Requests: the username loses the site's `strip_bad_char` characters; then it must be
1-64 characters without whitespace, control characters, "/", "?", "#", and not "." or ".."
(a conservative rule for any site), where {account} is part of the host name a DNS label,
and it must match the site's own `regex` (Sherlock's and Maigret's regexCheck, re.search).
Otherwise the site is SKIPPED and not asked. A site whose list needs what this engine does
not do (`unsupported`: a POST from Sherlock or Maigret, a JavaScript challenge) is SKIPPED
with that reason.
The account is percent-encoded (quote, safe="") in uri_check; in post_body it is JSON-escaped
when the Content-Type is JSON (or, without one, the body looks like JSON) and form-encoded
otherwise. Http takes a mapping (`data=`) or an object (`json=`), not raw bytes, so the
filled body is decoded and re-encoded by httpx (same fields, compact spacing). POST when
there is a post_body, GET otherwise. The site's headers are sent except Cookie,
Authorization and Proxy-Authorization (noted in the reason), framing headers
(Content-Length, Transfer-Encoding, Connection) and a Host naming another host. Sites with
`valid: false`, and sites whose request path, query or body looks like an account flow
(scanner.quiet.looks_loud, and AVAILABILITY for the username-availability endpoints the
Sherlock list uses; judged on the catalogue's template so a username cannot trigger it),
are SKIPPED and never requested.

Reliability control: a random name (24 lowercase letters and digits, one per run, free of
every strip_bad_char character; for a site whose `regex` refuses it, its first 16, 12 or 8
characters, or those with letters for digits, whichever fits first: still far from any
real name) is checked only on sites that answered FOUND; a site that
says FOUND to it too becomes UNKNOWN with unreliable=True. Sites that said anything else
need no control: a site that over-reports "missing" cannot produce a false hit, so this
halves the requests (one extra request per hit, not per site). When the control itself
cannot tell (blocked, timeout), the hit stands and its reason says so. Http keeps no
cookies, so nothing links a site's check to its control request.

Concurrency: one Semaphore for the run (queueing does not count against the per-site
timeout; one attempt, no retry: a refusal is "blocked" at once and a failure "unknown",
never waited out past the deadline); every site is a task; each result
goes to `on_result` as soon as it is final; the returned list is in the order of `sites`.
Offline (`Reach`): when the first OFFLINE_AFTER distinct hosts' checks all fail because
no name can be looked up or the network is unreachable, and no check has had an answer,
check_sites stops at once with NoNetwork ("no network (name lookups fail)"), the
source's "could not check", instead of letting every site fail until the source's time
limit. Once any check has an answer (or fails some other way, which shows names resolve),
a site whose name lookup fails is that site's "could not tell" only. Known limit: on a
working network, OFFLINE_AFTER dead domains whose look-ups fail before any live site has
answered would stop the run the same way (a failed look-up comes back sooner than a live
site's answer), which is why one or two such failures are not enough.
Only the first MAX_BODY bytes of a body are decoded and searched. Requests go out with
`Http.check`: on Http's own HTTP/1.1 connections rather than httpx's pools when nothing
(proxy, replay) stands in between, the same request either way (scanner/http.py), and a
site's control check reuses the connection its check left idle.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import json
import re
import secrets
import socket
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

import httpx

from scanner.errors import SourceError, SourceUnavailable
from scanner.http import Http
from scanner.quiet import looks_loud
from scanner.sites.catalogue import WMN_RULE, Site, split_url
from scanner.sites.walls import detect_wall

MAX_BODY = 1_000_000
OFFLINE_AFTER = 5  # distinct hosts whose checks found no network, none answered: stop
NO_ROUTE = frozenset({errno.ENETUNREACH, errno.ENETDOWN})  # this computer has no network
CONTROL_LENGTH = 24
REFUSALS = frozenset({401, 403, 429})
SECRET_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})
PLACEHOLDER = "{account}"
BAD_CHARACTERS = "username has characters the site does not allow"
NOT_ALLOWED = "username does not fit the site's username rule"
# Sign-up forms' "is this name free / does it exist" endpoints that scanner.quiet.LOUD does
# not name, as the Sherlock and Maigret lists use them: omg.lol's /address/{}/availability,
# IPS forums' do=usernameExists, TryHackMe's /api/user/exist/{}, chess.com's
# /callback/user/valid. (The Wayback Machine's /wayback/available is a lookup: not matched.)
AVAILABILITY = re.compile(
    r"/availability(?![a-z])|(user|nick|author|member)(name)?[-_/]?exists?(?![a-z])"
    r"|/user/valid(?![a-z])",
    re.IGNORECASE,
)
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


class NoNetwork(SourceUnavailable):
    """The first site checks all found no network: nothing was checked (module docstring)."""


@dataclass
class Reach:
    """What the site checks of one run show about the network itself (module docstring)."""

    failed: set[str] = field(default_factory=set)  # hosts whose lookup or route failed
    answered: bool = False  # a check had an answer, or failed in a way DNS had to pass
    why: str = ""  # "name lookups fail" or "network unreachable"

    def saw(self, url: str, error: BaseException | None) -> None:
        """Count one check's outcome: its error, or None for an answer; NoNetwork once the
        first OFFLINE_AFTER distinct hosts all failed for want of a network."""
        why = offline_reason(error) if error is not None else ""
        if not why:
            self.answered = True
            return
        if self.answered:
            return
        self.failed.add(urlsplit(url).hostname or url)
        self.why = why
        self.check()

    def check(self) -> None:
        """NoNetwork once the run found there is none: no check is sent after that."""
        if not self.answered and len(self.failed) >= OFFLINE_AFTER:
            raise NoNetwork(f"no network ({self.why})")


def offline_reason(error: BaseException) -> str:
    """ "name lookups fail" or "network unreachable" when the error (or one it came from)
    is a failed name look-up or no route to any network; "" for anything else."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            return "name lookups fail"
        if isinstance(current, OSError) and current.errno in NO_ROUTE:
            return "network unreachable"
        current = current.__cause__ or current.__context__
    return ""


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
    never = never_sent(site)
    if never:
        return Planned(skip=never)
    account = site.account(username)
    if not _acceptable(site, account):
        return Planned(skip=BAD_CHARACTERS)
    if site.regex and not _fits(site.regex, account):
        return Planned(skip=NOT_ALLOWED)
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


def never_sent(site: Site) -> str:
    """Why a site's check is never sent, whatever the username ("" when it may be)."""
    if not site.valid:
        return "marked invalid in the catalogue"
    if site.unsupported:
        return site.unsupported
    loud = _loud(site)
    if loud:
        return f'the check looks like an account flow ("{loud}"); not sent'
    return ""


def judge(site: Site, response: httpx.Response) -> tuple[Verdict, str, int]:
    """Verdict, reason and judged status for a response (see the module docstring)."""
    first = response.history[0] if response.history else response
    status = first.status_code
    text = _text(first)
    wall = detect_wall(status, first.headers, text)
    if wall:
        return Verdict.BLOCKED, wall, status
    if site.check != WMN_RULE:
        verdict, reason = _judge_list(site, status, text)
        if verdict is Verdict.UNKNOWN and first is not response:
            final_wall = detect_wall(response.status_code, response.headers, _text(response))
            if final_wall:
                return Verdict.BLOCKED, f"redirected to a {final_wall}", status
        return verdict, reason, status
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


def _judge_list(site: Site, status: int, text: str) -> tuple[Verdict, str]:
    """Sherlock's and Maigret's rules (the module docstring; formats.py for the mapping)."""
    for marker, meaning in site.errors:
        if marker in text:
            return Verdict.UNKNOWN, f"the site could not answer: {meaning}"
    refused = status in REFUSALS and status not in site.missing_codes
    if refused and not (status == 403 and site.allow_403):
        return Verdict.BLOCKED, _refusal(status)
    if status >= 500:
        return Verdict.UNKNOWN, f"status {status}: a server error"
    if status in site.missing_codes:
        return Verdict.NOT_FOUND, f"status {status}, the list's missing status"
    success, redirect = 200 <= status < 300, 300 <= status < 400
    present = not site.presence or any(item in text for item in site.presence)
    if site.check == "status_code":
        if success:
            return Verdict.FOUND, f"status {status}"
        if redirect:
            return Verdict.UNKNOWN, _redirect(status)
        return Verdict.NOT_FOUND, f"status {status}"
    if site.check == "response_url":
        if redirect:
            return Verdict.NOT_FOUND, f"status {status}: redirected, the list's sign of no account"
        if success and site.presence and present:
            return Verdict.FOUND, f"status {status} and the profile text"
        if success and present:
            return Verdict.FOUND, f"status {status}"
        if success:
            return Verdict.NOT_FOUND, f"status {status} without the profile text"
        return Verdict.NOT_FOUND, f"status {status}"
    if any(item in text for item in site.absence):
        return Verdict.NOT_FOUND, f"status {status} and the missing text"
    if redirect:
        return Verdict.UNKNOWN, _redirect(status)
    if site.presence:
        if present:
            return Verdict.FOUND, f"status {status} and the profile text"
        return Verdict.NOT_FOUND, f"status {status} without the profile text"
    if success:
        return Verdict.FOUND, f"status {status} without the missing text"
    return Verdict.UNKNOWN, f"status {status} without the missing text"


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
    """Check every site for `username`; results in the order of `sites`.

    Raises NoNetwork when the first checks show there is no network (module docstring);
    the checks still running are cancelled then.
    """
    gate = asyncio.Semaphore(max(1, concurrency))
    random_name = control_name(sites) if control else ""
    reach = Reach()

    async def one(site: Site) -> SiteResult:
        result = await _check(site, username, http, gate, timeout, reach)
        if random_name and result.verdict is Verdict.FOUND:
            other = control_for(site, random_name)
            result = _with_control(result, await _check(site, other, http, gate, timeout))
        if on_result is not None:
            on_result(result)
        return result

    tasks = [asyncio.ensure_future(one(site)) for site in sites]
    try:
        return list(await asyncio.gather(*tasks))
    except NoNetwork:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def control_name(sites: Sequence[Site]) -> str:
    """A random name no one holds, untouched by any site's strip_bad_char."""
    banned = set().union(*(site.strip_bad_char for site in sites))
    alphabet = [c for c in string.ascii_lowercase + string.digits if c not in banned]
    return "".join(secrets.choice(alphabet) for _ in range(CONTROL_LENGTH))


def control_for(site: Site, random_name: str) -> str:
    """The run's random name as this site may be asked it (see the module docstring)."""
    if not site.regex:
        return random_name
    letters = random_name.translate(str.maketrans("0123456789", "qwertyuiop"))
    for name in (random_name, letters):
        for size in (len(name), 16, 12, 8):
            if _fits(site.regex, name[:size]):
                return name[:size]
    return random_name  # nothing fits: the control is skipped and the hit says so


async def _check(
    site: Site,
    username: str,
    http: Http,
    gate: asyncio.Semaphore,
    seconds: float,
    reach: Reach | None = None,  # the run's; None for a control check
) -> SiteResult:
    url = site.profile_url(username)
    plan = plan_request(site, username)
    if plan.skip:
        return SiteResult(site, username, Verdict.SKIPPED, url, plan.skip)
    async with gate:
        if reach is not None:
            reach.check()
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
            if reach is not None:
                reach.saw(plan.url, exc)
            return SiteResult(site, username, Verdict.UNKNOWN, url, str(exc))
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
            return SiteResult(site, username, Verdict.UNKNOWN, url, f"could not send: {exc}")
    if reach is not None:
        reach.saw(plan.url, None)
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


@functools.lru_cache(maxsize=1024)
def _pattern(regex: str) -> re.Pattern[str] | None:
    try:
        return re.compile(regex)
    except re.error:
        return None


def _fits(regex: str, account: str) -> bool:
    """The account matches the site's username rule (re.search, as Sherlock and Maigret);
    a rule that does not compile lets nothing through."""
    pattern = _pattern(regex)
    return pattern is not None and pattern.search(account) is not None


@functools.lru_cache(maxsize=16384)
def _loud_template(uri_check: str, post_body: str | None) -> str:
    """looks_loud on a check's template; cached, as a site found is planned again for its
    control check (and a scan plans every site for each handle)."""
    host, path, query = split_url(uri_check.replace(PLACEHOLDER, ""))
    body = (post_body or "").replace(PLACEHOLDER, "")
    loud = looks_loud(host.partition(":")[0], path, query, body)
    if loud:
        return loud
    match = AVAILABILITY.search(f"{path}?{query} {body}")
    return match.group(0) if match else ""


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


def _redirect(status: int) -> str:
    return f"status {status}: a redirect, not followed, so it cannot tell"


def _refusal(status: int) -> str:
    if status == 429:
        return "rate limited (HTTP 429)"
    return f"refused (HTTP {status})"
