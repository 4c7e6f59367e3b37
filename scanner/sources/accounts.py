"""Account discovery in a scan: every site on the list, for each of the subject's handles.

The same checks as `exposure-audit usernames` (scanner/sites/check.py: each list's rules,
walls are "blocked", a random-name control check per hit) over the merged site list
(scanner/sites/lists.py: WhatsMyName, Maigret and Sherlock; the copies `exposure-audit
sites update` installed where there are any, else the snapshots shipped with the
package), or the list given to the source (`scan --sites FILE.json`, a replay world's
sites.json). At most MAX_HANDLES handles. An account found this way only shares the username:
it gets UNTIED confidence and yields no leads; the report says nothing ties it to the
subject. Then the first MAX_PROFILES found accounts are read (scanner/sites/readers.py:
the site's reader, one request to its page or public API, else the page's standard markup
through scanner/sites/reveal.py; scanner.pagefetch: public addresses only, size cap). When
what it shows holds the subject's name, email, domain or another handle
(identity.tie_account), the account is TIED and what it shows becomes findings with the
account as source, each carrying the ties (so the pipeline's identity.learn learns from
them): name, place, employer, emails, links, the photo's address (as text, never
embedded) and what the bio holds (phones, emails, addresses, …). An account that ties
nothing has its details left out: it may be someone else's ("is it yours?"). Each found
account's removal steps end with how to delete it, when JustDeleteMe knows the site
(scanner/sites/deletion.py).
"""

from __future__ import annotations

from collections import Counter

from scanner.errors import SourceUnavailable
from scanner.extract import extract_text
from scanner.http import Http
from scanner.identity.accounts import AccountTie, tie_account
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
from scanner.sites.deletion import deletion_for, deletion_step
from scanner.sites.lists import merged_catalogue
from scanner.sites.readers import Reading, read_account
from scanner.sites.reveal import ProfileFacts
from scanner.sources.base import UNTIED, Source, pick, plain_handles

NAME = "accounts"
MAX_HANDLES = 3
CONCURRENCY = 32  # within a scan, beside the other sources; `usernames` goes wider
TIMEOUT = 10.0
MAX_PROFILES = 10  # found accounts whose public page is read, per run
BIO_KINDS = frozenset(
    {Kind.PHONE, Kind.EMAIL, Kind.HOME_ADDRESS, Kind.LOCATION, Kind.BIRTHDATE, Kind.AGE,
     Kind.EMPLOYER, Kind.SCHOOL}
)  # fmt: skip
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

    def catalogue(self) -> Catalogue:
        """The list given, else the merged one (loaded on first use, not at import)."""
        if self._catalogue is None:
            self._catalogue = merged_catalogue()
        return self._catalogue

    def applies_to(self, profile: Profile) -> bool:
        return bool(plain_handles(profile)) and bool(self.catalogue().sites)

    def skip_reason(self, profile: Profile) -> str:
        if not plain_handles(profile):
            return "the profile has no handles"
        return "the site list has no sites"

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        catalogue = self.catalogue()
        if not catalogue.sites:
            raise SourceUnavailable("the site list has no sites")
        handles, notes = pick(plain_handles(profile), self.title, MAX_HANDLES)
        observations: list[Observation] = []
        accounts: list[Account] = []
        reads = 0
        for handle in handles:
            results = await check_sites(
                catalogue.sites, handle, http, concurrency=CONCURRENCY, timeout=TIMEOUT
            )
            for result in results:
                if result.verdict is not Verdict.FOUND:
                    accounts.append(_account(result))
                    continue
                reading = Reading(None)
                if reads < MAX_PROFILES:
                    reads += 1
                    reading = await _read(http, result)
                seen, details = _found(result, reading, profile)
                observations.extend(seen)
                accounts.append(_account(result, details))
            notes.append(_summary(handle, results))
        if reads:
            said = [a.details.get("profile", "") for a in accounts]
            readable = sum(1 for text in said if text)
            tied = sum(1 for text in said if text.startswith("tied"))
            notes.append(
                f"{reads} found account page(s) opened: {readable} readable, {tied} tied to you"
            )
        return SourceResult(tuple(observations), tuple(accounts), notes=tuple(notes))


def _account(result: SiteResult, extra: dict[str, str] | None = None) -> Account:
    status = STATUS.get(result.verdict, AccountStatus.UNKNOWN)
    details = {
        "checked": result.verdict.value,
        "reason": result.reason,
        "site_category": result.site.cat,
        **(extra or {}),
    }
    return Account(result.site.name, result.url, result.username, status, details)


async def _read(http: Http, result: SiteResult) -> Reading:
    """What the found account shows: its reader's one request, else its page's markup.

    A hostile or broken answer that trips the reader costs that account's details only,
    never the other accounts of the scan."""
    account = result.site.account(result.username)
    try:
        return await read_account(http, result.site, account, result.url)
    except Exception as exc:  # one page must not sink account discovery
        return Reading(None, note=f"details unavailable: internal error ({type(exc).__name__})")


def _found(
    result: SiteResult, reading: Reading, profile: Profile
) -> tuple[list[Observation], dict[str, str]]:
    """A found account's observations, and what its account row says about its page.

    Only a page that ties the account to the subject (their name, email, domain or
    another handle on it) has its details reported; another person's profile stays out.
    """
    site, name, url = result.site.name, result.username, result.url
    facts = reading.facts
    said = {"reader": reading.reader.label} if reading.reader is not None else {}
    if reading.note:
        said["read"] = reading.note
    if not facts:
        return [_observation(result)], said
    tied = tie_account(profile, facts.texts(), looked_up=name)
    if not tied:
        return [_observation(result)], {**said, "profile": "read: nothing on it ties it to you"}
    account = Observation(
        Kind.ACCOUNT,
        url,
        SourceRef(NAME, url),
        f"{site}: an account named {name}; {tied.why}",
        tied.confidence,
        f"an account named {name} on {site}; {tied.why}",
        (_edit_step(site), *_deletion(url)),
        ties=tied.ties,
    )
    shown = _revealed(facts, site, url, profile, tied)
    return [account, *shown], {**said, "profile": f"tied: {tied.why}"}


def _revealed(
    facts: ProfileFacts, site: str, url: str, profile: Profile, tied: AccountTie
) -> list[Observation]:
    step = _edit_step(site)
    shown: list[tuple[Kind, str, str]] = [
        (Kind.REAL_NAME, facts.name, "name"),
        (Kind.LOCATION, facts.location, "location"),
        (Kind.EMPLOYER, facts.employer, "works for"),
        (Kind.PHOTO, facts.avatar, "profile photo"),
        *((Kind.EMAIL, email, "email") for email in facts.emails),
        *((Kind.WEBSITE, link, "link") for link in facts.links),
    ]
    names = (*profile.names, *profile.aliases)
    for item in extract_text(facts.bio, region=profile.country, subject_names=names):
        if item.kind in BIO_KINDS:
            shown.append((item.kind, item.value, f"bio: {item.evidence}"))
    return [
        Observation(
            kind,
            value,
            SourceRef(NAME, url),
            f"{site} profile, {label}" + ("" if label.startswith("bio:") else f": {value}"),
            tied.confidence,
            f"on your {site} profile",
            (step,),
            ties=tied.ties,
        )
        for kind, value, label in shown
        if value
    ]


def _deletion(url: str) -> tuple[RemovalStep, ...]:
    """How to delete the account, when JustDeleteMe knows the site (sites/deletion.py)."""
    entry = deletion_for(url)
    return (deletion_step(entry),) if entry is not None else ()


def _edit_step(site: str) -> RemovalStep:
    return RemovalStep(
        f"Edit or delete your {site} profile",
        f"Sign in to {site} and remove your real name, photo, location, employer and links "
        "from the profile, make it private, or delete the account if you no longer use it.",
    )


def _observation(result: SiteResult) -> Observation:
    site, name = result.site.name, result.username
    return Observation(
        Kind.ACCOUNT,
        result.url,
        SourceRef(NAME, result.url),
        f"{site}: an account named {name} ({result.reason})",
        UNTIED,
        f"an account named {name} exists on {site}; nothing checked ties it to you",
        (CHECK_STEP, *_deletion(result.url)),
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
