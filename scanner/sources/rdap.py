"""Domain registration (RDAP): who the registration records of the subject's domains name.

GET https://data.iana.org/rdap/dns.json once per run (the IANA bootstrap registry, RFC 9224:
{"services": [[["com", "net"], ["https://rdap.verisign.com/com/v1/"]], ...]}), then for each
domain (at most 5, from the profile's `domains`, leads included) GET {base}domain/{domain}
(RFC 9083, Accept: application/rdap+json) at the service of its longest matching label
suffix, preferring https base URLs. A thin registry (.com, .net) names only the registrar;
when the registry's answer holds no contact vCard and no redaction notice, its one "related"
link of type application/rdap+json ending in /domain/{domain} (the registrar's record) is
fetched once, https only; a failure there is a note, not an error.

Read: entities (and entities nested in them, not in the registrar's) with the roles
registrant / administrative / technical, their jCard (RFC 7095) fn, org, adr (structured,
or its "label" parameter), tel and email; the registrar's fn; the registration, expiration
and last-changed events. An entity whose name or organisation looks like a redaction or
privacy service ("REDACTED FOR PRIVACY", "Withheld for Privacy ehf", "Contact Privacy
Inc.", "Data Protected", ...), and every contact when the answer has an RFC 9537 "redacted"
member, counts as redacted: a note, no findings. So an organisation whose real name
contains "private", "privacy", "protected" or "proxy" is missed on purpose. The registry of
some ccTLDs (e.g. .cz) lists contacts by handle only, without vCards: those are not fetched.

404 -> the domain is not registered (or is a subdomain); no bootstrap entry for the domain's
TLD -> a note; 429 / 401 / 403 -> Blocked; 5xx, non-JSON or a non-domain object ->
SourceUnavailable. Not known: the exact 404 body (not read) and how each registrar words
its redactions (the patterns above are matched case-insensitively).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from scanner.errors import SourceError, SourceUnavailable
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
)
from scanner.profile import lead_value
from scanner.sources.base import Source, check_status, json_body, lookup_each, normalise_phone

NAME = "rdap"
SITE = "Domain registration (RDAP)"
BOOTSTRAP = "https://data.iana.org/rdap/dns.json"
ACCEPT = {"Accept": "application/rdap+json"}
MAX_DOMAINS = 5
MAX_ENTITIES = 50
MAX_DEPTH = 4
MAX_VALUE = 200
CONTACT_ROLES = ("registrant", "administrative", "technical")
EVENTS = {"registration": "registered", "expiration": "expires", "last changed": "last_changed"}
REDACTED_RE = re.compile(
    r"redact|privacy|private|data protected|withheld|not disclosed|non-public|gdpr|masked|"
    r"proxy|protected|anonymi[sz]ed",
    re.IGNORECASE,
)


def privacy_step(domain: str, registrar: str) -> RemovalStep:
    at = f"your registrar ({registrar})" if registrar else "your registrar"
    return RemovalStep(
        f"Turn on WHOIS privacy for {domain}",
        f"Sign in at {at}, open the domain's settings and turn on WHOIS privacy (also called "
        "contact privacy or redaction); most registrars include it free. If there is no such "
        "option for this domain ending, put a business address or P.O. box in the contact "
        "details instead. WHOIS history sites may keep copies of the old record.",
    )


def _clean(value: Any) -> str:
    if isinstance(value, list):
        value = " ".join(_clean(part) for part in value)
    if not isinstance(value, str):
        return ""
    text = " ".join("".join(c if c.isprintable() else " " for c in value).split())
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def parse_bootstrap(data: Any) -> dict[str, str]:
    """TLD label suffix -> RDAP base URL (ending in "/"), https preferred."""
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, list):
        raise SourceUnavailable("the IANA RDAP bootstrap file has no services list")
    out: dict[str, str] = {}
    for service in services:
        if not (isinstance(service, list) and len(service) >= 2):
            continue
        labels, urls = service[0], service[1]
        if not (isinstance(labels, list) and isinstance(urls, list)):
            continue
        good = [u for u in urls if isinstance(u, str) and re.match(r"https?://[^/\s]+", u)]
        good.sort(key=lambda u: not u.startswith("https://"))
        if not good:
            continue
        base = good[0] if good[0].endswith("/") else good[0] + "/"
        for label in labels:
            if isinstance(label, str) and label.strip("."):
                out.setdefault(label.strip(".").lower(), base)
    if not out:
        raise SourceUnavailable("the IANA RDAP bootstrap file lists no services")
    return out


def service_for(domain: str, services: dict[str, str]) -> str | None:
    labels = domain.split(".")
    for i in range(len(labels)):  # longest suffix first
        base = services.get(".".join(labels[i:]))
        if base is not None:
            return base
    return None


@dataclass
class Contact:
    roles: tuple[str, ...]
    name: str = ""
    org: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)  # (label, as written)
    addresses: list[tuple[str, bool]] = field(default_factory=list)  # (text, has street)

    @property
    def redacted(self) -> bool:
        return any(REDACTED_RE.search(v) for v in (self.name, self.org, *self.emails))


def _roles(entity: dict[str, Any]) -> tuple[str, ...]:
    roles = entity.get("roles")
    return tuple(r.lower() for r in roles if isinstance(r, str)) if isinstance(roles, list) else ()


def _address(params: dict[str, Any], value: Any) -> tuple[str, bool] | None:
    """(text, has a street line) of a jCard adr; redacted parts are dropped."""
    parts = [_clean(p) for p in value] if isinstance(value, list) else []
    parts = ["" if REDACTED_RE.search(p) else p for p in (parts + [""] * 7)[:7]]
    street = any(parts[i] for i in (0, 1, 2))
    text = ", ".join(p for p in parts if p)
    raw = params.get("label")
    label = _clean(", ".join(raw.splitlines())) if isinstance(raw, str) else ""
    if label and not REDACTED_RE.search(label):
        text, street = ", ".join(p.strip() for p in label.split(",") if p.strip()), True
    if not (street or parts[3]):
        return None  # a region or country alone says little
    return text, street


def contact_of(entity: dict[str, Any]) -> Contact:
    contact = Contact(_roles(entity))
    card = entity.get("vcardArray")
    props = card[1] if isinstance(card, list) and len(card) == 2 and card[0] == "vcard" else []
    for prop in props if isinstance(props, list) else []:
        if not (isinstance(prop, list) and len(prop) >= 4 and isinstance(prop[0], str)):
            continue
        name, params, value = prop[0].lower(), prop[1] if isinstance(prop[1], dict) else {}, prop[3]
        if name == "fn" and not contact.name:
            contact.name = _clean(value)
        elif name == "org" and not contact.org:
            contact.org = _clean(value)
        elif name == "email" and _clean(value):
            contact.emails.append(_clean(value))
        elif name == "tel":
            raw = _clean(value).removeprefix("tel:").split(";", 1)[0].strip()
            kinds = params.get("type")
            fax = "fax" in (kinds if isinstance(kinds, list) else [kinds])
            if raw:
                contact.phones.append(("Fax" if fax else "Phone", raw))
        elif name == "adr" and (address := _address(params, value)):
            contact.addresses.append(address)
    return contact


def _walk(entities: Any, depth: int = 0) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for entity in entities if isinstance(entities, list) and depth < MAX_DEPTH else []:
        if isinstance(entity, dict):
            found.append(entity)
            if not {"registrar", "reseller"} & set(_roles(entity)):
                found.extend(_walk(entity.get("entities"), depth + 1))
    return found[:MAX_ENTITIES]


@dataclass
class Record:
    contacts: list[Contact]
    registrar: str
    details: dict[str, str]
    redaction_notice: bool
    related: str  # the registrar's record, when the registry links it


def parse_domain(data: Any, domain: str) -> Record:
    """The contacts, registrar, events and links of an RDAP domain object."""
    if not isinstance(data, dict) or not (
        data.get("objectClassName") == "domain" or isinstance(data.get("ldhName"), str)
    ):
        raise SourceUnavailable(f"RDAP sent something that is not a domain record for {domain}")
    entities = _walk(data.get("entities"))
    contacts = [contact_of(e) for e in entities if set(CONTACT_ROLES) & set(_roles(e))]
    contacts.sort(key=lambda c: "registrant" not in c.roles)
    registrar = next(
        (
            contact_of(e).name or _clean(e.get("handle"))
            for e in entities
            if "registrar" in _roles(e)
        ),
        "",
    )
    details: dict[str, str] = {"registrar": registrar} if registrar else {}
    events = data.get("events")
    for event in events if isinstance(events, list) else []:
        action = _clean(event.get("eventAction")).lower() if isinstance(event, dict) else ""
        date = _clean(event.get("eventDate"))[:10] if action in EVENTS else ""
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            details.setdefault(EVENTS[action], date)
    redacted = data.get("redacted")
    related = ""
    links = data.get("links")
    for link in links if isinstance(links, list) else []:
        href = link.get("href") if isinstance(link, dict) else None
        if (
            isinstance(href, str)
            and link.get("rel") == "related"
            and link.get("type") == "application/rdap+json"
            and href.startswith("https://")
            and href.lower().rstrip("/").endswith(f"/domain/{domain}")
        ):
            related = href
            break
    return Record(
        contacts, registrar, details, isinstance(redacted, list) and bool(redacted), related
    )


def observe(record: Record, domain: str, url: str, region: str) -> SourceResult:
    """Observations (and registrant email leads) from a parsed record, or a redaction note."""
    source = SourceRef(NAME, url)
    live = [c for c in record.contacts if not c.redacted] if not record.redaction_notice else []
    notes: list[str] = []
    hidden = [c for c in record.contacts if c.redacted]
    if record.redaction_notice or any("registrant" in c.roles for c in hidden):
        notes.append(f"{domain}: registrant data is redacted (good)")
    elif hidden:
        notes.append(f"{domain}: contact data is redacted (good)")
    elif not any(c.name or c.org or c.emails or c.phones or c.addresses for c in live):
        notes.append(
            f"{domain}: the record lists its contacts by handle only; their details were not "
            "fetched"
            if live
            else f"{domain}: the registration record shows no contact details"
        )
    step = (privacy_step(domain, record.registrar),)
    observations: list[Observation] = []
    leads: list[Lead] = []

    def add(kind: Kind, value: str, evidence: str, confidence: float, reason: str) -> None:
        if value and all((o.kind, o.value) != (kind, value) for o in observations):
            observations.append(
                Observation(kind, value, source, evidence, confidence, reason, step)
            )

    for contact in live:
        own = "registrant" in contact.roles
        role = "registrant" if own else "/".join(r for r in contact.roles if r in CONTACT_ROLES)
        label = role.capitalize()
        sure = confidence_of(Basis.TIED if own else Basis.DOUBTFUL)
        sure_home = confidence_of(Basis.PROBABLE if own else Basis.UNTIED)
        suffix = "" if own else " (often you; may be a web host or agency)"
        reason = f"{role} of your domain {domain}{suffix}"
        home = f"{role} address of your domain {domain} (may be a business address){suffix}"
        items = [
            (Kind.REAL_NAME, contact.name, f"{label} name: {contact.name}", sure, reason),
            (Kind.EMPLOYER, contact.org, f"{label} organisation: {contact.org}", sure, reason),
        ]
        for text, street in contact.addresses:
            kind = Kind.HOME_ADDRESS if street else Kind.LOCATION
            items.append((kind, text, f"{label} address: {text}", sure_home, home))
        for what, raw in contact.phones:
            phone = normalise_phone(raw, region)
            items.append((Kind.PHONE, phone, f"{label} {what.lower()}: {raw}", sure, reason))
        for kind, value, evidence, confidence, why in items:
            add(kind, value, evidence, confidence, why)
        for raw in contact.emails:
            email = lead_value("emails", raw)
            if email:
                add(Kind.EMAIL, email, f"{label} email: {raw}", sure, reason)
                if own and all(lead.value != email for lead in leads):
                    why = f"the registrant email of your domain {domain}"
                    leads.append(Lead("emails", email, source, why, found_from=domain))
    return SourceResult(tuple(observations), notes=tuple(notes), leads=tuple(leads))


class RdapSource(Source):
    name = NAME
    title = SITE
    needs = frozenset({"domains"})

    def __init__(self) -> None:
        self._services: dict[str, str] | None = None  # the bootstrap, fetched once per run

    async def services(self, http: Http) -> dict[str, str]:
        if self._services is None:
            response = await http.get(BOOTSTRAP, headers={"Accept": "application/json"})
            check_status(response, "IANA RDAP bootstrap")
            if response.status_code == 404:
                raise SourceUnavailable("the IANA RDAP bootstrap file was not found (HTTP 404)")
            self._services = parse_bootstrap(json_body(response, "IANA RDAP bootstrap"))
        return self._services

    async def lookup(self, http: Http, domain: str, region: str) -> SourceResult:
        base = service_for(domain, await self.services(http))
        if base is None:
            return SourceResult(
                notes=(f"{domain}: no RDAP service for .{domain.rsplit('.', 1)[-1]}",)
            )
        url = self.domain_url(domain)
        response = await http.get(url, headers=ACCEPT)
        if response.status_code == 404:
            note = f"{domain}: not registered (if it is a subdomain, add the domain it belongs to)"
            account = Account(SITE, url, domain, AccountStatus.NOT_FOUND)
            return SourceResult(accounts=(account,), notes=(note,))
        check_status(response, f"RDAP ({base})")
        record = parse_domain(json_body(response, "RDAP"), domain)
        seen_at, notes = url, []
        has_card = any(c.name or c.org or c.emails or c.addresses for c in record.contacts)
        if record.related and not has_card and not record.redaction_notice:
            try:
                found = await self.registrar_record(http, record.related, domain)
                details = {**found.details, **record.details}
                registrar = record.registrar or found.registrar
                seen_at, record = (
                    record.related,
                    replace(found, details=details, registrar=registrar),
                )
            except SourceError as exc:
                notes.append(f"{domain}: registrar record not checked ({exc})")
        result = observe(record, domain, seen_at, region)
        account = Account(SITE, url, domain, AccountStatus.FOUND, record.details)
        return replace(result, accounts=(account,), notes=(*notes, *result.notes))

    async def registrar_record(self, http: Http, url: str, domain: str) -> Record:
        response = await http.get(url, headers=ACCEPT)
        check_status(response, "the registrar's RDAP")
        if response.status_code == 404:
            raise SourceUnavailable("the registrar's RDAP has no record (HTTP 404)")
        return parse_domain(json_body(response, "the registrar's RDAP"), domain)

    def domain_url(self, domain: str) -> str:
        base = service_for(domain, self._services or {})
        return f"{base}domain/{domain}" if base else BOOTSTRAP

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        domains = list(dict.fromkeys(d.strip().lower().rstrip(".") for d in profile.domains if d))
        notes: list[str] = []
        if len(domains) > MAX_DOMAINS:
            skipped = ", ".join(domains[MAX_DOMAINS:])
            notes.append(f"RDAP: only the first {MAX_DOMAINS} domains were checked; not: {skipped}")
        if domains:
            await self.services(http)  # a refused bootstrap fails the whole source
        return await lookup_each(
            domains[:MAX_DOMAINS],
            lambda domain: self.lookup(http, domain, profile.country),
            lambda domain: Account(SITE, self.domain_url(domain), domain, AccountStatus.UNKNOWN),
            notes,
            field=Field.DOMAINS,
        )
