"""Reddit: the public profile of an account holding one of the subject's handles.

GET https://www.reddit.com/user/{name}/about.json?raw_json=1 (no sign-in), at most 5 plain
handles; handles that cannot be Reddit usernames (3-20 of A-Z a-z 0-9 _ -) are skipped
with a note and never sent. `raw_json=1` asks Reddit not to HTML-escape the strings. The
client's descriptive User-Agent (scanner.http.USER_AGENT, `agent = Agent.IDENTIFIED`) is
sent: Reddit's API rules ask for one. /api/username_available is never called.

Read from {"kind": "t2", "data": {...}}: name, created_utc (joined), subreddit.title (the
profile's display name) and subreddit.public_description (its "About" text, a Document),
icon_img (a PHOTO unless it is one of Reddit's default avatars or a Snoo avatar),
is_employee, verified, total_karma, hide_from_robots. A handle finds whoever holds it, so
confidence comes from identity.tie_account() on the display name and description. The profile has no
structured website or email field, so this source emits no leads.

Not found: HTTP 404 with Reddit's generic body {"message": "Not Found", "error": 404} (seen
on another endpoint; no recorded 404 of this one). Reddit also answers 404 for shadow-banned
accounts. Suspended accounts answer {"kind": "t2", "data": {"name": ..., "is_suspended":
true}} (documented, no capture): read defensively as an existing account with nothing else
shown. 429 and 401/403 (Reddit blocks some networks and clients) are Blocked; a
non-JSON answer (a bot-wall page) or another shape is SourceUnavailable.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx

from scanner.errors import Blocked, SourceUnavailable
from scanner.http import Agent, Http
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
    UNTIED,
    EachHandleSource,
    check_status,
    json_body,
    pick,
    plain_handles,
)

NAME = "reddit"
SITE = "Reddit"
WEB = "https://www.reddit.com"
MAX_HANDLES = 5
MAX_TEXT = 300  # display name in evidence
MAX_ABOUT = 5000
USERNAME = re.compile(r"[A-Za-z0-9_-]{3,20}")

PROFILE_STEP = RemovalStep(
    "Edit your Reddit profile",
    "In User settings → Profile, change or clear the display name, the 'About' description "
    "and the avatar, then save.",
    "https://www.reddit.com/settings/profile",
)
DELETE_STEP = RemovalStep(
    "Delete the Reddit account",
    "In User settings → Account choose 'Delete account'. Deleting the account does not delete "
    "your posts and comments: they stay public with the author shown as [deleted]. Delete "
    "them first (from your profile's Posts and Comments tabs) if you want them gone.",
    "https://www.reddit.com/settings/account",
)


def profile_url(name: str) -> str:
    return f"{WEB}/user/{name}/"


def about_url(name: str) -> str:
    return f"{WEB}/user/{name}/about.json"


def _text(data: Any, key: str, limit: int = MAX_TEXT) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    return " ".join(value.split())[:limit] if isinstance(value, str) else ""


def _joined(data: dict[str, Any]) -> str:
    created = data.get("created_utc")
    if isinstance(created, bool) or not isinstance(created, int | float):
        return ""
    try:
        return datetime.fromtimestamp(created, UTC).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return ""


def _photo(data: dict[str, Any], subreddit: Any) -> str:
    """The profile picture's URL, or "" for Reddit's default avatars and Snoo avatars."""
    icon = _text(data, "icon_img", 2000)
    if not icon.startswith("https://") or "avatar_default" in icon:
        return ""
    if isinstance(subreddit, dict) and subreddit.get("is_default_icon") is True:
        return ""
    if data.get("pref_show_snoovatar") is True and _text(data, "snoovatar_img"):
        return ""  # a cartoon built from Reddit's parts, not a picture of anyone
    return icon


def parse_about(data: Any, profile: Profile, looked_up: str) -> SourceResult:
    """GET /user/{name}/about.json as a FOUND account, its observations and its description."""
    user = data.get("data") if isinstance(data, dict) and data.get("kind") == "t2" else None
    name = _text(user, "name", 40)
    if not isinstance(user, dict) or not USERNAME.fullmatch(name):
        raise SourceUnavailable("Reddit sent something that is not a user profile")
    url = profile_url(name)
    source = SourceRef(NAME, url)
    if user.get("is_suspended") is True:
        reason = f"an account named {name} exists (suspended); nothing on it ties it to you"
        evidence = f"Reddit account u/{name} (suspended: Reddit shows no profile)"
        observation = Observation(
            Kind.ACCOUNT, url, source, evidence, UNTIED, reason, (DELETE_STEP,)
        )
        account = Account(SITE, url, name, AccountStatus.FOUND, {"suspended": "yes"})
        return SourceResult(observations=(observation,), accounts=(account,))

    subreddit = user.get("subreddit")
    title = _text(subreddit, "title")
    about = _text(subreddit, "public_description", MAX_ABOUT)
    tied = tie_account(profile, [title, about], looked_up=looked_up)
    confidence = tied.confidence
    reason = tied.reason(f"the Reddit account {name}", f"an account named {name} exists on Reddit")
    joined = _joined(user)
    evidence = f"Reddit account u/{name}"
    if joined:
        evidence += f", joined {joined}"
    if title:
        evidence += f"; display name: {title}"

    def obs(kind: Kind, value: str, text: str, *steps: RemovalStep) -> Observation:
        return Observation(kind, value, source, text, confidence, reason, steps, ties=tied.ties)

    observations = [obs(Kind.ACCOUNT, url, evidence, PROFILE_STEP, DELETE_STEP)]
    photo = _photo(user, subreddit)
    if photo:
        observations.append(
            obs(Kind.PHOTO, photo, "custom Reddit profile picture", PROFILE_STEP, DELETE_STEP)
        )
    documents: tuple[Document, ...] = ()
    if about:
        label = "Reddit profile description"
        step = (PROFILE_STEP,)
        documents = (Document(url, about, label, confidence, reason, removal=step, ties=tied.ties),)
    details = {"joined": joined, "display_name": title}
    karma = user.get("total_karma")
    if isinstance(karma, int) and not isinstance(karma, bool):
        details["karma"] = str(karma)
    for key, label in (
        ("is_employee", "reddit_employee"),
        ("verified", "verified"),
        ("hide_from_robots", "hidden_from_search_engines"),
    ):
        if isinstance(user.get(key), bool):
            details[label] = "yes" if user[key] else "no"
    account = Account(SITE, url, name, AccountStatus.FOUND, {k: v for k, v in details.items() if v})
    return SourceResult(tuple(observations), (account,), documents)


def check_reddit(response: httpx.Response) -> None:
    """Raise Blocked / SourceUnavailable for a refusal or failure; 2xx and 404 pass."""
    status = response.status_code
    if status == 429:
        reset = response.headers.get("x-ratelimit-reset", "").strip()
        when = f"; resets in {reset} s" if reset.isdigit() else ""
        raise Blocked(f"Reddit rate limit reached (HTTP 429){when}")
    if status in (401, 403):
        raise Blocked(
            f"Reddit refused the request (HTTP {status}); Reddit blocks some networks "
            "(VPNs, cloud hosts) and clients"
        )
    check_status(response, SITE)


async def _lookup(http: Http, profile: Profile, handle: str) -> SourceResult:
    response = await http.get(
        about_url(handle), params={"raw_json": "1"}, headers={"Accept": "application/json"}
    )
    if response.status_code == 404:
        account = Account(SITE, profile_url(handle), handle, AccountStatus.NOT_FOUND)
        return SourceResult(accounts=(account,))
    check_reddit(response)
    return parse_about(json_body(response, SITE), profile, handle)


def pick_handles(profile: Profile) -> tuple[list[str], list[str]]:
    """Up to MAX_HANDLES possible Reddit usernames, and notes about the ones skipped."""
    names = (h.strip().removeprefix("/").removeprefix("u/") for h in plain_handles(profile))
    return pick(names, SITE, MAX_HANDLES, valid=USERNAME)


class RedditSource(EachHandleSource):
    name = NAME
    title = SITE
    agent = Agent.IDENTIFIED  # Reddit's API rules ask for a descriptive User-Agent

    def handles_of(self, profile: Profile) -> tuple[list[str], list[str]]:
        return pick_handles(profile)

    def page_of(self, handle: str) -> str:
        return profile_url(handle)

    async def lookup(self, http: Http, profile: Profile, handle: str) -> SourceResult:
        return await _lookup(http, profile, handle)
