"""Score scanner.extract against the labelled pii-dev set, and time it.

    .venv/bin/python bench/pii_eval.py [--data PATH] [--errors [KIND]] [--fold tune]

**Folds.** The records are split by a fixed rule: a record whose id's SHA-256 (of its UTF-8
bytes, read as one big-endian number) is even is in the tuning fold ("tune"), an odd one
in the unseen fold ("unseen"): 460 and 480 records of the current set. Both folds are
scored and printed side by side, with the micro F1 over every kind and the gap (tuning F1
minus unseen F1) per kind. Cues and patterns are written from the tuning fold's errors
only: `--errors` lists the tuning fold's and refuses to list the unseen fold's.

Scoring follows ../shared/pii-dev/README.md. Per record and kind, the unique normalised
predicted values are matched one to one against the unique normalised gold values:

- phones by the digits of their E.164 form read with default region US;
- emails case-insensitively;
- home addresses by their normalised tokens: case and punctuation dropped, street suffixes,
  directionals, unit words and US state names in one abbreviated form ("Street" = "St.",
  "North" = "N", "Suite" = "Ste", "Illinois" = "IL"); the token lists must be equal;
- every other kind by normalised text overlap: case and punctuation dropped (for locations,
  state names abbreviated), a prediction matches a gold value when either's words appear,
  in order and contiguous, inside the other's ("Susan Harris" and "Dr. Susan Harris",
  "Springfield, IL" and "Springfield"). Exact matches are paired first, then overlaps, each
  value used once.

Predictions of a kind the record's source does not annotate are not scored; predictions
inside an `ignore` span of their kind are not counted; `fold` renames predicted kinds first
(relative -> real_name, school -> employer).

Then times extract_text over the whole set and over a 1 MB adversarial string (a
benchmark, not a test: every regex should be linear, so this stays well under seconds).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import phonenumbers

from scanner.correlate import US_STATES
from scanner.extract import Extracted, extract_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "pii-dev" / "dev.jsonl"
SCORED_KINDS = (
    "phone", "email", "home_address", "real_name", "location", "employer", "age", "birthdate"
)  # fmt: skip
# The README's plain library baseline (P, R); None where it gives none.
BASELINE: dict[str, tuple[float, float] | None] = {
    "phone": (0.63, 0.27),
    "email": (1.00, 1.00),
    "home_address": (0.99, 0.40),
    "real_name": (0.0, 0.0),
    "location": (0.0, 0.0),
    "employer": (0.0, 0.0),
    "age": (1.00, 0.41),
    "birthdate": None,
}
FOLDS = ("tune", "unseen")
EXACT_KINDS = frozenset({"phone", "email", "home_address"})
Record = Mapping[str, Any]
Extractor = Callable[[str], list[Extracted]]

# One spelling for each street suffix, directional and unit word (USPS abbreviations).
ADDRESS_WORDS = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "avn": "ave", "road": "rd",
    "boulevard": "blvd", "drive": "dr", "lane": "ln", "court": "ct", "place": "pl",
    "terrace": "ter", "circle": "cir", "parkway": "pkwy", "highway": "hwy", "hghwy": "hwy",
    "square": "sq", "trail": "trl", "plaza": "plz", "alley": "aly", "crossing": "xing",
    "point": "pt", "ridge": "rdg", "heights": "hts", "expressway": "expy", "freeway": "fwy",
    "turnpike": "tpke", "cove": "cv", "creek": "crk", "crescent": "cres", "glen": "gln",
    "green": "grn", "grove": "grv", "harbor": "hbr", "hill": "hl", "landing": "lndg",
    "meadow": "mdw", "meadows": "mdws", "route": "rte", "mount": "mt", "center": "ctr",
    "centre": "ctr", "village": "vlg", "valley": "vly", "way": "wy", "station": "sta",
    "north": "n", "south": "s", "east": "e", "west": "w", "northeast": "ne",
    "northwest": "nw", "southeast": "se", "southwest": "sw",
    "apartment": "apt", "suite": "ste", "unit": "unit", "floor": "fl", "room": "rm",
    "building": "bldg", "number": "no",
}  # fmt: skip
_STATE_NAME = re.compile(
    r"\b(?:" + "|".join(sorted(US_STATES, key=len, reverse=True)) + r")\b", re.IGNORECASE
)
_TOKEN = re.compile(r"[^\W_]+")


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def norm_phone(value: str) -> str:
    """The digits of value's E.164 form read in region US, or its bare digits."""
    try:
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]


def norm_email(value: str) -> str:
    return value.strip().lower()


def _place_tokens(value: str) -> list[str]:
    """Lower-case words of value, US state names replaced by their codes."""
    value = _STATE_NAME.sub(lambda m: US_STATES[" ".join(m.group().lower().split())], value)
    return _TOKEN.findall(value.casefold())


def norm_address(value: str) -> str:
    """Tokens with one spelling per street suffix, directional, unit word and state."""
    return " ".join(ADDRESS_WORDS.get(token, token) for token in _place_tokens(value))


def norm_location(value: str) -> str:
    """Lower-case words, US state names as their codes ("Austin, Texas" = "austin tx")."""
    return " ".join(_place_tokens(value))


def norm_text(value: str) -> str:
    """Lower-case words, punctuation dropped ("Dr. Avery Sample-Jones")."""
    return " ".join(_TOKEN.findall(value.casefold()))


NORMALISE: dict[str, Callable[[str], str]] = {
    "phone": norm_phone,
    "email": norm_email,
    "home_address": norm_address,
    "location": norm_location,
}


def normalise(kind: str, value: str) -> str:
    return NORMALISE.get(kind, norm_text)(value)


def overlaps(a: str, b: str) -> bool:
    """Whether the words of normalised a appear, in order and contiguous, in b or b's in a."""
    if not a or not b:
        return False
    return f" {a} " in f" {b} " or f" {b} " in f" {a} "


def match(kind: str, want: set[str], got: set[str]) -> Counts:
    """One-to-one matching of predicted against gold values: exact first, then overlap."""
    exact = want & got
    counts = Counts(tp=len(exact))
    free_gold = sorted(want - exact)
    for value in sorted(got - exact):
        hit = None
        if kind not in EXACT_KINDS:
            hit = next((g for g in free_gold if overlaps(value, g)), None)
        if hit is None:
            counts.fp += 1
        else:
            free_gold.remove(hit)
            counts.tp += 1
    counts.fn = len(free_gold)
    return counts


def _ignored(record: Record, kind: str, start: int, end: int) -> bool:
    return any(
        span["kind"] == kind and span["start"] <= start and end <= span["end"]
        for span in record.get("ignore", ())
    )


def predicted(record: Record, found: Iterable[Extracted], kind: str) -> set[str]:
    """The normalised values of `kind` that count for this record."""
    fold: Mapping[str, str] = record.get("fold", {})
    values: set[str] = set()
    for item in found:
        scored_as = fold.get(item.kind.value, item.kind.value)
        if scored_as == kind and not _ignored(record, kind, item.start, item.end):
            values.add(normalise(kind, item.value))
    values.discard("")
    return values


def gold(record: Record, kind: str) -> set[str]:
    values = {normalise(kind, e["value"]) for e in record["entities"] if e["kind"] == kind}
    values.discard("")
    return values


def score_record(record: Record, found: list[Extracted], totals: dict[str, Counts]) -> None:
    for kind in SCORED_KINDS:
        if kind not in record["kinds"]:
            continue
        counts = match(kind, gold(record, kind), predicted(record, found, kind))
        total = totals[kind]
        total.tp += counts.tp
        total.fp += counts.fp
        total.fn += counts.fn


def score(records: Iterable[Record], extract: Extractor) -> dict[str, Counts]:
    """Per-kind counts of extract over records."""
    totals = {kind: Counts() for kind in SCORED_KINDS}
    for record in records:
        score_record(record, extract(record["text"]), totals)
    return totals


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def fold_of(record_id: str) -> str:
    """The fold of a record: "tune" when the SHA-256 of its id is even, else "unseen"."""
    digest = hashlib.sha256(record_id.encode("utf-8")).digest()
    return "tune" if digest[-1] % 2 == 0 else "unseen"


def split(records: Iterable[Record]) -> dict[str, list[Record]]:
    """The records of each fold, in their order."""
    folds: dict[str, list[Record]] = {fold: [] for fold in FOLDS}
    for record in records:
        folds[fold_of(record["id"])].append(record)
    return folds


def micro(totals: Mapping[str, Counts]) -> Counts:
    """The counts of every kind added up."""
    total = Counts()
    for counts in totals.values():
        total.tp += counts.tp
        total.fp += counts.fp
        total.fn += counts.fn
    return total


def _baseline(kind: str) -> str:
    base = BASELINE.get(kind)
    if base is None:
        return "      -"
    p, r = base
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return f"{p:.2f} / {r:.2f} / {f1:.2f}"


def _cells(c: Counts) -> str:
    return f"{c.precision:5.2f} {c.recall:5.2f} {c.f1:5.2f} {c.tp:4} {c.fp:4} {c.fn:4}"


def table(tune: Mapping[str, Counts], unseen: Mapping[str, Counts]) -> str:
    """Per kind: the tuning fold's and the unseen fold's P / R / F1 and counts, the gap
    (tuning F1 minus unseen F1) and the library baseline; then the micro F1 of each."""
    counts_head = f"{'P':>5} {'R':>5} {'F1':>5} {'tp':>4} {'fp':>4} {'fn':>4}"
    head = f"{'kind':12} | {counts_head} | {counts_head} | {'gap':>5} | baseline P / R / F1"
    over = f"{'':12} | {'tuning fold':^{len(counts_head)}} | {'unseen fold':^{len(counts_head)}} |"
    rows = [over, head, "-" * len(head)]
    for kind in tune:
        t, u = tune[kind], unseen[kind]
        rows.append(
            f"{kind:12} | {_cells(t)} | {_cells(u)} | {t.f1 - u.f1:+5.2f} | {_baseline(kind)}"
        )
    t, u = micro(tune), micro(unseen)
    rows.append("-" * len(head))
    rows.append(f"{'micro':12} | {_cells(t)} | {_cells(u)} | {t.f1 - u.f1:+5.2f} |")
    return "\n".join(rows)


ERROR_TEXT_CHARS = 400  # characters of a record's text shown under its error line


def errors(
    records: Iterable[Record], extract: Extractor, only: str = "", text: bool = False
) -> Iterable[str]:
    """One line per record and kind where predictions and gold differ (and, with text, the
    start of the record's text on the next line)."""
    for record in records:
        found = extract(record["text"])
        for kind in SCORED_KINDS:
            if kind not in record["kinds"] or (only and kind != only):
                continue
            want, got = gold(record, kind), predicted(record, found, kind)
            counts = match(kind, want, got)
            if counts.fp or counts.fn:
                yield f"{record['id']} {kind} gold={sorted(want)} predicted={sorted(got)}"
                if text:
                    yield "    " + repr(record["text"][:ERROR_TEXT_CHARS])


ADVERSARIAL_PIECES = (
    "a" * 1000,  # word run: email local parts, handles
    "a." * 500,  # dotted labels: email domains, bare URLs
    "1" * 1000,  # digit run: phones
    "1-" * 500,  # separated digits: phones
    "1 " * 500,
    "(" * 500 + ")" * 500,  # brackets: URL trimming
    "@" * 1000,  # at-signs: emails, handles
    "a@" * 500,
    "http://" * 150,  # schemes
    "https://a.co/" + ")" * 1000,
    "www." * 250,
    "x [at] " * 150,  # obfuscation
    "+1 " * 300,
    "2021-03-04 " * 90,
    "192.168.0.1 " * 80,
    "12 Elm " * 150 + "IL 62704 ",  # addresses: street words, anchors
    "IL 62704 " * 120,
    "Aa Bb " * 150,  # capitalised runs: names, cities, organisations
    "Relatives: " + "Aa Bb, " * 150,
    "Name: " * 150,
    "born " * 150 + "age " * 150,
    "Lives in " * 120,
    "Address: 1 a\n" * 80,
    # the layout and prose cues of issue 20: table cells, <dl> lines, "she is", Spanish
    "Company | " * 100,
    "Age\n" * 200,
    "she is " * 140,
    "the corner of " * 70,
    "Phone: " + "1 1 " * 250,
    "tiene 1 años " * 75,
    "Name | Aa Bb " * 75,
    "Aa Bb said " * 90,
)


def adversarial(size: int = 1_000_000) -> str:
    """About `size` characters of inputs that make backtracking regexes blow up."""
    block = "\n".join(ADVERSARIAL_PIECES) + "\n"
    return (block * (size // len(block) + 1))[:size]


def timed(label: str, run: Callable[[], object]) -> float:
    begin = time.perf_counter()
    run()
    seconds = time.perf_counter() - begin
    print(f"{label}: {seconds:.2f} s")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="pii-dev jsonl file")
    parser.add_argument(
        "--errors",
        nargs="?",
        const="all",
        choices=["all", *SCORED_KINDS],
        help="list the tuning fold's records scored wrong (optionally of one kind)",
    )
    parser.add_argument(
        "--fold",
        default="tune",
        choices=FOLDS,
        help="the fold --errors lists: only 'tune' (rules are never written from 'unseen')",
    )
    parser.add_argument("--text", action="store_true", help="show each error's text too")
    args = parser.parse_args(argv)
    if args.errors and args.fold != "tune":
        parser.error("the unseen fold's errors are not listed: write rules from --fold tune")
    if not args.data.is_file():
        print(f"pii-dev data not found at {args.data}: nothing to score")
        return 0
    records = load(args.data)
    folds = split(records)
    sizes = ", ".join(f"{len(folds[fold])} {fold}" for fold in FOLDS)
    print(f"{len(records)} records from {args.data} ({sizes}; fold = sha256(id) even/odd)\n")
    print(table(score(folds["tune"], extract_text), score(folds["unseen"], extract_text)))
    if args.errors:
        only = "" if args.errors == "all" else args.errors
        print("\n".join(["", *errors(folds["tune"], extract_text, only, args.text)]))
    print()
    texts = [record["text"] for record in records]
    timed(f"extract_text over {len(texts)} records", lambda: [extract_text(t) for t in texts])
    text = adversarial()
    timed(
        f"extract_text over a {len(text):,}-character adversarial string",
        lambda: extract_text(text),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
