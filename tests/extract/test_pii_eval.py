"""The pii-dev scorer in bench/pii_eval.py, on a fixture written here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.pii_eval import (
    BASELINE,
    DEFAULT_DATA,
    FOLDS,
    Counts,
    errors,
    fold_of,
    load,
    main,
    match,
    micro,
    norm_address,
    norm_location,
    norm_phone,
    norm_text,
    score,
    split,
    table,
)
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


def test_norm_address_spells_suffixes_one_way() -> None:
    assert (
        norm_address("48 Elm Street Apartment 3B, Springfield, Illinois 62704")
        == norm_address("48 ELM ST. APT 3B Springfield IL 62704")
        == "48 elm st apt 3b springfield il 62704"
    )
    assert norm_address("1200 West 5th Avenue Suite 200") == "1200 w 5th ave ste 200"
    assert norm_address("12 North Carolina Road, Raleigh, North Carolina") == (
        "12 nc rd raleigh nc"  # state names anywhere: the same on both sides
    )
    assert norm_text("Dr. Avery  Sample-Jones") == "dr avery sample jones"
    assert norm_text("Virginia Sample") == "virginia sample"  # a name, not a state
    assert norm_location("Madison, Wisconsin") == norm_location("madison, WI") == "madison wi"


@pytest.mark.parametrize(
    ("kind", "want", "got", "expected"),
    [
        # addresses: equal token lists only
        ("home_address", {"48 elm st springfield il 62704"}, {"48 elm st springfield il 62704"},
         Counts(tp=1)),
        ("home_address", {"48 elm st springfield il 62704"}, {"48 elm st"}, Counts(fp=1, fn=1)),
        # other kinds: one contains the other's words, in order
        ("real_name", {"dr avery sample"}, {"avery sample"}, Counts(tp=1)),
        ("real_name", {"avery"}, {"avery sample"}, Counts(tp=1)),
        ("real_name", {"avery sample"}, {"casey sample"}, Counts(fp=1, fn=1)),
        ("real_name", {"sample"}, {"avery sample", "casey sample"}, Counts(tp=1, fp=1)),
        ("location", {"springfield", "il"}, {"springfield il"}, Counts(tp=1, fn=1)),
        ("location", {"spring"}, {"springfield"}, Counts(fp=1, fn=1)),  # words, not letters
        # exact pairs are made before overlaps
        ("real_name", {"avery sample", "avery"}, {"avery"}, Counts(tp=1, fn=1)),
    ],
)  # fmt: skip
def test_match(kind: str, want: set[str], got: set[str], expected: Counts) -> None:
    assert match(kind, want, got) == expected


FOLD = {"relative": "real_name", "school": "employer"}
EVERY_KIND = [*ALL, "home_address", "location", "employer", "age", "birthdate"]


def test_new_kinds_and_fold() -> None:
    records = [
        # relatives are scored as real names, schools as employers
        record(
            "Relatives: Casey Sample, Jordan Sample. Studied at University of Example.",
            [("real_name", "Casey Sample"), ("employer", "University of Example")],
            kinds=EVERY_KIND,
            fold=FOLD,
        ),
        # an address matched by its tokens (value "…, IL 62704"), its city not scored twice
        record(
            "Home: 48 Elm St., Springfield, Illinois 62704",
            [("home_address", "48 Elm St., Springfield, Illinois 62704")],
            kinds=EVERY_KIND,
            fold=FOLD,
        ),
        # a birthdate where none is labelled is a false positive; an age is found
        record("Jane, age 38, born March 3, 1987", [("age", "38")], kinds=EVERY_KIND),
        # a source that annotates no location: "Lives in …" is not scored
        record("Lives in Springfield, IL", [], kinds=["phone"]),
    ]
    totals = score(records, extract_text)
    assert totals["real_name"] == Counts(tp=1, fp=1)  # Jordan Sample is not labelled
    assert totals["employer"] == Counts(tp=1)
    assert totals["home_address"] == Counts(tp=1)
    assert totals["location"] == Counts()
    assert totals["age"] == Counts(tp=1)
    assert totals["birthdate"] == Counts(fp=1)


def test_table_shows_both_folds_the_gap_and_the_baseline() -> None:
    tune = {kind: Counts(tp=1) for kind in BASELINE}
    unseen = {kind: Counts(tp=1, fn=1) for kind in BASELINE}
    lines = table(tune, unseen).splitlines()
    assert "tuning fold" in lines[0]
    assert "unseen fold" in lines[0]
    assert [line.split()[0] for line in lines[3:-2]] == list(BASELINE)
    phone = lines[3]
    assert phone.endswith("0.63 / 0.27 / 0.38")
    assert "+0.33" in phone  # F1 1.00 on the tuning fold, 0.67 on the unseen one
    assert lines[-1].startswith("micro")
    assert "+0.33" in lines[-1]
    assert lines[-3].rstrip().endswith("-")  # birthdate: the README gives no baseline


def test_folds_are_fixed_by_the_id_hash() -> None:
    # sha256("c") ends in ...c6 (even), sha256("a") in ...bb (odd)
    assert fold_of("c") == "tune"
    assert fold_of("a") == "unseen"
    records = [record("x", [], id=name) for name in ("c", "a", "c")]
    folds = split(records)
    assert tuple(folds) == FOLDS
    assert [r["id"] for r in folds["tune"]] == ["c", "c"]
    assert [r["id"] for r in folds["unseen"]] == ["a"]


def test_micro_adds_every_kind() -> None:
    total = micro({"phone": Counts(tp=2, fp=1), "email": Counts(tp=1, fn=3)})
    assert total == Counts(tp=3, fp=1, fn=3)


def test_errors_list_the_text_on_request() -> None:
    lines = list(errors(FIXTURE[2:3], extract_text, "email", text=True))
    assert lines[0].startswith("t email gold=[] predicted=['extra@example.com']")
    assert lines[1] == "    'Write to extra@example.com'"


def test_unseen_errors_are_never_listed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--errors", "phone", "--fold", "unseen"])
    assert "--fold tune" in capsys.readouterr().err


def test_dev_set_if_present() -> None:
    if not DEFAULT_DATA.is_file():
        pytest.skip(f"pii-dev data not present: {DEFAULT_DATA}")
    totals = score(load(DEFAULT_DATA), extract_text)
    assert totals["email"].recall >= 0.9
    for kind in ("phone", "home_address", "age"):  # the README's library baseline, beaten
        base_p, base_r = BASELINE[kind] or (0.0, 0.0)
        assert totals[kind].f1 >= 2 * base_p * base_r / (base_p + base_r) + 0.1, kind
    for kind in ("real_name", "location", "employer"):  # the baseline finds none
        assert totals[kind].precision >= 0.8, kind
        assert totals[kind].f1 >= 0.4, kind
