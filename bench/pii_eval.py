"""Score scanner.extract against the labelled pii-dev set, and time it.

    .venv/bin/python bench/pii_eval.py [--data PATH] [--errors]

Scoring follows ../shared/pii-dev/README.md: per record and kind, the unique normalised
predicted values are matched against the unique normalised gold values (phones by the
digits of their E.164 form read with default region US, emails case-insensitively).
Predictions of a kind the record's source does not annotate are not scored; predictions
inside an `ignore` span of their kind are not counted; `fold` renames predicted kinds
first. Only the kinds we extract and the set labels (phone, email) are scored.

Then times extract_text over the whole set and over a 1 MB adversarial string (a
benchmark, not a test: every regex should be linear, so this stays well under seconds).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import phonenumbers

from scanner.extract import Extracted, extract_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "pii-dev" / "dev.jsonl"
SCORED_KINDS = ("phone", "email")
BASELINE = {"phone": (0.63, 0.27), "email": (1.00, 1.00)}  # from the set's README
Record = Mapping[str, Any]
Extractor = Callable[[str], list[Extracted]]


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


NORMALISE: dict[str, Callable[[str], str]] = {"phone": norm_phone, "email": norm_email}


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
            values.add(NORMALISE[kind](item.value))
    return values


def gold(record: Record, kind: str) -> set[str]:
    return {NORMALISE[kind](e["value"]) for e in record["entities"] if e["kind"] == kind}


def score_record(record: Record, found: list[Extracted], totals: dict[str, Counts]) -> None:
    for kind in SCORED_KINDS:
        if kind not in record["kinds"]:
            continue
        want, got = gold(record, kind), predicted(record, found, kind)
        counts = totals[kind]
        counts.tp += len(want & got)
        counts.fp += len(got - want)
        counts.fn += len(want - got)


def score(records: Iterable[Record], extract: Extractor) -> dict[str, Counts]:
    """Per-kind counts of extract over records."""
    totals = {kind: Counts() for kind in SCORED_KINDS}
    for record in records:
        score_record(record, extract(record["text"]), totals)
    return totals


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def table(totals: Mapping[str, Counts]) -> str:
    head = f"{'kind':6} {'P':>5} {'R':>5} {'F1':>5} {'tp':>4} {'fp':>4} {'fn':>4}   baseline P / R"
    rows = [head, "-" * len(head)]
    for kind, c in totals.items():
        base_p, base_r = BASELINE[kind]
        rows.append(
            f"{kind:6} {c.precision:5.2f} {c.recall:5.2f} {c.f1:5.2f} {c.tp:4} {c.fp:4} {c.fn:4}"
            f"   {base_p:.2f} / {base_r:.2f}"
        )
    return "\n".join(rows)


def errors(records: Iterable[Record], extract: Extractor) -> Iterable[str]:
    """One line per record and kind where predictions and gold differ."""
    for record in records:
        found = extract(record["text"])
        for kind in SCORED_KINDS:
            if kind in record["kinds"]:
                want, got = gold(record, kind), predicted(record, found, kind)
                if want != got:
                    missed, extra = sorted(want - got), sorted(got - want)
                    yield f"{record['id']} {kind} missed={missed} extra={extra}"


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
)


def adversarial(size: int = 1_000_000) -> str:
    """About `size` characters of inputs that make backtracking regexes blow up."""
    block = "\n".join(ADVERSARIAL_PIECES) + "\n"
    return (block * (size // len(block) + 1))[:size]


def timed(label: str, run: Callable[[], object]) -> None:
    begin = time.perf_counter()
    run()
    print(f"{label}: {time.perf_counter() - begin:.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="pii-dev jsonl file")
    parser.add_argument("--errors", action="store_true", help="list records scored wrong")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"pii-dev data not found at {args.data}: nothing to score")
        return 0
    records = load(args.data)
    print(f"{len(records)} records from {args.data}\n")
    print(table(score(records, extract_text)))
    if args.errors:
        print("\n".join(["", *errors(records, extract_text)]))
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
