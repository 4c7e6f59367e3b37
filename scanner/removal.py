"""Removal steps: every finding leaves with at least one concrete thing to do.

Sources attach the site-specific step (the settings page where the detail is shown).
This module adds the steps that depend only on the kind of detail: asking search engines
to drop results that show contact details, breach hygiene, photo advice, and a fallback
for anything a source left without a step.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scanner.models import Kind, RemovalStep

GOOGLE_RESULTS_ABOUT_YOU = RemovalStep(
    action="Ask Google to remove search results that show it",
    how=(
        "Google's 'Results about you' lets you request removal of results that show your "
        "phone number, home address or email, and can alert you when new ones appear."
    ),
    url="https://myactivity.google.com/results-about-you",
)
BING_CONCERN = RemovalStep(
    action="Ask Bing to remove results that show it",
    how=(
        "Microsoft's 'Report a concern to Bing' form covers results that expose private "
        "contact details; give the result's address and say what it shows."
    ),
    url="https://www.microsoft.com/en-us/concern/bing",
)
CALIFORNIA_DROP = RemovalStep(
    action="Ask every registered data broker to delete your data at once (California)",
    how=(
        "California's Delete Request and Opt-out Platform (DROP), run by the California "
        "Privacy Protection Agency, sends one deletion request to every registered data "
        "broker. It is for California residents."
    ),
    url="https://cppa.ca.gov/",
)
BREACH_HYGIENE = RemovalStep(
    action="Change the password and turn on two-factor authentication",
    how=(
        "Change the password of the breached account and of any account that reused it; "
        "use a password manager and turn on two-factor authentication."
    ),
)
PHOTO_ADVICE = RemovalStep(
    action="Replace the photo with one that does not show your face or surroundings",
    how=(
        "Use an avatar or a picture without your face, home or street. Photos you upload "
        "elsewhere should have their location data (EXIF) removed first."
    ),
)
SEPARATE_EMAIL = RemovalStep(
    action="Use a separate address or alias for public contact",
    how=(
        "Keep your personal address private and give public pages a forwarding alias "
        "you can retire if it starts getting unwanted mail."
    ),
)

_BY_KIND: dict[Kind, tuple[RemovalStep, ...]] = {
    Kind.HOME_ADDRESS: (GOOGLE_RESULTS_ABOUT_YOU, BING_CONCERN),
    Kind.PHONE: (GOOGLE_RESULTS_ABOUT_YOU, BING_CONCERN),
    Kind.EMAIL: (GOOGLE_RESULTS_ABOUT_YOU, BING_CONCERN, SEPARATE_EMAIL),
    Kind.BREACH: (BREACH_HYGIENE,),
    Kind.PHOTO: (PHOTO_ADVICE,),
}


BROKER_KINDS = frozenset({Kind.HOME_ADDRESS, Kind.PHONE, Kind.EMAIL, Kind.RELATIVE, Kind.AGE})


def removal_steps(
    kind: Kind, from_sources: Sequence[RemovalStep], *, california: bool = False
) -> tuple[RemovalStep, ...]:
    """Source-specific steps first, then the kind's general steps; never empty.

    `california`: the subject lives in California, so details data brokers trade in also get
    the state's one-request deletion (DROP).
    """
    general = _BY_KIND.get(kind, ())
    if california and kind in BROKER_KINDS:
        general = (*general, CALIFORNIA_DROP)
    steps = list(dict.fromkeys([*from_sources, *general]))
    if not steps:
        steps.append(_fallback(kind))
    return tuple(steps)


def _fallback(kind: Kind) -> RemovalStep:
    return RemovalStep(
        action="Remove or hide it where it is shown",
        how=(
            f"Open each page listed as a source, and remove this {kind.value.replace('_', ' ')} "
            "from your profile or ask the site to take it down."
        ),
    )


# Steps that change the subject's own accounts can be seen by someone who watches those
# accounts (a shared login, a follower noticing a profile change, a "password changed" mail
# to a shared inbox). Requests to search engines, registrars and brokers are not visible there.
_NOTICEABLE = re.compile(
    r"\b(delete|remove|hide|edit|replace|clear|change the password|two-factor|make .* private"
    r"|privatise|revoke|unpublish|turn off)\b",
    re.IGNORECASE,
)
_NOT_ON_ACCOUNTS = (GOOGLE_RESULTS_ABOUT_YOU, BING_CONCERN, CALIFORNIA_DROP)


def noticeable(step: RemovalStep) -> bool:
    """Whether doing this step could be noticed by someone watching the subject's accounts."""
    if step in _NOT_ON_ACCOUNTS or "WHOIS" in step.action:
        return False
    return bool(_NOTICEABLE.search(step.action))
