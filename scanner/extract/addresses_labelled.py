"""Labelled street addresses, any country: after an address cue, or a block of address lines.

    find_labelled_addresses(text) -> list[Extracted]    # Kind.HOME_ADDRESS

The cues come from how people give an address in prose, from the labels of forms, tables
and <dl> lists and from their Spanish equivalents, never from the phrasing of a labelled
data set.

**Labelled addresses** (any country). After a cue that says an address follows ("Address:",
"Address | …" in a table row, "Home address" alone on the line above, "home address is", "my
address to/with", "address (as of May):", "my address to the new one: …", "the address of …
is", "lives at/on", "resides at", "moved to", "sent to", "ship to", "return to", "pick me up
at", "drop me off at", "located at", "office is at", JSON-LD "streetAddress:", Spanish
"Dirección:", "Domicilio:", "mi dirección es", "vivo en"), text that looks like an address:
it starts with a house number, a capitalised word or a unit word, its first line holds a
number and a word, no month name, no ":", "@" or "/", and no sentence words ("please",
"for", "because" …). It runs to the end of the sentence (a full stop before a sentence word,
or at the end of the line; "Apt. 4" goes on) or line, then over following lines that look
like address parts (a unit line "Apt. 12", a short line of place words after a unit, a
postcode line) up to MAX_LINES lines, stopping after a line that ends in a postcode; a table
cell's " | " ends it too. An intersection after a cue is an address as written ("the corner
of Elm Street and 5th Avenue"). A street word repeated after a complete street is dropped
("Rua Exemplo 50 street"). Without a cue, a block that starts its line is an address when a
unit line follows it ("12 Example Road\nFlat 4\n…"), or, starting with a house number, when
it holds a unit ("9 Via Esempio 30 Suite 7, …") or a "City, XX 12345" line follows.
Value: its lines joined by ", ".

Every pattern has bounded repetition and each scan moves forward: linear in the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from scanner.extract.addresses_us import SUFFIXES, UNIT_WORD
from scanner.extract.base import Extracted, field_cue, is_field, make, word_cue, words
from scanner.models import Kind

MAX_LINES = 5  # lines a labelled address may span
MAX_LINE_CHARS = 120  # characters a labelled address line may have
_ADDRESS_QUALIFIERS = words(
    "home street mailing postal residential residence current previous old new billing "
    "shipping delivery primary permanent my his her their our your"
)
# "address:", "address is", "address to the same: …" (the clause up to a colon first).
_ADDRESS_IS = r"address(?:es)?(?:\b[^\n.:;?!]{1,40}:|[ \t]*\**[ \t]*(?::|(?:is|was|to|with)\b))"
_ADDRESS_CUE = re.compile(
    word_cue(
        _ADDRESS_IS,
        *(word + r"[ \t]+" + _ADDRESS_IS for word in _ADDRESS_QUALIFIERS),
        r"streetaddress[ \t]*:",
        r"the[ \t]+address[ \t]+of[ \t]+[^\n.:;]{1,60}?[ \t]+(?:is|was)\b",
        r"(?:lives|lived|living|live|resides|resided|residing|reside|stays|staying)"
        r"[ \t]+(?:at|on|in)",
        r"(?:moved|moving|relocated|relocating)[ \t]+(?:to|into)",
        r"(?:send|sent|ship|shipped|mail|mailed|deliver|delivered|return|returned|forward"
        r"|forwarded)(?:[ \t]+(?:it|them|this|that|everything|(?:the|my|your)[ \t]+[a-z]{2,20}))?"
        r"[ \t]+to",
        r"(?:pick|picks|picked)[ \t]+(?:me|us|you|him|her|them)[ \t]+up[ \t]+(?:at|from)",
        r"(?:drop|drops|dropped)[ \t]+(?:me|us|you|him|her|them)[ \t]+off[ \t]+at",
        r"(?:located|situated)[ \t]+at",
        r"(?:office|home|house|apartment|flat|studio)[ \t]+is[ \t]+(?:at|on)",
        r"(?:mi|su|tu|nuestra)[ \t]+(?:dirección|direccion)[ \t]+es",
        r"(?:vive|vivo|vivimos|viven|reside|resido)[ \t]+en",
    )
    + r"(?!\w)[ \t]*\**[ \t]*:?[ \t]*\**[ \t]*(?:\n[ \t]*)?"
)
# Address fields: "Address:", "Address | …" (a table row), "Address\n…" (a <dl>), JSON.
_ADDRESS_FIELD = re.compile(
    field_cue(
        "address",
        r"(?:home|street|mailing|postal|residential|current|physical)[ \t]+address",
        "streetaddress",
        "dirección",
        "direccion",
        "domicilio",
        r"dirección[ \t]+postal",
    )
)
# "the corner of Elm Street and 5th Avenue": an intersection after an address cue.
_CORNER = re.compile(
    r"(?:(?:at|on)[ \t]+)?(?P<corner>the[ \t]+corner[ \t]+of)[ \t]+", re.IGNORECASE
)
# The end of a sentence, not the full stop of an abbreviation ("ul. Przykładowa 12").
_CORNER_END = re.compile(
    r"(?<![ \t][^\W\d_])(?<![ \t][^\W\d_]{2})(?<![ \t][^\W\d_]{3})[.](?=\s|$)|[;!?\n]"
)
MAX_CORNER_CHARS = 100
_TOKEN = re.compile(r"\S+")
# Words that never occur inside an address but do in the sentence around one.
STOP_WORDS = words(
    """for because but please if when which where who thanks thank since until then so as is
    are was were will would can could should this that these those my your his her our
    their it we you they he she at to with from on by or and in case not be been being
    has have had do does did desde hasta para porque pero con que cuando donde como"""
)
# Words after a full stop that say a new sentence began: "… Cyprus. Please call me".
SENTENCE_STARTERS = STOP_WORDS | words(
    "the a an please thanks i call email contact phone there here see"
)
# A line ending in a box or unit number, not a postcode: "PSC 0413, Box 8144".
_NUMBERED_LAST = re.compile(r"(?i:box|" + UNIT_WORD + r")\.?[ \t]*\#?[ \t]*\w+$")
# "Springfield, IL 62704" / "Arzier, VD 50522": a city line under a street line.
_CITY_LINE = re.compile(r"[^\W\d_][^\n,:@]{0,40},[ \t]*[^\W\d_]{0,4}[ \t]*\d{4,6}")
_HAS_UNIT = re.compile(r"\b(?i:" + UNIT_WORD + r")\b\.?[ \t]*\#?[ \t]*\w")
_UNIT_LINE = re.compile(r"(?i:" + UNIT_WORD + r")\.?[ \t]*\#?[ \t]*[\w-]{1,8}")
_POSTCODE_END = re.compile(
    r"(?:\b\d{4,6}(?:-\d{3,4})?|\b\d{3}[ \t]\d{2}|\b[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}"
    r"|\b[A-Z]\d[A-Z][ \t]?\d[A-Z]\d|\b\d{4}[ \t]?[A-Z]{2})$"
)
_PO_BOX = re.compile(r"(?i:\bp\.?[ \t]*o\.?[ \t]*box|\bpost[ \t]+office[ \t]+box|^box)\b")
_MONTH_WORDS = words(
    """january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec"""
)
_LOWER_STREET_WORDS = words(
    "rue via ul calle rua avenida strada viale piazza chemin avenue straße strasse gasse "
    "weg laan vej vei gatan gata utca út trg ulica"
)
_MILITARY = frozenset({"psc", "unit", "cmr", "uscgc", "uss"})


def _line_end(text: str, start: int) -> int:
    """The end of the line starting at start, looked for at most MAX_LINE_CHARS ahead."""
    newline = text.find("\n", start, start + MAX_LINE_CHARS)
    return newline if newline >= 0 else min(len(text), start + MAX_LINE_CHARS)


def _is_first_line(line: str) -> bool:
    """Whether line looks like the first line of an address: a number, a word, no prose."""
    tokens = [t.strip(",.") for t in line.split()]
    tokens = [t for t in tokens if t]
    if len(tokens) < 2 or _PO_BOX.search(line) or any(c in line for c in ":@/"):
        return False
    lowered = [t.casefold() for t in tokens]
    if set(lowered) & _MONTH_WORDS:
        return False
    if not any(any(c.isdigit() for c in t) for t in tokens[:6]):
        return False
    words = [t for t in tokens if sum(c.isalpha() for c in t) >= 2]
    if not words:
        return False
    first = tokens[0]
    if first[0].isdigit():
        return any(w[0].isupper() or w.casefold() in _LOWER_STREET_WORDS for w in words)
    return first[0].isupper() or lowered[0] in _LOWER_STREET_WORDS or lowered[0] in _MILITARY


def _cut_line(text: str, start: int, end: int) -> int:
    """Where the address on text[start:end] (one line) ends: before prose or a sentence end.

    A full stop ends it when the next word starts a sentence ("… Cyprus. Please call") or
    nothing follows; after an abbreviation ("Apt. 4", "Αγ. Ανδρέα 34") it goes on. The
    " | " between table cells ends it too.
    """
    stop = end
    tokens = list(_TOKEN.finditer(text, start, end))
    for i, token in enumerate(tokens):
        word = token.group()
        bare = word.rstrip(".,;:!?")
        if bare in STOP_WORDS or bare == "I" or word[0] in '([{"“|':
            stop = token.start()
            break
        following = tokens[i + 1].group().strip(".,").casefold() if i + 1 < len(tokens) else ""
        if word[-1] in "?!;" or (
            word.endswith(".") and (not following or following in SENTENCE_STARTERS)
        ):
            stop = token.start() + len(bare)
            break
    return _rstrip(text, start, stop)


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \t,;:.-–—":
        end -= 1
    return end


def _piece(text: str, start: int, end: int) -> tuple[int, int]:
    """text[start:end] without leading "> ," and trailing punctuation."""
    while start < end and text[start] in " \t>,":
        start += 1
    return start, _rstrip(text, start, end)


def _next_lines(text: str, pos: int, units: bool) -> int:
    """The end of the address lines that follow a first line ending at pos.

    A unit line ("Apt. 12") is taken, and so is a line ending in a postcode (the last one);
    a short line of words ("Springfield", "Germany") only after a unit, or when a postcode
    line follows.
    """
    committed = pos
    pending_words = 0
    for _ in range(MAX_LINES - 1):
        if not text.startswith("\n", pos):
            break
        lo = pos + 1
        hi = _line_end(text, lo)
        start, end = _piece(text, lo, hi)
        cut = _cut_line(text, start, end)  # "… 62971 in case of an issue."
        prose_after = cut < end
        end = cut
        line = text[start:end]
        tokens = line.split()
        if (
            not line
            or len(tokens) > 6
            or hi - lo >= MAX_LINE_CHARS
            or any(c in line for c in ":@/")
            or sum(c.isdigit() for c in line) >= 7
        ):
            break
        if _UNIT_LINE.fullmatch(line):
            units = True
            committed = end
        elif _POSTCODE_END.search(line):
            committed = end
            break
        elif any(c.isalpha() for c in line):
            pending_words += 1
            if units and pending_words <= 2:
                committed = end
        # else a bare number: part of the address only if a postcode line follows
        if prose_after:
            break
        pos = hi
    return committed


def _block(text: str, start: int, units: bool) -> tuple[int, int] | None:
    """(start, end) of the address whose first line starts at start, or None."""
    line_end = _line_end(text, start)
    end = _cut_line(text, start, line_end)
    whole_line = line_end == len(text) or text.startswith("\n", line_end)
    if end <= start or not (whole_line or _rstrip(text, start, line_end) > end):
        return None  # no end in sight: not an address line
    first = text[start:end]
    if not _is_first_line(first):
        return None
    if end < line_end and text[end:line_end].strip(" \t.,;"):
        return start, end  # the sentence went on: a one-line address
    if "," in first and _POSTCODE_END.search(first) and not _NUMBERED_LAST.search(first):
        return start, end  # "12 Gralla 30 Suite 617, Helsinki, Barbados 00336": complete
    units = units or _HAS_UNIT.search(first) is not None
    return start, max(end, _next_lines(text, line_end, units))


_BLOCK_START = re.compile(r"^[ \t>]*(?=\d{1,6}[A-Za-z]?[ \t]|[A-ZÀ-Þ])", re.MULTILINE)


def _corner(text: str, start: int) -> tuple[int, int] | None:
    """(start, end) of "the corner of A and B" at start, to the end of its sentence."""
    lead = _CORNER.match(text, start)
    if lead is None:
        return None
    limit = min(len(text), lead.end() + MAX_CORNER_CHARS)
    stop = _CORNER_END.search(text, lead.end(), limit)
    end = _rstrip(text, start, stop.start() if stop is not None else limit)
    streets = re.split(r"[ \t]+(?:and|&)[ \t]+", text[lead.end() : end], maxsplit=1)
    if len(streets) != 2 or not all(_starts_street(street) for street in streets):
        return None
    return lead.start("corner"), end


def _starts_street(street: str) -> bool:
    """Whether street starts like a street name: a capital, a number or "ul." / "rue"."""
    first = street.split()[0].rstrip(".").casefold() if street.split() else ""
    return street[:1].isupper() or street[:1].isdigit() or first in _LOWER_STREET_WORDS


def _drop_repeated_suffix(text: str, start: int, end: int) -> int:
    """end without a street word after a complete street: "Rua Mina 50 street", "90
    Whitchurch Road St." (a house number or a street suffix already ends the street)."""
    tokens = text[start:end].split()
    if len(tokens) < 3 or tokens[-1].rstrip(".").casefold() not in ("street", "st"):
        return end
    before = tokens[-2].rstrip(",").casefold()
    if before[-1:].isdigit() or before.rstrip(".") in SUFFIXES:
        return _rstrip(text, start, end - len(tokens[-1]))
    return end


def _after_cue(text: str, start: int) -> tuple[int, int] | None:
    """(start, end) of the address right after a cue, or None."""
    corner = _corner(text, start)
    if corner is not None:
        return corner
    span = _block(text, start, units=False)
    if span is None:
        return None
    return span[0], _drop_repeated_suffix(text, *span)


def _cue_ends(text: str) -> list[int]:
    """Where each address cue or address field ends, in order."""
    ends = [m.end() for m in _ADDRESS_CUE.finditer(text)]
    ends.extend(m.end() for m in _ADDRESS_FIELD.finditer(text) if is_field(text, m))
    return sorted(set(ends))


def _value(text: str, start: int, end: int) -> str:
    pieces = []
    for line in text[start:end].split("\n"):
        lo, hi = _piece(line, 0, len(line))
        if hi > lo:
            pieces.append(" ".join(line[lo:hi].split()))
    return ", ".join(pieces)


def find_labelled_addresses(text: str) -> list[Extracted]:
    """Addresses after an address cue, and multi-line address blocks, any country."""
    found: list[Extracted] = []
    floor = 0
    for cue_end in _cue_ends(text):
        if cue_end < floor:
            continue
        span = _after_cue(text, cue_end)
        if span is not None:
            found.append(make(Kind.HOME_ADDRESS, _value(text, *span), text, *span))
            floor = span[1]
    # Blocks with no cue: "48 Elm Street\nApt 3B\n…", "12 Via Roma 4 Suite 5, Rome, …",
    # "31 Stone Cellar Road\nArzier, VD 50522"
    cued = sorted((e.start, e.end) for e in found)
    starts = [start for start, _ in cued]
    for line in _BLOCK_START.finditer(text):
        start = line.end()
        i = bisect_right(starts, start) - 1
        if i >= 0 and cued[i][1] > start:
            continue  # inside an address found after a cue
        eol = _line_end(text, start)
        lo, hi = _piece(text, eol + 1, _line_end(text, eol + 1)) if eol < len(text) else (0, 0)
        below = text[lo:hi]
        numbered = text[start].isdigit()
        if _UNIT_LINE.fullmatch(below) or (
            numbered
            and (_CITY_LINE.fullmatch(below) or _HAS_UNIT.search(text, start, eol) is not None)
        ):
            span = _block(text, start, units=True)
            if span is not None and (span[1] > eol or numbered):
                found.append(make(Kind.HOME_ADDRESS, _value(text, *span), text, *span))
    return sorted(found, key=lambda e: e.start)
