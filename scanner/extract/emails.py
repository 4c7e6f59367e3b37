"""Email addresses: linear regex candidates, then email_validator, then filters.

Values are lower-cased ("Jane.Doe@Example.COM" -> "jane.doe@example.com"). Besides plain
addresses, bracketed obfuscations are read: "jane [at] example [dot] com",
"jane(at)example(dot)com", "jane {at} example.com"; their span covers the whole written
form. Unbracketed "jane at example dot com" is not read (too many false positives in
prose). An address right after "@" is the server half of a fediverse handle
("@jane@mastodon.social") and is left to the handle extractor.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from scanner.extract.base import Extracted, make
from scanner.extract.filters import is_asset_email
from scanner.models import Kind

# Each candidate starts where a run of local-part characters starts (the lookbehind), and
# every quantifier is bounded, so a search is linear in the text's length.
_LOCAL = r"(?<![\w.%+-])([\w.%+-]{1,64})"
_DOMAIN = r"([\w-]{1,63}(?:\.[\w-]{1,63}){1,8})"
_PLAIN = re.compile(_LOCAL + "@" + _DOMAIN)

_AT = r"[ \t]{0,3}[\[({][ \t]{0,2}at[ \t]{0,2}[\])}][ \t]{0,3}"
_DOT = r"[ \t]{0,3}[\[({][ \t]{0,2}dot[ \t]{0,2}[\])}][ \t]{0,3}"
_OBFUSCATED = re.compile(
    _LOCAL + _AT + r"([\w-]{1,63}(?:(?:" + _DOT + r"|\.)[\w-]{1,63}){1,8})",
    re.IGNORECASE,
)
_DOT_WORD = re.compile(_DOT, re.IGNORECASE)
_LEADING_JUNK = ".-+%"


def _normalise(local: str, domain: str) -> str | None:
    """The lower-cased address, or None when it is not a real-looking email."""
    if is_asset_email(local, domain):
        return None
    try:
        result = validate_email(f"{local}@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


def _candidate(text: str, match: re.Match[str], domain: str) -> Extracted | None:
    start, end = match.span()
    local = match.group(1).lstrip(_LEADING_JUNK)
    start += len(match.group(1)) - len(local)
    if not local or text[max(0, start - 1) : start] == "@":
        return None
    value = _normalise(local, domain)
    return make(Kind.EMAIL, value, text, start, end) if value else None


def find_emails(text: str) -> list[Extracted]:
    """Email addresses in text, plain and bracket-obfuscated, in order of appearance."""
    found: list[Extracted] = []
    for match in _PLAIN.finditer(text):
        if (hit := _candidate(text, match, match.group(2))) is not None:
            found.append(hit)
    for match in _OBFUSCATED.finditer(text):
        domain = _DOT_WORD.sub(".", match.group(2)).replace(" ", "")
        if (hit := _candidate(text, match, domain)) is not None:
            found.append(hit)
    return sorted(found, key=lambda e: e.start)
