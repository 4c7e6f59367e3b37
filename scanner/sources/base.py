"""The Source interface, its helpers and its error base.

A source has a stable `name`, a human `title`, the profile fields it `needs` (it runs when
at least one of them is non-empty, otherwise the pipeline records it as skipped), and
`async search(profile, http) -> SourceResult`. Network only inside `search`, through the
injected `Http`; parsing in pure functions that tests call on recorded responses.
"Nothing there" is an empty result; "could not tell" raises Blocked; "could not check"
raises SourceUnavailable. A source never prints.
"""

from __future__ import annotations

import json
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import urlsplit

import httpx
import phonenumbers

from scanner.errors import Blocked, SourceError, SourceUnavailable
from scanner.http import Agent, Http
from scanner.identity import Basis, confidence_of
from scanner.identity.accounts import tie_account
from scanner.models import Account, AccountStatus, Field, LookedUp, Profile, SourceRef, SourceResult

T = TypeVar("T")
Need = Literal["names", "handles", "emails", "phones", "locations", "domains", "affiliations"]


class Source(ABC):
    name: ClassVar[str]  # stable id, used in --sources and report.json
    title: ClassVar[str]  # shown to people
    needs: ClassVar[frozenset[Need]]  # runs when any of these profile fields is non-empty
    # False for a source that asks no service anything (a list of places to check by hand):
    # its run alone does not make a scan "checked".
    asks: ClassVar[bool] = True
    # The environment variable holding this source's API key, when it takes one (`doctor`
    # lists which are set, never their values).
    key_env: ClassVar[str | None] = None
    # Which User-Agent its requests carry (the pipeline hands it `http.speaking_as(agent)`):
    # a common browser's, unless the API asks clients to identify themselves (IDENTIFIED).
    agent: ClassVar[Agent] = Agent.BROWSER

    @classmethod
    def api_key(cls) -> str | None:
        """The API key from `key_env`, or None when unset or blank."""
        if cls.key_env is None:
            return None
        return os.environ.get(cls.key_env, "").strip() or None

    def applies_to(self, profile: Profile) -> bool:
        return any(getattr(profile, need) for need in self.needs)

    def skip_reason(self, profile: Profile) -> str:
        """Why the source does not run for this profile (shown as "not run: …")."""
        return f"the profile has no {' or '.join(sorted(self.needs))}"

    @abstractmethod
    async def search(self, profile: Profile, http: Http) -> SourceResult:
        """Look the subject up. Raise Blocked or SourceUnavailable when it cannot."""


class HandleSource(Source):
    """A source that looks up the subject's plain handles (a fediverse address is no
    username on a single site)."""

    needs: ClassVar[frozenset[Need]] = frozenset({"handles"})

    def applies_to(self, profile: Profile) -> bool:
        return bool(plain_handles(profile))


class EachHandleSource(HandleSource):
    """One request flow per handle on one site, in turn (lookup_each: a refusal stops the
    rest, which are marked unknown with the site's profile address)."""

    @abstractmethod
    def handles_of(self, profile: Profile) -> tuple[list[str], list[str]]:
        """The handles to look up and notes on the ones skipped (usually `pick`)."""

    @abstractmethod
    def page_of(self, handle: str) -> str:
        """The public profile address of `handle` on the site."""

    @abstractmethod
    async def lookup(self, http: Http, profile: Profile, handle: str) -> SourceResult:
        """Everything the site shows for one handle."""

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        handles, notes = self.handles_of(profile)
        return await lookup_each(
            handles,
            lambda handle: self.lookup(http, profile, handle),
            lambda handle: Account(self.title, self.page_of(handle), handle, AccountStatus.UNKNOWN),
            notes,
            field=Field.HANDLES,
        )


def check_status(response: httpx.Response, service: str) -> None:
    """Turn a refusal or server failure into the matching SourceError.

    2xx and 404 pass (404 means "nothing there" for most APIs; callers decide).
    """
    status = response.status_code
    if status == 429:
        raise Blocked(f"{service} rate limit reached (HTTP 429){_retry_hint(response)}")
    if status in (401, 403):
        raise Blocked(f"{service} refused the request (HTTP {status})")
    if status >= 500:
        raise SourceUnavailable(f"{service} failed (HTTP {status})")
    if status >= 400 and status != 404:
        raise SourceUnavailable(f"{service} answered HTTP {status}")


def json_body(response: httpx.Response, service: str) -> Any:
    """The response's JSON, or SourceUnavailable naming the service."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceUnavailable(f"{service} sent a response that is not JSON") from exc


def _retry_hint(response: httpx.Response) -> str:
    value = response.headers.get("retry-after")
    return f"; retry after {value} s" if value and value.isdigit() else ""


def reset_time(value: str | None) -> str:
    """An X-RateLimit-Reset unix time as "17:05 UTC" ("" when absent or unreadable)."""
    if not value or not value.strip().isdigit():
        return ""
    return datetime.fromtimestamp(int(value), UTC).strftime("%H:%M UTC")


def found_with(result: SourceResult, lookup: LookedUp) -> SourceResult:
    """The result with `lookup` recorded on every sighting: what showed those pages."""

    def ref(source: SourceRef) -> SourceRef:
        if lookup in source.looked_up:
            return source
        return replace(source, looked_up=(*source.looked_up, lookup))

    observations = tuple(replace(o, source=ref(o.source)) for o in result.observations)
    documents = tuple(
        d if lookup in d.looked_up else replace(d, looked_up=(*d.looked_up, lookup))
        for d in result.documents
    )
    return replace(result, observations=observations, documents=documents)


async def lookup_each(
    items: Sequence[str],
    lookup: Callable[[str], Awaitable[SourceResult]],
    unknown: Callable[[str], Account],
    notes: Sequence[str] = (),
    *,
    field: Field,
) -> SourceResult:
    """Look each identifier (of the profile field `field`) up in turn and put the answers
    together, each sighting marked with the identifier that found it.

    After a refusal (Blocked) nothing more is sent: the remaining identifiers are marked
    unknown with the refusal as reason, so a rate limit is never hammered. Results found
    before a failure survive, with a note on what was not checked; only when nothing was
    found is the first error raised, so the run shows as blocked / could not check.
    """
    parts: list[SourceResult] = []
    errors: list[SourceError] = []
    all_notes = list(notes)
    for item in items:
        refused = next((e for e in errors if isinstance(e, Blocked)), None)
        try:
            if refused is not None:
                raise Blocked(str(refused))
            parts.append(found_with(await lookup(item), LookedUp(field, item)))
        except SourceError as exc:
            errors.append(exc)
            all_notes.append(f"{item}: not checked ({exc})")
            parts.append(SourceResult(accounts=(unknown(item),)))
    accounts = tuple(a for part in parts for a in part.accounts)
    if errors and not any(a.status is AccountStatus.FOUND for a in accounts):
        raise errors[0]
    return SourceResult(
        observations=tuple(o for part in parts for o in part.observations),
        accounts=accounts,
        documents=tuple(d for part in parts for d in part.documents),
        notes=(*all_notes, *(n for part in parts for n in part.notes)),
        leads=tuple(dict.fromkeys(lead for part in parts for lead in part.leads)),
    )


def plain_handles(profile: Profile) -> list[str]:
    """The profile's handles that are site usernames (not fediverse name@instance)."""
    return [handle for handle in profile.handles if "@" not in handle]


def fediverse_handles(profile: Profile) -> list[str]:
    """The profile's fediverse addresses (name@instance.example)."""
    return [handle for handle in profile.handles if "@" in handle]


# Account verdicts come from scanner.identity.accounts (tie_account); these two names are
# the confidences account sources start from.
UNTIED = confidence_of(Basis.UNTIED)
TIED = confidence_of(Basis.TIED)


def tie(profile: Profile, texts: Iterable[str], looked_up: str = "") -> str:
    """tie_account's clause ("it shows your name Jordan Testwell"), "" when nothing ties."""
    return tie_account(profile, texts, looked_up).why


# Hosts of platforms, link shorteners and link-in-bio services: a link to them is not
# a personal domain, so it is never a "domains" lead (RDAP would only describe the platform).
_PLATFORMS = """
    github.com github.io gitlab.com gitlab.io bitbucket.org keybase.io keybase.pub gravatar.com
    twitter.com x.com facebook.com fb.com instagram.com threads.net linkedin.com youtube.com
    youtu.be tiktok.com reddit.com news.ycombinator.com stackoverflow.com stackexchange.com
    medium.com substack.com wordpress.com blogspot.com tumblr.com pinterest.com twitch.tv
    discord.gg discord.com t.me telegram.me mastodon.social mastodon.online bsky.app
    linktr.ee about.me carrd.co bit.ly t.co goo.gl tinyurl.com google.com sites.google.com
    docs.google.com drive.google.com dropbox.com patreon.com ko-fi.com buymeacoffee.com
    paypal.me flickr.com vimeo.com soundcloud.com spotify.com behance.net dribbble.com
    wikipedia.org npmjs.com pypi.org codepen.io replit.com hashnode.dev dev.to notion.site
    netlify.app vercel.app herokuapp.com pages.dev
"""
PLATFORM_HOSTS = frozenset(_PLATFORMS.split())


def personal_domain(url: str) -> str:
    """The host of a link if it may be the subject's own site, else "".

    "" for platform hosts and their subdomains (jdoe.github.io is GitHub's), IP addresses,
    single-label and reserved names; otherwise the lower-case host without "www.".
    """
    text = url.strip()
    if "://" not in text:
        text = f"https://{text}"
    try:
        host = (urlsplit(text).hostname or "").rstrip(".").lower().removeprefix("www.")
    except ValueError:
        return ""
    if "." not in host or host.replace(".", "").isdigit() or ":" in host:
        return ""
    labels = host.split(".")
    if any(".".join(labels[i:]) in PLATFORM_HOSTS for i in range(len(labels))):
        return ""
    if labels[-1] in ("local", "localhost", "internal", "invalid", "test", "onion", "arpa"):
        return ""
    return host


def normalise_phone(raw: str, region: str) -> str:
    """E.164 when phonenumbers can read it as a possible number, else the text as written."""
    try:
        number = phonenumbers.parse(raw, region or None)
    except phonenumbers.NumberParseException:
        return raw.strip()
    if not phonenumbers.is_possible_number(number):
        return raw.strip()
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def pick(
    values: Iterable[str],
    site: str,
    limit: int,
    *,
    what: str = "handles",
    valid: re.Pattern[str] | None = None,
    rule: str = "",
    case_sensitive: bool = False,
) -> tuple[list[str], list[str]]:
    """The identifiers a source will look up, and notes on the ones it will not.

    Drops repeats (ignoring case unless the site's names are case-sensitive); an identifier
    the site's rules (`valid`, a full-match pattern; `rule` says it in words) reject is not
    sent but noted; past `limit` the rest are noted as not checked.
    """
    picked: list[str] = []
    notes: list[str] = []
    seen: set[str] = set()
    for value in values:
        if valid is not None and not valid.fullmatch(value):
            detail = f" ({rule})" if rule else ""
            notes.append(f"'{value}' cannot be a {site} username{detail}; not checked on {site}")
            continue
        key = value if case_sensitive else value.casefold()
        if key not in seen:
            seen.add(key)
            picked.append(value)
    if len(picked) > limit:
        rest = ", ".join(picked[limit:])
        notes.append(f"{site}: only the first {limit} {what} were checked; not checked: {rest}")
    return picked[:limit], notes
