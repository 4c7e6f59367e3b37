"""Web addresses and @handles.

URLs: "http(s)://…", "www.…" and bare "domain.tld/path" (a bare domain needs the "/" so
that "example.com" in prose or an email's domain is not a URL). The value is the URL as
written minus trailing punctuation and unbalanced closing brackets:
"(see https://example.com/a_(b))." -> "https://example.com/a_(b)".

Handles: "@name" not glued to a word, a dot, a slash or another "@" (so never the "@" of
an email or of "site.com/@name"; "Twitter:@name" is a handle). Names are 1-30 letters,
digits, "_" or inner dots and hyphens, and need a letter. The value is the name
lower-cased **without** the "@" ("@Jane_Doe" -> "jane_doe"); a fediverse handle keeps
its server: "@jane@mastodon.social" -> "jane@mastodon.social". Chat mentions
(@everyone, @here), CSS at-rules (@media) and retina suffixes (@2x) are not handles.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from scanner.extract.base import Extracted, make
from scanner.extract.filters import ASSET_SUFFIXES
from scanner.models import Kind

# One greedy run of URL characters per match, matches never overlap: linear.
_URL_CHARS = r"[^\s<>\"'`\[\]{}|\\^]"
_SCHEME = re.compile(r"\b(?:https?://|(?<![\w.@/-])www\.)" + _URL_CHARS + "+", re.IGNORECASE)
_BARE = re.compile(
    r"(?<![\w.@/:%+-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,8}([a-z]{2,24}))/"
    + _URL_CHARS
    + "*",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'\"*_~-–—…"
_PAIRS = {")": "(", "]": "[", "}": "{"}

_HANDLE = re.compile(
    r"(?<![\w@./+-])@([a-z0-9_](?:[a-z0-9_.-]{0,28}[a-z0-9_])?)"
    r"(?:@([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?){1,8}))?"
    r"(?![\w@])(?!-\w)",
    re.IGNORECASE,
)
_NOT_HANDLES = frozenset(
    {
        "everyone", "here", "channel", "all", "media", "import", "keyframes", "charset",
        "supports", "font", "page", "namespace", "layer", "container", "property",
    }
)  # fmt: skip
_RETINA = re.compile(r"\d{1,2}x")


def trim_url(url: str) -> str:
    """url without trailing punctuation or closing brackets that were not opened in it."""
    counts = {ch: url.count(ch) for ch in "()[]{}"}
    end = len(url)
    while end:
        last = url[end - 1]
        unbalanced = last in _PAIRS and counts[_PAIRS[last]] < counts[last]
        if not (last in _TRAILING or unbalanced):
            break
        if last in counts:
            counts[last] -= 1
        end -= 1
    return url[:end]


def _has_host(url: str) -> bool:
    rest = url.split("://", 1)[-1]
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0]  # no user info, no port
    return "." in host.strip(".") or host.lower() == "localhost"


def _scheme_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for match in _SCHEME.finditer(text):
        url = trim_url(match.group())
        if _has_host(url):
            spans.append((match.start(), match.start() + len(url)))
    return spans


def _bare_spans(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Bare domain/path URLs that are not inside an http(s):// or www. URL."""
    starts = [start for start, _ in taken]
    spans: list[tuple[int, int]] = []
    for match in _BARE.finditer(text):
        i = bisect_right(starts, match.start()) - 1
        if (i >= 0 and match.start() < taken[i][1]) or match.group(2).lower() in ASSET_SUFFIXES:
            continue
        spans.append((match.start(), match.start() + len(trim_url(match.group()))))
    return spans


def find_urls(text: str) -> list[Extracted]:
    """http(s)://, www. and bare domain/path URLs in text, in order of appearance."""
    scheme = _scheme_spans(text)
    spans = sorted(scheme + _bare_spans(text, scheme))
    return [make(Kind.WEBSITE, text[start:end], text, start, end) for start, end in spans]


def _handle_value(name: str, server: str | None) -> str | None:
    lowered = name.lower()
    if lowered in _NOT_HANDLES or _RETINA.fullmatch(lowered):
        return None
    if not any(ch.isalpha() for ch in lowered):
        return None
    return f"{lowered}@{server.lower()}" if server else lowered


def find_handles(text: str) -> list[Extracted]:
    """@handles in text (not emails), values lower-cased without the "@"."""
    found: list[Extracted] = []
    for match in _HANDLE.finditer(text):
        value = _handle_value(match.group(1), match.group(2))
        if value is not None:
            found.append(make(Kind.USERNAME, value, text, match.start(), match.end()))
    return found
