"""Who the subject is, and how sure a sighting is theirs: evidence as data, judged in one place.

    identity = Identity.from_profile(profile)        # what is known to be the subject's
    ties = find_ties(text, identity)                 # typed ties: kind, value, where known
    confidence_of(Basis.TIED, lead_steps=1)          # the one table: evidence -> confidence

- ties.py:      TieKind, Strength, Known (an identifier known to be the subject's, with where
                that is known from), Identity (all of them), Tie (one match on a page)
- match.py:     name_pattern and find_ties: the one matcher that sources and page reading use
- accounts.py:  AccountTie / tie_account: whether an account is the subject's, one shape
- confidence.py the table that turns how something was found (Basis) into a confidence and
                the clause a reason gives, plus the two modifiers (following leads, mentions)
"""

from scanner.identity.confidence import (
    BASES,
    Basis,
    confidence_of,
    lead_trust,
    mention_factor,
    rebased,
)
from scanner.identity.match import find_ties, name_pattern
from scanner.identity.ties import Identity, Known, Strength, Tie, TieKind

__all__ = [
    "BASES",
    "Basis",
    "Identity",
    "Known",
    "Strength",
    "Tie",
    "TieKind",
    "confidence_of",
    "find_ties",
    "lead_trust",
    "mention_factor",
    "name_pattern",
    "rebased",
]
