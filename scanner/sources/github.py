"""GitHub: what the subject's own profile, keys, commits and profile README show.

REST API at https://api.github.com (60 requests/hour without a token, 5,000 with
GITHUB_TOKEN). Per handle, at most 3 handles: GET /users/{u}, then /social_accounts,
/gpg_keys, /keys and /repos?type=owner&sort=pushed&per_page=10; then the user's commits
(/repos/{o}/{r}/commits?author={login}) in up to 5 non-fork repositories and, when that
list holds the profile README repository {login}/{login}, its README
(/repos/{login}/{login}/readme, Accept: application/vnd.github.raw+json, the raw
markdown; a README repository outside the 10 most recently pushed is not seen). At most
11 requests. The README body is read as text whatever its content type (the raw media
type is documented, not recorded in the reference). A rate limit after the profile was
read keeps what was found and says what was not checked; only a scan that found nothing
raises.

The handle proves nothing: github_leads decides whether the account is tied to the
subject (confidence base.TIED with the reason, or everything scaled to UNTIED) and, only
when tied, which leads (handles, emails, domains) it yields, found_from = the login.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

import httpx

from scanner.errors import Blocked, SourceError
from scanner.http import Agent, ApiKey, Http
from scanner.identity.accounts import tie_account
from scanner.models import (
    Account,
    AccountStatus,
    Field,
    Kind,
    Observation,
    Profile,
    SourceResult,
)
from scanner.sources.base import (
    HandleSource,
    check_status,
    json_body,
    lookup_each,
    pick,
    plain_handles,
    reset_time,
)
from scanner.sources.github_leads import (
    github_leads,
    has_profile_readme,
    readme_document,
    settle,
    tie_texts,
)
from scanner.sources.github_parse import (
    NAME,
    SITE,
    WEB,
    parse_commits,
    parse_gpg_keys,
    parse_repos,
    parse_social_accounts,
    parse_ssh_keys,
    parse_user,
)

HOST = "api.github.com"
API = f"https://{HOST}"
MAX_HANDLES = 3
LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}")
JSON = "application/vnd.github+json"
RAW = "application/vnd.github.raw+json"


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
        accept: str = JSON,
    ) -> Any:
        """The JSON body (the text for `accept=RAW`), or None for a status in `empty`."""
        if self.stopped is not None:
            raise Blocked(self.stopped)
        headers = {"Accept": accept, "X-GitHub-Api-Version": "2022-11-28"}
        key = ApiKey("Authorization", f"Bearer {self.token}", HOST) if self.token else None
        response = await self.http.get(API + path, params=params, headers=headers, key=key)
        if response.status_code in empty:
            return None
        try:
            check_github(response, authenticated=bool(self.token))
        except Blocked as exc:
            self.stopped = str(exc)
            raise
        return response.text if accept == RAW else json_body(response, SITE)

    async def optional(self, what: str, path: str, **kwargs: Any) -> Any:
        """Like get, but a failure becomes a gap in the notes instead of an error."""
        try:
            return await self.get(path, **kwargs)
        except SourceError as exc:
            self.gaps.setdefault(str(exc), []).append(what)
            return None


def _path(*parts: str) -> str:
    return "/" + "/".join(quote(part, safe="") for part in parts)


async def _scan_handle(api: _Api, handle: str, profile: Profile) -> SourceResult:
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
            "repositories, commit emails and profile README",
            _path(*base, "repos"),
            params={"type": "owner", "sort": "pushed", "per_page": "10"},
        ),
    )
    names, readme = parse_repos(repos), has_profile_readme(repos, login)
    if (names or readme) and api.stopped is not None:
        skipped = [w for w, on in (("commit emails", names), ("profile README", readme)) if on]
        api.gaps.setdefault(api.stopped, []).extend(skipped)
        names, readme = [], False
    params = {"author": login, "per_page": "30"}  # 409 = empty repository: nothing to read
    readme_text, *pages = await asyncio.gather(
        api.optional("profile README", _path("repos", login, login, "readme"), accept=RAW)
        if readme
        else _nothing(),
        *(
            api.optional(
                f"commits in {name}",
                _path("repos", *name.split("/"), "commits"),
                params=params,
                empty=(404, 409),
            )
            for name in names
        ),
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
    readme_doc = readme_document(readme_text, login) if isinstance(readme_text, str) else None
    tied = tie_account(profile, tie_texts(data, social), looked_up=login)
    why = tied.why
    observations, documents = settle(
        (*user.result.observations, *social_obs, *parse_gpg_keys(gpg, login), *commits.values()),
        (*user.result.documents, *([readme_doc] if readme_doc else [])),
        login,
        tied,
    )
    return SourceResult(
        observations=observations,
        accounts=(account, *social_accounts),
        documents=documents,
        notes=tuple(f"{login}: not checked ({e}): {', '.join(w)}" for e, w in api.gaps.items()),
        leads=github_leads(data, social, observations, login, why),
    )


async def _nothing() -> None:
    return None


def pick_handles(handles: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Up to MAX_HANDLES possible GitHub logins, and notes about the ones skipped."""
    logins = (raw.strip().removeprefix("@") for raw in handles)
    return pick(logins, SITE, MAX_HANDLES, valid=LOGIN)


class GitHubSource(HandleSource):
    name = NAME
    title = SITE
    key_env = "GITHUB_TOKEN"
    agent = Agent.IDENTIFIED  # GitHub's REST API asks for a User-Agent naming the client

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        """Each plain handle in turn (lookup_each stops after a rate limit)."""
        api = _Api(http, self.api_key())
        handles, notes = pick_handles(tuple(plain_handles(profile)))
        return await lookup_each(
            handles,
            lambda handle: _scan_handle(api, handle, profile),
            lambda handle: Account(SITE, f"{WEB}/{handle}", handle, AccountStatus.UNKNOWN),
            notes,
            field=Field.HANDLES,
        )
