"""Parsers for the Mastodon source: WebFinger, the Account entity and the ActivityPub actor.

Pure functions on recorded shapes (see scanner/sources/mastodon.py for the requests).
Account entity (GET /api/v1/accounts/lookup): username, acct, display_name, note (HTML),
url, avatar, created_at, suspended, moved, fields[] {name, value (HTML), verified_at}.
ActivityPub actor: type, id, preferredUsername, name, summary (HTML), url, icon.url,
published, attachment[] {type PropertyValue, name, value (HTML)} - an actor says nothing
about verification, so its links never tie or give leads. Not known from a recorded
response: the shape of `moved` (read like an Account: acct and url) and a 410 body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from selectolax.lexbor import LexborHTMLParser

from scanner.errors import SourceUnavailable
from scanner.extract.html import html_to_text, too_deep
from scanner.identity.accounts import tie_account
from scanner.models import (
    Account,
    AccountStatus,
    Document,
    Kind,
    Lead,
    Observation,
    Profile,
    RemovalStep,
    SourceRef,
    SourceResult,
    Tie,
)
from scanner.sources.base import TIED, UNTIED, personal_domain

NAME = "mastodon"
SITE = "Mastodon"
MAX_FIELDS = 16
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_HOST = re.compile(r"(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")
_RESERVED_TLDS = frozenset(
    {"local", "localhost", "internal", "invalid", "test", "onion", "arpa", "lan", "home"}
)
ACTOR_TYPES = frozenset({"Person", "Service", "Application", "Group", "Organization"})
# Profile URL patterns on well-known sites: host -> (path pattern, reserved first segments)
_PROFILES: dict[str, re.Pattern[str]] = {
    "github.com": re.compile(r"/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/?"),
    "gitlab.com": re.compile(r"/([A-Za-z0-9_][A-Za-z0-9_.-]{0,63})/?"),
    "twitter.com": re.compile(r"/([A-Za-z0-9_]{1,15})/?"),
    "x.com": re.compile(r"/([A-Za-z0-9_]{1,15})/?"),
    "reddit.com": re.compile(r"/(?:u|user)/([A-Za-z0-9_-]{3,20})/?"),
    "keybase.io": re.compile(r"/([A-Za-z0-9_]{2,16})/?"),
}
_NOT_USERS = frozenset(
    {"about", "explore", "features", "home", "i", "intent", "login", "orgs", "pricing",
     "search", "settings", "share", "signup", "sponsors", "topics", "users", "docs", "_"}
)  # fmt: skip


def clean(text: str, cap: int) -> str:
    """Scraped text without control characters (newlines and tabs stay), trimmed and capped."""
    value = _CONTROL.sub("", text).strip()
    return value if len(value) <= cap else value[: cap - 1].rstrip() + "…"


def valid_host(host: str) -> bool:
    """A public-looking DNS name: dotted, alphabetic TLD, no IP literal or reserved suffix."""
    return bool(_HOST.fullmatch(host)) and host.rsplit(".", 1)[-1] not in _RESERVED_TLDS


def split_address(address: str) -> tuple[str, str] | None:
    """("name", "host") of a fediverse address, or None when it is not a safe one."""
    name, _, host = address.strip().removeprefix("@").rpartition("@")
    host = host.lower()
    if not _NAME.fullmatch(name) or not valid_host(host):
        return None
    return name, host


def _url_parts(url: str) -> tuple[str, str, str] | None:
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.port not in (None, 80, 443):
        return None
    return host, parts.path, parts.query


def fediverse_address(url: str) -> str:
    """ "name@host" for a profile URL https://host/@name, else ""."""
    parts = _url_parts(url)
    if parts is None or parts[2]:
        return ""
    host, path, _ = parts
    match = re.fullmatch(r"/@([A-Za-z0-9_][A-Za-z0-9_.-]{0,63})/?", path)
    return f"{match.group(1)}@{host}" if match and valid_host(host) else ""


def profile_handle(url: str) -> str:
    """The username in a known profile URL (https://github.com/name ...), else ""."""
    parts = _url_parts(url)
    if parts is None:
        return ""
    host, path, query = parts
    host = host.removeprefix("www.").removeprefix("old.")
    if host == "news.ycombinator.com" and path == "/user":
        ids = parse_qs(query).get("id", [])
        return ids[0] if len(ids) == 1 and re.fullmatch(r"[A-Za-z0-9_-]{2,15}", ids[0]) else ""
    pattern = _PROFILES.get(host)
    match = pattern.fullmatch(path) if pattern and not query else None
    if match is None or match.group(1).casefold() in _NOT_USERS:
        return ""
    return match.group(1)


def html_text(html: str, cap: int) -> str:
    """The visible text of a small HTML value on one line."""
    return clean(" ".join(html_to_text(html).split()), cap)


def html_links(html: str) -> list[str]:
    """The http(s) link targets in a small HTML value (a profile field)."""
    if too_deep(html):
        return []
    hrefs = (a.attributes.get("href") or "" for a in LexborHTMLParser(html).css("a"))
    return [clean(h, 1000) for h in hrefs if h.startswith(("https://", "http://"))][:5]


def text(data: Any, key: str, cap: int = 300) -> str:
    """data[key] as clean capped text ("" when absent or not a string)."""
    value = data.get(key) if isinstance(data, dict) else None
    return clean(value, cap) if isinstance(value, str) else ""


# --- WebFinger -----------------------------------------------------------------------


@dataclass(frozen=True)
class WebFinger:
    subject: str  # "acct:name@host"
    actor: str  # the rel=self ActivityPub link ("" when absent)
    page: str  # the profile page ("" when absent)


def parse_webfinger(data: Any) -> WebFinger:
    """A JRD answer: its subject, rel=self (activity+json) link and profile page link."""
    if not isinstance(data, dict) or not isinstance(data.get("links"), list):
        raise SourceUnavailable("the WebFinger answer has no links")
    actor = page = ""
    for link in data["links"]:
        rel, href = text(link, "rel"), text(link, "href", 1000)
        kind = text(link, "type")
        if rel == "self" and "json" in kind and href.startswith("https://") and not actor:
            actor = href
        elif rel == "http://webfinger.net/rel/profile-page" and href.startswith("http"):
            page = page or href
    return WebFinger(text(data, "subject"), actor, page)


# --- profiles ------------------------------------------------------------------------


def removal(host: str) -> tuple[RemovalStep, RemovalStep]:
    return (
        RemovalStep(
            f"Edit your profile on {host}",
            "Signed in, open Edit profile, clear the display name, bio, picture or profile "
            "fields and save. Other servers update their copy when they next fetch it.",
            f"https://{host}/settings/profile",
        ),
        RemovalStep(
            f"Delete the account on {host}",
            "Signed in, open Account settings and delete the account. Your server sends a "
            "delete request to the servers that knew the account, but copies already stored "
            "on other servers may stay.",
            f"https://{host}/settings/delete",
        ),
    )


@dataclass(frozen=True)
class Field:
    name: str
    text: str
    links: tuple[str, ...]
    verified: bool


def read_fields(items: Any) -> list[Field]:
    out: list[Field] = []
    for item in items[:MAX_FIELDS] if isinstance(items, list) else []:
        value = item.get("value") if isinstance(item, dict) else None
        if isinstance(value, str):
            verified = isinstance(item.get("verified_at"), str) and bool(item["verified_at"])
            shown, links = html_text(value, 500), tuple(html_links(value))
            out.append(Field(text(item, "name", 100), shown, links, verified))
    return out


@dataclass
class Card:
    """What a profile shows, from either shape; `result` turns it into findings."""

    address: str  # the subject's fediverse address that was looked up
    host: str
    url: str
    username: str = ""
    display_name: str = ""
    note: str = ""  # HTML
    avatar: str = ""
    created_at: str = ""
    fields: tuple[Field, ...] = ()
    moved: str = ""  # "name@host" of the account it moved to
    details: tuple[tuple[str, str], ...] = ()

    def tie(self, profile: Profile) -> tuple[str, tuple[Tie, ...]]:
        """What ties the account: the clause, and the ties (none for a rel=me link alone,
        which the server verified but which names nothing the subject gave)."""
        texts = [self.display_name, html_text(self.note, 5000)]
        texts += [f"{f.name} {f.text} {' '.join(f.links)}" for f in self.fields]
        tied = tie_account(profile, texts, looked_up=self.address)
        verified = [link for f in self.fields if f.verified for link in f.links]
        if not tied and verified:
            return f"it has a link its server verified as yours (rel=me): {verified[0]}", ()
        return tied.why, tied.ties

    def result(self, profile: Profile, origin: str = "") -> SourceResult:
        reason, ties = self.tie(profile)
        confidence = TIED if reason else UNTIED
        why = (
            f"on the fediverse account {self.address}: {reason}"
            if reason
            else f"the fediverse account {self.address} exists; nothing on it ties it to you"
        )
        steps = removal(self.host)
        source = SourceRef(NAME, self.url)
        observations: list[Observation] = []

        def add(kind: Kind, value: str, evidence: str) -> None:
            if value and all((o.kind, o.value) != (kind, value) for o in observations):
                observations.append(
                    Observation(kind, value, source, evidence, confidence, why, steps, ties=ties)
                )

        if self.display_name.casefold() != self.username.casefold():
            add(Kind.REAL_NAME, self.display_name, f"Display name: {self.display_name}")
        if self.avatar and not urlsplit(self.avatar).path.endswith("/missing.png"):
            add(Kind.PHOTO, self.avatar, "public profile picture on the fediverse")
        leads: list[Lead] = []
        for field in self.fields:
            checked = " (verified by the server)" if field.verified else ""
            evidence = f"Profile field '{field.name}': {field.text}{checked}"
            for link in field.links:
                known = fediverse_address(link) or profile_handle(link)
                add(Kind.ACCOUNT if known else Kind.WEBSITE, link, evidence)
                if field.verified and reason:
                    leads += self._lead(link, source)
        if self.moved and reason:
            leads.append(
                Lead("handles", self.moved, source, f"{self.address} moved to it", self.address)
            )
        documents = []
        if self.note:
            documents.append(
                Document(self.url, self.note, "fediverse bio", confidence, why, True, steps, ties)
            )
        lines = "\n".join(f"{f.name}: {f.text}" for f in self.fields if f.name or f.text)
        if lines:
            documents.append(
                Document(
                    self.url, lines, "fediverse profile fields", confidence, why, False, steps, ties
                )
            )
        details = dict(self.details)
        details.update({"display_name": self.display_name, "created_at": self.created_at})
        details.update({"moved_to": self.moved, "profile_read_from": origin})
        details = {key: value for key, value in details.items() if value}
        account = Account(SITE, self.url, self.address, AccountStatus.FOUND, details)
        return SourceResult(tuple(observations), (account,), tuple(documents), (), tuple(leads))

    def _lead(self, link: str, source: SourceRef) -> list[Lead]:
        why = f"a link verified (rel=me) on your fediverse profile {self.address}"
        address = fediverse_address(link)
        if address and address.casefold() != self.address.casefold():
            return [Lead("handles", address, source, why, self.address)]
        handle = profile_handle(link)
        if handle:
            return [Lead("handles", handle, source, why, self.address)]
        domain = "" if address else personal_domain(link)
        if domain and domain != self.host:
            return [Lead("domains", domain, source, why, self.address)]
        return []
