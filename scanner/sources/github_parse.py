"""GitHub response parsers and removal steps: pure functions over the REST API's JSON.

Shapes: GET /users/{u}, /users/{u}/social_accounts, /gpg_keys, /keys, /repos,
/repos/{o}/{r}/commits, and /users/{u}/events/public (both the current PushEvent without
`commits` and the pre-2025 one with `commits[].author`). The requests live in github.py.

Confidences here assume the account is the subject's (scanner.identity's table: profile
fields and commit emails Basis.TIED; verified GPG emails KEYED, unverified CLAIMED; emails
in pushed commits WEAK; a commit name unlike the profile's DOUBTFUL, pushed UNTIED):
github_leads.settle scales them down when nothing on the account ties it to the subject, and
adds why to each reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from scanner.errors import SourceUnavailable
from scanner.identity import Basis, confidence_of
from scanner.models import (
    Account,
    AccountStatus,
    Document,
    Kind,
    Observation,
    RemovalStep,
    SourceRef,
    SourceResult,
)
from scanner.sources.base import TIED

NAME = "github"
SITE = "GitHub"
WEB = "https://github.com"
MAX_REPOS = 5
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


def text_of(data: Any, key: str) -> str:
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
    login = text_of(data, "login")
    if not login:
        raise SourceUnavailable("GitHub sent a user record without a login")
    url = text_of(data, "html_url") or f"{WEB}/{login}"
    reason = f"shown on the GitHub profile github.com/{login}"
    found: list[Observation] = []

    def add(kind: Kind, value: str, evidence: str, step: RemovalStep = PROFILE_STEP) -> None:
        found.append(_obs(kind, value, url, evidence, TIED, reason, (step,)))

    add(Kind.ACCOUNT, url, f"GitHub account {login}", ACCOUNT_STEP)

    name, company, blog = text_of(data, "name"), text_of(data, "company"), text_of(data, "blog")
    location, email = text_of(data, "location"), text_of(data, "email")
    twitter, bio = text_of(data, "twitter_username").removeprefix("@"), text_of(data, "bio")
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
    fields["created_at"] = text_of(data, "created_at")
    details = {key: value for key, value in fields.items() if value}
    account = Account(SITE, url, login, AccountStatus.FOUND, details)
    documents = []
    if bio:
        documents.append(Document(url, bio, "GitHub bio", TIED, reason, removal=(PROFILE_STEP,)))
    return GitHubUser(login, name, url, SourceResult(tuple(found), (account,), tuple(documents)))


def parse_social_accounts(data: Any, login: str) -> tuple[list[Observation], list[Account]]:
    """GET /users/{username}/social_accounts: [{provider, url}]."""
    observations: list[Observation] = []
    accounts: list[Account] = []
    reason = f"linked from the GitHub profile github.com/{login}"
    for item in _items(data):
        provider, url = text_of(item, "provider"), text_of(item, "url")
        if not url:
            continue
        label = PROVIDERS.get(provider.lower())
        kind = Kind.ACCOUNT if label else Kind.WEBSITE
        evidence = f"{label or 'Link'} listed under social accounts on GitHub: {url}"
        observations.append(
            _obs(kind, url, f"{WEB}/{login}", evidence, TIED, reason, (PROFILE_STEP,))
        )
        if label:
            parts = urlsplit(url)
            username = parts.path.rstrip("/").rsplit("/", 1)[-1] or parts.netloc
            accounts.append(Account(label, url, username, AccountStatus.FOUND))
    return observations, accounts


def parse_gpg_keys(data: Any, login: str) -> list[Observation]:
    """GET /users/{username}/gpg_keys: emails of each key and subkey (noreply skipped)."""
    found: dict[str, Observation] = {}
    url, reason = f"{WEB}/{login}.gpg", f"on a public GPG key of the GitHub account {login}"
    for key in _items(data):
        key_id = text_of(key, "key_id")
        for holder in (key, *_items(key.get("subkeys"))):
            for entry in _items(holder.get("emails")):
                email = text_of(entry, "email").lower()
                if not email or _is_hidden_email(email) or email in found:
                    continue
                basis = Basis.KEYED if entry.get("verified") is True else Basis.CLAIMED
                sure = confidence_of(basis)
                evidence = f"{email} listed on public GPG key {key_id or '(no id)'} on GitHub"
                found[email] = _obs(Kind.EMAIL, email, url, evidence, sure, reason, (GPG_STEP,))
    return list(found.values())


def parse_ssh_keys(data: Any) -> int:
    """GET /users/{username}/keys: how many public SSH keys (they carry no email)."""
    return sum(1 for item in _items(data) if text_of(item, "key"))


def parse_repos(data: Any, limit: int = MAX_REPOS) -> list[str]:
    """GET /users/{username}/repos: full names of up to `limit` non-fork repositories."""
    names = [text_of(r, "full_name") for r in _items(data) if r.get("fork") is not True]
    return [name for name in names if name.count("/") == 1][:limit]


@dataclass(frozen=True)
class _Author:
    """Turns the people named on the subject's commits into observations."""

    login: str
    profile_name: str
    reason: str
    confidence: float  # for emails
    other_name: Basis  # for names that differ from the profile's

    def observe(self, person: Any, repo: str, where: str, url: str) -> list[Observation]:
        steps = (FUTURE_COMMITS_STEP, old_commits_step(repo))
        email, name = text_of(person, "email").lower(), text_of(person, "name")
        found: list[Observation] = []
        if email and not _is_hidden_email(email):
            evidence = f"{name} <{email}>, {where}" if name else f"<{email}>, {where}"
            found.append(
                _obs(Kind.EMAIL, email, url, evidence, self.confidence, self.reason, steps)
            )
        if name and name.casefold() not in (self.profile_name.casefold(), self.login.casefold()):
            sure = confidence_of(self.other_name)
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
    made = f"in commits made by the GitHub account {login}"
    who = _Author(login, profile_name, made, confidence_of(Basis.TIED), Basis.DOUBTFUL)
    for item in _items(data):
        commit, sha = item.get("commit"), text_of(item, "sha")
        url = text_of(item, "html_url") or f"{WEB}/{repo}/commit/{sha}"
        for role in ("author", "committer"):
            if text_of(item.get(role), "login").casefold() != login.casefold():
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
    pushed = f"in commits pushed by the GitHub account {login}"
    who = _Author(login, profile_name, pushed, confidence_of(Basis.WEAK), Basis.UNTIED)
    for event in _items(data):
        payload = event.get("payload")
        if text_of(event, "type") != "PushEvent" or not isinstance(payload, dict):
            continue
        repo = text_of(event.get("repo"), "name")
        for commit in _items(payload.get("commits")):
            sha = text_of(commit, "sha")
            where, url = f"pushed commit {sha[:7]} in {repo}", f"{WEB}/{repo}/commit/{sha}"
            for obs in who.observe(commit.get("author"), repo, where, url):
                found.setdefault((obs.kind, obs.value.casefold()), obs)
    return list(found.values())
