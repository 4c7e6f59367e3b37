"""People's names: real names where a cue says so; relatives (relatives.py) and names a
layout gives away (name_blocks.py) re-exported.

    find_relatives(text, subject_names=()) -> list[Extracted]   # Kind.RELATIVE
    find_real_names(text) -> list[Extracted]                     # Kind.REAL_NAME
    find_names(text, subject_names=()) -> list[Extracted]        # both, by start
    find_names_above(text, address_starts) -> list[Extracted]    # REAL_NAME, EMPLOYER

A capitalised pair of words is often not a name ("Main Street", "Acme Widgets"), so a name
is only taken where a cue makes it one; precision matters more than recall here. The cues
come from how people write about and to each other (letters, greetings, bylines, news
style, memorials), from the labels of forms, tables and profile cards, and from their
Spanish equivalents; they are never taken from the phrasing of a labelled data set.

- a person-name field: "Name:", "Full name:", "First name:", "Legal name:", "Patient:",
  "Applicant:", "Customer:", "Shipper:", "Agent:", "Nombre:", "Nombre completo:",
  "Apellidos:", a letter's or email's "To:" / "From:" …, also as a table cell ("Name |
  Jane Doe") or a <dl> term on the line above; the name runs to the end of the line or
  a delimiter (",", "(", "<", "|", two spaces), never into more prose;
- "Also known as:", "AKA:", "Aliases:", "Other names:" lists (relatives.py);
- an honorific: "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Sr.", "Sra." …, followed by one to
  four words; a title of office or rank ("Senator", "Judge", "Officer", "Sgt.", "Coach",
  "Pastor" …) or a lower-case occupation in apposition ("poet Jane Doe", "publisher
  Jane Doe") followed by a full name;
- a greeting or sign-off line: "Dear Jane Doe,", "Hi Jane,", "Good morning, Jane.",
  "Estimada Ana:", "Sincerely,\nJane Doe", "Atentamente,\nAna Ruiz";
- a self-introduction or nickname: "my name is Jane Doe", "me llamo Ana Ruiz", "What's
  your name? Jane Doe", "everyone calls me Janey", "I go by Jay";
- a signed act: "written by Jane Doe", "Directed by: Jane Doe" (two words at least);
- a memorial or a source: "in loving memory of Jane Doe", "a tribute to Jane Doe",
  "according to Jane Doe" (full names);
- a people-search record header or a sentence about the person: "Jane Doe, Age 38",
  "Jane Doe (38)", "Jane Doe, 38, of Springfield", "Jane Doe was born …", "Jane Doe lives
  in …", "Jane Doe works at …", "Jane Doe said …", and an email display name: "Jane Doe
  <jane@example.com>" (full names only before an age, a reporting verb or an email:
  "Minimum age 21" names nobody, nor "Police said");
- the recipient line of an address block, and the head of a contact card or résumé
  (name_blocks.py).
Values are the name without its honorific, whitespace collapsed. A name's shape and the
words that are not names are in name_words.py.

Every pattern has bounded repetition and each scan moves forward: linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from scanner.extract.base import FIELD_END, Extracted, is_field, make, word_cue, words
from scanner.extract.name_blocks import find_card_names, find_names_above
from scanner.extract.name_prose import find_prose_names
from scanner.extract.name_words import (
    HONORIFICS,
    OPT_HONORIFIC,
    UPPER,
    clean_name,
    name_pattern,
)
from scanner.extract.relatives import find_relatives, listed
from scanner.models import Kind

__all__ = ["UPPER", "find_names", "find_names_above", "find_real_names", "find_relatives"]

# --- real names after a cue ------------------------------------------------------------

_END = r"(?=[ \t]*(?:$|[\n,;(<|/]|\.(?:\s|$)|[ \t]-|  ))"
_FIELD_WORDS = words(
    "full legal real first last middle given family maiden birth preferred patient applicant "
    "insured customer client member employee student holder owner tenant contact subscriber "
    "cardholder beneficiary borrower sender recipient guardian spouse parent user person "
    "your my his her"
)
FIELD_LABELS = words(
    "name surname forename firstname lastname patient applicant prescriber physician doctor "
    "author student employee tenant spouse guardian receiver recipient beneficiary "
    "policyholder claimant plaintiff defendant witness deceased decedent guarantor "
    "cardholder subscriber attendee participant passenger guest occupant signatory user "
    "contact customer shipper consignee agent representative caller requester requestor "
    "assignee reporter nombre apellido apellidos titular paciente cliente solicitante "
    "destinatario remitente to from cc bcc"
)
_FIELD = re.compile(
    word_cue(
        *(word + r"[ \t]+name" for word in _FIELD_WORDS),
        r"account[ \t]+holder[ \t]+name",
        r"(?:ordering|referring|attending)[ \t]+(?:physician|provider|doctor)",
        r"support[ \t]+agent",
        r"emergency[ \t]+contact",
        r"next[ \t]+of[ \t]+kin",
        r"nombre[ \t]+completo",
        r"nombre[ \t]+y[ \t]+apellidos",
        *FIELD_LABELS,
    )
    + FIELD_END
    + OPT_HONORIFIC
    + name_pattern(1)
    + _END,
    re.MULTILINE,
)
_SINGLE_OK = re.compile(r"(?i:first|last|given|family|sur|fore|maiden|middle|apellido)")
_TITLED = re.compile(
    word_cue(*HONORIFICS, ignore_case=False) + r"(?!\w)\.? " + name_pattern(1) + r"(?![\w'’-])"
)
# Titles of office and rank written before a full name: "Senator Jane Doe", "Sgt. Jane Doe".
OFFICE_TITLES = words(
    "Senator Sen Representative Rep Governor Gov Mayor Judge Justice Officer Sergeant Sgt "
    "Captain Capt Lieutenant Lt Detective Det Sheriff Trooper Inspector Constable Coach "
    "Pastor Rabbi Imam Father Fr Sister Secretary President Chancellor Commissioner "
    "Councilman Councilwoman Councilmember Alderman"
)
# Occupations written in apposition before a full name: "poet Jane Doe".
APPOSITIVES = words(
    "poet author novelist writer journalist reporter columnist editor publisher actor "
    "actress singer songwriter rapper musician composer artist painter sculptor "
    "photographer filmmaker director producer playwright comedian historian economist "
    "scientist physicist chemist biologist professor researcher lawyer attorney "
    "spokesperson spokesman spokeswoman coach player quarterback goalkeeper pitcher "
    "senator congressman congresswoman lawmaker candidate"
)
_OFFICE = re.compile(
    word_cue(*OFFICE_TITLES, ignore_case=False) + r"(?!\w)\.? " + name_pattern(2) + r"(?![\w'’-])"
)
_APPOSITIVE = re.compile(
    word_cue(*APPOSITIVES, ignore_case=False) + r"(?!\w) " + name_pattern(2) + r"(?![\w'’-])"
)
_GREETING = re.compile(
    word_cue(
        "Dear",
        "Hi",
        "Hello",
        "Hey",
        "Greetings",
        "Attn",
        "Attention",
        r"Good[ \t]+(?:morning|afternoon|evening)",
        "Hola",
        "Estimado",
        "Estimada",
        "Querido",
        "Querida",
        r"Buenos[ \t]+días",
        r"Buenas[ \t]+tardes",
        ignore_case=False,
    )
    + r"(?!\w):?,?[ \t]+"
    + OPT_HONORIFIC
    + name_pattern(1)
    + r"(?=[ \t]*(?:[,:!\n—–]|\.(?:\s|$)|$))",
    re.MULTILINE,
)
_SIGN_OFF = re.compile(
    word_cue(
        "sincerely",
        "regards",
        r"(?:best|kind|warm|with)[ \t]+regards",
        r"best[ \t]+wishes",
        r"all[ \t]+the[ \t]+best",
        "cheers",
        "thanks",
        r"thank[ \t]+you",
        r"many[ \t]+thanks",
        r"yours(?:[ \t]+(?:truly|sincerely|faithfully))?",
        "respectfully",
        "warmly",
        "signed",
        "atentamente",
        "saludos",
        r"un[ \t]+saludo",
        "cordialmente",
        "gracias",
        r"muchas[ \t]+gracias",
        r"un[ \t]+abrazo",
    )
    + r"[ \t]*,?[ \t]*\n[ \t>]*"
    + OPT_HONORIFIC
    + name_pattern(1)
    + r"(?=[ \t]*(?:[,\n]|$))",
    re.MULTILINE,
)
_INTRO = re.compile(
    word_cue(
        r"my[ \t]+name[ \t]+is",
        r"my[ \t]+name's",
        r"my[ \t]+(?:full|real|legal)[ \t]+name[ \t]+is",
        r"i[ \t]+am[ \t]+called",
        r"they[ \t]+call[ \t]+me",
        r"(?:everyone|everybody|people|friends|family)[ \t]+calls?[ \t]+me",
        r"my[ \t]+friends[ \t]+call[ \t]+me",
        r"(?:you[ \t]+can|please|just)[ \t]+call[ \t]+me",
        r"i[ \t]+go[ \t]+by",
        r"me[ \t]+llamo",
        r"mi[ \t]+nombre[ \t]+es",
        r"what(?:'s|[ \t]+is)[ \t]+your[ \t]+name\?",
    )
    + r"[ \t]*\n?[ \t]*"
    + OPT_HONORIFIC
    + name_pattern(1)
    + r"(?![\w'’-])"
)
# "written by Jane Doe", "Directed by: Jane Doe": works and acts people sign.
_BY = re.compile(
    word_cue(
        r"(?:written|directed|posted|submitted|reported|signed|authored|created|composed"
        r"|performed|sung|narrated|edited|produced|photographed|painted|illustrated"
        r"|translated|prepared|reviewed|approved|referred|shared|uploaded|arranged|presented"
        r"|hosted|interviewed|founded|filed|completed)[ \t]+by"
    )
    + r"(?!\w)[ \t]*\**[ \t]*:?[ \t]*\**[ \t]*"
    + OPT_HONORIFIC
    + name_pattern(2)
    + r"(?![\w'’-])"
)
# Memorials and attributions name a person after them: "in loving memory of Jane Doe".
_ABOUT_PERSON = re.compile(
    word_cue(
        r"in[ \t]+(?:loving[ \t]+)?memory[ \t]+of",
        r"tribute[ \t]+to",
        r"rest[ \t]+in[ \t]+peace,?",
        r"according[ \t]+to",
        r"en[ \t]+memoria[ \t]+de",
    )
    + r"(?!\w)[ \t]*"
    + OPT_HONORIFIC
    + name_pattern(2)
    + r"(?![\w'’-])"
)
# What people-search records and biographies say right after a person's name: the name
# is looked for just before it.
_ABOUT_CUE = re.compile(
    r"(?P<full>"
    + word_cue(
        r"aged?[ \t]*:?[ \t]*\d{1,3}\b",
        r"(?:said|says|told|tells|wrote|writes|added|explained|recalled|noted|stated)\b",
    )
    + r"|\((?:age[ \t]*)?\d{1,3}\)"
    + r"|(?<=, )\d{1,3},[ \t]*(?:of|from|who)\b"  # "Jane Doe, 38, of Springfield"
    + r"|<[\w.+-]{1,64}@"  # "Jane Doe <jane@example.com>"
    + r")|"
    + word_cue(
        r"born\b",
        r"b\.[ \t]",
        r"(?:was|is)[ \t]+born\b",
        r"(?:lives|lived|resides|resided)[ \t]+(?:in|at|on)\b",
        r"currently[ \t]+(?:lives|resides)[ \t]+(?:in|at|on)\b",
        r"(?:works|worked)[ \t]+(?:at|for)\b",
        r"currently[ \t]+works[ \t]+(?:at|for)\b",
        r"is[ \t]+(?:married|engaged)[ \t]+to\b",
    )
)
ABOUT_BACK = 80  # characters before such a cue searched for the name
# The connector between name and cue: "Jane Doe, Age 38", "Jane Doe (born …", "Jane Doe was"
_CONNECTOR = re.compile(r"[ \t]*[,(]?[ \t]*\Z")
_NAME_BEFORE = re.compile(r"(?<![\w'’.-])" + OPT_HONORIFIC + name_pattern(1) + r"\Z")


def _about(text: str) -> Iterator[re.Match[str]]:
    """Names right before a cue such as "was born", "lives in", ", Age 38"."""
    floor = 0
    for cue in _ABOUT_CUE.finditer(text):
        connector = _CONNECTOR.search(text, max(floor, cue.start() - 8), cue.start())
        end = connector.start() if connector is not None else cue.start()
        m = _NAME_BEFORE.search(text, max(floor, end - ABOUT_BACK), end)
        floor = cue.start()
        if m is None:
            continue
        if cue.group("full") is not None and " " not in m.group("name"):
            continue  # "Jane Doe, Age 38" has a full name; "Minimum age 21" is not one
        yield m


def _refused(pattern: re.Pattern[str] | None, m: re.Match[str], text: str) -> bool:
    """Whether a cue's match is not a person's name after all."""
    if pattern is _FIELD:
        if not is_field(text, m) or not _person_field(text, m.start()):
            return True  # "Company Name:", "File name:"
        # "Name: Jane" is too thin; "First name: Jane" is fine
        return " " not in m.group("name").strip() and not _SINGLE_OK.match(m.group())
    if pattern is _SIGN_OFF:
        line_start = text.rfind("\n", max(0, m.start() - 40), m.start()) + 1
        if line_start == 0 and m.start() > 40:
            return True
        return bool(text[line_start : m.start()].strip(" \t>"))  # a sign-off starts its line
    return pattern is _TITLED and _is_address_word(text, m.start())


def _cued(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, name) for each name a cue introduces."""
    patterns = (_FIELD, _TITLED, _OFFICE, _APPOSITIVE, _GREETING, _SIGN_OFF, _INTRO, _BY)
    for pattern in (*patterns, _ABOUT_PERSON, None):
        matches = _about(text) if pattern is None else pattern.finditer(text)
        for m in matches:
            if _refused(pattern, m, text):
                continue
            cleaned = clean_name(m.group("name"))
            if cleaned is None:
                continue
            offset, name = cleaned
            start = m.start("name") + offset
            yield start, start + len(name), " ".join(name.split())


_WORD_BEFORE = re.compile(r"([^\W\d_]+)[ \t]*\**[ \t]*\Z")


def _person_field(text: str, start: int) -> bool:
    """Whether a "Name:" label at start names a person: no other word qualifies it, or a
    person word does ("Full name:", "Patient name:"), not "Company Name:"."""
    if text[start : start + 4].casefold() != "name":
        return True
    before = _WORD_BEFORE.search(text, max(0, start - 30), start)
    return before is None or before.group(1).casefold() in _FIELD_WORDS


def _is_address_word(text: str, start: int) -> bool:
    """True for "Dr" ending a street after a house number ("48 Elm Dr Springfield")."""
    if not text.startswith("Dr", start):
        return False
    before = text[max(0, start - 40) : start].split("\n")[-1].split()[-3:]
    return any(token.isdigit() for token in before)


def find_real_names(text: str) -> list[Extracted]:
    """Names that a cue (field label, honorific, greeting, record header…) introduces."""
    spans: dict[tuple[int, int], str] = {}
    for start, end, value in _cued(text):
        spans.setdefault((start, end), value)
    for start, end, value in find_prose_names(text):
        spans.setdefault((start, end), value)
    for kind, start, end, value in listed(text, set()):
        if kind is Kind.REAL_NAME:
            spans.setdefault((start, end), value)
    for card in find_card_names(text):
        spans.setdefault((card.start, card.end), card.value)
    # a name inside a longer one found by another cue is that name
    ordered = sorted(spans.items(), key=lambda item: (item[0][0], -item[0][1]))
    found: list[Extracted] = []
    reach = -1
    for (start, end), value in ordered:
        if end <= reach:
            continue
        reach = max(reach, end)
        found.append(make(Kind.REAL_NAME, value, text, start, end))
    return found


def find_names(text: str, subject_names: Iterable[str] = ()) -> list[Extracted]:
    """Relatives and real names, sorted by start."""
    found = find_relatives(text, subject_names) + find_real_names(text)
    return sorted(found, key=lambda e: (e.start, e.end, e.kind.value))
