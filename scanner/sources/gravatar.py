"""Gravatar: the public profile behind each of the subject's email addresses.

GET https://api.gravatar.com/v3/profiles/{sha256 of the trimmed, lower-cased email}, at
most 5 emails. Without a key Gravatar answers the public fields (display name, location,
job, about text, up to 4 verified accounts, avatar); with GRAVATAR_API_KEY (sent as a
Bearer token) also first/last name, links and the contact details the owner made public.
404 means no profile. The legacy PortableContacts shape ({"entry": [...]}) still served by
old mirrors is parsed by `parse_legacy_profile`; `search` only calls v3.

The lookup is keyed by the subject's own email, so everything is at 0.9 and the profile's
self-claimed, structured fields are leads (found_from = the email): each visible verified
account's URL -> a handle when profile_links knows the pattern (github.com/<n>,
x.com/<n>, https://instance/@name -> name@instance, ...; service_type "mastodon" also
allows /users/<name>), otherwise nothing; each link (v3 `links`, legacy `urls`) -> a handle
the same way, else its personal domain; contact_info.email -> an email. The about text,
contact form and calendar URLs are not leads (free text; booking and form services).
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

import httpx

from scanner.errors import Blocked, SourceUnavailable
from scanner.http import ApiKey, Http
from scanner.identity import Basis, confidence_of
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
    Tie,
    TieKind,
)
from scanner.sources.base import (
    Source,
    check_status,
    json_body,
    lookup_each,
    normalise_phone,
    reset_time,
)
from scanner.sources.profile_links import handle_from_url, lead_from_link, make_lead, unique_leads

KEYED = confidence_of(Basis.KEYED)  # looked up by the subject's own email

NAME = "gravatar"
SITE = "Gravatar"
HOST = "api.gravatar.com"
API = f"https://{HOST}/v3/profiles/"
MAX_EMAILS = 5
PHONES = (("home_phone", "Home phone"), ("work_phone", "Work phone"), ("cell_phone", "Cell phone"))

PROFILE_STEP = RemovalStep(
    "Edit or hide this on your Gravatar profile",
    "Sign in at gravatar.com/profile, clear the field or make it private, and save. Sites "
    "that copied your profile earlier may keep the old text.",
    "https://gravatar.com/profile",
)
AVATAR_STEP = RemovalStep(
    "Remove or replace your Gravatar image",
    "In your Gravatar profile's avatars, pick an image that does not show you or delete it. "
    "Every site that shows Gravatars for this email address uses this image.",
    "https://gravatar.com/profile",
)
LINKED_STEP = RemovalStep(
    "Hide or remove the linked account",
    "In your Gravatar profile's verified accounts and links, hide or remove the entry.",
    "https://gravatar.com/profile",
)
DELETE_STEP = RemovalStep(
    "Delete the Gravatar account",
    "Gravatar cannot be deleted on its own: it goes with the WordPress.com account it belongs "
    "to (WooCommerce, Crowdsignal and IntenseDebate accounts go too). Cancel any subscriptions, "
    "then in Account Settings choose 'Delete your account permanently'.",
    "https://wordpress.com/me/account",
)


def email_hash(email: str) -> str:
    """The v3 profile identifier: sha256 of the trimmed, lower-cased address."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def _text(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    return value.strip() if isinstance(value, str) else ""


def _items(data: Any) -> list[dict[str, Any]]:
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


class _Builder:
    """Collects one profile's observations, linked accounts and documents."""

    def __init__(self, url: str, email: str) -> None:
        self.url = url
        self.email = email
        self.reason = f"on the public Gravatar profile of {email}"
        self.ties = (Tie(kind=TieKind.EMAIL, value=email),)  # looked up by this address
        self.observations: list[Observation] = []
        self.accounts: list[Account] = []
        self.documents: list[Document] = []
        self.leads: list[Lead | None] = []

    def lead(self, found: tuple[str, str] | None, what: str) -> None:
        if found is not None:
            reason = f"{what} on the public Gravatar profile of {self.email}"
            source = SourceRef(NAME, self.url)
            self.leads.append(make_lead(*found, source, reason, self.email))

    def add(self, kind: Kind, value: str, evidence: str, step: RemovalStep = PROFILE_STEP) -> None:
        if value and all(
            (o.kind, o.value.casefold()) != (kind, value.casefold()) for o in self.observations
        ):
            source = SourceRef(NAME, self.url)
            removal = (step, DELETE_STEP)
            self.observations.append(
                Observation(
                    kind, value, source, evidence, KEYED, self.reason, removal, ties=self.ties
                )
            )

    def verified(self, label: str, url: str, service: str = "") -> None:
        evidence = f"{label} account verified on your Gravatar profile: {url}"
        self.add(Kind.ACCOUNT, url, evidence, LINKED_STEP)
        found = handle_from_url(url, fediverse=service.lower() == "mastodon")
        self.lead(found, f"a {label} account verified")
        parts = urlsplit(url)
        username = parts.path.rstrip("/").rsplit("/", 1)[-1] or parts.netloc
        self.accounts.append(Account(label, url, username, AccountStatus.FOUND))

    def link(self, label: str, url: str) -> None:
        self.add(Kind.WEBSITE, url, f"Link '{label}': {url}", LINKED_STEP)
        self.lead(lead_from_link(url) if url else None, "a link")

    def about(self, text: str) -> None:
        if text:
            self.documents.append(
                Document(
                    self.url,
                    text,
                    "Gravatar about",
                    KEYED,
                    self.reason,
                    removal=(PROFILE_STEP,),
                    ties=self.ties,
                )
            )

    def result(self, account: Account) -> SourceResult:
        return SourceResult(
            tuple(self.observations),
            (account, *self.accounts),
            tuple(self.documents),
            leads=unique_leads(self.leads),
        )


def parse_profile(data: Any, email: str, region: str = "US") -> SourceResult:
    """A v3 Profile (GET /v3/profiles/{hash}) as a FOUND account and its observations."""
    if not isinstance(data, dict) or not (_text(data, "hash") or _text(data, "profile_url")):
        raise SourceUnavailable("Gravatar sent a profile without a hash or profile URL")
    url = _text(data, "profile_url") or f"{API}{email_hash(email)}"
    out = _Builder(url, email)
    display, location = _text(data, "display_name"), _text(data, "location")
    job, company = _text(data, "job_title"), _text(data, "company")
    out.add(Kind.REAL_NAME, display, f"Display name: {display}")
    full = " ".join(p for p in (_text(data, "first_name"), _text(data, "last_name")) if p)
    out.add(Kind.REAL_NAME, full, f"Name: {full}")
    out.add(Kind.LOCATION, location, f"Location: {location}")
    if company:
        out.add(Kind.EMPLOYER, company, f"{job} at {company}" if job else f"Company: {company}")
    elif job:
        out.add(Kind.OTHER, job, f"Job title: {job}")
    for account in _items(data.get("verified_accounts")):
        if account.get("is_hidden") is not True and _text(account, "url"):
            service = _text(account, "service_type")
            label = _text(account, "service_label") or service or "Link"
            out.verified(label, _text(account, "url"), service)
    for link in _items(data.get("links")):
        out.link(_text(link, "label"), _text(link, "url"))
    contact = data.get("contact_info")
    for key, label in PHONES:
        raw = _text(contact, key)
        out.add(Kind.PHONE, normalise_phone(raw, region) if raw else "", f"{label}: {raw}")
    contact_email = _text(contact, "email")
    out.add(Kind.EMAIL, contact_email.lower(), f"Contact email: {contact_email}")
    if contact_email:
        out.lead(("emails", contact_email), "the contact email")
    for key, label in (("contact_form", "Contact form"), ("calendar", "Calendar")):
        out.add(Kind.WEBSITE, _text(contact, key), f"{label}: {_text(contact, key)}")
    out.add(Kind.PHOTO, _text(data, "avatar_url"), "public Gravatar avatar", AVATAR_STEP)
    out.about(_text(data, "description"))
    fields = {"display_name": display, "location": location, "job_title": job, "company": company}
    details = {key: value for key, value in fields.items() if value}
    return out.result(Account(SITE, url, email, AccountStatus.FOUND, details))


def parse_legacy_profile(data: Any, email: str, region: str = "US") -> SourceResult:
    """The legacy gravatar.com/{hash}.json shape: {"entry": [{displayName, urls, ...}]}.

    Only fields seen in a real capture are read (plus aboutMe): displayName,
    currentLocation, urls[].{value,title}, photos[].value, thumbnailUrl, profileUrl,
    preferredUsername. `region` is accepted for symmetry with `parse_profile`.
    """
    entries = _items(data.get("entry")) if isinstance(data, dict) else []
    if not entries:
        raise SourceUnavailable("Gravatar sent a legacy profile without an entry")
    entry = entries[0]
    url = _text(entry, "profileUrl") or f"https://gravatar.com/{_text(entry, 'hash')}"
    out = _Builder(url, email)
    username, display = _text(entry, "preferredUsername"), _text(entry, "displayName")
    location = _text(entry, "currentLocation")
    out.add(Kind.USERNAME, username, f"Gravatar username: {username}")
    out.add(Kind.REAL_NAME, display, f"Display name: {display}")
    out.add(Kind.LOCATION, location, f"Location: {location}")
    for link in _items(entry.get("urls")):
        out.link(_text(link, "title"), _text(link, "value"))
    photos = [_text(photo, "value") for photo in _items(entry.get("photos"))]
    for photo in [*photos, _text(entry, "thumbnailUrl")]:
        out.add(Kind.PHOTO, photo, "public Gravatar avatar", AVATAR_STEP)
    out.about(_text(entry, "aboutMe"))
    details = {k: v for k, v in (("display_name", display), ("location", location)) if v}
    return out.result(Account(SITE, url, username or email, AccountStatus.FOUND, details))


def check_gravatar(response: httpx.Response, authenticated: bool) -> None:
    """Raise Blocked / SourceUnavailable for a refusal or failure; 2xx and 404 pass."""
    status = response.status_code
    if status == 429:
        reset = reset_time(response.headers.get("x-ratelimit-reset"))
        hint = "" if authenticated else " (an API key in GRAVATAR_API_KEY raises the limit)"
        when = f"; resets at {reset}" if reset else ""
        raise Blocked(f"Gravatar rate limit reached (HTTP 429){when}{hint}")
    if status in (401, 403) and authenticated:
        raise Blocked(f"Gravatar rejected the API key in GRAVATAR_API_KEY (HTTP {status})")
    check_status(response, SITE)


async def _lookup(http: Http, email: str, key: str | None, region: str) -> SourceResult:
    url = f"{API}{email_hash(email)}"
    api_key = ApiKey("Authorization", f"Bearer {key}", HOST) if key else None
    response = await http.get(url, headers={"Accept": "application/json"}, key=api_key)
    if response.status_code == 404:
        return SourceResult(accounts=(Account(SITE, url, email, AccountStatus.NOT_FOUND),))
    check_gravatar(response, authenticated=bool(key))
    return parse_profile(json_body(response, SITE), email, region)


class GravatarSource(Source):
    name = NAME
    title = SITE
    needs = frozenset({"emails"})
    key_env = "GRAVATAR_API_KEY"

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        """Every email's profile, in turn (lookup_each stops after a rate limit)."""
        key = self.api_key()
        emails = list(dict.fromkeys(e.strip().lower() for e in profile.emails if "@" in e))
        notes: list[str] = []
        if len(emails) > MAX_EMAILS:
            skipped = ", ".join(emails[MAX_EMAILS:])
            notes.append(
                f"Gravatar: only the first {MAX_EMAILS} emails were checked; not: {skipped}"
            )
        return await lookup_each(
            emails[:MAX_EMAILS],
            lambda email: _lookup(http, email, key, profile.country),
            lambda email: Account(SITE, f"{API}{email_hash(email)}", email, AccountStatus.UNKNOWN),
            notes,
            field=Field.EMAILS,
        )
