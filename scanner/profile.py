"""Load and validate the subject: from a TOML file, from command-line flags, or both.

Every problem becomes an InputError whose message names it in one line; the CLI prints
it and exits 2.
"""

from __future__ import annotations

import datetime
import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from scanner.errors import InputError
from scanner.limits import MAX_PROFILE_BYTES
from scanner.models import Context, Location, Profile
from scanner.text import hidden_control
from scanner.userfiles import read_user_file

LIST_FIELDS = (
    "names", "aliases", "handles", "emails", "phones", "locations", "domains", "affiliations",
)  # fmt: skip
TOP_LEVEL_KEYS = (*LIST_FIELDS, "name", "country", "birth_year", "context")
OLDEST_BIRTH_YEAR = 1900
CONTEXT_KEYS = ("known_to_abuser", "public_on_purpose", "past_addresses", "moved_on", "notes")
HANDLE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# A fediverse address: name@instance.example (Mastodon and friends).
FEDIVERSE_RE = re.compile(
    r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,63}$"
)
DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
MAX_ITEMS = 50
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_LENGTH = 200
SHOWN_LENGTH = 60  # how much of a refused value its error line repeats


def load_profile(path: Path) -> Profile:
    """Read and validate a profile TOML file."""
    return build_profile(read_profile_file(path), origin=str(path))


def read_profile_file(path: Path) -> dict[str, Any]:
    raw = read_user_file(path, "profile", MAX_PROFILE_BYTES)
    try:
        text = raw.decode("utf-8-sig")  # a leading BOM (some Windows editors add one) is fine
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: TOML syntax error: {_toml_problem(exc, text)}") from None
    except RecursionError:
        raise InputError(f"{path}: TOML nested too deeply") from None


def _toml_problem(exc: tomllib.TOMLDecodeError, text: str) -> str:
    """tomllib's message on one line, always with a line number.

    An error on the last line reads "(at end of document)"; name that line too.
    """
    message = " ".join(str(exc).split())
    last_line = text.rstrip("\r\n").count("\n") + 1
    return message.replace("(at end of document)", f"(at end of document, line {last_line})")


def merge_flags(data: Mapping[str, Any], flags: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """Add values given on the command line to those read from a file."""
    merged = dict(data)
    for key, given in flags.items():
        values = [given] if isinstance(given, str) else list(given)  # a bare str is one value
        if not values:
            continue
        current = merged.get(key, [])
        if key == "country":
            merged[key] = values[-1]
            continue
        if isinstance(current, str):
            current = [current]
        merged[key] = [*current, *values] if isinstance(current, list) else current
    return merged


def build_profile(data: Mapping[str, Any], *, origin: str = "profile") -> Profile:
    """Validate a profile mapping (parsed TOML, possibly merged with flags)."""
    _reject_unknown(data, TOP_LEVEL_KEYS, origin)
    names = [*_strings(data, "name", origin), *_strings(data, "names", origin)]
    country = _country(data.get("country", "US"), origin)
    profile = Profile(
        names=_dedupe(_text(v, "name", origin) for v in names),
        aliases=_dedupe(_text(v, "alias", origin) for v in _strings(data, "aliases", origin)),
        handles=_dedupe(_handle(v, origin) for v in _strings(data, "handles", origin)),
        emails=_dedupe(_email(v, origin) for v in _strings(data, "emails", origin)),
        phones=_dedupe(_phone(v, country, origin) for v in _strings(data, "phones", origin)),
        locations=tuple(
            dict.fromkeys(_location(v, origin) for v in _strings(data, "locations", origin))
        ),
        domains=_dedupe(_domain(v, origin) for v in _strings(data, "domains", origin)),
        affiliations=_dedupe(
            _text(v, "affiliation", origin) for v in _strings(data, "affiliations", origin)
        ),
        country=country,
        birth_year=_birth_year(data.get("birth_year"), origin),
        context=_context(data.get("context", {}), origin),
    )
    if not (profile.names or profile.handles or profile.emails or profile.phones):
        raise InputError(f"{origin}: empty profile: give at least a name, handle, email or phone")
    return profile


def _reject_unknown(data: Mapping[str, Any], allowed: Sequence[str], origin: str) -> None:
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(f"{origin}: unknown key {key!r}{hint}")


def _strings(data: Mapping[str, Any], key: str, origin: str) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{origin}: {key!r} must be a string or a list of strings")
    if len(value) > MAX_ITEMS:
        raise InputError(f"{origin}: {key!r} has more than {MAX_ITEMS} entries")
    for item in value:
        _no_controls(item, key, origin)
    return [v.strip() for v in value if v.strip()]


def _no_controls(value: str, key: str, origin: str, allowed: str = "") -> None:
    """InputError when a value holds a control, bidi or line-separator character
    (scanner.text.HIDDEN_CONTROLS): it could hide what is searched for or shown."""
    found = hidden_control(value, allowed)
    if found is not None:
        shown = value[:SHOWN_LENGTH]
        raise InputError(f"{origin}: {key!r} value {shown!r} contains a control character {found}")


def _text(value: str, what: str, origin: str) -> str:
    if len(value) > MAX_LENGTH:
        raise InputError(f"{origin}: {what} longer than {MAX_LENGTH} characters")
    return " ".join(value.split())


def _handle(value: str, origin: str) -> str:
    handle = value.removeprefix("@")
    if "@" in handle:
        name, _, host = handle.partition("@")
        handle = f"{name}@{host.lower()}"
        if FEDIVERSE_RE.match(handle):
            return handle
        raise InputError(
            f"{origin}: invalid fediverse handle {value!r} (use name@instance.example)"
        )
    if not HANDLE_RE.match(handle):
        raise InputError(
            f"{origin}: invalid handle {value!r} "
            "(letters, digits, '.', '_' or '-', up to 64 characters)"
        )
    return handle


def _domain(value: str, origin: str) -> str:
    domain = value.strip().lower()
    if "://" in domain:
        domain = domain.split("://", 1)[1]
    domain = domain.split("/", 1)[0].rstrip(".").removeprefix("www.")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise InputError(f"{origin}: invalid domain {value!r}") from None
    if not DOMAIN_RE.match(domain):
        raise InputError(f"{origin}: invalid domain {value!r} (use a host name like example.com)")
    return domain


LEAD_FIELDS = ("handles", "emails", "domains")


def lead_value(field: str, value: str) -> str | None:
    """A lead's value validated and normalised like the profile's own, or None if invalid.

    Leads come from scraped data: nothing is looked up for a value the profile itself
    would refuse.
    """
    check = {"handles": _handle, "emails": _email, "domains": _domain}.get(field)
    if check is None or len(value) > MAX_LENGTH or hidden_control(value) is not None:
        return None
    try:
        return check(value.strip(), "lead")
    except InputError:
        return None


def _email(value: str, origin: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InputError(f"{origin}: invalid email {value!r}: {exc}") from None


def _phone(value: str, country: str, origin: str) -> str:
    try:
        number = phonenumbers.parse(value, country)
    except phonenumbers.NumberParseException:
        raise InputError(f"{origin}: invalid phone number {value!r}") from None
    if not phonenumbers.is_valid_number(number):
        raise InputError(f"{origin}: invalid phone number {value!r} for region {country}")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _location(value: str, origin: str) -> Location:
    parts = [p.strip() for p in _text(value, "location", origin).split(",")]
    if not parts[0] or len(parts) > 3 or not all(parts):
        raise InputError(f"{origin}: location {value!r} should look like 'City, ST'")
    return Location(*parts)


def _country(value: Any, origin: str) -> str:
    code = str(value).strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise InputError(f"{origin}: unknown country {value!r} (use a 2-letter code like 'US')")
    return code


def _birth_year(value: Any, origin: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    this_year = datetime.date.today().year
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{origin}: 'birth_year' must be a year like 1987")
    if not OLDEST_BIRTH_YEAR <= value <= this_year:
        raise InputError(
            f"{origin}: 'birth_year' {value} is not a year from {OLDEST_BIRTH_YEAR} to {this_year}"
        )
    return value


def _context(value: Any, origin: str) -> Context:
    if not isinstance(value, dict):
        raise InputError(f"{origin}: 'context' must be a table")
    _reject_unknown(value, CONTEXT_KEYS, f"{origin} [context]")
    notes = value.get("notes", "")
    if not isinstance(notes, str):
        raise InputError(f"{origin}: context 'notes' must be a string")
    _no_controls(notes, "notes", origin, allowed="\t\n\r")  # notes may run over lines
    moved_on = value.get("moved_on", "")
    if isinstance(moved_on, datetime.date):  # TOML dates arrive as dates
        moved_on = moved_on.isoformat()
    if not isinstance(moved_on, str) or (moved_on and not _ISO_DATE.match(moved_on)):
        raise InputError(f"{origin}: context 'moved_on' must be a date like 2023-05-01")
    return Context(
        known_to_abuser=tuple(_strings(value, "known_to_abuser", origin)),
        public_on_purpose=tuple(_strings(value, "public_on_purpose", origin)),
        past_addresses=tuple(_strings(value, "past_addresses", origin)),
        moved_on=moved_on,
        notes=notes.strip(),
    )


def _dedupe(values: Iterable[str]) -> tuple[str, ...]:
    """Drop repeats, ignoring case (handles, names and emails are case-insensitive)."""
    kept: dict[str, str] = {}
    for value in values:
        kept.setdefault(value.casefold(), value)
    return tuple(kept.values())
