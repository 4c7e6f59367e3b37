"""One catalogue from the three community lists: WhatsMyName, Maigret and Sherlock.

    catalogue = merged_catalogue()                  # what a scan and `usernames` check
    catalogue = merged_catalogue(include_all=True)  # with disabled, NSFW, unreliable ones
    info = lists_info()                             # for `sites info`

Each list is its installed copy (`sites update --list NAME`, scanner/sites/update.py)
when there is one, else the snapshot bundled in scanner/sites/lists/ (built by
scripts/build_sites.py; each file carries its own licence beside it). An installed copy
that cannot be read is passed over for the bundled one, with a note. Nothing is loaded at
import time.

Merging: sites are the same when their profile URLs (uri_pretty, else uri_check) have the
same shape: host without "www." and path and query, lower-cased, the username as "{}",
"//" as "/", no trailing "/" (`site_key`); or when they have the same host (the username
label and "www." left out) and the same name, letters and digits only, case-folded. One
entry per site; `lists` names every list that knows it, in ORDER. Its rule is the first
usable one in ORDER (WhatsMyName first, as before these lists were added: both an
"exists" and a "missing" condition; then Maigret: presence and absence texts; then
Sherlock: one side only). A rule is usable when it is valid, not disabled, not a
similar-name search, supported and quiet (check.never_sent); when none is, the first one
is kept and the site is reported as its rule says (skipped, ...).

Default selection leaves out a site when any list marks it NSFW (WMN category "xx NSFW
xx", Sherlock isNSFW, Maigret tag porn or erotic), or when its chosen rule is disabled
(WMN valid: false, Maigret disabled) or a similar-name search (Maigret similarSearch):
a list that disabled only its own check of a site another list checks well does not drop
the site. Sherlock's removed-sites knowledge is not in its data.json, so nothing else is
known unreliable. `include_all` keeps them all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner.errors import InputError
from scanner.sites.catalogue import PLACEHOLDER, Catalogue, Site, split_url
from scanner.sites.check import never_sent
from scanner.sites.formats import Records, to_sites
from scanner.sites.update import BUNDLED, LISTS, installed_list, sites_dir

ORDER = ("wmn", "maigret", "sherlock")  # whose rule a merged site uses: the first usable
NSFW_CATEGORY = "xx NSFW xx"
_ALNUM = re.compile(r"[^0-9a-z]+")
_SLASHES = re.compile("/{2,}")


@dataclass(frozen=True)
class SiteList:
    """One community list as loaded: its sites and where they came from."""

    name: str
    sites: tuple[Site, ...]
    origin: str  # the file read
    installed: bool  # a `sites update` copy, not the bundled snapshot
    date: str  # YYYY-MM-DD: the snapshot's commit date, or when the copy was saved
    licence: str
    skipped: tuple[str, ...] = ()
    note: str = ""  # e.g. why an installed copy was passed over


def bundled_path(name: str) -> Path:
    return BUNDLED / f"{name}.json"


def bundled_list(name: str) -> SiteList:
    """The snapshot in scanner/sites/lists/ (our own shape, see formats.Records)."""
    path = bundled_path(name)
    data = json.loads(path.read_text(encoding="utf-8"))
    records = Records(tuple(data["sites"]), data.get("engines", {}))
    return SiteList(name, to_sites(records, name), str(path), False, data["date"], data["licence"])


def current_list(name: str, folder: Path | None = None) -> SiteList:
    """The installed copy of a list when there is a readable one, else the bundled one."""
    try:
        copy = installed_list(name, folder)
    except InputError as exc:
        return replace(bundled_list(name), note=f"{exc}; the bundled copy is used")
    if copy is None:
        return bundled_list(name)
    path = Path(copy.origin)
    saved = datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()
    sites = tuple(replace(site, lists=(name,)) for site in copy.sites)
    return SiteList(name, sites, copy.origin, True, saved, LISTS[name].licence, copy.skipped)


def merged_catalogue(*, include_all: bool = False, folder: Path | None = None) -> Catalogue:
    """Every list merged, one entry per site (see the module docstring)."""
    loaded = [current_list(name, folder) for name in ORDER]
    sites = merge(loaded)
    chosen = sites if include_all else tuple(site for site in sites if not left_out(site))
    return Catalogue(
        chosen,
        origin=_origin(loaded),
        skipped=tuple(f"{item.name}: {why}" for item in loaded for why in item.skipped),
    )


def merge(loaded: list[SiteList]) -> tuple[Site, ...]:
    """One Site per site across the lists, sorted by name."""
    groups: list[list[Site]] = []
    by_key: dict[str, int] = {}
    by_name: dict[tuple[str, str], int] = {}
    for item in sorted(loaded, key=lambda one: ORDER.index(one.name)):
        for site in item.sites:
            key, name = site_key(site), name_key(site)
            index = by_key.get(key, by_name.get(name))
            if index is None:
                index = len(groups)
                groups.append([])
            groups[index].append(site)
            by_key.setdefault(key, index)
            by_name.setdefault(name, index)
    merged = (_one(group) for group in groups)
    return tuple(sorted(merged, key=lambda site: (site.name.casefold(), site.uri_check)))


def site_key(site: Site) -> str:
    """The shape of a site's profile URL: host (no "www."), path and query, lower-cased."""
    host, path, query = split_url((site.uri_pretty or site.uri_check).lower())
    path = _SLASHES.sub("/", path.replace(PLACEHOLDER, "{}")).rstrip("/")
    host = host.replace(PLACEHOLDER, "{}").removeprefix("www.")
    return f"{host}{path}?{query.replace(PLACEHOLDER, '{}')}" if query else f"{host}{path}"


def name_key(site: Site) -> tuple[str, str]:
    """The site's host without the username label or "www.", and its name's letters."""
    host = split_url((site.uri_pretty or site.uri_check).lower())[0]
    host = host.removeprefix(PLACEHOLDER + ".").removeprefix("www.")
    return host, _ALNUM.sub("", site.name.casefold())


def usable(site: Site) -> bool:
    """A rule the engine would send and can trust: valid, enabled, exact, quiet."""
    return not (site.disabled or site.fuzzy or never_sent(site))


def left_out(site: Site) -> str:
    """Why the default selection leaves the site out ("" when it is in)."""
    if site.nsfw or site.cat == NSFW_CATEGORY:
        return "NSFW"
    if not site.valid or site.disabled:
        return "disabled in the list its check comes from"
    if site.fuzzy:
        return "a search that also matches similar names"
    return ""


def lists_info(folder: Path | None = None) -> dict[str, Any]:
    """What `sites info` shows: the merged count and each list's count, date and licence.

    `sites`: sites checked by default; `checkable`: those the engine sends a request to
    (check.never_sent: not unsupported, loud or invalid); `all`: with include_all. `readers`:
    per-site profile readers (scanner/sites/readers.py), `reader_shapes` by how sure
    their shape is.
    """
    from scanner.sites.readers import load_readers, readers_info

    loaded = [current_list(name, folder) for name in ORDER]
    every = merge(loaded)
    chosen = [site for site in every if not left_out(site)]
    return {
        "sites": len(chosen),
        "checkable": sum(1 for site in chosen if not never_sent(site)),
        "all": len(every),
        "readers": len(load_readers()),
        "reader_shapes": readers_info(),
        "folder": str(folder or sites_dir()),
        "lists": [
            {
                "name": item.name,
                "title": LISTS[item.name].title,
                "sites": len(item.sites),
                "date": item.date,
                "licence": item.licence,
                "installed": item.installed,
                "path": item.origin,
                **({"note": item.note} if item.note else {}),
            }
            for item in loaded
        ],
    }


def _one(group: list[Site]) -> Site:
    if len(group) == 1:  # most sites: nothing to choose or join
        site = group[0]
        return site if site.cat != NSFW_CATEGORY or site.nsfw else replace(site, nsfw=True)
    chosen = next((site for site in group if usable(site)), group[0])
    lists = tuple(name for name in ORDER if any(name in site.lists for site in group))
    nsfw = any(site.nsfw or site.cat == NSFW_CATEGORY for site in group)
    cat = chosen.cat
    if cat == "misc":
        cat = next((site.cat for site in group if site.cat not in ("misc", NSFW_CATEGORY)), cat)
    return replace(chosen, lists=lists, nsfw=nsfw, cat=cat)


def _origin(loaded: list[SiteList]) -> str:
    parts = [
        f"{LISTS[item.name].title} ({'installed' if item.installed else 'bundled'} {item.date})"
        for item in loaded
    ]
    return "merged: " + ", ".join(parts)
