"""XposedOrNot: the data breaches each of the subject's email addresses is in.

One request per email, at most 5 emails, REQUEST_DELAY seconds apart:
GET https://api.xposedornot.com/v1/breach-analytics?email={email} (free, no key).
It answers both which breaches hold the address and their details, so check-email
(/v1/check-email/{email}, names only) is not called. Read:
ExposedBreaches.breaches_details[].{breach, xposed_date, xposed_data ("A;B;C"), domain,
password_risk, verified}, and BreachesSummary.site (breach names, ";"-separated when
several - only single-name samples were seen) for names missing from the details.
Not found is documented as HTTP 200 with every section null; a 404 whose JSON body is
{"Error": "Not found"} (check-email's not-found shape) is also read as not found.
Anything else that is not the documented shape is SourceUnavailable.

Limits: XposedOrNot limits free use (about one request per second; the hourly and daily
numbers are not known here). HTTP 429 -> Blocked; the Http layer retries it first.
Not known: the exact not-found status in every case, whether "site" lists several names.
"""

from __future__ import annotations

from typing import Any

import httpx

from scanner.errors import Blocked, SourceUnavailable
from scanner.http import Http
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

NAME = "xposedornot"
SITE = "XposedOrNot"
API = "https://api.xposedornot.com/v1/breach-analytics"
WEB = "https://xposedornot.com/"
MAX_EMAILS = 5
REQUEST_DELAY = 1.5  # seconds between lookups (tests set 0)
SECTIONS = ("BreachMetrics", "BreachesSummary", "ExposedBreaches", "ExposedPastes")
PASSWORD_RISK = {
    "plaintext": "XposedOrNot says passwords were stored in plain text",
    "easytocrack": "XposedOrNot says the stored passwords are easy to crack",
    "hardtocrack": "XposedOrNot says the stored passwords are hard to crack",
}


def _breach(item: dict[str, Any]) -> Breach | None:
    title = clean(item.get("breach"), MAX_TITLE)
    if not title:
        return None
    marks = []
    risk = item.get("password_risk")
    if isinstance(risk, str) and risk.strip().lower() in PASSWORD_RISK:
        marks.append(PASSWORD_RISK[risk.strip().lower()])
    if isinstance(item.get("verified"), str) and item["verified"].strip().lower() == "no":
        marks.append("XposedOrNot has not verified this breach")
    return Breach(
        title=title,
        date=clean(item.get("xposed_date"), 30),
        data_classes=data_classes(item.get("xposed_data")),
        domain=host(item.get("domain")),
        marks=tuple(marks),
    )


def parse_analytics(data: Any) -> list[Breach]:
    """The breaches in a breach-analytics answer ([] for the all-null not-found shape)."""
    if isinstance(data, dict) and data.get("Error") == "Not found":
        return []
    if not isinstance(data, dict) or not any(key in data for key in SECTIONS):
        raise SourceUnavailable("XposedOrNot sent an unexpected breach-analytics response")
    exposed = data.get("ExposedBreaches")
    if exposed is not None and not isinstance(exposed, dict):
        raise SourceUnavailable("XposedOrNot sent ExposedBreaches in an unexpected shape")
    details = (exposed or {}).get("breaches_details") or []
    if not isinstance(details, list):
        raise SourceUnavailable("XposedOrNot sent breaches_details in an unexpected shape")
    breaches = [b for item in details if isinstance(item, dict) and (b := _breach(item))]
    summary = data.get("BreachesSummary")
    site = summary.get("site") if isinstance(summary, dict) else None
    seen = {b.title.casefold() for b in breaches}
    for name in site.split(";") if isinstance(site, str) else ():
        title = clean(name, MAX_TITLE)
        if title and title.casefold() not in seen:
            seen.add(title.casefold())
            breaches.append(Breach(title=title))
    return breaches


def result_for(email: str, url: str, breaches: list[Breach]) -> SourceResult:
    """The breaches of one address as observations, plus the address as a checked account."""
    source = SourceRef(NAME, WEB)
    status = AccountStatus.FOUND if breaches else AccountStatus.NOT_FOUND
    details = {"breaches": str(len(breaches))} if breaches else {}
    return SourceResult(
        observations=tuple(breach_observation(source, email, b) for b in breaches),
        accounts=(Account(SITE, url, email, status, details),),
    )


def check_xposedornot(response: httpx.Response) -> None:
    """Raise Blocked / SourceUnavailable for a refusal or failure; 2xx and 404 pass."""
    if response.status_code == 429:
        raise Blocked(
            "XposedOrNot rate limit reached (HTTP 429): it allows about one lookup a "
            "second for free use; try again later"
        )
    check_status(response, SITE)


def lookup_url(email: str) -> str:
    return str(httpx.URL(API, params={"email": email}))


async def _lookup(http: Http, email: str) -> SourceResult:
    url = lookup_url(email)
    response = await http.get(API, params={"email": email}, headers={"Accept": "application/json"})
    check_xposedornot(response)
    if response.status_code == 404:
        if _not_found_body(response):
            return result_for(email, url, [])
        raise SourceUnavailable("XposedOrNot answered HTTP 404 without its not-found body")
    return result_for(email, url, parse_analytics(json_body(response, SITE)))


def _not_found_body(response: httpx.Response) -> bool:
    try:
        data = response.json()
    except ValueError:  # not JSON (json.JSONDecodeError and UnicodeDecodeError are)
        return False
    return isinstance(data, dict) and data.get("Error") == "Not found"


class XposedOrNotSource(Source):
    name = NAME
    title = SITE
    needs = frozenset({"emails"})

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        emails, notes = limit_emails(profile.emails, MAX_EMAILS, SITE)
        return await lookup_each(
            emails,
            paced(lambda email: _lookup(http, email), http, NAME, lambda: REQUEST_DELAY),
            lambda email: Account(SITE, lookup_url(email), email, AccountStatus.UNKNOWN),
            notes,
            field=Field.EMAILS,
        )
