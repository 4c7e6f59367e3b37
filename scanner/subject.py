"""Is this page about the subject? Records, ties and namesakes on a fetched page.

    reading = read_page(text, items, profile)   # items: what the extractors found in text
    reading.records                              # one Record per mention of the name
    reading.facts()                              # (record, item) for the subject's records only

A page counts only when it ties a fact to the subject: the subject's name (or an alias)
together with a known identifier on the same record. The text is cut into records at each
mention of a name: a people-search page that lists "Jordan Testwell, 38, Springfield IL"
and "Jordan Testwell, 61, Portland OR" gives two records; a blog that names its author
once gives one. A record runs from its mention to the next one, at most REACH characters
(the first starts LEAD_IN before its mention); a mention on a delimited line (a dump or
table row: "Jordan Testwell | jordan@example.com | 217-555-0142") is a record of that line
alone, so the rows of other people in a paste are never read as the subject's.

A record is:

- "subject" when it shows one of the profile's emails, handles, phones or domains; or,
  when it gives no age that rules the subject out (the profile's birth_year), one of its
  cities (in the profile's state, when the record names any US state) or affiliations;
- "namesake" when nothing but a city or affiliation ties it and it gives an age or birth
  year that does not fit, or when nothing ties it and it names only places in other states
  (or a city of the profile in another state): someone else with the same name;
- "unclear" otherwise (a name and nothing to tell who it is); but an unclear record that
  names only states none of the page's strongly tied records is in is a namesake (a card in
  Oregon beside the subject's in Illinois), and a record tied only by a city that also
  names a namesake's state is unclear (a summary line naming everyone's cities).

Unclear records are read as the subject's when the page also holds a subject record and no
namesake (a blog that repeats its author's name in a footer); on a page that lists other
people they stay out, and count as possible other people with the subject's name.
Nothing here does I/O; every pattern is linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from scanner.correlate import US_STATES, state_code
from scanner.extract.base import Extracted
from scanner.identity import Identity, Tie, TieKind, find_ties
from scanner.identity import name_pattern as names_as_pattern
from scanner.models import Kind, Profile

RECORD_TIES = tuple(kind for kind in TieKind if kind is not TieKind.NAME)
REACH = 2_000  # a record ends this far after its mention of the name, at the latest
LEAD_IN = 200  # the first record starts this far before its mention (a heading, a label)
ROW_CHARS = 400  # a delimited line this long at most is one record ("name | email | phone")
_STATE_AFTER_CITY = (
    r"[ \t]*,?[ \t]*(?P<state>[A-Z]{2}\b|"
    + "|".join(re.escape(name.title()) for name in sorted(US_STATES, key=len, reverse=True))
    + r")"
)


class Standing(StrEnum):
    SUBJECT = "subject"
    NAMESAKE = "namesake"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Record:
    """One mention of the subject's name and the text up to the next one."""

    start: int
    end: int
    name: str  # the name as written on the page
    ties: tuple[Tie, ...]  # what on it is the subject's: an email, a phone, their city…
    states: tuple[str, ...]  # USPS codes of the US states the record names
    standing: Standing
    signature: str = ""  # what tells a namesake apart ("Portland, OR · age 61")

    def holds(self, item: Extracted) -> bool:
        return self.start <= item.start < self.end


@dataclass(frozen=True)
class Reading:
    records: tuple[Record, ...]
    items: tuple[Extracted, ...] = field(default=(), repr=False)

    @property
    def about_subject(self) -> bool:
        return any(r.standing is Standing.SUBJECT for r in self.records)

    def counted_as_subject(self) -> tuple[Record, ...]:
        """The records read as the subject's (unclear ones join them on a one-person page)."""
        if not self.about_subject:
            return ()
        others = any(r.standing is Standing.NAMESAKE for r in self.records)
        keep = (Standing.SUBJECT,) if others else (Standing.SUBJECT, Standing.UNCLEAR)
        return tuple(r for r in self.records if r.standing in keep)

    def namesakes(self) -> tuple[Record, ...]:
        """Records that are probably other people with the subject's name.

        A namesake record, and, on a page that lists other people, an unclear record that
        holds details of its own (a bare heading with the name is nobody).
        """
        mine = set(self.counted_as_subject())
        lists_people = any(r.standing is Standing.NAMESAKE for r in self.records)
        return tuple(
            r
            for r in self.records
            if r not in mine
            and (
                r.standing is Standing.NAMESAKE
                or (lists_people and any(r.holds(item) for item in self.items))
            )
        )

    def facts(self) -> list[tuple[Record, Extracted]]:
        """Every extracted item that sits in one of the subject's records."""
        mine = self.counted_as_subject()
        return [(r, item) for item in self.items for r in mine if r.holds(item)]

    def ties(self) -> tuple[Tie, ...]:
        return tuple(dict.fromkeys(t for r in self.counted_as_subject() for t in r.ties))


def name_pattern(profile: Profile) -> re.Pattern[str] | None:
    """The subject's names and aliases as the matcher reads them (identity.name_pattern)."""
    return names_as_pattern((*profile.names, *profile.aliases))


def read_page(text: str, items: Sequence[Extracted], profile: Profile) -> Reading:
    """Cut the page into records at each mention of the subject's name and judge each."""
    items = _not_relatives_details(text, items)
    pattern = name_pattern(profile)
    if pattern is None:
        return Reading((), tuple(items))
    mentions = [(m.start(), m.end(), m.group(0)) for m in pattern.finditer(text)]
    if not mentions:
        return Reading((), tuple(items))
    records = []
    for i, (start, end, name) in enumerate(mentions):
        lo, hi = _row(text, start, end) or _extent(text, mentions, i)
        inside = [item for item in items if lo <= item.start < hi]
        records.append(_judge(text[lo:hi], lo, hi, " ".join(name.split()), inside, profile))
    return Reading(_elsewhere(records, profile), tuple(items))


def _not_relatives_details(text: str, items: Sequence[Extracted]) -> list[Extracted]:
    """`items` without what follows a relative's name in its line or cell: in "Casey
    Testwell, 63, Portland, OR" under Relatives, the age and the city are Casey's."""
    spans = [(i.end, _cell_end(text, i.end)) for i in items if i.kind is Kind.RELATIVE]
    kept = []
    for item in items:
        theirs = any(lo <= item.start < hi for lo, hi in spans)
        if item.kind is Kind.RELATIVE or not theirs:
            kept.append(item)
    return kept


def _cell_end(text: str, start: int) -> int:
    """Where the line or table cell that `start` is in ends."""
    end = len(text)
    for mark in ("\n", "|", "\t"):
        found = text.find(mark, start)
        if found >= 0:
            end = min(end, found)
    return end


def _elsewhere(records: list[Record], profile: Profile) -> tuple[Record, ...]:
    """Judge records against the page's other records.

    An unclear record in states none of the page's strongly tied records are in is someone
    else: a card in Oregon beside the subject's card in Illinois. A record tied only by a
    city that also names the states of namesakes on the page mixes people (a summary line:
    "3 records: Madison, WI; Tucson, AZ"), so it is unclear: its other places may be theirs.
    """
    tied = [
        r for r in records if r.standing is Standing.SUBJECT and any(not t.weak for t in r.ties)
    ]
    where = {state for r in tied for state in r.states}
    judged = []
    for record in records:
        apart = record.states and not set(record.states) & where
        if where and record.standing is Standing.UNCLEAR and apart:
            record = replace(record, standing=Standing.NAMESAKE)
        judged.append(record)
    identity = Identity.from_profile(profile)
    mine = {known.region for known in identity.of(TieKind.CITY) if known.region}
    theirs = {state for r in judged if r.standing is Standing.NAMESAKE for state in r.states}
    for number, record in enumerate(judged):
        weak_only = record.standing is Standing.SUBJECT and all(t.weak for t in record.ties)
        if weak_only and (set(record.states) - mine) & theirs:
            judged[number] = replace(record, standing=Standing.UNCLEAR)
    return tuple(judged)


def _extent(text: str, mentions: Sequence[tuple[int, int, str]], i: int) -> tuple[int, int]:
    """From the mention (LEAD_IN earlier for the first) to the next one, at most REACH on."""
    start = mentions[i][0]
    lo = max(0, start - LEAD_IN) if i == 0 else start
    following = mentions[i + 1][0] if i + 1 < len(mentions) else len(text)
    return lo, min(following, start + REACH)


def _row(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The line around a mention when it is a row of a table or dump ("name | email | …")."""
    lo = text.rfind("\n", max(0, start - ROW_CHARS), start) + 1
    hi = text.find("\n", end, end + ROW_CHARS)
    if lo == 0 and start > ROW_CHARS:
        return None
    hi = len(text) if hi < 0 and len(text) - end <= ROW_CHARS else hi
    if hi < 0:
        return None
    line = text[lo:hi]
    cells = max(line.count("|"), line.count("\t"), line.count(";"))
    return (lo, hi) if cells >= 2 else None


def _judge(
    chunk: str, lo: int, hi: int, name: str, items: Sequence[Extracted], profile: Profile
) -> Record:
    states = _states(chunk, items)
    ties = _ties(chunk, items, profile, states)
    identity = Identity.from_profile(profile)
    mine = {known.region for known in identity.of(TieKind.CITY) if known.region}
    other_age = _other_age(items, profile)
    if any(not tie.weak for tie in ties) or (ties and not other_age):
        standing = Standing.SUBJECT
    elif other_age or (states and mine and not (set(states) & mine)):
        standing = Standing.NAMESAKE
    else:
        standing = Standing.UNCLEAR
    return Record(lo, hi, name, ties, states, standing, _signature(items, states))


def _ties(
    chunk: str, items: Sequence[Extracted], profile: Profile, states: Sequence[str]
) -> tuple[Tie, ...]:
    """What in the record ties it to the subject (identity.find_ties; the name is what
    starts a record, so it is not a tie here)."""
    phones = {item.value for item in items if item.kind is Kind.PHONE}
    return find_ties(
        chunk, Identity.from_profile(profile), kinds=RECORD_TIES, phones=phones, states=states
    )


def _other_age(items: Sequence[Extracted], profile: Profile) -> bool:
    """True when the record gives an age or birth year and none fits the profile's."""
    if profile.birth_year is None:
        return False
    expected = date.today().year - profile.birth_year
    seen: list[bool] = []
    for item in items:
        if item.kind is Kind.AGE and item.value.isdigit():
            seen.append(abs(int(item.value) - expected) <= 1)  # before or after the birthday
        elif item.kind is Kind.BIRTHDATE and item.value[:4].isdigit():
            seen.append(int(item.value[:4]) == profile.birth_year)
    return bool(seen) and not any(seen)


def _states(chunk: str, items: Iterable[Extracted]) -> tuple[str, ...]:
    """The US states a record names: in its addresses and places, or written "City, ST"."""
    found: list[str] = []
    for item in items:
        if item.kind in (Kind.HOME_ADDRESS, Kind.LOCATION):
            code = _state_in(item.value)
            if code:
                found.append(code)
    for m in re.finditer(r"(?<=[A-Za-z])[ \t]*," + _STATE_AFTER_CITY, chunk):
        code = state_code(m.group("state"))
        if code:
            found.append(code)
    return tuple(dict.fromkeys(found))


def _state_in(value: str) -> str:
    """The state of "… Springfield, IL 62704" or "Springfield, Illinois" ("" without one)."""
    for part in reversed([p.strip() for p in value.split(",")]):
        words = part.split()
        for size in (3, 2, 1):
            code = state_code(" ".join(words[:size]))
            if code:
                return code
    return ""


def _signature(items: Sequence[Extracted], states: Sequence[str]) -> str:
    places = [i.value for i in items if i.kind is Kind.LOCATION][:1] or list(states[:1])
    ages = [f"age {i.value}" for i in items if i.kind is Kind.AGE][:1]
    return " · ".join([*places, *ages])
