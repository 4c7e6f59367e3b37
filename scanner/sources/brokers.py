"""People-search sites: which ones to check yourself, with a search link and the opt-out.

Sends nothing. People-search (data broker) sites block automated lookups (captchas, WAFs),
and probing them for the subject's name would tell them someone is looking; so by default
no broker page is fetched. For each site in scanner/brokers/brokers.json this source
returns an Account with status UNKNOWN ("check this yourself", never "not found") whose
details say how to check and how to opt out:

    check     "check this yourself"
    search    the site's search prefilled with the subject's first name, last name, city and
              state (percent-encoded), when the catalogue has a search template; otherwise
              "search on the site yourself: <site url>"
    opt_out   the opt-out page ("" when the opt-out is by email only)
    method    online form / email / mail / phone
    requires  what the site verifies ("email, phone"; "" when the reference lists nothing)
    email     the opt-out address, when there is one
    how       the site's opt-out process in plain words, when known
    notes     what the reference reports about it (broken forms, workarounds)

Names: the first word and last word of the profile's first name (a middle name is dropped);
city and state from the profile's first location. Emails and phone numbers never go into a
link. Only catalogue entries with automation "fetch" may ever be fetched, and no entry has
it today (no result-page parser exists yet), so this source makes no request at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from scanner.brokers.catalogue import Broker, load_brokers
from scanner.http import Http
from scanner.models import Account, AccountStatus, Profile, SourceResult
from scanner.sources.base import Source

NAME = "brokers"
CHECK = "check this yourself"


def split_name(full: str) -> tuple[str, str]:
    """(first word, last word) of a name; ("", "") for a blank one, (word, "") for one word."""
    words = full.split()
    if not words:
        return "", ""
    if len(words) == 1:
        return words[0], ""
    return words[0], words[-1]


def where(profile: Profile) -> tuple[str, str]:
    """(city, state) of the profile's first location, ("", "") without one."""
    if not profile.locations:
        return "", ""
    first = profile.locations[0]
    return first.city.strip(), first.region.strip()


def search_link(broker: Broker, profile: Profile) -> str | None:
    """The broker's search prefilled for the subject, or None when it has no template."""
    first, last = split_name(profile.names[0] if profile.names else "")
    city, state = where(profile)
    return broker.search.fill(first, last, city, state)


def account_for(broker: Broker, profile: Profile) -> Account:
    """The "check this yourself" entry for one site."""
    link = search_link(broker, profile)
    opt = broker.opt_out
    details = {
        "check": CHECK,
        "search": link or f"search on the site yourself: {broker.url}",
        "opt_out": opt.url or "",
        "method": opt.method,
        "requires": ", ".join(opt.requires),
    }
    if opt.email:
        details["email"] = opt.email
    if opt.how:
        details["how"] = opt.how
    if opt.notes:
        details["notes"] = opt.notes
    return Account(
        site=broker.name,
        url=link or broker.url,
        username=profile.names[0].strip() if profile.names else "",
        status=AccountStatus.UNKNOWN,
        details=details,
    )


class BrokersSource(Source):
    name = NAME
    title = "People-search sites"
    needs = frozenset({"names"})
    asks = False

    def __init__(self, brokers: Sequence[Broker] | None = None) -> None:
        self._brokers = tuple(load_brokers() if brokers is None else brokers)

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        first, _ = split_name(profile.names[0] if profile.names else "")
        if not first:
            return SourceResult(notes=("people-search sites: no name to look for",))
        accounts = tuple(account_for(broker, profile) for broker in self._brokers)
        count = len(accounts)
        site = "site" if count == 1 else "sites"
        notes = [
            f"{count} people-search {site} to check yourself",
            "No people-search page was fetched: these sites block automated lookups, and "
            "none in the catalogue is marked for fetching. Open each link yourself.",
        ]
        if not any(broker.search.url_template for broker in self._brokers):
            notes.append("No site here has a known search address: search on each site.")
        return SourceResult(accounts=accounts, notes=tuple(notes))
