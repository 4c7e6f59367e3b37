"""The shapes of people's names, and the capitalised words that are not names.

A name is 1-4 capitalised words (any alphabet: "Zoë", "Łukasz", "Ορέστης"), with middle
initials, particles ("van", "de", "bin") and Jr/Sr/II/III; "O'Brien", "Smith-Jones" and
shouted "TESTWELL" are words. Placeholders ("Not Listed", "Valued Customer") and
organisations ("Acme Holdings Inc") are not names (clean_name).
"""

from __future__ import annotations

import re

from scanner.extract.base import words

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


def name_pattern(min_words: int) -> str:
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


NAME = re.compile(name_pattern(2))
HONORIFICS = words(
    "Mr Mrs Ms Miss Mx Dr Prof Professor Rev Sir Dame Mme Mlle Herr Frau Sra Srta Dra"
)
HONORIFIC = r"(?:" + "|".join(HONORIFICS) + r")"
OPT_HONORIFIC = r"(?:" + HONORIFIC + r"\.? )?"

# Nouns for kin and the people close to someone: "Jane's husband", "my wife Ana", "la
# esposa de Ana". Only people have them, so the name beside one is a person's. Plurals
# apart: "Canada's sons" is rhetoric, "my kids Ana and Tom" is not.
KIN_NOUNS = words(
    """wife husband spouse mother father mom mum dad mommy daddy son daughter kid child
    brother sister sibling grandmother grandfather grandma grandpa granny grandson
    granddaughter aunt uncle niece nephew cousin fiancé fiancée fiance fiancee boyfriend
    girlfriend widow widower stepson stepdaughter stepmother stepfather stepdad stepmom"""
)
KIN_PLURALS = words(
    "parents sons daughters kids children brothers sisters siblings grandchildren grandkids"
)
KIN_NOUNS_ES = words(
    """esposa esposo marido mujer madre padre mamá papá hijo hija hijos hijas hermano hermana
    hermanos abuelo abuela nieto nieta tío tía sobrino sobrina primo prima novio novia
    suegro suegra cuñado cuñada"""
)
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
    maybe asap back later anytime soon contact us info information hours opening get note
    notes memo invoice receipt statement summary agenda minutes form application
    evening night new old unlisted withheld confidential same above below other others
    monday tuesday wednesday thursday friday saturday sunday police lord dios"""
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
    media news press network networks library museum bureau"""
)


def lowered_words(name: str) -> list[str]:
    return [w.strip(".,").casefold() for w in name.split()]


def clean_name(name: str) -> tuple[int, str] | None:
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
