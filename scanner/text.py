"""Text that reaches a terminal or a search: scraped strings must not control it, and what
the user types must not hide characters in it."""

from __future__ import annotations

# Control characters (C0, DEL, C1), line separators, bidi marks, overrides and isolates and
# the byte-order mark: text that reaches a terminal must not move the cursor, retitle the
# window or reorder what is shown, and a subject value must not hide characters.
C0_C1 = [*range(0x20), 0x7F, *range(0x80, 0xA0)]
BIDI = [0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
HIDDEN_CONTROLS = frozenset([*C0_C1, *BIDI, 0x2028, 0x2029, 0xFEFF])
_UNPRINTABLE = dict.fromkeys(HIDDEN_CONTROLS, "\ufffd")


def printable(text: str) -> str:
    """`text` safe to print on one terminal line: every control character becomes U+FFFD."""
    return text.translate(_UNPRINTABLE)


def hidden_control(text: str, allowed: str = "") -> str | None:
    """The first control character of HIDDEN_CONTROLS in `text` that is not in `allowed`,
    as "U+XXXX"; None when there is none."""
    for char in text:
        if ord(char) in HIDDEN_CONTROLS and char not in allowed:
            return f"U+{ord(char):04X}"
    return None
