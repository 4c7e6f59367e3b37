"""The extraction result type and the evidence snippet shared by every extractor."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from scanner.models import Kind

EVIDENCE_WIDTH = 60  # characters of context kept on each side of a match


@dataclass(frozen=True)
class Extracted:
    """One personal detail found in a text.

    `start`/`end` are offsets into the scanned text: `text[start:end]` is the raw match as
    written. `value` is normalised (see each extractor). `evidence` is the surrounding
    snippet on one line, whitespace collapsed, with "…" where it was cut.
    """

    kind: Kind
    value: str
    start: int
    end: int
    evidence: str


def evidence(text: str, start: int, end: int, width: int = EVIDENCE_WIDTH) -> str:
    """`width` characters either side of text[start:end], on one line."""
    lo = max(0, start - width)
    hi = min(len(text), end + width)
    snippet = " ".join(text[lo:hi].split())
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    return f"{prefix}{snippet}{suffix}"


def make(kind: Kind, value: str, text: str, start: int, end: int) -> Extracted:
    """An Extracted for text[start:end] with its evidence snippet."""
    return Extracted(kind, value, start, end, evidence(text, start, end))


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of text: word lists written as one string."""
    return frozenset(text.split())


def word_cue(*phrases: str, ignore_case: bool = True) -> str:
    """A regex for any of phrases starting at the start of a word, that searches fast.

    Each phrase is a regex fragment that starts with a plain letter ("works[ \\t]+at",
    "employer[ \\t]*:") or with a group of plain words ("(?:works|worked)[ \\t]+at").
    The result starts with a character class of those first letters, so the regex engine
    skips ahead to candidate characters instead of trying every phrase at every offset
    (Python's re only does that for a pattern that starts with a literal or a class). A
    match starts at the phrase's first letter, never inside a word.
    """
    by_first: dict[str, list[str]] = {}
    for phrase in _expanded(phrases):
        first = phrase[0]
        if not first.isalpha():
            raise ValueError(f"cue phrase must start with a letter: {phrase!r}")
        key = first.lower() if ignore_case else first
        by_first.setdefault(key, []).append(phrase[1:])
    letters = "".join(sorted(by_first))
    if ignore_case:
        letters += letters.upper()
    head = "[" + letters + "]"
    branches = []
    for first, rests in by_first.items():
        chars = first + first.upper() if ignore_case else first
        rests = sorted(
            rests, key=lambda rest: (-len(rest), rest)
        )  # "relatives include" before "relatives"
        branches.append(f"(?<=[{chars}])(?:{'|'.join(rests)})")
    body = "|".join(branches)
    flagged = f"(?i:{body})" if ignore_case else f"(?:{body})"
    return head + r"(?<![^\W_]" + head + ")" + flagged


_LEADING_WORDS = re.compile(r"\(\?:([^()]+)\)(.*)", re.DOTALL)


def _expanded(phrases: Iterable[str]) -> Iterator[str]:
    """phrases, with a leading group of plain words spelled out: "(?:a|b)c" -> "ac", "bc"."""
    for phrase in phrases:
        lead = _LEADING_WORDS.fullmatch(phrase)
        if lead is None:
            yield phrase
        else:
            yield from (word + lead.group(2) for word in lead.group(1).split("|"))


# What ends a field label and starts its value: a colon ("Employer:", "**Employer:**", a
# JSON key `"employer": "…"`), the " | " between a table row's cells ("Employer | Acme"),
# or the end of the line of a <dl> term ("Employer\nAcme"). html_to_text writes a table
# row as one line with its cells joined by " | ", and a <dl>'s terms and values as lines.
# The cell and line forms count only for a label that starts its line or cell (is_field).
FIELD_END = (
    r"(?!\w)[\"']?[ \t]*\**[ \t]*(?P<sep>:|\|(?!\|)|(?=\n))[ \t]*\**[ \t]*[\"']?[ \t]*"
    r"(?:\n[ \t]*)?"
)
_CELL_LEAD = frozenset(" \t*>-•\"'")


def field_cue(*labels: str) -> str:
    """A regex for a field label (word_cue phrases) and what ends it (FIELD_END)."""
    return word_cue(*labels) + FIELD_END


def starts_cell(text: str, start: int) -> bool:
    """Whether text[start] begins its line or table cell, spaces, bullets and markup aside."""
    i = start
    while i > 0 and start - i < 8 and text[i - 1] in _CELL_LEAD:
        i -= 1
    return i == 0 or text[i - 1] in "\n|"


def is_field(text: str, m: re.Match[str]) -> bool:
    """Whether a field_cue match is a label: after a colon anywhere; before a cell or line
    break only where the label starts its line or cell ("Company | Acme", not "the
    Company | …" in prose)."""
    return m.group("sep") == ":" or starts_cell(text, m.start())
