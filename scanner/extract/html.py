"""HTML to the text a reader sees, plus the page's public metadata.

`html_to_text` returns two parts separated by a blank line:

1. The visible text of <body>: script, style, noscript, template, svg, iframe, object,
   canvas and <head> are dropped; block elements (p, div, li, tr, h1…, br, …) start
   new lines, except inside a table cell; a table row is one line with its cells joined
   by " | "; other whitespace collapses to single spaces (<pre> keeps its line breaks);
   lines are stripped and blank lines dropped. Elements hidden with CSS or `hidden` are
   kept: they are still public in the page's source.
2. Metadata lines, one per value, each "label: value": the <title>, meta description /
   author / og:* / twitter:* / profile:* text (not image or video URLs), every string in
   JSON-LD blocks (except "@" keywords) labelled by its key ("telephone: +1 217 555 0142"),
   and "mailto:" / "tel:" link targets the visible text does not already show.

A page nested deeper than MAX_DEPTH elements (which the parser would take quadratic time
on) gets part 1 only, from a plain linear tag stripper.

Offsets of matches found in the result refer to this text, so a match in part 2 came
from the page's source rather than its rendered text. Metadata is capped (MAX_META_CHARS,
MAX_META_LINES) so a hostile page cannot blow it up.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from collections.abc import Iterator
from itertools import chain
from typing import Any
from urllib.parse import unquote

from selectolax.lexbor import LexborHTMLParser

SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
     "canvas", "head", "title", "meta", "link", "base"}
)  # fmt: skip
BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog",
     "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
     "h3", "h4", "h5", "h6", "header", "hr", "html", "legend", "li", "main", "nav", "ol",
     "option", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
     "thead", "tr", "ul", "textarea", "select", "label", "button"}
)  # fmt: skip
CELL_TAGS = frozenset({"td", "th"})
META_KEYS = frozenset({"description", "author", "keywords"})
META_PREFIXES = ("og:", "twitter:", "profile:", "article:author")
META_SKIP_WORDS = ("image", "video", "audio", "card", "type", "locale", "width", "height")
# Elements whose start tag does not raise the nesting depth: void, or closed implicitly.
FLAT_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th",
     "thead", "tbody", "tfoot", "rp", "rt", "colgroup", "caption", "html", "head", "body"}
)  # fmt: skip
MAX_DEPTH = 500  # deeper pages take lexbor quadratic time: they get the plain stripper
MAX_META_CHARS = 65_536
MAX_META_LINES = 2_000
MAX_LINKS = 200  # mailto:/tel: targets looked up in the visible text
_SPACES = re.compile(r"[^\S\n]+")
_TAG_START = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]{0,40})")
# a tag, or a comment / doctype; possessive quantifiers keep failures linear
_ANY_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]{0,40}+)[^<>]*+>|<[!?][^<>]*+>")
_CONTAINERS = sorted(SKIP_TAGS - {"meta", "link", "base"})  # skipped tags that hold content
_SKIP_START = re.compile(r"<(" + "|".join(_CONTAINERS) + r")\b", re.IGNORECASE)


def too_deep(html: str, limit: int = MAX_DEPTH) -> bool:
    """Whether elements nest deeper than limit (counted on tags, without parsing)."""
    depth = 0
    for match in _TAG_START.finditer(html):
        if match.group(2).lower() in FLAT_TAGS:
            continue
        depth += -1 if match.group(1) else 1
        if depth > limit:
            return True
    return False


def _without_skipped(html: str) -> Iterator[str]:
    """html minus script/style/… elements and their content, by plain search (linear)."""
    lowered, pos = html.lower(), 0
    while (match := _SKIP_START.search(html, pos)) is not None:
        yield html[pos : match.start()]
        close = lowered.find(f"</{match.group(1).lower()}", match.end())
        end = lowered.find(">", close) if close >= 0 else -1
        pos = end + 1 if end >= 0 else len(html)
    yield html[pos:]


def _tag_break(match: re.Match[str]) -> str:
    return "\n" if (match.group(2) or "").lower() in BLOCK_TAGS or match.group(2) == "br" else ""


def strip_tags(html: str) -> str:
    """Linear-time text of html without a DOM: for pages too deep to parse quickly."""
    text = _ANY_TAG.sub(_tag_break, "".join(_without_skipped(html)))
    return _tidy(htmllib.unescape(text))


def _walk(root: Any) -> Iterator[str]:
    """Text pieces of the tree under root in document order; "\n" at block edges.

    A table row is one line, its cells joined by " | " (blocks inside a cell become
    spaces), so a row of a roster or a dump reads as one delimited line, as a reader sees
    it: scanner.subject keeps such a row to itself. Iterative, so a deeply nested hostile
    page cannot exhaust the recursion limit.
    """
    stack: list[tuple[Any, bool]] = [(root, False)]
    pre_depth = 0
    cell_depth = 0
    while stack:
        node, leaving = stack.pop()
        tag = node.tag
        if leaving:
            pre_depth -= tag == "pre"
            cell_depth -= tag in CELL_TAGS
            yield _edge(tag, cell_depth)
        elif tag == "-text":
            raw = node.text_content or ""
            yield raw if pre_depth else _collapse(raw)
        elif tag == "br":
            yield " " if cell_depth else "\n"
        elif not tag.startswith("-") and tag not in SKIP_TAGS:
            pre_depth += tag == "pre"
            if tag in CELL_TAGS:
                yield " | " if _follows_a_cell(node) else ""
                cell_depth += 1
            else:
                yield _edge(tag, cell_depth)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(list(node.iter(include_text=True))))


def _edge(tag: str, cell_depth: int) -> str:
    """What a tag's start or end adds: a line break for a block, a space inside a cell."""
    if tag not in BLOCK_TAGS or tag in CELL_TAGS:
        return ""
    return " " if cell_depth else "\n"


def _follows_a_cell(node: Any) -> bool:
    """Whether an earlier sibling of this td/th is a cell of the same row."""
    sibling = node.prev
    while sibling is not None:
        if sibling.tag in CELL_TAGS:
            return True
        sibling = sibling.prev
    return False


def _collapse(raw: str) -> str:
    """raw's words joined by single spaces, keeping one space where raw had edge spaces."""
    words = " ".join(raw.split())
    if not words:
        return " " if raw else ""
    lead = " " if raw[0].isspace() else ""
    trail = " " if raw[-1].isspace() else ""
    return f"{lead}{words}{trail}"


def _tidy(text: str) -> str:
    """Single spaces, no spaces at line edges, no blank lines."""
    lines = (line.strip() for line in _SPACES.sub(" ", text).split("\n"))
    return "\n".join(line for line in lines if line)


def _meta_pairs(tree: LexborHTMLParser) -> Iterator[tuple[str, str]]:
    title = tree.css_first("title")
    if title is not None:
        yield "title", title.text() or ""
    for meta in tree.css("meta[content]"):
        key = (meta.attributes.get("name") or meta.attributes.get("property") or "").lower()
        wanted = key in META_KEYS or key.startswith(META_PREFIXES)
        if wanted and not any(word in key for word in META_SKIP_WORDS):
            yield key, meta.attributes.get("content") or ""


def _json_pairs(data: Any) -> Iterator[tuple[str, str]]:
    """(key, value) for every string or number in a JSON document, iteratively.

    JSON-LD keywords ("@type", "@context", "@id") are skipped: they name schema, not data.
    """
    stack: list[tuple[str, Any]] = [("json", data)]
    while stack:
        key, item = stack.pop()
        if isinstance(item, dict):
            pairs = [(str(k), v) for k, v in item.items() if not str(k).startswith("@")]
            stack.extend(reversed(pairs))
        elif isinstance(item, list):
            stack.extend(reversed([(key, v) for v in item]))
        elif isinstance(item, str | int | float) and not isinstance(item, bool):
            yield key, str(item)


def _json_ld_pairs(tree: LexborHTMLParser) -> Iterator[tuple[str, str]]:
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text() or "null")
        except (ValueError, RecursionError):
            continue
        yield from _json_pairs(data)


def _link_pairs(tree: LexborHTMLParser, visible: str) -> Iterator[tuple[str, str]]:
    """("mailto"/"tel", target) for links whose target the visible text does not show."""
    shown = visible.lower()
    seen: set[str] = set()
    for anchor in tree.css("a[href]"):
        scheme, _, target = (anchor.attributes.get("href") or "").strip().partition(":")
        target = unquote(target.split("?", 1)[0]).strip()
        key = target.lower()
        if scheme.lower() not in ("mailto", "tel") or not key or key in seen:
            continue
        if len(seen) >= MAX_LINKS:
            return
        seen.add(key)
        if key not in shown:
            yield scheme.lower(), target


def _metadata(tree: LexborHTMLParser, visible: str) -> str:
    pairs = chain(_meta_pairs(tree), _json_ld_pairs(tree), _link_pairs(tree, visible))
    lines: list[str] = []
    size = 0
    for count, (label, value) in enumerate(pairs):
        line = f"{label}: {' '.join(value.split())}"
        size += len(line) + 1
        if size > MAX_META_CHARS or count >= MAX_META_LINES:
            break
        if value.strip():
            lines.append(line)
    return "\n".join(lines)


def html_to_text(html: str) -> str:
    """The visible text of html, then a blank line and its metadata lines (see module)."""
    if too_deep(html):
        return strip_tags(html)
    tree = LexborHTMLParser(html)
    root = tree.body if tree.body is not None else tree.root
    visible = _tidy("".join(_walk(root))) if root is not None else ""
    meta = _metadata(tree, visible)
    return f"{visible}\n\n{meta}" if meta else visible
