"""Account discovery in a scan: every site on the list, for each of the subject's handles.

The same checks as `exposure-audit usernames` (scanner/sites/check.py: WhatsMyName rules,
walls are "blocked", a random-name control check per hit) over the site list installed by
`exposure-audit sites update`. Without that list the source does not run and says how to
get it. At most MAX_HANDLES handles. An account found this way only shares the username:
it gets UNTIED confidence and yields no leads; the report says nothing ties it to the
subject.
"""

from __future__ import annotations

from collections import Counter

from scanner.errors import InputError, SourceUnavailable
from scanner.http import Http
from scanner.models import (
    Account,
    AccountStatus,
    Kind,
    Observation,
    Profile,
    RemovalStep,
    SourceRef,
    SourceResult,
)
from scanner.sites.catalogue import Catalogue
from scanner.sites.check import SiteResult, Verdict, check_sites
from scanner.sites.update import installed_catalogue
from scanner.sources.base import UNTIED, Source, pick, plain_handles

NAME = "accounts"
MAX_HANDLES = 3
CONCURRENCY = 32  # within a scan, beside the other sources; `usernames` goes wider
TIMEOUT = 10.0
STATUS = {
    Verdict.FOUND: AccountStatus.FOUND,
    Verdict.NOT_FOUND: AccountStatus.NOT_FOUND,
}
CHECK_STEP = RemovalStep(
    "Check whether this account is yours",
    "Open the page. If the account is yours and you no longer use it, delete it in the "
    "site's account settings; if you keep it, remove your real name, photo, location and "
    "links from its profile or make it private. If it is not yours, ignore it: someone else "
    "uses the same name there.",
)


class AccountsSource(Source):
    name = NAME
    title = "Account discovery (site list)"
    needs = frozenset({"handles"})

    def __init__(self, catalogue: Catalogue | None = None) -> None:
        self._catalogue = catalogue

    def catalogue(self) -> Catalogue | None:
        if self._catalogue is None:
            try:
                self._catalogue = installed_catalogue()
            except InputError:  # an unreadable copy: as if there were none
                return None
        return self._catalogue

    def applies_to(self, profile: Profile) -> bool:
        return bool(plain_handles(profile)) and self.catalogue() is not None

    def skip_reason(self, profile: Profile) -> str:
        if not plain_handles(profile):
            return "the profile has no handles"
        return "no site list yet: run `exposure-audit sites update` once"

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        catalogue = self.catalogue()
        if catalogue is None:
            raise SourceUnavailable("no site list: run `exposure-audit sites update`")
        handles, notes = pick(plain_handles(profile), self.title, MAX_HANDLES)
        observations: list[Observation] = []
        accounts: list[Account] = []
        for handle in handles:
            results = await check_sites(
                catalogue.sites, handle, http, concurrency=CONCURRENCY, timeout=TIMEOUT
            )
            for result in results:
                accounts.append(_account(result))
                if result.verdict is Verdict.FOUND:
                    observations.append(_observation(result))
            notes.append(_summary(handle, results))
        return SourceResult(tuple(observations), tuple(accounts), notes=tuple(notes))


def _account(result: SiteResult) -> Account:
    status = STATUS.get(result.verdict, AccountStatus.UNKNOWN)
    details = {
        "checked": result.verdict.value,
        "reason": result.reason,
        "site_category": result.site.cat,
    }
    return Account(result.site.name, result.url, result.username, status, details)


def _observation(result: SiteResult) -> Observation:
    site, name = result.site.name, result.username
    return Observation(
        Kind.ACCOUNT,
        result.url,
        SourceRef(NAME, result.url),
        f"{site}: an account named {name} ({result.reason})",
        UNTIED,
        f"an account named {name} exists on {site}; nothing checked ties it to you",
        (CHECK_STEP,),
    )


def _summary(handle: str, results: list[SiteResult]) -> str:
    counts = Counter(result.verdict for result in results)
    unreliable = sum(result.unreliable for result in results)
    text = (
        f"{handle}: {len(results)} sites checked: {counts[Verdict.FOUND]} found, "
        f"{counts[Verdict.NOT_FOUND]} not found, {counts[Verdict.BLOCKED]} blocked, "
        f"{counts[Verdict.UNKNOWN]} could not tell, {counts[Verdict.SKIPPED]} skipped"
    )
    return f"{text}; {unreliable} said every name exists" if unreliable else text
