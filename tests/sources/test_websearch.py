"""Web search source: DuckDuckGo's page, SearXNG's JSON, the ddgs backend, and what is sent."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import certifi
import httpx
import pytest
from ddgs.exceptions import DDGSException, RatelimitException, TimeoutException

from scanner.errors import Blocked, SourceUnavailable
from scanner.http import Http, HttpSettings
from scanner.models import Kind, Location, Profile, SourceResult
from scanner.netpath import network_path
from scanner.sources import websearch
from scanner.sources.websearch import SearchResult, WebSearchSource, parse_searxng
from scanner.sources.websearch_ddgs import ddgs_options, decode_link, load_ddgs, parse_html
from scanner.sources.websearch_plan import Query, observations_in, query_plan
from tests.support import JORDAN, REPLAY, mock_http, page, page_bytes, shared_file

DDG = "https://html.duckduckgo.com/html/"
SEARX = "https://search.example.org"
FIRST = '"Jordan Testwell" "Springfield" IL'
Q = Query(FIRST, "why", ("Jordan Testwell",))
RESULTS = page_bytes("websearch/ddg_results.html").decode()
NO_RESULTS = page_bytes("websearch/ddg_no_results.html").decode()
ANOMALY = page_bytes("websearch/ddg_anomaly.html").decode()
PARSED = [
    "https://blog.example.com/about/",
    "https://people.example.net/name/jordan-testwell/springfield-il?id=42&src=ddg",
    "https://forum.example.org/t/1234",
    "http://blog.example.com/about#top",
    "https://news.example.com/2024/springfield-bookbinders",
    "https://paste.example.net/raw/ab12cd",
]


@pytest.fixture(autouse=True)
def _no_backend_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(websearch.ENV_BACKEND, raising=False)
    for var in ("NO_PROXY", "no_proxy", "SSL_CERT_FILE", "DDGS_PROXY"):
        monkeypatch.delenv(var, raising=False)


# --- DuckDuckGo's HTML page ------------------------------------------------------------------


def test_parse_results_page() -> None:
    found = parse_html(200, RESULTS, Q)
    assert [r.url for r in found] == PARSED  # the ad and the four hostile links are skipped
    blog = found[0]
    assert blog == SearchResult(
        "https://blog.example.com/about/",
        "About me - Jordan Testwell",
        "Hi, I'm Jordan Testwell, a bookbinder in Springfield, IL. Commissions: call "
        "(217) 555-0142 or write to jordan.testwell@example.com.",
        FIRST,
        ("Jordan Testwell",),
    )
    forum = found[2]  # escaped markup stays text
    assert forum.title == "Jordan Testwell <img src=x onerror=alert(1)>"
    assert forum.snippet == 'Posted by Jordan Testwell: <script>alert("x")</script> & more.'


def test_parse_no_results_page() -> None:
    assert parse_html(200, NO_RESULTS, Q) == []


@pytest.mark.parametrize("status", [202, 200])
def test_bot_check_is_blocked(status: int) -> None:
    with pytest.raises(Blocked, match="bot check"):
        parse_html(status, ANOMALY, Q)


def test_202_is_blocked_whatever_the_body() -> None:
    with pytest.raises(Blocked):
        parse_html(202, "", Q)


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body><p>We changed our page.</p></body></html>",
        '<div id="links" class="results"></div>',  # a list, but no result and no notice
    ],
)
def test_unknown_shape_is_source_unavailable(html: str) -> None:
    with pytest.raises(SourceUnavailable, match="unknown shape"):
        parse_html(200, html, Q)


@pytest.mark.parametrize(
    ("href", "target"),
    [
        (
            "//duckduckgo.com/l/?uddg=https%3A%2F%2Fa.example%2Fp%3Fid%3D1%26x%3D2&rut=ab12",
            "https://a.example/p?id=1&x=2",
        ),
        # ddgs's form: unescaped, the target's own "&" kept (cut at the last "&rut=")
        (
            "https://duckduckgo.com/l/?uddg=https://a.example/p?id=1&x=2&rut=ab12",
            "https://a.example/p?id=1&x=2",
        ),
        ("//duckduckgo.com/l/?uddg=HTTPS%3A%2F%2Fa.example%2F", "HTTPS://a.example/"),
        ("https://b.example/direct", "https://b.example/direct"),
        ("https://duckduckgo.com/y.js?ad_domain=ads.example.net", ""),
        ("https://duckduckgo.com/feedback.html", ""),
        ("//duckduckgo.com/l/?x=1&uddg=https%3A%2F%2Fa.example%2F", ""),
        ("//duckduckgo.com/l/?uddg=javascript%3Aalert(1)&rut=ab", ""),
        ("//duckduckgo.com/l/?uddg=ftp%3A%2F%2Ffiles.example.com%2F&rut=ab", ""),
        ("//duckduckgo.com/l/?uddg=%2F%2Fevil.example%2F&rut=ab", ""),
        ("//duckduckgo.com/l/?uddg=https%3A%2F%2Fduckduckgo.com%2Fl%2F%3Fuddg%3Dx&rut=ab", ""),
        ("javascript:alert(1)", ""),
        ("/html/?q=jtestwell", ""),
        ("", ""),
        # not DuckDuckGo's redirect: a link to another site is taken as it is
        (
            "https://evil.example/l/?uddg=https%3A%2F%2Fbank.example%2F",
            "https://evil.example/l/?uddg=https%3A%2F%2Fbank.example%2F",
        ),
    ],
)
def test_decode_link(href: str, target: str) -> None:
    assert decode_link(href) == target


# --- SearXNG's JSON --------------------------------------------------------------------------


def test_parse_searxng() -> None:
    found = parse_searxng(page("websearch/searxng.json"), Q)
    assert [(r.url, r.title) for r in found] == [
        ("https://code.example.org/jtestwell", "jtestwell (Jordan Testwell) - Code Example"),
        ("https://www.code.example.org/jtestwell/", "jtestwell - Code Example"),
        ("https://paste.example.net/raw/ab12cd", "untitled paste"),
    ]  # javascript: dropped; the www. repeat is de-duplicated by the run, not the parser
    assert found[2].snippet == "jtestwell:hunter2 jordan.testwell@example.com"


@pytest.mark.parametrize("data", [None, [], {}, {"results": {}}, {"results": "x"}])
def test_searxng_wrong_shapes(data: Any) -> None:
    with pytest.raises(SourceUnavailable, match="without a results list"):
        parse_searxng(data, Q)


def test_searxng_silent_engines_are_blocked() -> None:
    data = {"results": [], "unresponsive_engines": [["duckduckgo", "CAPTCHA"], "brave"]}
    with pytest.raises(Blocked, match=r"did not answer \(duckduckgo, brave\)"):
        parse_searxng(data, Q)
    assert parse_searxng({"results": [], "unresponsive_engines": []}, Q) == []


# --- the source over a mock transport (not live: DuckDuckGo's page through Http) -------------


async def results(profile: Profile, http: Http) -> list[SearchResult]:
    """The de-duplicated results of the profile's queries, as the source's run collects them."""
    found, _ = await WebSearchSource().collect(profile, http)
    return found


@pytest.fixture(autouse=True)
def snippets_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The search layer alone: page mining (tests/sources/test_pagemine.py) reads no page
    here, and each result gives what its title and snippet show, as mining does for the
    results it does not read."""

    async def mine(
        found: list[SearchResult],
        profile: Profile,
        http: Http,
        source: str,
        brokers: Any = None,
        *,
        deadline: float | None = None,
    ) -> SourceResult:
        seen = [o for result in found for o in observations_in(profile, result, source)]
        return SourceResult(observations=tuple(seen))

    monkeypatch.setattr(websearch, "mine", mine)


class FakeSearch:
    """Answers search requests by query; records every search request.

    The result pages themselves (read by page mining, tested in test_pagemine.py) are
    answered 404 and recorded in `pages`.
    """

    def __init__(self, answer: Callable[[str], tuple[int, str]]) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []
        self.pages: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.startswith("/html") and request.url.path != "/search":
            self.pages.append(str(request.url))
            return httpx.Response(404)
        self.requests.append(request)
        query = parse_qs(urlsplit(str(request.url)).query).get("q", [""])[0]
        status, body = self.answer(query)
        kind = "application/json" if body.startswith("{") else "text/html; charset=utf-8"
        return httpx.Response(status, headers={"content-type": kind}, text=body)

    @property
    def queries(self) -> list[str]:
        return [parse_qs(urlsplit(str(r.url)).query)["q"][0] for r in self.requests]


def first_has_results(query: str) -> tuple[int, str]:
    return (200, RESULTS) if query == FIRST else (200, NO_RESULTS)


def run(
    fake: FakeSearch, profile: Profile = JORDAN, source: WebSearchSource | None = None
) -> SourceResult:
    async def go() -> SourceResult:
        async with mock_http(fake, REPLAY) as http:
            return await (source or WebSearchSource()).search(profile, http)

    return asyncio.run(go())


def test_exact_requests_sent() -> None:
    fake = FakeSearch(first_has_results)
    run(fake)
    urls = [str(r.url) for r in fake.requests]
    assert urls[:5] == [
        f"{DDG}?q=%22Jordan+Testwell%22+%22Springfield%22+IL",
        f"{DDG}?q=%22jordan.testwell%40example.com%22",
        f"{DDG}?q=%22jtestwell%22",
        f"{DDG}?q=%22%28217%29+555-0142%22",
        f"{DDG}?q=%22217-555-0142%22",
    ]
    assert urls[-1] == f"{DDG}?q=site%3Arentry.co+%22jtestwell%22"
    assert fake.queries == [q.text for q in query_plan(JORDAN)[0]]
    for request in fake.requests:
        assert request.method == "GET"
        assert request.url.host == "html.duckduckgo.com"
        assert request.headers["accept"] == "text/html"
        assert "cookie" not in request.headers
        assert "authorization" not in request.headers


def test_search_reports_the_subjects_own_identifiers() -> None:
    result = run(FakeSearch(first_has_results))
    got = {(o.kind, o.value, o.source.url) for o in result.observations}
    assert got == {
        (Kind.EMAIL, "jordan.testwell@example.com", "https://blog.example.com/about/"),
        (Kind.PHONE, "+12175550142", "https://blog.example.com/about/"),
        (Kind.LOCATION, "Springfield, IL", "https://blog.example.com/about/"),
        (
            Kind.LOCATION,
            "Springfield, IL",
            "https://people.example.net/name/jordan-testwell/springfield-il?id=42&src=ddg",
        ),
        (Kind.LOCATION, "Springfield, IL", "https://news.example.com/2024/springfield-bookbinders"),
        (Kind.USERNAME, "jtestwell", "https://paste.example.net/raw/ab12cd"),
    }  # Casey Testwell, 1200 Example Ave: other details are page mining's to judge
    assert result.documents == ()
    assert result.leads == ()
    assert result.notes == (
        "web search (duckduckgo): 13 of 13 queries answered; 6 results seen, "
        "5 different pages kept",
    )


def test_results_are_deduplicated_by_url_across_queries() -> None:
    fake = FakeSearch(lambda q: (200, RESULTS) if "Testwell" in q else (200, NO_RESULTS))

    async def go() -> list[SearchResult]:
        async with mock_http(fake, REPLAY) as http:
            return await results(JORDAN, http)

    found = asyncio.run(go())
    assert [r.url for r in found] == [u for u in PARSED if "#top" not in u]
    assert {r.query for r in found} == {FIRST}  # the first query that found a page keeps it


def test_per_query_and_per_run_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    def many(query: str) -> tuple[int, str]:
        links = "".join(
            f'<div class="result web-result"><a class="result__a" '
            f'href="https://r.example/{abs(hash(query))}/{i}">R{i}</a></div>'
            for i in range(15)
        )
        return 200, f'<div id="links" class="results">{links}</div>'

    fake = FakeSearch(many)
    result = run(fake, Profile(emails=("jordan.testwell@example.com",)))
    assert len(fake.requests) == 4
    assert result.notes[-1] == (
        "web search (duckduckgo): 4 of 4 queries answered; 40 results seen, 40 different pages kept"
    )
    monkeypatch.setattr(websearch, "MAX_RESULTS", 25)
    fake = FakeSearch(many)
    result = run(fake, Profile(emails=("jordan.testwell@example.com",)))
    assert len(fake.requests) == 3
    assert result.notes == (
        "web search stopped after 25 results; not run: "
        'site:rentry.co "jordan.testwell@example.com"',
        "web search (duckduckgo): 3 of 4 queries answered; 30 results seen, "
        "25 different pages kept",
    )


def test_pacing_before_each_query_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, float]] = []

    async def pace(self: Http, key: str, interval: float) -> None:
        calls.append((key, interval))

    monkeypatch.setattr(Http, "pace", pace)
    fake = FakeSearch(first_has_results)
    run(fake)
    assert calls == [("websearch:duckduckgo", 3.0)] * len(fake.requests)


def test_pacing_really_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(websearch, "PACE", 0.05)
    fake = FakeSearch(first_has_results)
    settings = HttpSettings(backoff_initial=0.0, backoff_max=0.0)  # pacing on

    async def go() -> float:
        async with mock_http(fake, settings) as http:
            loop = asyncio.get_running_loop()
            start = loop.time()
            await WebSearchSource().search(Profile(handles=("jtestwell",)), http)
            return loop.time() - start

    assert asyncio.run(go()) >= 0.05 * 3  # 4 queries, 3 waits between them


def test_a_query_is_not_sent_twice_in_one_scan() -> None:
    fake = FakeSearch(first_has_results)

    async def go() -> tuple[SourceResult, list[SearchResult], SourceResult]:
        async with mock_http(fake, REPLAY) as http:
            first = await WebSearchSource().search(JORDAN, http)
            mined = await results(JORDAN, http)
            # a lead's wave: the names are kept, a new handle is looked up
            lead = Profile(names=JORDAN.names, locations=JORDAN.locations, handles=("jt_books",))
            again = await WebSearchSource().search(lead, http)
            return first, mined, again

    first, mined, again = asyncio.run(go())
    assert fake.queries.count(FIRST) == 1
    assert len(fake.requests) == 13 + 4  # the new handle and its three paste sites
    assert len(mined) == 5  # page mining still gets every result
    assert first.observations
    assert again.observations == ()  # the name searches' pages were reported already
    assert "(3 answered earlier in this scan)" in again.notes[-1]


def test_concurrent_runs_share_each_query() -> None:
    fake = FakeSearch(first_has_results)

    async def go() -> None:
        async with mock_http(fake, REPLAY) as http:
            await asyncio.gather(WebSearchSource().search(JORDAN, http), results(JORDAN, http))

    asyncio.run(go())
    assert len(fake.requests) == 13


def test_an_interrupted_query_is_sent_again_later() -> None:
    gate = asyncio.Event()

    async def go() -> int:
        sent = 0

        async def slow(request: httpx.Request) -> httpx.Response:
            nonlocal sent
            sent += 1
            if sent == 1:
                await gate.wait()
            return httpx.Response(200, text=NO_RESULTS)

        async with Http(REPLAY, transport=httpx.MockTransport(slow)) as http:
            task = asyncio.create_task(results(Profile(names=("Jordan Testwell",)), http))
            await asyncio.sleep(0.05)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await results(Profile(names=("Jordan Testwell",)), http)
        return sent

    assert asyncio.run(go()) == 1 + 3  # the cancelled one, then all three again


def test_bot_check_stops_the_scan_s_searches() -> None:
    fake = FakeSearch(lambda q: (202, ANOMALY))

    async def go() -> None:
        async with mock_http(fake, REPLAY) as http:
            with pytest.raises(Blocked, match="bot check"):
                await WebSearchSource().search(JORDAN, http)
            with pytest.raises(Blocked, match="bot check"):
                await results(Profile(handles=("someone_else",)), http)

    asyncio.run(go())
    assert len(fake.requests) == 1  # nothing more after the refusal, in any later run


def test_refusal_after_some_results_keeps_them() -> None:
    fake = FakeSearch(lambda q: (200, RESULTS) if q == FIRST else (202, ANOMALY))
    result = run(fake)
    assert len(fake.requests) == 2
    assert result.observations
    email = '"jordan.testwell@example.com"'
    assert result.notes[0] == (
        f"{email}: not searched (DuckDuckGo showed its bot check (a captcha); try again later)"
    )
    assert result.notes[1].startswith(
        "web search stopped after a refusal (DuckDuckGo showed its bot check"
    )
    assert result.notes[1].endswith('site:rentry.co "jtestwell"')


def test_rate_limit_is_blocked_after_retries() -> None:
    fake = FakeSearch(lambda q: (429, ""))
    with pytest.raises(Blocked, match="DuckDuckGo rate limit reached"):
        run(fake)
    assert len(fake.requests) == 3  # Http's own retries, then nothing more


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (403, Blocked, "HTTP 403"),
        (503, SourceUnavailable, "HTTP 503"),
        (404, SourceUnavailable, "HTTP 404"),
        (400, SourceUnavailable, "HTTP 400"),
    ],
)
def test_http_errors(status: int, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        run(FakeSearch(lambda q: (status, "")))


def test_redirects_are_not_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"location": "https://elsewhere.example/"})

    seen: list[str] = []
    with pytest.raises(SourceUnavailable, match=r"redirected to https://elsewhere\.example/"):
        asyncio.run(_search(handler, Profile(names=("Jordan Testwell",))))
    assert all(url.startswith(DDG) for url in seen)


async def _search(
    handler: Callable[[httpx.Request], httpx.Response],
    profile: Profile,
    source: WebSearchSource | None = None,
) -> SourceResult:
    async with mock_http(handler, REPLAY) as http:
        return await (source or WebSearchSource()).search(profile, http)


def test_nothing_found_is_an_empty_result() -> None:
    result = run(FakeSearch(lambda q: (200, NO_RESULTS)), Profile(handles=("jtestwell",)))
    assert result.observations == ()
    assert result.notes == (
        "web search (duckduckgo): 4 of 4 queries answered; 0 results seen, 0 different pages kept",
    )


def test_run_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(websearch, "RUN_BUDGET", -1.0)
    fake = FakeSearch(first_has_results)
    with pytest.raises(SourceUnavailable, match="to stay within the time limit: nothing was asked"):
        run(fake)
    assert fake.requests == []


def test_other_backends_cannot_answer_a_replayed_scan() -> None:
    fake = FakeSearch(first_has_results)
    with pytest.raises(SourceUnavailable, match="the brave backend cannot answer a replayed scan"):
        run(fake, source=WebSearchSource(backend="brave"))
    assert fake.requests == []


def test_source_attributes() -> None:
    source = WebSearchSource()
    assert (source.name, source.title) == ("websearch", "Web search")
    assert source.needs == frozenset(
        {"names", "handles", "emails", "phones", "locations", "affiliations"}
    )
    assert source.applies_to(Profile(phones=("+12175550142",)))
    assert source.applies_to(Profile(locations=(Location("Springfield", "IL"),)))  # a lead's


# --- SearXNG --------------------------------------------------------------------------------


def test_searxng_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    body = page_bytes("websearch/searxng.json").decode()
    fake = FakeSearch(lambda q: (200, body) if q == '"jtestwell"' else (200, '{"results": []}'))
    monkeypatch.setenv(websearch.ENV_BACKEND, f"{SEARX}/")
    result = run(fake, Profile(handles=("jtestwell",)))
    assert [str(r.url) for r in fake.requests] == [
        f"{SEARX}/search?q=%22jtestwell%22&format=json",
        f"{SEARX}/search?q=site%3Apastebin.com+%22jtestwell%22&format=json",
        f"{SEARX}/search?q=site%3Ajustpaste.it+%22jtestwell%22&format=json",
        f"{SEARX}/search?q=site%3Arentry.co+%22jtestwell%22&format=json",
    ]
    assert {r.headers["accept"] for r in fake.requests} == {"application/json"}
    assert {(o.kind, o.source.url) for o in result.observations} == {
        (Kind.USERNAME, "https://code.example.org/jtestwell"),
        (Kind.USERNAME, "https://paste.example.net/raw/ab12cd"),
    }
    assert result.notes[-1] == (
        f"web search ({SEARX}): 4 of 4 queries answered; 3 results seen, 2 different pages kept"
    )


def test_searxng_403_means_json_is_not_allowed() -> None:
    fake = FakeSearch(lambda q: (403, "<h1>Forbidden</h1>"))
    with pytest.raises(Blocked, match="must allow format=json"):
        run(fake, Profile(handles=("jtestwell",)), WebSearchSource(backend=SEARX))
    assert len(fake.requests) == 1


def test_searxng_not_json() -> None:
    fake = FakeSearch(lambda q: (200, "<html>a login page</html>"))
    with pytest.raises(SourceUnavailable, match="not JSON"):
        run(fake, Profile(handles=("jtestwell",)), WebSearchSource(backend=SEARX))


def test_bad_searxng_address() -> None:
    fake = FakeSearch(first_has_results)
    source = WebSearchSource(backend="https://user:pw@search.example.org")
    with pytest.raises(SourceUnavailable, match="is not a web address"):
        run(fake, JORDAN, source)
    assert fake.requests == []


# --- the ddgs backend (live Http, a fake DDGS: nothing reaches the network) -------------------

UNESCAPED = "https://duckduckgo.com/l/?uddg=https://people.example.net/p?id=42&src=ddg&rut=ab12"


class FakeDdgs:
    """Stands in for ddgs.DDGS: records how it was made and asked; answers by query."""

    def __init__(self, answer: Callable[[str], list[dict[str, Any]]]) -> None:
        self.answer = answer
        self.made: list[dict[str, Any]] = []
        self.asked: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, **options: Any) -> FakeDdgs:
        self.made.append(options)
        return self

    def text(self, query: str, **kwargs: Any) -> list[dict[str, Any]]:
        self.asked.append((query, kwargs))
        return self.answer(query)


def ddgs_items(query: str) -> list[dict[str, Any]]:
    if query != FIRST:
        raise DDGSException("No results found.")
    return [
        {"title": "Jordan Testwell - People Example", "href": UNESCAPED, "body": "Springfield"},
        {"title": "About", "href": "https://blog.example.com/about/", "body": "Hi"},
        {"title": "Ad", "href": "https://duckduckgo.com/y.js?ad_domain=x", "body": "x"},
        {"title": "Bad", "href": "javascript:alert(1)", "body": "x"},
    ]


def run_live(
    fake: FakeDdgs,
    profile: Profile = JORDAN,
    settings: HttpSettings = REPLAY,
    backend: str | None = None,
) -> tuple[SourceResult, Http]:
    async def go() -> tuple[SourceResult, Http]:
        async with Http(settings) as http:
            assert http.live
            source = WebSearchSource(backend=backend, ddgs_factory=fake)
            return await source.search(profile, http), http

    return asyncio.run(go())


def test_ddgs_backend_calls() -> None:
    fake = FakeDdgs(ddgs_items)
    result, http = run_live(fake)
    assert [query for query, _ in fake.asked] == [q.text for q in query_plan(JORDAN)[0]]
    assert {json.dumps(kw, sort_keys=True) for _, kw in fake.asked} == {
        json.dumps({"backend": "duckduckgo", "max_results": 10}, sort_keys=True)
    }
    assert len(fake.made) == len(fake.asked)  # a new DDGS (and cookie jar) per query
    assert fake.made[0] == {"proxy": None, "verify": True, "timeout": 20}
    sent = http.sent[0]
    assert (sent.method, sent.url, sent.status) == (
        "POST",
        f"{DDG}?q=%22Jordan%20Testwell%22%20%22Springfield%22%20IL",
        None,
    )
    assert len(http.sent) == 13
    assert {(o.kind, o.source.url) for o in result.observations} == {
        (Kind.LOCATION, "https://people.example.net/p?id=42&src=ddg")
    }


def test_ddgs_gets_the_scans_proxy_and_ca() -> None:
    bundle = Path(certifi.where())
    path = network_path("http://proxy.example:3128", bundle)
    assert ddgs_options(Http(HttpSettings(path=path, timeout=7.5))) == {
        "proxy": "http://proxy.example:3128",
        "verify": str(bundle),
        "timeout": 8,
    }
    fake = FakeDdgs(ddgs_items)
    settings = HttpSettings(path=network_path("http://p.example:8080"), pacing=False)
    run_live(fake, Profile(names=JORDAN.names, locations=JORDAN.locations), settings)
    assert {m["proxy"] for m in fake.made} == {"http://p.example:8080"}


def test_ddgs_takes_the_environment_like_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://env-proxy.example:3128")
    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
    assert ddgs_options(Http()) == {
        "proxy": "http://env-proxy.example:3128",
        "verify": certifi.where(),
        "timeout": 20,
    }
    monkeypatch.setenv("NO_PROXY", "duckduckgo.com")
    assert ddgs_options(Http())["proxy"] is None
    monkeypatch.delenv("NO_PROXY")
    monkeypatch.delenv("HTTPS_PROXY")
    monkeypatch.setenv("ALL_PROXY", "socks5://all.example:1080")
    # names are always resolved by the proxy: ddgs's client gets the socks5h form
    assert ddgs_options(Http())["proxy"] == "socks5h://all.example:1080"


@pytest.mark.parametrize(
    ("error", "expected", "message"),
    [
        (RatelimitException("202 Ratelimit"), Blocked, "duckduckgo rate limit reached"),
        (TimeoutException("timed out"), SourceUnavailable, "duckduckgo timed out"),
        (DDGSException("ConnectError: boom"), SourceUnavailable, "ConnectError: boom"),
    ],
)
def test_ddgs_errors(error: Exception, expected: type[Exception], message: str) -> None:
    def fail(query: str) -> list[dict[str, Any]]:
        raise error

    fake = FakeDdgs(fail)
    with pytest.raises(expected, match=message):
        run_live(fake, Profile(handles=("jtestwell",)))
    if expected is Blocked:
        assert len(fake.asked) == 1  # nothing more after a rate limit
    else:
        assert len(fake.asked) == 4


def test_ddgs_no_results_everywhere_cannot_be_told_from_a_refusal() -> None:
    def nothing(query: str) -> list[dict[str, Any]]:
        raise DDGSException("No results found.")

    with pytest.raises(Blocked, match="does not tell an empty page from a refusal"):
        run_live(FakeDdgs(nothing), Profile(handles=("jtestwell",)))


def test_ddgs_not_a_list() -> None:
    fake = FakeDdgs(lambda q: "oops")  # type: ignore[arg-type,return-value]
    with pytest.raises(SourceUnavailable, match="other than a list"):
        run_live(fake, Profile(handles=("jtestwell",)))


def test_ddgs_other_engine_and_unknown_ones() -> None:
    fake = FakeDdgs(lambda q: [{"title": "t", "href": "https://m.example/jt", "body": "b"}])
    result, http = run_live(fake, Profile(handles=("jtestwell",)), backend="Mojeek")
    assert {kw["backend"] for _, kw in fake.asked} == {"mojeek"}
    assert http.sent[0].url.startswith("https://www.mojeek.com/search?q=")
    assert result.notes[-1].startswith("web search (mojeek): 4 of 4 queries answered")
    for name in ("auto", "all", "duckduckgo,brave", "nosuch"):
        fake = FakeDdgs(ddgs_items)
        with pytest.raises(SourceUnavailable, match="unknown search backend"):
            run_live(fake, backend=name)
        assert fake.made == []


def test_ddgs_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ddgs", None)
    with pytest.raises(SourceUnavailable, match="ddgs package is not installed"):
        load_ddgs()


@pytest.mark.parametrize(
    "name",
    [
        "html-serp.client-side-graph-database.2026-02-27.html",
        "html-serp.indexeddb-wrapper.2026-02-27.html",
    ],
)
def test_the_parser_reads_real_duckduckgo_captures(name: str) -> None:
    """Our fixtures imitate these pages; the real captures must read the same way."""
    html = shared_file(f"html/duckduckgo/{name}").read_text(encoding="utf-8")
    found = parse_html(200, html, Q)
    assert len(found) == html.count('class="result results_links') == 10
    for result in found:
        assert result.url.startswith("https://")
        assert "duckduckgo.com" not in result.url  # the uddg redirect is decoded
        assert result.title
        assert result.snippet
    assert len({r.url for r in found}) == len(found)
