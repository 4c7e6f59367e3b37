"""Have I Been Pwned (v3): the data breaches each of the subject's email addresses is in.

Runs only with an API key in HIBP_API_KEY (`applies_to` is false without one, so the run
shows as skipped). One request per email, at most 5 emails, REQUEST_DELAY seconds apart
(the smallest HIBP subscription allows 10 lookups a minute):
GET https://haveibeenpwned.com/api/v3/breachedaccount/{url-encoded email}?truncateResponse=false
with the key in the hibp-api-key header and exposure-audit's own User-Agent (HIBP refuses
requests without a descriptive one, HTTP 403: `agent = Agent.IDENTIFIED`). The key is sent
only in that header, only to haveibeenpwned.com over HTTPS (an ApiKey: a redirect never
carries it elsewhere), never in the URL (which is what the request log records), an
observation, a note or an error message.

200 -> an array of breach objects; read: Name, Title, Domain, BreachDate, DataClasses,
IsVerified, IsFabricated, IsSensitive, IsRetired, IsSpamList, IsMalware, IsStealerLog.
A truncated answer ([{"Name": ...}], what HIBP sends without truncateResponse=false) is
read too, with no date or data classes. 404 with an empty body -> in no breach; a 404 with
a body is not the documented shape and is SourceUnavailable. 401 -> Blocked (bad key),
403 -> Blocked, 429 -> Blocked (the Http layer first waits out a Retry-After of up to
60 s), 5xx -> SourceUnavailable. Description (HTML) is not used. Pwned Passwords and
pastes are never called.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from scanner.errors import Blocked, SourceUnavailable
from scanner.http import Agent, ApiKey, Http
from scanner.models import Account, AccountStatus, Field, Profile, SourceRef, SourceResult
from scanner.sources.base import Source, check_status, json_body, lookup_each
from scanner.sources.breaches import (
    MAX_TITLE,
    Breach,
    breach_observation,
    clean,
    data_classes,
    host,
    limit_emails,
    paced,
)

NAME = "hibp"
SITE = "Have I Been Pwned"
HOST = "haveibeenpwned.com"
API = f"https://{HOST}/api/v3/breachedaccount/"
WEB = "https://haveibeenpwned.com/"
KEY_ENV = "HIBP_API_KEY"
MAX_EMAILS = 5
REQUEST_DELAY = 6.5  # seconds between lookups (tests set 0)
NO_KEY = f"set {KEY_ENV} to check Have I Been Pwned"
MARKS = (
    ("IsSensitive", True, "sensitive breach: only you can see it on HIBP"),
    ("IsFabricated", True, "HIBP says the data in this breach is likely fabricated"),
    (
        "IsSpamList",
        True,
        "a spam list: your address was collected to send spam, not necessarily from an "
        "account you made",
    ),
    ("IsStealerLog", True, "from info-stealing malware logs"),
    ("IsMalware", True, "taken by malware"),
    ("IsRetired", True, "HIBP has retired this breach"),
    ("IsVerified", False, "HIBP has not verified this breach"),
)


def lookup_url(email: str) -> str:
    return f"{API}{quote(email, safe='')}?truncateResponse=false"


def _breach(item: dict[str, Any]) -> Breach | None:
    title = clean(item.get("Title"), MAX_TITLE) or clean(item.get("Name"), MAX_TITLE)
    if not title:
        return None
    return Breach(
        title=title,
        date=clean(item.get("BreachDate"), 30),
        data_classes=data_classes(item.get("DataClasses")),
        domain=host(item.get("Domain")),
        marks=tuple(text for key, when, text in MARKS if item.get(key) is when),
        doubtful=item.get("IsFabricated") is True or item.get("IsSpamList") is True,
        malware=item.get("IsStealerLog") is True or item.get("IsMalware") is True,
    )


def parse_breaches(data: Any) -> list[Breach]:
    """The breaches in a breachedaccount answer (an array of breach objects)."""
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise SourceUnavailable("Have I Been Pwned sent something other than a list of breaches")
    breaches: list[Breach] = []
    seen: set[str] = set()
    for item in data:
        breach = _breach(item)
        if breach and breach.title.casefold() not in seen:
            seen.add(breach.title.casefold())
            breaches.append(breach)
    return breaches


def result_for(email: str, breaches: list[Breach]) -> SourceResult:
    """The breaches of one address as observations, plus the address as a checked account."""
    source = SourceRef(NAME, WEB)
    status = AccountStatus.FOUND if breaches else AccountStatus.NOT_FOUND
    details = {"breaches": str(len(breaches))} if breaches else {}
    return SourceResult(
        observations=tuple(breach_observation(source, email, b) for b in breaches),
        accounts=(Account(SITE, lookup_url(email), email, status, details),),
    )


def check_hibp(response: httpx.Response) -> None:
    """Raise Blocked / SourceUnavailable for a refusal or failure; 2xx and 404 pass."""
    status = response.status_code
    if status == 401:
        raise Blocked(f"HIBP rejected the API key in {KEY_ENV} (HTTP 401)")
    if status == 429:
        wait = response.headers.get("retry-after", "").strip()
        hint = f"; retry after {wait} s" if wait.isdigit() else ""
        raise Blocked(f"Have I Been Pwned rate limit for this API key reached (HTTP 429){hint}")
    check_status(response, SITE)


async def _lookup(http: Http, email: str, key: str) -> SourceResult:
    api_key = ApiKey("hibp-api-key", key, HOST)
    response = await http.get(
        lookup_url(email), headers={"Accept": "application/json"}, key=api_key
    )
    check_hibp(response)
    if response.status_code == 404:
        if response.content.strip():
            raise SourceUnavailable("Have I Been Pwned answered HTTP 404 with an unexpected body")
        return result_for(email, [])
    return result_for(email, parse_breaches(json_body(response, SITE)))


class HibpSource(Source):
    name = NAME
    title = SITE
    needs = frozenset({"emails"})
    key_env = KEY_ENV
    agent = Agent.IDENTIFIED  # HIBP asks for a User-Agent naming the client

    def applies_to(self, profile: Profile) -> bool:
        """Only with an email to look up and an API key in HIBP_API_KEY."""
        return bool(profile.emails) and self.api_key() is not None

    def skip_reason(self, profile: Profile) -> str:
        return NO_KEY if profile.emails else super().skip_reason(profile)

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        key = self.api_key()
        if key is None:
            raise Blocked(NO_KEY)
        emails, notes = limit_emails(profile.emails, MAX_EMAILS, SITE)
        return await lookup_each(
            emails,
            paced(lambda email: _lookup(http, email, key), http, NAME, lambda: REQUEST_DELAY),
            lambda email: Account(SITE, lookup_url(email), email, AccountStatus.UNKNOWN),
            notes,
            field=Field.EMAILS,
        )
