"""Where to get help, by country: read from help_resources.json, never from the template.

Each entry has its source and the date it was last confirmed (`checked_on`, null when it has
not been); the report shows both, so stale contact details are visible as such.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("help_resources.json")


@dataclass(frozen=True)
class Resource:
    situation: str
    name: str
    contact: str
    url: str | None
    source: str
    checked_on: str | None


FIELDS = tuple(f.name for f in fields(Resource))


@cache
def _data() -> Any:
    return json.loads(DATA.read_text(encoding="utf-8"))


def resources_for(country: str) -> list[Resource]:
    """The country's own entries, then those that hold everywhere. A country the file does
    not cover gets only the latter (a generic "your local emergency number", never another
    country's numbers)."""
    data = _data()
    local = data["countries"].get(country.upper(), [])
    everywhere = [
        entry for entry in data["everywhere"]
        if not (local and entry["name"] == "Your local emergency number")
    ]  # fmt: skip
    return [Resource(**{k: e.get(k) for k in FIELDS}) for e in [*local, *everywhere]]
