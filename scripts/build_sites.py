"""Build the bundled site lists in scanner/sites/lists/ (a development step).

    .venv/bin/python scripts/build_sites.py [REFERENCE_DIR [OUT_DIR]]

REFERENCE_DIR defaults to ../shared/reference, holding whatsmyname/wmn-data.json
(WebBreacher/WhatsMyName, CC BY-SA 4.0), sherlock/data.json (sherlock-project/sherlock,
MIT) and maigret/data.json (soxoj/maigret, MIT), each with its licence file. Nothing else
is read. The entries are read with the scanner's own readers (scanner.sites.catalogue for
WhatsMyName, scanner.sites.formats for the others) and written in our own shape, the
records of scanner.sites.formats.Records, one file per list so that each list's data keeps
its own licence:

    wmn.json       + wmn.ATTRIBUTION.md   CC BY-SA 4.0: source, commit, authors, changes
    sherlock.json  + sherlock.LICENSE     MIT: the project's LICENSE file, as it is
    maigret.json   + maigret.LICENSE      MIT: the project's LICENSE file, as it is

    {"list", "title", "source", "commit", "date", "sha256", "licence", "licence_url",
     "notice", "skipped", "engines": {name: record}, "sites": [record, ...]}

Records are written with sorted keys, sites sorted by name (case-folded) and check URL,
one site a line, with a trailing newline: a rebuild from the same input is byte-identical.
The reference files themselves are never copied.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.sites.catalogue import parse_catalogue  # noqa: E402
from scanner.sites.formats import Records, maigret_records, sherlock_records, site_record  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "reference"
OUT = ROOT / "scanner" / "sites" / "lists"
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"
MIT = "https://opensource.org/license/mit"


@dataclass(frozen=True)
class Source:
    """One community list: where its file is in the reference folder and where it is from
    (commits and dates as ../shared/reference/README.md records them)."""

    name: str
    title: str
    data: str  # relative to REFERENCE_DIR
    licence_file: str
    repo: str
    path: str  # the file's path in its repository
    commit: str
    date: str
    licence: str
    licence_url: str
    notice: str  # the file written beside the data


SOURCES = (
    Source("wmn", "WhatsMyName", "whatsmyname/wmn-data.json", "whatsmyname/LICENSE.md",
           "https://github.com/WebBreacher/WhatsMyName", "wmn-data.json",
           "e62338e4fc88536a330733d355a9d33a3a1697c6", "2026-08-16",
           "CC BY-SA 4.0", CC_BY_SA, "wmn.ATTRIBUTION.md"),
    Source("sherlock", "Sherlock", "sherlock/data.json", "sherlock/LICENSE",
           "https://github.com/sherlock-project/sherlock", "sherlock_project/resources/data.json",
           "4e2a4f6b66433849abe46cae76ed557c6c8313c8", "2026-05-04",
           "MIT", MIT, "sherlock.LICENSE"),
    Source("maigret", "Maigret", "maigret/data.json", "maigret/LICENSE",
           "https://github.com/soxoj/maigret", "maigret/resources/data.json",
           "149acb17832862857c67facf99ea7094d16a3969", "2026-08-20",
           "MIT", MIT, "maigret.LICENSE"),
)  # fmt: skip


def records(source: Source, data: Any) -> Records:
    origin = f"{source.title} {source.path}"
    if source.name == "sherlock":
        return sherlock_records(data, origin)
    if source.name == "maigret":
        return maigret_records(data, origin)
    catalogue = parse_catalogue(data, origin)
    return Records(tuple(site_record(site) for site in catalogue.sites), {}, catalogue.skipped)


def document(source: Source, built: Records, sha256: str) -> str:
    head = {
        "list": source.name,
        "title": source.title,
        "source": f"{source.repo} ({source.path})",
        "commit": source.commit,
        "date": source.date,
        "sha256": sha256,
        "licence": source.licence,
        "licence_url": source.licence_url,
        "notice": source.notice,
        "skipped": len(built.skipped),
        "engines": {name: built.engines[name] for name in sorted(built.engines)},
    }
    sites = sorted(built.sites, key=lambda r: (str(r["name"]).casefold(), str(r["uri_check"])))
    top = json.dumps(head, ensure_ascii=False, sort_keys=True)[:-1]
    rows = ",\n".join(json.dumps(site, ensure_ascii=False, sort_keys=True) for site in sites)
    return f'{top}, "sites": [\n{rows}\n]}}\n'  # a site a line


def attribution(source: Source, data: dict[str, Any], licence: str, sha256: str) -> str:
    """wmn.ATTRIBUTION.md: what CC BY-SA 4.0 section 3(a) asks for, and the changes."""
    authors = [" ".join(str(a).split()) for a in data.get("authors", []) if str(a).strip()]
    lines = [
        "# wmn.json: WhatsMyName, adapted",
        "",
        f"`wmn.json` in this folder is adapted from WhatsMyName by Micah Hoffman and "
        f"contributors ({source.repo}), file `{source.path}` at commit {source.commit} "
        f"({source.date}).",
        "",
        "- Licence: Creative Commons Attribution-ShareAlike 4.0 International "
        f"(CC BY-SA 4.0), {source.licence_url}",
        "- `wmn.json` is licensed under the same licence, CC BY-SA 4.0. The exposure-audit "
        "code that reads it stays under its own MIT licence.",
        "- Changes: each entry was converted to exposure-audit's record shape (the field "
        "names of scanner.sites.catalogue.Site, default values left out), one entry a line, "
        "sorted by name; the values are WhatsMyName's, unchanged. Made by "
        "scripts/build_sites.py.",
        f"- SHA-256 of the source file: {sha256}",
        "",
        "## Authors, as the file lists them",
        "",
        *([f"- {a}" for a in authors] or ["- (the file lists no authors)"]),
        "",
        "## Licence notice, as given in WhatsMyName's LICENSE.md",
        "",
        *[f"> {line}".rstrip() for line in licence.strip().splitlines()],
        "",
    ]
    return "\n".join(lines)


def build(reference: Path, out: Path) -> list[str]:
    """Write every list and its licence file to `out`; one line per list said."""
    said = []
    out.mkdir(parents=True, exist_ok=True)
    for source in SOURCES:
        raw = (reference / source.data).read_bytes()
        sha256 = hashlib.sha256(raw).hexdigest()
        data = json.loads(raw)
        built = records(source, data)
        (out / f"{source.name}.json").write_text(document(source, built, sha256), encoding="utf-8")
        licence = (reference / source.licence_file).read_text(encoding="utf-8")
        is_wmn = source.name == "wmn"  # the MIT licence files are copied as they are
        notice = attribution(source, data, licence, sha256) if is_wmn else licence
        (out / source.notice).write_text(notice, encoding="utf-8")
        said.append(
            f"{source.name}: {len(built.sites)} sites ({len(built.skipped)} left out), "
            f"{len(built.engines)} engines -> {out / (source.name + '.json')}"
        )
    return said


def main(argv: list[str]) -> int:
    reference = Path(argv[0]) if argv else DEFAULT
    out = Path(argv[1]) if len(argv) > 1 else OUT
    missing = [s.data for s in SOURCES if not (reference / s.data).is_file()]
    if missing:
        print(f"not found in {reference}: {', '.join(missing)}", file=sys.stderr)
        return 2
    for line in build(reference, out):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
