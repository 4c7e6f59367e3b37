"""Is an account the subject's? The verdict every account source gives, in one shape.

    tied = tie_account(profile, [name, bio, website], looked_up=handle)
    tied.confidence                     # Basis.TIED or Basis.UNTIED, from the table
    tied.reason(f"on the GitLab account {user}", f"an account named {user} exists on GitLab")
    Observation(..., ties=tied.ties)    # the evidence travels with the sighting

A username is not a person: someone else may hold the same handle on another site. An
account found by its handle alone is UNTIED; when its own fields show something else the
subject gave (a name, an email, a domain, another handle) it is TIED, and only then may it
yield leads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scanner.identity.confidence import Basis, confidence_of
from scanner.identity.match import find_ties
from scanner.identity.ties import Identity, Tie, TieKind
from scanner.models import Profile

ACCOUNT_TIES = (TieKind.NAME, TieKind.EMAIL, TieKind.DOMAIN, TieKind.HANDLE)
UNTIED_CLAUSE = "nothing on it ties it to you"


@dataclass(frozen=True)
class AccountTie:
    """What ties one account to the subject (nothing: found by its username alone)."""

    ties: tuple[Tie, ...]

    def __bool__(self) -> bool:
        return bool(self.ties)

    @property
    def basis(self) -> Basis:
        return Basis.TIED if self.ties else Basis.UNTIED

    @property
    def confidence(self) -> float:
        return confidence_of(self.basis)

    @property
    def why(self) -> str:
        """ "it shows your name Jordan Testwell", or "" when nothing ties it."""
        return f"it shows {self.ties[0].phrase}" if self.ties else ""

    def reason(self, tied: str, untied: str) -> str:
        """ "<tied>: it shows …" when tied, else "<untied>; nothing on it ties it to you"."""
        if self.ties:
            return f"{tied}: {self.why}"
        return f"{untied}; {UNTIED_CLAUSE}"


def tie_account(profile: Profile, texts: Iterable[str], looked_up: str = "") -> AccountTie:
    """The subject's names, emails, domains and handles other than `looked_up` (the handle
    that found the account proves nothing) that the account's own fields show."""
    haystack = "\n".join(text for text in texts if text)
    if not haystack:
        return AccountTie(())
    identity = Identity.from_profile(profile)
    return AccountTie(find_ties(haystack, identity, kinds=ACCOUNT_TIES, exclude=looked_up))
