"""Employers and schools, from cued text.

    find_work_and_school(text) -> list[Extracted]            # Kind.EMPLOYER / Kind.SCHOOL

A capitalised word is never an employer by itself: every employer and school follows a
cue. The cues come from how people write about work and study, from the labels of common
page layouts (profile cards, tables, <dl> lists) and from the field names of public
profile APIs; they are never taken from the phrasing of a labelled data set.

- Prose: "works at/for", "worked at", "used to work for", "employed by/at/with", "works
  as a nurse at", a job title before "at / @ / with / for" ("engineer at", "I'm a
  teacher with the Lincoln school district"), "founder of"; Spanish "trabaja para",
  "trabaja en la empresa", "empleado de".
- Fields (a colon, a table cell or a <dl> line after the label, JSON keys too):
  "Employer", "Company", "Works at", "Workplace", "Place of work", "Organization",
  "worksFor"; Spanish "Empresa", "Empleador", "Lugar de trabajo", "Trabaja en". A job
  title field ("Job title", `job_title`, "Position", "Occupation", "Headline", "Cargo",
  "Puesto") names an employer after "at" / "@" ("Head of Growth at Acme").
- Schools after "studied at", "graduated from", "alumnus of", "alma mater" whatever they
  are called; after "attended", "student at" and the fields "School", "Education",
  "College", "University" (Spanish "Escuela", "Colegio", "Universidad", "estudió en")
  only with a school word in the name (University, College, School, Academy …).

The value is the capitalised name that follows ("Acme Widgets", "University of Example",
"St. Mary's", "3M"), up to lower-case prose or punctuation, with a trailing "school
district", "hospital", "library" … kept ("Lincoln school district"). Not employers:
pronouns and placeholders ("works for Myself", "Work for Us"), site navigation under a
"Company" heading ("About", "Careers"), another field's label (a table's header row).

Every pattern has bounded repetition and each scan moves forward: linear in the text.
"""

from __future__ import annotations

import re

from scanner.extract.base import Extracted, field_cue, is_field, make, word_cue, words
from scanner.models import Kind

# An organisation: a capitalised word (or "St." / "Mt." before one, or a word with digits
# such as "3M", "7-Eleven"), then up to 7 more (capitalised or numbers) joined by spaces
# and at most two small words ("University of the Example", "Acme Widgets 2"), then an
# optional lower-case kind of organisation ("the Lincoln school district").
_ABBREVIATION = r"(?:St|Ste|Sta|Mt|Ft)\.(?=[ \t]+[A-ZÀ-Þ])"
_CAPITALISED = r"[A-ZÀ-Þ][\w&'’.\-]{0,39}(?<!\.)"
_WITH_DIGITS = (
    r"(?:[0-9][0-9\-]{0,5}[a-z]{0,5}[A-ZÀ-Þ][\w&'’\-]{0,30}|[0-9]{1,6}(?=[ \t]+[A-ZÀ-Þ]))"
)
_ORG_FIRST = r"(?:" + _ABBREVIATION + r"|" + _CAPITALISED + r"|" + _WITH_DIGITS + r")"
_ORG_WORD = r"(?:" + _ABBREVIATION + r"|" + _CAPITALISED + r"|[0-9][\w&'’\-]{0,39})"
_ORG_KIND = (
    r"(?:[ \t]+(?:school[ \t]+district|school[ \t]+board|public[ \t]+schools"
    r"|public[ \t]+library|police[ \t]+department|fire[ \t]+department|school|schools"
    r"|district|hospital|library|university|college|clinic))?"
)
_ORG = (
    r"(?P<org>"
    + _ORG_FIRST
    + r"(?:[ \t]+(?:(?:of|the|and|for|de|del|la|&)[ \t]+){0,2}"
    + _ORG_WORD
    + r"){0,7}"
    + _ORG_KIND
    + r")"
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
_ORG_AFTER = r"[ \t]*\**[ \t]*\n?[ \t]*(?:(?:the|la|el|los|las)[ \t]+)?" + _ORG
# How people say where they work, in prose.
_WORK = re.compile(
    word_cue(
        r"(?:work|works|working|worked)[ \t]+(?:at|for)",
        r"(?:work|works|working|worked)[ \t]+as[ \t]+an?[ \t]+[a-z][a-z -]{0,40}?[ \t]+"
        r"(?:at|for|with)",
        r"employed[ \t]+(?:by|at|with)",
        *(re.escape(title) + r"[ \t]+(?:at|@|with|for)" for title in JOB_TITLES),
        r"(?:founder|owner|ceo)[ \t]+of",
        r"(?:trabaja|trabajo|trabajó|trabajaba|trabajan)[ \t]+para",
        r"(?:trabaja|trabajo|trabajó|trabajaba|trabajan)[ \t]+en[ \t]+la[ \t]+empresa",
        r"(?:empleado|empleada)[ \t]+(?:de|en)",
    )
    + r"(?!\w)"
    + _ORG_AFTER
)
# Field labels whose value is the employer: page layouts, profile APIs, Spanish forms.
_WORK_FIELD = re.compile(
    field_cue(
        "employer",
        r"(?:current[ \t]+)?employer",
        r"company(?:[ \t]+name)?",
        "workplace",
        r"works?[ \t]+at",
        r"works[ \t]+for",
        "worksfor",
        r"place[ \t]+of[ \t]+work",
        "organization",
        "organisation",
        "empresa",
        "empleador",
        r"lugar[ \t]+de[ \t]+trabajo",
        r"trabaja[ \t]+en",
    )
    + r"(?:the[ \t]+)?"
    + _ORG
)
# A job title field: the employer follows "at" / "@" ("Senior Engineer at Acme").
_JOB_FIELD = re.compile(
    field_cue(
        r"job[ \t_]*title",
        "position",
        "occupation",
        "headline",
        "cargo",
        "puesto",
        "ocupación",
    )
    + r"[^\n|:@]{1,60}?[ \t]+(?:at|@|en)[ \t]+(?:the[ \t]+)?"
    + _ORG
)
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
        r"(?:estudió|estudio|estudia|estudié)[ \t]+en",
    )
    + r"(?!\w)"
    + _ORG_AFTER
)
_SCHOOL_FIELD = re.compile(
    field_cue(
        "school",
        "education",
        "college",
        "university",
        r"high[ \t]+school",
        "escuela",
        "colegio",
        "universidad",
        "estudios",
    )
    + r"(?:the[ \t]+)?"
    + _ORG
)
SCHOOL_WORDS = re.compile(
    r"\b(?:university|college|school|academy|institute|polytechnic|high|seminary"
    r"|conservatory|universidad|universitat|université|universität|lycée|gymnasium"
    r"|colegio|escuela|instituto|liceo)\b",
    re.IGNORECASE,
)
# Capitalised words after a work cue that are not an employer: "works for Myself", a
# "Company" footer heading over its links, another field's label in a table header row.
NOT_EMPLOYERS = words(
    """myself himself herself themselves yourself me him her them you it home free hire
    a an this that my our his their your i we he she they about careers jobs press blog
    contact team news overview leadership investors legal privacy terms help support login
    location company employer city age name email phone address title position status
    date notes website occupation education school n/a none unknown"""
)
# Words that are not an employer when they are the whole name: "Work for Us".
ALONE_NOT_EMPLOYERS = words("us")
_TRIM_ORG = re.compile(r"(?:[ \t]+(?:of|the|and|for|de|del|la|&))+$")
_LEADING_THE = re.compile(r"(?i:the)[ \t]+")


def _org_value(m: re.Match[str]) -> tuple[str, int, int] | None:
    """(value, start, end) of the organisation a cue's match names, or None."""
    org = _TRIM_ORG.sub("", m.group("org"))
    start = m.start("org")
    the = _LEADING_THE.match(org)
    if the is not None and len(org.split()) > 1:
        org, start = org[the.end() :], start + the.end()  # "works for The Example Times"
    tokens = org.split()
    if len(org) < 2 or tokens[0].casefold() in NOT_EMPLOYERS:
        return None
    if len(tokens) == 1 and tokens[0].casefold() in ALONE_NOT_EMPLOYERS:
        return None
    return " ".join(tokens), start, start + len(org)


def _cued(pattern: re.Pattern[str], text: str) -> list[tuple[str, int, int]]:
    """The organisations pattern's cues name (fields only where they are labels)."""
    found = []
    for m in pattern.finditer(text):
        if "sep" in pattern.groupindex and not is_field(text, m):
            continue
        hit = _org_value(m)
        if hit is not None:
            found.append(hit)
    return found


def find_work_and_school(text: str) -> list[Extracted]:
    """Employers (Kind.EMPLOYER) and schools (Kind.SCHOOL) after their cue words."""
    found = []
    spans: set[tuple[int, int]] = set()
    for pattern in (_WORK, _WORK_FIELD, _JOB_FIELD):
        for value, start, end in _cued(pattern, text):
            if (start, end) not in spans:
                spans.add((start, end))
                found.append(make(Kind.EMPLOYER, value, text, start, end))
    for pattern in (_SCHOOL_STRONG, _SCHOOL_WEAK, _SCHOOL_FIELD):
        for value, start, end in _cued(pattern, text):
            if pattern is not _SCHOOL_STRONG and not SCHOOL_WORDS.search(value):
                continue  # "attended the Springfield Fair", "Education: BS"
            found.append(make(Kind.SCHOOL, value, text, start, end))
    return sorted(found, key=lambda e: e.start)
