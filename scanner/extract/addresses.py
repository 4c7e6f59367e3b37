"""Street addresses and places: US addresses checked by usaddress, labelled addresses
anywhere, and city / state / postcode locations.

    find_addresses(text) -> list[Extracted]    # Kind.HOME_ADDRESS
    find_locations(text) -> list[Extracted]    # Kind.LOCATION

**US addresses.** A candidate needs a street line, a city, a US state (two-letter USPS code
in capitals, or the full name) and a 5-digit ZIP or ZIP+4. The street line is a house
number and street words ending in a street suffix ("48 Elm Street", "W 5th Ave", "Martin
Luther King Jr Blvd"), a numbered route ("Route 66", "North Highway 64", "State Highway
No 33"), a directional and a name followed by a comma ("South Main,", "West 5400 South,")
or "Broadway"; an optional post-directional ("Northwest"); an optional unit ("Apt 3B",
"Suite 200", "# 4", "Unit 7"). Without a house number, a named street ("Pineville Road")
or a route ("Route 16") still counts when city, state and ZIP follow. Parts may be
separated by commas, spaces or one line break ("48 Elm Street\nApt 3B\nSpringfield, IL
62704").

Search: the regex finds "<state> <ZIP>" anchors; for each, the text just before it (at most
MAX_BACK characters, never reaching back past the previous anchor) is searched for the street
line and city that end right at the anchor. So the work is linear in the text's length. The
candidate is then parsed by usaddress (a CRF address parser); it is kept only when usaddress
reads street labels (starting with the same house number, if any), then PlaceName,
StateName and ZipCode, in that order and nothing else. At most MAX_CANDIDATES are parsed per
text. Value: "48 Elm Street Apt 3B, Springfield, IL 62704-1234": the street line and city as
usaddress split them (its words as written, single spaces), the state as its USPS code, the
ZIP as written.

**Labelled addresses** (any country). After a cue that says an address follows ("Address:",
"home address is", "my address to/with", "address (as of May):", "the address of … is",
"lives at/on", "resides at", "moved to", "sent to", "ship to", "return to", "pick me up
at", "drop me off at", "located at", "office is at", JSON-LD "streetAddress:"), text that
looks like an address: it starts with a house number, a capitalised word or a unit word,
its first line holds a number and a word, no month name, no ":", "@" or "/", and no
sentence words ("please", "for", "because" …). It runs to the end of the sentence (a full
stop before a sentence word, or at the end of the line; "Apt. 4" goes on) or line, then
over following lines that look like address parts (a unit line "Apt. 12", a short line of
place words after a unit, a postcode line) up to MAX_LINES lines, stopping after a line
that ends in a postcode. Without a cue, a block that starts its line is an address when a
unit line follows it ("12 Example Road\nFlat 4\n…"), or, starting with a house number,
when it holds a unit ("9 Via Esempio 30 Suite 7, …") or a "City, XX 12345" line follows.
Value: its lines joined by ", ".

**Not addresses**: a street without city/state/ZIP and without a cue ("1 of 2 Main Street
results"), a bare "Route 66", prices, dates and phone numbers (no state + ZIP after them),
and PO boxes: a PO box is a mailing address, not where someone lives, so it is not a
HOME_ADDRESS and is left out on purpose (its city still is a location).

**Locations** ("Springfield, IL"): a city with a state and ZIP but no street line
("Springfield, IL 62704"); a city with a state code or state name ("Austin, TX",
"Madison, Wisconsin"; state codes that are also words, like OR, IN, ME, OK, need a ZIP
or a location cue); and the place after a location cue: "lives in", "based in",
"located in", "moved to/from", "originally from", "grew up in", "born in", "I'm in",
"travelling to", "Location:", "City:", "Hometown:", JSON-LD "addressLocality:". A place is
1-4 capitalised words (with "of", "de", "del", "upon" … inside) and up to two more
comma-separated parts ("Springfield, Illinois, USA"). A labelled ZIP or postcode
("ZIP: 62704", "Postcode: SW1A 1AA") is a location too. Values: the parts joined by ", ",
a US state name written as its code ("Austin, TX").

Every pattern has bounded repetition and each scan moves forward: linear in the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

import usaddress  # type: ignore[import-untyped]  # ships .pyi but no py.typed

from scanner.correlate import STATE_CODES, US_STATES
from scanner.extract.base import Extracted, make, word_cue, words
from scanner.extract.names import UPPER
from scanner.models import Kind

MAX_BACK = 160  # characters before "<state> <ZIP>" searched for the street and city
MAX_CANDIDATES = 2_000  # usaddress calls per text (each ~0.15 ms): bounds hostile input
MAX_LINES = 5  # lines a labelled address may span
MAX_LINE_CHARS = 120  # characters a labelled address line may have
# State codes that are also English words: "Portland, OR" needs a ZIP or a cue.
WORD_CODES = frozenset({"AL", "CO", "DE", "HI", "ID", "IN", "LA", "MA", "ME", "OH", "OK",
                        "OR", "PA", "SC"})  # fmt: skip
# USPS street suffixes (common forms and abbreviations), matched case-insensitively.
SUFFIXES = words(
    "street st str avenue ave av avn road rd boulevard blvd drive dr dri lane ln court ct "
    "place pl way wy terrace ter terr circle cir parkway pkwy highway hwy square sq trail trl "
    "loop plaza plz pike row path alley aly run crossing xing point pt ridge rdg heights hts "
    "expressway expy freeway fwy turnpike tpke causeway cswy bend cove cv creek crk crescent "
    "cres esplanade walk mall park pkway pass glen gln green grn grove grv harbor hbr hill hl "
    "hollow holw landing lndg meadow mdw meadows mdws mews orchard orch oval ranch rnch "
    "shore shr spring spg springs spgs station sta summit smt valley vly view vw village vlg "
    "vista vis wharf close commons cmns center ctr estates ests fork frk gardens gdns gate "
    "gateway gtwy junction jct knoll knl lake lk manor mnr mill ml mount mt route rte"
)
_SUFFIX = "|".join(sorted(set(SUFFIXES), key=len, reverse=True))
_STATE_NAMES = "|".join(n.replace(" ", r"[ \t]+") for n in sorted(US_STATES, key=len, reverse=True))
_CODES = "|".join(sorted(STATE_CODES))

# "<, >IL 62704" / "Illinois 62704-1234": the anchor every address ends with.
_STATE_SPELLINGS = [
    spelled.replace(" ", r"[ \t]+")
    for name in US_STATES
    for spelled in (name, name.title().replace(" Of ", " of "), name.upper())
]
# "IL 62704" / "Illinois 62704-1234": the state and ZIP every US address ends with. It
# starts with the state (so the regex engine can skip to capital letters); the separator
# before it belongs to neither street nor state.
_ANCHOR = re.compile(
    r"(?P<state>"
    + word_cue(*sorted(STATE_CODES), *_STATE_SPELLINGS, ignore_case=False)
    + r")(?![\w-])(?:(?<=[A-Z]{2})\.)?[ \t]*,?[ \t]*(?P<zip>\d{5}(?:-\d{4})?)(?![\w-])"
)
_WORD = r"[A-Za-z0-9À-ÿ][\w.'’-]{0,29}"
_CAP = r"[A-ZÀ-Þ][\w.'’-]{0,29}"
_UNIT_WORD = (
    r"(?:apt|apartment|unit|suite|ste|flat|fl|floor|rm|room|bldg|building|lot|trlr|dept|spc)"
)
_UNIT = _UNIT_WORD + r"\.?(?:[ \t]*\#)?[ \t]*[\w-]{1,8}|\#[ \t]*[\w-]{1,8}"
_DIR = r"(?:north|south|east|west|northeast|northwest|southeast|southwest|[NSEW]|NE|NW|SE|SW)\.?"
_ROUTE = (
    r"(?:(?:" + _WORD + r"[ \t]+){0,2}?(?i:route|rte|highway|hwy|interstate|county[ \t]+road"
    r"|farm[ \t]+to[ \t]+market)[ \t]+(?i:no\.?[ \t]+)?\d{1,4}[A-Za-z]?)"
)
# Street types a numberless street may end with: not landmarks ("Valley West Mall").
_NAMED_SUFFIX = words(
    "street st avenue ave road rd boulevard blvd drive dr lane ln court ct place pl way "
    "terrace ter circle cir parkway pkwy highway hwy trail trl pike alley crescent close row"
)
# After the street: a post-directional, a unit (on the same line or the next), the city.
_TAIL = (
    r"(?:[ \t]+(?i:" + _DIR + r"))?"
    r"(?:[ \t]*,?[ \t]*\n?[ \t]*(?i:" + _UNIT + r"))?)"
    r"[ \t]*(?:,[ \t]*\n?|\n)?[ \t]*"
    r"(?P<city>" + _CAP + r"(?:[ \t]+(?:(?:of|the|de|la|del|du)[ \t]+)?" + _CAP + r"){0,3})"
)
# The street line and city, ending at the anchor (fullmatch from a house number to the end
# of the window). Street: words + suffix, a numbered route, a directional + name or grid
# ("South Main", "West 5400 South"), or "Broadway"; then the tail.
_STREET = re.compile(
    r"(?P<street>(?P<number>\d{1,6}[A-Za-z]?(?:-\d{1,5}[A-Za-z]?)?)[ \t]+"
    r"(?:(?:" + _WORD + r"[ \t]+){0,5}?(?i:" + _SUFFIX + r")\.?"
    r"|" + _ROUTE + r"|(?i:" + _DIR + r")[ \t]+" + _WORD + r"(?:[ \t]+" + _WORD + r")?(?=[ \t]*,)"
    r"|(?i:broadway))" + _TAIL
)
# A street without a house number, in capitalised words: "Pineville Road", "Route 16",
# "US Highway 22".
_NAMED = re.compile(
    r"(?P<street>(?P<number>)(?:"
    + _CAP
    + r"(?:[ \t]+"
    + _CAP
    + r"){0,3}?[ \t]+(?i:"
    + "|".join(sorted(_NAMED_SUFFIX, key=len, reverse=True))
    + r")\.?|(?:"
    + _CAP
    + r"[ \t]+){0,2}?(?i:route|rte|highway|hwy|county[ \t]+road)"
    r"[ \t]+(?i:no\.?[ \t]+)?\d{1,4}[A-Za-z]?)" + _TAIL
)
_SPACES = re.compile(r"\s+")
_START = re.compile(r"(?<![\w.,$/:#-])\d")
_CAP_START = re.compile(r"(?<![\w.,$/:#'’-])[A-ZÀ-Þ]")
MAX_NAMED_TRIES = 12  # capitalised words tried as the start of a numberless street
# usaddress labels a street line may hold (before the city); anything else refuses.
STREET_LABELS = frozenset(
    {"AddressNumberPrefix", "AddressNumber", "AddressNumberSuffix", "StreetNamePreModifier",
     "StreetNamePreDirectional", "StreetNamePreType", "StreetName", "StreetNamePostType",
     "StreetNamePostDirectional", "StreetNamePostModifier", "OccupancyType",
     "OccupancyIdentifier", "SubaddressType", "SubaddressIdentifier"}
)  # fmt: skip
_ORDER = ("street", "PlaceName", "StateName", "ZipCode")


def _state_code(state: str) -> str | None:
    state = _SPACES.sub(" ", state.rstrip(".")).strip()
    if state in STATE_CODES:
        return state
    return US_STATES.get(state.casefold())


def _street_and_city(window: str) -> re.Match[str] | None:
    """The shortest street + city in window that runs to its end (rightmost start).

    Rightmost, so "call 555-0142 or visit 48 Elm Street, …" starts at "48". A street with
    a house number is preferred to one without.
    """
    for number in reversed(list(_START.finditer(window))):
        match = _STREET.fullmatch(window, number.start())
        if match is not None:
            return match
    # leftmost, so "Anchor Inn Road" is not cut to "Inn Road"
    for word in list(_CAP_START.finditer(window))[-MAX_NAMED_TRIES:]:
        match = _NAMED.fullmatch(window, word.start())
        if match is not None:
            return match
    return None


def _confirmed(candidate: str, number: str) -> tuple[str, str] | None:
    """(street line, city) when usaddress reads candidate as one street address, in order:
    street labels, PlaceName, StateName, ZipCode, starting with the same house number (or,
    without one, with a street label that is not a house number)."""
    try:
        tokens: list[tuple[str, str]] = usaddress.parse(candidate)
    except (ValueError, IndexError, TypeError):
        return None
    if not tokens:
        return None
    if number and tokens[0] != (number, "AddressNumber"):
        return None
    if not number and tokens[0][1] not in STREET_LABELS - {"AddressNumber"}:
        return None
    parts: dict[str, list[str]] = {key: [] for key in _ORDER}
    position = 0
    for token, label in tokens:
        key = "street" if label in STREET_LABELS else label
        if key not in parts or _ORDER.index(key) < position:
            return None  # PO box, recipient, landmark, or parts out of order
        position = _ORDER.index(key)
        parts[key].append(token.strip(" ,;\n\t"))
    if not all(parts[key] for key in _ORDER):
        return None
    return " ".join(t for t in parts["street"] if t), " ".join(parts["PlaceName"])


def _separator_start(text: str, lo: int, end: int) -> int:
    """Where the spaces and comma before a state (at end) begin."""
    start = end
    while start > lo and end - start < 8 and text[start - 1] in " \t,":
        start -= 1
    return start


def find_us_addresses(text: str) -> list[Extracted]:
    """US street addresses in text (street line, city, state, ZIP), in order."""
    found: list[Extracted] = []
    tagged = 0
    floor = 0  # a window never reaches back past the previous anchor
    for anchor in _ANCHOR.finditer(text):
        if anchor.start() and text[anchor.start() - 1] in "-_0123456789":
            continue  # "X-IL 62704", "9IL 62704": not a state
        lo = max(floor, anchor.start() - MAX_BACK)
        floor = anchor.end()
        code = _state_code(anchor.group("state"))
        if code is None:
            continue
        window = text[lo : _separator_start(text, lo, anchor.start())]
        match = _street_and_city(window)
        if match is None or tagged >= MAX_CANDIDATES:
            continue
        tagged += 1
        start = lo + match.start()
        confirmed = _confirmed(text[start : anchor.end()], match.group("number"))
        if confirmed is None:
            continue
        street, city = confirmed
        value = f"{street}, {city}, {code} {anchor.group('zip')}"
        found.append(make(Kind.HOME_ADDRESS, value, text, start, anchor.end()))
    return found


# --- labelled addresses, any country ----------------------------------------------------

_ADDRESS_QUALIFIERS = words(
    "home street mailing postal residential residence current previous old new billing "
    "shipping delivery primary permanent my his her their our your"
)
_ADDRESS_IS = r"address(?:es)?(?:[ \t]*\**[ \t]*(?::|(?:is|was|to|with)\b)|\b[^\n.:;?!]{1,40}:)"
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
    )
    + r"(?!\w)[ \t]*\**[ \t]*:?[ \t]*\**[ \t]*(?:\n[ \t]*)?"
)
_TOKEN = re.compile(r"\S+")
# Words that never occur inside an address but do in the sentence around one.
STOP_WORDS = words(
    """for because but please if when which where who thanks thank since until then so as is
    are was were will would can could should this that these those my your his her our
    their it we you they he she at to with from on by or and in case not be been being
    has have had do does did"""
)
# Words after a full stop that say a new sentence began: "… Cyprus. Please call me".
SENTENCE_STARTERS = STOP_WORDS | words(
    "the a an please thanks i call email contact phone there here see"
)
# A line ending in a box or unit number, not a postcode: "PSC 0413, Box 8144".
_NUMBERED_LAST = re.compile(r"(?i:box|" + _UNIT_WORD + r")\.?[ \t]*\#?[ \t]*\w+$")
# "Springfield, IL 62704" / "Arzier, VD 50522": a city line under a street line.
_CITY_LINE = re.compile(r"[^\W\d_][^\n,:@]{0,40},[ \t]*[^\W\d_]{0,4}[ \t]*\d{4,6}")
_HAS_UNIT = re.compile(r"\b(?i:" + _UNIT_WORD + r")\b\.?[ \t]*\#?[ \t]*\w")
_UNIT_LINE = re.compile(r"(?i:" + _UNIT_WORD + r")\.?[ \t]*\#?[ \t]*[\w-]{1,8}")
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
    nothing follows; after an abbreviation ("Apt. 4", "Αγ. Ανδρέα 34") it goes on.
    """
    stop = end
    tokens = list(_TOKEN.finditer(text, start, end))
    for i, token in enumerate(tokens):
        word = token.group()
        bare = word.rstrip(".,;:!?")
        if bare in STOP_WORDS or bare == "I" or word[0] in '([{"“':
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
    for cue in _ADDRESS_CUE.finditer(text):
        if cue.end() < floor:
            continue
        span = _block(text, cue.end(), units=False)
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


def _overlaps(item: Extracted, spans: list[Extracted]) -> bool:
    return any(item.start < other.end and other.start < item.end for other in spans)


def find_addresses(text: str) -> list[Extracted]:
    """Street addresses in text: US ones, then labelled ones that do not overlap them."""
    us = find_us_addresses(text)
    labelled = [e for e in find_labelled_addresses(text) if not _overlaps(e, us)]
    return sorted(us + labelled, key=lambda e: e.start)


# --- locations --------------------------------------------------------------------------

_PLACE_WORD = UPPER + r"(?:[^\W\d_]|['’.-](?=[^\W\d_])){1,29}(?![\w'’-])"
_PLACE_JOIN = (
    r"[ \t](?:(?:of|de|del|de[ \t]la|la|le|les|du|da|do|dos|das|di|upon|sur|an[ \t]der)[ \t])?"
)
_PLACE = _PLACE_WORD + r"(?:" + _PLACE_JOIN + _PLACE_WORD + r"){0,3}"
_STATE_NAME_CAP = r"(?=[A-Z])(?i:" + _STATE_NAMES + r")\b"
_LOCATION_CUE = re.compile(
    word_cue(
        r"(?:lives|lived|living|live|resides|resided|residing|reside|based|located|situated"
        r"|stationed|settled|staying|stays)[ \t]+in",
        r"(?:moved|moving|relocated|relocating|move|relocate)(?:[ \t]+(?:here|back|over))?"
        r"[ \t]+(?:to|from)",
        r"(?:originally|hails|hailing)[ \t]+from",
        r"(?:grew[ \t]+up|raised|born|brought[ \t]+up)[ \t]+in",
        r"(?:I'm|I’m|I[ \t]+am|we're|we’re|we[ \t]+are)[ \t]+(?:currently[ \t]+|now[ \t]+)?"
        r"(?:in|from|based[ \t]+in)",
        r"(?:travell?ing|flying|heading|driving)[ \t]+to",
        r"the[ \t]+(?:city|town|village)[ \t]+of",
        r"(?:location|city|current[ \t]+city|hometown|home[ \t]+town|residence|lives[ \t]+in"
        r"|based[ \t]+in|addresslocality)[ \t]*\**[ \t]*:",
    )
    + r"(?!\w)[ \t]*\**[ \t]*"
)
_CUED_PLACE = re.compile(
    r"(?P<place>"
    + _PLACE
    + r"(?:,[ \t]*(?:"
    + _STATE_NAME_CAP
    + r"|(?:"
    + _CODES
    + r")\b|"
    + _PLACE
    + r")){0,2})(?![\w'’-])"
)
# ", IL 62704" / ", Texas": a state after a comma; the city is looked for just before it.
_STATE_AFTER_COMMA = re.compile(
    r",[ \t]*(?P<state>(?:" + _CODES + r")\b(?!\.\w)|" + _STATE_NAME_CAP + r")(?![\w'’-])"
    r"(?:[ \t]*,?[ \t]*(?P<zip>\d{5}(?:-\d{4})?)(?![\w-]))?"
)
_CITY_BEFORE = re.compile(
    r"(?<![\w'’.-])(?P<city>" + _PLACE_WORD + r"(?:" + _PLACE_JOIN + _PLACE_WORD + r"){0,2})\Z"
)
CITY_BACK = 60  # characters before ", <state>" searched for the city
_POSTCODE_LABEL = re.compile(
    word_cue(r"zip(?:[ \t]*code)?", r"postal[ \t]*code", r"post[ \t]*code", "postcode")
    + r"(?!\w)[ \t]*\**[ \t]*[:#]?[ \t]*\**[ \t]*"
    r"(?P<code>[A-Z0-9](?:[A-Z0-9 -]{1,8}[A-Z0-9])?)(?![\w-])"
)
# Capitalised words after a location cue that are not places: "I'm in Love", "born in May".
NOT_PLACES = words(
    """the a an this that my your his her our their its love charge trouble touch time
    need bed town city home church school college work office hospital prison jail heaven
    hell god private person general public here there it everyone january february march
    april may june july august september october november december monday tuesday
    wednesday thursday friday saturday sunday spring summer autumn fall winter dear hello
    hi thanks yes no sincerely regards mr mrs ms dr of appendix section chapter table figure
    page part article annex exhibit schedule item"""
)
# State names that are also given names ("Smith, Virginia"): a ZIP or a cue is needed.
NAME_LIKE_STATES = frozenset({"georgia", "virginia", "washington", "indiana", "montana"})


def _place_value(place: str) -> str:
    parts = [" ".join(p.split()) for p in place.split(",") if p.strip()]
    if len(parts) >= 2:
        parts = [parts[0]] + [_state_code(p) or p for p in parts[1:]]
    return ", ".join(parts)


def _locations(text: str) -> Iterator[tuple[int, int, str]]:
    for cue in _LOCATION_CUE.finditer(text):
        m = _CUED_PLACE.match(text, cue.end())
        if m is None:
            continue
        place = m.group("place")
        if place.split()[0].strip(".,").casefold() in NOT_PLACES:
            continue
        yield m.start("place"), m.end("place"), _place_value(place)
    floor = 0
    for m in _STATE_AFTER_COMMA.finditer(text):
        city_match = _CITY_BEFORE.search(text, max(floor, m.start() - CITY_BACK), m.start())
        floor = m.start() + 1  # "…, New York, NY 10018": a state name may be the next city
        if city_match is None:
            continue
        city, state = city_match.group("city"), m.group("state")
        if city.split()[0].casefold() in NOT_PLACES:
            continue
        code = _state_code(state)
        if code is None:
            continue
        if not m.group("zip") and (
            state in WORD_CODES or " ".join(state.split()).casefold() in NAME_LIKE_STATES
        ):
            continue
        yield city_match.start(), m.end("state"), f"{' '.join(city.split())}, {code}"
    for m in _POSTCODE_LABEL.finditer(text):
        code = m.group("code")
        if any(c.isdigit() for c in code):
            yield m.start("code"), m.end("code"), code


def find_locations(text: str) -> list[Extracted]:
    """Cities, states and postcodes in text (see the module docstring), in order."""
    spans: dict[tuple[int, int], str] = {}
    for start, end, value in _locations(text):
        spans.setdefault((start, end), value)
    found: list[Extracted] = []
    reach = -1
    for (start, end), value in sorted(spans.items(), key=lambda s: (s[0][0], -s[0][1])):
        if end <= reach:
            continue  # inside a longer place found by another rule
        reach = end
        found.append(make(Kind.LOCATION, value, text, start, end))
    return found
