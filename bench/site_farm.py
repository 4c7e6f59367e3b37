"""A loopback "site farm": N fictional sites behind one small HTTP/1.1 server (stdlib only).

    .venv/bin/python bench/site_farm.py --port 8642 --latency 0.1      # serve until Ctrl-C
    .venv/bin/python bench/site_farm.py --catalogue out.json --sites 2000 --port 8642

Used by bench/usernames_bench.py (which starts it in its own process, so the client's CPU
is measured alone). Every site gets its own loopback HOST, so a per-host connection limit on
the client does not serialise them: site i lives at
http://127.{i // 65025 % 255}.{i // 255 % 255}.{i % 255 + 1}:PORT/ (on Linux every 127.x.y.z
reaches loopback). The server listens on 0.0.0.0 but drops any peer that is not 127.x.y.z;
the behaviour comes from the path (/s/<i>/u/<name>, or /s/<i>/api/lookup with the name in a
POST body), never from the Host.

Behaviours, by i % 40 (deterministic): found (25 %: 200 + e_string for the names in EXISTING,
the site's "missing" answer for any other name), missing by code (30 %: 404), missing by string
(30 %: 200 + m_string), Cloudflare challenge (5 %: 403 with cf markers), rate-limited (5 %: 429,
no Retry-After), "says found for everyone" (5 %: 200 + e_string for any name); every 500th site
(i % 500 == 17) never answers in time (sleeps TIMEOUT_SLEEP). A fifth of the found/missing sites
are POST lookups (JSON or form body). Each response waits `latency` seconds first (asyncio.sleep).
GET /_stats answers at once with the request counts (JSON).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import json
import signal
import sys
from collections import Counter
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

EXISTING = frozenset({"benchuser", "avery_sample"})  # names that have an account on found sites
TIMEOUT_EVERY, TIMEOUT_AT = 500, 17
TIMEOUT_SLEEP = 120.0  # far longer than any client's per-site timeout
IDLE_SECONDS = 30.0  # keep-alive connections idle this long are closed
MAX_HEAD = 65536
CATEGORIES = ("art", "blog", "coding", "gaming", "music", "social", "tech", "video")

E_HTML = 'class="profile-card"'
M_HTML = "Sorry, this page is not available."
M_404 = "Page not found"
E_JSON = '"profile_id":'
M_JSON = '"error":"no such user"'


class Kind(StrEnum):
    FOUND = "found"
    MISSING_CODE = "missing_code"
    MISSING_STRING = "missing_string"
    WALL = "wall"
    RATE_LIMITED = "rate_limited"
    TIMEOUT = "timeout"
    EVERYONE = "everyone"


def kind_of(i: int) -> Kind:
    if i % TIMEOUT_EVERY == TIMEOUT_AT:
        return Kind.TIMEOUT
    k = i % 40
    if k < 10:
        return Kind.FOUND
    if k < 22:
        return Kind.MISSING_CODE
    if k < 34:
        return Kind.MISSING_STRING
    return (Kind.WALL, Kind.RATE_LIMITED, Kind.EVERYONE)[(k - 34) // 2]


def post_style(i: int) -> str:
    """ "" for a GET site, else "json" or "form" (a fifth of the found / missing sites)."""
    if kind_of(i) in (Kind.FOUND, Kind.MISSING_CODE, Kind.MISSING_STRING) and i // 40 % 5 == 1:
        return "json" if i % 2 else "form"
    return ""


def missing_by_code(i: int) -> bool:
    """How site i says "no such account": 404 (True) or 200 + m_string (False)."""
    kind = kind_of(i)
    if kind == Kind.MISSING_STRING:
        return False
    if kind == Kind.FOUND:
        return i // 40 % 2 == 0
    return True


def host_of(i: int) -> str:
    return f"127.{i // 65025 % 255}.{i // 255 % 255}.{i % 255 + 1}"


def base_url(i: int, port: int) -> str:
    return f"http://{host_of(i)}:{port}/"


def site_name(i: int) -> str:
    return f"Farm site {i:05d}"


def site_entry(i: int, port: int) -> dict[str, Any]:
    """Site i in WhatsMyName's format."""
    base = base_url(i, port)
    style = post_style(i)
    by_code = missing_by_code(i)
    e_string, m_string = (E_JSON, M_JSON) if style == "json" else (E_HTML, M_HTML)
    if by_code and style != "json":
        m_string = M_404 if i % 7 else ""  # a few say "missing" by status alone
    entry: dict[str, Any] = {
        "name": site_name(i),
        "uri_check": f"{base}s/{i}/u/{{account}}",
        "e_code": 200,
        "e_string": e_string,
        "m_string": m_string,
        "m_code": 404 if by_code else 200,
        "known": sorted(EXISTING),
        "cat": CATEGORIES[i % len(CATEGORIES)],
    }
    if style:
        entry["uri_check"] = f"{base}s/{i}/api/lookup"
        entry["uri_pretty"] = f"{base}s/{i}/u/{{account}}"
        if style == "json":
            entry["post_body"] = '{"username":"{account}"}'
            entry["headers"] = {"Content-Type": "application/json", "Accept": "application/json"}
        else:
            entry["post_body"] = "user={account}&view=profile"
            entry["headers"] = {"Content-Type": "application/x-www-form-urlencoded"}
    elif i % 9 == 4:
        entry["uri_pretty"] = f"{base}s/{i}/profile/{{account}}"
        entry["headers"] = {"Accept": "text/html"}
    if kind_of(i) == Kind.WALL and i % 2:
        entry["protection"] = ["cloudflare"]
    return entry


def generate_catalogue(n: int, base_port: int) -> dict[str, Any]:
    """A WhatsMyName-format catalogue of n farm sites served on `base_port`."""
    return {
        "license": ["Generated by exposure-audit bench/site_farm.py: fictional sites, no data."],
        "authors": ["exposure-audit benchmark"],
        "categories": sorted(CATEGORIES),
        "sites": [site_entry(i, base_port) for i in range(n)],
    }


def expected_verdict(i: int, username: str) -> str:
    """found / not_found / blocked / unknown, or "unreliable" (verdict unknown, flagged)."""
    kind = kind_of(i)
    if kind == Kind.FOUND:
        return "found" if username.lower() in EXISTING else "not_found"
    if kind in (Kind.MISSING_CODE, Kind.MISSING_STRING):
        return "not_found"
    if kind in (Kind.WALL, Kind.RATE_LIMITED):
        return "blocked"
    if kind == Kind.EVERYONE:
        return "unreliable"
    return "unknown"


def expected_verdicts(n: int, username: str) -> dict[str, str]:
    """Site name -> expected verdict, for every site of generate_catalogue(n, ...)."""
    return {site_name(i): expected_verdict(i, username) for i in range(n)}


# --- the server -----------------------------------------------------------------------------

_FILLER = '<li class="nav-item"><a href="/explore/topic">Explore topics</a></li>\n'
_CF_BODY = (
    '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
    '<meta name="robots" content="noindex,nofollow"></head><body>'
    '<div id="challenge-running">Checking if the site connection is secure</div>'
    "<noscript>Enable JavaScript and cookies to continue</noscript>"
    '<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=8d2f0c1a9b7e4f21">'
    "</script></body></html>"
)
_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
}


class Farm:
    def __init__(self, latency: float, body_bytes: int = 4096) -> None:
        self.latency = latency
        self.filler = _FILLER * max(0, body_bytes // len(_FILLER))
        self.served: Counter[str] = Counter()

    def page(self, title: str, marker: str) -> bytes:
        return (
            f"<!doctype html><html><head><title>{html.escape(title)}</title></head><body>"
            f"<ul>{self.filler}</ul><main>{marker}</main></body></html>"
        ).encode()

    async def answer(self, method: str, target: str, body: bytes) -> tuple[int, str, bytes]:
        """Status, extra header lines and body for one request."""
        path = urlsplit(target).path
        if path == "/_stats":
            stats = {"requests": sum(self.served.values()), "by_kind": dict(self.served)}
            return 200, "Content-Type: application/json\r\n", json.dumps(stats).encode()
        parts = path.split("/")
        if len(parts) < 4 or parts[1] != "s" or not parts[2].isdigit():
            return 404, "", b"no such path"
        i = int(parts[2])
        kind = kind_of(i)
        self.served[kind.value] += 1
        name = _name_from(method, parts, body)
        await asyncio.sleep(TIMEOUT_SLEEP if kind == Kind.TIMEOUT else self.latency)
        if kind == Kind.WALL:
            headers = (
                "Content-Type: text/html; charset=UTF-8\r\nServer: cloudflare\r\n"
                "cf-mitigated: challenge\r\nCF-RAY: 8d2f0c1a9b7e4f21-AMS\r\n"
            )
            return 403, headers, _CF_BODY.encode()
        if kind == Kind.RATE_LIMITED:
            return 429, "Content-Type: text/plain\r\n", b"Too Many Requests"
        exists = kind == Kind.EVERYONE or (kind == Kind.FOUND and name.lower() in EXISTING)
        if post_style(i) == "json":
            if exists:
                payload = {"profile_id": 1000 + i, "user": name, "bio": "Fictional bench user"}
                return 200, "Content-Type: application/json\r\n", json.dumps(payload).encode()
            status = 404 if missing_by_code(i) else 200
            return (
                status,
                "Content-Type: application/json\r\n",
                b'{"error":"no such user"}',
            )
        html_type = "Content-Type: text/html; charset=utf-8\r\n"
        if exists:
            return (
                200,
                html_type,
                self.page(f"{name} - Farm {i}", f"<div {E_HTML}>{html.escape(name)}</div>"),
            )
        if missing_by_code(i):
            return 404, html_type, self.page(f"Farm {i}", f"<h1>{M_404}</h1>")
        return 200, html_type, self.page(f"Farm {i}", f"<p>{html.escape(M_HTML)}</p>")

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        try:
            if not peer or not str(peer[0]).startswith("127."):
                return  # loopback only, although the socket listens on 0.0.0.0
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except (TimeoutError, asyncio.CancelledError):
            pass  # idle keep-alive connection, or the farm is stopping
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request; False when the connection should close."""
        async with asyncio.timeout(IDLE_SECONDS):
            head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            return False
        headers: dict[str, str] = {}
        for line in lines[1:]:
            key, _, value = line.partition(":")
            if key:
                headers[key.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            writer.write(
                b"HTTP/1.1 411 Length Required\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            await writer.drain()
            return False
        length = headers.get("content-length", "0")
        body = await reader.readexactly(int(length)) if length.isdigit() and int(length) else b""
        status, extra, payload = await self.answer(method, target, body)
        keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        writer.write(
            (
                f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n{extra}"
                f"Content-Length: {len(payload)}\r\n"
                f"Connection: {'keep-alive' if keep else 'close'}\r\n\r\n"
            ).encode("latin-1")
            + (payload if method != "HEAD" else b"")
        )
        await writer.drain()
        return keep


def _name_from(method: str, parts: list[str], body: bytes) -> str:
    if method == "POST":
        text = body.decode("utf-8", "replace")
        if text.lstrip().startswith("{"):
            with contextlib.suppress(ValueError, AttributeError):
                return str(json.loads(text).get("username", ""))
            return ""
        return parse_qs(text).get("user", [""])[0]
    return unquote(parts[4]) if len(parts) > 4 and parts[3] == "u" else ""


async def serve(port: int, latency: float, body_bytes: int, summary: bool = True) -> None:
    farm = Farm(latency, body_bytes)
    server = await asyncio.start_server(
        farm.handle,
        "0.0.0.0",  # noqa: S104 - any 127.x.y.z; handle() drops every other peer
        port,
        backlog=4096,
        limit=MAX_HEAD,
        reuse_address=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    actual = server.sockets[0].getsockname()[1]
    print(f"READY {actual}", flush=True)
    async with server:
        await stop.wait()
    stats = {"requests": sum(farm.served.values()), "by_kind": dict(farm.served)}
    if summary:
        print(f"site farm stopped: {json.dumps(stats)}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="loopback site farm for the usernames benchmark")
    parser.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds before each answer")
    parser.add_argument("--body-bytes", type=int, default=4096, help="size of the HTML pages")
    parser.add_argument("--sites", type=int, default=2000, help="sites in --catalogue")
    parser.add_argument("--no-summary", action="store_true", help="no request counts at exit")
    parser.add_argument("--catalogue", help="write the WhatsMyName-format catalogue here and exit")
    args = parser.parse_args(argv)
    if args.catalogue:
        if not args.port:
            parser.error("--catalogue needs the --port the farm will listen on")
        with open(args.catalogue, "w", encoding="utf-8") as out:
            json.dump(generate_catalogue(args.sites, args.port), out, indent=1)
        return 0
    asyncio.run(serve(args.port, args.latency, args.body_bytes, not args.no_summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
