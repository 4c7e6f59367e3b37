"""The data that crosses module boundaries: frozen dataclasses and string enums.

Nothing here does I/O. Every outcome ("not found", "skipped", "blocked") is a value,
never an exception that escapes a module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    """What a finding is about. The names are part of the report schema."""

    HOME_ADDRESS = "home_address"
    PHONE = "phone"
    EMAIL = "email"
    BIRTHDATE = "birthdate"
    AGE = "age"
    EMPLOYER = "employer"
    SCHOOL = "school"
    RELATIVE = "relative"
    LOCATION = "location"
    PHOTO = "photo"
    ACCOUNT = "account"
    BREACH = "breach"
    USERNAME = "username"
    REAL_NAME = "real_name"
    WEBSITE = "website"
    OTHER = "other"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class RunStatus(StrEnum):
    """How one source's run ended."""

    OK = "ok"
    BLOCKED = "blocked"  # could not tell: rate limit, captcha, WAF, 401/403
    ERROR = "error"  # could not check: network failure, bad response, bug
    SKIPPED = "skipped"  # the profile lacks what the source needs


class AccountStatus(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    UNKNOWN = "unknown"


# --- the subject -------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    """A place the subject lives or is known to be tied to ("Springfield, IL")."""

    city: str
    region: str = ""  # state / province code or name
    country: str = ""

    def __str__(self) -> str:
        return ", ".join(part for part in (self.city, self.region, self.country) if part)


@dataclass(frozen=True)
class Context:
    """What the subject tells us to re-rank findings (never sent anywhere)."""

    known_to_abuser: tuple[str, ...] = ()  # values an abuser already knows
    public_on_purpose: tuple[str, ...] = ()  # values the subject keeps public by choice
    past_addresses: tuple[str, ...] = ()  # homes the subject has moved out of
    moved_on: str = ""  # when they last moved (YYYY-MM-DD), said in reasons
    notes: str = ""


# --- what ties a sighting to the subject (judged by scanner.identity) ---------------

GIVEN = "you gave it"  # a Tie's origin when the identifier is the profile's own


class TieKind(StrEnum):
    NAME = "name"
    EMAIL = "email"
    PHONE = "phone"
    HANDLE = "handle"
    DOMAIN = "domain"
    CITY = "city"
    AFFILIATION = "affiliation"  # an employer or school


class Strength(StrEnum):
    STRONG = "strong"  # one alone ties a record or an account to the subject
    WEAK = "weak"  # many people share it: it ties only when nothing speaks against it


# What each kind of tie says, and how a reason names it ("your email ...").
STRENGTH: dict[TieKind, Strength] = {
    TieKind.NAME: Strength.STRONG,
    TieKind.EMAIL: Strength.STRONG,
    TieKind.PHONE: Strength.STRONG,
    TieKind.HANDLE: Strength.STRONG,
    TieKind.DOMAIN: Strength.STRONG,
    TieKind.CITY: Strength.WEAK,
    TieKind.AFFILIATION: Strength.WEAK,
}
NOUN: dict[TieKind, str] = {
    TieKind.NAME: "your name",
    TieKind.EMAIL: "your email",
    TieKind.PHONE: "your phone",
    TieKind.HANDLE: "your handle",
    TieKind.DOMAIN: "your domain",
    TieKind.CITY: "your city",
    TieKind.AFFILIATION: "your employer or school",
}


@dataclass(frozen=True, kw_only=True)
class Tie:
    """A Known seen on a record or an account: what ties the sighting to the subject."""

    kind: TieKind
    value: str
    origin: str = GIVEN

    @property
    def strength(self) -> Strength:
        return STRENGTH[self.kind]

    @property
    def weak(self) -> bool:
        return self.strength is Strength.WEAK

    @property
    def phrase(self) -> str:
        """How a reason names it: "your email jordan@example.com", and where a tie the scan
        learned comes from: "your city Madison, WI (seen on github.com/x)"."""
        said = f"{NOUN[self.kind]} {self.value}"
        return said if self.origin == GIVEN else f"{said} (seen on {self.origin})"


@dataclass(frozen=True, kw_only=True)
class Known:
    """One identifier known to be the subject's, and where that is known from."""

    kind: TieKind
    value: str  # as reasons show it ("Springfield, IL")
    origin: str = GIVEN  # "you gave it", or the page that tied it to the subject
    needle: str = ""  # what a page must show, when not the value (a city's name alone)
    region: str = ""  # a US city's state code ("IL"): another state is another city

    @property
    def text(self) -> str:
        """What a page must show for this to tie."""
        return self.needle or self.value


@dataclass(frozen=True)
class Profile:
    """The validated subject of a scan. Phones are E.164, emails lower-cased."""

    names: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()  # "name", or "name@instance.example" for the fediverse
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    locations: tuple[Location, ...] = ()
    domains: tuple[str, ...] = ()  # the subject's own domains (lower-case host names)
    # employers and schools the subject is known by: searched with the name, matched on pages
    affiliations: tuple[str, ...] = ()
    country: str = "US"  # ISO 3166 alpha-2, default region for phone parsing
    # never searched or shown: a record naming an age that does not fit is someone else
    birth_year: int | None = None
    context: Context = field(default_factory=Context)
    # what a scan has tied to the subject so far (scanner.identity): read to tell whether a
    # record or an account is theirs, never searched for by the sources themselves
    learned: tuple[Known, ...] = ()

    @property
    def display_name(self) -> str:
        if self.names:
            return self.names[0]
        if self.handles:
            return self.handles[0]
        return self.emails[0] if self.emails else "(unnamed subject)"


# --- what sources return -----------------------------------------------------------


class Field(StrEnum):
    """The profile fields a source looks up, and leads and chains speak of."""

    NAMES = "names"
    HANDLES = "handles"
    EMAILS = "emails"
    PHONES = "phones"
    DOMAINS = "domains"
    LOCATIONS = "locations"  # searched with the name
    AFFILIATIONS = "affiliations"  # an employer or school, searched with the name


@dataclass(frozen=True)
class LookedUp:
    """An identifier a source looked up: what showed the page a sighting is on."""

    field: Field
    value: str


@dataclass(frozen=True)
class SourceRef:
    """Where something was seen: the source's name and the public URL to look at, and (not
    part of its identity) which lookups showed that page, where the source knows."""

    name: str
    url: str
    looked_up: tuple[LookedUp, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class RemovalStep:
    """One concrete thing the subject can do to remove or hide a finding."""

    action: str  # short imperative: "Hide your email on GitHub"
    how: str  # one or two sentences of instructions
    url: str | None = None  # the page where it is done, if there is one


@dataclass(frozen=True)
class Observation:
    """One fact one source saw, before merging with what other sources saw."""

    kind: Kind
    value: str
    source: SourceRef
    evidence: str  # the snippet that shows it, as seen (escaped only at render time)
    confidence: float  # 0..1 that this is about the subject
    reason: str  # why we think it is the subject's ("on your own GitHub profile")
    removal: tuple[RemovalStep, ...] = ()
    via: Pivot | None = None  # set by the pipeline when seen while following a lead
    ties: tuple[Tie, ...] = ()  # what tied it to the subject, where a source knows


@dataclass(frozen=True)
class Account:
    """An account on a site, checked for a username."""

    site: str
    url: str
    username: str
    status: AccountStatus
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    """Text a source fetched that the extractors should read (a bio, a page)."""

    url: str
    text: str
    label: str  # what it is, for evidence: "GitHub bio"
    confidence: float  # how sure we are the document is about the subject
    reason: str
    is_html: bool = False
    removal: tuple[RemovalStep, ...] = ()
    ties: tuple[Tie, ...] = ()  # what tied it to the subject, where a source knows
    looked_up: tuple[LookedUp, ...] = ()  # the lookups that fetched it, where a source knows


@dataclass(frozen=True)
class Lead:
    """An identifier a source found tied to the subject, for the other sources to look up.

    Only what the evidence ties to the subject is a lead: a link on their own profile, an
    email in their own commits, a proof on their own Keybase. A mention in free text is not.
    `field` is the Profile field it feeds ("handles", "emails" or "domains"); the value is
    validated like the profile's own before anything is sent for it.
    """

    field: str
    value: str
    source: SourceRef  # where it was seen
    reason: str  # why it is the subject's: "linked from your own GitHub profile"
    found_from: str = ""  # the identifier being looked up when it was seen


@dataclass(frozen=True)
class Pivot:
    """An identifier the scan reached by following a lead, and how it got there.

    `parent` is the pivot whose lookup found this one (None when the lead was found while
    looking up something the subject gave). `path` runs from the first step to this one.
    """

    field: str  # a Field value: "handles" / "emails" / "domains", or what was learned
    value: str
    found_by: str  # the source name
    url: str
    reason: str
    found_from: str  # the identifier being looked up when it was found
    parent: Pivot | None = None
    followed: bool = True
    note: str = ""  # why it was not followed

    @property
    def depth(self) -> int:
        return 1 if self.parent is None else self.parent.depth + 1

    @property
    def path(self) -> tuple[Pivot, ...]:
        return (*(self.parent.path if self.parent else ()), self)


@dataclass(frozen=True)
class PageText:
    """A page a source read (its visible text and metadata lines, scanner.extract.html_to_text),
    kept so the scan can read it again against the identity as it stands at the end."""

    source: SourceRef  # the source, the page's address, the lookup that found it
    text: str


@dataclass(frozen=True)
class SourceResult:
    """Everything one source returned. Empty means "nothing there"."""

    observations: tuple[Observation, ...] = ()
    accounts: tuple[Account, ...] = ()
    documents: tuple[Document, ...] = ()
    notes: tuple[str, ...] = ()
    leads: tuple[Lead, ...] = ()
    # other people with the subject's name, one key each (kept in memory only, never shown)
    namesakes: tuple[str, ...] = ()
    # pages whose records are judged against the identity (scanner.sources.pagemine.read_pages):
    # what they show of the subject is worked out from them, not listed in `observations`
    pages: tuple[PageText, ...] = ()


@dataclass(frozen=True)
class SourceRun:
    """How one source's run went, for the report's coverage section."""

    name: str
    title: str
    status: RunStatus
    reason: str = ""  # for blocked / error / skipped: plain words, shown to the user
    started: datetime | None = None
    finished: datetime | None = None
    observations: int = 0
    notes: tuple[str, ...] = ()
    via: Pivot | None = None  # the lead this run looked up (None: the subject's own profile)

    @property
    def could_not_check(self) -> bool:
        """Blocked or failed: it ran and learned nothing either way."""
        return self.status in (RunStatus.BLOCKED, RunStatus.ERROR)


# --- what the scan concludes -------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One fact about the subject, merged across every place it was seen."""

    id: str  # stable fingerprint: kind + normalised value + subject
    kind: Kind
    value: str
    sources: tuple[SourceRef, ...]
    evidence: tuple[str, ...]
    confidence: float
    severity: Severity
    score: int  # 0..100, higher = act sooner
    reason: str  # one sentence: why it ranks where it does
    removal: tuple[RemovalStep, ...]
    via: tuple[Pivot, ...] = ()  # leads followed to reach it (empty: found directly)
    ties: tuple[Tie, ...] = ()  # why it is the subject's: each tie and where it came from


@dataclass(frozen=True)
class Risk:
    score: int  # 0..100
    level: Severity
    summary: str
    checked: bool = True  # False: no source could ask anything, so the score means nothing


@dataclass(frozen=True)
class SentRequest:
    """One request the scan made, for "what this scan sent where"."""

    method: str
    url: str
    status: int | None  # None when no response arrived
    # For the evidence record: when the answer arrived and the SHA-256 of its body.
    at: datetime | None = field(default=None, compare=False)
    sha256: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class NetworkRoute:
    """How a scan's requests left the computer, as the report says it (scanner.netpath).

    `proxy` is scheme://host:port (never credentials) or None for straight to each site;
    `via` is where the proxy setting came from ("--tor", "--proxy", "HTTPS_PROXY", …);
    `dns` says who looked host names up: "proxy", "local", "partly local" (some addresses
    bypass the proxy: `bypass` lists the NO_PROXY entries, `carried` the schemes the proxy
    carries) or "none" (nothing left the computer: a replayed world).
    """

    proxy: str | None
    via: str | None
    dns: str
    bypass: tuple[str, ...] = ()
    carried: tuple[str, ...] = ()  # "https", "http": the addresses the proxy carries


OFFLINE_ROUTE = NetworkRoute(proxy=None, via=None, dns="none")


@dataclass(frozen=True)
class ScanResult:
    profile: Profile
    started: datetime
    finished: datetime
    runs: tuple[SourceRun, ...]
    findings: tuple[Finding, ...]
    accounts: tuple[Account, ...]
    risk: Risk
    requests: tuple[SentRequest, ...] = ()
    replay: str | None = None  # the replay world's path, when not a live scan
    leads: tuple[Pivot, ...] = ()  # every identifier the scan reached, followed or not
    namesakes: int = 0  # possible other people with the subject's name (never shown)
    network: NetworkRoute = OFFLINE_ROUTE  # which proxy carried the requests, if any
