"""The extraction result type and the evidence snippet shared by every extractor."""

from __future__ import annotations

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
