"""Deletion request letters (CCPA, GDPR) that give the recipient nothing new.

A people-search site or any company showing your details can be asked to delete them. The
letter names only what the recipient already shows on the page in question (the values the
scan saw there), so asking never hands a broker a fresher phone number or address. The
subject signs it themselves; nothing is sent by exposure-audit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from urllib.parse import urlsplit

LAWS = {
    "ccpa": (
        "the California Consumer Privacy Act (Cal. Civ. Code § 1798.105, the right to delete)",
        "Please confirm the deletion within 45 days, as § 1798.130 requires.",
    ),
    "gdpr": (
        "Article 17 of the General Data Protection Regulation (the right to erasure)",
        "Please confirm the erasure without undue delay and within one month, as Article 12(3) "
        "requires.",
    ),
}


def deletion_letter(law: str, page_url: str, shown: Sequence[tuple[str, str]], today: date) -> str:
    """The letter's text. `shown` is (what, value) for each detail seen on `page_url`."""
    if law not in LAWS:
        raise ValueError(f"unknown law {law!r}")
    basis, deadline = LAWS[law]
    site = (urlsplit(page_url).hostname or page_url).removeprefix("www.")
    details = "\n".join(f"  - {what}: {value}" for what, value in shown) or "  - (see the page)"
    return (
        f"{today.isoformat()}\n\n"
        f"To the privacy team of {site}\n\n"
        f"Subject: request to delete my personal information\n\n"
        f"Under {basis}, I ask you to delete the personal information you hold about me and to "
        f"stop showing it, including on this page:\n\n  {page_url}\n\n"
        f"To find my record you need nothing beyond what you already show there:\n\n{details}\n\n"
        "I am not giving you any other information about me, and I do not consent to this "
        "request being used to collect, verify or update information about me. "
        f"{deadline}\n\n"
        "Yours faithfully,\n\n[your name, as shown above, and your signature]\n"
    )
