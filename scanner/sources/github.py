"""GitHub: what the subject's own profile, keys and commits show about them.

REST API at https://api.github.com (60 requests/hour without a token, 5,000 with
GITHUB_TOKEN). Per handle, at most 3 handles: the user, social accounts, GPG keys, SSH
keys, owned repositories, and the user's commits in up to 5 non-fork repositories
(at most 10 requests). A rate limit after the profile was read keeps what was found and
says what was not checked; only a scan that found nothing raises.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from scanner.errors import Blocked, SourceError, SourceUnavailable
from scanner.http import Http
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
from scanner.sources.base import Source, check_status, combine, json_body, reset_time

NAME = "github"
SITE = "GitHub"
API = "https://api.github.com"
WEB = "https://github.com"
MAX_HANDLES = 3
MAX_REPOS = 5
LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}")
NOREPLY_SUFFIX = "@users.noreply.github.com"
NOREPLY = "noreply@github.com"
PROVIDERS = {
    "twitter": "X (Twitter)",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "linkedin": "LinkedIn",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "youtube": "YouTube",
    "reddit": "Reddit",
    "twitch": "Twitch",
    "npm": "npm",
    "hometown": "Hometown",
}

PROFILE_STEP = RemovalStep(
    "Edit your public GitHub profile",
    "In Settings → Public profile, clear or change the field (name, bio, company, location, "
    "website, social accounts) and click 'Update profile'.",
    "https://github.com/settings/profile",
)
PUBLIC_EMAIL_STEP = RemovalStep(
    "Stop showing your email on your GitHub profile",
    "In Settings → Public profile set 'Public email' to 'Don't show my email address', then "
    "in Settings → Emails turn on 'Keep my email addresses private'.",
    "https://github.com/settings/profile",
)
FUTURE_COMMITS_STEP = RemovalStep(
    "Keep your email out of future commits",
    "In Settings → Emails turn on 'Keep my email addresses private' and 'Block command line "
    "pushes that expose my email', and set git's user.email to the noreply address shown there.",
    "https://github.com/settings/emails",
)
GPG_STEP = RemovalStep(
    "Remove the email from your public GPG key",
    "In Settings → SSH and GPG keys delete the key, or upload one whose user IDs do not carry "
    "this address. Public keyservers may keep their own copy.",
    "https://github.com/settings/keys",
)
ACCOUNT_STEP = RemovalStep(
    "Delete the GitHub account",
    "If you no longer use it: Settings → Account → 'Delete your account'. Comments and issues "
    "you wrote in other people's repositories stay, credited to the 'ghost' user.",
    "https://github.com/settings/admin",
)


def old_commits_step(repo: str) -> RemovalStep:
    return RemovalStep(
        "Remove the address from existing commits",
        "Existing commits keep the old address until the history is rewritten (for example "
        "git filter-repo with a mailmap) and force-pushed, or the repository is made private "
        "or deleted. Forks and clones keep their copies.",
        f"{WEB}/{repo}/settings",
    )


# --- pure parsing --------------------------------------------------------------------


def _text(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    return value.strip() if isinstance(value, str) else ""


def _items(data: Any) -> list[dict[str, Any]]:
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def _is_hidden_email(email: str) -> bool:
    return email.endswith(NOREPLY_SUFFIX) or email == NOREPLY


def website_url(text: str) -> str:
    """The blog field as a URL: GitHub stores it as typed, often without a scheme."""
    return text if re.match(r"[a-z][a-z0-9+.-]*://", text, re.IGNORECASE) else f"https://{text}"


def _obs(
    kind: Kind,
    value: str,
    url: str,
    evidence: str,
    confidence: float,
    reason: str,
    removal: tuple[RemovalStep, ...],
) -> Observation:
    return Observation(kind, value, SourceRef(NAME, url), evidence, confidence, reason, removal)


@dataclass(frozen=True)
class GitHubUser:
    login: str
    name: str
    html_url: str
    result: SourceResult  # the FOUND account, profile observations, the bio document


def parse_user(data: Any) -> GitHubUser:
    """GET /users/{username}. SourceUnavailable when the record has no login."""
    login = _text(data, "login")
    if not login:
        raise SourceUnavailable("GitHub sent a user record without a login")
    url = _text(data, "html_url") or f"{WEB}/{login}"
    reason = f"shown on your GitHub profile (github.com/{login})"
    found: list[Observation] = []

    def add(kind: Kind, value: str, evidence: str, step: RemovalStep = PROFILE_STEP) -> None:
        found.append(_obs(kind, value, url, evidence, 0.9, reason, (step,)))

    add(Kind.ACCOUNT, url, f"GitHub account {login}", ACCOUNT_STEP)

    name, company, blog = _text(data, "name"), _text(data, "company"), _text(data, "blog")
    location, email = _text(data, "location"), _text(data, "email")
    twitter, bio = _text(data, "twitter_username").removeprefix("@"), _text(data, "bio")
    if name:
        add(Kind.REAL_NAME, name, f"Name: {name}")
    if company.removeprefix("@").strip():
        add(Kind.EMPLOYER, company.removeprefix("@").strip(), f"Company: {company}")
    if blog:
        add(Kind.WEBSITE, website_url(blog), f"Website: {blog}")
    if location:
        add(Kind.LOCATION, location, f"Location: {location}")
    if email:
        add(Kind.EMAIL, email.lower(), f"Public email: {email}", PUBLIC_EMAIL_STEP)
    if twitter:
        add(Kind.USERNAME, twitter, f"X/Twitter username @{twitter} on your GitHub profile")
    fields = {"name": name, "company": company, "location": location, "blog": blog}
    fields["created_at"] = _text(data, "created_at")
    details = {key: value for key, value in fields.items() if value}
    account = Account(SITE, url, login, AccountStatus.FOUND, details)
    documents = []
    if bio:
        documents.append(Document(url, bio, "GitHub bio", 0.9, reason, removal=(PROFILE_STEP,)))
    return GitHubUser(login, name, url, SourceResult(tuple(found), (account,), tuple(documents)))


def parse_social_accounts(data: Any, login: str) -> tuple[list[Observation], list[Account]]:
    """GET /users/{username}/social_accounts: [{provider, url}]."""
    observations: list[Observation] = []
    accounts: list[Account] = []
    reason = f"linked from your GitHub profile (github.com/{login})"
    for item in _items(data):
        provider, url = _text(item, "provider"), _text(item, "url")
        if not url:
            continue
        label = PROVIDERS.get(provider.lower())
        kind = Kind.ACCOUNT if label else Kind.WEBSITE
        evidence = f"{label or 'Link'} listed under social accounts on GitHub: {url}"
        observations.append(
            _obs(kind, url, f"{WEB}/{login}", evidence, 0.85, reason, (PROFILE_STEP,))
        )
        if label:
            parts = urlsplit(url)
            username = parts.path.rstrip("/").rsplit("/", 1)[-1] or parts.netloc
            accounts.append(Account(label, url, username, AccountStatus.FOUND))
    return observations, accounts


def parse_gpg_keys(data: Any, login: str) -> list[Observation]:
    """GET /users/{username}/gpg_keys: emails of each key and subkey (noreply skipped)."""
    found: dict[str, Observation] = {}
    url, reason = f"{WEB}/{login}.gpg", f"on a public GPG key of your GitHub account ({login})"
    for key in _items(data):
        key_id = _text(key, "key_id")
        for holder in (key, *_items(key.get("subkeys"))):
            for entry in _items(holder.get("emails")):
                email = _text(entry, "email").lower()
                if not email or _is_hidden_email(email) or email in found:
                    continue
                sure = 0.9 if entry.get("verified") is True else 0.75
                evidence = f"{email} listed on public GPG key {key_id or '(no id)'} on GitHub"
                found[email] = _obs(Kind.EMAIL, email, url, evidence, sure, reason, (GPG_STEP,))
    return list(found.values())


def parse_ssh_keys(data: Any) -> int:
    """GET /users/{username}/keys: how many public SSH keys (they carry no email)."""
    return sum(1 for item in _items(data) if _text(item, "key"))


def parse_repos(data: Any, limit: int = MAX_REPOS) -> list[str]:
    """GET /users/{username}/repos: full names of up to `limit` non-fork repositories."""
    names = [_text(r, "full_name") for r in _items(data) if r.get("fork") is not True]
    return [name for name in names if name.count("/") == 1][:limit]


@dataclass(frozen=True)
class _Author:
    """Turns the people named on the subject's commits into observations."""

    login: str
    profile_name: str
    reason: str
    confidence: float  # for emails; names that differ from the profile get less

    def observe(self, person: Any, repo: str, where: str, url: str) -> list[Observation]:
        steps = (FUTURE_COMMITS_STEP, old_commits_step(repo))
        email, name = _text(person, "email").lower(), _text(person, "name")
        found: list[Observation] = []
        if email and not _is_hidden_email(email):
            evidence = f"{name} <{email}>, {where}" if name else f"<{email}>, {where}"
            found.append(
                _obs(Kind.EMAIL, email, url, evidence, self.confidence, self.reason, steps)
            )
        if name and name.casefold() not in (self.profile_name.casefold(), self.login.casefold()):
            sure = self.confidence - 0.25
            found.append(
                _obs(Kind.REAL_NAME, name, url, f"{name}, {where}", sure, self.reason, steps)
            )
        return found


def parse_commits(data: Any, repo: str, login: str, profile_name: str = "") -> list[Observation]:
    """GET /repos/{owner}/{repo}/commits?author={login}: author and committer emails/names.

    Only people whose GitHub account is `login` count: a committer such as "web-flow"
    (noreply@github.com) or a maintainer who rebased is someone else.
    """
    found: dict[tuple[Kind, str], Observation] = {}
    who = _Author(login, profile_name, f"in commits made by your GitHub account ({login})", 0.85)
    for item in _items(data):
        commit, sha = item.get("commit"), _text(item, "sha")
        url = _text(item, "html_url") or f"{WEB}/{repo}/commit/{sha}"
        for role in ("author", "committer"):
            if _text(item.get(role), "login").casefold() != login.casefold():
                continue
            person = commit.get(role) if isinstance(commit, dict) else None
            for obs in who.observe(person, repo, f"{role} of commit {sha[:7]} in {repo}", url):
                found.setdefault((obs.kind, obs.value.casefold()), obs)
    return list(found.values())


def parse_public_events(data: Any, login: str, profile_name: str = "") -> list[Observation]:
    """GET /users/{username}/events/public: commit authors in PushEvent payloads.

    Before 2025 github.com listed `payload.commits[].author.{email,name}`; today's payload
    has only ref/head/before (GitHub Enterprise Server still sends commits). Both parse; the
    current shape yields nothing. Pushed commits may be authored by others: lower confidence.
    """
    found: dict[tuple[Kind, str], Observation] = {}
    who = _Author(login, profile_name, f"in commits pushed by your GitHub account ({login})", 0.7)
    for event in _items(data):
        payload = event.get("payload")
        if _text(event, "type") != "PushEvent" or not isinstance(payload, dict):
            continue
        repo = _text(event.get("repo"), "name")
        for commit in _items(payload.get("commits")):
            sha = _text(commit, "sha")
            where, url = f"pushed commit {sha[:7]} in {repo}", f"{WEB}/{repo}/commit/{sha}"
            for obs in who.observe(commit.get("author"), repo, where, url):
                found.setdefault((obs.kind, obs.value.casefold()), obs)
    return list(found.values())


def check_github(response: httpx.Response, authenticated: bool) -> None:
    """Raise Blocked / SourceUnavailable for a refusal or failure; 2xx and 404 pass."""
    status, headers = response.status_code, response.headers
    if status in (403, 429) and headers.get("x-ratelimit-remaining") == "0":
        limit = headers.get("x-ratelimit-limit") or ("5000" if authenticated else "60")
        how = "with your token" if authenticated else "without a token; set GITHUB_TOKEN"
        reset = reset_time(headers.get("x-ratelimit-reset"))
        when = f"; resets at {reset}" if reset else ""
        raise Blocked(f"GitHub API rate limit reached ({limit} requests/hour {how}){when}")
    if status == 401 and authenticated:
        raise Blocked("GitHub rejected the token in GITHUB_TOKEN (HTTP 401)")
    if status in (403, 429) and "secondary rate limit" in response.text.lower():
        raise Blocked(f"GitHub secondary rate limit reached (HTTP {status}); try again later")
    check_status(response, SITE)


# --- requests ------------------------------------------------------------------------


@dataclass
class _Api:
    """GitHub calls with the shared headers; after a rate limit it sends nothing more."""

    http: Http
    token: str | None
    stopped: str | None = None
    gaps: dict[str, list[str]] = field(default_factory=dict)  # reason -> what was not read

    async def get(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        empty: Collection[int] = (404,),
    ) -> Any:
        """The JSON body, or None for a status in `empty`."""
        if self.stopped is not None:
            raise Blocked(self.stopped)
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        response = await self.http.get(API + path, params=params, headers=headers)
        if response.status_code in empty:
            return None
        try:
            check_github(response, authenticated=bool(self.token))
        except Blocked as exc:
            self.stopped = str(exc)
            raise
        return json_body(response, SITE)

    async def optional(self, what: str, path: str, **kwargs: Any) -> Any:
        """Like get, but a failure becomes a gap in the notes instead of an error."""
        try:
            return await self.get(path, **kwargs)
        except SourceError as exc:
            self.gaps.setdefault(str(exc), []).append(what)
            return None


def _path(*parts: str) -> str:
    return "/" + "/".join(quote(part, safe="") for part in parts)


async def _scan_handle(api: _Api, handle: str) -> SourceResult:
    data = await api.get(_path("users", handle))
    if data is None:
        return SourceResult(
            accounts=(Account(SITE, f"{WEB}/{handle}", handle, AccountStatus.NOT_FOUND),)
        )
    user = parse_user(data)
    login, base = user.login, ("users", user.login)
    api.gaps = {}
    social, gpg, keys, repos = await asyncio.gather(
        api.optional("social accounts", _path(*base, "social_accounts")),
        api.optional("GPG keys", _path(*base, "gpg_keys")),
        api.optional("SSH keys", _path(*base, "keys")),
        api.optional(
            "repositories and commit emails",
            _path(*base, "repos"),
            params={"type": "owner", "sort": "pushed", "per_page": "10"},
        ),
    )
    names = parse_repos(repos)
    if names and api.stopped is not None:
        api.gaps.setdefault(api.stopped, []).append("commit emails")
        names = []
    params = {"author": login, "per_page": "30"}  # 409 = empty repository: nothing to read
    pages = await asyncio.gather(
        *(
            api.optional(
                f"commits in {name}",
                _path("repos", *name.split("/"), "commits"),
                params=params,
                empty=(404, 409),
            )
            for name in names
        )
    )
    commits: dict[tuple[Kind, str], Observation] = {}
    for name, page in zip(names, pages, strict=True):
        for obs in parse_commits(page, name, login, user.name):
            commits.setdefault((obs.kind, obs.value.casefold()), obs)
    social_obs, social_accounts = parse_social_accounts(social, login)
    account = user.result.accounts[0]
    if keys is not None:
        details = {**account.details, "public_ssh_keys": str(parse_ssh_keys(keys))}
        account = replace(account, details=details)
    observations = (*user.result.observations, *social_obs, *parse_gpg_keys(gpg, login))
    return SourceResult(
        observations=(*observations, *commits.values()),
        accounts=(account, *social_accounts),
        documents=user.result.documents,
        notes=tuple(f"{login}: not checked ({why}): {', '.join(w)}" for why, w in api.gaps.items()),
    )


def pick_handles(handles: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Up to MAX_HANDLES possible GitHub logins, and notes about the ones skipped."""
    picked: list[str] = []
    notes: list[str] = []
    for raw in handles:
        handle = raw.strip().removeprefix("@")
        if not LOGIN.fullmatch(handle):
            notes.append(f"'{raw}' cannot be a GitHub username; not checked on GitHub")
        elif handle.casefold() not in (p.casefold() for p in picked):
            picked.append(handle)
    if len(picked) > MAX_HANDLES:
        notes.append(
            f"GitHub: only the first {MAX_HANDLES} handles were checked; "
            f"not checked: {', '.join(picked[MAX_HANDLES:])}"
        )
    return picked[:MAX_HANDLES], notes


class GitHubSource(Source):
    name = NAME
    title = SITE
    needs = frozenset({"handles"})

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        api = _Api(http, os.environ.get("GITHUB_TOKEN") or None)
        handles, notes = pick_handles(profile.handles)
        parts: list[SourceResult] = []
        errors: list[SourceError] = []
        for handle in handles:
            try:
                parts.append(await _scan_handle(api, handle))
            except SourceError as exc:
                errors.append(exc)
                notes.append(f"{handle}: not checked ({exc})")
                unknown = Account(SITE, f"{WEB}/{handle}", handle, AccountStatus.UNKNOWN)
                parts.append(SourceResult(accounts=(unknown,)))
        return combine(parts, errors, notes)
