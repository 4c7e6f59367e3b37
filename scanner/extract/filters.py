"""False-positive predicates shared by the extractors.

Every function here is a cheap, linear check on a match and its neighbourhood; none of
them looks further than a fixed number of characters around the match.
"""

from __future__ import annotations

import re
from enum import Enum

# Domain endings that are file types, not mail domains: "logo@2x.png", "bg@3x.jpg".
# Real TLDs that are also extensions (.zip, .mov, .app) are left out on purpose.
ASSET_SUFFIXES = frozenset(
    {
        "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "bmp", "tif", "tiff",
        "heic", "css", "js", "mjs", "map", "json", "woff", "woff2", "ttf", "otf", "eot",
        "mp3", "mp4", "webm", "wav", "ogg", "pdf", "txt", "xml", "html", "htm", "php",
    }
)  # fmt: skip
_RETINA = re.compile(r"\d{1,2}(?:\.\d)?x", re.IGNORECASE)  # the "2x" of "logo@2x.png"

# Words that say "the number after me is a phone number".
_PHONE_CUE = re.compile(
    r"\b(?:tel|tele|telephone|phone|phones|ph|mobile|mob|cell|cellphone|fax|call|calling"
    r"|callback|text|sms|whatsapp|contact|dial|hotline|landline|office|home|work|direct|main"
    r"|reach|ring|teléfono|telefono|tfno|móvil|movil|celular|cel|fijo|llamar|llámame|llamame"
    r"|llama|contacto|oficina)\b|\bline[ \t]*:",
    re.IGNORECASE,
)
# Words that say "the number after me is an identifier, not a phone".
_ID_LABEL = re.compile(
    r"(?:#|\b(?:id|ids|no|nr|num|order|invoice|inv|account|acct|ref|reference|case|ticket"
    r"|transaction|txn|confirmation|tracking|serial|sku|upc|ean|isbn|issn|npi|mrn|ssn"
    r"|ein|tin|vat|dea|license|licence|policy|member|patient|record|routing|aba|iban"
    r"|swift|claim|pin|passport|badge|employee|student|part|model|version|build|patent"
    r"|docket|loan|card|receipt|booking|reservation|shipment|parcel|customer|code)\b)",
    re.IGNORECASE,
)
# A phone word right after the number, on the same line, that is not the next line's label.
_TRAILING_CUE = re.compile(
    r"[ \t\-–(,]{0,3}(?:tel|phone|mobile|mob|cell|fax|office|home|work|direct|main|móvil|movil"
    r"|celular|oficina)\b(?![ \t]*:)",
    re.IGNORECASE,
)
_LABEL_WINDOW = 40  # characters before a number searched for its label
# A label belongs to its own sentence or list item: "built to order. Shop line: …".
_SENTENCE_END = re.compile(r".*[.;!?|·•][ \t]+(?=[^\W\d_])", re.DOTALL)
_IP_CHARS = frozenset("0123456789.")


class Label(Enum):
    """What the words just before (or after) a number say it is."""

    PHONE = "phone"
    ID = "id"
    NONE = "none"


def is_asset_email(local: str, domain: str) -> bool:
    """True for image/asset names that look like emails: "logo@2x.png"."""
    labels = domain.lower().split(".")
    if labels[-1] in ASSET_SUFFIXES:
        return True
    return bool(_RETINA.fullmatch(labels[0])) or local.lower().endswith(tuple(ASSET_SUFFIXES))


def _label_window(text: str, start: int) -> str:
    """The text a number's label would be in: back to the last digit or line start.

    A line holding only a label ("Phone:") followed by the number on the next line counts
    as the same line.
    """
    lo = max(0, start - _LABEL_WINDOW)
    window = text[lo:start]
    for i in range(len(window) - 1, -1, -1):
        if window[i].isdigit():
            return window[i + 1 :]
    sentence = _SENTENCE_END.match(window)
    if sentence:
        window = window[sentence.end() :]
    newline = window.rfind("\n")
    if newline >= 0 and window[newline:].strip(" \t\n:-–") == "":
        newline = window.rfind("\n", 0, newline)  # label on the line above
    return window[newline + 1 :] if newline >= 0 else window


def label_of(text: str, start: int, end: int) -> Label:
    """Whether the words around text[start:end] call it a phone, an ID, or nothing."""
    before = _label_window(text, start)
    if _PHONE_CUE.search(before) or _TRAILING_CUE.match(text, end, end + 16):
        return Label.PHONE
    if _ID_LABEL.search(before):
        return Label.ID
    return Label.NONE


def has_id_label(text: str, start: int) -> bool:
    """Whether the words before text[start] call what follows an identifier ("Order")."""
    return _ID_LABEL.search(_label_window(text, start)) is not None


def is_ip_address(text: str, start: int, end: int) -> bool:
    """True when the match sits inside a dotted quad such as 192.168.1.100."""
    lo, hi = start, end
    while lo > 0 and text[lo - 1] in _IP_CHARS and start - lo < 16:
        lo -= 1
    while hi < len(text) and text[hi] in _IP_CHARS and hi - end < 16:
        hi += 1
    parts = text[lo:hi].strip(".").split(".")
    return len(parts) == 4 and all(p.isdigit() and len(p) <= 3 for p in parts)


def is_number_fragment(text: str, start: int, end: int) -> bool:
    """True when the match is part of a longer token.

    "0393 1144137" matched as "1144137", "EN3948405" (an alphanumeric ID), "20230302-15"
    followed by ":30:00" (a timestamp). A match opening with "(" or "+" after a number and
    a space starts a number of its own ("IL 62704 (217) 555-0142").
    """
    before = text[max(0, start - 2) : start].rjust(2)
    after = text[end : end + 2].ljust(2)
    opens = text[start : start + 1] in ("(", "+")  # "62704 (217) 555-0142": a new number
    glued_left = before[1].isalnum() or (before[0].isdigit() and before[1] in " .-/" and not opens)
    glued_right = after[0].isdigit() or (after[0] in ".-/:" and after[1].isdigit())
    return glued_left or glued_right
