"""Text that reaches a terminal: scraped strings must not control it."""

from __future__ import annotations

# Control characters (C0, DEL, C1), line separators and bidi overrides: scraped text that
# reaches a terminal must not move the cursor, retitle the window or reorder what is shown.
_UNPRINTABLE = dict.fromkeys(
    [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F),
     *range(0x2066, 0x206A)],
    "\ufffd",
)  # fmt: skip


def printable(text: str) -> str:
    """`text` safe to print on one terminal line: every control character becomes U+FFFD."""
    return text.translate(_UNPRINTABLE)
