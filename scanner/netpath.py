"""The network path of a scan: which proxy carries each request, which CA is trusted, who
resolves host names. Decided once, from the flags and the environment, and then read by
every client (httpx, the ddgs search client, page reading, the report and `doctor`).

    path = network_path(proxy="socks5h://127.0.0.1:9050", ca_bundle=None, tor=False)
    path.proxy_for("https://example.com/")   # Proxy(...) or None (straight to the site)
    path.route()                             # what the report says (no credentials)

Where a proxy comes from, first match wins:

1. `--tor`: the local Tor client's SOCKS port (find_tor: 127.0.0.1:9050, then 9150, or
   EXPOSURE_AUDIT_TOR=HOST:PORT). No Tor client answering is an InputError: a scan never
   falls back to a direct connection.
2. `--proxy URL`: every request, NO_PROXY ignored (as httpx does for an explicit proxy).
3. The environment, as curl and httpx read it: `https_proxy` / `HTTPS_PROXY` for https
   addresses, `http_proxy` / `HTTP_PROXY` for http ones, `all_proxy` / `ALL_PROXY` for
   either (lower case wins); `no_proxy` / `NO_PROXY` lists hosts that go straight.

A redirect hop takes the proxy that carried the answer pointing to it (Hops), even where
the path alone would send it straight there: with only HTTPS_PROXY set, an https page
redirecting to http:// is fetched through the HTTPS proxy, not directly. Only NO_PROXY
sends such a hop straight.

Schemes: http, https (the proxy itself over TLS), socks5h and socks5. Through any proxy
the proxy resolves names: an HTTP proxy gets `CONNECT host:port`, and httpx sends SOCKS5
targets as names whatever the scheme, so a `socks5://` proxy is used as `socks5h://`
(clients that would resolve names themselves for `socks5://`, like the ddgs client, get
the `h` form too). Credentials in a proxy URL are used, never shown: `Proxy.shown` and the
report carry scheme, host and port only.

CA: `--ca-bundle`, else SSL_CERT_FILE, else SSL_CERT_DIR, else the certifi bundle httpx
ships. Nothing else in the environment is read (httpx runs with trust_env=False, so a
.netrc never adds credentials to a request).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from scanner.errors import InputError
from scanner.models import NetworkRoute
from scanner.transports import REDIRECTS

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
TOR_ENV = "EXPOSURE_AUDIT_TOR"
TOR_PORTS = (("127.0.0.1", 9050), ("127.0.0.1", 9150))  # tor daemon, Tor Browser
TOR_PROBE_SECONDS = 2.0

# (variable names, lower case first) -> which addresses they carry
_ENV_PROXIES = (
    (("https_proxy", "HTTPS_PROXY"), "https"),
    (("http_proxy", "HTTP_PROXY"), "http"),
    (("all_proxy", "ALL_PROXY"), "all"),
)
_NO_PROXY = ("no_proxy", "NO_PROXY")
# Every variable that decides a network path (tests and the live demo clear them all).
NETWORK_VARIABLES = (
    "https_proxy",
    "HTTPS_PROXY",
    "http_proxy",
    "HTTP_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    TOR_ENV,
    "DDGS_PROXY",  # read by ddgs itself when the path sends web search straight there
)


@dataclass(frozen=True)
class Proxy:
    """One proxy. `url` may hold credentials: use `shown` wherever it is displayed."""

    url: str  # socks5:// already turned into socks5h://
    origin: str  # where it came from: "--tor", "--proxy", "HTTPS_PROXY", …

    @property
    def scheme(self) -> str:
        return httpx.URL(self.url).scheme

    @property
    def shown(self) -> str:
        """scheme://host:port, never the user name or password."""
        parsed = httpx.URL(self.url)
        host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
        port = f":{parsed.port}" if parsed.port is not None else ""
        return f"{parsed.scheme}://{host}{port}"


@dataclass(frozen=True)
class NetworkPath:
    """How requests leave this computer. The default: straight to each site, certifi's CAs."""

    https: Proxy | None = None  # carries https:// addresses
    http: Proxy | None = None  # carries http:// addresses
    no_proxy: tuple[str, ...] = ()  # hosts that go straight (environment proxies only)
    ca_bundle: Path | None = None  # a file of PEM certificates
    ca_dir: Path | None = None  # a c_rehash'ed folder (SSL_CERT_DIR)
    ca_origin: str | None = None  # "--ca-bundle", "SSL_CERT_FILE" or "SSL_CERT_DIR"

    @property
    def proxied(self) -> bool:
        """Whether any request can go through a proxy."""
        return self.https is not None or self.http is not None

    def proxy_for(self, url: httpx.URL | str) -> Proxy | None:
        """The proxy that carries a request to url, or None when it goes straight there."""
        target = httpx.URL(url) if isinstance(url, str) else url
        proxy = self.https if target.scheme == "https" else self.http
        if proxy is None or bypassed(target.host, target.port, self.no_proxy):
            return None
        return proxy

    def resolves_locally(self, url: httpx.URL | str) -> bool:
        """Whether a request to url makes this computer look the host name up itself."""
        return self.proxy_for(url) is None

    def hop_proxy(self, url: httpx.URL, carried_by: Proxy | None) -> Proxy | None:
        """The proxy for a redirect hop to url from an answer `carried_by` brought: the
        path's own, else the one that carried the answer (an http:// hop with only
        HTTPS_PROXY set stays behind it), unless NO_PROXY names the hop's host."""
        own = self.proxy_for(url)
        if own is not None or carried_by is None:
            return own
        return None if bypassed(url.host, url.port, self.no_proxy) else carried_by

    def route(self) -> NetworkRoute:
        """What the report says about the path (no credentials, no file paths)."""
        proxy = self.https or self.http
        if proxy is None:
            return NetworkRoute(proxy=None, via=None, dns="local")
        carried = tuple(
            scheme for scheme, by in (("https", self.https), ("http", self.http)) if by is not None
        )
        dns = "proxy" if len(carried) == 2 and not self.no_proxy else "partly local"
        return NetworkRoute(proxy.shown, proxy.origin, dns, self.no_proxy, carried)


def bypassed(host: str, port: int | None, entries: Iterable[str]) -> bool:
    """Whether NO_PROXY entries cover host: "*", a domain and its subdomains ("example.com",
    ".example.com", "*.example.com"), an IP address or a CIDR block; "host:port" only on
    that port."""
    host = host.lower().rstrip(".").strip("[]")
    for raw in entries:
        entry = raw.strip().lower()
        if entry == "*":
            return True
        entry, _, wanted_port = _split_port(entry)
        if wanted_port and port is not None and wanted_port != str(port):
            continue
        entry = entry.removeprefix("*").removeprefix(".").rstrip(".")
        if entry and (host == entry or host.endswith("." + entry) or _in_block(host, entry)):
            return True
    return False


def _split_port(entry: str) -> tuple[str, str, str]:
    if entry.startswith("["):  # [::1]:8080
        address, _, rest = entry[1:].partition("]")
        return address, ":", rest.removeprefix(":")
    if entry.count(":") == 1:
        return entry.partition(":")
    return entry, "", ""


def _in_block(host: str, entry: str) -> bool:
    try:
        return ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False


def parse_proxy(url: str, origin: str) -> Proxy:
    """A proxy URL checked for a usable scheme and host (InputError names the problem)."""
    text = url.strip()
    if "://" not in text:  # curl reads "host:port" as an HTTP proxy
        text = f"http://{text}"
    try:
        parsed = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise InputError(f"cannot use proxy from {origin}: not a URL ({exc})") from None
    if parsed.scheme not in PROXY_SCHEMES:
        raise InputError(
            f"cannot use proxy from {origin}: scheme {parsed.scheme!r} is not one of "
            "http, https, socks5h, socks5"
        )
    if not parsed.host:
        raise InputError(f"cannot use proxy from {origin}: the URL names no host")
    if parsed.scheme == "socks5":
        text = "socks5h" + text[len("socks5") :]
    return Proxy(text, origin)


def network_path(
    proxy: str | None = None,
    ca_bundle: Path | None = None,
    *,
    tor: bool = False,
    environ: Mapping[str, str] | None = None,
) -> NetworkPath:
    """The path a scan will take (module docstring). InputError for an unusable setting,
    and for --tor when no Tor client answers."""
    env = os.environ if environ is None else environ
    ca_file, ca_dir, ca_origin = _ca(ca_bundle, env)
    if tor and proxy is not None:
        raise InputError("use --tor or --proxy, not both")
    if tor:
        found = find_tor(tor_candidates(env))
        if found is None:
            tried = ", ".join(f"{h}:{p}" for h, p in tor_candidates(env))
            raise InputError(
                f"--tor: no Tor client answers at {tried}; start Tor (or Tor Browser) and "
                "try again. Nothing was sent."
            )
        chosen = Proxy(f"socks5h://{found[0]}:{found[1]}", "--tor")
        return NetworkPath(chosen, chosen, (), ca_file, ca_dir, ca_origin)
    if proxy is not None:
        chosen = parse_proxy(proxy, "--proxy")
        return NetworkPath(chosen, chosen, (), ca_file, ca_dir, ca_origin)
    found_env = {
        carries: parse_proxy(env[name], name)
        for names, carries in _ENV_PROXIES
        if (name := _first_set(names, env)) is not None
    }
    fallback = found_env.get("all")
    no_proxy_var = _first_set(_NO_PROXY, env)
    no_proxy = env[no_proxy_var] if no_proxy_var else ""
    entries = tuple(e.strip() for e in no_proxy.split(",") if e.strip())
    return NetworkPath(
        found_env.get("https", fallback),
        found_env.get("http", fallback),
        entries,
        ca_file,
        ca_dir,
        ca_origin,
    )


def _first_set(names: Iterable[str], env: Mapping[str, str]) -> str | None:
    return next((name for name in names if env.get(name, "").strip()), None)


def _ca(flag: Path | None, env: Mapping[str, str]) -> tuple[Path | None, Path | None, str | None]:
    if flag is not None:
        return flag, None, "--ca-bundle"
    if env.get("SSL_CERT_FILE"):
        return Path(env["SSL_CERT_FILE"]), None, "SSL_CERT_FILE"
    if env.get("SSL_CERT_DIR"):
        return None, Path(env["SSL_CERT_DIR"]), "SSL_CERT_DIR"
    return None, None, None


def tor_candidates(env: Mapping[str, str] | None = None) -> list[tuple[str, int]]:
    """Where a Tor client may listen: EXPOSURE_AUDIT_TOR=HOST:PORT (or PORT, on 127.0.0.1),
    else 127.0.0.1:9050 then 127.0.0.1:9150."""
    value = (os.environ if env is None else env).get(TOR_ENV, "").strip()
    if not value:
        return list(TOR_PORTS)
    host, _, port = value.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"{TOR_ENV} must be HOST:PORT or PORT, not {value!r}")
    return [(host.strip("[]") or "127.0.0.1", int(port))]


def find_tor(
    candidates: Iterable[tuple[str, int]], timeout: float = TOR_PROBE_SECONDS
) -> tuple[str, int] | None:
    """The first address where a SOCKS5 server answers the no-authentication greeting.

    Only the greeting is sent (RFC 1928: version 5, one method, "no authentication"), to
    a local port: nothing about the subject, and nothing leaves the machine."""
    for host, port in candidates:
        if socks5_answers(host, port, timeout):
            return host, port
    return None


def socks5_answers(host: str, port: int, timeout: float = TOR_PROBE_SECONDS) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"\x05\x01\x00")
            reply = sock.recv(2)
    except OSError:
        return False
    return reply == b"\x05\x00"


def tls_context(path: NetworkPath) -> ssl.SSLContext:
    """The TLS context every client of the scan uses: the path's CA file or folder, else
    certifi's bundle (httpx's default). An unusable CA is an InputError naming it."""
    if path.ca_bundle is not None:
        return _ca_file_context(path.ca_bundle, path.ca_origin)
    if path.ca_dir is not None:
        if not path.ca_dir.is_dir():
            raise InputError(f"CA folder not found: {path.ca_dir} (from {path.ca_origin})")
        return ssl.create_default_context(capath=str(path.ca_dir))
    return httpx.create_ssl_context(trust_env=False)


def _ca_file_context(file: Path, origin: str | None) -> ssl.SSLContext:
    """Trust exactly the certificates in `file` (what httpx's deprecated verify=<str> did)."""
    where = f" (from {origin})" if origin and origin != "--ca-bundle" else ""
    if not file.is_file():
        raise InputError(f"CA bundle not found: {file}{where}")
    try:
        return ssl.create_default_context(cafile=str(file))
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        raise InputError(
            f"CA bundle {file}{where} holds no usable PEM certificates: {exc}"
        ) from None


class Hops:
    """Where proxied answers redirected to (address -> the proxy that carried the answer),
    so each hop takes the proxy of the hop before it: a scan's memory, shared by every
    PathTransport and read by Http.resolves_locally. At most MAX addresses (oldest go)."""

    MAX = 4096

    def __init__(self, path: NetworkPath) -> None:
        self._path = path
        self._carried: dict[str, Proxy] = {}

    def proxy_for(self, url: httpx.URL) -> Proxy | None:
        """The proxy that carries a request to url: the path's, or the one a redirect to
        it came through."""
        return self._path.hop_proxy(url, self._carried.get(str(url)))

    def seen(self, request: httpx.Request, response: httpx.Response, proxy: Proxy | None) -> None:
        """Remember where a proxied redirect points, so its hop goes through `proxy` too."""
        location = response.headers.get("location", "").strip()
        if proxy is None or response.status_code not in REDIRECTS or not location:
            return
        try:
            target = request.url.join(location)
        except (httpx.InvalidURL, ValueError):
            return
        if self._path.proxy_for(target) is None and self._path.hop_proxy(target, proxy):
            self._carried.pop(str(target), None)
            self._carried[str(target)] = proxy
            while len(self._carried) > self.MAX:
                del self._carried[next(iter(self._carried))]


class PathTransport(httpx.AsyncBaseTransport):
    """Sends each request the way a NetworkPath says: through its proxy, or straight there.

    One httpx transport (one connection pool) per proxy and one for direct requests, all
    with the same TLS context and limits; `proxy_for` alone decides which one a request
    takes, so httpx, page reading and the report cannot disagree about the route. With
    `hops`, a redirect hop takes the proxy that carried the answer pointing to it.
    """

    def __init__(
        self,
        path: NetworkPath,
        verify: ssl.SSLContext,
        limits: httpx.Limits,
        hops: Hops | None = None,
    ) -> None:
        self._path = path
        self._hops = hops or Hops(path)
        self._direct = httpx.AsyncHTTPTransport(verify=verify, limits=limits, trust_env=False)
        self._proxied: dict[str, httpx.AsyncHTTPTransport] = {}
        self._socks_errors: tuple[type[Exception], ...] = ()
        for proxy in (path.https, path.http):
            if proxy is not None and proxy.url not in self._proxied:
                self._proxied[proxy.url] = _proxy_transport(proxy, verify, limits)
        if any(url.startswith("socks") for url in self._proxied):
            from socksio.exceptions import SOCKSError  # installed: _proxy_transport checked

            self._socks_errors = (SOCKSError,)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        proxy = self._hops.proxy_for(request.url)
        if proxy is None:
            return await self._direct.handle_async_request(request)
        try:
            response = await self._proxied[proxy.url].handle_async_request(request)
        except self._socks_errors as exc:  # httpcore lets socksio's errors through
            raise httpx.ProxyError(f"the SOCKS proxy broke off ({exc})", request=request) from exc
        self._hops.seen(request, response, proxy)
        return response

    async def aclose(self) -> None:
        await self._direct.aclose()
        for transport in self._proxied.values():
            await transport.aclose()


def _proxy_transport(
    proxy: Proxy, verify: ssl.SSLContext, limits: httpx.Limits
) -> httpx.AsyncHTTPTransport:
    try:
        return httpx.AsyncHTTPTransport(
            proxy=proxy.url, verify=verify, limits=limits, trust_env=False
        )
    except ImportError:  # socksio, httpx's "socks" extra
        raise InputError(
            f"cannot use proxy from {proxy.origin}: SOCKS needs the socksio package "
            "(pip install 'httpx[socks]')"
        ) from None
    except (ValueError, httpx.InvalidURL) as exc:
        raise InputError(f"cannot use proxy from {proxy.origin}: {exc}") from None


def describe_route(route: NetworkRoute) -> tuple[str, str]:
    """Where requests go and who resolves host names, as two phrases the report and
    `doctor` both print after "Network path:" and "Host names:"."""
    if route.dns == "none":
        return "answered on this computer from a recorded world (nothing left it)", "none looked up"
    if route.proxy is None:
        return (
            "straight to each site (no proxy)",
            "looked up by this computer's DNS resolver, which sees the name of every site",
        )
    where = f"through the proxy {route.proxy} (set by {route.via})"
    if route.dns == "proxy":
        return where, "looked up by the proxy; this computer looks up none"
    straight = []
    for scheme in ("https", "http"):
        if scheme not in route.carried:
            straight.append(f"{scheme}:// addresses")
    if route.bypass:
        straight.append(f"hosts in NO_PROXY ({', '.join(route.bypass)})")
    return (
        where,
        "looked up by the proxy for what it carries, and by this computer for what goes "
        f"straight there: {' and '.join(straight)}",
    )
