"""The subject's own website: what its home page, about / contact / CV pages and latest posts
show, read as theirs.

Runs for each of the subject's domains (given, or a lead: a website a tied account links to),
at most MAX_DOMAINS. Per domain, at most MAX_PAGES pages, all on that site:

1. the home page, https://DOMAIN/ (never plain http: it would show the network each page);
2. its sitemap.xml, when it has one (XML, size-capped), for page addresses on the site;
3. from the home page's links and the sitemap, the pages people read for personal details
   (an address whose path or link text says about, contact, bio, CV / résumé, "me",
   profile, impressum; ABOUT_WORDS) first, then the latest posts (an address with a year
   in its path, or a link inside <article> / a list of posts), MAX_POSTS at most.

Every fetch is pagefetch's: public addresses only, redirects checked hop by hop, never an
address that looks like an account flow. A page on the person's own site is about them as a
whole, except what other people write there: comment threads, guestbooks, replies and
"related" / "people also" blocks (elements whose id or class says so, COMMENT_MARKS) are cut
out before the text is read. What the extractors find is then the subject's (Basis.TIED,
tied by the domain), with an "edit your page" step; names are not (the subject's is known,
and others' are not theirs). Photos on the site's own pages (photos.page_images: og:image
and <img> on the same site, never a beacon or another host's image, which may be a tracker)
are read for their EXIF: a GPS position there is where the person stood.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scanner.extract.html import html_to_text
from scanner.http import Http
from scanner.identity import Basis, confidence_of
from scanner.models import (
    Field,
    LookedUp,
    Observation,
    Profile,
    RemovalStep,
    SourceRef,
    SourceResult,
    Tie,
    TieKind,
)
from scanner.pagefetch import Page, fetch
from scanner.photos import page_images, photo_findings
from scanner.sources.base import Source
from scanner.sources.pagemine import page_items

NAME = "website"
MAX_DOMAINS = 3
MAX_PAGES = 6  # per domain, the home page included
MAX_POSTS = 2
MAX_PHOTOS = 6  # per domain
SITEMAP_TYPES = frozenset({"application/xml", "text/xml", "application/rss+xml"})
ABOUT_WORDS = re.compile(
    r"\b(about|about-me|aboutme|contact|kontakt|contacto|bio|biography|cv|resume|résumé|"
    r"me|profile|impressum|who-?am-?i|sobre-mi|acerca)\b",
    re.IGNORECASE,
)
POST_PATH = re.compile(r"/(19|20)\d\d/|/(posts?|blog|articles?|notes)/", re.IGNORECASE)
COMMENT_MARKS = re.compile(
    r"comment|respond|reply|replies|guestbook|disqus|related|people-also|also-search|"
    r"discussion|feedback",
    re.IGNORECASE,
)
LOC = re.compile(r"<loc>\s*([^<\s]{1,2000})\s*</loc>", re.IGNORECASE)
MAX_SITEMAP_LOCS = 500


class WebsiteSource(Source):
    name = NAME
    title = "Your website"
    needs = frozenset({"domains"})

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        domains = list(dict.fromkeys(d.lower() for d in profile.domains))
        notes: list[str] = []
        if len(domains) > MAX_DOMAINS:
            notes.append(f"only the first {MAX_DOMAINS} of your domains were read")
        observations: list[Observation] = []
        for domain in domains[:MAX_DOMAINS]:
            found, said = await read_site(http, domain, profile)
            observations.extend(found)
            notes.extend(said)
        return SourceResult(observations=tuple(observations), notes=tuple(notes))


async def read_site(
    http: Http, domain: str, profile: Profile
) -> tuple[list[Observation], list[str]]:
    """What the site's pages show (module docstring), and notes on what could not be read."""
    notes: list[str] = []
    home = await _home(http, domain)
    if home is None:
        return [], [f"{domain}: the home page could not be read"]
    sitemap = await _sitemap(http, home.url)
    pages = [home]
    for url in pick_pages(home, sitemap):
        outcome = await fetch(http, url)
        if isinstance(outcome, Page):
            pages.append(outcome)
        else:
            notes.append(f"could not read {url}: {outcome.reason}")
    observations: list[Observation] = []
    photos_left = MAX_PHOTOS
    for page in pages:
        observations.extend(page_observations(page, domain, profile))
        images = page_images(page.html, page.url, same_site=True)[:photos_left]
        photos_left -= len(images)
        if images:
            found, said = await photo_findings(
                http,
                images,
                page_url=page.url,
                profile=profile,
                source_name=NAME,
                confidence=confidence_of(Basis.TIED),
                looked_up=(LookedUp(Field.DOMAINS, domain),),
            )
            observations.extend(found)
            notes.extend(said)
    notes.append(f"{domain}: {len(pages)} page(s) of your site read")
    return observations, notes


async def _home(http: Http, domain: str) -> Page | None:
    """https only: a plain-http fallback would show every page read to the network."""
    outcome = await fetch(http, f"https://{domain}/")
    return outcome if isinstance(outcome, Page) else None


async def _sitemap(http: Http, home: str) -> list[str]:
    outcome = await fetch(
        http, urljoin(home, "/sitemap.xml"), media_types=SITEMAP_TYPES, accept="application/xml"
    )
    if not isinstance(outcome, Page):
        return []
    text = outcome.content.decode("utf-8", errors="replace")
    return [m.group(1) for m in LOC.finditer(text)][:MAX_SITEMAP_LOCS]


def pick_pages(home: Page, sitemap: Sequence[str]) -> list[str]:
    """The pages of the site to read after the home page: about-like pages first, then the
    latest posts, all on the home page's host, at most MAX_PAGES - 1."""
    host = _host(home.url)
    about: list[str] = []
    posts: list[str] = []
    for url, label in (*_links(home), *((loc, "") for loc in sitemap)):
        url = url.split("#", 1)[0]
        if _host(url) != host or url.rstrip("/") == home.url.rstrip("/"):
            continue
        path = urlsplit(url).path
        if ABOUT_WORDS.search(path) or ABOUT_WORDS.search(label):
            about.append(url)
        elif POST_PATH.search(path):
            posts.append(url)
    chosen = list(dict.fromkeys(about))
    chosen += [url for url in dict.fromkeys(posts) if url not in chosen][:MAX_POSTS]
    return chosen[: MAX_PAGES - 1]


def _links(page: Page) -> list[tuple[str, str]]:
    tree = LexborHTMLParser(page.html)
    found = []
    for node in tree.css("a[href]"):
        href = str(node.attributes.get("href") or "").strip()
        if href and not href.lower().startswith(("mailto:", "tel:", "javascript:")):
            found.append((urljoin(page.url, href), node.text(strip=True)[:100]))
    return found


def own_text(html: str) -> str:
    """The page's text without what other people write on it (COMMENT_MARKS blocks)."""
    tree = LexborHTMLParser(html)
    for node in tree.css("[id], [class]"):
        if _others_write(node):
            node.decompose()
    return html_to_text(tree.html or "")


def _others_write(node: LexborNode) -> bool:
    marks = f"{node.attributes.get('id') or ''} {node.attributes.get('class') or ''}"
    return COMMENT_MARKS.search(marks) is not None


def page_observations(page: Page, domain: str, profile: Profile) -> list[Observation]:
    """What one page of the subject's own site shows: every detail, tied by the domain."""
    text = own_text(page.html)
    found = page_items(text, profile)
    host = _host(page.url)
    source = SourceRef(NAME, page.url, (LookedUp(Field.DOMAINS, domain),))
    ties = (Tie(kind=TieKind.DOMAIN, value=domain),)
    step = RemovalStep(
        f"Edit your page on {host}",
        "This is your own site: remove the detail from the page (and from any copy in its "
        "feeds, sitemap or archives), then ask search engines to refresh their copy.",
        page.url,
    )
    return [
        Observation(
            kind=item.kind,
            value=item.value,
            source=source,
            evidence=f"{host}: {item.evidence}",
            confidence=confidence_of(Basis.TIED),
            reason=f"on your own site {domain}",
            removal=(step,),
            ties=ties,
        )
        for item in found
    ]


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")
