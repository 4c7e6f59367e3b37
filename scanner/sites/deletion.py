"""How to delete an account on a site: JustDeleteMe's facts, by the account's host.

    entry = deletion_for("https://forum.example.com/u/jtestwell")   # Deletion | None
    step = deletion_step(entry)                                     # RemovalStep

deletion.json beside this module is built from JustDeleteMe (MIT; DELETION-LICENSE.md)
by scripts/build_deletion.py. A host matches an entry when it is one of the entry's
domains or a subdomain of one ("m.example.com" matches "example.com"); "www." is ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from scanner.models import RemovalStep

DATA = Path(__file__).with_name("deletion.json")
# JustDeleteMe's own guide to its difficulty levels (trans-en.json)
DIFFICULTY = {
    "easy": "simple process",
    "medium": "some extra steps involved",
    "hard": "cannot be fully deleted without contacting customer services",
    "impossible": "cannot be deleted",
    "limited": "can only be deleted if you live in a place with privacy rights",
}
MAX_HOW = 600


@dataclass(frozen=True)
class Deletion:
    name: str
    domains: tuple[str, ...]
    url: str
    difficulty: str
    how: str
    email: str | None = None


@cache
def _index() -> dict[str, Deletion]:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    index: dict[str, Deletion] = {}
    for item in raw["sites"]:
        entry = Deletion(
            name=str(item["name"]),
            domains=tuple(item["domains"]),
            url=str(item["url"]),
            difficulty=str(item["difficulty"]),
            how=str(item["how"]),
            email=item.get("email"),
        )
        for domain in entry.domains:
            index.setdefault(domain.removeprefix("www."), entry)
    return index


def deletion_for(url: str) -> Deletion | None:
    """The entry for the site at `url` (the longest matching domain), or None."""
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    host = host.removeprefix("www.")
    index = _index()
    parts = host.split(".")
    for i in range(len(parts) - 1):
        entry = index.get(".".join(parts[i:]))
        if entry is not None:
            return entry
    return None


def deletion_step(entry: Deletion) -> RemovalStep:
    """The entry as a removal step: where, how hard, and how."""
    hard = DIFFICULTY.get(entry.difficulty, entry.difficulty)
    how = entry.how if len(entry.how) <= MAX_HOW else entry.how[: MAX_HOW - 1] + "…"
    if entry.email:
        how = f"{how} Address: {entry.email}."
    if entry.difficulty in ("impossible", "limited"):
        action = f"Hide what you can on {entry.name} (deleting the account: {hard})"
    else:
        action = f"Delete your {entry.name} account ({hard})"
    return RemovalStep(action, f"{how} (from JustDeleteMe)".strip(), entry.url)
