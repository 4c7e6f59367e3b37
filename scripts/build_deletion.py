"""Build scanner/sites/deletion.json from JustDeleteMe's site list (a development step).

    .venv/bin/python scripts/build_deletion.py [PATH/TO/jdm/sites.json [OUT_DIR]]

The input defaults to ../shared/reference/justdeleteme/sites.json (jdm-contrib/jdm,
`_data/sites.json`, MIT licence). The facts carry over (where to delete an account, how
hard it is, the steps, the address to write to); the structure is ours:

    {"source": ..., "licence": ..., "sites": [{"name", "domains", "url", "difficulty",
     "how", "email"?}]}

`how` is the English note, or JustDeleteMe's own default wording for the difficulty when
an entry has none. The output is sorted by name and written with a trailing newline, so a
rebuild from the same input is byte-identical. The MIT notice is written beside it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "reference" / "justdeleteme" / "sites.json"
OUT = ROOT / "scanner" / "sites" / "deletion.json"
NOTICE = ROOT / "scanner" / "sites" / "DELETION-LICENSE.md"
SOURCE = (
    "JustDeleteMe (jdm-contrib/jdm, _data/sites.json, commit 4762ba504d84, 2026-08-21), "
    "MIT licence: see DELETION-LICENSE.md"
)
DEFAULT_NOTES = {  # JustDeleteMe's own English defaults (trans-en.json)
    "easy": "Visit the linked page and delete your account.",
    "medium": "Visit the linked page and delete your account.",
    "hard": "Account deletion requires contacting customer support.",
    "impossible": "",
    "limited": "",
}
EMAIL_NOTE = "Send an email to the provided address and request account deletion."
DIFFICULTIES = frozenset(DEFAULT_NOTES)


def entry(raw: dict[str, Any]) -> dict[str, Any] | None:
    name, url, difficulty = raw.get("name"), raw.get("url"), raw.get("difficulty")
    domains = [d.strip().lower() for d in raw.get("domains", []) if isinstance(d, str)]
    if not (isinstance(name, str) and isinstance(url, str) and domains):
        return None
    if difficulty not in DIFFICULTIES or not url.startswith(("https://", "http://")):
        return None
    email = raw.get("email")
    email = email if isinstance(email, str) and email.strip() else None
    notes = raw.get("notes")
    notes = notes if isinstance(notes, str) else ""
    how = " ".join(notes.split()) or (EMAIL_NOTE if email else DEFAULT_NOTES[difficulty])
    item: dict[str, Any] = {
        "name": " ".join(name.split()),
        "domains": sorted(set(domains)),
        "url": url,
        "difficulty": difficulty,
        "how": how,
    }
    if email:
        item["email"] = email.strip()
    return item


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else DEFAULT
    folder = Path(argv[1]) if len(argv) > 1 else OUT.parent
    out, notice = folder / OUT.name, folder / NOTICE.name
    if not source.exists():
        print(f"{source} not found", file=sys.stderr)
        return 2
    raw = json.loads(source.read_text(encoding="utf-8"))
    sites = sorted(
        (item for item in map(entry, raw) if item is not None),
        key=lambda e: (e["name"].casefold(), e["url"]),
    )
    head = json.dumps({"source": SOURCE, "licence": "MIT"}, ensure_ascii=False)[:-1]
    rows = ",\n".join(json.dumps(site, ensure_ascii=False) for site in sites)
    out.write_text(f'{head}, "sites": [\n{rows}\n]}}\n', encoding="utf-8")  # a site a line
    licence = source.parent / "LICENSE"
    text = licence.read_text(encoding="utf-8") if licence.exists() else ""
    notice.write_text(
        "# deletion.json: facts from JustDeleteMe\n\n"
        "Where and how to delete accounts, from https://github.com/jdm-contrib/jdm\n"
        "(`_data/sites.json`), restructured for exposure-audit. Its licence:\n\n"
        f"```\n{text.strip()}\n```\n",
        encoding="utf-8",
    )
    print(f"wrote {len(sites)} sites to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
