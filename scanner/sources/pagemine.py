"""Page mining: read the pages web search found, and keep what is about the subject.

    result = await mine(search_results, profile, http, source="websearch")

The results come from scanner.sources.websearch (which calls this). For at most MAX_PAGES
results:

1. fetch the page with scanner.pagefetch (HTML only, size cap, public addresses only, every
   redirect hop checked, never an address that looks like an account flow: login, reset,
   token, …); a page that cannot be read is said in the notes, and a
   result whose page is walled (captcha, WAF, 401/403/429) is listed as "check this
   yourself" with the search link, never as "not found";
2. read its visible text, meta tags and JSON-LD (scanner.extract.html_to_text) and run every
   extractor over it (phones, emails, street addresses, birth dates, ages, relatives,
   employers, schools, places);
3. keep only what scanner.subject ties to the subject: the subject's name together with a
   known email, handle, phone, domain or city on the same record. Records with the name and
   only other states are other people with the same name: they are counted, never shown;
4. on pages about the subject that are not people-search sites, read the photos' EXIF
   (scanner.photos): a GPS position is a critical finding.

A result whose page was not read is still read from its title and snippet, for the
subject's own identifiers only (websearch_plan.observations_in). Pages of catalogued
people-search sites get that site's opt-out as their removal step.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scanner.brokers.catalogue import Broker, load_brokers
from scanner.extract import Extracted, extract_text
from scanner.extract.base import evidence
from scanner.extract.html import html_to_text
from scanner.http import Http
from scanner.identity import Basis, Identity, Tie, TieKind, confidence_of
from scanner.models import (
    Account,
    AccountStatus,
    Kind,
    Observation,
    PageText,
    Profile,
    RemovalStep,
    SourceRef,
    SourceResult,
)
from scanner.pagefetch import Page, Refusal, fetch
from scanner.photos import page_images, photo_findings
from scanner.sites.walls import detect_wall
from scanner.sources.websearch_plan import SearchResult, observations_in
from scanner.subject import Reading, Record, name_pattern, read_page

MAX_PAGES = 10
MAX_DETAILS = 2  # detail pages followed from one listing page
MAX_DETAIL_PAGES = 4  # in a whole scan
MAX_LISTING_BYTES = 600_000
CLUE_KINDS = frozenset({Kind.HOME_ADDRESS, Kind.PHONE, Kind.LOCATION, Kind.AGE})
CONTAINER_TAGS = "li, tr, article, section, div, dl, dd, td, p, span, address"
MAX_IMAGES = 5
STRONG = confidence_of(Basis.TIED)  # a record tied by an identifier
CITY_ONLY = confidence_of(Basis.WEAK)  # a record tied by the city (or an employer) alone
PAGE_KINDS = frozenset(  # what reading a page reports (pagemine and website)
    {
        Kind.PHONE,
        Kind.EMAIL,
        Kind.HOME_ADDRESS,
        Kind.BIRTHDATE,
        Kind.AGE,
        Kind.RELATIVE,
        Kind.EMPLOYER,
        Kind.SCHOOL,
        Kind.LOCATION,
    }
)
BLOCKING = ("HTTP 401", "HTTP 403", "HTTP 429")
GENERIC_OPT_OUT = (
    "Open the page in your browser. If it shows you, look for a link such as 'Remove my "
    "information', 'Opt out' or 'Do not sell my info' (often at the bottom of the page); "
    "most sites ask for the listing's address. Give the form nothing the page does not "
    "already show."
)


async def mine(
    found: Sequence[SearchResult],
    profile: Profile,
    http: Http,
    source: str,
    brokers: Sequence[Broker] | None = None,
    *,
    deadline: float | None = None,
) -> SourceResult:
    """Read the first MAX_PAGES results' pages (see module).

    The pages read go back as SourceResult.pages: what they show of the subject is worked
    out by read_pages, against the identity as it stands (the pipeline reads them again at
    the end of the scan). Here they are read once, to know which pages are about the
    subject and worth their photos. `deadline` (event-loop time): no page or photo is
    fetched after it; the results left are read from their snippets, and a note says so.
    """
    catalogue = tuple(load_brokers() if brokers is None else brokers)
    clock = asyncio.get_running_loop().time
    late = 0
    observations: list[Observation] = []
    accounts: list[Account] = []
    notes: list[str] = []
    listings = http.state(_Listings)
    pages = await _follow_details(http, listings, profile, notes, deadline)
    for number, result in enumerate(found):
        if number >= MAX_PAGES or (deadline is not None and clock() > deadline):
            late += number < MAX_PAGES
            observations.extend(observations_in(profile, result, source))
            continue
        outcome = await fetch(http, result.url)
        wall = _wall(outcome)
        if isinstance(outcome, Page) and not wall:
            try:
                page = PageText(
                    SourceRef(source, outcome.url, result.looked_up), html_to_text(outcome.html)
                )
                reading = _read(page, profile)
            except Exception as exc:  # a bug tripped by one hostile page costs that page only
                notes.append(f"could not read {outcome.url}: internal error ({exc!r:.200})")
                observations.extend(observations_in(profile, result, source))
                continue
            pages.append(page)
            listings.kept.append((outcome, page))
            if reading.about_subject and _broker(catalogue, outcome.url) is None:
                photos, photo_notes = await photo_findings(
                    http,
                    page_images(outcome.html, outcome.url)[:MAX_IMAGES],
                    page_url=outcome.url,
                    profile=profile,
                    source_name=source,
                    confidence=_confidence(reading),
                    looked_up=result.looked_up,
                )
                observations.extend(photos)
                notes.extend(photo_notes)
            continue
        reason = wall or (outcome.reason if isinstance(outcome, Refusal) else "")
        notes.append(f"could not read {result.url}: {reason}")
        observations.extend(observations_in(profile, result, source))
        if wall or reason.startswith(BLOCKING):
            broker = _broker(catalogue, result.url)
            accounts.append(_check_yourself(result, broker, wall or reason))
    pages += await _follow_details(http, listings, profile, notes, deadline)
    if late:
        notes.append(f"{late} result page(s) not read, to stay within the time limit")
    if len(found) > MAX_PAGES:
        notes.append(f"read the first {MAX_PAGES} of {len(found)} result pages")
    notes.append(f"{len(pages)} page(s) read")
    return SourceResult(
        observations=tuple(observations),
        accounts=tuple(accounts),
        notes=tuple(notes),
        pages=tuple(pages),
    )


class _Listings:
    """Pages of this scan that list people, and the detail pages already followed from
    them (Http.state: shared by every run of web search in the scan)."""

    def __init__(self) -> None:
        self.kept: list[tuple[Page, PageText]] = []
        self.followed: set[str] = set()


async def _follow_details(
    http: Http,
    listings: _Listings,
    profile: Profile,
    notes: list[str],
    deadline: float | None,
) -> list[PageText]:
    """The detail pages of the subject's records on the listing pages read so far.

    A page that lists people (a people-search result list) often shows a card per person
    and keeps the relatives, past addresses and phones on each person's own page. For each
    record read as the subject's against the identity as it stands now (a record tied only
    later, once a city or phone was learned, is followed in a later run), the links inside
    that record's part of the page, on the same site, are fetched: at most MAX_DETAILS a
    listing and MAX_DETAIL_PAGES a scan, never a namesake's, with pagefetch's rules.
    """
    clock = asyncio.get_running_loop().time
    found: list[PageText] = []
    for page, text in listings.kept:
        if len(listings.followed) >= MAX_DETAIL_PAGES:
            break
        if deadline is not None and clock() > deadline:
            break
        try:
            reading = _read(text, profile)
            links = detail_links(page, text.text, reading, profile)
        except Exception:  # noqa: S112 - a hostile page that trips a bug costs its details only
            continue
        for url in links[:MAX_DETAILS]:
            if url in listings.followed or len(listings.followed) >= MAX_DETAIL_PAGES:
                continue
            listings.followed.add(url)
            outcome = await fetch(http, url)
            if isinstance(outcome, Refusal) or _wall(outcome):
                reason = outcome.reason if isinstance(outcome, Refusal) else _wall(outcome)
                notes.append(f"could not read the detail page {url}: {reason}")
                continue
            where = replace(text.source, url=outcome.url)
            found.append(PageText(where, html_to_text(outcome.html)))
    if found:
        notes.append(f"{len(found)} detail page(s) of your records read")
    return found


def detail_links(page: Page, text: str, reading: Reading, profile: Profile) -> list[str]:
    """Links on the same site inside the parts of `page` that hold the subject's records.

    A record's part of the page is found from a detail it shows (an address, a phone, an
    age or a place, as written): the smallest element whose text holds it, widened to the
    largest ancestor that holds no detail of another person's record (one person's card or
    row; on a page without such details, the largest that names the subject only once).
    Pages larger than MAX_LISTING_BYTES are not searched (the walk would be slow)."""
    mine = reading.counted_as_subject()
    if not mine or len(reading.records) < 2 or len(page.html) > MAX_LISTING_BYTES:
        return []
    pattern = name_pattern(profile)
    if pattern is None:
        return []
    foreign = {clue for r in reading.namesakes() for clue in _clues(text, r, reading)}
    tree = LexborHTMLParser(page.html)
    host = _host(page.url)
    links: list[str] = []
    for record in mine:
        container = None
        clues = _clues(text, record, reading)
        for clue in clues:
            container = _container(tree, clue, pattern, foreign - set(clues))
            if container is not None:
                break
        if container is None:
            continue
        for anchor in container.css("a[href]"):
            url = urljoin(page.url, str(anchor.attributes.get("href") or "").strip())
            url = url.split("#", 1)[0]
            same = _host(url) == host and url.rstrip("/") != page.url.rstrip("/")
            if same and urlsplit(url).scheme in ("http", "https") and url not in links:
                links.append(url)
    return links


def _squashed(text: str) -> str:
    """`text` without any whitespace: markup splits "Madison, WI" into "Madison , WI"."""
    return "".join(text.split())


def _clues(text: str, record: Record, reading: Reading) -> list[str]:
    """The record's details as the page writes them (squashed), to find its element by."""
    clues = []
    for item in reading.items:
        if record.holds(item) and item.kind in CLUE_KINDS:
            written = _squashed(text[item.start : item.end])
            if len(written) >= 4 and written not in clues:
                clues.append(written)
    return clues


def _container(
    tree: LexborHTMLParser, clue: str, pattern: re.Pattern[str], foreign: set[str]
) -> LexborNode | None:
    """The largest element holding `clue` and none of `foreign` (other people's details);
    when there are none, the largest that names the subject at most once."""
    best = None
    best_size = 0
    for node in tree.css(CONTAINER_TAGS):
        shown = _squashed(node.text(separator=" "))
        if clue in shown and (best is None or len(shown) < best_size):
            best, best_size = node, len(shown)
    if best is None:
        return None
    while best.parent is not None and best.parent.tag not in ("body", "html"):
        shown = best.parent.text(separator=" ")
        if foreign:
            squashed = _squashed(shown)
            if any(clue in squashed for clue in foreign):
                break
        elif len(pattern.findall(shown)) > 1:
            break
        best = best.parent
    return best


def read_pages(
    pages: Sequence[PageText], profile: Profile, brokers: Sequence[Broker] | None = None
) -> tuple[list[Observation], list[str]]:
    """What the pages show of the subject, judged against `profile`'s identity (what it
    gives and what the scan learned): the observations, and one key per possible other
    person with the subject's name. Pure: nothing is fetched."""
    catalogue = tuple(load_brokers() if brokers is None else brokers)
    observations: list[Observation] = []
    namesakes: list[str] = []
    for page in pages:
        try:
            reading = _read(page, profile)
        except Exception:  # noqa: S112 - a hostile page that trips a bug costs that page only
            continue
        broker = _broker(catalogue, page.source.url)
        own = _own_site(page.source.url, profile)
        observations.extend(_observations(reading, page.text, page.source, broker, own))
        namesakes.extend(f"{r.name} · {r.signature}" for r in reading.namesakes())
    return observations, list(dict.fromkeys(namesakes))


def settled(result: SourceResult, profile: Profile) -> SourceResult:
    """`result` with what its pages show read into it against `profile` (as the pipeline
    does at the end of a scan): their observations added, their namesakes counted."""
    from_pages, namesakes = read_pages(result.pages, profile)
    return replace(
        result,
        observations=(*result.observations, *from_pages),
        namesakes=tuple(dict.fromkeys((*result.namesakes, *namesakes))),
        pages=(),
    )


def _read(page: PageText, profile: Profile) -> Reading:
    return read_page(page.text, page_items(page.text, profile), profile)


def _broker(catalogue: Sequence[Broker], url: str) -> Broker | None:
    host = _host(url)
    return next((b for b in catalogue if _host(b.url) == host), None)


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _wall(outcome: Page | Refusal) -> str:
    if isinstance(outcome, Page):
        return detect_wall(200, {}, outcome.html)
    return ""


def page_items(text: str, profile: Profile) -> list[Extracted]:
    """What the extractors find in a page's text (cached: a scan reads each page again as
    it learns more, and the text does not change)."""
    return list(_extracted(text, profile.country, (*profile.names, *profile.aliases)))


@functools.lru_cache(maxsize=64)
def _extracted(text: str, region: str, names: tuple[str, ...]) -> tuple[Extracted, ...]:
    found = extract_text(text, region=region, subject_names=names)
    return tuple(item for item in found if item.kind in PAGE_KINDS)


def _confidence(reading: Reading) -> float:
    strong = any(not tie.weak for tie in reading.ties())
    return STRONG if strong else CITY_ONLY


def _own_site(url: str, profile: Profile) -> bool:
    """True for a page on one of the subject's own domains, given or learned (or a
    subdomain of one)."""
    host = _host(url)
    domains = [known.value for known in Identity.from_profile(profile).of(TieKind.DOMAIN)]
    return any(host == d or host.endswith("." + d) for d in domains)


def _observations(
    reading: Reading,
    text: str,
    where: SourceRef,
    broker: Broker | None,
    own: bool = False,
) -> list[Observation]:
    """One observation per fact in the subject's records, and their name once per record.

    The evidence snippet is cut from the record alone, so the text of the next record
    (another person with the same name) never shows in the subject's report.
    """
    host = _host(where.url)
    removal = _removal(host, broker, own)
    out: list[Observation] = []
    named: set[int] = set()
    for record, item in reading.facts():
        confidence = STRONG if _strong(record) else CITY_ONLY
        if record.start not in named:
            named.add(record.start)
            out.append(_name_observation(record, where, confidence, removal))
        out.append(
            Observation(
                kind=item.kind,
                value=item.value,
                source=where,
                evidence=f"{host}: {_evidence(text, record, item)}",
                confidence=confidence,
                reason=f"on {host}, next to your name and {_said(record.ties)}",
                removal=removal,
                ties=record.ties,
            )
        )
    return out


def _evidence(text: str, record: Record, item: Extracted) -> str:
    lo, hi = record.start, record.end
    return evidence(text[lo:hi], item.start - lo, min(item.end, hi) - lo)


def _name_observation(
    record: Record, where: SourceRef, confidence: float, removal: tuple[RemovalStep, ...]
) -> Observation:
    host = _host(where.url)
    return Observation(
        kind=Kind.REAL_NAME,
        value=record.name,
        source=where,
        evidence=f"{host}: {record.name}",
        confidence=confidence,
        reason=f"on {host}, with {_said(record.ties)}",
        removal=removal,
        ties=record.ties,
    )


def _strong(record: Record) -> bool:
    return any(not tie.weak for tie in record.ties)


def _said(ties: Sequence[Tie]) -> str:
    parts = [tie.phrase for tie in ties[:3]]
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else "nothing else"


def _removal(host: str, broker: Broker | None, own: bool = False) -> tuple[RemovalStep, ...]:
    if own:
        return (
            RemovalStep(
                f"Edit your page on {host}",
                "This is your own site: remove the detail from the page (and from any copy "
                "in its feeds or archives), then ask search engines to refresh their copy.",
                None,
            ),
        )
    if broker is not None:
        opt = broker.opt_out
        how = opt.how or f"Use {broker.name}'s opt-out ({opt.method})."
        if opt.email and not opt.url:
            how = f"{how} Write to {opt.email}."
        return (RemovalStep(f"Opt out of {broker.name}", how, opt.url),)
    return (
        RemovalStep(
            f"Ask {host} to take it down",
            f"Find the contact or privacy page of {host} and ask for the page (or the detail "
            "on it) to be removed. Once it is gone, ask search engines to drop their copy.",
            None,
        ),
    )


def _check_yourself(result: SearchResult, broker: Broker | None, why: str) -> Account:
    details = {
        "check": "check this yourself",
        "search": f"open the search result yourself: {result.url}",
        "why": f"the page refused an automated reading ({why})",
    }
    if broker is not None:
        opt = broker.opt_out
        details |= {"opt_out": opt.url or "", "method": opt.method}
        if opt.email:
            details["email"] = opt.email
        if opt.how:
            details["how"] = opt.how
    else:
        details["how"] = GENERIC_OPT_OUT
    return Account(
        site=broker.name if broker else _host(result.url),
        url=result.url,
        username="",
        status=AccountStatus.UNKNOWN,
        details=details,
    )
