"""Places: cities, states and postcodes (Kind.LOCATION).

    find_locations(text) -> list[Extracted]    # Kind.LOCATION

The cues come from how people say where they live or come from, from the labels of
common page layouts (forms, tables, <dl> lists), from the field names of public profile
APIs (`location`, `city`) and from their Spanish equivalents; they are never taken from
the phrasing of a labelled data set.

**Locations** ("Springfield, IL"): a city with a state and ZIP but no street line
("Springfield, IL 62704"); a city with a state code or state name ("Austin, TX",
"Madison, Wisconsin"; state codes that are also words, like OR, IN, ME, OK, need a ZIP
or a location cue); and the place after a location cue:
- prose: "lives in/near", "based in", "located in", "moved to/from", "originally from",
  "grew up in/near", "born (and raised) in", "a native of", "I'm in/from", "she's from",
  "he is from", "they came from", "travelling to"; Spanish "vive en", "soy de", "es
  originaria de", "nació en", "creció en", "nos mudamos a";
- fields (a colon, a table cell, a <dl> line, a JSON key): "Location", "City", "Current
  city", "Town", "Hometown", "Residence", "Place of residence/birth", "Birthplace", "Lives
  in", "Based in", JSON-LD "addressLocality"; Spanish "Ciudad", "Ciudad natal",
  "Ubicación", "Localidad", "Residencia", "Lugar de residencia/nacimiento", "Vive en".
A place is 1-4 capitalised words (with "of", "de", "del", "upon" … inside) and up to two
more comma-separated parts ("Springfield, Illinois, USA"). A labelled ZIP or postcode
("ZIP: 62704", "Postcode: SW1A 1AA") is a location too. Values: the parts joined by ", ",
a US state name written as its code ("Austin, TX"). Not places: months, pronouns, other
fields' labels (a table's header row "Name | Location | Company"), "From:" (an email
header), a street inside an address (dropped by the extractor as part of it).

Every pattern has bounded repetition and each scan moves forward: linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from scanner.extract.addresses_us import (
    STATE_CODE_PATTERN,
    STATE_NAME_PATTERN,
    WORD_CODES,
    state_code,
)
from scanner.extract.base import Extracted, field_cue, is_field, make, word_cue, words
from scanner.extract.name_words import UPPER
from scanner.models import Kind

_PLACE_WORD = UPPER + r"(?:[^\W\d_]|['’.-](?=[^\W\d_])){1,29}(?![\w'’-])"
_PLACE_JOIN = (
    r"[ \t](?:(?:of|de|del|de[ \t]la|la|le|les|du|da|do|dos|das|di|upon|sur|an[ \t]der)[ \t])?"
)
_PLACE = _PLACE_WORD + r"(?:" + _PLACE_JOIN + _PLACE_WORD + r"){0,3}"
_STATE_NAME_CAP = r"(?=[A-Z])(?i:" + STATE_NAME_PATTERN + r")\b"
# How people say where they live or come from, in prose (English, then Spanish).
_LOCATION_CUE = re.compile(
    word_cue(
        r"(?:lives|lived|living|live|resides|resided|residing|reside|based|located|situated"
        r"|stationed|settled|staying|stays)[ \t]+(?:in|near)",
        r"(?:moved|moving|relocated|relocating|move|relocate)(?:[ \t]+(?:here|back|over))?"
        r"[ \t]+(?:to|from)",
        r"(?:originally|hails|hailing)[ \t]+from",
        r"(?:grew[ \t]+up|raised|born|brought[ \t]+up)[ \t]+(?:in|near)",
        r"born[ \t]+and[ \t]+(?:raised|bred)[ \t]+in",
        r"(?:a[ \t]+)?native[ \t]+of",
        r"(?:I'm|I’m|I[ \t]+am|we're|we’re|we[ \t]+are)[ \t]+(?:currently[ \t]+|now[ \t]+)?"
        r"(?:in|from|based[ \t]+in)",
        r"(?:she's|she’s|he's|he’s|they're|they’re|she[ \t]+is|he[ \t]+is|they[ \t]+are"
        r"|she[ \t]+was|he[ \t]+was)[ \t]+(?:originally[ \t]+)?from",
        r"(?:I|we|they|you)[ \t]+(?:come|came)[ \t]+from",
        r"(?:she|he)[ \t]+(?:comes|came)[ \t]+from",
        r"(?:travell?ing|flying|heading|driving)[ \t]+to",
        r"the[ \t]+(?:city|town|village)[ \t]+of",
        r"(?:vive|vivo|vives|vivimos|viven|vivía|vivia|reside|resido|residen|radica|radico)"
        r"[ \t]+en",
        r"(?:soy|somos)[ \t]+(?:originari[oa]s?[ \t]+)?de",
        r"(?:es|son)[ \t]+originari[oa]s?[ \t]+de",
        r"(?:nació|nacio|nací|naci|creció|crecio|crecí|creci)[ \t]+en",
        r"(?:me[ \t]+mudé|me[ \t]+mude|se[ \t]+mudó|se[ \t]+mudo|nos[ \t]+mudamos)[ \t]+a",
    )
    + r"(?!\w)[ \t]*\**[ \t]*"
)
# Field labels whose value is a place: page layouts, profile APIs (`location`, `city`),
# JSON-LD, Spanish forms.
_LOCATION_FIELD = re.compile(
    field_cue(
        "location",
        "city",
        r"current[ \t]+city",
        "town",
        "hometown",
        r"home[ \t]+town",
        "residence",
        r"place[ \t]+of[ \t]+(?:residence|birth)",
        "birthplace",
        r"lives[ \t]+in",
        r"based[ \t]+in",
        "addresslocality",
        "ciudad",
        r"ciudad[ \t]+natal",
        "ubicación",
        "ubicacion",
        "localidad",
        "residencia",
        r"lugar[ \t]+de[ \t]+(?:residencia|nacimiento)",
        r"vive[ \t]+en",
    )
)
_CUED_PLACE = re.compile(
    r"(?P<place>"
    + _PLACE
    + r"(?:,[ \t]*(?:"
    + _STATE_NAME_CAP
    + r"|(?:"
    + STATE_CODE_PATTERN
    + r")\b|"
    + _PLACE
    + r")){0,2})(?![\w'’-])"
)
# ", IL 62704" / ", Texas": a state after a comma; the city is looked for just before it.
_STATE_AFTER_COMMA = re.compile(
    r",[ \t]*(?P<state>(?:"
    + STATE_CODE_PATTERN
    + r")\b(?!\.\w)|"
    + _STATE_NAME_CAP
    + r")(?![\w'’-])"
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
    page part article annex exhibit schedule item location company employer name age email
    phone address status notes website n/a none unknown we you i he she they us la el los
    las enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"""
)
# State names that are also given names ("Smith, Virginia"): a ZIP or a cue is needed.
NAME_LIKE_STATES = frozenset({"georgia", "virginia", "washington", "indiana", "montana"})


def _place_value(place: str) -> str:
    parts = [" ".join(p.split()) for p in place.split(",") if p.strip()]
    if len(parts) >= 2:
        parts = [parts[0]] + [state_code(p) or p for p in parts[1:]]
    return ", ".join(parts)


def _cued_places(text: str) -> Iterator[tuple[int, int, str]]:
    """Places after a prose cue or a field label."""
    cues = [m for m in _LOCATION_FIELD.finditer(text) if is_field(text, m)]
    cues.extend(_LOCATION_CUE.finditer(text))
    for cue in cues:
        m = _CUED_PLACE.match(text, cue.end())
        if m is None:
            continue
        place = m.group("place")
        if place.split()[0].strip(".,").casefold() in NOT_PLACES:
            continue
        yield m.start("place"), m.end("place"), _place_value(place)


def _cities_with_states(text: str) -> Iterator[tuple[int, int, str]]:
    """ "Austin, TX", "Springfield, IL 62704", "Madison, Wisconsin"."""
    floor = 0
    for m in _STATE_AFTER_COMMA.finditer(text):
        city_match = _CITY_BEFORE.search(text, max(floor, m.start() - CITY_BACK), m.start())
        floor = m.start() + 1  # "…, New York, NY 10018": a state name may be the next city
        if city_match is None:
            continue
        city, state = city_match.group("city"), m.group("state")
        if city.split()[0].casefold() in NOT_PLACES:
            continue
        code = state_code(state)
        if code is None:
            continue
        if not m.group("zip") and (
            state in WORD_CODES or " ".join(state.split()).casefold() in NAME_LIKE_STATES
        ):
            continue
        yield city_match.start(), m.end("state"), f"{' '.join(city.split())}, {code}"


def _locations(text: str) -> Iterator[tuple[int, int, str]]:
    yield from _cued_places(text)
    yield from _cities_with_states(text)
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
