"""Site and Catalogue: the WhatsMyName site-list format, loaded and validated.

The format is WhatsMyName's `wmn-data.json` (WebBreacher/WhatsMyName, CC BY-SA 4.0):
top-level `license` (list of lines), `authors`, `categories` and `sites`; each site has
`name, uri_check, e_code, e_string, m_code, m_string, known, cat` and optionally
`uri_pretty, post_body, headers, strip_bad_char, protection, valid` (false only). A user's
own list may be just `{"sites": [...]}`.

Validation follows `wmn-data-schema.json`, but per entry: a bad entry is left out with
"name: reason" in `Catalogue.skipped` and the rest load. Checked, as the schema does:
required fields and their types; `e_code`/`m_code` integers (not booleans) in 100..599;
`uri_check` (and `uri_pretty`) http(s) URLs with a host; `{account}` in `uri_check`, or in
`post_body` when there is a non-empty one, which then also needs `headers`; `headers` a
non-empty map of strings; `known` a non-empty list of non-empty strings. Checked beyond the
schema, because the file is untrusted and its values end up in requests: no whitespace or
control characters in URLs, header names are HTTP tokens and values hold no line breaks.
Deliberately looser than the schema, where refusing would only lose sites: `cat` and
`protection` values are not held to the schema's enums (upstream adds values, e.g.
"anubis"; a stale list here must not drop those sites after `sites update`); repeated
`known`/`protection` items are folded; an empty `headers`, `strip_bad_char` or `post_body`
counts as absent; `"valid": true` is accepted; unknown keys are ignored. A second entry
with the same name (compared case-insensitively) is left out and noted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from scanner.errors import InputError
from scanner.userfiles import read_user_file

PLACEHOLDER = "{account}"
WMN_RULE = "wmn"
RULES = (WMN_RULE, "status_code", "message", "response_url")
MAX_FILE_BYTES = 50_000_000
_MAX_NAME = 200
_MIN_CODE, _MAX_CODE = 100, 599
_URL = re.compile(r"https?://[^/?#@\s\x00-\x1f\x7f]+(?:[/?#][^\s\x00-\x1f\x7f]*)?\Z")
_PARTS = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)([^?#]*)(?:\?([^#]*))?")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")
_BAD_VALUE = re.compile(r"[\r\n\x00]")
_REQUIRED_STR = ("e_string", "m_string")


@dataclass(frozen=True)
class Site:
    """One site: how to ask it whether an account exists, and how to read its answer.

    `check` says which rule reads the answer: "wmn" (the e_/m_ fields, WhatsMyName's) or
    one of Sherlock's and Maigret's "status_code", "message", "response_url" (the fields
    after `check`; scanner/sites/formats.py maps those lists onto them).
    """

    name: str
    uri_check: str  # with "{account}" unless post_body carries it
    e_code: int = 0
    e_string: str = ""
    m_code: int = 0
    m_string: str = ""
    cat: str = "misc"
    known: tuple[str, ...] = ()
    uri_pretty: str | None = None
    post_body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    strip_bad_char: str = ""
    protection: tuple[str, ...] = ()
    valid: bool = True  # WMN's "valid": false entries are kept but not checked
    check: str = WMN_RULE
    presence: tuple[str, ...] = ()  # any one in the body: the account exists (Maigret)
    absence: tuple[str, ...] = ()  # any one in the body: no such account
    missing_codes: tuple[int, ...] = ()  # statuses that mean no such account (Sherlock)
    errors: tuple[tuple[str, str], ...] = ()  # (text in the body, what it means): can't tell
    allow_403: bool = False  # a 403 is read by the rule, not taken as a refusal (Maigret)
    regex: str = ""  # a username must match this (re.search) to be asked at all
    unsupported: str = ""  # why this check is never sent (a POST, a JS challenge, ...)
    disabled: bool = False  # its list marks the check disabled
    nsfw: bool = False
    fuzzy: bool = False  # the check is a search that also matches similar names
    lists: tuple[str, ...] = ()  # the lists that know the site ("wmn", "maigret", ...)

    def account(self, username: str) -> str:
        """The username as this site is asked for it: `strip_bad_char` characters removed."""
        if not self.strip_bad_char:
            return username
        return username.translate({ord(c): None for c in self.strip_bad_char})

    def profile_url(self, username: str) -> str:
        """The page a person would open: uri_pretty (or uri_check) with the account filled.

        The account is `account(username)` (idempotent, so passing an already stripped name
        is fine), percent-encoded except "@" so a "/" or "?" cannot change the URL's path.
        """
        return fill_url(self.uri_pretty or self.uri_check, self.account(username))


def fill_url(template: str, account: str) -> str:
    """`template` with every "{account}" replaced by the percent-encoded account."""
    return template.replace(PLACEHOLDER, quote(account, safe="@"))


@dataclass(frozen=True)
class Catalogue:
    """A loaded site list, with the licence and authors kept for attribution."""

    sites: tuple[Site, ...]
    origin: str  # file path, or "curated"
    license: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # "name: why the entry was refused"


class BadEntry(Exception):
    """One entry is unusable; the message says why (also raised by scanner.sites.formats)."""


def parse_catalogue(data: Any, origin: str) -> Catalogue:
    """A Catalogue from decoded JSON. InputError when the top level is wrong."""
    if not isinstance(data, dict):
        raise InputError(f"site list {origin}: expected a JSON object with a 'sites' list")
    entries = data.get("sites")
    if not isinstance(entries, list):
        raise InputError(f"site list {origin}: no 'sites' list at the top level")
    license_lines = _lines(data.get("license"), "license", origin)
    authors = _lines(data.get("authors"), "authors", origin)
    sites: list[Site] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, 1):
        label = _label(entry, index)
        try:
            site = _site(entry)
        except BadEntry as exc:
            skipped.append(f"{label}: {exc}")
            continue
        key = site.name.casefold()
        if key in seen:
            skipped.append(f"{label}: repeats an earlier site's name; the first one is kept")
            continue
        seen.add(key)
        sites.append(site)
    return Catalogue(tuple(sites), origin, license_lines, authors, tuple(skipped))


def load_catalogue(path: Path) -> Catalogue:
    """Read and parse a site-list file. Every failure is one InputError line naming it,
    and so is a list with no usable site (a scan would check none)."""
    raw = read_user_file(path, "site list", max_bytes=MAX_FILE_BYTES)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"site list {path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except UnicodeDecodeError:
        raise InputError(f"site list {path} is not UTF-8 text") from None
    except RecursionError:
        raise InputError(f"site list {path} is nested too deeply") from None
    catalogue = parse_catalogue(data, str(path))
    if not catalogue.sites:
        raise InputError(f"site list {path} has no usable site{_first_reason(catalogue)}")
    return catalogue


def _first_reason(catalogue: Catalogue) -> str:
    if not catalogue.skipped:
        return " (its 'sites' list is empty)"
    return f" ({len(catalogue.skipped)} left out; the first: {catalogue.skipped[0]})"


# --- one entry ---------------------------------------------------------------------


def _lines(value: Any, field: str, origin: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise InputError(f"site list {origin}: '{field}' must be text or a list of text")


def _label(entry: Any, index: int) -> str:
    if isinstance(entry, dict):
        name = entry.get("name")
        if isinstance(name, str) and name.strip():
            return " ".join(name.split())[:_MAX_NAME]
    return f"entry {index}"


def _site(entry: Any) -> Site:
    if not isinstance(entry, dict):
        raise BadEntry("not a JSON object")
    name = _text(entry, "name")
    if not name.strip():
        raise BadEntry("'name' is empty")
    if len(name) > _MAX_NAME:
        raise BadEntry(f"'name' is longer than {_MAX_NAME} characters")
    uri_check = _url(entry, "uri_check")
    uri_pretty = _url(entry, "uri_pretty") if "uri_pretty" in entry else None
    for field in _REQUIRED_STR:
        _text(entry, field)
    cat = _text(entry, "cat")
    if not cat:
        raise BadEntry("'cat' is empty")
    headers = _headers(entry)
    post_body = _text(entry, "post_body") if "post_body" in entry else ""
    if post_body:
        if PLACEHOLDER not in post_body:
            raise BadEntry("'post_body' has no {account}")
        if not headers:
            raise BadEntry("'post_body' needs 'headers' (at least a Content-Type)")
    elif PLACEHOLDER not in uri_check:
        raise BadEntry("'uri_check' has no {account}")
    strip = _text(entry, "strip_bad_char") if "strip_bad_char" in entry else ""
    valid = entry.get("valid", True)
    if not isinstance(valid, bool):
        raise BadEntry("'valid' must be false (or absent)")
    return Site(
        name=name,
        uri_check=uri_check,
        e_code=_code(entry, "e_code"),
        e_string=entry["e_string"],
        m_code=_code(entry, "m_code"),
        m_string=entry["m_string"],
        cat=cat,
        known=_names(entry, "known", required=True),
        uri_pretty=uri_pretty,
        post_body=post_body or None,
        headers=headers,
        strip_bad_char=strip,
        protection=_names(entry, "protection", required=False),
        valid=valid,
    )


def _text(entry: dict[str, Any], field: str) -> str:
    value = entry.get(field)
    if isinstance(value, str):
        return value
    if value is None and field not in entry:
        raise BadEntry(f"'{field}' is missing")
    raise BadEntry(f"'{field}' must be text, not {kind_of(value)}")


def _url(entry: dict[str, Any], field: str) -> str:
    value = _text(entry, field)
    if not is_url(value):
        raise BadEntry(f"'{field}' is not an http(s) URL with a host and no spaces")
    return value


def _code(entry: dict[str, Any], field: str) -> int:
    value = entry.get(field)
    if field not in entry:
        raise BadEntry(f"'{field}' is missing")
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadEntry(f"'{field}' must be an HTTP status number, not {kind_of(value)}")
    if not _MIN_CODE <= value <= _MAX_CODE:
        raise BadEntry(f"'{field}' {value} is not an HTTP status (100-599)")
    return value


def _names(entry: dict[str, Any], field: str, *, required: bool) -> tuple[str, ...]:
    value = entry.get(field)
    if value is None and field not in entry and not required:
        return ()
    if field not in entry:
        raise BadEntry(f"'{field}' is missing")
    if not isinstance(value, list) or not value:
        raise BadEntry(f"'{field}' must be a non-empty list of text")
    if not all(isinstance(item, str) and item for item in value):
        raise BadEntry(f"'{field}' must hold only non-empty text")
    return tuple(dict.fromkeys(value))


def _headers(entry: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    value = entry.get("headers")
    if value is None and "headers" not in entry:
        return ()
    return header_pairs(value)


def header_pairs(value: Any) -> tuple[tuple[str, str], ...]:
    """A headers object as (name, value) pairs; BadEntry unless names are HTTP tokens and
    values are text without line breaks."""
    if not isinstance(value, dict):
        raise BadEntry(f"'headers' must be an object of header names to text, not {kind_of(value)}")
    pairs: list[tuple[str, str]] = []
    for key, text in value.items():
        if not _TOKEN.match(key):
            raise BadEntry(f"'headers' has an invalid header name {key[:40]!r}")
        if not isinstance(text, str):
            raise BadEntry(f"'headers' value for {key} must be text, not {kind_of(text)}")
        if _BAD_VALUE.search(text):
            raise BadEntry(f"'headers' value for {key} holds a line break")
        pairs.append((key, text))
    return tuple(pairs)


def split_url(url: str) -> tuple[str, str, str]:
    """Host (with any port, user part dropped), path and query of an http(s) URL, quickly
    (urlsplit costs more than the rest of loading a list); ("", "", "") otherwise."""
    match = _PARTS.match(url)
    if match is None:
        return "", "", ""
    host, path, query = match.groups()
    return host.rpartition("@")[2], path, query or ""


def is_url(value: str) -> bool:
    """An http(s) URL with a host and no whitespace or control characters."""
    return _URL.match(value) is not None


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
