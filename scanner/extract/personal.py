"""Dates of birth and ages from cued text; employers and schools (from work.py).

    find_birthdates(text) -> list[Extracted]                 # Kind.BIRTHDATE
    find_ages(text) -> list[Extracted]                       # Kind.AGE
    find_work_and_school(text) -> list[Extracted]            # Kind.EMPLOYER / Kind.SCHOOL
    find_personal(text) -> list[Extracted]                   # all of the above, by start

Every detail needs a cue word: a year alone is never a birth year ("© 1988"), a number
alone never an age ("the 36 steps"). The cues come from how people write about their age
and birthday, from the labels of common page layouts (forms, tables, <dl> lists, JSON
keys) and their Spanish equivalents; they are never taken from the phrasing of a labelled
data set.

- Birth dates after "born" / "DOB" / "D.O.B." / "date of birth" / "birth date" /
  "birthday", Spanish "nació el/en", "nacido/nacida el/en", "fecha de nacimiento",
  "cumpleaños" (as a label too: "DOB | 03/04/1988", "Date of birth\n…"): "March 3, 1988",
  "the 3rd of March 1988", "3 de marzo de 1988", "03/03/1988" (US order, day first when
  the first number is over 12 or the cue is Spanish), "1988-03-03", "March 1988", a year
  ("born in 1988"), or a day without a year ("Birthday: March 3"). Values ISO:
  "1988-03-03", "1988-03", "1988", "--03-03". Years 1900..this year, never in the future.
- Ages: "Age 36", "age: 36", "Age | 36", "Age\n36", `"age": 36`, "Edad: 36", "aged 36",
  "36 years old", "36-year-old", "36 yrs old", "just turned 36", "turns 36 today",
  "turned 40 last May", "she is 34", "I'm 34 and …", "tiene 34 años", "34 años de edad",
  "cumplió 40". Value "36"; only 13..110. Not an age: "minimum age 21", "age 18+",
  "turned 90 degrees", "she is 34 minutes away", "hace 34 años", "34 años de experiencia".

Every pattern has bounded repetition and each scan moves forward: linear in the text.
"""

from __future__ import annotations

import re
from datetime import date

from scanner.extract.base import Extracted, make, starts_cell, word_cue
from scanner.extract.work import find_work_and_school
from scanner.models import Kind

__all__ = ["find_ages", "find_birthdates", "find_personal", "find_work_and_school"]

MIN_AGE, MAX_AGE = 13, 110
MIN_YEAR = 1900
# Month names and abbreviations, English then Spanish, one month a line.
MONTH_NAMES = (
    "january jan enero ene",
    "february feb febrero",
    "march mar marzo",
    "april apr abril abr",
    "may mayo",
    "june jun junio",
    "july jul julio",
    "august aug agosto",
    "september sep sept septiembre setiembre",
    "october oct octubre",
    "november nov noviembre",
    "december dec diciembre dic",
)
MONTHS = {name: i + 1 for i, names in enumerate(MONTH_NAMES) for name in names.split()}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_ORD = r"(?:st|nd|rd|th)?"
_SPANISH_BIRTH = (
    r"(?:nació|nacio|nací|naci|nacido|nacida)(?:[ \t]+(?:el|en))?",
    r"fecha[ \t]+de[ \t]+nacimiento",
    r"f\.[ \t]*de[ \t]+nacimiento",
    "cumpleaños",
)
_BIRTH_CUE = (
    r"(?P<cue>"
    + word_cue(
        r"born(?:[ \t]+(?:on|in))?",
        "dob",
        r"d\.o\.b\.?",
        r"date[ \t]+of[ \t]+birth",
        r"birth[ \t]*date",
        "birthday",
        *_SPANISH_BIRTH,
    )
    + r")(?!\w)[ \t]*\**[ \t]*(?P<sep>[:\-–|]|\n)?[ \t]*\**[ \t]*"
)
_SPANISH_CUE = re.compile(word_cue(*_SPANISH_BIRTH))
_OF = r"(?:[ \t]+(?:of|de))?"
_DATE_FORMS = (
    _MONTH + r"[ \t]+(?P<d1>\d{1,2})" + _ORD + r",?[ \t]+(?P<y1>\d{4})",  # March 3, 1988
    r"(?:the[ \t]+)?(?P<d2>\d{1,2})"
    + _ORD
    + _OF
    + r"[ \t]+"
    + _MONTH.replace("month", "m2")
    + r",?"
    + _OF
    + r"[ \t]+(?P<y2>\d{4})",  # 3 March 1988, 3 de marzo de 1988
    r"(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y3>\d{4})",  # 03/03/1988
    r"(?P<y4>\d{4})-(?P<m4>\d{1,2})-(?P<d4>\d{1,2})",  # 1988-03-03
    _MONTH.replace("month", "m5") + r",?" + _OF + r"[ \t]+(?P<y5>\d{4})",  # March 1988
    r"(?:(?:the[ \t]+)?year[ \t]+)?(?P<y6>\d{4})",  # 1988
    _MONTH.replace("month", "m7") + r"[ \t]+(?P<d7>\d{1,2})" + _ORD,  # March 3
    r"(?P<d8>\d{1,2})" + _ORD + _OF + r"[ \t]+" + _MONTH.replace("month", "m8"),  # 3 March
)
_BIRTH = re.compile(_BIRTH_CUE + r"(?:" + "|".join(_DATE_FORMS) + r")(?![\w/\-])", re.IGNORECASE)
_DATE_GROUPS = frozenset(_BIRTH.groupindex) - {"cue", "sep"}
_AGE_NOT_AFTER = (
    r"(?![ \t]*(?:degrees?|percent|per[ \t]+cent|times|pages?|points?|laps?|miles?|km"
    r"|kilometers?|feet|ft|inches|cm|years?[ \t]+ago|minutes?|seconds?|hours?|days?|weeks?"
    r"|months?)\b)"
)
_AGE_END = r"(?![\d.,]\d|[\w+-])"
# "Age 36", "Age | 36", "Edad: 36"
_AGE_AFTER = re.compile(
    word_cue("age", "edad")
    + r"(?!\w)[\"']?[ \t]*\**[ \t]*(?P<sep>[:\-–|]|\n)?[ \t]*\**[ \t]*[\"']?"
    r"[ \t]*(?P<n>\d{1,3})" + _AGE_END
)
_AGED = re.compile(word_cue("aged") + r"[ \t]+(?P<n>\d{1,3})" + _AGE_END)
_YEARS_OLD = re.compile(
    r"(?P<n>\d(?<![\w.,-]\d)\d{0,2})(?:[ \t]+|-)(?:years?|yrs?\.?)(?:[ \t]+|-)old\b",
    re.IGNORECASE,
)
_TURNED = re.compile(
    word_cue("turned", "turns", "turning", r"will[ \t]+turn")
    + r"[ \t]+(?P<n>\d{1,3})(?![\d.,]\d|[\w%°+-])"
    + _AGE_NOT_AFTER
)
# "she is 34", "I'm 34 and …": a person and a bare number, then the clause ends.
_IS_AGE = re.compile(
    word_cue(
        r"(?:I|she|he)[ \t]+(?:am|is)",
        r"(?:I'm|I’m|she's|she’s|he's|he’s)",
    )
    + r"[ \t]+(?P<n>\d{1,3})(?=[ \t]*(?:[.,;!?)\n]|$|(?:and|but|now|today|this[ \t]+year"
    r"|y/?o|so|or|with)\b))"
)
# Spanish: "tiene 34 años", "34 años de edad", "cumplió 40" (not "hace 34 años", nor
# "34 años de experiencia").
_TIENE_ANOS = re.compile(
    word_cue(
        r"(?:tiene|tengo|tienes|tenía|tenia|tenemos|cumple|cumplió|cumplio|cumplirá|cumplira"
        r"|cumplí|cumpli)"
    )
    + r"[ \t]+(?P<n>\d{1,3})[ \t]+años(?![ \t]+de(?![ \t]+edad))"
)
_ANOS_DE_EDAD = re.compile(r"(?<![\w.,])(?P<n>\d{1,3})[ \t]+años[ \t]+de[ \t]+edad\b")
_CUMPLIO = re.compile(
    word_cue("cumplió", "cumplio") + r"[ \t]+(?P<n>\d{1,3})(?=[ \t]*(?:[.,;!?\n]|$))"
)
# Words before "age" that make it a rule, not somebody's age: "minimum age 21".
_AGE_RULE = re.compile(
    r"\b(?:minimum|maximum|min|max|legal|drinking|voting|retirement|average|mean|median"
    r"|target|recommended|required|requirement|limit|over|under|ages|mínima|máxima)"
    r"[ \t]*\Z",
    re.IGNORECASE,
)


def _valid_date(year: int, month: int = 1, day: int = 1) -> bool:
    if not MIN_YEAR <= year <= date.today().year:
        return False
    try:
        return date(year, month, day) <= date.today()
    except ValueError:
        return False


def _numeric_date(m: re.Match[str]) -> tuple[int, int, int]:
    """(year, month, day) of "03/04/1988": US order, day first when it must be or when the
    cue is Spanish ("nació el 03/04/1988" is the 3rd of April)."""
    a, b, year = int(m.group("a")), int(m.group("b")), int(m.group("y3"))
    day_first = a > 12 or _SPANISH_CUE.fullmatch(m.group("cue")) is not None
    return (year, b, a) if day_first else (year, a, b)


def _birth_value(m: re.Match[str]) -> str | None:
    g = m.groupdict()
    if g["y1"] or g["y2"]:
        month = MONTHS[(g["month"] or g["m2"]).lower()]
        day, year = int(g["d1"] or g["d2"]), int(g["y1"] or g["y2"])
    elif g["y3"]:
        year, month, day = _numeric_date(m)
    elif g["y4"]:
        year, month, day = int(g["y4"]), int(g["m4"]), int(g["d4"])
    elif g["y5"]:
        year, month = int(g["y5"]), MONTHS[g["m5"].lower()]
        return f"{year:04d}-{month:02d}" if _valid_date(year, month) else None
    elif g["y6"]:
        year = int(g["y6"])
        return f"{year:04d}" if _valid_date(year) else None
    else:  # a day without a year: checked against a leap year
        month = MONTHS[(g["m7"] or g["m8"]).lower()]
        day = int(g["d7"] or g["d8"])
        return f"--{month:02d}-{day:02d}" if _valid_date(2000, month, day) else None
    return f"{year:04d}-{month:02d}-{day:02d}" if _valid_date(year, month, day) else None


def _label_ok(text: str, m: re.Match[str]) -> bool:
    """A cue before a cell ("DOB | …") or alone on its line ("Age\n36") must start its
    line or cell; after a colon or in prose it may be anywhere."""
    return m.group("sep") not in ("|", "\n") or starts_cell(text, m.start())


def find_birthdates(text: str) -> list[Extracted]:
    """Dates of birth after a birth cue, ISO values ("1988-03-03", "1988-03", "1988")."""
    found = []
    for m in _BIRTH.finditer(text):
        if not _label_ok(text, m):
            continue
        value = _birth_value(m)
        if value is not None:
            date_start = min(m.start(k) for k in _DATE_GROUPS if m.group(k) is not None)
            found.append(make(Kind.BIRTHDATE, value, text, date_start, m.end()))
    return found


def _age_refused(pattern: re.Pattern[str], m: re.Match[str], text: str) -> bool:
    if pattern is not _AGE_AFTER:
        return False
    if not _label_ok(text, m):
        return True  # "the age | 34" in the middle of a row
    return _AGE_RULE.search(text, max(0, m.start() - 24), m.start()) is not None


def find_ages(text: str) -> list[Extracted]:
    """Ages after "age"/"aged"/"turned"/"she is", before "years old", or in Spanish,
    13..110."""
    found = []
    patterns = (
        _AGE_AFTER,
        _AGED,
        _YEARS_OLD,
        _TURNED,
        _IS_AGE,
        _TIENE_ANOS,
        _ANOS_DE_EDAD,
        _CUMPLIO,
    )
    for pattern in patterns:
        for m in pattern.finditer(text):
            if _age_refused(pattern, m, text):
                continue  # "minimum age 21": a rule, not somebody's age
            age = int(m.group("n"))
            if MIN_AGE <= age <= MAX_AGE:
                found.append(make(Kind.AGE, str(age), text, m.start(), m.end()))
    return sorted(found, key=lambda e: e.start)


def find_personal(text: str) -> list[Extracted]:
    """Every detail this module finds, sorted by start."""
    found = find_birthdates(text) + find_ages(text) + find_work_and_school(text)
    return sorted(found, key=lambda e: (e.start, e.end, e.kind.value))
