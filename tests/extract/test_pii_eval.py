"""The pii-dev scorer in bench/pii_eval.py, on a fixture written here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.pii_eval import DEFAULT_DATA, Counts, load, main, norm_phone, score
from scanner.extract import Extracted, extract_text
from scanner.extract.base import make
from scanner.models import Kind

ALL = ["phone", "email", "real_name"]


def record(text: str, entities: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    spans = []
    for kind, value in entities:
        start = text.index(value)
        spans.append({"kind": kind, "start": start, "end": start + len(value), "value": value})
    base: dict[str, Any] = {"id": "t", "text": text, "entities": spans, "kinds": ALL}
    return base | {"ignore": [], "fold": {}} | extra


FIXTURE = [
    # a phone matched by its E.164 digits, an email case-insensitively
    record(
        "Call 217.555.0142 or mail JANE@example.com",
        [("phone", "217.555.0142"), ("email", "JANE@example.com")],
    ),
    # the same phone twice counts once; a phone we do not extract is a false negative;
    # "cell 555-0163" becomes +15550163, which is not in gold: a false positive
    record(
        "Phone 217-555-0142, again 217-555-0142; order #217-555-0199; cell 555-0163",
        [("phone", "217-555-0142"), ("phone", "217-555-0199")],
    ),
    # a predicted email not in gold is a false positive
    record("Write to extra@example.com", []),
    # predictions of kinds the source does not annotate are not scored
    record("Phone 217-555-0142", [], kinds=["real_name"]),
    # predictions inside an ignore span are not counted
    record(
        "Ignored: skip@example.com",
        [],
        ignore=[{"kind": "email", "start": 9, "end": 25}],
    ),
]


def test_norm_phone() -> None:
    assert norm_phone("(217) 555-0142") == norm_phone("+12175550142") == "12175550142"
    assert norm_phone("+44 20 7946 0958") == "442079460958"
    assert norm_phone("no digits? 12") == norm_phone("12")


def test_scorer_counts() -> None:
    totals = score(FIXTURE, extract_text)
    assert totals["phone"] == Counts(tp=2, fp=1, fn=1)
    assert totals["email"] == Counts(tp=1, fp=1, fn=0)
    assert totals["phone"].precision == pytest.approx(2 / 3)
    assert totals["phone"].recall == pytest.approx(2 / 3)
    assert totals["email"].f1 == pytest.approx(2 / 3)


def test_fold_renames_predicted_kinds() -> None:
    def as_relative(text: str) -> list[Extracted]:
        return [make(Kind.RELATIVE, "x@example.com", text, 0, 13)]

    text = "x@example.com"
    folded = record(text, [("email", text)], fold={"relative": "email"})
    assert score([folded], as_relative)["email"] == Counts(tp=1)
    assert score([record(text, [("email", text)])], as_relative)["email"] == Counts(fn=1)


def test_empty_counts_do_not_divide_by_zero() -> None:
    assert (Counts().precision, Counts().recall, Counts().f1) == (0.0, 0.0, 0.0)


def test_main_without_data_exits_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data", str(tmp_path / "absent.jsonl")]) == 0
    assert "not found" in capsys.readouterr().out


def test_dev_set_if_present() -> None:
    if not DEFAULT_DATA.is_file():
        pytest.skip(f"pii-dev data not present: {DEFAULT_DATA}")
    totals = score(load(DEFAULT_DATA), extract_text)
    assert totals["email"].recall >= 0.9
    assert totals["phone"].precision >= 0.63  # the README's library baseline
    assert totals["phone"].recall >= 0.27
