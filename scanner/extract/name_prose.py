"""Names that the grammar of a sentence or the shape of a conversation gives away.

    find_prose_names(text) -> Iterator[(start, end, name)]

Each cue is a construction whose slot only a person fills, taken from how people write
(letters, chat logs, interview transcripts, forms, obituaries, Spanish prose), never from
the phrasing of a labelled data set:

- kin and close people: a possessive before a kin noun ("Jane's husband", "Ana's
  kids"), a kin noun in apposition after a possessive pronoun ("my wife Ana", "her
  best friend, Jane Doe", "mi esposa Ana"), Spanish "de" ("la hija de Ana");
- a person predicated of a name: "Jane is a kind person", "Tom was a quiet man";
- a shouted or whispered remark from one name at another: "Jane shouted at Tom" (both
  sides are read; a verb of voice, not "told", which companies do too);
- a designation on an account or a will: "add Jane Doe as a beneficiary", "named Tom
  Roe as executor", "appoint Ana Ruiz as my power of attorney";
- a chat log or transcript: two or more consecutive lines "Jane: Did you call?" with
  different speakers, at least one line conversational (I / you / we, or a question or
  exclamation); a name addressed in such a line ("Remember me, Kelly?") too;
Names pass clean_name (name_words.py): "Police shouted at …", "my mother Earth" and
organisations are refused.

Every pattern has bounded repetition and each scan moves forward: linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from scanner.extract.base import word_cue, words
from scanner.extract.name_words import (
    KIN_NOUNS,
    KIN_NOUNS_ES,
    KIN_PLURALS,
    OPT_HONORIFIC,
    clean_name,
    lowered_words,
    name_pattern,
)

Span = tuple[int, int, str]
# Words before a kin noun: "my late husband", "her best friend", "his younger brother".
_KIN_ADJECTIVES = (
    r"(?:(?:late|dear|beloved|eldest|oldest|youngest|younger|older|elder|little|big|baby"
    r"|twin|best|new|ex|former|only|step)[ \t-]+){0,2}"
)
# People close to someone, for the apposition only ("my boss Jane"; "Tesla's boss" and
# "Israel's neighbour" are not kin).
_CLOSE = words("friend boss neighbor neighbour roommate flatmate coworker co-worker classmate")


def _any_of(options: frozenset[str]) -> str:
    """A regex for any of the words, longest first."""
    return "(?:" + "|".join(sorted(options, key=len, reverse=True)) + ")"


_CLOSE_ES = words("amigo amiga jefe jefa vecino vecina")
_AFTER_NAME = r"(?![\w'’-])"
# "Jane's husband", "Tom Roe's daughter": the cue, then the name just before it
_POSSESSIVE = re.compile(r"['’]s[ \t]+" + _KIN_ADJECTIVES + _any_of(KIN_NOUNS) + _AFTER_NAME)
_NAME_BEFORE = re.compile(r"(?<![\w'’.-])" + OPT_HONORIFIC + name_pattern(1) + r"\Z")
# "my wife Ana", "her best friend, Jane Doe", "mi esposa Ana", "la hija de Ana"
_APPOSITION = re.compile(
    word_cue(
        r"(?:my|his|her|our|their|your)[ \t]+"
        + _KIN_ADJECTIVES
        + _any_of(KIN_NOUNS | KIN_PLURALS | _CLOSE)
        + r"[ \t]*,?",
        r"(?:mi|su|tu|nuestro|nuestra)[ \t]+" + _any_of(KIN_NOUNS_ES | _CLOSE_ES) + r"[ \t]*,?",
        r"(?:el|la|los|las)[ \t]+" + _any_of(KIN_NOUNS_ES) + r"[ \t]+de",
    )
    + r"[ \t]+"
    + OPT_HONORIFIC
    + name_pattern(1)
    + _AFTER_NAME
)
_PERSON_NOUNS = words("person man woman guy gal girl boy lady gentleman kid soul human")
# "Jane is a kind person", "Tom was such a generous man": the cue, then the name before it
_PREDICATED = re.compile(
    word_cue(
        r"(?:is|was)[ \t]+(?:such[ \t]+)?(?:a|an)[ \t]+(?:[a-z-]{2,20}[ \t]+){0,3}"
        + _any_of(_PERSON_NOUNS),
        ignore_case=False,
    )
    + _AFTER_NAME
)
_VOICE = re.compile(
    word_cue(
        r"(?:shouted|shouts|yelled|yells|screamed|screams|whispered|whispers|hollered"
        r"|muttered|snapped|growled|sneered|winked|smiled|grinned|glared)[ \t]+at",
        ignore_case=False,
    )
    + r"[ \t]+(?=\S)"
)
_NAME_AT = re.compile(OPT_HONORIFIC + name_pattern(1) + _AFTER_NAME)
_ROLES = (
    r"(?:(?:primary|secondary|contingent|joint|sole|alternate|successor)[ \t]+)?"
    r"(?:beneficiary|beneficiaries|authori[sz]ed[ \t]+user|co-?signer|co-?applicant"
    r"|joint[ \t]+(?:owner|account[ \t]+holder)|emergency[ \t]+contact|dependent"
    r"|dependant|executor|executrix|trustee|guardian|power[ \t]+of[ \t]+attorney"
    r"|next[ \t]+of[ \t]+kin|godparent|godmother|godfather)"
)
# "add Jane Doe as a beneficiary", "named Tom Roe as executor"
_DESIGNATED = re.compile(
    word_cue(
        r"(?:add|adds|added|adding|name|names|named|naming|list|listed|designate|designated"
        r"|designating|appoint|appointed|appointing|nominate|nominated)[ \t]+"
    )
    + OPT_HONORIFIC
    + name_pattern(1)
    + r"[ \t]+as[ \t]+(?:(?:a|an|the|my|our|his|her|their)[ \t]+)?"
    + _ROLES
    + _AFTER_NAME
)
# "Jane: Did you call?" — a speaker's line in a chat log or transcript.
_SPEAKER = re.compile(
    r"(?m:^)[ \t]*" + name_pattern(1) + r"[ \t]*:[ \t]+(?P<said>[\"“'‘(¿¡]?[^\W\d_][^\n]{0,300})$",
    re.MULTILINE,
)
MAX_SPEAKER_WORDS = 3
BACK = 80  # characters before a cue searched for the name it follows
# Speakers named by their part in a transcript or chat, not by name.
SPEAKER_ROLES = words(
    """interviewer interviewee host moderator narrator speaker caller operator agent
    customer user assistant bot system admin reporter anchor judge witness counsel"""
)
# Words of the labels that head lines in forms, emails and notes ("Subject: …", "Plan:
# …"): a run of such lines is not a conversation. Not-name words (NOT_NAMES) are refused
# by clean_name already.
LINE_LABELS = words(
    """subject re fw fwd cc bcc question answer plan assessment diagnosis status update
    warning caution tip tips step example source reason comment comments description
    title price total cost employer company location city state country occupation job
    position education school hometown bio interests hobbies languages skills objective
    goal topic category tags type reference attachment regarding attendees agenda
    instructions directions ingredients note disclaimer update edit correction"""
)
_CHATTY = re.compile(r"(?i:\b(?:i|i'm|i’m|me|my|you|your|we|us|our)\b)|[?!][\"”'’)]*[ \t]*$")
# "Remember me, Kelly?" — a name addressed at the end of a spoken clause
_ADDRESSED = re.compile(r"(?<!\w)(?:me|you|us),[ \t]+" + name_pattern(1) + r"(?=[ \t]*[?!])")


def _cleaned(m: re.Match[str]) -> Span | None:
    """(start, end, name) of m's name group after clean_name, or None."""
    return _at(m.group("name"), m.start("name"))


def _at(raw: str, start: int) -> Span | None:
    cleaned = clean_name(raw)
    if cleaned is None:
        return None
    offset, name = cleaned
    begin = start + offset
    return begin, begin + len(name), " ".join(name.split())


def _name_before(text: str, floor: int, end: int) -> Span | None:
    """The name ending right at end (spaces before end aside), or None."""
    while end > floor and text[end - 1] in " \t":
        end -= 1
    m = _NAME_BEFORE.search(text, max(floor, end - BACK), end)
    return None if m is None else _cleaned(m)


def _before_cues(text: str, pattern: re.Pattern[str]) -> Iterator[Span]:
    """The name right before each match of pattern ("Jane" of "Jane's husband")."""
    floor = 0
    for cue in pattern.finditer(text):
        found = _name_before(text, floor, cue.start())
        floor = cue.end()
        if found is not None:
            yield found


def _voices(text: str) -> Iterator[Span]:
    """Both names of "Jane shouted at Tom" (never one side alone)."""
    floor = 0
    for cue in _VOICE.finditer(text):
        before = _name_before(text, floor, cue.start())
        after = _NAME_AT.match(text, cue.end())
        floor = cue.end()
        if before is not None and after is not None:
            target = _cleaned(after)
            if target is not None:
                yield before
                yield target


def _dialogue(text: str) -> Iterator[Span]:
    """The speakers of runs of consecutive speaker lines (see the module), and the names
    they address."""
    run: list[re.Match[str]] = []
    for line in _SPEAKER.finditer(text):
        if run and text[run[-1].end() : line.start()].strip():
            yield from _run(run)
            run = []
        run.append(line)
    yield from _run(run)


def _run(run: list[re.Match[str]]) -> Iterator[Span]:
    """The named speakers of one run of speaker lines, if it is a conversation."""
    named: list[tuple[re.Match[str], Span]] = []
    labels = set()
    for line in run:
        label = " ".join(line.group("name").split()).casefold()
        labels.add(label)
        if label in SPEAKER_ROLES:
            continue  # "Interviewer:", "Host:": a speaker, not a name
        speaker = _cleaned(line)
        if (
            speaker is None
            or len(speaker[2].split()) > MAX_SPEAKER_WORDS
            or set(lowered_words(label)) & LINE_LABELS
        ):
            return  # a form or notes ("Subject: …", "Plan: …"), not a conversation
        named.append((line, speaker))
    if len(labels) < 2 or not named or not any(_CHATTY.search(m.group("said")) for m in run):
        return
    for line, speaker in named:
        yield speaker
        said = line.group("said")
        for m in _ADDRESSED.finditer(said):
            addressed = _at(m.group("name"), line.start("said") + m.start("name"))
            if addressed is not None and len(addressed[2].split()) <= MAX_SPEAKER_WORDS:
                yield addressed


def find_prose_names(text: str) -> Iterator[Span]:
    """(start, end, name) for each name a construction of the module introduces."""
    for pattern in (_APPOSITION, _DESIGNATED):
        for m in pattern.finditer(text):
            found = _cleaned(m)
            if found is not None:
                yield found
    yield from _before_cues(text, _POSSESSIVE)
    yield from _before_cues(text, _PREDICATED)
    yield from _voices(text)
    yield from _dialogue(text)
