"""What a quiet request is: never a login, sign-up, password-reset or recovery endpoint.

Probing those can notify an account's owner (a reset email, a "new sign-in" alert), and the
people this tool protects may be watched through exactly those accounts. `looks_loud` is
used by the site checker to refuse such checks and by tests/test_quiet.py to prove no
source sends one.
"""

from __future__ import annotations

import re

LOUD = re.compile(
    r"log[-_]?in|sign[-_]?(in|up|on)|register|password|passwd|reset|recover|forgot"
    r"|verify|verification|confirm|2fa|otp|magic[-_]?link|oauth|authorize|session|token"
    # username-availability checks belong to the sign-up flow, whatever their name
    r"|(user|nick)[-_]?(name)?[-_]?availab|(check|is)[-_]?availab"
    r"|(check|validat(e|ion))[-_/]?(user)?names?|usernames?[-_/]?(attempt|validat|check)"
    r"|(?<![a-z])auth(?![a-z])",
    re.IGNORECASE,
)


def looks_loud(*parts: str) -> str:
    """The first part of a request (host, path, query, body) that looks like an account flow.

    "" when none does.
    """
    for part in parts:
        match = LOUD.search(part)
        if match:
            return match.group(0)
    return ""
