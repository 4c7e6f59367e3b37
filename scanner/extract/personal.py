"""Dates of birth, ages, employers and schools, from cued text.

    find_birthdates(text) -> list[Extracted]                 # Kind.BIRTHDATE
    find_ages(text) -> list[Extracted]                       # Kind.AGE
    find_work_and_school(text) -> list[Extracted]            # Kind.EMPLOYER / Kind.SCHOOL
    find_personal(text) -> list[Extracted]                   # all of the above, by start

Every detail needs a cue word: a year alone is never a birth year ("© 1988"), a number
alone never an age ("the 36 steps"), a capitalised word never an employer.

- Birth dates after "born" / "DOB" / "D.O.B." / "date of birth" / "birth date" /
  "birthday": "March 3, 1988", "the 3rd of March 1988", "03/03/1988" (US order; day first
  when the first number is over 12), "1988-03-03", "March 1988", a year ("born in 1988"),
  or a day without a year ("Birthday: March 3"). Values ISO: "1988-03-03", "1988-03", "1988",
  "--03-03". Years 1900..this year, never in the future.
- Ages: "Age 36", "age: 36", "aged 36", "36 years old", "36-year-old", "36 yrs old",
  "just turned 36", "turns 36 today". Value "36"; only 13..110. Not an age: "minimum age
  21", "age 18+", "turned 90 degrees".
- Employers after "works at/for", "work for", "worked at", "used to work for",
  "employed by/at", "Employer:", "Company:", "Workplace:", or a job title ("engineer at",
  "nurse at", "founder of" …); schools after "studied at", "graduated from", "alma mater",
  "attended", "School:", "Education:", "student at" (the last four need a school word:
  University, College, School, Academy …). The value is the capitalised name that follows
  ("Acme Widgets", "University of Example"), up to lower-case prose or punctuation.

Every pattern has bounded repetition and each scan moves forward: linear in the text.
"""

from __future__ import annotations

import re
from datetime import date

from scanner.extract.base import Extracted, make, word_cue, words
from scanner.models import Kind

MIN_AGE, MAX_AGE = 13, 110
MIN_YEAR = 1900
MONTHS = {
    name: i + 1
    for i, names in enumerate(
        ["january jan", "february feb", "march mar", "april apr", "may", "june jun",
         "july jul", "august aug", "september sep sept", "october oct", "november nov",
         "december dec"]
    )
    for name in names.split()
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_ORD = r"(?:st|nd|rd|th)?"
_BIRTH_CUE = (
    word_cue(
        r"born(?:[ \t]+(?:on|in))?",
        "dob",
        r"d\.o\.b\.?",
        r"date[ \t]+of[ \t]+birth",
        r"birth[ \t]*date",
        "birthday",
    )
    + r"(?!\w)[ \t]*\**[ \t]*[:\-–]?[ \t]*\**[ \t]*"
)
_DATE_FORMS = (
    _MONTH + r"[ \t]+(?P<d1>\d{1,2})" + _ORD + r",?[ \t]+(?P<y1>\d{4})",  # March 3, 1988
    r"(?:the[ \t]+)?(?P<d2>\d{1,2})"
    + _ORD
    + r"(?:[ \t]+of)?[ \t]+"
    + _MONTH.replace("month", "m2")
    + r",?[ \t]+(?P<y2>\d{4})",  # 3 March 1988
    r"(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y3>\d{4})",  # 03/03/1988
    r"(?P<y4>\d{4})-(?P<m4>\d{1,2})-(?P<d4>\d{1,2})",  # 1988-03-03
    _MONTH.replace("month", "m5") + r",?[ \t]+(?P<y5>\d{4})",  # March 1988
    r"(?:(?:the[ \t]+)?year[ \t]+)?(?P<y6>\d{4})",  # 1988
    _MONTH.replace("month", "m7") + r"[ \t]+(?P<d7>\d{1,2})" + _ORD,  # March 3
    r"(?P<d8>\d{1,2})" + _ORD + r"(?:[ \t]+of)?[ \t]+" + _MONTH.replace("month", "m8"),  # 3 March
)
_BIRTH = re.compile(_BIRTH_CUE + r"(?:" + "|".join(_DATE_FORMS) + r")(?![\w/\-])", re.IGNORECASE)
_AGE_NOT_AFTER = (
    r"(?![ \t]*(?:degrees?|percent|per[ \t]+cent|times|pages?|points?|laps?|miles?|km"
    r"|kilometers?|feet|ft|inches|cm|years?[ \t]+ago|minutes?|seconds?|hours?|days?|weeks?"
    r"|months?)\b)"
)
# "Age 36", "aged 36" / "36 years old", "36-year-old" / "just turned 36"
_AGE_AFTER = re.compile(
    word_cue(r"age[ \t]*\**[ \t]*[:\-–]?[ \t]*\**", "aged")
    + r"[ \t]*(?P<n>\d{1,3})(?![\d.,]\d|[\w+-])"
)
_YEARS_OLD = re.compile(
    r"(?P<n>\d(?<![\w.,-]\d)\d{0,2})(?:[ \t]+|-)(?:years?|yrs?\.?)(?:[ \t]+|-)old\b",
    re.IGNORECASE,
)
_TURNED = re.compile(
    word_cue("turned", "turns", "turning", r"will[ \t]+turn")
    + r"[ \t]+(?P<n>\d{1,3})(?![\d.,]\d|[\w%°+-])"
    + _AGE_NOT_AFTER
)
# Words before "age" that make it a rule, not somebody's age: "minimum age 21".
_AGE_RULE = re.compile(
    r"\b(?:minimum|maximum|min|max|legal|drinking|voting|retirement|average|mean|median"
    r"|target|recommended|required|requirement|limit|over|under|ages)[ \t]*\Z",
    re.IGNORECASE,
)
# An organisation: a capitalised word, then up to 7 more (capitalised or numbers) joined
# by spaces and at most two small words ("University of the Example", "Acme Widgets 2").
_ORG_FIRST = r"[A-ZÀ-Þ][\w&'’.\-]{0,39}(?<!\.)"
_ORG_WORD = r"(?:" + _ORG_FIRST + r"|[0-9][\w&'’\-]{0,39})"
_ORG = (
    r"(?P<org>"
    + _ORG_FIRST
    + r"(?:[ \t]+(?:(?:of|the|and|for|de|&)[ \t]+){0,2}"
    + _ORG_WORD
    + r"){0,7})"
)
JOB_TITLES = words(
    "engineer developer designer manager director analyst scientist consultant founder "
    "co-founder cofounder owner ceo cto cfo coo cio vp president intern researcher nurse "
    "teacher professor lecturer editor writer reporter journalist producer architect "
    "accountant attorney lawyer paralegal officer specialist coordinator administrator "
    "assistant associate partner technician programmer physician pharmacist therapist "
    "counselor counsellor librarian cashier clerk driver mechanic electrician chef cook "
    "barista server waiter waitress bartender receptionist secretary supervisor executive "
    "employee contractor volunteer worker staffer postdoc fellow"
)
_ORG_AFTER = r"[ \t]*\**[ \t]*\n?[ \t]*(?:the[ \t]+)?" + _ORG
_LABEL_COLON = r"[ \t]*\**[ \t]*:"
_WORK = re.compile(
    word_cue(
        r"work[ \t]+(?:at|for)",
        r"works[ \t]+(?:at|for)",
        r"working[ \t]+(?:at|for)",
        r"worked[ \t]+(?:at|for)",
        r"employed[ \t]+(?:by|at)",
        *(label + _LABEL_COLON for label in ("employer", "company", "workplace", "works at",
                                             r"place[ \t]+of[ \t]+work")),
        *(re.escape(title) + r"[ \t]+(?:at|@|with)" for title in JOB_TITLES),
        r"(?:founder|owner|ceo)[ \t]+of",
    )
    + r"(?!\w)"
    + _ORG_AFTER
)  # fmt: skip
# Cues that name a school whatever it is called, and cues that need a school word.
_SCHOOL_STRONG = re.compile(
    word_cue(
        r"(?:studied|studies|studying)[ \t]+at",
        r"graduated[ \t]+from",
        r"graduate[ \t]+of",
        r"alumn(?:us|a|i|ae)[ \t]+of",
        r"alma[ \t]+mater(?:[ \t]*\**[ \t]*:)?",
    )
    + r"(?!\w)"
    + _ORG_AFTER
)
_SCHOOL_WEAK = re.compile(
    word_cue(
        r"(?:attended|attends|attending)",
        r"(?:student|freshman|sophomore|junior|senior|graduate|grad)[ \t]+(?:at|@)",
        r"alumn(?:us|a|i|ae)[ \t]+(?:at|@)",
        *(label + _LABEL_COLON for label in ("school", "education", "college", "university",
                                             r"high[ \t]+school")),
    )
    + r"(?!\w)"
    + _ORG_AFTER
)  # fmt: skip
SCHOOL_WORDS = re.compile(
    r"\b(?:university|college|school|academy|institute|polytechnic|high|seminary"
    r"|conservatory|universidad|université|universität|lycée|gymnasium)\b",
    re.IGNORECASE,
)
# Capitalised words after a work cue that are not an employer: "works for Myself".
NOT_EMPLOYERS = words(
    "myself himself herself themselves yourself me him her them us you it home free hire "
    "a an the this that my our his their your i we he she they"
)
_TRIM_ORG = re.compile(r"(?:[ \t]+(?:of|the|and|for|de|&))+$")
_SENTENCE_END = re.compile(r"(?<=[^\W\d_]{2})\.(?=\s|$)")


def _valid_date(year: int, month: int = 1, day: int = 1) -> bool:
    if not MIN_YEAR <= year <= date.today().year:
        return False
    try:
        return date(year, month, day) <= date.today()
    except ValueError:
        return False


def _birth_value(m: re.Match[str]) -> str | None:
    g = m.groupdict()
    if g["y1"] or g["y2"]:
        month = MONTHS[(g["month"] or g["m2"]).lower()]
        day, year = int(g["d1"] or g["d2"]), int(g["y1"] or g["y2"])
    elif g["y3"]:
        a, b, year = int(g["a"]), int(g["b"]), int(g["y3"])
        month, day = (b, a) if a > 12 else (a, b)  # US order unless it cannot be
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


def find_birthdates(text: str) -> list[Extracted]:
    """Dates of birth after a birth cue, ISO values ("1988-03-03", "1988-03", "1988")."""
    found = []
    for m in _BIRTH.finditer(text):
        value = _birth_value(m)
        if value is not None:
            date_start = min(m.start(k) for k, v in m.groupdict().items() if v is not None)
            found.append(make(Kind.BIRTHDATE, value, text, date_start, m.end()))
    return found


def find_ages(text: str) -> list[Extracted]:
    """Ages after "age"/"aged"/"turned" or before "years old", 13..110."""
    found = []
    for pattern in (_AGE_AFTER, _YEARS_OLD, _TURNED):
        for m in pattern.finditer(text):
            if pattern is _AGE_AFTER and _AGE_RULE.search(text, max(0, m.start() - 24), m.start()):
                continue  # "minimum age 21": a rule, not somebody's age
            age = int(m.group("n"))
            if MIN_AGE <= age <= MAX_AGE:
                found.append(make(Kind.AGE, str(age), text, m.start(), m.end()))
    return sorted(found, key=lambda e: e.start)


def _org_value(m: re.Match[str]) -> tuple[str, int, int] | None:
    org = _TRIM_ORG.sub("", m.group("org"))
    if len(org) < 2 or org.split()[0].casefold() in NOT_EMPLOYERS:
        return None
    return " ".join(org.split()), m.start("org"), m.start("org") + len(org)


def find_work_and_school(text: str) -> list[Extracted]:
    """Employers (Kind.EMPLOYER) and schools (Kind.SCHOOL) after their cue words."""
    found = []
    for m in _WORK.finditer(text):
        if (hit := _org_value(m)) is not None:
            found.append(make(Kind.EMPLOYER, hit[0], text, hit[1], hit[2]))
    for pattern in (_SCHOOL_STRONG, _SCHOOL_WEAK):
        for m in pattern.finditer(text):
            hit = _org_value(m)
            if hit is None:
                continue
            if pattern is _SCHOOL_WEAK and not SCHOOL_WORDS.search(hit[0]):
                continue  # "attended the Springfield Fair", "Education: BS"
            found.append(make(Kind.SCHOOL, hit[0], text, hit[1], hit[2]))
    return sorted(found, key=lambda e: e.start)


def find_personal(text: str) -> list[Extracted]:
    """Every detail this module finds, sorted by start."""
    found = find_birthdates(text) + find_ages(text) + find_work_and_school(text)
    return sorted(found, key=lambda e: (e.start, e.end, e.kind.value))
