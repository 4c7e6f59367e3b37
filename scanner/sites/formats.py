"""Sherlock's and Maigret's site lists, read into the same Site rules as WhatsMyName's.

Each list becomes `Records`: one record per site in our own shape (Site's field names,
defaults left out) plus Maigret's engine templates. The bundled files under
scanner/sites/lists/ are Records written by scripts/build_sites.py; a list downloaded by
`sites update --list` is read by the same functions here. `to_sites` makes the Sites.

Sherlock (`sherlock_project/resources/data.json`, MIT): an object of name -> entry.
    url                      -> uri_pretty, the page a person opens ("{}" is the username)
    urlProbe                 -> uri_check, what is asked (else `url`)
    errorType status_code    -> check "status_code": found = 2xx; missing = a status in
                                `errorCode` (int or list -> missing_codes), or any other
                                3xx/4xx status (Sherlock: anything but 2xx)
    errorType message        -> check "message", `errorMsg` (text or list) -> absence:
                                missing when one appears in the body; found on a 2xx
                                without it
    errorType response_url   -> check "response_url": found = 2xx; a 3xx (the redirect
                                Sherlock looks for: it turns redirects off too) or 4xx is
                                missing. `errorUrl` is not needed: the 3xx itself says it
    regexCheck               -> regex: a username it does not match (re.search, as
                                Sherlock) is skipped for the site
    request_method GET/HEAD  -> a GET (HEAD answers carry no body to find a wall in)
    request_method POST/PUT, request_payload -> unsupported, see below
    headers                  -> headers (Cookie, Authorization dropped when sent, as WMN's)
    isNSFW                   -> nsfw;  username_claimed -> known
Maigret (`maigret/resources/data.json`, MIT): {"sites", "engines", "tags"}.
    engine                   -> the engine's `site` fields are the site's defaults: the
                                site's own scalars win, lists are joined, objects merged
                                (kept as an engine template here: records say "engine")
    url, urlProbe            -> uri_pretty, uri_check; {urlMain} {urlSubpath} are filled
                                in, {username} is the username, {{ }} are braces; a
                                doubled "/" in the path is made one
    checkType message        -> check "message": missing when one of `absenceStrs` is in
                                the body; else found when one of `presenseStrs` (or
                                `presenceStrs`; both -> presence) is, missing when none
                                is; with no presence strings, found on a 2xx
    checkType status_code    -> as Sherlock's (found = 2xx, other 3xx/4xx missing)
    checkType response_url   -> found = 2xx and a presence string (when it lists any);
                                a 3xx or 4xx is missing
    errors {text: meaning}   -> errors: that text in the body means "could not tell"
    ignore403                -> allow_403: a 403 is read by the rule, not a refusal
    regexCheck               -> regex (re.search, as Maigret)
    disabled                 -> disabled;  similarSearch -> fuzzy (the check is a search
                                that matches similar names: known unreliable)
    tags                     -> cat (the first that is not a country code); "porn" or
                                "erotic" -> nsfw
    protection               -> protection; the ones that need a browser -> unsupported
    usernameClaimed          -> known
    requestHeadOnly          -> a GET, as for Sherlock's HEAD
Common to both, in the verdict engine (scanner/sites/check.py): a wall page is blocked;
401/403/429 are blocked unless the entry names the status (errorCode, ignore403); a 5xx
is "could not tell" (Maigret's own rule; Sherlock would say missing); redirects are never
followed (no other host is contacted), so for status_code and message checks, whose lists
follow redirects and judge the last page, a 3xx is "could not tell"; and a message check
with no presence strings that answers 4xx without the missing text is "could not tell"
too (Sherlock would say found). The random-name control check, the quiet rules
(scanner.quiet.looks_loud) and header stripping apply as for WhatsMyName.

Not supported, and why (the entry is kept, with `unsupported` saying why, and is SKIPPED):
- a POST or PUT request (Sherlock request_method/request_payload, Maigret
  requestMethod/requestPayload: GraphQL queries, sign-up APIs): not a read-only GET, and
  the body is not reviewed here. WhatsMyName's POST checks are still sent, as before.
- Maigret `activation` (a token fetched from another endpoint first, e.g. a guest
  token): an extra request to an API, often an auth endpoint.
- Maigret `protection` cf_js_challenge, js_challenge, aws_waf_js_challenge,
  ddos_guard_challenge (a JavaScript challenge), tls_fingerprint (a browser's TLS
  handshake) and login (a signed-in account): the answer would only be a wall. Other
  protections (ip_reputation, cf_firewall, custom_bot_protection) are asked: from a home
  connection they often answer, and a wall answer is "blocked".
Not read at all (the entry is left out, with the reason in `skipped`): Maigret entries
whose `type` is not a username (qq_id, gaia_id, steam_id, orcid: another identifier) or
that have a `protocol` (dns: whether a domain resolves; tor, i2p: other networks). Left
aside as not needed: alexaRank, source, mirrors, caseSentitive, encoding, errorUrl,
usernameUnclaimed, Sherlock's __comment__.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from scanner.errors import InputError
from scanner.sites.catalogue import (
    PLACEHOLDER,
    BadEntry,
    Catalogue,
    Site,
    header_pairs,
    is_url,
    kind_of,
)

Record = dict[str, Any]

STATUS, MESSAGE, RESPONSE_URL = "status_code", "message", "response_url"
LIST_RULES = (STATUS, MESSAGE, RESPONSE_URL)
NSFW_TAGS = frozenset({"porn", "erotic"})
NO_BROWSER = {  # Maigret protections we cannot get past: the reason the check is skipped
    "cf_js_challenge": "a JavaScript challenge (Cloudflare)",
    "js_challenge": "a JavaScript challenge",
    "aws_waf_js_challenge": "a JavaScript challenge (AWS WAF)",
    "ddos_guard_challenge": "a JavaScript challenge (DDoS-Guard)",
    "tls_fingerprint": "a browser's TLS fingerprint",
    "login": "a signed-in account",
}
READ_METHODS = frozenset({"GET", "HEAD"})
MAX_REGEX = 300
MAX_MEANING = 120
_TUPLES = frozenset({"known", "protection", "presence", "absence", "missing_codes", "lists"})
_PAIRS = frozenset({"headers", "errors"})
_FORMAT = re.compile(r"\{\{|\}\}|\{(\w*)\}")
_COUNTRY = re.compile(r"[a-z]{2}\Z")
_DEFAULTS = {f.name: f.default for f in fields(Site) if f.default is not MISSING}


@dataclass(frozen=True)
class Records:
    """A site list in our own shape: records (Site field names) and engine templates."""

    sites: tuple[Record, ...]
    engines: dict[str, Record] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()  # "name: why the entry was left out"


# --- records <-> sites ---------------------------------------------------------------


def to_sites(records: Records, list_name: str) -> tuple[Site, ...]:
    """The Sites of a list, each remembering the list (`lists`)."""
    return tuple(site_from_record(r, records.engines, list_name) for r in records.sites)


def site_from_record(record: Record, engines: dict[str, Record], list_name: str = "") -> Site:
    values: dict[str, Any] = {}
    for key, value in expand(record, engines).items():
        if key in _PAIRS:
            value = tuple((str(k), str(v)) for k, v in value.items())
        elif key in _TUPLES:
            value = tuple(value)
        values[key] = value
    if list_name:
        values["lists"] = (list_name,)
    return Site(**values)


def site_record(site: Site) -> Record:
    """A Site as a record: its fields that differ from the defaults, in JSON types."""
    record: Record = {}
    for item in fields(Site):
        value = getattr(site, item.name)
        if item.name == "lists" or (item.name in _DEFAULTS and value == _DEFAULTS[item.name]):
            continue
        if item.name in _PAIRS:
            value = dict(value)
        elif item.name in _TUPLES:
            value = list(value)
        record[item.name] = value
    return record


def expand(record: Record, engines: dict[str, Record]) -> Record:
    """The record with its engine's fields: the site's scalars win, lists are joined (the
    site's first), objects merged (the site's win)."""
    name = record.get("engine")
    if name is None:
        return record
    merged = dict(engines[name])
    for key, value in record.items():
        if key == "engine":
            continue
        base = merged.get(key)
        if isinstance(value, list) and isinstance(base, list):
            merged[key] = list(dict.fromkeys([*value, *base]))
        elif isinstance(value, dict) and isinstance(base, dict):
            merged[key] = {**base, **value}
        else:
            merged[key] = value
    return merged


def read_sherlock(data: Any, origin: str) -> Catalogue:
    records = sherlock_records(data, origin)
    return Catalogue(to_sites(records, "sherlock"), origin, skipped=records.skipped)


def read_maigret(data: Any, origin: str) -> Catalogue:
    records = maigret_records(data, origin)
    return Catalogue(to_sites(records, "maigret"), origin, skipped=records.skipped)


# --- Sherlock ------------------------------------------------------------------------


def sherlock_records(data: Any, origin: str) -> Records:
    """Sherlock's data.json as records. InputError when the top level is wrong."""
    if not isinstance(data, dict):
        raise InputError(f"site list {origin}: expected a JSON object of sites")
    records: list[Record] = []
    skipped: list[str] = []
    for name, entry in data.items():
        if name.startswith("$"):  # "$schema"
            continue
        try:
            records.append(_sherlock(name, entry))
        except BadEntry as exc:
            skipped.append(f"{_label(name)}: {exc}")
    return Records(tuple(records), {}, tuple(skipped))


def _sherlock(name: str, entry: Any) -> Record:
    if not isinstance(entry, dict):
        raise BadEntry("not a JSON object")
    rule = entry.get("errorType")
    if rule not in LIST_RULES:
        raise BadEntry(f"'errorType' {str(rule)[:40]!r} is not one of {', '.join(LIST_RULES)}")
    profile = _url(_text(entry, "url").replace("{}", PLACEHOLDER), "url")
    probe = profile
    if "urlProbe" in entry:
        probe = _url(_text(entry, "urlProbe").replace("{}", PLACEHOLDER), "urlProbe")
    record: Record = {"name": _name(name), "uri_check": probe, "check": rule}
    if probe != profile:
        record["uri_pretty"] = profile
    if rule == MESSAGE:
        record["absence"] = _texts(entry.get("errorMsg"), "errorMsg", required=True)
    if "errorCode" in entry:
        record["missing_codes"] = _codes(entry["errorCode"])
    if "regexCheck" in entry:
        record["regex"] = _regex(entry["regexCheck"])
    if "headers" in entry:
        record["headers"] = dict(header_pairs(entry["headers"]))
    method = str(entry.get("request_method") or "GET").upper()
    if method not in READ_METHODS or "request_payload" in entry:
        record["unsupported"] = f"a {method} request, not a read-only GET (Sherlock); not sent"
    elif PLACEHOLDER not in probe:
        raise BadEntry("the URL has no {} for the username")
    if entry.get("isNSFW") is True:
        record["nsfw"] = True
    claimed = entry.get("username_claimed")
    if isinstance(claimed, str) and claimed:
        record["known"] = [claimed]
    return record


# --- Maigret -------------------------------------------------------------------------


def maigret_records(data: Any, origin: str) -> Records:
    """Maigret's data.json as records and engine templates. InputError when the top level
    is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("sites"), dict):
        raise InputError(f"site list {origin}: no 'sites' object at the top level")
    raw_engines = data.get("engines", {})
    if not isinstance(raw_engines, dict):
        raise InputError(f"site list {origin}: 'engines' must be an object")
    engines: dict[str, Record] = {}
    broken: dict[str, str] = {}
    for name, engine in raw_engines.items():
        try:
            engines[name] = _rule_lists(_engine_site(engine))
        except BadEntry as exc:
            broken[name] = str(exc)
    records: list[Record] = []
    skipped: list[str] = []
    for name, entry in data["sites"].items():
        try:
            records.append(_maigret(name, entry, raw_engines, engines, broken))
        except BadEntry as exc:
            skipped.append(f"{_label(name)}: {exc}")
    used = {r["engine"] for r in records if "engine" in r}
    kept = {name: engine for name, engine in engines.items() if name in used}
    return Records(tuple(records), kept, tuple(skipped))


def _engine_site(engine: Any) -> dict[str, Any]:
    site = engine.get("site") if isinstance(engine, dict) else None
    if not isinstance(site, dict):
        raise BadEntry("an engine without a 'site' object")
    return site


def _maigret(
    name: str,
    entry: Any,
    raw_engines: dict[str, Any],
    engines: dict[str, Record],
    broken: dict[str, str],
) -> Record:
    if not isinstance(entry, dict):
        raise BadEntry("not a JSON object")
    engine = entry.get("engine")
    base: dict[str, Any] = {}
    if engine is not None:
        if not isinstance(engine, str) or engine not in raw_engines:
            raise BadEntry(f"unknown engine {str(engine)[:40]!r}")
        if engine in broken:
            raise BadEntry(f"engine {engine}: {broken[engine]}")
        base = _engine_site(raw_engines[engine])
    merged = {**base, **entry}  # the scalars; lists and objects are joined by expand()
    kind = merged.get("type", "username")
    if kind != "username":
        raise BadEntry(f"checks a {str(kind)[:40]}, not a username")
    if "protocol" in merged:
        raise BadEntry(f"'protocol' {str(merged['protocol'])[:20]}: not a web page check")
    rule = merged.get("checkType")
    if rule not in LIST_RULES:
        raise BadEntry(f"'checkType' {str(rule)[:40]!r} is not one of {', '.join(LIST_RULES)}")
    profile = _maigret_url(merged, "url")
    probe = _maigret_url(merged, "urlProbe") if "urlProbe" in merged else profile
    record: Record = {"name": _name(name), "uri_check": probe, "check": rule}
    if probe != profile:
        record["uri_pretty"] = profile
    record.update(_rule_lists(entry))
    if engine is not None:
        record["engine"] = engine
    if merged.get("ignore403") is True:
        record["allow_403"] = True
    if "regexCheck" in merged:
        record["regex"] = _regex(merged["regexCheck"])
    protection = _texts(merged.get("protection"), "protection", required=False)
    if protection:
        record["protection"] = protection
    method = str(merged.get("requestMethod") or "GET").upper()
    why = _maigret_unsupported(merged, method, protection)
    if why:
        record["unsupported"] = why
    elif PLACEHOLDER not in probe:
        raise BadEntry("the URL has no {username}")
    if merged.get("disabled") is True:
        record["disabled"] = True
    if merged.get("similarSearch") is True:
        record["fuzzy"] = True
    tags = _texts(merged.get("tags"), "tags", required=False)
    topical = [tag for tag in tags if not _COUNTRY.match(tag) and tag != "global"]
    if topical:
        record["cat"] = topical[0]
    if NSFW_TAGS.intersection(tags):
        record["nsfw"] = True
    claimed = merged.get("usernameClaimed")
    if isinstance(claimed, str) and claimed:
        record["known"] = [claimed]
    rules = expand(record, engines)
    if rule == MESSAGE and not rules.get("presence") and not rules.get("absence"):
        raise BadEntry("a message check with no presence or absence text")
    return record


def _maigret_unsupported(merged: dict[str, Any], method: str, protection: list[str]) -> str:
    if method not in READ_METHODS or "requestPayload" in merged:
        return f"a {method} request, not a read-only GET (Maigret); not sent"
    if "activation" in merged:
        return "needs a token from another request first (Maigret activation); not sent"
    for item in protection:
        if item in NO_BROWSER:
            return f"needs {NO_BROWSER[item]} (Maigret protection {item}); not sent"
    return ""


def _maigret_url(merged: dict[str, Any], key: str) -> str:
    template = _text(merged, key)
    values = {"urlMain": merged.get("urlMain"), "urlSubpath": merged.get("urlSubpath", "")}

    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1)
        if name == "username":
            return PLACEHOLDER
        value = values.get(name)
        if not isinstance(value, str):
            raise BadEntry(f"'{key}' needs {{{name}}}, which the entry does not give")
        return value

    filled = _FORMAT.sub(one, template)
    head, sep, tail = filled.partition("://")
    path, mark, query = tail.partition("?")
    return _url(f"{head}{sep}{re.sub('/{2,}', '/', path)}{mark}{query}", key)


def _rule_lists(raw: dict[str, Any]) -> Record:
    """The list and object fields of a Maigret site or engine, as record fields."""
    out: Record = {}
    presence = [
        *_texts(raw.get("presenseStrs"), "presenseStrs", required=False),
        *_texts(raw.get("presenceStrs"), "presenceStrs", required=False),
    ]
    if presence:
        out["presence"] = list(dict.fromkeys(presence))
    absence = _texts(raw.get("absenceStrs"), "absenceStrs", required=False)
    if absence:
        out["absence"] = absence
    if raw.get("errors") is not None:
        out["errors"] = _errors(raw["errors"])
    if raw.get("headers") is not None:
        out["headers"] = dict(header_pairs(raw["headers"]))
    return out


# --- field checks --------------------------------------------------------------------


def _name(name: str) -> str:
    text = " ".join(name.split())
    if not text:
        raise BadEntry("the name is empty")
    if len(text) > 200:
        raise BadEntry("the name is longer than 200 characters")
    return text


def _label(name: Any) -> str:
    return " ".join(str(name).split())[:200] or "(no name)"


def _text(entry: dict[str, Any], key: str) -> str:
    value = entry.get(key)
    if isinstance(value, str):
        return value
    if key not in entry:
        raise BadEntry(f"'{key}' is missing")
    raise BadEntry(f"'{key}' must be text, not {kind_of(value)}")


def _url(value: str, key: str) -> str:
    if not is_url(value):
        raise BadEntry(f"'{key}' is not an http(s) URL with a host and no spaces")
    return value


def _texts(value: Any, key: str, *, required: bool) -> list[str]:
    """Text or a list of text, without empty items (an empty string would match any page)."""
    items = [value] if isinstance(value, str) else value
    if items is None:
        items = []
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise BadEntry(f"'{key}' must be text or a list of text, not {kind_of(value)}")
    kept = list(dict.fromkeys(item for item in items if item))
    if required and not kept:
        raise BadEntry(f"'{key}' is missing or empty")
    return kept


def _codes(value: Any) -> list[int]:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, int) or isinstance(item, bool) or not 100 <= item <= 599:
            raise BadEntry("'errorCode' must be HTTP statuses (100-599)")
    return sorted(set(items))


def _regex(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise BadEntry("'regexCheck' must be non-empty text")
    if len(value) > MAX_REGEX:
        raise BadEntry(f"'regexCheck' is longer than {MAX_REGEX} characters")
    try:
        re.compile(value)
    except re.error as exc:
        raise BadEntry(f"'regexCheck' is not a valid pattern ({exc})") from None
    return value


def _errors(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise BadEntry(f"'errors' must be an object of text to text, not {kind_of(value)}")
    out: dict[str, str] = {}
    for marker, meaning in value.items():
        if not isinstance(meaning, str):
            raise BadEntry(f"'errors' value for {marker[:40]!r} must be text")
        if marker:
            out[marker] = " ".join(meaning.split())[:MAX_MEANING] or "an error page"
    return out
