"""Web search's pure half: what to search for, results as data, and what they show of you.

`query_plan(profile)` turns the profile into at most MAX_QUERIES queries, most valuable
first, without repeats (ignoring case), in an order that depends only on the profile:

1. each full name (at most MAX_NAMES) with each known place (at most MAX_PLACES):
   "Jordan Testwell" "Springfield" IL - the city as a phrase, the state as a plain word so
   "Springfield, Illinois" matches too; the name alone when no place is known;
2. the first name with each employer or school of the profile (`affiliations`);
3. each email, quoted; 4. each handle, quoted (fediverse addresses too);
5. each phone in its common written forms: "(217) 555-0142" and "217-555-0142" for +1
   numbers (search engines read the punctuation as spaces, so "217.555.0142" is covered),
   else the national and the international format;
6. the first name with "address" and with "phone" (people-search pages);
7. paste sites (site:pastebin.com, site:justpaste.it, site:rentry.co) for each email and
   plain handle, one site at a time so the cap keeps pastebin for every value.

Aliases are never searched (the profile promises so); they only help recognise the subject.
A result is a SearchResult (url, title, snippet, query); `web_url` admits absolute
http(s) links only, `url_key` is what results are de-duplicated by. `shown(profile, text)`
says which of the subject's own identifiers a result's title and snippet show, and
`observations_in` turns that into observations. Nothing here does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from phonenumbers import PhoneNumberFormat

from scanner.extract.base import evidence
from scanner.extract.emails import find_emails
from scanner.extract.phones import find_phones
from scanner.models import (
    Field,
    Kind,
    Location,
    LookedUp,
    Observation,
    Profile,
    RemovalStep,
    SourceRef,
)
from scanner.sources.base import TIED, UNTIED, plain_handles
from scanner.text import printable

MAX_QUERIES = 20
MAX_NAMES = 2
MAX_PLACES = 3
MAX_TERM = 100  # characters of one identifier put in a query (DuckDuckGo takes < 500 in all)
PASTE_SITES = ("pastebin.com", "justpaste.it", "rentry.co")
MAX_TITLE, MAX_SNIPPET, MAX_URL = 300, 1000, 2048


@dataclass(frozen=True)
class Query:
    """One search: the text sent, why it is worth running, the identifiers it is about."""

    text: str
    why: str
    about: tuple[str, ...]
    looked_up: tuple[LookedUp, ...] = ()  # the identifiers the query sends


@dataclass(frozen=True)
class SearchResult:
    """One web search result: where it points, what the engine showed, which query found it."""

    url: str
    title: str
    snippet: str
    query: str
    about: tuple[str, ...] = ()  # the subject's identifiers the query was about
    looked_up: tuple[LookedUp, ...] = ()  # what the query that found it sent


@dataclass(frozen=True)
class Sighting:
    """One of the subject's own identifiers, seen in a search result."""

    kind: Kind
    value: str
    evidence: str
    what: str  # "your email" / "your name next to Springfield, IL"
    confidence: float


def quoted(value: str) -> str:
    """The value as an exact-phrase term (inner double quotes dropped, length capped)."""
    return '"' + " ".join(value.replace('"', " ").split())[:MAX_TERM] + '"'


def place_terms(location: Location) -> str:
    """'"Springfield" IL': the city as a phrase, the region as plain words."""
    city, region = location.city.strip(), location.region.strip()
    if not city:
        return quoted(region) if region else ""
    words = " ".join(re.findall(r"[\w.']+", region))[:MAX_TERM]  # no operators ("-", ":")
    return f"{quoted(city)} {words}".strip()


def phone_forms(phone: str, region: str = "US") -> list[str]:
    """The ways people write a phone number ("(217) 555-0142", "217-555-0142" for +1)."""
    try:
        number = phonenumbers.parse(phone, region or None)
    except phonenumbers.NumberParseException:
        return [phone.strip()] if phone.strip() else []
    national = str(phonenumbers.national_significant_number(number))
    if number.country_code == 1 and len(national) == 10:
        area, exchange, line = national[:3], national[3:6], national[6:]
        return [f"({area}) {exchange}-{line}", f"{area}-{exchange}-{line}"]
    formats = (PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL)
    return list(dict.fromkeys(str(phonenumbers.format_number(number, f)) for f in formats))


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        text = " ".join(value.split())
        if text and text.casefold() not in seen:
            seen[text.casefold()] = text
    return list(seen.values())


def all_queries(profile: Profile) -> list[Query]:
    """Every query the profile calls for, most valuable first, before the cap."""
    names = _unique(profile.names)[:MAX_NAMES]
    places: dict[str, tuple[str, str]] = {}
    for location in profile.locations:
        if terms := place_terms(location):
            places.setdefault(terms.casefold(), (terms, str(location)))
    where_list = list(places.values())[:MAX_PLACES]
    emails = _unique(email.lower() for email in profile.emails)
    handles = _unique(profile.handles)
    queries: list[Query] = []
    for name in names:
        sent = (LookedUp(Field.NAMES, name),)
        for terms, label in where_list or [("", "")]:
            text = f"{quoted(name)} {terms}".strip()
            why = f"pages that mention {name} in {label}" if label else f"pages that mention {name}"
            queries.append(Query(text, why, (name, label) if label else (name,), sent))
    for group in _unique(profile.affiliations) if names else []:
        text = f"{quoted(names[0])} {quoted(group)}"
        sent = (LookedUp(Field.NAMES, names[0]),)
        queries.append(Query(text, f"pages that tie your name to {group}", (names[0], group), sent))
    for email in emails:
        sent = (LookedUp(Field.EMAILS, email),)
        queries.append(Query(quoted(email), "pages that show your email address", (email,), sent))
    for handle in handles:
        sent = (LookedUp(Field.HANDLES, handle),)
        queries.append(Query(quoted(handle), "pages that mention your username", (handle,), sent))
    for phone in _unique(profile.phones):
        sent = (LookedUp(Field.PHONES, phone),)
        for form in phone_forms(phone, profile.country):
            why = f"pages that show your phone as {form}"
            queries.append(Query(quoted(form), why, (phone,), sent))
    for word in ("address", "phone") if names else ():
        sent = (LookedUp(Field.NAMES, names[0]),)
        why = f"pages listing your {word}"
        queries.append(Query(f"{quoted(names[0])} {word}", why, (names[0],), sent))
    pasted = [(Field.EMAILS, e) for e in emails]
    pasted += [(Field.HANDLES, h) for h in _unique(plain_handles(profile))]
    for site in PASTE_SITES:
        for field, value in pasted:
            why = f"pastes on {site} (dumps and leaks) that show {value}"
            sent = (LookedUp(field, value),)
            queries.append(Query(f"site:{site} {quoted(value)}", why, (value,), sent))
    unique: dict[str, Query] = {}
    for query in queries:
        unique.setdefault(query.text.casefold(), query)
    return list(unique.values())


def query_plan(profile: Profile, limit: int = MAX_QUERIES) -> tuple[list[Query], list[str]]:
    """The queries to run (at most `limit`) and a note naming the ones the cap left out."""
    queries = all_queries(profile)
    limit = max(0, limit)
    if len(queries) <= limit:
        return queries, []
    rest = "; ".join(query.text for query in queries[limit:])
    note = f"web search: only the first {limit} queries were run; not run: {rest}"
    return queries[:limit], [note]


def _phrase(value: str) -> re.Pattern[str]:
    """`value` as a whole word or phrase, any case, any run of spaces between its words."""
    words = r"\s+".join(re.escape(word) for word in value.split())
    return re.compile(rf"(?<![\w.-])(?<!\w@){words}(?![\w-]|[.@]\w)", re.IGNORECASE)


def shown(profile: Profile, text: str) -> list[Sighting]:
    """The subject's own emails, phones, handles and name-with-city that `text` shows.

    Emails and phones are read with the extractors and compared normalised (so "(217)
    555-0142" is +12175550142); a handle must stand as a whole word (someone else may hold
    it: UNTIED); a name or alias counts only with a known city beside it (namesakes: UNTIED).
    """
    found: list[Sighting] = []
    for item in find_emails(text):
        if item.value in profile.emails:
            found.append(Sighting(Kind.EMAIL, item.value, item.evidence, "your email", TIED))
    for item in find_phones(text, profile.country or "US"):
        if item.value in profile.phones:
            found.append(Sighting(Kind.PHONE, item.value, item.evidence, "your phone", TIED))
    for handle in _unique(profile.handles):
        if match := _phrase(handle).search(text):
            snippet = evidence(text, *match.span())
            found.append(Sighting(Kind.USERNAME, handle, snippet, "your username", UNTIED))
    names = _unique((*profile.names, *profile.aliases))
    named = [m for name in names if (m := _phrase(name).search(text))]
    for location in profile.locations if named else ():
        if location.city.strip() and (city := _phrase(location.city).search(text)):
            spans = (named[0].span(), city.span())
            snippet = evidence(text, min(s for s, _ in spans), max(e for _, e in spans))
            what = f"your name next to {location}"
            found.append(Sighting(Kind.LOCATION, str(location), snippet, what, UNTIED))
    unique: dict[tuple[Kind, str], Sighting] = {}
    for sighting in found:
        unique.setdefault((sighting.kind, sighting.value), sighting)
    return list(unique.values())


def observations_in(
    profile: Profile, result: SearchResult, source: str = "websearch"
) -> list[Observation]:
    """What a search result (its title and snippet) shows of the subject, as observations."""
    url = result.url
    host = (urlsplit(url).hostname or "the site").lower()
    step = RemovalStep(
        f"Ask {host} to remove the page or your details",
        "Open the page and use the site's contact, privacy or opt-out page to ask for your "
        "details to be removed. Search engines drop the result once the page changes or is "
        "gone.",
        url,
    )
    return [
        Observation(
            kind=seen.kind,
            value=seen.value,
            source=SourceRef(source, url, result.looked_up),
            evidence=seen.evidence,
            confidence=seen.confidence,
            reason=f"a web search result shows {seen.what} (searching {result.query})",
            removal=(step,),
        )
        for seen in shown(profile, f"{result.title}\n{result.snippet}")
    ]


def web_url(url: str) -> str:
    """The URL when it is an absolute http(s) address without user info, else ""."""
    url = url.strip()
    if url.startswith("//"):
        url = f"https:{url}"
    if len(url) > MAX_URL or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return ""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return ""
    ok = parts.scheme.lower() in ("http", "https") and parts.hostname and "@" not in parts.netloc
    return url if ok else ""


def url_key(url: str) -> str:
    """The URL for de-duplication: no scheme, "www.", fragment, default port or final "/"."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{parts.port}" if parts.port not in (None, 80, 443) else ""
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{port}{parts.path.rstrip('/')}{query}"


def clean(text: str, limit: int) -> str:
    """Scraped text on one line, control characters replaced, at most `limit` characters."""
    return printable(" ".join(text.split()))[:limit]


def make_result(url: str, title: str, snippet: str, query: Query) -> SearchResult:
    return SearchResult(
        url,
        clean(title, MAX_TITLE),
        clean(snippet, MAX_SNIPPET),
        query.text,
        query.about,
        query.looked_up,
    )


def from_items(
    items: list[Any],
    fields: tuple[str, str, str],
    query: Query,
    link: Callable[[str], str] = web_url,
) -> list[SearchResult]:
    """Result dicts as results; `fields` names the URL, title and text keys."""
    found = []
    for item in items:
        if isinstance(item, dict):
            url, title, text = (item.get(f) for f in fields)
            url = link(url) if isinstance(url, str) else ""
            if url:
                title, text = (v if isinstance(v, str) else "" for v in (title, text))
                found.append(make_result(url, title, text, query))
    return found
