"""Relatives listed on people-search pages, and lists of other names (aliases).

    find_relatives(text, subject_names=()) -> list[Extracted]   # Kind.RELATIVE
    listed(text, subject) -> (kind, start, end, name) for relatives and aliases

The names listed after "Relatives:", "Possible relatives:", "Related to", "Associated
persons:", "Associated people:", "Family members:" (or one of these alone on its line) up
to a line or item that is not a name. Ages after a name ("Jane Doe, 62", "(Age 62)") are
skipped. The subject's own names are not relatives. At most MAX_LIST_NAMES per section.
"Also known as:", "AKA:", "Aliases:", "Other names:" lists are read the same way, as
real names. The labels are those people-search pages and forms use, never the phrasing of
a labelled data set.

Every pattern has bounded repetition and each scan moves forward: linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from scanner.extract.addresses_us import state_code
from scanner.extract.base import Extracted, make, word_cue
from scanner.extract.name_words import NOT_NAMES, ORG_WORDS, lowered_words, name_pattern
from scanner.models import Kind

MAX_LIST_NAMES = 30
SECTION_CHARS = 1_500  # how far a relatives / aliases section is read
MAX_ITEM_CHARS = 80  # longest list item read as a name

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
_LIST_NAME = re.compile(name_pattern(2))
# what follows a city in a list item: ", MI" or ", Michigan 48104" (then the item ends)
_AFTER_CITY = re.compile(
    r"[ \t]*,[ \t]*(?P<state>[A-Za-z][A-Za-z. ]{1,19}?)(?:[ \t]+\d{5})?[ \t]*(?:$|[\n,;|·•(])",
    re.MULTILINE,
)
_SENTENCE_END = re.compile(r"(?<=[^\W\d_]{2})\.(?=\s|$)")


def _is_listedname_pattern(item: str, subject: set[str]) -> bool:
    if not _LIST_NAME.fullmatch(item):
        return False
    words = set(lowered_words(item))
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


def listed(text: str, subject: set[str]) -> Iterator[tuple[Kind, int, int, str]]:
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
        state_next = False
        for lo, hi in _section_items(text, label.end()):
            floor = hi
            item = text[lo:hi]
            stripped = item.strip()
            if not stripped or _AGE_ITEM.fullmatch(stripped):
                continue  # an empty item, or the previous name's age
            if state_next:
                state_next = False
                continue  # the state after the previous name's city
            if _city_of_the_last(text, hi):
                state_next = True
                continue  # "Casey Sample, 63, Ann Arbor, MI": Casey's city, no name
            sentence = _SENTENCE_END.search(stripped)
            if sentence is not None:
                stripped = stripped[: sentence.start()]  # "… Casey Sample. Lives in …"
            name = _TRAILING_AGE.sub("", stripped)
            if not _LIST_NAME.fullmatch(name):
                floor = lo  # the section ended: another label may start this item
                break
            if _is_listedname_pattern(name, subject if kind is Kind.RELATIVE else set()):
                start = lo + item.index(name)
                yield kind, start, start + len(name), " ".join(name.split())
                count += 1
            if count >= MAX_LIST_NAMES or sentence is not None:
                break


def _city_of_the_last(text: str, end: int) -> bool:
    """Whether the list item ending at `end` is followed by a US state, as a city is.

    When that state is itself followed by one, it was a city ("Casey Sample, New York, NY").
    """
    after = _AFTER_CITY.match(text, end)
    if after is None or state_code(after.group("state")) is None:
        return False
    again = _AFTER_CITY.match(text, after.end("state"))
    return again is None or state_code(again.group("state")) is None


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
        for kind, start, end, value in listed(text, subject)
        if kind is Kind.RELATIVE
    ]
