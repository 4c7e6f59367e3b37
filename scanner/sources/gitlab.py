"""GitLab: the public gitlab.com profile behind each of the subject's plain handles.

Two read-only GETs per handle, at most 5 handles, no token sent:
1. GET https://gitlab.com/api/v4/users?username={handle}: a list of {id, username, name,
   state, avatar_url, web_url}; an empty list means no such user.
2. GET https://gitlab.com/api/v4/users/{id}: the public profile (name, bio, location,
   public_email, skype, linkedin, twitter, website_url, organization, job_title,
   created_at, avatar_url, web_url).
Read into: REAL_NAME (name, when it is not just the username), LOCATION, EMPLOYER
(organization; job_title in the evidence, alone it is OTHER), EMAIL (public_email),
WEBSITE (website_url), ACCOUNT (the GitLab profile; linked X/Twitter and LinkedIn),
USERNAME (Skype ID), PHOTO (avatar_url); bio becomes a Document.

A username is not a person: confidence is TIED when identity.tie_account() finds something
the subject gave us on the profile, else UNTIED. Leads only from a tied profile's own fields:
public_email -> emails, website_url -> domains (base.personal_domain: platform hosts are
skipped), twitter / linkedin / skype names -> handles.

Limits: 429 (RateLimit-Reset unix time, Retry-After) and 401/403 -> Blocked; 5xx ->
SourceUnavailable. Handles GitLab cannot hold are not sent (noted).
Not known from the reference (a ~2020 docs sample): newer fields (pronouns, discord,
mastodon, ...) are not read; twitter/linkedin are read as typed (a name, "@name" or a
URL); the body of a 404 on /users/{id} (treated as "only the list entry is readable",
with a note); whether gitlab.com still answers the list call without a token (a refusal
becomes Blocked). A private profile returns fewer fields: missing fields are skipped.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from scanner.errors import Blocked, SourceUnavailable
from scanner.http import Http
from scanner.identity.accounts import tie_account
from scanner.models import (
    Account,
    AccountStatus,
    Document,
    Kind,
    Lead,
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
    personal_domain,
    pick,
    plain_handles,
    reset_time,
)

NAME = "gitlab"
SITE = "GitLab"
WEB = "https://gitlab.com"
API = "https://gitlab.com/api/v4/users"
MAX_HANDLES = 5
MAX_FIELD = 300  # characters kept of a profile field
MAX_BIO = 10_000
USERNAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,253}[A-Za-z0-9_-])?")  # no final "."
LINKED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
HEADERS = {"Accept": "application/json"}

PROFILE_STEP = RemovalStep(
    "Edit your public GitLab profile",
    "Sign in, open Edit profile, clear or change the field (name, location, organization, "
    "job title, website, bio, social accounts) and click 'Update profile settings'. The "
    "'Private profile' option there hides your activity; clearing a field removes it.",
    "https://gitlab.com/-/user_settings/profile",
)
PUBLIC_EMAIL_STEP = RemovalStep(
    "Stop showing your email on your GitLab profile",
    "In Edit profile set 'Public email' to 'Do not show on profile' and click 'Update "
    "profile settings'.",
    "https://gitlab.com/-/user_settings/profile",
)
AVATAR_STEP = RemovalStep(
    "Remove or replace your GitLab avatar",
    "In Edit profile, under 'Public avatar', remove the image or upload one that does not "
    "show you. Without an uploaded image GitLab may show the Gravatar of your email.",
    "https://gitlab.com/-/user_settings/profile",
)
LINKED_STEP = RemovalStep(
    "Remove the linked account from your GitLab profile",
    "In Edit profile clear the field (X/Twitter, LinkedIn, Skype) and click 'Update profile "
    "settings'.",
    "https://gitlab.com/-/user_settings/profile",
)
DELETE_STEP = RemovalStep(
    "Delete the GitLab account",
    "If you no longer use it: User settings → Account → 'Delete account'. Issues, merge "
    "requests and comments you wrote in other people's projects stay, credited to a 'Ghost "
    "User'.",
    "https://gitlab.com/-/profile/account",
)


def _text(data: Any, key: str, limit: int = MAX_FIELD) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    return value.strip()[:limit] if isinstance(value, str) else ""


def profile_url(username: str) -> str:
    return f"{WEB}/{quote(username, safe='')}"


def find_user(listing: Any, handle: str) -> dict[str, Any] | None:
    """The entry of GET /users?username= for `handle` (None: no such user)."""
    if not isinstance(listing, list):
        raise SourceUnavailable("GitLab sent a user list that is not a list")
    for entry in listing:
        if isinstance(entry, dict) and _text(entry, "username").casefold() == handle.casefold():
            return entry
    return None


def user_id(entry: dict[str, Any]) -> int:
    value = entry.get("id")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise SourceUnavailable("GitLab sent a user without a numeric id")
    return value


def linked_name(value: str) -> str:
    """A twitter / linkedin / skype field as a bare name ("" when it is not one)."""
    text = value.strip()
    if "/" in text:
        path = urlsplit(text if "://" in text else f"https://{text}").path
        text = path.rstrip("/").rsplit("/", 1)[-1]
    text = text.removeprefix("@")
    return text if LINKED_NAME.fullmatch(text) else ""


def website(value: str) -> str:
    return value if re.match(r"[a-z][a-z0-9+.-]*://", value, re.IGNORECASE) else f"https://{value}"


def parse_user(data: Any, handle: str, profile: Profile) -> SourceResult:
    """GET /users/{id} (or the list entry alone) as a FOUND account, observations, leads."""
    username = _text(data, "username")
    if not username:
        raise SourceUnavailable("GitLab sent a user record without a username")
    web = _text(data, "web_url")
    url = web if web.startswith(f"{WEB}/") else profile_url(username)
    name, location = _text(data, "name"), _text(data, "location")
    org, job = _text(data, "organization"), _text(data, "job_title")
    email, site = _text(data, "public_email").lower(), _text(data, "website_url")
    twitter, linkedin = linked_name(_text(data, "twitter")), linked_name(_text(data, "linkedin"))
    skype, bio = _text(data, "skype"), _text(data, "bio", MAX_BIO)
    shown = [name, email, site, org, job, location, _text(data, "twitter")]
    tied = tie_account(profile, [*shown, _text(data, "linkedin"), skype, bio], looked_up=handle)
    confidence, ties = tied.confidence, tied.ties
    reason = tied.reason(
        f"on the GitLab account {username}", f"an account named {username} exists on GitLab"
    )
    found: list[Observation] = []

    def add(kind: Kind, value: str, evidence: str, step: RemovalStep = PROFILE_STEP) -> None:
        if value:
            source = SourceRef(NAME, url)
            removal = (step, DELETE_STEP)
            found.append(
                Observation(kind, value, source, evidence, confidence, reason, removal, ties=ties)
            )

    add(Kind.ACCOUNT, url, f"GitLab account {username}")
    if name.casefold() != username.casefold():
        add(Kind.REAL_NAME, name, f"Name: {name}")
    add(Kind.LOCATION, location, f"Location: {location}")
    if org:
        add(Kind.EMPLOYER, org, f"{job} at {org}" if job else f"Organization: {org}")
    else:
        add(Kind.OTHER, job, f"Job title: {job}")
    add(Kind.EMAIL, email, f"Public email: {email}", PUBLIC_EMAIL_STEP)
    add(Kind.WEBSITE, website(site) if site else "", f"Website: {site}")
    accounts = [Account(SITE, url, username, AccountStatus.FOUND, _details(data))]
    for label, linked, link in (
        ("X (Twitter)", twitter, f"https://x.com/{twitter}"),
        ("LinkedIn", linkedin, f"https://www.linkedin.com/in/{linkedin}"),
    ):
        if linked:
            add(Kind.ACCOUNT, link, f"{label} {linked} linked on GitLab profile", LINKED_STEP)
            accounts.append(Account(label, link, linked, AccountStatus.FOUND))
    add(Kind.USERNAME, skype, f"Skype ID on GitLab profile: {skype}", LINKED_STEP)
    add(Kind.PHOTO, _text(data, "avatar_url", 2000), "public GitLab avatar", AVATAR_STEP)
    bio_doc = Document(
        url, bio, "GitLab bio", confidence, reason, removal=(PROFILE_STEP,), ties=ties
    )
    documents: tuple[Document, ...] = (bio_doc,) if bio else ()
    leads = (
        _leads(url, handle, email, site, (twitter, linkedin, linked_name(skype))) if tied else ()
    )
    return SourceResult(tuple(found), tuple(accounts), documents, leads=leads)


def _details(data: Any) -> dict[str, str]:
    keys = ("name", "state", "location", "organization", "job_title", "created_at")
    return {key: _text(data, key) for key in keys if _text(data, key)}


def _leads(
    url: str, handle: str, email: str, site: str, names: tuple[str, ...]
) -> tuple[Lead, ...]:
    source = SourceRef(NAME, url)
    leads: list[Lead] = []
    if "@" in email:
        leads.append(
            Lead("emails", email, source, "the public email on your GitLab profile", handle)
        )
    domain = personal_domain(site) if site else ""
    if domain:
        leads.append(Lead("domains", domain, source, "the website on your GitLab profile", handle))
    for linked in dict.fromkeys(n for n in names if n and n.casefold() != handle.casefold()):
        why = "an account name linked from your GitLab profile"
        leads.append(Lead("handles", linked, source, why, handle))
    return tuple(leads)


def check_gitlab(response: httpx.Response) -> None:
    """Raise Blocked / SourceUnavailable for a refusal or failure; 2xx and 404 pass."""
    if response.status_code == 429:
        reset = reset_time(response.headers.get("ratelimit-reset"))
        wait = response.headers.get("retry-after", "").strip()
        when = (
            f"; resets at {reset}" if reset else f"; retry after {wait} s" if wait.isdigit() else ""
        )
        raise Blocked(f"GitLab rate limit reached (HTTP 429){when}")
    check_status(response, SITE)


async def _lookup(http: Http, handle: str, profile: Profile) -> SourceResult:
    listed = await http.get(API, params={"username": handle}, headers=HEADERS)
    check_gitlab(listed)
    entry = find_user(json_body(listed, SITE), handle) if listed.status_code != 404 else None
    if entry is None:
        return SourceResult(
            accounts=(Account(SITE, profile_url(handle), handle, AccountStatus.NOT_FOUND),)
        )
    single = await http.get(f"{API}/{user_id(entry)}", headers=HEADERS)
    check_gitlab(single)
    if single.status_code == 404:
        result = parse_user(entry, handle, profile)
        note = f"{handle}: GitLab did not show the full profile (HTTP 404); only the listing"
        return replace(result, notes=(note,))
    data = json_body(single, SITE)
    if not isinstance(data, dict):
        raise SourceUnavailable("GitLab sent a user record that is not an object")
    return parse_user({**entry, **data}, handle, profile)


def pick_handles(profile: Profile) -> tuple[list[str], list[str]]:
    """Up to MAX_HANDLES possible GitLab usernames, and notes about the ones skipped."""
    return pick(plain_handles(profile), SITE, MAX_HANDLES, valid=USERNAME)


class GitLabSource(EachHandleSource):
    name = NAME
    title = SITE

    def handles_of(self, profile: Profile) -> tuple[list[str], list[str]]:
        return pick_handles(profile)

    def page_of(self, handle: str) -> str:
        return profile_url(handle)

    async def lookup(self, http: Http, profile: Profile, handle: str) -> SourceResult:
        return await _lookup(http, handle, profile)
