"""Fetch one public web page or image safely: typed, size-capped, public addresses only.

    page = await fetch_page(http, url)          # Page | None
    outcome = await fetch(http, url)            # Page | Refusal (with the reason)
    image = await fetch_image(http, url)        # Page (bytes in .content) | Refusal

Rules, checked for the first URL and again for every redirect hop BEFORE anything is sent
to it:

- scheme http or https only; no user:password in the URL;
- the host is not a local name ("localhost", "*.localhost", "*.local", "*.internal",
  "*.home.arpa", "*.localdomain") nor a numeric form that is not a plain IP address
  ("2130706433", "0x7f.1", "127.1": resolvers read these as IPs);
- a literal IP, and every address the host name resolves to, is public: loopback, private,
  link-local, multicast, reserved, unspecified, shared (100.64/10) and documentation ranges
  are refused, and so are IPv6 addresses that embed such an IPv4 address (IPv4-mapped
  ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16, Teredo). One non-public address among
  several refuses the host.

A page whose address (the first one or any redirect hop) looks like an account flow
(scanner.quiet: login, reset, token, …) is refused too: opening a leaked reset link could
act on an account. Photos are not screened this way (CDN addresses carry tokens).

The whole fetch (every hop: connect, headers and body) has PAGE_FETCH_SECONDS of wall time
(`deadline` replaces it): a server that drips its answer a byte at a time resets the
per-read timeout with every byte, and is a Refusal "took longer than N s" instead.

Redirects are followed by hand (at most `max_redirects`; a relative Location is resolved
against the URL that sent it). The final answer must be 2xx with a Content-Type in
`media_types` (for `fetch`, by default text/html or application/xhtml+xml; for
`fetch_image`, IMAGE_TYPES) and at most `max_bytes` long. The Http's own cap
(`HttpSettings.max_bytes`, 5 MB by default) applies to every response and raises
ResponseTooLarge first when it is smaller, so the effective cap is the smaller of the two.
Anything else is a Refusal, never an exception.

A Page keeps the body as bytes (`content`) with its `media_type`; `html` is the decoded text
when the body is HTML, and "" otherwise (an image). Nothing here looks inside an image:
scanner/photos.py reads its metadata.

Who resolves a host name decides the last check (resolver_for): when this computer
connects to the host itself, every address the system resolver gives must be public. When
a proxy carries the request (scanner.netpath: --proxy, --tor, HTTPS_PROXY, …) the proxy
resolves the name, and no look-up is made here: a local look-up would tell the local
resolver (an ISP, a shelter's router) every site the scan opens, which is what the proxy
is there to hide, and behind Tor or an outbound-only proxy it fails anyway. Then only the
name checks above apply, and refusing private addresses is the proxy's job (a proxy that
will not connect to one answers the CONNECT with an error, a "could not check" here). A
stand-in transport (a replayed world, a mock) connects nowhere: no look-up either.

Known limits: httpx resolves the host again when it connects, so a name whose DNS answer
changes between our check and the connection (DNS rebinding) is not caught. `resolve=`
replaces the resolver (tests).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from scanner.errors import ResponseTooLarge, SourceUnavailable
from scanner.http import Http
from scanner.limits import PAGE_FETCH_SECONDS
from scanner.quiet import looks_loud
from scanner.transports import REDIRECTS

MAX_BYTES = 2_000_000
IMAGE_MAX_BYTES = 8_000_000
MAX_REDIRECTS = 5
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
ACCEPT = "text/html,application/xhtml+xml;q=0.9"
# "image/jpg" is not registered but servers send it for JPEG files.
IMAGE_TYPES = frozenset(
    {"image/jpeg", "image/jpg", "image/png", "image/webp", "image/tiff", "image/heic", "image/heif"}
)
# Formats that keep their metadata come first: a CDN that re-encodes to WebP for browsers
# often drops it, and the original file is what anyone who saves the photo gets.
IMAGE_ACCEPT = (
    "image/jpeg,image/png,image/tiff;q=0.9,image/webp;q=0.8,image/heic;q=0.5,image/heif;q=0.5"
)
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".localdomain", ".lan")
_NUMERIC_HOST = re.compile(r"[0-9.]+|0x[0-9a-f.x]*|[0-9a-fx.]*\.0x[0-9a-f]*", re.IGNORECASE)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) -> the IP addresses (as strings) the host name resolves to
Resolver = Callable[[str, int], Awaitable[list[str]]]


@dataclass(frozen=True)
class Page:
    """A fetched page or image: the final URL (after redirects), its body, and when.

    `html` is the decoded text of an HTML body ("" for anything else); `content` is the
    body as it came and `media_type` its Content-Type without parameters ("image/jpeg").
    """

    url: str
    html: str
    fetched_at: datetime
    media_type: str = "text/html"
    content: bytes = b""


@dataclass(frozen=True)
class Refusal:
    """Why a URL gave no page: "redirect to 10.0.0.5 (private address) refused"."""

    url: str
    reason: str


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for host (loop.getaddrinfo)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def resolver_for(http: Http, url: httpx.URL) -> Resolver | None:
    """system_resolve when this computer connects to url's host itself; None (no look-up)
    when a proxy resolves the name or a stand-in transport answers (module docstring)."""
    return system_resolve if http.resolves_locally(url) else None


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]  # the client's address
    return None


def address_problem(ip: IPAddress) -> str | None:
    """Why this address must not be fetched from ("private address"), or None if public."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None and (problem := address_problem(inner)) is not None:
            return f"IPv6 address embedding a {problem}"
        if ip.scope_id:
            return "scoped IPv6 address"
    checks = (
        (ip.is_unspecified, "unspecified address"),
        (ip.is_loopback, "loopback address"),
        (ip.is_link_local, "link-local address"),
        (ip.is_multicast, "multicast address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED, "shared (carrier NAT) address"),
        (ip.is_reserved, "reserved address"),
        (ip.is_private, "private address"),
        (not ip.is_global, "non-public address"),
    )
    for bad, what in checks:
        if bad:
            return what
    return None


def _literal_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def url_problem(url: httpx.URL) -> str | None:
    """What is wrong with the URL itself (scheme, credentials, host name), or None."""
    if url.scheme not in ("http", "https"):
        return f"scheme {url.scheme or '(none)'!r} is not http(s)"
    if url.userinfo:
        return "URL carries a user name or password"
    host = url.host.lower().rstrip(".")
    if not host:
        return "URL has no host"
    if (ip := _literal_ip(host)) is not None:
        problem = address_problem(ip)
        return f"{host} is a {problem}" if problem else None
    if host in LOCAL_NAMES or host.endswith(LOCAL_SUFFIXES):
        return f"{host} is a local host name"
    if _NUMERIC_HOST.fullmatch(host) or "." not in host:
        return f"{host} is not a public host name"
    return None


def account_page(url: httpx.URL) -> str | None:
    """What a page address is when it looks like an account flow ("an account page (login)").

    Only http(s) addresses: url_problem names what is wrong with any other.
    """
    if url.scheme not in ("http", "https"):
        return None
    loud = looks_loud(url.path, str(url.query, "ascii", "replace"))
    return f"an account page ({loud})" if loud else None


async def host_problem(url: httpx.URL, resolve: Resolver | None) -> str | None:
    """url_problem, then every address the host resolves to must be public (with no
    resolver, the name is resolved elsewhere: only url_problem applies)."""
    if (problem := url_problem(url)) is not None:
        return problem
    host = url.host.lower().rstrip(".")
    if _literal_ip(host) is not None or resolve is None:
        return None
    try:
        addresses = await resolve(host, url.port or (443 if url.scheme == "https" else 80))
    except (OSError, UnicodeError) as exc:
        return f"{host} could not be resolved ({type(exc).__name__})"
    if not addresses:
        return f"{host} could not be resolved"
    for text in addresses:
        ip = _literal_ip(text.split("%", 1)[0])
        if ip is None:
            return f"{host} resolved to something that is not an IP address"
        if (problem := address_problem(ip)) is not None:
            return f"{host} resolves to {ip}, a {problem}"
    return None


def _media_type(response: httpx.Response) -> str:
    value = str(response.headers.get("content-type", ""))
    return value.split(";", 1)[0].strip().lower()


async def fetch(
    http: Http,
    url: str,
    *,
    media_types: frozenset[str] = HTML_TYPES,
    accept: str = ACCEPT,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    resolve: Resolver | None = None,
    deadline: float | None = None,
) -> Page | Refusal:
    """GET url by the rules above: the Page, or a Refusal saying why not.

    `media_types` are the Content-Types accepted for the final answer (lower case, without
    parameters) and `accept` the Accept header sent with every hop. `resolve` replaces
    resolver_for's choice for every hop. `deadline`: seconds of wall time for the whole
    fetch (PAGE_FETCH_SECONDS when None).
    """
    seconds = PAGE_FETCH_SECONDS if deadline is None else deadline
    limit = asyncio.timeout(seconds)
    try:
        async with limit:
            return await _follow(http, url, media_types, accept, max_bytes, max_redirects, resolve)
    except TimeoutError:
        if not limit.expired():
            raise
        return Refusal(url, f"took longer than {seconds:g} s")


async def _follow(
    http: Http,
    url: str,
    media_types: frozenset[str],
    accept: str,
    max_bytes: int,
    max_redirects: int,
    resolve: Resolver | None,
) -> Page | Refusal:
    """fetch() without its deadline: the hops, each checked before it is sent."""
    noun, wanted = _nouns(media_types)
    too_big = f"{noun} larger than the size cap ({max_bytes} bytes)"
    try:
        current = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        return Refusal(url, f"not a valid URL ({exc})")
    hops = 0
    while True:
        problem = account_page(current) if media_types is HTML_TYPES else None
        lookup = resolve if resolve is not None else resolver_for(http, current)
        problem = problem or await host_problem(current, lookup)
        if problem is not None:
            where = "redirect to " if hops else ""
            return Refusal(str(current), f"{where}{problem}: refused")
        try:
            response = await http.request(
                "GET", str(current), headers={"Accept": accept}, follow_redirects=False
            )
        except ResponseTooLarge:
            return Refusal(str(current), too_big)
        except SourceUnavailable as exc:
            return Refusal(str(current), str(exc))
        if response.status_code in REDIRECTS:
            location = response.headers.get("location", "").strip()
            if not location:
                return Refusal(str(current), f"HTTP {response.status_code} without a Location")
            hops += 1
            if hops > max_redirects:
                return Refusal(str(current), f"more than {max_redirects} redirects")
            try:
                current = current.join(location)
            except (httpx.InvalidURL, ValueError) as exc:
                return Refusal(str(current), f"bad redirect Location ({exc})")
            continue
        if not 200 <= response.status_code < 300:
            return Refusal(str(current), f"HTTP {response.status_code}")
        media = _media_type(response)
        if media not in media_types:
            return Refusal(str(current), f"not {wanted} ({media or 'no Content-Type'})")
        if len(response.content) > max_bytes:
            return Refusal(str(current), too_big)
        text = response.text if media in HTML_TYPES else ""
        return Page(str(current), text, datetime.now(UTC), media, response.content)


def _nouns(media_types: frozenset[str]) -> tuple[str, str]:
    """How refusals name what was wanted: ("page", "an HTML page"), ("image", …)."""
    if media_types and media_types <= HTML_TYPES:
        return "page", "an HTML page"
    if media_types and all(t.startswith("image/") for t in media_types):
        return "image", "a supported image"
    return "response", "an accepted type"


async def fetch_page(
    http: Http,
    url: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    resolve: Resolver | None = None,
) -> Page | None:
    """The Page at url, or None when fetch() refuses it (see there for the reason)."""
    outcome = await fetch(
        http, url, max_bytes=max_bytes, max_redirects=max_redirects, resolve=resolve
    )
    return outcome if isinstance(outcome, Page) else None


async def fetch_image(
    http: Http,
    url: str,
    *,
    max_bytes: int = IMAGE_MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    resolve: Resolver | None = None,
) -> Page | Refusal:
    """The image at url (JPEG, PNG, WebP, TIFF or HEIC) by the same rules as pages.

    The Page's `content` holds the bytes and `media_type` the type the server gave; its
    `html` is "". The bytes are not looked at here: the Content-Type decides.
    """
    return await fetch(
        http,
        url,
        media_types=IMAGE_TYPES,
        accept=IMAGE_ACCEPT,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
        resolve=resolve,
    )
