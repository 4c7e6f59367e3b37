"""Removal steps: every finding leaves with at least one concrete thing to do.

Sources attach the site-specific step (the settings page where the detail is shown).
This module adds the steps that depend only on the kind of detail: asking search engines
to drop results that show contact details, breach hygiene, photo advice, and a fallback
for anything a source left without a step.
"""

from __future__ import annotations

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
    Kind.HOME_ADDRESS: (GOOGLE_RESULTS_ABOUT_YOU,),
    Kind.PHONE: (GOOGLE_RESULTS_ABOUT_YOU,),
    Kind.EMAIL: (GOOGLE_RESULTS_ABOUT_YOU, SEPARATE_EMAIL),
    Kind.BREACH: (BREACH_HYGIENE,),
    Kind.PHOTO: (PHOTO_ADVICE,),
}


def removal_steps(kind: Kind, from_sources: Sequence[RemovalStep]) -> tuple[RemovalStep, ...]:
    """Source-specific steps first, then the kind's general steps; never empty."""
    steps = list(dict.fromkeys([*from_sources, *_BY_KIND.get(kind, ())]))
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
