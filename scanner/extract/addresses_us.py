"""US street addresses: a linear candidate search, confirmed by usaddress.

    find_us_addresses(text) -> list[Extracted]    # Kind.HOME_ADDRESS

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

**Not addresses**: a street without city/state/ZIP and without a cue ("1 of 2 Main Street
results"), a bare "Route 66", prices, dates and phone numbers (no state + ZIP after them),
and PO boxes: a PO box is a mailing address, not where someone lives, so it is not a
HOME_ADDRESS and is left out on purpose (its city still is a location).

The rules follow USPS address formats, never the phrasing of a labelled data set.

Every pattern has bounded repetition and each scan moves forward: linear in the text.
"""

from __future__ import annotations

import re

import usaddress  # type: ignore[import-untyped]  # ships .pyi but no py.typed

from scanner.correlate import STATE_CODES, US_STATES
from scanner.extract.base import Extracted, make, word_cue, words
from scanner.models import Kind

MAX_BACK = 160  # characters before "<state> <ZIP>" searched for the street and city
MAX_CANDIDATES = 2_000  # usaddress calls per text (each ~0.15 ms): bounds hostile input
# State codes that are also English words: "Portland, OR" needs a ZIP or a cue.
WORD_CODES = words("AL CO DE HI ID IN LA MA ME OH OK OR PA SC")
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
STATE_NAME_PATTERN = "|".join(
    n.replace(" ", r"[ \t]+") for n in sorted(US_STATES, key=len, reverse=True)
)
STATE_CODE_PATTERN = "|".join(sorted(STATE_CODES))

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
UNIT_WORD = (
    r"(?:apt|apartment|unit|suite|ste|flat|fl|floor|rm|room|bldg|building|lot|trlr|dept|spc)"
)
_UNIT = UNIT_WORD + r"\.?(?:[ \t]*\#)?[ \t]*[\w-]{1,8}|\#[ \t]*[\w-]{1,8}"
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
STREET_LABELS = words(
    """AddressNumberPrefix AddressNumber AddressNumberSuffix StreetNamePreModifier
    StreetNamePreDirectional StreetNamePreType StreetName StreetNamePostType
    StreetNamePostDirectional StreetNamePostModifier OccupancyType OccupancyIdentifier
    SubaddressType SubaddressIdentifier"""
)
_ORDER = ("street", "PlaceName", "StateName", "ZipCode")


def state_code(state: str) -> str | None:
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
        code = state_code(anchor.group("state"))
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
