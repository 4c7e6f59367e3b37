"""Profile links as leads: which URL names which handle, and which is a personal site.

One place for every source that reads self-claimed links (GitHub's website and social
accounts, Gravatar's verified accounts and links). `handle_from_url` knows a few profile
URL patterns and nothing else; anything it is not sure of is None:

    github.com/<n>, gitlab.com/<n>, twitter.com|x.com/<n>, reddit.com/user|u/<n>,
    news.ycombinator.com/user?id=<n>, keybase.io/<n>, instagram.com/<n>, twitch.tv/<n>,
    tiktok.com|youtube.com|medium.com/@<n>      -> ("handles", "<n>")
    https://<instance>/@<name> (any other host)  -> ("handles", "<name>@<instance>")
    https://<instance>/users/<name>              -> the same, only with fediverse=True

Left out on purpose: Stack Overflow (/users/<id>/<display-name slug> is not a username),
Bluesky (handles are domain names), LinkedIn and Facebook (vanity paths and numeric ids).
A fediverse address is the instance's web host; an account served under another domain
(WebFinger) keeps the web host, which the instance still answers for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

from scanner.models import Lead, SourceRef
from scanner.profile import lead_value
from scanner.sources.base import PLATFORM_HOSTS, personal_domain

MAX_URL = 500
_GITHUB = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}"
_GITLAB = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}"
_TWITTER = r"[A-Za-z0-9_]{1,15}"
_REDDIT = r"[A-Za-z0-9_-]{3,20}"
_HN = r"[A-Za-z0-9_-]{2,15}"
_KEYBASE = r"[A-Za-z0-9_]{2,16}"
_INSTAGRAM = r"[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?"
_TWITCH = r"[A-Za-z0-9_]{4,25}"
_AT_NAME = r"@([A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,28}[A-Za-z0-9_])?)"


def _reserved(words: str) -> frozenset[str]:
    """First path segments that are the site's own pages, not usernames."""
    return frozenset(words.split())


# host -> (path pattern with one group for the name, reserved first path segments)
_SITES: dict[str, tuple[str, frozenset[str]]] = {
    "github.com": (
        rf"/({_GITHUB})",
        _reserved(
            "about apps collections contact customer-stories enterprise explore features "
            "issues login marketplace new notifications orgs organizations pricing pulls "
            "search security settings site sponsors topics trending users"
        ),
    ),
    "gitlab.com": (
        rf"/({_GITLAB})",
        _reserved("-  dashboard explore groups help projects search users"),
    ),
    "twitter.com": (
        rf"/({_TWITTER})",
        _reserved(
            "explore hashtag home i intent login messages notifications search "
            "settings share signup tos privacy"
        ),
    ),
    "reddit.com": (rf"/(?:user|u)/({_REDDIT})", frozenset()),
    "keybase.io": (rf"/({_KEYBASE})", _reserved("blog docs download team")),
    "instagram.com": (
        rf"/({_INSTAGRAM})",
        _reserved("about accounts developer direct explore legal p reel reels stories"),
    ),
    "twitch.tv": (rf"/({_TWITCH})", _reserved("directory downloads jobs p search")),
    "tiktok.com": (rf"/{_AT_NAME}", frozenset()),
    "youtube.com": (rf"/{_AT_NAME}", frozenset()),
    "medium.com": (rf"/{_AT_NAME}", frozenset()),
}
_ALIASES = {
    "x.com": "twitter.com",
    "mobile.twitter.com": "twitter.com",
    "old.reddit.com": "reddit.com",
    "new.reddit.com": "reddit.com",
    "m.youtube.com": "youtube.com",
    "m.twitch.tv": "twitch.tv",
}
_FEDI_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")
_HOST = re.compile(r"(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
# Platform hosts that are fediverse instances themselves (the rest of PLATFORM_HOSTS are not).
_INSTANCES = frozenset({"mastodon.social", "mastodon.online"})


def _parts(url: str) -> tuple[str, str, str] | None:
    """(host without www., path without one trailing "/", query) of an http(s) URL."""
    text = url.strip()
    if not text or len(text) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in text):
        return None
    if "://" not in text:
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".").lower().removeprefix("www.")
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or port not in (None, 80, 443):
        return None
    if parts.username or parts.password or parts.fragment.strip("/"):
        return None
    path = parts.path[:-1] if parts.path.endswith("/") else parts.path
    return host, path, parts.query


def _fediverse(host: str, path: str, fediverse: bool) -> str | None:
    is_platform = any(
        ".".join(host.split(".")[i:]) in PLATFORM_HOSTS for i in range(host.count(".") + 1)
    )
    if not _HOST.fullmatch(host) or (is_platform and host not in _INSTANCES):
        return None
    match = re.fullmatch(rf"/@({_FEDI_NAME.pattern})", path)
    if match is None and fediverse:
        match = re.fullmatch(rf"/users/({_FEDI_NAME.pattern})", path)
    return f"{match.group(1)}@{host}" if match else None


def handle_from_url(url: str, fediverse: bool = False) -> tuple[str, str] | None:
    """("handles", name) when `url` is a known profile URL, else None.

    `fediverse=True` says the link is known to be a fediverse profile (GitHub's provider
    "mastodon", Gravatar's service "mastodon"): then /users/<name> counts too. The value
    is also checked with the profile's own handle rules (scanner.profile.lead_value).
    """
    parts = _parts(url)
    if parts is None:
        return None
    host, path, query = parts
    host = _ALIASES.get(host, host)
    value: str | None = None
    if host == "news.ycombinator.com":
        ids = parse_qs(query).get("id", []) if path == "/user" else []
        value = ids[0] if len(ids) == 1 and re.fullmatch(_HN, ids[0]) else None
    elif host in _SITES:
        pattern, reserved = _SITES[host]
        match = re.fullmatch(pattern, path)
        if match and not query and match.group(1).lower() not in reserved:
            value = match.group(1)
    elif not query:
        value = _fediverse(host, path, fediverse)
    checked = lead_value("handles", value) if value else None
    return ("handles", checked) if checked else None


def lead_from_link(url: str, fediverse: bool = False) -> tuple[str, str] | None:
    """A self-claimed link as a lead: a known profile URL's handle, else its personal domain."""
    found = handle_from_url(url, fediverse)
    if found is not None:
        return found
    parts = _parts(url)
    domain = personal_domain(url) if parts is not None and parts[0] else ""
    checked = lead_value("domains", domain) if domain else None
    return ("domains", checked) if checked else None


def make_lead(
    field: str, value: str, source: SourceRef, reason: str, found_from: str
) -> Lead | None:
    """A Lead whose value passed the profile's own validation, or None."""
    checked = lead_value(field, value)
    if checked is None or checked.casefold() == found_from.casefold():
        return None
    return Lead(field, checked, source, reason, found_from)


def unique_leads(leads: Iterable[Lead | None]) -> tuple[Lead, ...]:
    """The leads in order, without None and without repeats of the same field and value."""
    seen: set[tuple[str, str]] = set()
    out: list[Lead] = []
    for lead in leads:
        if lead is not None and (lead.field, lead.value.casefold()) not in seen:
            seen.add((lead.field, lead.value.casefold()))
            out.append(lead)
    return tuple(out)
