"""keys.openpgp.org: the OpenPGP key published under each of the subject's email addresses.

GET https://keys.openpgp.org/vks/v1/by-email/{URI-encoded email} (Accept:
application/pgp-keys), at most 5 emails. keys.openpgp.org answers only an exact address
whose owner confirmed it by email, so whatever comes back was published by the owner of
that address: 200 carries one ASCII-armored certificate holding only the verified user IDs
(read by `openpgp_packets`, no signature is checked); 404 means no key is published for it
(the 404 body is not known and is not read). 429 / 401 / 403 -> Blocked, 5xx ->
SourceUnavailable, a body that is not a readable certificate -> SourceUnavailable.

Read: the name of each user ID ("Name (comment) <email>") as REAL_NAME (0.9: found by the
subject's own verified address), the other addresses on the key as EMAIL observations and
"emails" leads (keys.openpgp.org verified each with its owner), the key's creation date and
version-4 fingerprint as account details. Photo IDs (user attributes) are only counted in a
note; keys.openpgp.org is not known to publish them.
"""

from __future__ import annotations

from urllib.parse import quote

from scanner.errors import SourceUnavailable
from scanner.http import Http
from scanner.identity import Basis, confidence_of
from scanner.models import (
    Account,
    AccountStatus,
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
from scanner.profile import lead_value
from scanner.sources.base import Source, check_status, lookup_each
from scanner.sources.openpgp_packets import MalformedCertificate, read_armored, split_user_id

NAME = "openpgp"
SITE = "keys.openpgp.org"
API = "https://keys.openpgp.org/vks/v1/by-email/"
MAX_EMAILS = 5
CONFIDENCE = confidence_of(Basis.KEYED)  # on a key published under the subject's own email
MAX_VALUE = 200

MANAGE_STEP = RemovalStep(
    "Unpublish this address from keys.openpgp.org",
    "Go to keys.openpgp.org/manage and enter the address; the site emails a management link "
    "to it, where you can stop publishing that address (and the name on it). The key itself "
    "stays, without the address, and can then only be found by its fingerprint. Copies on "
    "other keyservers are separate and are not changed by this.",
    "https://keys.openpgp.org/manage",
)


def key_url(email: str) -> str:
    return API + quote(email, safe="")


def _cap(text: str) -> str:
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def parse_key(text: str, email: str, profile: Profile | None = None) -> SourceResult:
    """An armored certificate published under `email`: a FOUND account, names, other
    addresses (also as leads) and a note on photo IDs."""
    try:
        cert = read_armored(text)
    except MalformedCertificate as exc:
        raise SourceUnavailable(f"{SITE} sent a key that cannot be read ({exc})") from None
    url = key_url(email)
    source = SourceRef(NAME, url)
    reason = f"on the OpenPGP key published under your verified address {email} on {SITE}"
    known = {e.casefold() for e in (profile.emails if profile else ())} | {email.casefold()}
    ties = (Tie(kind=TieKind.EMAIL, value=email),)  # the key is published under it
    observations: list[Observation] = []
    leads: list[Lead] = []
    seen: set[tuple[Kind, str]] = set()

    def add(kind: Kind, value: str, evidence: str) -> None:
        if value and (kind, value.casefold()) not in seen:
            seen.add((kind, value.casefold()))
            observations.append(
                Observation(
                    kind, value, source, evidence, CONFIDENCE, reason, (MANAGE_STEP,), ties=ties
                )
            )

    for user_id in cert.user_ids:
        name, _comment, address = split_user_id(user_id)
        evidence = f"User ID on the key: {_cap(user_id)}"
        add(Kind.REAL_NAME, _cap(name), evidence)
        other = lead_value("emails", address) if address else None
        if other is None or other.casefold() in known:
            continue
        add(Kind.EMAIL, other, evidence)
        if all(lead.value != other for lead in leads):
            leads.append(
                Lead(
                    "emails",
                    other,
                    source,
                    f"a verified address on the OpenPGP key published under {email}",
                    found_from=email,
                )
            )
    details = {"user_ids": str(len(cert.user_ids)), "key_version": str(cert.version)}
    if cert.created is not None:
        details["key_created"] = cert.created.date().isoformat()
    if cert.fingerprint:
        details["fingerprint"] = cert.fingerprint
    notes: tuple[str, ...] = ()
    if cert.user_attributes:
        notes = (f"{email}: the published key holds {cert.user_attributes} photo ID(s)",)
    account = Account(SITE, url, email, AccountStatus.FOUND, details)
    return SourceResult(tuple(observations), (account,), notes=notes, leads=tuple(leads))


async def _lookup(http: Http, email: str, profile: Profile) -> SourceResult:
    url = key_url(email)
    response = await http.get(url, headers={"Accept": "application/pgp-keys"})
    if response.status_code == 404:
        return SourceResult(accounts=(Account(SITE, url, email, AccountStatus.NOT_FOUND),))
    check_status(response, SITE)
    # Armor headers may hold UTF-8 comments (user IDs); the base64 itself is ASCII.
    return parse_key(response.content.decode("utf-8", errors="replace"), email, profile)


class OpenPGPSource(Source):
    name = NAME
    title = SITE
    needs = frozenset({"emails"})

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        emails = list(dict.fromkeys(e.strip().lower() for e in profile.emails if "@" in e))
        notes: list[str] = []
        if len(emails) > MAX_EMAILS:
            skipped = ", ".join(emails[MAX_EMAILS:])
            notes.append(f"{SITE}: only the first {MAX_EMAILS} emails were checked; not: {skipped}")
        return await lookup_each(
            emails[:MAX_EMAILS],
            lambda email: _lookup(http, email, profile),
            lambda email: Account(SITE, key_url(email), email, AccountStatus.UNKNOWN),
            notes,
            field=Field.EMAILS,
        )
