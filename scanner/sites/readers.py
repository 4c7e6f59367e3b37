"""What a found account shows, per site: data-driven readers over readers.json.

    reading = await read_account(http, result)     # Reading: facts, the reader, a note
    facts = read(reader, body, url)                 # ProfileFacts | None (pure)

readers.json (built by scripts/build_readers.py from the shared profile reference) holds
one declaration per site; nothing here knows a site by name. A reader says:

- which found accounts it applies to: `hosts` (the account URL's host or a subdomain),
  `sites` (catalogue names: the instances of a shared platform) or `checks` (text in a
  site's check URL template, such as Mastodon's "/api/v1/accounts/lookup");
- what to read, with ONE request: `request` "" (the account's own page), "check" (the
  site's check URL again, GET only) or a template of a public API address, filled with
  `{account}` (the name as the site was asked), `{host}` (the account URL's host) and the
  named groups of `profile` (a regex over the account URL) and `check_regex` (over the
  check URL); `needs` says a key is required (then no API request is sent, and the page's
  standard markup is read instead);
- how: `format` json | xml | html (CSS selectors, "sel text" or "sel @attr") | embedded
  (the JSON `extract`'s first group captures in the page) | pattern (`extract`'s named
  groups); `root` (a path to the object the fields are read from); `markers`, texts every
  answer of this shape carries: an answer without all of them is not read at all;
  `account`, a path whose value must be the name asked (a search API's first hit that is
  another user is not read);
- `fields`: for name, bio, location, employer, links, avatar, joined and emails, paths
  tried in order ("a + b" joins two values; "path -> https://x.com/{}" turns a username
  into a link);
- how sure its shape is (`shape`): "capture" (a recorded answer), "docs" (a documentation
  sample) or "derived" (restated from another tool's extraction rules or the server's
  source; `stale` says when that tool marks the rule out of date). Every derived reader
  names markers.

Paths: `$` the root, `.key`, `["key"]`, `[0]`, `[-1]`, `[*]` / `.*` (every item or
value; a single-valued field takes the first non-empty). XML paths are "child/child" (the
text) or "child@attr" below the document element.

Values are cleaned like reveal.py's: whitespace collapsed and clipped, HTML in a bio read
as text, links absolute http(s) (a bare host gets https://), avatars kept as addresses
(text, never fetched: "{size}" in a template becomes 240), join dates as YYYY-MM-DD when
they are epoch seconds or milliseconds, ISO dates, "Tue Feb 20 14:35:54 +0000 2007" or
"September 20, 2006" (a year stays a year). A site without a reader, a reader that needs
a key, and an HTML reader's page are also read for standard markup (reveal.read_profile);
the reader's values come first.

The data is loaded on first use (lru_cache), never at import.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from scanner.quiet import looks_loud
from scanner.sites.catalogue import PLACEHOLDER, Site
from scanner.sites.reveal import MAX_LINKS, ProfileFacts, clip, link, read_profile

READERS_PATH = Path(__file__).with_name("readers.json")
SHAPES = ("capture", "docs", "derived")
FORMATS = ("json", "xml", "html", "embedded", "pattern")
PAGE_FORMATS = ("html", "embedded", "pattern")  # read from a web page
FIELDS = ("name", "bio", "location", "employer", "links", "avatar", "joined", "emails")
MAX_BODY = 1_000_000  # characters of an answer read
MAX_PATTERN_BODY = 300_000  # characters a pattern reader searches (third-party regexes)
JSON_TYPES = frozenset(
    {"application/json", "text/json", "application/activity+json", "application/ld+json",
     "text/plain", "text/javascript", "application/javascript"}
)  # fmt: skip
XML_TYPES = frozenset({"application/xml", "text/xml", "application/rss+xml", "text/plain"})
EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}")
HANDLE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
JOIN = {"name": " ", "location": ", "}
_TOKEN = re.compile(r"""\.(\*|[^.\[\]]+)|\[(\*|-?\d+)\]|\[["']([^"']+)["']\]""")


@dataclass(frozen=True)
class Reader:
    """One site's declaration in readers.json (see module)."""

    site: str
    title: str
    shape: str
    basis: str
    format: str
    fields: Mapping[str, tuple[str, ...]]
    hosts: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    profile: str = ""
    check_regex: str = ""
    request: str = ""
    needs: str = ""
    markers: tuple[str, ...] = ()
    extract: str = ""
    root: str = ""
    account: str = ""
    stale: str = ""

    @property
    def label(self) -> str:
        """ "the GitHub reader (docs sample)", for notes and account rows."""
        sure = {"capture": "recorded capture", "docs": "documentation sample"}
        return f"the {self.title} reader ({sure.get(self.shape, 'derived shape')})"


@dataclass(frozen=True)
class Plan:
    """The one request a reader makes for an account, or why none is made."""

    url: str = ""
    format: str = "html"
    skip: str = ""


@dataclass(frozen=True)
class Reading:
    """What reading a found account gave: the facts (None: nothing readable), the reader
    used (None: standard markup only) and a note for the account row."""

    facts: ProfileFacts | None
    reader: Reader | None = None
    note: str = ""
    url: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def load_readers(path: Path = READERS_PATH) -> tuple[Reader, ...]:
    """Every reader in readers.json, validated (a bad entry is a bug: ValueError)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(_reader(entry) for entry in data["readers"])


def _reader(entry: Mapping[str, Any]) -> Reader:
    fields = {key: tuple(value) for key, value in entry["fields"].items()}
    reader = Reader(
        site=entry["site"],
        title=entry["title"],
        shape=entry["shape"],
        basis=entry["basis"],
        format=entry["format"],
        fields=fields,
        hosts=tuple(entry.get("hosts", ())),
        sites=tuple(name.casefold() for name in entry.get("sites", ())),
        checks=tuple(entry.get("checks", ())),
        profile=entry.get("profile", ""),
        check_regex=entry.get("check_regex", ""),
        request=entry.get("request", ""),
        needs=entry.get("needs", ""),
        markers=tuple(entry.get("markers", ())),
        extract=entry.get("extract", ""),
        root=entry.get("root", ""),
        account=entry.get("account", ""),
        stale=entry.get("stale", ""),
    )
    problems = [
        reader.shape not in SHAPES and f"shape {reader.shape!r}",
        reader.format not in FORMATS and f"format {reader.format!r}",
        not fields and "no fields",
        any(key not in FIELDS for key in fields) and "an unknown field",
        reader.shape == "derived" and not reader.markers and "a derived reader without markers",
        reader.format in ("embedded", "pattern") and not reader.extract and "no extract",
        not (reader.hosts or reader.sites or reader.checks) and "nothing it applies to",
    ]
    wrong = [p for p in problems if p]
    if wrong:
        raise ValueError(f"reader {reader.site}: {', '.join(wrong)}")
    for regex in (reader.profile, reader.check_regex, reader.extract):
        re.compile(regex)
    return reader


def reader_for(site: Site, url: str, readers: tuple[Reader, ...] | None = None) -> Reader | None:
    """The reader for a found account on `site` at `url` (None: standard markup only)."""
    host = (urlsplit(url).hostname or "").casefold()
    name = site.name.casefold()
    for reader in load_readers() if readers is None else readers:
        if name in reader.sites or any(text in site.uri_check for text in reader.checks):
            return reader
        if any(host == h or host.endswith("." + h) for h in reader.hosts):
            return reader
    return None


def plan(reader: Reader, site: Site, account: str, url: str) -> Plan:
    """The request `reader` makes for `account` (found at `url` on `site`); nothing sent."""
    if reader.needs:
        return Plan(url=url, format="html")  # the account's page: standard markup only
    if not reader.request:
        return Plan(url=url, format=reader.format)
    check = site.uri_check.replace(PLACEHOLDER, quote(account, safe=""))
    if reader.request == "check":
        if site.post_body is not None:
            return Plan(skip="its check is a POST request, not read again")
        target = check
    else:
        values = {"account": quote(account, safe=""), "host": urlsplit(url).hostname or ""}
        for regex, text in ((reader.profile, url), (reader.check_regex, check)):
            if not regex:
                continue
            match = re.search(regex, text)
            if match is None:
                return Plan(skip="its address is not the shape the reader knows")
            values.update({k: v for k, v in match.groupdict().items() if v})
        try:
            target = reader.request.format_map(_Lower(values))
        except (KeyError, IndexError, ValueError):
            return Plan(skip="its address lacks what the reader's request needs")
    parts = urlsplit(target)
    loud = looks_loud(parts.hostname or "", parts.path, parts.query)
    if loud:
        return Plan(skip=f"its request looks like an account flow ({loud}): not sent")
    return Plan(url=target, format=reader.format)


class _Lower(dict[str, str]):
    """format_map values; "{account|lower}" is written "{account_lower}"."""

    def __missing__(self, key: str) -> str:
        if key.endswith("_lower") and key[: -len("_lower")] in self:
            return self[key[: -len("_lower")]].casefold()
        raise KeyError(key)


def read(reader: Reader, body: str, url: str, account: str = "") -> ProfileFacts | None:
    """What `body` (an answer to the reader's request at `url`) shows; None when it does
    not carry the reader's markers, is not its shape, or names another account."""
    body = body[:MAX_BODY]
    if not all(marker in body for marker in reader.markers):
        return None
    values = _values(reader, body)
    if values is None:
        return None
    if reader.account and account:
        named = [str(v) for v in values("account", reader.account)]
        if named and not any(n.casefold().lstrip("@") == account.casefold() for n in named):
            return None
    found = {name: _field(name, paths, values) for name, paths in reader.fields.items()}
    links = [link(url, value) for value in found.get("links", ())]
    return ProfileFacts(
        name=clip(_first(found, "name"), "name"),
        bio=clip(_first(found, "bio"), "bio"),
        location=clip(_first(found, "location"), "location"),
        employer=clip(_first(found, "employer"), "employer"),
        links=tuple(dict.fromkeys(x for x in links if x))[:MAX_LINKS],
        avatar=link(url, _first(found, "avatar").replace("{size}", "240")),
        joined=clip(_first(found, "joined"), "joined"),
        emails=tuple(dict.fromkeys(found.get("emails", ())))[:MAX_LINKS],
    )


Values = Any  # (field name, path) -> list of raw values


def _values(reader: Reader, body: str) -> Values | None:
    """A function from (field, path) to raw values, over the parsed answer."""
    if reader.format == "pattern":
        match = re.search(reader.extract, body[:MAX_PATTERN_BODY])
        if match is None:
            return None
        groups = {k: v for k, v in match.groupdict().items() if v}
        return lambda _field, path: [html_lib.unescape(groups[path])] if path in groups else []
    if reader.format == "html":
        tree = LexborHTMLParser(body)
        return lambda _field, path: _select(tree, path)
    if reader.format == "xml":
        root = _xml(body)
        if root is None:
            return None
        return lambda _field, path: _xml_path(root, path)
    if reader.format == "embedded":
        match = re.search(reader.extract, body)
        if match is None:
            return None
        body = match.group(1)
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if reader.root:
        roots = _path(data, reader.root)
        if not roots:
            return None
        data = roots[0]
    return lambda _field, path: _path(data, path)


def _field(name: str, paths: tuple[str, ...], values: Values) -> list[str]:
    out: list[str] = []
    for spec in paths:
        spec, _, template = (part.strip() for part in spec.partition("->"))
        parts = [p.strip() for p in spec.split(" + ")]
        if len(parts) > 1:
            joined = JOIN.get(name, " ").join(
                t for t in (_text(name, next(iter(values(name, p)), None)) for p in parts) if t
            )
            found = [joined] if joined else []
        else:
            found = [t for t in (_text(name, v) for v in values(name, parts[0])) if t]
        for text in found:
            out.extend(_shaped(name, text, template))
        if out and name not in ("links", "emails"):
            break
    return out


def _shaped(name: str, text: str, template: str) -> list[str]:
    if template:
        handle = text.strip().lstrip("@")
        return [template.replace("{}", handle)] if HANDLE.fullmatch(handle) else []
    if name == "links":
        return _links(text)
    if name == "emails":
        return EMAIL.findall(text)
    if name == "joined":
        return [_date(text)]
    if name == "bio" and "<" in text:
        from scanner.extract import html_to_text

        return [html_to_text(text)]
    return [text]


def _links(text: str) -> list[str]:
    """Links in a field: an HTML anchor's href, else each whitespace-separated word."""
    if "<" in text:
        tree = LexborHTMLParser(text)
        hrefs = [str(a.attributes.get("href") or "") for a in tree.css("a[href]")]
        return [h for h in hrefs if h] or _links(tree.text(deep=True))
    words = [w.strip("<>()[],") for w in text.split()]
    return [w if "://" in w else f"https://{w}" for w in words if "." in w and "@" not in w]


def _first(found: Mapping[str, list[str]], name: str) -> str:
    return next(iter(found.get(name, ())), "")


def _text(name: str, value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value) if name == "joined" else ""
    if isinstance(value, str):
        return " ".join(value.split()) if name != "links" else value.strip()
    return ""


def _date(text: str) -> str:
    """A join date as YYYY-MM-DD where its form is known, else the text (see module)."""
    if re.fullmatch(r"\d+(\.\d+)?", text):
        number = float(text)
        if 1900 <= number <= 2100 and "." not in text:
            return text  # a year
        if number > 1e11:
            number /= 1000  # epoch milliseconds
        if number > 1e8:
            return datetime.fromtimestamp(number, UTC).strftime("%Y-%m-%d")
        return text
    if re.match(r"\d{4}-\d{2}-\d{2}", text):
        return text[:10]
    for form in ("%a %b %d %H:%M:%S %z %Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y"):
        try:
            return datetime.strptime(text, form).strftime("%Y-%m-%d")
        except ValueError:
            continue
    return text


def _path(data: Any, path: str) -> list[Any]:
    """The values at a JSON path (see module); [] when there are none."""
    text = path.strip()
    if not text.startswith("$"):
        return []
    current = [data]
    for match in _TOKEN.finditer(text, 1):
        key, index, quoted = match.groups()
        step: list[Any] = []
        for item in current:
            step.extend(_step(item, quoted if quoted is not None else key, index))
        current = step
        if not current:
            break
    return current


def _step(item: Any, key: str | None, index: str | None) -> Iterator[Any]:
    if key == "*" or index == "*":
        if isinstance(item, dict):
            yield from item.values()
        elif isinstance(item, list):
            yield from item
    elif index is not None:
        if isinstance(item, list) and -len(item) <= int(index) < len(item):
            yield item[int(index)]
    elif isinstance(item, dict) and key in item:
        yield item[key]


def _select(tree: LexborHTMLParser, path: str) -> list[str]:
    """ "sel text", "sel @attr" or "sel" (its text) over the page."""
    selector, _, what = path.rpartition(" ")
    if what != "text" and not what.startswith("@"):
        selector, what = path, "text"
    try:
        nodes = tree.css(selector)[:MAX_LINKS]
    except ValueError:
        return []
    if what == "text":
        return [" ".join(n.text(deep=True).split()) for n in nodes]
    return [str(n.attributes.get(what[1:]) or "") for n in nodes]


def _xml(body: str) -> ET.Element | None:
    if "<!DOCTYPE" in body or "<!ENTITY" in body:
        return None  # no document type, no entities: nothing to expand
    try:
        return ET.fromstring(body.lstrip().encode("utf-8"))  # noqa: S314 (no DTD: refused above)
    except ET.ParseError:
        return None


def _xml_path(root: ET.Element, path: str) -> list[str]:
    element_path, _, attribute = path.partition("@")
    nodes = root.findall(element_path) if element_path else [root]
    if attribute:
        return [node.get(attribute, "") for node in nodes]
    return [node.text or "" for node in nodes]


def readers_info(readers: tuple[Reader, ...] | None = None) -> dict[str, int]:
    """How many readers there are by how sure their shape is (for `sites info`)."""
    every = load_readers() if readers is None else readers
    return {shape: sum(1 for r in every if r.shape == shape) for shape in SHAPES}


async def read_account(http: Any, site: Site, account: str, url: str) -> Reading:
    """Read one found account with its reader (one request), else its page's markup."""
    from scanner.pagefetch import HTML_TYPES, Page, fetch

    reader = reader_for(site, url)
    if reader is None:
        page = await fetch(http, url)
        if not isinstance(page, Page):
            return Reading(None, note=f"page not readable: {page.reason}")
        return Reading(read_profile(page.html, page.url), url=page.url)
    planned = plan(reader, site, account, url)
    if planned.skip:
        return Reading(None, reader, f"not read: {planned.skip}")
    types = {"json": JSON_TYPES, "xml": XML_TYPES}.get(planned.format, HTML_TYPES)
    accept = {"json": "application/json", "xml": "application/xml"}.get(
        planned.format, "text/html,application/xhtml+xml;q=0.9"
    )
    answer = await fetch(http, planned.url, media_types=types, accept=accept)
    if not isinstance(answer, Page):
        return Reading(None, reader, f"details unavailable: {answer.reason}", planned.url)
    body = answer.html or answer.content.decode("utf-8", "replace")
    facts = None if reader.needs else read(reader, body, answer.url, account)
    if planned.format in PAGE_FORMATS and answer.html:
        standard = read_profile(answer.html, answer.url)
        facts = facts.over(standard) if facts is not None else standard
        if reader.needs:
            return Reading(facts, reader, f"its API needs {reader.needs}: page markup read")
    if facts is None:
        return Reading(None, reader, "details unavailable: the answer is not the shape known")
    return Reading(facts, reader, "", answer.url)
