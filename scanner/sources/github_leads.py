"""Whether a GitHub account is the subject's, and what it leads to.

An account found by handle alone may be someone else's. `tie_texts` are the fields shown
on the account (name, bio, website, company, location, public email, X/Twitter username,
social account URLs and the handles those name, so https://instance/@name matches the
profile's name@instance); base.tie compares them with the profile, ignoring the login that
was looked up. `settle` then scales every observation and document: tied, the parsers'
own confidences stand (the profile fields are Basis.TIED); untied, each is rebased from
TIED to UNTIED (scanner.identity.confidence.rebased), so the profile fields become UNTIED
and, for example, a commit email 0.85 -> 0.55 and a verified GPG email 0.9 -> 0.582.

`github_leads` (only for a tied account) reads self-claimed, structured fields: the
website (a known profile URL -> handle, else its personal domain), the X/Twitter username,
social accounts (profile_links; provider "mastodon" and https://instance/@name ->
name@instance; a "generic" link may also be a personal domain), and the emails already
observed (public email, GPG key emails, commit emails of this login; noreply addresses are
never observed). The profile README (GET /repos/{login}/{login}/readme) is a Document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from scanner.identity import Basis, rebased
from scanner.identity.accounts import AccountTie
from scanner.models import Document, Kind, Lead, Observation, RemovalStep, SourceRef
from scanner.sources.base import TIED
from scanner.sources.github_parse import NAME, WEB, text_of, website_url
from scanner.sources.profile_links import (
    handle_from_url,
    lead_from_link,
    make_lead,
    unique_leads,
)

MAX_README = 50_000  # characters of the profile README passed to the extractors
TWITTER = re.compile(r"[A-Za-z0-9_]{1,15}")


def readme_step(login: str) -> RemovalStep:
    return RemovalStep(
        "Edit or remove your GitHub profile README",
        f"Edit or delete the README in your {login}/{login} repository, or make that "
        "repository private (Settings → General → Danger Zone → Change visibility); the "
        "profile page then stops showing it. Forks and clones keep their copies.",
        f"{WEB}/{login}/{login}/settings",
    )


def tie_texts(user: Any, social: Any) -> list[str]:
    """The fields of GET /users/{u}, the social account URLs and the handles they name."""
    keys = ("name", "bio", "blog", "company", "location", "email", "twitter_username")
    texts = [text_of(user, key) for key in keys]
    for item in social if isinstance(social, list) else []:
        url, provider = text_of(item, "url"), text_of(item, "provider").lower()
        found = handle_from_url(url, fediverse=provider == "mastodon") if url else None
        texts.extend([url, found[1]] if found else [url])  # ".../@avery" is avery@instance
    return texts


def untied_reason(login: str) -> str:
    return f"a GitHub account named {login} exists; nothing on it ties it to you"


def tied_reason(why: str) -> str:
    return f"the account is tied to you: {why}"


def settle(
    observations: Iterable[Observation],
    documents: Iterable[Document],
    login: str,
    tied: AccountTie,
) -> tuple[tuple[Observation, ...], tuple[Document, ...]]:
    """Observations and documents with the tie (or its absence) in confidence, reason and
    ties."""
    now = tied.basis
    note = tied_reason(tied.why) if tied else untied_reason(login)

    def settled(confidence: float) -> float:
        return rebased(confidence, Basis.TIED, now)

    obs = tuple(
        replace(o, confidence=settled(o.confidence), reason=f"{o.reason}; {note}", ties=tied.ties)
        for o in observations
    )
    docs = tuple(
        replace(d, confidence=settled(d.confidence), reason=f"{d.reason}; {note}", ties=tied.ties)
        for d in documents
    )
    return obs, docs


def has_profile_readme(repos: Any, login: str) -> bool:
    """Whether GET /users/{u}/repos lists the profile README repository {login}/{login}."""
    if not isinstance(repos, list):
        return False
    wanted = f"{login}/{login}".casefold()
    return any(text_of(repo, "full_name").casefold() == wanted for repo in repos)


def readme_document(text: str, login: str) -> Document | None:
    """The raw markdown of the profile README (capped) as a Document at TIED confidence."""
    body = text.strip()[:MAX_README]
    if not body:
        return None
    reason = f"the profile README of the GitHub account {login} (github.com/{login}/{login})"
    url = f"{WEB}/{login}/{login}"
    return Document(url, body, "GitHub profile README", TIED, reason, removal=(readme_step(login),))


def github_leads(
    user: Any, social: Any, observations: Iterable[Observation], login: str, why: str
) -> tuple[Lead, ...]:
    """Identifiers a tied account claims for itself ("" `why`: untied, no leads)."""
    if not why:
        return ()
    profile = SourceRef(NAME, text_of(user, "html_url") or f"{WEB}/{login}")
    on = f"on the GitHub profile github.com/{login}; {tied_reason(why)}"
    leads: list[Lead | None] = []
    blog = text_of(user, "blog")
    found = lead_from_link(website_url(blog)) if blog else None
    if found:
        leads.append(make_lead(*found, profile, f"the website {on}", login))
    twitter = text_of(user, "twitter_username").removeprefix("@")
    if TWITTER.fullmatch(twitter):
        leads.append(make_lead("handles", twitter, profile, f"the X/Twitter username {on}", login))
    for item in social if isinstance(social, list) else []:
        provider, url = text_of(item, "provider").lower(), text_of(item, "url")
        found = lead_from_link(url, fediverse=provider == "mastodon") if url else None
        if found and (found[0] == "handles" or provider == "generic"):
            leads.append(make_lead(*found, profile, f"a social account {on}", login))
    for o in observations:
        if o.kind is Kind.EMAIL:
            leads.append(make_lead("emails", o.value, o.source, o.reason, login))
    return unique_leads(leads)
