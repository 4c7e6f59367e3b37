"""A shareable copy of a scan (`--redact`): every personal value masked, the shape kept.

`redact_value(kind, value)` masks one value by what it is: phones keep their last two digits
("+1 •••-•••-••42", national numbers "(•••) •••-••42": the area code is masked too, it is a
place), emails their first letter and top-level domain ("j•••@•••.net"), home addresses only
"City, ST" when that part is recognisable (else "•••"), names their initials ("J. T."), URLs
their host, the subject's own domains their top-level domain ("•••.com"); breach names are kept.

`redact_result(result)` returns a copy of a ScanResult with the values masked in every field
the reports show: findings (value, evidence, sources, removal URLs, paths, a new id that can
not be brute-forced back to the value), accounts, leads, sources' notes, requests (host only),
and the subject's own identifiers. Free text (reasons, steps, notes) is scrubbed of every
personal string the scan knows (profile identifiers, finding values, leads, name words,
handles) and of anything shaped like an email, phone, URL or long hex id. Scraped evidence is
reduced to its label and the masked value: a bio may hold things no rule can recognise.
The profile's context (what the abuser knows, notes) is dropped. A `since` section from
history holds raw values: do not pass it when rendering a redacted report.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import PurePath
from urllib.parse import urlsplit

import phonenumbers

from scanner.models import (
    Account,
    Context,
    Finding,
    Kind,
    Location,
    Pivot,
    Profile,
    RemovalStep,
    ScanResult,
    SourceRef,
    SourceRun,
)

MASK = "•••"
_STATES = (
    "AL Alabama|AK Alaska|AZ Arizona|AR Arkansas|CA California|CO Colorado|CT Connecticut|"
    "DE Delaware|DC District of Columbia|FL Florida|GA Georgia|HI Hawaii|ID Idaho|IL Illinois|"
    "IN Indiana|IA Iowa|KS Kansas|KY Kentucky|LA Louisiana|ME Maine|MD Maryland|"
    "MA Massachusetts|MI Michigan|MN Minnesota|MS Mississippi|MO Missouri|MT Montana|"
    "NE Nebraska|NV Nevada|NH New Hampshire|NJ New Jersey|NM New Mexico|NY New York|"
    "NC North Carolina|ND North Dakota|OH Ohio|OK Oklahoma|OR Oregon|PA Pennsylvania|"
    "RI Rhode Island|SC South Carolina|SD South Dakota|TN Tennessee|TX Texas|UT Utah|"
    "VT Vermont|VA Virginia|WA Washington|WV West Virginia|WI Wisconsin|WY Wyoming|PR Puerto Rico"
)
STATES = {key.lower(): state for state in _STATES.split("|") for key in (state[:2], state[3:])}
_ZIP = re.compile(r"\s*\b\d{5}(?:-\d{4})?\b\s*")
_COUNTRIES = {"us", "usa", "united states", "united states of america"}
_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'()]+")
_EMAIL = re.compile(r"(?i)[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+")
_PHONE = re.compile(r"\+?\(?\d[\d\s().-]{5,}\d")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HEX_ID = re.compile(r"(?i)\b[0-9a-f]{16,}\b")
_LONG_NUMBER = re.compile(r"\d{5,}")


# --- one value -------------------------------------------------------------------------


def redact_value(kind: str, value: str) -> str:
    """`value` masked for a shareable copy. `kind` is a Kind value or a lead field."""
    kind = kind.lower().removesuffix("s") if kind in _FIELDS else kind.lower()
    return _BY_KIND.get(kind, _mask_all)(value.strip())


def mask_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) < 6:
        return MASK
    last = digits[-2:]
    if value.lstrip().startswith("+"):
        try:
            code = str(phonenumbers.parse(value).country_code)
        except phonenumbers.NumberParseException:
            code = digits[:1]
        national = len(digits) - len(code)
        body = "•••-•••-••" if code == "1" and national == 10 else "•" * (national - 2)
        return f"+{code} {body}{last}"
    if len(digits) == 10:
        return f"(•••) •••-••{last}"
    return "•" * (len(digits) - 2) + last


def mask_email(value: str) -> str:
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain:
        return MASK
    return f"{local[0]}{MASK}@{MASK}.{domain.rsplit('.', 1)[1].lower()}"


def mask_domain(value: str) -> str:
    host = _host(value) or value
    return f"{MASK}.{host.rsplit('.', 1)[1]}" if "." in host.strip(".") else MASK


def mask_address(value: str) -> str:
    """ "48 Elm Street, Springfield, IL, 62704, US" -> "Springfield, IL"; else "•••"."""
    parts = [_ZIP.sub(" ", part).strip() for part in value.split(",")]
    parts = [part for part in parts if part and part.lower() not in _COUNTRIES]
    for index in range(1, len(parts)):
        state = STATES.get(parts[index].lower())
        city = parts[index - 1]
        if state and re.fullmatch(r"[^\W\d_][^\W\d_ .'-]*(?:[ .'-]+[^\W\d_]+)*\.?", city):
            return f"{city}, {parts[index] if len(parts[index]) == 2 else state[:2]}"
    return MASK


def mask_location(value: str) -> str:
    """A city-level place is kept ("Springfield, Illinois"); anything with a street or a
    number goes through the address rule."""
    if len(value) <= 60 and not re.search(r"\d", value) and value.count(",") <= 2:
        return value
    return mask_address(value)


def initials(value: str) -> str:
    letters = [word[0].upper() for word in re.findall(r"[^\W\d_]+", value)]
    return " ".join(f"{letter}." for letter in letters) if letters else MASK


def mask_handle(value: str) -> str:
    name, at, instance = value.lstrip("@").partition("@")
    if not name:
        return MASK
    return f"{name[0]}{MASK}" + (f"@{instance}" if at else "")


def host_only(value: str) -> str:
    return _host(value) or MASK


def mask_identifier(value: str) -> str:
    """An identifier of unknown field: an email, phone, domain or handle."""
    if not value:
        return ""
    if _EMAIL.fullmatch(value):
        return mask_email(value)
    if re.fullmatch(r"\+?[\d\s().-]{7,}", value):
        return mask_phone(value)
    if "://" in value:
        return host_only(value)
    if "." in value and " " not in value and not value.startswith("@"):
        return mask_domain(value)
    return mask_handle(value)


def _first_letter(value: str) -> str:
    return f"{value[0]}{MASK}" if value else MASK


def _mask_all(value: str) -> str:
    return MASK


def _keep(value: str) -> str:
    return value


def _host(value: str) -> str:
    text = value.strip()
    try:
        host = urlsplit(text if "//" in text else "//" + text).hostname
    except ValueError:
        return ""
    return host or ""


_FIELDS = {"handles", "emails", "domains", "phones", "locations"}
_BY_KIND: dict[str, Callable[[str], str]] = {
    Kind.PHONE: mask_phone,
    Kind.EMAIL: mask_email,
    Kind.HOME_ADDRESS: mask_address,
    Kind.LOCATION: mask_location,
    Kind.REAL_NAME: initials,
    Kind.RELATIVE: initials,
    "name": initials,
    Kind.USERNAME: mask_handle,
    "handle": mask_handle,
    Kind.ACCOUNT: host_only,
    Kind.PHOTO: host_only,
    "url": host_only,
    Kind.WEBSITE: mask_domain,
    "domain": mask_domain,
    Kind.EMPLOYER: _first_letter,
    Kind.SCHOOL: _first_letter,
    Kind.BREACH: _keep,
}


# --- a whole scan ----------------------------------------------------------------------


@dataclass(frozen=True)
class Scrubber:
    """Masks what the scan knows to be personal wherever it appears in free text."""

    known: tuple[tuple[str, str], ...]  # (personal string, its mask), longest first
    tokens: re.Pattern[str] | None  # name words and handles, matched inside other words
    hosts: frozenset[str]  # the subject's own hosts

    def text(self, value: str) -> str:
        value = _HEX_ID.sub(MASK, value)
        value = _URL.sub(lambda m: self.host(m.group(0)), value)
        value = _EMAIL.sub(lambda m: mask_email(m.group(0)), value)
        for personal, mask in self.known:
            value = re.sub(re.escape(personal), mask, value, flags=re.IGNORECASE)
        value = _PHONE.sub(_phone_match, value)
        if self.tokens:
            value = self.tokens.sub(lambda m: m.group(0)[0] + MASK, value)
        return value

    def personal_host(self, host: str) -> bool:
        host = host.lower()
        own = any(host == h or host.endswith("." + h) for h in self.hosts)
        return own or bool(self.tokens and self.tokens.search(host))

    def host(self, url: str) -> str:
        host = _host(url)
        return mask_domain(host) if host and self.personal_host(host) else host or MASK

    def url(self, url: str) -> str:
        """A link kept to its site's front page; the subject's own site not even that."""
        host = _host(url)
        if not host or self.personal_host(host):
            return mask_domain(host) if host else MASK
        scheme = urlsplit(url.strip()).scheme.lower() or "https"
        return f"{scheme}://{host}/"

    def request_url(self, url: str) -> str:
        """A request's URL cut to its site's front page; the subject's own host masked."""
        host = _host(url)
        if host and self.personal_host(host):
            return f"https://{mask_domain(host)}/"
        return self.url(url)

    def step_url(self, url: str) -> str:
        """A removal page is kept whole when nothing personal is in it (settings pages)."""
        parts = urlsplit(url.strip())
        rest = parts.path + "?" + parts.query
        if self.text(rest) == rest and not _LONG_NUMBER.search(rest):
            return url if not self.personal_host(parts.hostname or "") else self.url(url)
        return self.url(url)


def _phone_match(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = re.sub(r"\D", "", text)
    if _DATE.search(text) or not 7 <= len(digits) <= 15:
        return text
    return mask_phone(text)


def scrubber_for(result: ScanResult) -> Scrubber:
    profile = result.profile
    known: dict[str, str] = {}

    def add(values: Iterable[str], masker: Callable[[str], str]) -> None:
        for value in values:
            if len(value.strip()) >= 3:
                known.setdefault(value.strip(), masker(value.strip()))

    add(profile.emails, mask_email)
    add(profile.phones, mask_phone)
    add((*profile.names, *profile.aliases), initials)
    add(profile.handles, mask_handle)
    add(profile.domains, mask_domain)
    add(profile.affiliations, _first_letter)
    for finding in result.findings:
        if finding.kind not in (Kind.BREACH, Kind.LOCATION, Kind.ACCOUNT, Kind.PHOTO):
            add([finding.value], partial(redact_value, finding.kind.value))
    for pivot in _all_pivots(result):
        add([pivot.value], partial(redact_value, pivot.field))
    add((a.username for a in result.accounts), mask_identifier)
    words = {
        word.lower()
        for name in (
            *profile.names,
            *profile.aliases,
            *(f.value for f in result.findings if f.kind in (Kind.REAL_NAME, Kind.RELATIVE)),
        )
        for word in re.findall(r"[^\W\d_]{3,}", name)
    }
    handles = {
        h.lstrip("@").partition("@")[0].lower()
        for h in (*profile.handles, *(p.value for p in _all_pivots(result) if p.field == "handles"))
    }
    tokens = sorted((t for t in words | handles if len(t) >= 3), key=len, reverse=True)
    pattern = "|".join(re.escape(t) if len(t) > 3 else rf"\b{re.escape(t)}\b" for t in tokens)
    hosts = {
        *(d.lower() for d in profile.domains),
        *(p.value.lower() for p in _all_pivots(result) if p.field == "domains"),
        *(_host(f.value) for f in result.findings if f.kind is Kind.WEBSITE),
    }
    return Scrubber(
        known=tuple(sorted(known.items(), key=lambda kv: len(kv[0]), reverse=True)),
        tokens=re.compile(pattern, re.IGNORECASE) if pattern else None,
        hosts=frozenset(h for h in hosts if h),
    )


def _all_pivots(result: ScanResult) -> list[Pivot]:
    pivots = [*result.leads, *(p for f in result.findings for p in f.via)]
    pivots += [r.via for r in result.runs if r.via]
    return [step for pivot in pivots for step in pivot.path]


def redact_result(result: ScanResult) -> ScanResult:
    """A copy of `result` with nothing personal left in what the reports show."""
    scrub = scrubber_for(result)
    salt = secrets.token_bytes(16)  # fresh ids: the old ones hash the value itself
    return replace(
        result,
        profile=_profile(result.profile),
        runs=tuple(_run(run, scrub) for run in result.runs),
        findings=tuple(_finding(f, scrub, salt) for f in result.findings),
        accounts=tuple(_account(a, scrub) for a in result.accounts),
        risk=replace(result.risk, summary=scrub.text(result.risk.summary)),
        # A body's SHA-256 would confirm a guessed identifier (fetch, hash, compare): dropped.
        requests=tuple(
            replace(r, url=scrub.request_url(r.url), sha256=None) for r in result.requests
        ),
        replay=scrub.text(PurePath(result.replay).name) if result.replay else result.replay,
        leads=tuple(_pivot(p, scrub) for p in result.leads),
    )


def _profile(profile: Profile) -> Profile:
    return replace(
        profile,
        names=tuple(initials(n) for n in profile.names),
        aliases=tuple(initials(n) for n in profile.aliases),
        handles=tuple(mask_handle(h) for h in profile.handles),
        emails=tuple(mask_email(e) for e in profile.emails),
        phones=tuple(mask_phone(p) for p in profile.phones),
        locations=tuple(
            loc if not re.search(r"\d", str(loc)) else Location(MASK) for loc in profile.locations
        ),
        domains=tuple(mask_domain(d) for d in profile.domains),
        affiliations=tuple(_first_letter(a) for a in profile.affiliations),
        birth_year=None,
        context=Context(),
    )


def _finding(finding: Finding, scrub: Scrubber, salt: bytes) -> Finding:
    if finding.kind in (Kind.ACCOUNT, Kind.PHOTO):
        value = scrub.host(finding.value)
    else:
        value = redact_value(finding.kind.value, finding.value)
    evidence = (_evidence(finding.kind, text, value, scrub) for text in finding.evidence)
    return replace(
        finding,
        id=hashlib.sha256(salt + finding.id.encode()).hexdigest()[:16],
        value=value,
        sources=tuple(SourceRef(s.name, scrub.url(s.url)) for s in finding.sources),
        evidence=tuple(dict.fromkeys(evidence)),
        reason=scrub.text(finding.reason),
        removal=tuple(_step(step, scrub) for step in finding.removal),
        via=tuple(_pivot(p, scrub) for p in finding.via),
        ties=tuple(
            replace(tie, value=scrub.text(tie.value), origin=scrub.text(tie.origin))
            for tie in finding.ties
        ),
    )


def _evidence(kind: Kind, text: str, value: str, scrub: Scrubber) -> str:
    """Breach lines are written by the scanner from a breach list: scrubbed, kept. Scraped
    snippets keep their label ("GitHub bio: ") and show the masked value."""
    if kind is Kind.BREACH:
        return scrub.text(text)
    label, colon, _ = text.partition(":")
    if colon and 0 < len(label) <= 40 and scrub.text(label) == label and "//" not in label:
        return f"{label}: {value}"
    if len(text) <= 60 and scrub.text(text) == text:
        return text
    return value


def _step(step: RemovalStep, scrub: Scrubber) -> RemovalStep:
    return RemovalStep(
        scrub.text(step.action),
        scrub.text(step.how),
        scrub.step_url(step.url) if step.url else None,
    )


def _pivot(pivot: Pivot, scrub: Scrubber) -> Pivot:
    return replace(
        pivot,
        value=redact_value(pivot.field, pivot.value),
        url=scrub.url(pivot.url),
        reason=scrub.text(pivot.reason),
        found_from=mask_identifier(pivot.found_from),
        parent=_pivot(pivot.parent, scrub) if pivot.parent else None,
        note=scrub.text(pivot.note),
    )


def _run(run: SourceRun, scrub: Scrubber) -> SourceRun:
    return replace(
        run,
        reason=scrub.text(run.reason),
        notes=tuple(scrub.text(n) for n in run.notes),
        via=_pivot(run.via, scrub) if run.via else None,
    )


def _account(account: Account, scrub: Scrubber) -> Account:
    return replace(
        account,
        url=scrub.url(account.url),
        username=mask_identifier(account.username),
        details={key: scrub.text(value) for key, value in account.details.items()},
    )
