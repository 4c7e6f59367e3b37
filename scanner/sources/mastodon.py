"""Mastodon and the fediverse: the public profile behind each of the subject's addresses.

Only fediverse handles (name@instance.example), at most 5. Per address, only the address's
own host is asked (it must be a dotted DNS name; IP literals and reserved names such as
.local or .internal are refused):
1. GET https://{host}/.well-known/webfinger?resource=acct:{name}@{host}
   (404: no such account; 410: gone, i.e. suspended or deleted; stop there).
2. GET https://{host}/api/v1/accounts/lookup?acct={name} - the Account entity
   (404 / 401 / 403: the server is not Mastodon or wants sign-in for its API;
   410 or "suspended": true: the account exists but is suspended).
3. Only after a 401 / 403 / 404 in step 2: GET the WebFinger rel=self link (same host only)
   with Accept: application/activity+json - the ActivityPub actor. If that is refused too,
   the account is reported as found with a note that its profile could not be read.
Parsing is in mastodon_parse.py. A split-domain setup (WebFinger or actor on another
host) is not followed: the account is reported found with a note. The shared Http follows
redirects, so a redirecting host is still contacted once; what comes from another host
is not read. A refusal from one server stops further requests to that server only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from scanner.errors import Blocked, SourceError, SourceUnavailable
from scanner.http import Http
from scanner.models import Account, AccountStatus, Field, LookedUp, Profile, SourceResult
from scanner.sources.base import Source, check_status, fediverse_handles, found_with, json_body
from scanner.sources.mastodon_parse import (
    ACTOR_TYPES,
    NAME,
    SITE,
    Card,
    parse_webfinger,
    read_fields,
    split_address,
)
from scanner.sources.mastodon_parse import text as _text

TITLE = "Mastodon (fediverse)"
MAX_ADDRESSES = 5
JRD = "application/jrd+json, application/json;q=0.9"
ACTIVITY = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def pick_addresses(profile: Profile) -> tuple[list[str], list[str]]:
    """Up to MAX_ADDRESSES safe fediverse addresses, and notes about the ones skipped."""
    picked: list[str] = []
    notes: list[str] = []
    for handle in fediverse_handles(profile):
        parts = split_address(handle)
        if parts is None:
            notes.append(f"'{handle}' is not a fediverse address that can be looked up safely")
            continue
        address = f"{parts[0]}@{parts[1]}"
        if address.casefold() not in (p.casefold() for p in picked):
            picked.append(address)
    if len(picked) > MAX_ADDRESSES:
        notes.append(
            f"Mastodon: only the first {MAX_ADDRESSES} addresses were checked; "
            f"not checked: {', '.join(picked[MAX_ADDRESSES:])}"
        )
    return picked[:MAX_ADDRESSES], notes


def _same_host(response: httpx.Response, host: str) -> bool:
    return (response.url.host or "").lower() == host


def _found(address: str, url: str, note: str) -> SourceResult:
    account = Account(SITE, url, address, AccountStatus.FOUND, {"profile": "not read"})
    return SourceResult(accounts=(account,), notes=(f"{address}: {note}",))


def suspended(address: str, url: str, why: str) -> SourceResult:
    account = Account(SITE, url, address, AccountStatus.FOUND, {"suspended": why})
    return SourceResult(accounts=(account,), notes=(f"{address}: the account exists but {why}",))


def parse_account(data: Any, address: str, host: str, profile: Profile) -> SourceResult:
    """An Account entity (GET /api/v1/accounts/lookup?acct=name) for `address`."""
    if not isinstance(data, dict) or not _text(data, "username") or not _text(data, "id"):
        raise SourceUnavailable(f"{host} sent an account without an id or username")
    name = address.split("@", 1)[0]
    if _text(data, "username").casefold() != name.casefold():
        raise SourceUnavailable(f"{host} answered with another account")
    url = _text(data, "url", 1000) or f"https://{host}/@{name}"
    if data.get("suspended") is True:
        return suspended(address, url, f"is suspended on {host}")
    moved = data.get("moved")
    moved_acct = _text(moved, "acct", 200)
    if moved_acct and "@" not in moved_acct:
        moved_acct = f"{moved_acct}@{host}"
    counts = ("statuses_count", "followers_count", "following_count")
    details = tuple((key, str(data[key])) for key in counts if isinstance(data.get(key), int))
    card = Card(
        address,
        host,
        url,
        username=_text(data, "username"),
        display_name=_text(data, "display_name", 200),
        note=_text(data, "note", 20_000),
        avatar=_text(data, "avatar", 1000),
        created_at=_text(data, "created_at", 40),
        fields=tuple(read_fields(data.get("fields"))),
        moved=moved_acct if split_address(moved_acct) else "",
        details=details,
    )
    return card.result(profile)


def parse_actor(
    data: Any, address: str, host: str, profile: Profile, why: str = ""
) -> SourceResult:
    """An ActivityPub actor (the WebFinger rel=self link) for `address`; links are unverified."""
    actor_id = _text(data, "id", 1000)
    if not isinstance(data, dict) or _text(data, "type") not in ACTOR_TYPES or not actor_id:
        raise SourceUnavailable(f"{host} sent something that is not an ActivityPub actor")
    if (urlsplit(actor_id).hostname or "").lower() != host:
        raise SourceUnavailable(f"{host} sent an actor from another server")
    icon = data.get("icon")
    icon = icon[0] if isinstance(icon, list) and icon else icon
    attachment = data.get("attachment")
    attachments = [
        {"name": a.get("name"), "value": a.get("value")}
        for a in (attachment if isinstance(attachment, list) else [attachment])
        if isinstance(a, dict) and a.get("type") == "PropertyValue"
    ]
    url = _text(data, "url", 1000)
    card = Card(
        address,
        host,
        url if url.startswith("http") else actor_id,
        username=_text(data, "preferredUsername"),
        display_name=_text(data, "name", 200),
        note=_text(data, "summary", 20_000),
        avatar=_text(icon, "url", 1000),
        created_at=_text(data, "published", 40),
        fields=tuple(read_fields(attachments)),
    )
    origin = f"ActivityPub actor ({why})" if why else "ActivityPub actor"
    return card.result(profile, origin=origin)


async def lookup_address(http: Http, address: str, profile: Profile) -> SourceResult:
    """Everything about one address (see the module docstring for the steps)."""
    name, host = address.split("@", 1)
    page = f"https://{host}/@{name}"
    response = await http.get(
        f"https://{host}/.well-known/webfinger",
        params={"resource": f"acct:{name}@{host}"},
        headers={"Accept": JRD},
    )
    if response.status_code == 404:
        return SourceResult(accounts=(Account(SITE, page, address, AccountStatus.NOT_FOUND),))
    if response.status_code == 410:
        return suspended(address, page, f"{host} says it is gone (suspended or deleted)")
    check_status(response, host)
    if not _same_host(response, host):
        raise SourceUnavailable(f"{host} sends WebFinger requests to {response.url.host}")
    finger = parse_webfinger(json_body(response, host))
    if finger.page.lower().startswith(f"https://{host}/"):
        page = finger.page
    if finger.actor and not finger.actor.lower().startswith(f"https://{host}/"):
        return _found(address, page, f"its profile is on another server; only {host} is asked")

    response = await http.get(
        f"https://{host}/api/v1/accounts/lookup",
        params={"acct": name},
        headers={"Accept": "application/json"},
    )
    status = response.status_code
    if status == 410:
        return suspended(address, page, f"is suspended on {host}")
    if status == 200 and _same_host(response, host):
        return parse_account(json_body(response, host), address, host, profile)
    if status not in (401, 403, 404):
        check_status(response, host)
        raise SourceUnavailable(f"{host} answered the account lookup with HTTP {status}")
    why = f"the API answered HTTP {status}"
    if not finger.actor:
        return _found(address, page, f"profile not read ({why}; no ActivityPub link)")
    response = await http.get(finger.actor, headers={"Accept": ACTIVITY})
    if response.status_code in (401, 403):
        refused = f"{host} wants signed requests (HTTP {response.status_code})"
        return _found(address, page, f"profile not read ({why}; {refused})")
    if response.status_code == 410:
        return suspended(address, page, f"{host} says it is gone (suspended or deleted)")
    check_status(response, host)
    if response.status_code == 404 or not _same_host(response, host):
        return _found(address, page, f"profile not read ({why}; no actor on {host})")
    return parse_actor(json_body(response, host), address, host, profile, why)


async def lookup_all(
    addresses: list[str],
    lookup: Callable[[str], Awaitable[SourceResult]],
    notes: list[str],
) -> SourceResult:
    """Each address in turn; after a refusal nothing more is sent to that server.

    Like base.lookup_each, but per server (one instance's rate limit says nothing about
    another's) and keeping leads. Raises the first error when nothing was found.
    """
    parts: list[SourceResult] = []
    errors: list[SourceError] = []
    refused: dict[str, str] = {}
    for address in addresses:
        host = address.split("@", 1)[1]
        try:
            if host in refused:
                raise Blocked(refused[host])
            parts.append(found_with(await lookup(address), LookedUp(Field.HANDLES, address)))
        except SourceError as exc:
            if isinstance(exc, Blocked):
                refused.setdefault(host, str(exc))
            errors.append(exc)
            notes.append(f"{address}: not checked ({exc})")
            unknown = Account(
                SITE, f"https://{host}/@{address.split('@')[0]}", address, AccountStatus.UNKNOWN
            )
            parts.append(SourceResult(accounts=(unknown,)))
    accounts = tuple(a for part in parts for a in part.accounts)
    if errors and not any(a.status is AccountStatus.FOUND for a in accounts):
        raise errors[0]
    return SourceResult(
        observations=tuple(o for part in parts for o in part.observations),
        accounts=accounts,
        documents=tuple(d for part in parts for d in part.documents),
        notes=(*notes, *(n for part in parts for n in part.notes)),
        leads=tuple(lead for part in parts for lead in part.leads),
    )


class MastodonSource(Source):
    name = NAME
    title = TITLE
    needs = frozenset({"handles"})

    def applies_to(self, profile: Profile) -> bool:
        return bool(fediverse_handles(profile))

    def skip_reason(self, profile: Profile) -> str:
        return "the profile has no fediverse address (name@instance.example)"

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        addresses, notes = pick_addresses(profile)
        if not addresses:
            return SourceResult(notes=tuple(notes))
        return await lookup_all(
            addresses, lambda address: lookup_address(http, address, profile), notes
        )
