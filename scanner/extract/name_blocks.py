"""Names the layout of a text gives away: address blocks and contact cards.

    find_names_above(text, address_starts) -> list[Extracted]    # REAL_NAME, EMPLOYER
    find_card_names(text) -> list[Extracted]                     # REAL_NAME

Both follow how letters, envelopes, résumés, signatures and staff cards are laid out,
never the phrasing of a labelled data set:

- The recipient of an address block: a name on the line above an address that starts its
  line ("Jane Doe\n48 Elm Street…"), with an organisation line between them ("Jane
  Doe\nAcme Widgets Inc\n48 Elm Street…") or above the name ("Acme Widgets\nJane
  Doe\n48 Elm Street…", the company first, as business mail is addressed); the
  organisation is an employer.
- The head of a contact card or résumé: a line holding only a full name, first in the
  text or after a blank line, with a contact line (a "Phone" / "Email" / "Address" label,
  a line starting with an email address, or a line that is a phone number) within the
  next CARD_LINES non-blank lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scanner.extract.base import Extracted, make
from scanner.extract.name_words import OPT_HONORIFIC, UPPER, clean_name, name_pattern
from scanner.models import Kind

CARD_LINES = 4  # lines under a card's name searched for a contact line
CARD_CHARS = 300  # characters under a card's name searched
_LINE_NAME = re.compile(r"[ \t>]*" + OPT_HONORIFIC + name_pattern(2) + r"[ \t]*")
_LINE_ORG = re.compile(
    r"[ \t>]*(?P<org>"
    + UPPER
    + r"[\w&'’.-]{0,39}(?:,? (?:(?:and|of|the|for|&) )?"
    + UPPER
    + r"[\w&'’.-]{0,39}){0,5})[ \t]*"
)


def _line_above(text: str, start: int) -> tuple[int, int] | None:
    """(start, end) of the non-blank line above the line starting at start (one blank
    line may be between), or None."""
    end = start - 1
    for _ in range(2):
        if end < 0 or text[end] != "\n":
            return None
        begin = text.rfind("\n", max(0, end - 200), end) + 1
        if begin == 0 and end > 200:
            return None
        if text[begin:end].strip(" \t>"):
            return begin, end
        end = begin - 1
    return None


def _name_on(text: str, span: tuple[int, int]) -> Extracted | None:
    """The name a line holds and nothing else, or None."""
    name = _LINE_NAME.fullmatch(text, *span)
    if name is None:
        return None
    cleaned = clean_name(name.group("name"))
    if cleaned is None:
        return None
    offset, value = cleaned
    begin = name.start("name") + offset
    return make(Kind.REAL_NAME, " ".join(value.split()), text, begin, begin + len(value))


def _org_on(text: str, span: tuple[int, int] | None) -> Extracted | None:
    """The organisation a line holds (a line that is not a person's name), or None."""
    if span is None or _name_on(text, span) is not None:
        return None
    org = _LINE_ORG.fullmatch(text, *span)
    if org is None:
        return None
    value = " ".join(org.group("org").split())
    return make(Kind.EMPLOYER, value, text, org.start("org"), org.end("org"))


def _starts_line(text: str, start: int) -> int | None:
    """The start of the line text[start] begins (spaces and ">" aside), or None."""
    line_start = text.rfind("\n", max(0, start - 40), start) + 1
    if (line_start == 0 and start > 40) or text[line_start:start].strip(" \t>"):
        return None
    return line_start


def _recipient(text: str, line_start: int) -> list[Extracted]:
    """The name (and organisation) on the lines above an address block's first line."""
    above = _line_above(text, line_start)
    if above is None:
        return []
    name = _name_on(text, above)
    if name is not None:  # "Jane Doe\n48 Elm…", or "Acme\nJane Doe\n48 Elm…"
        org = _org_on(text, _line_above(text, above[0]))
        return [name] if org is None else [name, org]
    org = _org_on(text, above)
    higher = _line_above(text, above[0]) if org is not None else None
    name = _name_on(text, higher) if higher is not None else None
    if org is None or name is None:
        return []
    return [name, org]  # "Jane Doe\nAcme Widgets Inc\n48 Elm…"


def find_names_above(text: str, starts: Iterable[int]) -> list[Extracted]:
    """The recipient of each address block (see the module): Kind.REAL_NAME, and
    Kind.EMPLOYER for an organisation line beside the name."""
    found: list[Extracted] = []
    for start in starts:
        line_start = _starts_line(text, start)
        if line_start is not None:
            found.extend(_recipient(text, line_start))
    return found


_CARD_HEAD = re.compile(r"(?:\A|(?<=\n\n))[ \t]*[^\n]{3,80}(?=\n|\Z)")
_CONTACT_LINE = re.compile(
    r"(?im:^[ \t*>-]*(?:phone|telephone|tel|mobile|cell|e-?mail|address|teléfono|telefono"
    r"|correo|dirección|direccion)\b)"
    r"|(?m:^[ \t*>-]*[\w.+-]{1,64}@[\w-]{1,63}\.[a-z]{2,})"
    r"|(?m:^[ \t]*\+?\(?\d[\d ().-]{6,18}\d[ \t]*$)"
)


def _lines_below(text: str, start: int) -> int:
    """The end of the CARD_LINES non-blank lines from start (at most CARD_CHARS on)."""
    limit = min(len(text), start + CARD_CHARS)
    pos, seen = start, 0
    while pos < limit and seen < CARD_LINES:
        newline = text.find("\n", pos, limit)
        end = newline if newline >= 0 else limit
        seen += bool(text[pos:end].strip())
        pos = end + 1
    return min(pos, limit)


def _whole_line(text: str, span: tuple[int, int], name: Extracted) -> bool:
    """Whether the name is all its line holds and a full name ("All Regions" is not
    "Regions")."""
    rest = text[span[0] : name.start] + text[name.end : span[1]]
    return not rest.strip(" \t>") and " " in name.value


def find_card_names(text: str) -> list[Extracted]:
    """The name heading a contact card or résumé (see the module); the lines of a card
    under its name are not heads themselves ("Registered Nurse" under "Avery Sample")."""
    found = []
    floor = 0
    for m in _CARD_HEAD.finditer(text):
        if m.start() < floor:
            continue
        below = m.end() + 1
        card_end = _lines_below(text, below)
        if _CONTACT_LINE.search(text, below, card_end) is None:
            continue
        name = _name_on(text, m.span())
        if name is not None and _whole_line(text, m.span(), name):
            found.append(name)
            floor = card_end
    return found
