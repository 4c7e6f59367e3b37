"""Stack Exchange: Stack Overflow users named exactly like one of the subject's handles.

API 2.3, no key (300 requests a day per IP). There is no lookup by exact username, so per
plain handle (at most 5): GET https://api.stackexchange.com/2.3/users?inname={handle}&site=
stackoverflow&filter=default&pagesize=20 (a "contains" search, highest reputation first),
keep only users whose display_name equals the handle ignoring case (at most 3; the rest are
other people), then one GET /2.3/users/{account_id;...}/associated?pagesize=100 for their
profiles on the other network sites. No exact match among more than 20 results: UNKNOWN.

Read: display_name, location, website_url (http(s) only), link, profile_image (not when it
is a Gravatar identicon: whether a picture stands behind one cannot be told), reputation,
creation_date, user_id, account_id, and about_me if present (the default filter leaves it
out; HTML, so a Document with is_html). Associated: site_name, site_url, user_id,
reputation, creation_date. The default ("safe") filter HTML-escapes strings: unescaped here.
Confidence: identity.tie_account() on name, location, website, about text. Lead: a tied user's
website_url host (base.personal_domain) as "domains".

Limits: a wrapper `backoff` (do not call again for that many seconds) or quota_remaining 0
stops every further request, with a note. Errors: {error_id, error_name, error_message}
(documented, not in the stored captures, like website_url); error_id 502
throttle_violation (HTTP 400), HTTP 429 and 401/403 are Blocked, the rest SourceUnavailable.
A failed associated call keeps the users found and notes the gap.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from scanner.errors import Blocked, SourceError, SourceUnavailable
from scanner.extract.html import html_to_text
from scanner.http import Http
from scanner.identity.accounts import tie_account
from scanner.models import (
    Account,
    AccountStatus,
    Document,
    Field,
    Kind,
    Lead,
    Observation,
    Profile,
    RemovalStep,
    SourceRef,
    SourceResult,
)
from scanner.sources.base import (
    HandleSource,
    check_status,
    json_body,
    lookup_each,
    personal_domain,
    pick,
    plain_handles,
)

NAME = "stackexchange"
SITE = "Stack Exchange"
API = "https://api.stackexchange.com/2.3"
WEB = "https://stackoverflow.com"
MAX_HANDLES = 5
MAX_MATCHES = 3
PAGESIZE = 20
MAX_TEXT = 300
MAX_ABOUT = 20_000
THROTTLE_VIOLATION = 502

DELETE_STEP = RemovalStep(
    "Delete the Stack Exchange profile",
    "Open your profile's Edit page and choose 'Delete profile' in the menu on the left, then "
    "confirm. It deletes the profile on that one site only: repeat it on every Stack Exchange "
    "site where you have one. Your posts stay, shown under an anonymous 'user' number.",
    "https://stackoverflow.com/help/deleting-account",
)


def profile_step(site_url: str, user_id: str) -> RemovalStep:
    return RemovalStep(
        "Edit your Stack Exchange profile",
        "On your profile choose 'Edit profile', clear or change the location, website link, "
        "'About me' text and profile picture, and save. Each Stack Exchange site keeps its own "
        "copy of the profile.",
        f"{site_url}/users/edit/{user_id}" if user_id else site_url,
    )


def search_page(handle: str) -> str:
    return f"{WEB}/users?search={quote(handle, safe='')}"


def _text(data: Any, key: str, limit: int = MAX_TEXT) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    return " ".join(html.unescape(value).split())[:limit] if isinstance(value, str) else ""


def _number(data: Any, key: str) -> int | None:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _date(data: Any, key: str) -> str:
    value = _number(data, key)
    try:
        return datetime.fromtimestamp(value, UTC).date().isoformat() if value else ""
    except (OverflowError, OSError, ValueError):
        return ""


def _items(data: Any) -> list[dict[str, Any]]:
    """The wrapper's items, or SourceUnavailable when it is not a wrapper."""
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise SourceUnavailable("Stack Exchange sent a response without items")
    return [item for item in items if isinstance(item, dict)]


def exact_matches(data: Any, handle: str) -> list[dict[str, Any]]:
    """GET /users?inname=: the users whose display name is the handle, ignoring case."""
    wanted = handle.casefold()
    return [user for user in _items(data) if _text(user, "display_name").casefold() == wanted]


def parse_associated(data: Any) -> dict[int, list[dict[str, Any]]]:
    """GET /users/{ids}/associated: each account_id's network profiles."""
    sites: dict[int, list[dict[str, Any]]] = {}
    for item in _items(data):
        account_id = _number(item, "account_id")
        if account_id is not None and _text(item, "site_url").startswith(("http://", "https://")):
            sites.setdefault(account_id, []).append(item)
    return sites


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def parse_user(
    user: dict[str, Any],
    profile: Profile,
    handle: str,
    associated: Sequence[dict[str, Any]] = (),
) -> SourceResult:
    """One Stack Overflow user (a /users item) and its other network profiles."""
    name, location = _text(user, "display_name"), _text(user, "location")
    website, image = _text(user, "website_url", 2000), _text(user, "profile_image", 2000)
    website = website if website.startswith(("https://", "http://")) else ""
    user_id = str(_number(user, "user_id") or "")
    link = _text(user, "link", 2000)
    if not link.startswith("https://"):
        if not user_id:
            raise SourceUnavailable("Stack Exchange sent a user without a link or user_id")
        link = f"{WEB}/users/{user_id}"
    about_html = user.get("about_me") if isinstance(user.get("about_me"), str) else ""
    about = html_to_text(str(about_html)[:MAX_ABOUT]) if about_html else ""
    tied = tie_account(profile, [name, location, website, about], looked_up=handle)
    why, confidence = tied.why, tied.confidence
    reason = tied.reason(
        f"the Stack Overflow user {name}", f"a Stack Overflow user named {name} exists"
    )
    source = SourceRef(NAME, link)
    removal = (profile_step(f"https://{_host(link)}", user_id), DELETE_STEP)
    others = [site for site in associated if _host(_text(site, "site_url")) != _host(link)]
    reputation, joined = _number(user, "reputation"), _date(user, "creation_date")
    evidence = f"Stack Overflow user {name}"
    if reputation is not None:
        evidence += f", reputation {reputation}"
    if joined:
        evidence += f", joined {joined}"
    if others:
        evidence += "; also on " + ", ".join(_text(site, "site_name") for site in others)

    def obs(kind: Kind, value: str, text: str) -> Observation:
        return Observation(kind, value, source, text, confidence, reason, removal, ties=tied.ties)

    observations = [obs(Kind.ACCOUNT, link, evidence)]
    if location:
        observations.append(obs(Kind.LOCATION, location, f"Location: {location}"))
    if website:
        observations.append(obs(Kind.WEBSITE, website, f"Website: {website}"))
    if image.startswith("https://") and "d=identicon" not in image:
        observations.append(obs(Kind.PHOTO, image, "Stack Overflow profile picture"))
    documents: tuple[Document, ...] = ()
    if about_html:
        label = "Stack Overflow 'About me'"
        text = str(about_html)[:MAX_ABOUT]
        documents = (
            Document(link, text, label, confidence, reason, True, removal[:1], ties=tied.ties),
        )
    details = {
        "reputation": "" if reputation is None else str(reputation),
        "joined": joined,
        "location": location,
        "website": website,
        "other_sites": ", ".join(_text(site, "site_name") for site in others),
    }
    found = {key: value for key, value in details.items() if value}
    accounts = [Account("Stack Overflow", link, name, AccountStatus.FOUND, found)]
    for site in others:
        site_url, site_user = _text(site, "site_url").rstrip("/"), _number(site, "user_id")
        url = f"{site_url}/users/{site_user}" if site_user else site_url
        site_details = {"reputation": str(_number(site, "reputation") or 0)}
        if _date(site, "creation_date"):
            site_details["joined"] = _date(site, "creation_date")
        label = _text(site, "site_name") or _host(site_url)
        accounts.append(Account(label, url, name, AccountStatus.FOUND, site_details))
    leads: tuple[Lead, ...] = ()
    domain = personal_domain(website) if why and website else ""
    if domain:
        lead_reason = f"the website on your Stack Overflow profile ({why})"
        leads = (Lead("domains", domain, source, lead_reason, found_from=handle),)
    return SourceResult(tuple(observations), tuple(accounts), documents, leads=leads)


def check_stackexchange(response: httpx.Response) -> None:
    """Raise Blocked / SourceUnavailable for an error wrapper, refusal or failure."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "error_id" in body:
        error_id = body.get("error_id")
        words = _text(body, "error_message", 200) or _text(body, "error_name", 100)
        if error_id == THROTTLE_VIOLATION or response.status_code == 429:
            raise Blocked(f"Stack Exchange throttled requests from this network ({words})")
        if response.status_code in (401, 403):
            raise Blocked(f"Stack Exchange refused the request ({words})")
        raise SourceUnavailable(f"Stack Exchange answered error {error_id} ({words})")
    check_status(response, SITE)
    if response.status_code == 404:
        raise SourceUnavailable("Stack Exchange answered HTTP 404")


@dataclass
class _Api:
    """Stack Exchange calls; after a refusal, backoff or empty quota it sends nothing more."""

    http: Http
    stopped: str | None = None

    async def get(self, path: str, params: dict[str, str]) -> Any:
        if self.stopped is not None:
            raise Blocked(self.stopped)
        headers = {"Accept": "application/json"}
        response = await self.http.get(API + path, params=params, headers=headers)
        try:
            check_stackexchange(response)
        except Blocked as exc:
            self.stopped = str(exc)
            raise
        data = json_body(response, SITE)
        backoff = _number(data, "backoff")
        if backoff:
            self.stopped = f"Stack Exchange asked for a {backoff} s pause before more requests"
        elif _number(data, "quota_remaining") == 0:
            self.stopped = "Stack Exchange's daily request quota for this network is used up"
        return data


async def _lookup(api: _Api, profile: Profile, handle: str) -> SourceResult:
    params = {"inname": handle, "site": "stackoverflow", "filter": "default"}
    data = await api.get("/users", {**params, "pagesize": str(PAGESIZE)})
    matches = exact_matches(data, handle)
    notes: list[str] = []
    if not matches:
        more = isinstance(data, dict) and data.get("has_more") is True
        status = AccountStatus.UNKNOWN if more else AccountStatus.NOT_FOUND
        if more:
            notes.append(
                f"{handle}: more than {PAGESIZE} Stack Overflow users have names containing "
                "it; none of the first ones is named exactly like it, later ones were not read"
            )
        account = Account("Stack Overflow", search_page(handle), handle, status)
        return SourceResult(accounts=(account,), notes=tuple(notes))
    if len(matches) > MAX_MATCHES:
        notes.append(
            f"{handle}: {len(matches)} Stack Overflow users have this name; only the "
            f"{MAX_MATCHES} with the highest reputation were read"
        )
        matches = matches[:MAX_MATCHES]
    ids = [str(i) for i in (_number(user, "account_id") for user in matches) if i is not None]
    associated: dict[int, list[dict[str, Any]]] = {}
    if ids and api.stopped is not None:
        notes.append(f"{handle}: other Stack Exchange sites not listed ({api.stopped})")
    elif ids:
        try:
            answer = await api.get(f"/users/{';'.join(ids)}/associated", {"pagesize": "100"})
            associated = parse_associated(answer)
        except SourceError as exc:  # what the search found stays; the gap is noted
            notes.append(f"{handle}: other Stack Exchange sites not listed ({exc})")
        else:
            if isinstance(answer, dict) and answer.get("has_more") is True:
                notes.append(f"{handle}: only the first 100 other Stack Exchange profiles listed")
    parts = [
        parse_user(user, profile, handle, associated.get(_number(user, "account_id") or -1, []))
        for user in matches
    ]
    return SourceResult(
        observations=tuple(o for part in parts for o in part.observations),
        accounts=tuple(a for part in parts for a in part.accounts),
        documents=tuple(d for part in parts for d in part.documents),
        notes=tuple(notes),
        leads=tuple(dict.fromkeys(lead for part in parts for lead in part.leads)),
    )


def pick_handles(profile: Profile) -> tuple[list[str], list[str]]:
    """Up to MAX_HANDLES plain handles (case-insensitively distinct), and a note on the rest."""
    return pick(plain_handles(profile), SITE, MAX_HANDLES)


class StackExchangeSource(HandleSource):
    name = NAME
    title = SITE

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        api = _Api(http)
        handles, notes = pick_handles(profile)
        return await lookup_each(
            handles,
            lambda handle: _lookup(api, profile, handle),
            lambda handle: Account(
                "Stack Overflow", search_page(handle), handle, AccountStatus.UNKNOWN
            ),
            notes,
            field=Field.HANDLES,
        )
