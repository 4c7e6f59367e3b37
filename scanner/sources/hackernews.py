"""Hacker News: the public profile behind each of the subject's plain handles.

One read-only GET per handle, at most 5 handles:
GET https://hacker-news.firebaseio.com/v0/user/{id}.json -> {id, created (unix time),
karma, about (optional, HTML), submitted (item ids)}. A missing user is JSON `null`
(documented only as common knowledge of the Firebase API; a 404 is read the same way).
HN usernames are case-sensitive, 2-15 characters of letters, digits, '_' and '-': other
handles are not sent (noted), and "Jl" and "jl" are two different lookups.

Read into: an ACCOUNT observation for the profile page
(https://news.ycombinator.com/user?id={id}); the account's details hold karma, the date
joined (from `created`, UTC) and the number of submissions. `about` is free text holding
HTML (HN writes <p>, <a href>, <i> and escapes such as &#x2F;): it becomes a Document
(is_html=True) for the extractors, and its visible text is fed to identity.tie_account().

Confidence: TIED when tie_account() finds something the subject gave us in `about`, else UNTIED.
No leads: the only text on an HN profile is `about`, and free text is never a lead source.
Limits: the API documents no rate limit; 429 and 401/403 -> Blocked, 5xx ->
SourceUnavailable. Not known: whether fields other than those in the docs sample appear
(e.g. `delay`); they are not read.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from scanner.errors import SourceUnavailable
from scanner.extract.html import html_to_text
from scanner.http import Http
from scanner.identity.accounts import tie_account
from scanner.models import (
    Account,
    AccountStatus,
    Document,
    Kind,
    Observation,
    Profile,
    RemovalStep,
    SourceRef,
    SourceResult,
)
from scanner.sources.base import (
    EachHandleSource,
    check_status,
    json_body,
    pick,
    plain_handles,
)

NAME = "hackernews"
SITE = "Hacker News"
API = "https://hacker-news.firebaseio.com/v0/user/"
WEB = "https://news.ycombinator.com/user?id="
MAX_HANDLES = 5
MAX_ABOUT = 20_000  # characters of `about` kept
USERNAME = re.compile(r"[A-Za-z0-9_-]{2,15}")
HEADERS = {"Accept": "application/json"}


def profile_url(username: str) -> str:
    return f"{WEB}{username}"


def api_url(username: str) -> str:
    return f"{API}{username}.json"


def about_step(username: str) -> RemovalStep:
    return RemovalStep(
        "Edit the 'about' text of your Hacker News profile",
        "Log in, open your profile (click your username at the top of the page), clear or "
        "change the 'about' box and click 'update'.",
        profile_url(username),
    )


def delete_step(username: str) -> RemovalStep:
    return RemovalStep(
        "Ask Hacker News to delete the account",
        "Hacker News has no delete button. Email hn@ycombinator.com, name the account "
        f"({username}) and ask them to delete it; what is removed is their decision.",
        profile_url(username),
    )


def _joined(created: Any) -> str:
    if not isinstance(created, int) or isinstance(created, bool) or created <= 0:
        return ""
    try:
        return datetime.fromtimestamp(created, UTC).strftime("%Y-%m-%d")
    except (OverflowError, OSError, ValueError):
        return ""


def parse_user(data: Any, handle: str, profile: Profile) -> SourceResult:
    """GET /v0/user/{id}.json: NOT_FOUND for null, else a FOUND account (never leads)."""
    if data is None:
        return SourceResult(
            accounts=(Account(SITE, profile_url(handle), handle, AccountStatus.NOT_FOUND),)
        )
    username = data.get("id") if isinstance(data, dict) else None
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        raise SourceUnavailable("Hacker News sent a user record without a valid id")
    url = profile_url(username)
    raw_about = data.get("about")
    about = raw_about[:MAX_ABOUT] if isinstance(raw_about, str) else ""
    tied = tie_account(profile, [html_to_text(about)] if about.strip() else [], looked_up=handle)
    confidence = tied.confidence
    reason = tied.reason(
        f"on the Hacker News account {username}",
        f"an account named {username} exists on Hacker News",
    )
    details: dict[str, str] = {}
    karma, submitted = data.get("karma"), data.get("submitted")
    if isinstance(karma, int) and not isinstance(karma, bool):
        details["karma"] = str(karma)
    if joined := _joined(data.get("created")):
        details["joined"] = joined
    if isinstance(submitted, list):
        details["submissions"] = str(len(submitted))
    summary = ", ".join(f"{key} {value}" for key, value in details.items())
    evidence = f"Hacker News account {username}" + (f" ({summary})" if summary else "")
    removal = (about_step(username), delete_step(username))
    source = SourceRef(NAME, url)
    observation = Observation(
        Kind.ACCOUNT, url, source, evidence, confidence, reason, removal, ties=tied.ties
    )
    label = "Hacker News about"
    doc = Document(
        url, about, label, confidence, reason, is_html=True, removal=removal[:1], ties=tied.ties
    )
    documents: tuple[Document, ...] = (doc,) if about.strip() else ()
    account = Account(SITE, url, username, AccountStatus.FOUND, details)
    return SourceResult((observation,), (account,), documents)


def pick_handles(profile: Profile) -> tuple[list[str], list[str]]:
    """Up to MAX_HANDLES handles HN's rules allow (case kept), and notes on the others."""
    return pick(
        plain_handles(profile), SITE, MAX_HANDLES, valid=USERNAME,
        rule="2-15 letters, digits, '_' or '-'", case_sensitive=True,
    )  # fmt: skip


async def _lookup(http: Http, handle: str, profile: Profile) -> SourceResult:
    response = await http.get(api_url(handle), headers=HEADERS)
    check_status(response, SITE)
    data = None if response.status_code == 404 else json_body(response, SITE)
    return parse_user(data, handle, profile)


class HackerNewsSource(EachHandleSource):
    name = NAME
    title = SITE

    def handles_of(self, profile: Profile) -> tuple[list[str], list[str]]:
        return pick_handles(profile)

    def page_of(self, handle: str) -> str:
        return profile_url(handle)

    async def lookup(self, http: Http, profile: Profile, handle: str) -> SourceResult:
        return await _lookup(http, handle, profile)
