"""The people-search (data broker) catalogue: brokers.json, loaded and validated.

brokers.json is our own structure. Its facts come from the reference files each entry
names: `source` (one brianreumere/data-brokers record: names, url, removalUrl, process,
requiredVerification, status) and `also_from` (the California and Vermont data broker
registries and the Privacy Rights Clearinghouse list: registered company names, opt-out
emails and methods). Nothing is guessed: `shows` is empty unless a registry says what the
site shows, `search.url_template` is null unless the reference documents the site's search
URL (it documents none today), `parent` is null unless a registry lists the site.

Every entry: id, name, url, country, parent, shows, search {url_template, method},
opt_out {url, method, email, requires, process, form_working, how, notes}, automation
("fetch" | "check-yourself"), source, also_from, checked_on. The file ships with the
package; a broken file is a bug, so `load_brokers` raises ValueError naming the entry.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

DATA = Path(__file__).with_name("brokers.json")

METHODS = frozenset({"online form", "email", "mail", "phone"})
AUTOMATION = frozenset({"fetch", "check-yourself"})
SEARCH_METHODS = frozenset({"url", "on-site"})
PROCESSES = frozenset({"search-first", "opt-out-search", "control"})
# Placeholders a search template may hold. Never email or phone: a prefilled link is
# something the subject opens in a browser; it must carry no more than a name and place.
FIELDS = ("first", "last", "city", "state")
_FIELD = re.compile(r"\{([a-z]+)\}")
_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


@dataclass(frozen=True)
class Search:
    """How to look someone up on the site."""

    url_template: str | None  # https URL with {first} {last} {city} {state}, or None
    method: str  # "url" (template) or "on-site" (search on the site yourself)

    def fill(self, first: str, last: str, city: str = "", state: str = "") -> str | None:
        """The template with each placeholder percent-encoded (None without a template)."""
        if self.url_template is None:
            return None
        values = {"first": first, "last": last, "city": city, "state": state}
        return _FIELD.sub(lambda m: quote(values[m.group(1)].strip(), safe=""), self.url_template)


@dataclass(frozen=True)
class OptOut:
    url: str | None  # the opt-out page, when there is one
    method: str  # one of METHODS
    email: str | None  # where to write, when the reference gives an address
    requires: tuple[str, ...]  # what the site verifies: "email", "phone", "id", ...
    process: str | None  # brianreumere process type, when known
    form_working: bool | None  # reported state of the form (None: not reported)
    how: str  # the process in plain words
    notes: str


@dataclass(frozen=True)
class Broker:
    id: str
    name: str
    url: str
    country: str
    parent: str | None
    shows: tuple[str, ...]
    search: Search
    opt_out: OptOut
    automation: str
    source: str
    also_from: tuple[str, ...]
    checked_on: str | None


def load_brokers(path: Path = DATA) -> list[Broker]:
    """Every catalogued site, in file order. ValueError on anything malformed."""
    return list(_load(path))


@cache
def _load(path: Path) -> tuple[Broker, ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("brokers"), list):
        raise ValueError(f"{path.name}: expected an object with a 'brokers' list")
    brokers: list[Broker] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["brokers"]):
        label = raw.get("id", f"#{index}") if isinstance(raw, dict) else f"#{index}"
        try:
            broker = _broker(raw)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path.name}: broker {label}: {exc}") from exc
        if broker.id in seen:
            raise ValueError(f"{path.name}: broker {broker.id}: repeated id")
        seen.add(broker.id)
        brokers.append(broker)
    return tuple(brokers)


def _broker(raw: Any) -> Broker:
    if not isinstance(raw, dict):
        raise TypeError("not an object")
    ident = _text(raw, "id")
    if not _ID.match(ident):
        raise ValueError(f"bad id {ident!r}")
    search_raw, opt_raw = raw["search"], raw["opt_out"]
    search = Search(_url(search_raw.get("url_template")), _text(search_raw, "method"))
    if search.method not in SEARCH_METHODS:
        raise ValueError(f"unknown search method {search.method!r}")
    if (search.url_template is None) != (search.method == "on-site"):
        raise ValueError("search method 'url' needs a url_template, 'on-site' none")
    if search.url_template is not None:
        names = _FIELD.findall(search.url_template)
        if not names or any(name not in FIELDS for name in names):
            raise ValueError(f"url_template placeholders must be among {FIELDS}")
    email = opt_raw.get("email")
    if email is not None and not (isinstance(email, str) and _EMAIL.match(email)):
        raise ValueError(f"bad opt-out email {email!r}")
    opt_out = OptOut(
        url=_url(opt_raw.get("url")),
        method=_text(opt_raw, "method"),
        email=email,
        requires=_strings(opt_raw.get("requires", [])),
        process=opt_raw.get("process"),
        form_working=opt_raw.get("form_working"),
        how=str(opt_raw.get("how", "")),
        notes=str(opt_raw.get("notes", "")),
    )
    if opt_out.method not in METHODS:
        raise ValueError(f"unknown opt-out method {opt_out.method!r}")
    if opt_out.method == "online form" and not opt_out.url:
        raise ValueError("an online-form opt-out needs its url")
    if opt_out.method == "email" and not opt_out.email:
        raise ValueError("an email opt-out needs its address")
    if opt_out.process is not None and opt_out.process not in PROCESSES:
        raise ValueError(f"unknown process {opt_out.process!r}")
    if opt_out.form_working is not None and not isinstance(opt_out.form_working, bool):
        raise TypeError("form_working must be true, false or null")
    automation = _text(raw, "automation")
    if automation not in AUTOMATION:
        raise ValueError(f"unknown automation {automation!r}")
    checked = raw.get("checked_on")
    if checked is not None and not (isinstance(checked, str) and _DATE.match(checked)):
        raise ValueError(f"checked_on must be YYYY-MM-DD, not {checked!r}")
    parent = raw.get("parent")
    if parent is not None and not (isinstance(parent, str) and parent.strip()):
        raise ValueError("parent must be a name or null")
    site_url = _url(raw["url"])
    if site_url is None:
        raise ValueError("url missing")
    return Broker(
        id=ident,
        name=_text(raw, "name"),
        url=site_url,
        country=_text(raw, "country"),
        parent=parent,
        shows=_strings(raw.get("shows", [])),
        search=search,
        opt_out=opt_out,
        automation=automation,
        source=_text(raw, "source"),
        also_from=_strings(raw.get("also_from", [])),
        checked_on=checked,
    )


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key} must be a non-empty string")
    return value


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise TypeError("expected a list of non-empty strings")
    return tuple(value)


def _url(value: Any) -> str | None:
    """An https URL with a host, or None. Anything else (http, spaces) is an error."""
    if value is None:
        return None
    if not isinstance(value, str) or any(c.isspace() for c in value):
        raise ValueError(f"bad URL {value!r}")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"not an https URL: {value!r}")
    return value
