"""The one matcher: which of the subject's known identifiers a text shows.

Used for an account's page (does it show the subject's name, email, domain or another of
their handles?) and for each record of a page (scanner.subject: an email, phone, handle,
domain, city or employer/school next to the name). Comparisons are case-insensitive:

- names as whole words, with an optional middle name or initial, or "Last, First"
  (name_pattern; any run of spaces or a line break between words);
- emails anywhere in the text;
- phones among the numbers the extractors found in the text (E.164, given as `phones`);
- handles of 4 or more characters and domains as whole tokens (not inside a longer handle,
  address or host); `exclude` names the handle that found an account, which proves nothing;
- cities as whole words, and not when the text names US states and the city's is not
  among them (`states`): Springfield, MO is not Springfield, IL;
- employers and schools as whole words.

Every pattern is built from escaped values and runs in linear time.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from scanner.identity.ties import Identity, Known, Tie, TieKind

ALL_KINDS = tuple(TieKind)
MIN_HANDLE = 4  # shorter handles turn up inside ordinary words and numbers


def name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """The names as whole words, with an optional middle name/initial, or "Last, First".

    "Jordan Testwell" also matches "Jordan A. Testwell", "Jordan Alex Testwell" and
    "Testwell, Jordan"; whitespace may be any run of spaces or a line break.
    """
    forms: list[str] = []
    for name in dict.fromkeys(names):
        words = [re.escape(w) for w in name.split() if w]
        if not words:
            continue
        forms.append(r"[ \t\r\n]+".join(words))
        if len(words) >= 2:
            first, last = words[0], words[-1]
            forms.append(first + r"[ \t]+[A-Za-z][A-Za-z'\-]{0,20}\.?[ \t]+" + last)
            forms.append(last + r",[ \t]*" + first)
    if not forms:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(forms) + r")(?!\w)", re.IGNORECASE)


def find_ties(
    text: str,
    identity: Identity,
    *,
    kinds: Collection[TieKind] = ALL_KINDS,
    phones: Collection[str] = (),
    states: Collection[str] = (),
    exclude: str = "",
) -> tuple[Tie, ...]:
    """The subject's identifiers `text` shows, in TieKind order, each once."""
    folded = text.casefold()
    found: list[Tie] = []
    for kind in TieKind:
        if kind not in kinds:
            continue
        for known in identity.of(kind):
            if _shows(folded, text, known, phones, states, exclude):
                found.append(Tie(kind=kind, value=known.value, origin=known.origin))
    return tuple(dict.fromkeys(found))


def _shows(
    folded: str,
    text: str,
    known: Known,
    phones: Collection[str],
    states: Collection[str],
    exclude: str,
) -> bool:
    needle = known.text.casefold()
    if known.kind is TieKind.NAME:
        pattern = name_pattern([known.text])
        return pattern is not None and pattern.search(text) is not None
    if known.kind is TieKind.EMAIL:
        return needle in folded
    if known.kind is TieKind.PHONE:
        return known.text in phones
    if known.kind is TieKind.HANDLE:
        if len(needle) < MIN_HANDLE or needle == exclude.casefold():
            return False
        return _token(needle, folded)
    if known.kind is TieKind.DOMAIN:
        return _token(needle, folded)
    if known.kind is TieKind.CITY:
        if states and known.region and known.region not in states:
            return False  # "Springfield" in another state is another Springfield
        return _word(needle, folded)
    return _word(needle, folded)


def _token(needle: str, folded: str) -> bool:
    """A handle or host, not inside a longer one (jt-oldname, mail.jtestwell.example)."""
    return re.search(rf"(?<![\w.-]){re.escape(needle)}(?![\w-])", folded) is not None


def _word(needle: str, folded: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", folded) is not None
