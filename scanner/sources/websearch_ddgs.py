"""DuckDuckGo for the web search: the `ddgs` package live, its HTML page through Http otherwise.

Live (checked against ddgs 9.16):

    DDGS(proxy=, timeout=, verify=).text(query, backend=<engine>, max_results=10)

runs in a worker thread and returns dicts with "title", "href" and "body"
(ddgs.results.TextResult, already unescaped). The engine is one of the installed ddgs's text
engines (ddgs.engines.ENGINES["text"]); "duckduckgo" POSTs to html.duckduckgo.com/html/.
"auto", "all" and comma lists are refused: they would send each query to several services.
A new DDGS is made for each query, so no cookie links one query to the next; ddgs follows
redirects itself. Errors (ddgs.exceptions): RatelimitException -> Blocked; TimeoutException
and other DDGSException -> SourceUnavailable. ddgs answers an empty page and a refused one
(any status but 200) alike, DDGSException("No results found."): returned as None.
Proxy and CA: the scan's network path (scanner.netpath), the same one httpx uses: the
proxy that carries the engine's address (always in a form where the proxy resolves names:
socks5h, or an HTTP CONNECT), the CA file of --ca-bundle / SSL_CERT_FILE. Where the path
sends the engine's address straight there, ddgs still reads DDGS_PROXY itself.

Not live (a replayed world, tests): GET https://html.duckduckgo.com/html/?q=<query> through
Http, redirects not followed, read by `parse_html` (see scanner.sources.websearch).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote, unquote, urlencode, urlsplit

from selectolax.lexbor import LexborHTMLParser

from scanner.errors import Blocked, SourceUnavailable
from scanner.http import Http
from scanner.models import SentRequest
from scanner.sources.websearch_plan import Query, SearchResult, make_result, web_url

DUCKDUCKGO = "duckduckgo"
DDG_HTML = "https://html.duckduckgo.com/html/"
BLOCK_PAGE = "form#challenge-form, .anomaly-modal__modal, .anomaly-modal__title"
NO_RESULTS = ".no-results, div.result--no-result, div.web-result"


class TextSearch(Protocol):
    def text(self, query: str, **kwargs: Any) -> list[dict[str, Any]]: ...


DdgsFactory = Callable[..., TextSearch]


def decode_link(href: str) -> str:
    """A result link's target: //duckduckgo.com/l/?uddg=<target>&rut=… -> target.

    Takes the url-encoded form (DuckDuckGo's page) and ddgs's unescaped one (where the
    target may hold "&", so the cut is at the last "&rut="). "" for other links to
    duckduckgo.com (ads: y.js) and for anything that is not an http(s) address.
    """
    url = web_url(href)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host != "duckduckgo.com" and not host.endswith(".duckduckgo.com"):
        return url
    if parts.path != "/l/" or not parts.query.startswith("uddg="):
        return ""
    target = parts.query.removeprefix("uddg=")
    cut = target.rfind("&rut=")
    target = target[:cut] if cut >= 0 else target
    if target.lower().startswith(("http%3a", "https%3a")):
        target = unquote(target)
    target = web_url(target)
    return "" if "duckduckgo.com" in (urlsplit(target).hostname or "").lower() else target


def parse_html(status: int, html: str, query: Query) -> list[SearchResult]:
    """The organic results of a DuckDuckGo HTML page (ads skipped), in page order."""
    tree = LexborHTMLParser(html)
    if status == 202 or tree.css_first(BLOCK_PAGE) is not None:
        raise Blocked("DuckDuckGo showed its bot check (a captcha); try again later")
    found: list[SearchResult] = []
    for node in tree.css("div.result"):
        classes = (node.attributes.get("class") or "").split()
        link = node.css_first("a.result__a")
        if link is None or "result--ad" in classes or "result--no-result" in classes:
            continue
        if url := decode_link(link.attributes.get("href") or ""):
            snippet = node.css_first(".result__snippet")
            found.append(make_result(url, link.text(), snippet.text() if snippet else "", query))
    if found or tree.css_first(NO_RESULTS) is not None or "No  results." in html:
        return found
    raise SourceUnavailable("DuckDuckGo sent a page in an unknown shape (no results list)")


def load_ddgs() -> DdgsFactory:
    """ddgs's DDGS class (SourceUnavailable when the package is missing)."""
    try:
        from ddgs import DDGS
    except ImportError as exc:
        raise SourceUnavailable("the ddgs package is not installed (pip install ddgs)") from exc
    return DDGS


def endpoint(engine: str) -> tuple[str, str]:
    """(method, URL) of a ddgs text engine; SourceUnavailable for an unknown name."""
    try:
        from ddgs.engines import ENGINES
    except ImportError as exc:
        raise SourceUnavailable("the ddgs package is not installed (pip install ddgs)") from exc
    engines = ENGINES.get("text", {})
    found = engines.get(engine)
    if found is None:
        names = ", ".join(sorted(engines))
        raise SourceUnavailable(
            f"unknown search backend {engine!r}: use one of {names}, or a SearXNG URL"
        )
    url = str(getattr(found, "search_url", "")).split("?", 1)[0]
    return str(getattr(found, "search_method", "GET")), url


def ddgs_options(http: Http, url: str = DDG_HTML) -> dict[str, Any]:
    """DDGS(proxy=, verify=, timeout=) from the scan's network path, as httpx applies it."""
    proxy = http.path.proxy_for(url)
    ca_file = http.path.ca_bundle
    return {
        "proxy": proxy.url if proxy is not None else None,
        "verify": str(ca_file) if ca_file is not None else True,
        "timeout": max(1, math.ceil(http.settings.timeout)),
    }


async def ddgs_text(
    http: Http, factory: DdgsFactory, engine: str, query: str, max_results: int
) -> list[dict[str, Any]] | None:
    """ddgs's answer to one query, or None for "No results found." (empty or refused).

    The query is added to http.sent (status unknown: ddgs does not say), so the report's
    list of what was sent where includes it.
    """
    from ddgs.exceptions import DDGSException, RatelimitException, TimeoutException

    method, url = endpoint(engine)
    client = factory(**ddgs_options(http, url))
    shown = f"{url}?{urlencode({'q': query}, quote_via=quote)}"
    http.sent.append(SentRequest(method, shown, None, datetime.now(UTC)))
    try:
        items = await asyncio.to_thread(client.text, query, backend=engine, max_results=max_results)
    except RatelimitException as exc:
        raise Blocked(f"{engine} rate limit reached (ddgs: {_short(exc)})") from exc
    except TimeoutException as exc:
        raise SourceUnavailable(f"{engine} timed out{_through(http, url)} (ddgs)") from exc
    except DDGSException as exc:
        if "no results found" in str(exc).lower():
            return None
        through = _through(http, url)
        raise SourceUnavailable(f"{engine} search failed{through} (ddgs: {_short(exc)})") from exc
    if not isinstance(items, list):
        raise SourceUnavailable("ddgs returned something other than a list of results")
    return items


def _through(http: Http, url: str) -> str:
    """ " through the proxy socks5h://…" when one carries url, else "" (for error lines)."""
    proxy = http.path.proxy_for(url)
    return f" through the proxy {proxy.shown}" if proxy is not None else ""


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__
