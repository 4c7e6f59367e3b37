"""Safe page and image fetching: by type, size cap, redirects only to public addresses.

Responses come from an httpx.MockTransport and host names from a fake resolver: no DNS,
no socket. Every refusal test also checks that nothing was sent to the refused host.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import pytest

from scanner.http import Http, HttpSettings
from scanner.netpath import network_path
from scanner.pagefetch import (
    ACCEPT,
    IMAGE_ACCEPT,
    IMAGE_MAX_BYTES,
    IMAGE_TYPES,
    Page,
    Refusal,
    address_problem,
    fetch,
    fetch_image,
    fetch_page,
    resolver_for,
    system_resolve,
    url_problem,
)
from tests.support import FAST, mock_http

HTML = "<html><body><p>Jordan Testwell, Springfield</p></body></html>"
PUBLIC = {"blog.example.com": ["93.184.215.14"], "www.example.org": ["2606:2800:21f:cb07::1"]}


class FakeResolver:
    """Answers from a table; records every name looked up."""

    def __init__(self, table: Mapping[str, list[str]] = PUBLIC) -> None:
        self.table = dict(table)
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.table:
            raise OSError("name not known")
        return self.table[host]


def html(body: str = HTML, content_type: str = "text/html; charset=utf-8") -> httpx.Response:
    return httpx.Response(200, headers={"Content-Type": content_type}, text=body)


def redirect(location: str, status: int = 302) -> httpx.Response:
    return httpx.Response(status, headers={"Location": location})


class Site:
    """Mock transport handler: answers per URL, records what was requested."""

    def __init__(self, routes: Mapping[str, httpx.Response]) -> None:
        self.routes = dict(routes)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.routes.get(str(request.url), httpx.Response(404))

    @property
    def urls(self) -> list[str]:
        return [str(r.url) for r in self.requests]


def run_fetch(
    site: Callable[[httpx.Request], httpx.Response],
    url: str,
    resolver: FakeResolver | None = None,
    settings: HttpSettings = FAST,
    **kwargs: Any,
) -> Page | Refusal:
    async def go() -> Page | Refusal:
        async with mock_http(site, settings) as http:
            return await fetch(http, url, resolve=resolver or FakeResolver(), **kwargs)

    return asyncio.run(go())


def test_fetches_an_html_page() -> None:
    site = Site({"https://blog.example.com/about": html()})
    resolver = FakeResolver()
    outcome = run_fetch(site, "https://blog.example.com/about", resolver)
    assert isinstance(outcome, Page)
    assert outcome.url == "https://blog.example.com/about"
    assert outcome.html == HTML
    assert outcome.fetched_at.tzinfo is not None
    assert site.urls == ["https://blog.example.com/about"]
    assert site.requests[0].headers["accept"] == ACCEPT
    assert resolver.asked == ["blog.example.com"]


def test_fetch_page_returns_page_or_none() -> None:
    site = Site(
        {
            "https://blog.example.com/": html(),
            "https://blog.example.com/x.pdf": html("%PDF", "application/pdf"),
        }
    )

    async def go() -> tuple[Page | None, Page | None]:
        async with mock_http(site) as http:
            good = await fetch_page(http, "https://blog.example.com/", resolve=FakeResolver())
            bad = await fetch_page(http, "https://blog.example.com/x.pdf", resolve=FakeResolver())
            return good, bad

    good, bad = asyncio.run(go())
    assert good is not None
    assert good.html == HTML
    assert bad is None


def test_xhtml_is_html() -> None:
    site = Site({"https://blog.example.com/": html(content_type="application/xhtml+xml")})
    assert isinstance(run_fetch(site, "https://blog.example.com/"), Page)


def test_follows_relative_and_cross_host_redirects() -> None:
    site = Site(
        {
            "http://blog.example.com/old": redirect("/new", 301),
            "http://blog.example.com/new": redirect("https://www.example.org/final?x=1"),
            "https://www.example.org/final?x=1": html(),
        }
    )
    resolver = FakeResolver()
    outcome = run_fetch(site, "http://blog.example.com/old", resolver)
    assert isinstance(outcome, Page)
    assert outcome.url == "https://www.example.org/final?x=1"
    assert site.urls == [
        "http://blog.example.com/old",
        "http://blog.example.com/new",
        "https://www.example.org/final?x=1",
    ]
    assert resolver.asked == ["blog.example.com", "blog.example.com", "www.example.org"]


@pytest.mark.parametrize(
    ("location", "why"),
    [
        ("http://127.0.0.1/admin", "loopback"),
        ("http://127.8.9.10:8080/", "loopback"),
        ("http://10.1.2.3/", "private"),
        ("http://192.168.0.1/", "private"),
        ("http://172.16.5.4/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]/", "loopback"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[fd00::5]/", "private"),
        ("http://[::ffff:10.0.0.1]/", "embedding a private"),
        ("http://[::ffff:127.0.0.1]/", "embedding a loopback"),
        ("http://[64:ff9b::a9fe:a9fe]/", "embedding a link-local"),
        ("http://[2002:c0a8:0101::1]/", "embedding a private"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://100.64.1.1/", "shared"),
        ("http://240.0.0.1/", "reserved"),
        ("http://localhost/", "local host name"),
        ("http://LOCALHOST./", "local host name"),
        ("http://admin.localhost/", "local host name"),
        ("http://printer.local/", "local host name"),
        ("http://2130706433/", "not a public host name"),
        ("http://0x7f.1/", "not a public host name"),
        ("http://127.1/", "not a public host name"),
        ("http://intranet/", "not a public host name"),
        ("http://inside.example.net/", "192.168.7.7, a private address"),
        ("http://mixed.example.net/", "10.9.9.9, a private address"),
        ("http://nowhere.example.net/", "could not be resolved"),
        ("file:///etc/passwd", "scheme 'file'"),
        ("ftp://blog.example.com/x", "scheme 'ftp'"),
        ("http://user:secret@blog.example.com/", "user name or password"),
    ],
)
def test_redirect_to_a_non_public_place_is_refused(location: str, why: str) -> None:
    site = Site({"https://blog.example.com/go": redirect(location)})
    resolver = FakeResolver(
        {
            **PUBLIC,
            "inside.example.net": ["192.168.7.7"],
            "mixed.example.net": ["93.184.215.14", "10.9.9.9"],
        }
    )
    outcome = run_fetch(site, "https://blog.example.com/go", resolver)
    assert isinstance(outcome, Refusal)
    assert outcome.reason.startswith("redirect to ")
    assert why in outcome.reason
    assert outcome.reason.endswith("refused")
    assert site.urls == ["https://blog.example.com/go"]  # nothing sent to the target


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/", "http://[::1]:8080/", "http://localhost/", "javascript:alert(1)"]
)
def test_first_url_is_checked_too(url: str) -> None:
    site = Site({})
    outcome = run_fetch(site, url)
    assert isinstance(outcome, Refusal)
    assert not outcome.reason.startswith("redirect")
    assert site.urls == []


def test_literal_public_ip_needs_no_lookup() -> None:
    site = Site({"http://93.184.215.14/": html()})
    resolver = FakeResolver({})
    assert isinstance(run_fetch(site, "http://93.184.215.14/", resolver), Page)
    assert resolver.asked == []


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/pdf", "%PDF-1.7"),
        ("image/png", "\x89PNG"),
        ("application/json", '{"name": "Jordan Testwell"}'),
        ("text/plain", "Jordan Testwell"),
        ("", "<html></html>"),
    ],
)
def test_non_html_is_refused(content_type: str, body: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    site = Site({"https://blog.example.com/f": httpx.Response(200, headers=headers, text=body)})
    outcome = run_fetch(site, "https://blog.example.com/f")
    assert isinstance(outcome, Refusal)
    assert "not an HTML page" in outcome.reason


def test_page_over_the_callers_cap_is_refused() -> None:
    site = Site({"https://blog.example.com/big": html("<p>" + "x" * 5_000 + "</p>")})
    outcome = run_fetch(site, "https://blog.example.com/big", max_bytes=1_000)
    assert isinstance(outcome, Refusal)
    assert "size cap (1000 bytes)" in outcome.reason


def test_page_over_the_http_cap_is_refused() -> None:
    site = Site({"https://blog.example.com/big": html("<p>" + "x" * 5_000 + "</p>")})
    small = HttpSettings(backoff_initial=0.0, backoff_max=0.0, max_bytes=1_000)
    outcome = run_fetch(site, "https://blog.example.com/big", settings=small)
    assert isinstance(outcome, Refusal)
    assert "size cap" in outcome.reason


def test_too_many_redirects() -> None:
    site = Site({f"https://blog.example.com/{i}": redirect(f"/{i + 1}") for i in range(10)})
    outcome = run_fetch(site, "https://blog.example.com/0", max_redirects=3)
    assert isinstance(outcome, Refusal)
    assert outcome.reason == "more than 3 redirects"
    assert len(site.urls) == 4


def test_redirect_without_location_and_error_statuses() -> None:
    site = Site(
        {
            "https://blog.example.com/a": httpx.Response(302),
            "https://blog.example.com/b": httpx.Response(404, text="gone"),
        }
    )
    a = run_fetch(site, "https://blog.example.com/a")
    b = run_fetch(site, "https://blog.example.com/b")
    assert isinstance(a, Refusal)
    assert "without a Location" in a.reason
    assert isinstance(b, Refusal)
    assert b.reason == "HTTP 404"


def test_network_failure_is_a_refusal_not_an_exception() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    one_try = HttpSettings(attempts=1)
    outcome = run_fetch(broken, "https://blog.example.com/", settings=one_try)
    assert isinstance(outcome, Refusal)
    assert "blog.example.com" in outcome.reason


def test_address_problem_accepts_public_addresses() -> None:
    for text in ("93.184.215.14", "2606:2800:21f:cb07::1", "8.8.8.8"):
        assert address_problem(ipaddress.ip_address(text)) is None


def test_url_problem_plain_public_url() -> None:
    assert url_problem(httpx.URL("https://blog.example.com/a?b=c")) is None


def test_system_resolver_uses_the_event_loop() -> None:
    # 127.0.0.1 is a literal: getaddrinfo answers without DNS (the conftest guard allows it)
    assert asyncio.run(system_resolve("127.0.0.1", 80)) == ["127.0.0.1"]


def test_http_log_holds_only_the_allowed_requests() -> None:
    site = Site({"https://blog.example.com/go": redirect("http://10.0.0.8/")})

    async def go() -> Http:
        http = mock_http(site)
        async with http:
            await fetch(http, "https://blog.example.com/go", resolve=FakeResolver())
        return http

    http = asyncio.run(go())
    assert [s.url for s in http.sent] == ["https://blog.example.com/go"]


# --- images ------------------------------------------------------------------------

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"  # the bytes are not looked at


def image(body: bytes = JPEG, content_type: str = "image/jpeg") -> httpx.Response:
    return httpx.Response(200, headers={"Content-Type": content_type}, content=body)


def run_fetch_image(
    site: Callable[[httpx.Request], httpx.Response],
    url: str,
    resolver: FakeResolver | None = None,
    settings: HttpSettings = FAST,
    **kwargs: int,
) -> Page | Refusal:
    async def go() -> Page | Refusal:
        async with mock_http(site, settings) as http:
            return await fetch_image(http, url, resolve=resolver or FakeResolver(), **kwargs)

    return asyncio.run(go())


def test_html_page_keeps_its_bytes_and_type() -> None:
    site = Site({"https://blog.example.com/": html(content_type="text/html; charset=utf-8")})
    outcome = run_fetch(site, "https://blog.example.com/")
    assert isinstance(outcome, Page)
    assert outcome.media_type == "text/html"
    assert outcome.content == HTML.encode()


def test_fetches_an_image_as_bytes() -> None:
    site = Site({"https://blog.example.com/me.jpg": image()})
    outcome = run_fetch_image(site, "https://blog.example.com/me.jpg")
    assert isinstance(outcome, Page)
    assert outcome.content == JPEG
    assert outcome.media_type == "image/jpeg"
    assert outcome.html == ""
    assert site.requests[0].headers["accept"] == IMAGE_ACCEPT
    assert outcome.fetched_at.tzinfo is not None


@pytest.mark.parametrize(
    "content_type",
    ["image/png", "image/webp", "image/tiff", "image/heic", "image/heif", "IMAGE/JPG; q=1"],
)
def test_every_image_type_is_accepted(content_type: str) -> None:
    site = Site({"https://blog.example.com/p": image(b"bytes", content_type)})
    outcome = run_fetch_image(site, "https://blog.example.com/p")
    assert isinstance(outcome, Page)
    assert outcome.media_type in IMAGE_TYPES


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html", b"<html>not a photo</html>"),
        ("image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("image/gif", b"GIF89a"),
        ("application/octet-stream", JPEG),
        ("", JPEG),
    ],
)
def test_image_of_a_wrong_type_is_refused(content_type: str, body: bytes) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    site = Site({"https://blog.example.com/p": httpx.Response(200, headers=headers, content=body)})
    outcome = run_fetch_image(site, "https://blog.example.com/p")
    assert isinstance(outcome, Refusal)
    assert outcome.reason.startswith("not a supported image (")


def test_html_fetch_refuses_an_image() -> None:
    site = Site({"https://blog.example.com/p": image()})
    outcome = run_fetch(site, "https://blog.example.com/p")
    assert isinstance(outcome, Refusal)
    assert outcome.reason == "not an HTML page (image/jpeg)"


def test_image_over_the_callers_cap_is_refused() -> None:
    site = Site({"https://blog.example.com/big.jpg": image(JPEG * 100)})
    outcome = run_fetch_image(site, "https://blog.example.com/big.jpg", max_bytes=1_000)
    assert isinstance(outcome, Refusal)
    assert outcome.reason == "image larger than the size cap (1000 bytes)"


def test_image_over_the_http_cap_is_refused() -> None:
    site = Site({"https://blog.example.com/big.jpg": image(JPEG * 100)})
    small = HttpSettings(backoff_initial=0.0, backoff_max=0.0, max_bytes=1_000)
    outcome = run_fetch_image(site, "https://blog.example.com/big.jpg", settings=small)
    assert isinstance(outcome, Refusal)
    assert "image larger than the size cap" in outcome.reason


def test_image_default_cap() -> None:
    assert IMAGE_MAX_BYTES == 8_000_000


@pytest.mark.parametrize(
    "location",
    [
        "http://10.0.0.7/me.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/me.jpg",
        "http://photos.localhost/me.jpg",
        "http://inside.example.net/me.jpg",
    ],
)
def test_image_redirect_to_a_private_address_is_refused(location: str) -> None:
    site = Site({"https://blog.example.com/me.jpg": redirect(location)})
    resolver = FakeResolver({**PUBLIC, "inside.example.net": ["192.168.7.7"]})
    outcome = run_fetch_image(site, "https://blog.example.com/me.jpg", resolver)
    assert isinstance(outcome, Refusal)
    assert outcome.reason.startswith("redirect to ")
    assert outcome.reason.endswith("refused")
    assert site.urls == ["https://blog.example.com/me.jpg"]


def test_image_follows_a_public_redirect() -> None:
    site = Site(
        {
            "https://blog.example.com/me.jpg": redirect("https://www.example.org/cdn/me.jpg"),
            "https://www.example.org/cdn/me.jpg": image(),
        }
    )
    outcome = run_fetch_image(site, "https://blog.example.com/me.jpg")
    assert isinstance(outcome, Page)
    assert outcome.url == "https://www.example.org/cdn/me.jpg"
    assert outcome.content == JPEG


def test_fetch_takes_any_media_types() -> None:
    site = Site({"https://blog.example.com/data": image(b"{}", "application/json")})

    async def go() -> Page | Refusal:
        async with mock_http(site) as http:
            return await fetch(
                http,
                "https://blog.example.com/data",
                media_types=frozenset({"application/json"}),
                accept="application/json",
                resolve=FakeResolver(),
            )

    outcome = asyncio.run(go())
    assert isinstance(outcome, Page)
    assert outcome.content == b"{}"
    assert outcome.html == ""
    assert site.requests[0].headers["accept"] == "application/json"


def test_a_stand_in_transport_means_no_dns_but_the_other_rules_still_apply() -> None:
    site = Site({"https://blog.example.com/about": html()})

    async def go(url: str) -> Page | Refusal:
        async with mock_http(site, FAST) as http:
            assert not http.live
            assert resolver_for(http, httpx.URL(url)) is None
            return await fetch(http, url)  # the conftest guard would catch a look-up

    assert isinstance(asyncio.run(go("https://blog.example.com/about")), Page)
    for url in ("http://127.0.0.1/", "http://localhost/", "http://nas.local/", "http://10.1.2.3/"):
        assert isinstance(asyncio.run(go(url)), Refusal)
    assert site.urls == ["https://blog.example.com/about"]


def live_http(**environ: str) -> Http:
    """A live Http (no stand-in transport) on the path the given environment sets."""
    return Http(HttpSettings(path=network_path(environ=environ)))


def test_the_system_resolver_checks_hosts_this_computer_connects_to() -> None:
    http = live_http()
    assert resolver_for(http, httpx.URL("https://blog.example.com/")) is system_resolve


@pytest.mark.parametrize(
    "environ",
    [
        {"HTTPS_PROXY": "http://proxy.example:3128"},
        {"ALL_PROXY": "socks5h://127.0.0.1:9050"},
        {"https_proxy": "socks5://127.0.0.1:9050"},
    ],
)
def test_no_local_look_up_when_a_proxy_carries_the_request(environ: dict[str, str]) -> None:
    http = live_http(**environ)
    assert resolver_for(http, httpx.URL("https://blog.example.com/")) is None


def test_hosts_that_bypass_the_proxy_are_checked_here() -> None:
    http = live_http(HTTPS_PROXY="http://proxy.example:3128", NO_PROXY="example.org")
    assert resolver_for(http, httpx.URL("https://blog.example.com/")) is None
    assert resolver_for(http, httpx.URL("https://www.example.org/")) is system_resolve
    # HTTPS_PROXY carries https:// addresses only: an http:// page goes straight there
    assert resolver_for(http, httpx.URL("http://blog.example.com/")) is system_resolve


def test_through_a_proxy_names_are_not_looked_up_and_literal_addresses_still_refused() -> None:
    def go(url: str) -> Page | Refusal:
        async def run() -> Page | Refusal:
            async with live_http(HTTPS_PROXY="http://proxy.example:3128") as http:
                return await fetch(http, url)

        return asyncio.run(run())

    for url in ("https://10.0.0.5/", "https://localhost/x", "https://[::ffff:127.0.0.1]/"):
        outcome = go(url)
        assert isinstance(outcome, Refusal)
        assert outcome.reason.endswith(": refused")
    local = go("https://nas.local/")
    assert isinstance(local, Refusal)
    assert local.reason == "nas.local is a local host name: refused"


@pytest.mark.parametrize(
    "location",
    ["/login?next=/about", "https://accounts.example.com/password/reset?token=abc"],
)
def test_a_redirect_into_an_account_flow_is_refused(location: str) -> None:
    site = Site({"https://blog.example.com/about": redirect(location)})
    outcome = run_fetch(site, "https://blog.example.com/about")
    assert isinstance(outcome, Refusal)
    assert "redirect to an account page" in outcome.reason
    assert site.urls == ["https://blog.example.com/about"]


def test_a_page_address_that_looks_like_an_account_flow_is_never_requested() -> None:
    site = Site({})
    outcome = run_fetch(site, "https://accounts.example.com/password/reset?token=abc")
    assert isinstance(outcome, Refusal)
    assert outcome.reason == "an account page (password): refused"
    assert site.urls == []


def test_photo_addresses_are_not_screened_for_account_words() -> None:
    url = "https://blog.example.com/img/garden.jpg?token=abc"  # a signed CDN address
    site = Site({url: image()})
    assert isinstance(run_fetch_image(site, url), Page)
