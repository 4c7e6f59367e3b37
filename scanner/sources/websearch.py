"""Web search: "Google yourself" on DuckDuckGo (or another ddgs engine, or your SearXNG).

Queries: websearch_plan.query_plan (at most 20). Backend: `backend` (constructor),
else EXPOSURE_AUDIT_SEARCH_BACKEND, else "duckduckgo":

- "duckduckgo" (or another ddgs text engine), live: the `ddgs` package (websearch_ddgs).
- "duckduckgo" when Http is not live (a replayed world, tests): GET
  https://html.duckduckgo.com/html/?q=<query> through Http, redirects not followed, read on
  the real page shape (shared reference html/duckduckgo): div.result -> a.result__a (title,
  href //duckduckgo.com/l/?uddg=<encoded target>&rut=…) and .result__snippet; ads
  (result--ad, y.js links) skipped. From other projects' parsers, not a capture: the bot
  check (HTTP 202, form#challenge-form, .anomaly-modal__*) -> Blocked, and the empty page
  (div.result--no-result, .no-results "No  results."). No results and no such notice is
  an unknown shape (SourceUnavailable), never "nothing found".
- an http(s) URL: that SearXNG, GET {url}/search?q=<query>&format=json through Http.
  Shape from SearXNG's docs (results[].url/title/content, unresponsive_engines), not a
  capture; 403 = format=json not allowed there -> Blocked with that hint.

Polite and bounded: Http.pace before each query (3 s; SearXNG 1 s); at most 10 results a
query and 100 a run, de-duplicated by URL; nothing new is sent after a refusal (for the
rest of the scan), after 100 results or after RUN_BUDGET seconds. Each query is sent once
per scan (`Http.state`): later runs (a lead's wave) reuse the answer. `search()` then hands
the results to scanner.sources.pagemine, which reads the first pages and keeps only what
ties to the subject (and, for results not read, what their title and snippet show of the
subject's own identifiers); each page is reported once per scan.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import httpx

from scanner.errors import Blocked, SourceError, SourceUnavailable
from scanner.http import Http
from scanner.models import Profile, SourceResult
from scanner.sources.base import Source, check_status, json_body
from scanner.sources.pagemine import mine
from scanner.sources.websearch_ddgs import (
    DDG_HTML,
    DUCKDUCKGO,
    DdgsFactory,
    ddgs_text,
    decode_link,
    endpoint,
    load_ddgs,
    parse_html,
)
from scanner.sources.websearch_plan import (
    Query,
    SearchResult,
    clean,
    from_items,
    query_plan,
    url_key,
    web_url,
)

__all__ = ["SearchResult", "WebSearchSource", "parse_searxng"]

NAME = "websearch"
ENV_BACKEND = "EXPOSURE_AUDIT_SEARCH_BACKEND"
PER_QUERY = 10
MAX_RESULTS = 100
RUN_BUDGET = 100.0  # seconds of sending queries per run; the pipeline stops a source at 180
READ_UNTIL = 170.0  # seconds into the run after which no more result pages are read
PACE, SEARXNG_PACE = 3.0, 1.0


def parse_searxng(data: Any, query: Query) -> list[SearchResult]:
    """SearXNG's JSON answer (results[].url/title/content) as results."""
    items = data.get("results") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise SourceUnavailable("SearXNG sent JSON without a results list")
    found = from_items(items, ("url", "title", "content"), query)
    silent = data.get("unresponsive_engines")
    if not found and isinstance(silent, list) and silent:
        names = ", ".join(str(e[0] if isinstance(e, list) and e else e) for e in silent[:5])
        raise Blocked(f"SearXNG's engines did not answer ({clean(names, 200)})")
    return found


Hits = list[SearchResult] | None  # None: ddgs said "No results found." (empty or refused)
Answer = tuple[Hits, SourceError | None]


class _Asked:
    """What one Http (one scan) has searched: answers, refusals, pages already reported."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], asyncio.Future[Answer]] = {}
        self.refused: dict[str, Blocked] = {}
        self.reported: set[str] = set()


@dataclass(frozen=True)
class _Backend:
    key: str  # "duckduckgo", a ddgs engine, or the SearXNG URL
    send: Callable[[Query], Awaitable[Hits]]
    pace: float
    ambiguous_empty: bool  # ddgs: "No results found." may be a refusal


class WebSearchSource(Source):
    name = NAME
    title = "Web search"
    needs = frozenset({"names", "handles", "emails", "phones", "locations", "affiliations"})

    def __init__(self, backend: str | None = None, ddgs_factory: DdgsFactory | None = None) -> None:
        self.backend = backend
        self.ddgs_factory = ddgs_factory

    def _backend(self, http: Http) -> _Backend:
        chosen = (self.backend or os.environ.get(ENV_BACKEND) or DUCKDUCKGO).strip()
        if chosen.lower().startswith(("http://", "https://")):
            base = web_url(chosen.rstrip("/"))
            if not base:
                raise SourceUnavailable(f"the SearXNG address {chosen!r} is not a web address")
            return _Backend(base, lambda q: _searxng(http, base, q), SEARXNG_PACE, False)
        engine = chosen.lower()
        if not http.live:
            if engine != DUCKDUCKGO:
                raise SourceUnavailable(f"the {engine} backend cannot answer a replayed scan")
            return _Backend(engine, lambda q: _duckduckgo(http, q), PACE, False)
        endpoint(engine)  # an unknown engine fails here, before anything is sent
        factory = self.ddgs_factory or load_ddgs()
        return _Backend(engine, lambda q: _ddgs(http, factory, engine, q), PACE, True)

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        """Search, then read the pages found (pagemine.mine): what ties to the subject."""
        stop_reading = asyncio.get_running_loop().time() + READ_UNTIL
        found, notes = await self.collect(profile, http, fresh_only=True)
        mined = await mine(found, profile, http, NAME, deadline=stop_reading)
        return replace(mined, notes=(*notes, *mined.notes))

    async def collect(
        self, profile: Profile, http: Http, *, fresh_only: bool = False
    ) -> tuple[list[SearchResult], list[str]]:
        """Run the plan: the de-duplicated results and notes.

        Raises the first error when nothing was found. With `fresh_only` the pages an
        earlier run of this source reported in this scan are left out (a lead's wave keeps
        the subject's names, so it would otherwise report the name searches again).
        """
        backend = self._backend(http)
        plan, notes = query_plan(profile)
        asked = http.state(_Asked)
        deadline = asyncio.get_running_loop().time() + RUN_BUDGET
        found: dict[str, SearchResult] = {}
        errors: list[SourceError] = []
        skipped: dict[str, list[str]] = {}
        answered = reused = seen = empty = 0
        for query in plan:
            key = (backend.key, query.text.casefold())
            if key in asked.answers:
                reused += 1
                hits, error = await asyncio.shield(asked.answers[key])
            elif why := _stop(asked, backend, len(found), deadline):
                skipped.setdefault(why, []).append(query.text)
                if refusal := asked.refused.get(backend.key):
                    errors.append(refusal)  # nothing found at all -> the run was refused
                continue
            else:
                hits, error = await _ask(asked, key, http, backend, query)
            if error is not None:
                errors.append(error)
                notes.append(f"{query.text}: not searched ({error})")
                continue
            answered += 1
            empty += hits is None
            for hit in (hits or [])[:PER_QUERY]:
                seen += 1
                link = url_key(hit.url)
                fresh = not (fresh_only and link in asked.reported)
                if fresh and len(found) < MAX_RESULTS and link not in found:
                    found[link] = hit
        if errors and not found:
            raise errors[0]
        if skipped and not found and not answered:
            raise SourceUnavailable(f"web search stopped {next(iter(skipped))}: nothing was asked")
        if backend.ambiguous_empty and answered and empty == answered and not found:
            raise Blocked(
                f"{backend.key} (through ddgs) gave no results for any query; ddgs does not "
                "tell an empty page from a refusal, so this could not be checked"
            )
        if fresh_only:
            asked.reported.update(found)
        notes += [
            f"web search stopped {why}; not run: {'; '.join(q)}" for why, q in skipped.items()
        ]
        earlier = f" ({reused} answered earlier in this scan)" if reused else ""
        notes.append(
            f"web search ({backend.key}): {answered} of {len(plan)} queries answered{earlier}; "
            f"{seen} results seen, {len(found)} different pages kept"
        )
        return list(found.values()), notes


def _stop(asked: _Asked, backend: _Backend, found: int, deadline: float) -> str:
    """Why no new query may be sent now ("" when one may)."""
    if backend.key in asked.refused:
        return f"after a refusal ({asked.refused[backend.key]})"
    if found >= MAX_RESULTS:
        return f"after {MAX_RESULTS} results"
    if asyncio.get_running_loop().time() > deadline:
        return f"after {RUN_BUDGET:.0f} s, to stay within the time limit"
    return ""


async def _ask(
    asked: _Asked, key: tuple[str, str], http: Http, backend: _Backend, query: Query
) -> Answer:
    """Send one query (paced); every later asker in this scan gets the same answer."""
    answer: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
    asked.answers[key] = answer
    try:
        await http.pace(f"websearch:{backend.key}", backend.pace)
        answer.set_result((await backend.send(query), None))
    except SourceError as exc:
        if isinstance(exc, Blocked):
            asked.refused[backend.key] = exc
        answer.set_result((None, exc))
    finally:
        if not answer.done():  # cancelled or a bug: forget it, and free anyone waiting
            del asked.answers[key]
            answer.set_result((None, SourceUnavailable("the search was interrupted")))
    return answer.result()


async def _duckduckgo(http: Http, query: Query) -> list[SearchResult]:
    response = await http.request(
        "GET",
        DDG_HTML,
        params={"q": query.text},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    _check(response, "DuckDuckGo")
    return parse_html(response.status_code, response.text, query)


async def _searxng(http: Http, base: str, query: Query) -> list[SearchResult]:
    response = await http.request(
        "GET",
        f"{base}/search",
        params={"q": query.text, "format": "json"},
        headers={"Accept": "application/json"},
        follow_redirects=False,
    )
    if response.status_code == 403:
        raise Blocked(
            "SearXNG refused the request (HTTP 403); the instance must allow format=json "
            "(search: formats: in its settings.yml)"
        )
    _check(response, "SearXNG")
    return parse_searxng(json_body(response, "SearXNG"), query)


async def _ddgs(http: Http, factory: DdgsFactory, engine: str, query: Query) -> Hits:
    items = await ddgs_text(http, factory, engine, query.text, PER_QUERY)
    return (
        None if items is None else from_items(items, ("href", "title", "body"), query, decode_link)
    )


def _check(response: httpx.Response, service: str) -> None:
    check_status(response, service)
    status = response.status_code
    if 300 <= status < 400:
        where = response.headers.get("location", "elsewhere")
        raise SourceUnavailable(f"{service} redirected to {clean(where, 200)} (not followed)")
    if status == 404:
        raise SourceUnavailable(f"{service} answered HTTP 404")
