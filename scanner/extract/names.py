"""People's names: relatives listed on people-search pages, and real names where a cue says so.

    find_relatives(text, subject_names=()) -> list[Extracted]   # Kind.RELATIVE
    find_real_names(text) -> list[Extracted]                     # Kind.REAL_NAME
    find_names(text, subject_names=()) -> list[Extracted]        # both, by start
    find_names_above(text, address_starts) -> list[Extracted]    # REAL_NAME, EMPLOYER

A capitalised pair of words is often not a name ("Main Street", "Acme Widgets"), so a name
is only taken where a cue makes it one; precision matters more than recall here.

- Relatives: the names listed after "Relatives:", "Possible relatives:", "Related to",
  "Associated persons:", "Associated people:", "Family members:" (or one of these alone on
  its line) up to a line or item that is not a name. Ages after a name ("Jane Doe, 62",
  "(Age 62)") are skipped. The subject's own names are not relatives. At most
  MAX_LIST_NAMES per section.
- Real names:
  - a person-name field: "Name:", "Full name:", "First name:", "Legal name:", "Patient:",
    "Applicant:", "Prescriber:", "Author:", "Student:" …, the name running to the end of
    the line or a delimiter (",", "(", "<", "|", two spaces), never into more prose;
  - "Also known as:", "AKA:", "Aliases:", "Other names:" lists (read like relatives);
  - an honorific: "Mr.", "Mrs.", "Ms.", "Dr.", "Prof." …, followed by one to four words;
  - a greeting or sign-off line: "Dear Jane Doe,", "Hi Jane,", "Sincerely,\\nJane Doe";
  - a self-introduction: "my name is Jane Doe", "What's your name? Jane Doe";
  - a signed act: "written by Jane Doe", "Directed by: Jane Doe" (two words at least);
  - a people-search record header or a sentence about the person: "Jane Doe, Age 38",
    "Jane Doe (38)", "Jane Doe was born …", "Jane Doe lives in …", "Jane Doe works at …",
    and an email display name: "Jane Doe <jane@example.com>" (full names only before an
    age or an email: "Minimum age 21" names nobody);
  - the recipient line of an address block (find_names_above, given where addresses
    start): "Jane Doe\n48 Elm Street…", or "Jane Doe\nAcme Widgets Inc\n48 Elm Street…"
    with the organisation line as an employer.
  Values are the name without its honorific, whitespace collapsed.

A name is 1-4 capitalised words (any alphabet: "Zoë", "Łukasz", "Ορέστης"), with middle
initials, particles ("van", "de", "bin") and Jr/Sr/II/III; "O'Brien", "Smith-Jones" and
shouted "TESTWELL" are words. Placeholders ("Not Listed", "Valued Customer") and
organisations ("Acme Holdings Inc") are not names.

Every pattern has bounded repetition and each scan moves forward: linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from scanner.extract.base import Extracted, make, word_cue, words
from scanner.models import Kind

MAX_LIST_NAMES = 30
SECTION_CHARS = 1_500  # how far a relatives / aliases section is read
MAX_ITEM_CHARS = 80  # longest list item read as a name

# Upper-case letters of the Latin, Greek and Cyrillic blocks: names are not only ASCII.
_UPPER_CHARS = "".join(c for c in map(chr, range(0x41, 0x530)) if c.isupper() and c.isalpha())
UPPER = "[" + re.escape(_UPPER_CHARS) + "]"
_LETTER = r"[^\W\d_]"
# "Avery", "McDonald", "O'Brien", "Smith-Jones", "TESTWELL" (people-search pages shout)
_WORD = (
    UPPER
    + r"(?:['’]"
    + UPPER
    + r")?"
    + _LETTER
    + r"{1,24}(?:-"
    + UPPER
    + _LETTER
    + r"{1,24})?(?![\w'’])"
)
_INITIAL = UPPER + r"(?:\.|(?![\w'’]))"
_PARTICLE = r"(?:van|von|der|den|de|da|del|della|di|du|dos|das|la|le|bin|ibn|al|ter|ten)"
_JOIN = r" {1,2}(?:" + _PARTICLE + r" ){0,2}"
_SUFFIX = r"(?:,? (?:Jr|Sr|II|III|IV)\b\.?)?"


def _name(min_words: int) -> str:
    """A name of min_words..4 words (initials besides)."""
    more = max(0, min_words - 1)
    return (
        r"(?P<name>"
        + _WORD
        + r"(?:"
        + _JOIN
        + r"(?:"
        + _WORD
        + r"|"
        + _INITIAL
        + r")){"
        + str(more)
        + r",4}"
        + _SUFFIX
        + r")"
    )


NAME = re.compile(_name(2))
_HONORIFICS = words("Mr Mrs Ms Miss Mx Dr Prof Professor Rev Sir Dame Mme Mlle Herr Frau")
_HONORIFIC = r"(?:" + "|".join(_HONORIFICS) + r")"
_OPT_HONORIFIC = r"(?:" + _HONORIFIC + r"\.? )?"

# Capitalised words that are not names, or not of a person, when a cue is followed by them.
NOT_NAMES = words(
    """the a an this that these those my your his her our their its he she it they we i you
    who what when where why how everyone everybody someone somebody anyone nobody all any
    sir madam madame sirs team customer customers valued friend friends colleague colleagues
    member members user users patient patients client clients there here hello hi hey dear
    thanks thank regards sincerely best cheers mom mum dad mother father brother sister
    grandma grandpa aunt uncle son daughter wife husband unknown none n/a na redacted private
    anonymous admin administrator support staff manager hiring applicant candidate owner
    resident occupant sender recipient not no yes available listed view more see click
    details name names first last full record records report profile result results search
    phone email address age date birth born lives works is was will has have had and or
    but on in at for to from of by with about after before today tomorrow yesterday world
    god everyone ok okay please welcome congratulations happy good morning afternoon
    evening night new old unlisted withheld confidential same above below other others
    monday tuesday wednesday thursday friday saturday sunday"""
)
# Words that end the name of an organisation or a place, not a person.
ORG_WORDS = words(
    """inc incorporated llc ltd limited corp corporation co company companies group holdings
    bank partners associates foundation trust fund agency services service solutions
    systems technologies technology labs laboratories industries international consulting
    insurance hospital clinic center centre health healthcare medical pharmacy university
    college school academy institute department office council committee association
    society church county city state street avenue road lane drive boulevard court
    district ministry club team store shop restaurant cafe hotel motel studio studios
    media news press network networks"""
)

# --- lists: relatives and aliases ------------------------------------------------------

_LIST_LABEL = re.compile(
    word_cue(
        r"(?:possible|potential|known)[ \t]+relatives",
        r"relatives(?:[ \t]+include)?",
        r"associated[ \t]+(?:persons|people|names|individuals)",
        r"(?:family|household)[ \t]+members",
        r"related[ \t]+to",
        r"also[ \t]+known[ \t]+as",
        r"known[ \t]+as",
        "aka",
        r"a\.k\.a\.?",
        r"alias(?:es)?",
        r"(?:other|previous)[ \t]+names",
        r"name[ \t]+variations",
    )
    + r"(?![\w.])(?P<colon>[ \t]*:)?[ \t]*"
)
# Labels that need no colon when capitalised ("Related to Jane Doe"), or alone on a line.
_BARE_LABEL = re.compile(
    r"(?:Possible|Potential)[ \t]+relatives|Relatives[ \t]+include|Related[ \t]+to"
    r"|Associated[ \t]+(?:persons|people)|Family[ \t]+members|Also[ \t]+known[ \t]+as"
)
_ALIAS_LABEL = re.compile(
    r"(?i:(?:also[ \t]+)?known[ \t]+as|aka|a\.k\.a\.?|alias(?:es)?|other[ \t]+names"
    r"|previous[ \t]+names|name[ \t]+variations)"
)
_ITEM_SPLIT = re.compile(r"[ \t]*(?:[,;|·•/]|\band\b|&)[ \t]*|[ \t]*\n[ \t]*[-*•]?[ \t]*")
_AGE_ITEM = re.compile(r"\(?(?:age[ \t]*:?[ \t]*)?\d{1,3}\)?", re.IGNORECASE)
_TRAILING_AGE = re.compile(r"[ \t]*[,(]?[ \t]*(?:age[ \t]*:?[ \t]*)?\d{1,3}\)?$", re.IGNORECASE)
_LIST_NAME = re.compile(_name(2))
_SENTENCE_END = re.compile(r"(?<=[^\W\d_]{2})\.(?=\s|$)")

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
    "contact"
)
_FIELD = re.compile(
    word_cue(
        *(word + r"[ \t]+name" for word in _FIELD_WORDS),
        r"account[ \t]+holder[ \t]+name",
        r"(?:ordering|referring|attending)[ \t]+(?:physician|provider|doctor)",
        *FIELD_LABELS,
    )
    + r"(?!\w)[ \t]*\**[ \t]*:[ \t]*\**[ \t]*\n?[ \t]*"
    + _OPT_HONORIFIC
    + _name(1)
    + _END,
    re.MULTILINE,
)
_SINGLE_OK = re.compile(r"(?i:first|last|given|family|sur|fore|maiden|middle)")
_TITLED = re.compile(
    word_cue(*_HONORIFICS, ignore_case=False) + r"(?!\w)\.? " + _name(1) + r"(?![\w'’-])"
)
_GREETING = re.compile(
    word_cue("Dear", "Hi", "Hello", "Hey", "Greetings", "Attn", "Attention", ignore_case=False)
    + r"(?!\w):?,?[ \t]+"
    + _OPT_HONORIFIC
    + _name(1)
    + r"(?=[ \t]*(?:[,:!\n—–]|$))",
    re.MULTILINE,
)
_SIGN_OFF = re.compile(
    word_cue(
        "sincerely", "regards", r"(?:best|kind|warm|with)[ \t]+regards", r"best[ \t]+wishes",
        r"all[ \t]+the[ \t]+best", "cheers", "thanks", r"thank[ \t]+you", r"many[ \t]+thanks",
        r"yours(?:[ \t]+(?:truly|sincerely|faithfully))?", "respectfully", "warmly", "signed",
    )
    + r"[ \t]*,?[ \t]*\n[ \t>]*"
    + _OPT_HONORIFIC
    + _name(1)
    + r"(?=[ \t]*(?:[,\n]|$))",
    re.MULTILINE,
)  # fmt: skip
_INTRO = re.compile(
    word_cue(
        r"my[ \t]+name[ \t]+is",
        r"my[ \t]+name's",
        r"i[ \t]+am[ \t]+called",
        r"they[ \t]+call[ \t]+me",
        r"what(?:'s|[ \t]+is)[ \t]+your[ \t]+name\?",
    )
    + r"[ \t]*\n?[ \t]*"
    + _OPT_HONORIFIC
    + _name(1)
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
    + _OPT_HONORIFIC
    + _name(2)
    + r"(?![\w'’-])"
)
# What people-search records and biographies say right after a person's name: the name
# is looked for just before it.
_ABOUT_CUE = re.compile(
    word_cue(
        r"aged?[ \t]*:?[ \t]*\d{1,3}\b",
        r"born\b",
        r"b\.[ \t]",
        r"(?:was|is)[ \t]+born\b",
        r"(?:lives|lived|resides|resided)[ \t]+(?:in|at|on)\b",
        r"currently[ \t]+(?:lives|resides)[ \t]+(?:in|at|on)\b",
        r"(?:works|worked)[ \t]+(?:at|for)\b",
        r"currently[ \t]+works[ \t]+(?:at|for)\b",
        r"is[ \t]+(?:married|engaged)[ \t]+to\b",
    )
    + r"|\((?:age[ \t]*)?\d{1,3}\)"
    + r"|<[\w.+-]{1,64}@"  # "Jane Doe <jane@example.com>"
)
ABOUT_BACK = 80  # characters before such a cue searched for the name
# The connector between name and cue: "Jane Doe, Age 38", "Jane Doe (born …", "Jane Doe was"
_CONNECTOR = re.compile(r"[ \t]*[,(]?[ \t]*\Z")
_NAME_BEFORE = re.compile(r"(?<![\w'’.-])" + _OPT_HONORIFIC + _name(1) + r"\Z")


def _words(name: str) -> list[str]:
    return [w.strip(".,").casefold() for w in name.split()]


def _clean(name: str) -> tuple[int, str] | None:
    """(offset of the kept part, kept name): leading non-name words dropped, or None."""
    tokens = list(re.finditer(r"\S+", name))
    while tokens and tokens[0].group().strip(".,").casefold() in NOT_NAMES:
        tokens = tokens[1:]
    if not tokens:
        return None
    kept = {t.group().strip(".,").casefold() for t in tokens}
    if kept & NOT_NAMES or kept & ORG_WORDS:
        return None
    return tokens[0].start(), name[tokens[0].start() :].rstrip(" ,")


def _is_listed_name(item: str, subject: set[str]) -> bool:
    if not _LIST_NAME.fullmatch(item):
        return False
    words = set(_words(item))
    if words & NOT_NAMES or words & ORG_WORDS:
        return False
    return " ".join(item.split()).casefold() not in subject


def _section_items(text: str, start: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each list item after a list label, up to a blank line. An item
    longer than MAX_ITEM_CHARS is cut there: it is no name, and reading on would cost."""
    end = min(len(text), start + SECTION_CHARS)
    blank = text.find("\n\n", start + 1, end)
    end = blank if blank >= 0 else end
    pos = start
    while True:
        sep = _ITEM_SPLIT.search(text, pos, min(end, pos + MAX_ITEM_CHARS))
        if sep is None:
            yield pos, min(end, pos + MAX_ITEM_CHARS)
            return
        yield pos, sep.start()
        pos = sep.end()


def _listed(text: str, subject: set[str]) -> Iterator[tuple[Kind, int, int, str]]:
    """(kind, start, end, name) for each name in a relatives or aliases list."""
    floor = 0
    for label in _LIST_LABEL.finditer(text):
        if label.start() < floor:
            continue  # inside the section just read
        word = text[label.start() : label.end()].rstrip(" \t:")
        if not (
            label.group("colon")
            or _BARE_LABEL.fullmatch(word)
            or _alone_on_line(text, label.start(), label.end())
        ):
            continue
        kind = Kind.REAL_NAME if _ALIAS_LABEL.fullmatch(word) else Kind.RELATIVE
        count = 0
        for lo, hi in _section_items(text, label.end()):
            floor = hi
            item = text[lo:hi]
            stripped = item.strip()
            if not stripped or _AGE_ITEM.fullmatch(stripped):
                continue  # an empty item, or the previous name's age
            sentence = _SENTENCE_END.search(stripped)
            if sentence is not None:
                stripped = stripped[: sentence.start()]  # "… Casey Sample. Lives in …"
            name = _TRAILING_AGE.sub("", stripped)
            if not _LIST_NAME.fullmatch(name):
                floor = lo  # the section ended: another label may start this item
                break
            if _is_listed_name(name, subject if kind is Kind.RELATIVE else set()):
                start = lo + item.index(name)
                yield kind, start, start + len(name), " ".join(name.split())
                count += 1
            if count >= MAX_LIST_NAMES or sentence is not None:
                break


def _alone_on_line(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is all its line holds, besides spaces."""
    line_start = text.rfind("\n", max(0, start - 200), start) + 1
    if line_start == 0 and start > 200:
        return False
    return not text[line_start:start].strip() and end >= _line_end(text, end)


def _line_end(text: str, start: int, limit: int = 200) -> int:
    """The end of the line at start, looked for at most limit characters ahead."""
    newline = text.find("\n", start, start + limit)
    return newline if newline >= 0 else min(len(text), start + limit)


def find_relatives(text: str, subject_names: Iterable[str] = ()) -> list[Extracted]:
    """Names listed in relatives / associated-persons sections, not the subject's own."""
    subject = {" ".join(n.split()).casefold() for n in subject_names}
    return [
        make(kind, value, text, start, end)
        for kind, start, end, value in _listed(text, subject)
        if kind is Kind.RELATIVE
    ]


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
        if cue.group()[0] in "aA(<" and " " not in m.group("name"):
            continue  # "Jane Doe, Age 38" has a full name; "Minimum age 21" is not one
        yield m


def _refused(pattern: re.Pattern[str] | None, m: re.Match[str], text: str) -> bool:
    """Whether a cue's match is not a person's name after all."""
    if pattern is _FIELD:
        if not _person_field(text, m.start()):
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
    for pattern in (_FIELD, _TITLED, _GREETING, _SIGN_OFF, _INTRO, _BY, None):
        matches = _about(text) if pattern is None else pattern.finditer(text)
        for m in matches:
            if _refused(pattern, m, text):
                continue
            cleaned = _clean(m.group("name"))
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
    for kind, start, end, value in _listed(text, set()):
        if kind is Kind.REAL_NAME:
            spans.setdefault((start, end), value)
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


_LINE_NAME = re.compile(r"[ \t>]*" + _OPT_HONORIFIC + _name(2) + r"[ \t]*")
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


def find_names_above(text: str, starts: Iterable[int]) -> list[Extracted]:
    """The recipient of an address block: a name on the line above an address (which
    starts its line), or a name above an organisation above it ("Jane Doe\nAcme Widgets
    Inc\n48 Elm Street…"): Kind.REAL_NAME, and Kind.EMPLOYER for the organisation."""
    found: list[Extracted] = []
    for start in starts:
        line_start = text.rfind("\n", max(0, start - 40), start) + 1
        if (line_start == 0 and start > 40) or text[line_start:start].strip(" \t>"):
            continue  # the address does not start its line
        above = _line_above(text, line_start)
        if above is None:
            continue
        org = None
        name = _LINE_NAME.fullmatch(text, *above)
        if name is None or _clean(name.group("name")) is None:
            org = _LINE_ORG.fullmatch(text, *above)
            higher = _line_above(text, above[0]) if org is not None else None
            name = _LINE_NAME.fullmatch(text, *higher) if higher is not None else None
            if name is None or _clean(name.group("name")) is None:
                continue
        cleaned = _clean(name.group("name"))
        if cleaned is None:
            continue
        offset, value = cleaned
        begin = name.start("name") + offset
        found.append(make(Kind.REAL_NAME, " ".join(value.split()), text, begin,
                          begin + len(value)))  # fmt: skip
        if org is not None:
            org_value = " ".join(org.group("org").split())
            found.append(make(Kind.EMPLOYER, org_value, text, org.start("org"), org.end("org")))
    return found


def find_names(text: str, subject_names: Iterable[str] = ()) -> list[Extracted]:
    """Relatives and real names, sorted by start."""
    found = find_relatives(text, subject_names) + find_real_names(text)
    return sorted(found, key=lambda e: (e.start, e.end, e.kind.value))
