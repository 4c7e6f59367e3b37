"""What a found account's public profile page shows: name, bio, place, employer, links, photo.

    facts = read_profile(html, page_url)        # ProfileFacts (empty fields: not shown)

No per-site rules: only the published standards profile pages use for themselves, in this
order of trust (the first non-empty value of a field wins):

1. JSON-LD (`<script type="application/ld+json">`): a schema.org Person, or a ProfilePage
   whose mainEntity is one: name, alternateName, description, address / homeLocation
   (text, Place or PostalAddress: addressLocality, addressRegion, addressCountry), worksFor
   (text or Organization.name), url and sameAs, image (text or ImageObject.url), and the
   ProfilePage's dateCreated;
2. schema.org microdata inside an element with itemtype …/Person: itemprop name,
   description, homeLocation, worksFor, url, image (GitHub's profile page is this shape:
   shared reference html/github; its worksFor/homeLocation carry "Organization: …" /
   "Home location: …" in aria-label, whose label is dropped);
3. microformats2 h-card: p-name, p-note, p-locality / p-region / p-country-name (or
   p-adr), p-org, u-url, u-photo;
4. OpenGraph and plain meta: og:description or description as the bio, og:image or
   twitter:image as the photo.

Values are whitespace-collapsed and cut to a length; links must be absolute http(s). The
photo is kept as an address (text): it is never fetched here, never embedded in a report.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

MAX_TEXT = {"name": 100, "bio": 500, "location": 120, "employer": 120, "joined": 40}
MAX_LINKS = 10
MAX_LD_SCRIPTS = 5
MAX_LD_CHARS = 200_000
_LABELS = ("home location:", "location:", "organization:", "organisation:")


@dataclass(frozen=True)
class ProfileFacts:
    name: str = ""
    bio: str = ""
    location: str = ""
    employer: str = ""
    links: tuple[str, ...] = ()
    avatar: str = ""
    joined: str = ""
    emails: tuple[str, ...] = ()

    def texts(self) -> list[str]:
        """Everything a tie to the subject may be read from."""
        return [self.name, self.bio, self.location, self.employer, *self.links, *self.emails]

    def __bool__(self) -> bool:
        return any((*self.texts(), self.avatar, self.joined))

    def over(self, other: ProfileFacts) -> ProfileFacts:
        """These facts, with `other`'s where these have none (links and emails joined)."""
        return ProfileFacts(
            name=self.name or other.name,
            bio=self.bio or other.bio,
            location=self.location or other.location,
            employer=self.employer or other.employer,
            links=tuple(dict.fromkeys((*self.links, *other.links)))[:MAX_LINKS],
            avatar=self.avatar or other.avatar,
            joined=self.joined or other.joined,
            emails=tuple(dict.fromkeys((*self.emails, *other.emails)))[:MAX_LINKS],
        )


def read_profile(html: str, page_url: str) -> ProfileFacts:
    """The profile facts of one page (see module); empty ProfileFacts when it has none."""
    tree = LexborHTMLParser(html)
    found: dict[str, Any] = {}
    for reader in (_json_ld, _microdata, _h_card, _meta):
        for key, value in reader(tree):
            if key == "links":
                found.setdefault("links", []).extend(value)
            elif value and not found.get(key):
                found[key] = value
    links = [link(page_url, str(v)) for v in found.get("links", [])]
    return ProfileFacts(
        name=clip(found.get("name", ""), "name"),
        bio=clip(found.get("bio", ""), "bio"),
        location=clip(found.get("location", ""), "location"),
        employer=clip(found.get("employer", ""), "employer"),
        links=tuple(dict.fromkeys(link for link in links if link))[:MAX_LINKS],
        avatar=link(page_url, str(found.get("avatar", ""))),
        joined=clip(found.get("joined", ""), "joined"),
    )


Pairs = Iterator[tuple[str, Any]]


def _json_ld(tree: LexborHTMLParser) -> Pairs:
    for script in tree.css('script[type="application/ld+json"]')[:MAX_LD_SCRIPTS]:
        text = script.text(deep=True)
        if len(text) > MAX_LD_CHARS:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        for item in _items(data):
            yield from _person(item)


def _items(data: Any) -> Iterator[dict[str, Any]]:
    """Top-level objects, @graph members, and a ProfilePage's mainEntity."""
    pending = data if isinstance(data, list) else [data]
    for item in pending[:20]:
        if not isinstance(item, dict):
            continue
        graph = item.get("@graph")
        if isinstance(graph, list):
            yield from (g for g in graph[:20] if isinstance(g, dict))
        yield item
        main = item.get("mainEntity")
        if isinstance(main, dict) and _is_type(item, "ProfilePage"):
            if "dateCreated" in item and "dateCreated" not in main:
                main = {**main, "dateCreated": item["dateCreated"]}
            yield main


def _is_type(item: dict[str, Any], name: str) -> bool:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.rsplit("/", 1)[-1] == name for k in kinds)


def _person(item: dict[str, Any]) -> Pairs:
    if not _is_type(item, "Person"):
        return
    yield "name", _text(item.get("name")) or _text(item.get("alternateName"))
    yield "bio", _text(item.get("description"))
    yield "location", _place(item.get("homeLocation")) or _place(item.get("address"))
    yield "employer", _named(item.get("worksFor"))
    yield "links", [v for v in _list(item.get("url")) + _list(item.get("sameAs")) if v]
    yield "avatar", _named(item.get("image"), key="url")
    yield "joined", _text(item.get("dateCreated"))


def _place(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value:
        return _place(value[0])
    if not isinstance(value, dict):
        return ""
    if _text(value.get("name")):
        return _text(value.get("name"))
    if isinstance(value.get("address"), (dict, str)):
        return _place(value["address"])
    parts = (value.get(k) for k in ("addressLocality", "addressRegion", "addressCountry"))
    return ", ".join(p for p in (_named(part) for part in parts) if p)


def _named(value: Any, key: str = "name") -> str:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        return _text(value.get(key))
    return _text(value)


def _list(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items[:MAX_LINKS] if isinstance(item, str)]


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _microdata(tree: LexborHTMLParser) -> Pairs:
    """itemprops of the page's one schema.org Person (and orphan itemprops beside it).

    An itemprop belongs to its nearest itemscope ancestor; one with none (markup that
    closed the scope early, as the reference GitHub page does) is read as the Person's
    when the page has exactly one Person and nothing else claims it.
    """
    people = [
        node
        for node in tree.css("[itemscope][itemtype]")[:50]
        if str(node.attributes.get("itemtype") or "").rstrip("/").rsplit("/", 1)[-1] == "Person"
    ]
    if len(people) != 1:
        return
    person = people[0]
    for node in tree.css("[itemprop]")[:300]:
        owner = _scope_of(node)
        if owner is not None and owner != person:
            continue
        prop = str(node.attributes.get("itemprop") or "")
        if prop == "name":
            yield "name", _node_text(node)
        elif prop == "description":
            yield "bio", _node_text(node)
        elif prop == "homeLocation":
            yield "location", _labelled(node)
        elif prop == "worksFor":
            yield "employer", _labelled(node)
        elif prop == "url":
            inner = node.css_first("a[href]")
            yield "links", [_attr(node, "href") or _attr(inner, "href")]
        elif prop == "image":
            yield "avatar", _attr(node, "href") or _attr(node, "src") or _attr(node, "content")


def _scope_of(node: LexborNode) -> LexborNode | None:
    """The nearest ancestor with itemscope (not the node itself: its own scope is a value)."""
    parent = node.parent
    for _ in range(200):
        if parent is None:
            return None
        if "itemscope" in parent.attributes:
            return parent
        parent = parent.parent
    return None


def _h_card(tree: LexborHTMLParser) -> Pairs:
    card = tree.css_first(".h-card")
    if card is None:
        return
    first = {cls: card.css_first("." + cls) for cls in ("p-name", "p-note", "p-org", "p-adr")}
    yield "name", _node_text(first["p-name"])
    yield "bio", _node_text(first["p-note"])
    yield "employer", _node_text(first["p-org"])
    parts = [card.css_first("." + c) for c in ("p-locality", "p-region", "p-country-name")]
    place = ", ".join(t for t in (_node_text(p) for p in parts) if t)
    yield "location", place or _node_text(first["p-adr"])
    yield "links", [_attr(n, "href") for n in card.css("a.u-url")[:MAX_LINKS]]
    photo = card.css_first(".u-photo")
    yield "avatar", (_attr(photo, "src") or _attr(photo, "href")) if photo is not None else ""


def _meta(tree: LexborHTMLParser) -> Pairs:
    def content(selector: str) -> str:
        node = tree.css_first(selector)
        return _attr(node, "content") if node is not None else ""

    yield "bio", content('meta[property="og:description"]') or content('meta[name="description"]')
    yield "avatar", content('meta[property="og:image"]') or content('meta[name="twitter:image"]')


def _attr(node: LexborNode | None, name: str) -> str:
    if node is None:
        return ""
    return " ".join(str(node.attributes.get(name) or "").split())


def _node_text(node: LexborNode | None) -> str:
    return " ".join(node.text(deep=True).split()) if node is not None else ""


def _labelled(node: LexborNode) -> str:
    """The node's text, or its aria-label without a label such as "Home location: "."""
    text = _node_text(node)
    if text:
        return text
    label = _attr(node, "aria-label")
    for prefix in _LABELS:
        if label.casefold().startswith(prefix):
            return label[len(prefix) :].strip()
    return label


def clip(value: Any, field: str) -> str:
    text = _text(value)
    limit = MAX_TEXT[field]
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def link(base: str, value: str) -> str:
    value = value.strip()
    if not value or len(value) > 2_000 or any(ord(c) < 32 for c in value):
        return ""
    url = urljoin(base, value)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return ""
    return url
