"""What the breach sources (XposedOrNot, Have I Been Pwned) share.

A `Breach` is one breach an email address was found in, already read from the service's
own shape. `breach_observation` turns it into a Kind.BREACH observation with the shared
wording and removal steps, so a breach reads the same whichever service reported it and
the two merge on the breach's name. `paced` spaces the lookups of one source.

Breach services never hand back passwords or hashes, and nothing here asks for them: a
data class such as "Passwords" is only the name of what leaked. The services' free-text
descriptions (HIBP's is HTML) are not used: the data classes say what leaked, and free text
about a breach is not about the subject, so it is not handed to the extractors either.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from scanner.http import Http
from scanner.identity import Basis, confidence_of
from scanner.models import Kind, Observation, RemovalStep, SourceRef, SourceResult, Tie, TieKind

T = TypeVar("T")

EMAIL_KEYED = confidence_of(Basis.KEYED)  # the service was asked for the subject's address
DOUBTFUL = confidence_of(Basis.DOUBTFUL)  # the service says it is fabricated or a spam list
MAX_TITLE = 100
MAX_CLASS = 60
MAX_CLASSES = 30
# Data classes (as HIBP and XposedOrNot name them) that people-search sites trade in.
PEOPLE_SEARCH_CLASSES = (
    ("physical address", "home address"),
    ("phone number", "phone number"),
    ("date of birth", "date of birth"),
    ("dates of birth", "date of birth"),
)
_SPACES = re.compile(r"\s+")
_HOST = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class Breach:
    """One breach an address was found in, as plain text."""

    title: str  # the name shown to people ("Adobe", "Battlefield Heroes")
    date: str = ""  # when it happened, as the service gives it ("2013-10-04", "2015")
    data_classes: tuple[str, ...] = ()  # what leaked ("Email addresses", "Passwords")
    domain: str = ""  # the breached site's host, "" when unknown or not a plain host name
    marks: tuple[str, ...] = ()  # service-specific remarks shown in the evidence
    doubtful: bool = False  # fabricated data or a spam list: lower confidence
    malware: bool = False  # taken by info-stealing malware from a device, not from the site


def clean(text: object, limit: int) -> str:
    """A hostile value as one line of plain text, at most `limit` characters."""
    if not isinstance(text, str):
        return ""
    flat = _SPACES.sub(" ", "".join(c if c.isprintable() else " " for c in text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def host(domain: object) -> str:
    """A breached site's domain when it is a plain host name, else ""."""
    text = clean(domain, 253).lower().removeprefix("www.")
    return text if _HOST.match(text) else ""


def data_classes(values: object) -> tuple[str, ...]:
    """A list of data-class names (or one "A;B;C" string) as clean, unique names."""
    if isinstance(values, str):
        values = values.split(";")
    if not isinstance(values, list):
        return ()
    names = (clean(value, MAX_CLASS) for value in values)
    return tuple(dict.fromkeys(name for name in names if name))[:MAX_CLASSES]


def describe_classes(classes: Sequence[str]) -> str:
    """ "Email addresses, Passwords and Usernames" ("data not listed" when none)."""
    if not classes:
        return "data not listed"
    if len(classes) == 1:
        return classes[0]
    return f"{', '.join(classes[:-1])} and {classes[-1]}"


def people_search_data(classes: Sequence[str]) -> list[str]:
    """The leaked kinds of data that people-search sites collect ("home address", …)."""
    found: list[str] = []
    for name in classes:
        folded = name.casefold()
        for key, label in PEOPLE_SEARCH_CLASSES:
            if key in folded and label not in found:
                found.append(label)
    return found


def evidence(email: str, breach: Breach) -> str:
    when = f" ({breach.date})" if breach.date else ""
    text = (
        f"{email} was in the {breach.title} breach{when}: "
        f"exposed {describe_classes(breach.data_classes)}"
    )
    return "; ".join((text, *breach.marks))


def removal_steps(breach: Breach) -> tuple[RemovalStep, ...]:
    """What to do about one breach, most urgent first."""
    title = breach.title
    site_url = f"https://{breach.domain}/" if breach.domain else None
    at = f"{title} ({breach.domain})" if breach.domain else title
    steps = [
        RemovalStep(
            f"Change your {title} password and every reuse of it",
            f"Change the password of your account at {at}, and of every other account "
            "where you used the same or a similar password. A password manager makes each "
            "one different. If you no longer use the account, delete it after changing "
            "the password.",
            site_url,
        ),
        RemovalStep(
            f"Turn on two-factor authentication for {title} and your email",
            f"Turn on two-factor authentication (an authenticator app or security key) "
            f"at {title} if it offers it, and on this email account, so a leaked password "
            "alone cannot open them.",
            site_url,
        ),
        RemovalStep(
            f"Watch for phishing that mentions {title}",
            f"Breach data is used to write convincing emails, texts and calls. Treat any "
            f"message about your {title} account as suspect: do not use its links, go to "
            "the site yourself.",
        ),
    ]
    if breach.malware:
        steps.insert(
            0,
            RemovalStep(
                "Check your devices for malware",
                "This data was taken by info-stealing malware from a device used to sign in, "
                "not from the site itself. Run a malware scan on your computers and phones, "
                "then change the passwords you entered on them, starting with email.",
            ),
        )
    exposed = people_search_data(breach.data_classes)
    if exposed:
        steps.append(
            RemovalStep(
                "Check people-search sites for what leaked",
                f"This breach exposed your {describe_classes(exposed)}: this data may now be "
                "in people-search databases. Search your name on people-search sites and "
                "use each one's opt-out page to have your listing removed.",
            )
        )
    return tuple(steps)


def breach_observation(source: SourceRef, email: str, breach: Breach) -> Observation:
    """A Kind.BREACH observation: value is the breach's title."""
    return Observation(
        kind=Kind.BREACH,
        value=breach.title,
        source=source,
        evidence=evidence(email, breach),
        confidence=DOUBTFUL if breach.doubtful else EMAIL_KEYED,
        reason=f"your email {email} is in this breach",
        removal=removal_steps(breach),
        ties=(Tie(kind=TieKind.EMAIL, value=email),),
    )


def limit_emails(emails: Sequence[str], limit: int, title: str) -> tuple[list[str], list[str]]:
    """The unique addresses to look up (at most `limit`) and the note on those left out."""
    unique = list(dict.fromkeys(e.strip().lower() for e in emails if "@" in e))
    notes = []
    if len(unique) > limit:
        skipped = ", ".join(unique[limit:])
        notes.append(f"{title}: only the first {limit} emails were checked; not: {skipped}")
    return unique[:limit], notes


def paced(
    lookup: Callable[[T], Awaitable[SourceResult]],
    http: Http,
    key: str,
    interval: Callable[[], float],
) -> Callable[[T], Awaitable[SourceResult]]:
    """`lookup`, called `interval()` seconds after the previous call with `key` (Http.pace)."""

    async def wrapped(item: T) -> SourceResult:
        await http.pace(key, interval())
        return await lookup(item)

    return wrapped
