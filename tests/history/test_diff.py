"""diff.py: new / gone / resurfaced / changed, lifecycle, time to removal. Fictional data."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from scanner.history.diff import (
    DIFF_SCHEMA,
    diff_dict,
    diff_scans,
    lifecycle,
    summarise_removal_times,
    time_to_removal,
)
from scanner.history.records import (
    Change,
    Diff,
    FindingRecord,
    Mark,
    MarkState,
    ScanRecord,
    ScanStatus,
)
from scanner.report.json import SCHEMA_PATH

AUG = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
SEP = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
OCT = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
NOV = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
DEC = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

BROKER = "https://people.example.com/p/jordan-testwell-123"
ADDRESS = FindingRecord(
    "addr0000000000a1", "home_address", "12 Elm Street, Springfield", "critical", 95,
    ("peoplefinder",), (BROKER,),
)  # fmt: skip
PHONE = FindingRecord(
    "phone00000000001", "phone", "+1 555-0142", "high", 80,
    ("peoplefinder",), ("https://people.example.com/p/jordan-testwell-123#phones",),
)  # fmt: skip
EMAIL = FindingRecord(
    "email00000000001", "email", "jordan@example.org", "medium", 50,
    ("gravatar",), ("https://gravatar.example.net/jordan",),
)  # fmt: skip
ACCOUNT = FindingRecord(
    "acct000000000001", "account", "https://forum.example.org/u/jtestwell", "low", 20,
    ("accounts",), ("https://forum.example.org/u/jtestwell",),
)  # fmt: skip


def scan(n: int, started: datetime, *findings: FindingRecord, complete: bool = True) -> ScanRecord:
    return ScanRecord(
        id=n,
        subject="jordan",
        started=started,
        finished=started + timedelta(minutes=20) if complete else None,
        status=ScanStatus.COMPLETE if complete else ScanStatus.RUNNING,
        findings={f.id: f for f in findings},
    )


def mark(finding: FindingRecord, state: MarkState, at: datetime, note: str = "") -> Mark:
    return Mark(finding.id, state, at, note)


def latest(*marks: Mark) -> dict[str, Mark]:
    return {m.finding_id: m for m in sorted(marks, key=lambda m: m.at)}


def changes(diff: Diff) -> list[tuple[Change, str]]:
    return [(e.change, e.finding.id) for e in diff.entries]


def entry_of(diff: Diff, finding: FindingRecord) -> tuple[Change, str]:
    (found,) = [e for e in diff.entries if e.finding.id == finding.id]
    return found.change, found.note


def validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(DIFF_SCHEMA)
    return Draft202012Validator(DIFF_SCHEMA, format_checker=FormatChecker())


# --- diff_scans ---


def test_first_scan_everything_new() -> None:
    diff = diff_scans([scan(1, AUG, EMAIL, ADDRESS, PHONE)], {})
    assert diff.older is None
    assert changes(diff) == [
        (Change.NEW, ADDRESS.id),
        (Change.NEW, PHONE.id),
        (Change.NEW, EMAIL.id),
    ]
    assert {e.note for e in diff.entries} == {"first scan"}
    assert diff.hidden_not_me == 0


def test_issue_scenario_gone_in_scan_2_back_in_scan_3() -> None:
    s1, s2, s3 = scan(1, AUG, ADDRESS, EMAIL), scan(2, SEP, EMAIL), scan(3, OCT, ADDRESS, EMAIL)
    second = diff_scans([s1, s2], {})
    assert changes(second) == [(Change.GONE, ADDRESS.id), (Change.STILL, EMAIL.id)]
    assert entry_of(second, ADDRESS) == (Change.GONE, "not seen this time: removal may have worked")
    third = diff_scans([s1, s2, s3], {})
    assert third.older is s2
    assert third.newer is s3
    assert changes(third) == [(Change.RESURFACED, ADDRESS.id), (Change.STILL, EMAIL.id)]
    assert entry_of(third, ADDRESS) == (
        Change.RESURFACED,
        "gone in the scan of 2026-09-01; back now",
    )


def test_gone_for_two_scans_names_the_first_scan_without_it() -> None:
    history = [scan(1, AUG, ADDRESS), scan(2, SEP), scan(3, OCT), scan(4, NOV, ADDRESS)]
    assert entry_of(diff_scans(history, {}), ADDRESS) == (
        Change.RESURFACED,
        "gone in the scan of 2026-09-01; back now",
    )


def test_gone_then_new_scan_still_without_it_is_not_listed() -> None:
    diff = diff_scans([scan(1, AUG, ADDRESS), scan(2, SEP), scan(3, OCT, EMAIL)], {})
    assert changes(diff) == [(Change.NEW, EMAIL.id)]
    assert diff.entries[0].note == "first seen now"


def test_marked_done_then_still_listed_resurfaces() -> None:
    done = mark(ADDRESS, MarkState.DONE, datetime(2026, 10, 2, 18, tzinfo=UTC))
    history = [scan(1, SEP, ADDRESS, EMAIL), scan(2, OCT, ADDRESS, EMAIL), scan(3, NOV, ADDRESS)]
    diff = diff_scans(history, latest(done))
    assert changes(diff)[0] == (Change.RESURFACED, ADDRESS.id)
    assert diff.entries[0].note == "marked done on 2026-10-02; back in this scan"
    assert diff.entries[0].mark == done
    # the next scan still has it: still flagged, and says so plainly
    again = diff_scans([*history, scan(4, DEC, ADDRESS)], latest(done))
    assert entry_of(again, ADDRESS) == (
        Change.RESURFACED,
        "marked done on 2026-10-02; still in this scan",
    )


def test_marked_done_gone_then_back() -> None:
    done = mark(ADDRESS, MarkState.DONE, datetime(2026, 8, 10, tzinfo=UTC))
    history = [scan(1, AUG, ADDRESS), scan(2, SEP), scan(3, OCT, ADDRESS)]
    assert entry_of(diff_scans(history[:2], latest(done)), ADDRESS) == (
        Change.GONE,
        "not seen this time (marked done on 2026-08-10): removal may have worked",
    )
    assert entry_of(diff_scans(history, latest(done)), ADDRESS) == (
        Change.RESURFACED,
        "marked done on 2026-08-10; gone in the scan of 2026-09-01; back now",
    )


def test_a_pending_request_is_not_a_resurfacing() -> None:
    """Asked to remove, still there: the request is pending, nothing came back."""
    asked = mark(PHONE, MarkState.REQUESTED, datetime(2026, 8, 3, tzinfo=UTC))
    diff = diff_scans([scan(1, AUG, PHONE), scan(2, SEP, PHONE)], latest(asked))
    assert entry_of(diff, PHONE) == (Change.STILL, "removal requested on 2026-08-03")


def test_mark_made_after_the_newer_scan_does_not_resurface() -> None:
    asked = mark(PHONE, MarkState.REQUESTED, SEP + timedelta(hours=2))
    diff = diff_scans([scan(1, AUG, PHONE), scan(2, SEP, PHONE)], latest(asked))
    assert entry_of(diff, PHONE) == (Change.STILL, "removal requested on 2026-09-01")


def test_changed_address_on_the_same_broker_page() -> None:
    moved = FindingRecord(
        "addr0000000000b2", "home_address", "48 Oak Avenue, Shelbyville", "critical", 95,
        ("peoplefinder",), ("HTTPS://People.Example.com/p/jordan-testwell-123/",),
    )  # fmt: skip
    asked = mark(ADDRESS, MarkState.REQUESTED, AUG + timedelta(days=2))
    diff = diff_scans([scan(1, AUG, ADDRESS, EMAIL), scan(2, SEP, moved, EMAIL)], latest(asked))
    assert changes(diff) == [(Change.CHANGED, moved.id), (Change.STILL, EMAIL.id)]
    entry = diff.entries[0]
    assert entry.finding == moved
    assert entry.before == ADDRESS
    assert entry.mark == asked  # the old value's mark, so the report can say so
    assert entry.note == (
        "another value at the same place (people.example.com) than in the scan of 2026-08-01"
    )


def test_no_pairing_without_shared_url_or_across_kinds() -> None:
    elsewhere = FindingRecord(
        "addr0000000000c3", "home_address", "7 Pine Road, Ogdenville", "critical", 90,
        ("records",), ("https://records.example.net/r/55",),
    )  # fmt: skip
    same_page_other_kind = FindingRecord(
        "rel0000000000001", "relative", "Avery Sample", "medium", 40, ("peoplefinder",), (BROKER,)
    )
    diff = diff_scans([scan(1, AUG, ADDRESS), scan(2, SEP, elsewhere, same_page_other_kind)], {})
    assert changes(diff) == [
        (Change.NEW, elsewhere.id),
        (Change.NEW, same_page_other_kind.id),
        (Change.GONE, ADDRESS.id),
    ]


def test_not_me_hidden_and_counted() -> None:
    mine_not = [
        mark(ACCOUNT, MarkState.NOT_ME, AUG + timedelta(days=1)),
        mark(EMAIL, MarkState.REQUESTED, AUG + timedelta(days=1)),
        mark(EMAIL, MarkState.NOT_ME, AUG + timedelta(days=3)),  # latest wins
    ]
    diff = diff_scans(
        [scan(1, AUG, ACCOUNT, EMAIL, PHONE), scan(2, SEP, ACCOUNT, PHONE)], latest(*mine_not)
    )
    assert changes(diff) == [(Change.STILL, PHONE.id)]
    assert diff.hidden_not_me == 2  # the account still here, the email gone: neither listed
    first = diff_scans([scan(2, SEP, ACCOUNT, PHONE)], latest(*mine_not))
    assert changes(first) == [(Change.NEW, PHONE.id)]
    assert first.hidden_not_me == 1


def test_order_resurfaced_new_changed_gone_still_then_score_then_value() -> None:
    low_new = FindingRecord("n1", "username", "zed", "low", 10)
    tie_b = FindingRecord("n2", "username", "beta", "low", 30)
    tie_a = FindingRecord("n3", "username", "Alpha", "low", 30)
    moved = FindingRecord("m1", "phone", "+1 555-0199", "high", 80, (), PHONE.urls)
    history = [
        scan(1, AUG, ADDRESS, ACCOUNT),
        scan(2, SEP, EMAIL, PHONE, ACCOUNT),
        scan(3, OCT, ADDRESS, ACCOUNT, low_new, tie_b, tie_a, moved),
    ]
    assert changes(diff_scans(history, {})) == [
        (Change.RESURFACED, ADDRESS.id),
        (Change.NEW, tie_a.id),
        (Change.NEW, tie_b.id),
        (Change.NEW, low_new.id),
        (Change.CHANGED, moved.id),
        (Change.GONE, EMAIL.id),
        (Change.STILL, ACCOUNT.id),
    ]


def test_scans_sorted_and_interrupted_scans_ignored() -> None:
    history = [scan(3, OCT, ADDRESS), scan(1, AUG, ADDRESS), scan(4, NOV, complete=False)]
    diff = diff_scans(history, {})
    assert diff.older is not None
    assert (diff.older.id, diff.newer.id) == (1, 3)
    assert changes(diff) == [(Change.STILL, ADDRESS.id)]
    with pytest.raises(ValueError, match="complete scan"):
        diff_scans([scan(4, NOV, ADDRESS, complete=False)], {})


def test_naive_times_compare_as_utc() -> None:
    done = Mark(PHONE.id, MarkState.DONE, datetime(2026, 8, 20))  # naive
    diff = diff_scans([scan(1, AUG, PHONE), scan(2, SEP, PHONE)], latest(done))
    assert entry_of(diff, PHONE)[0] is Change.RESURFACED


# --- lifecycle ---


def life(*events: ScanRecord | Mark) -> str:
    scans = [e for e in events if isinstance(e, ScanRecord)]
    marks = [e for e in events if isinstance(e, Mark)]
    return lifecycle(ADDRESS.id, scans, marks)


REQ = mark(ADDRESS, MarkState.REQUESTED, datetime(2026, 8, 5, tzinfo=UTC))


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ((scan(1, AUG, EMAIL),), "not seen in any scan"),
        ((scan(1, AUG, ADDRESS), scan(2, SEP, ADDRESS)), "found"),
        ((scan(1, AUG, ADDRESS), REQ), "requested on 2026-08-05"),
        ((scan(1, AUG, ADDRESS), REQ, scan(2, SEP)), "gone (verified in the scan of 2026-09-01)"),
        (
            (scan(1, AUG, ADDRESS), REQ, scan(2, SEP), scan(3, OCT)),
            "gone (verified in the scan of 2026-09-01)",
        ),
        (
            (scan(1, AUG, ADDRESS), REQ, scan(2, SEP), scan(3, OCT, ADDRESS)),
            "resurfaced on 2026-10-01",
        ),
        ((scan(1, AUG, ADDRESS), REQ, scan(2, SEP, ADDRESS)), "requested on 2026-08-05"),
        ((scan(1, AUG, ADDRESS), scan(2, SEP), scan(3, OCT, ADDRESS)), "resurfaced on 2026-10-01"),
        (
            (scan(1, AUG, ADDRESS), mark(ADDRESS, MarkState.DONE, AUG + timedelta(days=9))),
            "marked done on 2026-08-10 (not verified by a scan yet)",
        ),
        (
            (
                scan(1, AUG, ADDRESS),
                REQ,
                mark(ADDRESS, MarkState.COULD_NOT_REMOVE, SEP),
                scan(2, OCT, ADDRESS),
            ),
            "could not remove",
        ),
        (
            (scan(1, AUG, ADDRESS), mark(ADDRESS, MarkState.COULD_NOT_REMOVE, SEP), scan(2, OCT)),
            "gone (verified in the scan of 2026-10-01)",
        ),
        (
            (
                scan(1, AUG, ADDRESS),
                mark(ADDRESS, MarkState.NOT_ME, SEP),
                scan(2, OCT),
                scan(3, NOV, ADDRESS),
            ),
            "not me",
        ),
        # a scan and a mark at the same instant: the scan counts as before the mark
        (
            (scan(1, AUG, ADDRESS), mark(ADDRESS, MarkState.REQUESTED, SEP), scan(2, SEP, ADDRESS)),
            "requested on 2026-09-01",
        ),
    ],
)
def test_lifecycle_paths(events: tuple[ScanRecord | Mark, ...], expected: str) -> None:
    assert life(*events) == expected


def test_lifecycle_ignores_other_findings_marks_and_interrupted_scans() -> None:
    history = [scan(1, AUG, ADDRESS), scan(2, SEP, complete=False)]
    assert lifecycle(ADDRESS.id, history, [mark(EMAIL, MarkState.NOT_ME, AUG)]) == "found"


# --- time to removal ---


def at(day: int, month: int = 8) -> datetime:
    return datetime(2026, month, day, 9, 0, tzinfo=UTC)


def test_time_to_removal_per_site_and_summary() -> None:
    people_a = FindingRecord(
        "pa", "home_address", "12 Elm Street", "critical", 95, ("pf",), (BROKER,)
    )
    people_b = FindingRecord(
        "pb", "phone", "+1 555-0142", "high", 80, ("pf",), ("https://www.people.example.com/p/2",)
    )
    people_c = FindingRecord(
        "pc", "relative", "Avery Sample", "medium", 40, ("pf",), ("https://people.example.com/p/3",)
    )
    breach = FindingRecord("br", "breach", "ExampleBreach 2024", "medium", 50, ("breachdb",))
    never = FindingRecord("nv", "email", "jordan@example.org", "medium", 50, ("gravatar",), ())
    history = [
        scan(1, at(1), people_a, people_b, people_c, breach, never),
        scan(2, at(11), people_b, people_c, breach, never),  # people_a gone
        scan(3, at(13), people_c, breach, never),  # people_b gone
        scan(4, at(21), people_a, breach, never),  # people_c gone; people_a back
        scan(5, at(25), never, complete=False),  # interrupted: proves nothing
        scan(6, at(30), never),  # people_a and breach gone
    ]
    req = MarkState.REQUESTED
    marks: Mapping[str, Sequence[Mark]] = {
        "pa": [
            Mark("pa", req, at(1, 8) + timedelta(hours=1)),  # -> gone 2026-08-11: 10 days
            Mark("pa", MarkState.DONE, at(12)),
            Mark("pa", req, at(22)),  # came back; asked again -> gone 2026-08-30: 8 days
        ],
        "pb": [Mark("pb", req, at(1)), Mark("pb", req, at(5))],  # one removal, from the first: 12
        "pc": [Mark("pc", req, at(1))],  # 20 days
        "br": [Mark("br", req, at(20))],  # 10 days, no URL: named by its source
        "nv": [Mark("nv", req, at(2))],  # never gone: not counted
        "unseen": [Mark("unseen", req, at(2))],  # in no scan: skipped
    }
    times = time_to_removal(history, marks)
    assert times == {
        "breachdb": [timedelta(days=10)],
        "people.example.com": [
            timedelta(days=10) - timedelta(hours=1),
            timedelta(days=8),
            timedelta(days=12),
            timedelta(days=20),
        ],
    }
    assert summarise_removal_times(times) == {
        "breachdb": "median 10 days over 1 removal",
        "people.example.com": "median 11 days over 4 removals",
    }


def test_summary_wording() -> None:
    three = [timedelta(days=10), timedelta(days=12), timedelta(days=20)]
    assert summarise_removal_times(
        {
            "a.example": three,
            "b.example": [timedelta(hours=5)],
            "c.example": [timedelta(days=1)],
            "d.example": [],
        }
    ) == {
        "a.example": "median 12 days over 3 removals",
        "b.example": "median under a day over 1 removal",
        "c.example": "median 1 day over 1 removal",
        "d.example": "no verified removals yet",
    }


# --- diff_dict and its schema ---


def test_diff_dict_shape_and_schema() -> None:
    moved = FindingRecord(
        "addr0000000000b2", "home_address", "48 Oak Avenue", "critical", 95, (), (BROKER,)
    )
    done = mark(PHONE, MarkState.DONE, AUG + timedelta(days=4), note="form sent")
    history = [
        scan(1, AUG, ADDRESS, PHONE, EMAIL),
        scan(2, SEP, moved, PHONE, ACCOUNT),
    ]
    data = diff_dict(diff_scans(history, latest(done)))
    validator().validate(data)
    json.dumps(data)  # plain JSON types only
    assert data["previous_scan"] == {"id": 1, "started": "2026-08-01T09:00:00+00:00"}
    assert data["counts"] == {
        "new": 1,
        "gone": 1,
        "resurfaced": 1,
        "changed": 1,
        "still": 0,
        "unchecked": 0,
        "hidden_not_me": 0,
    }
    assert [e["change"] for e in data["entries"]] == ["resurfaced", "new", "changed", "gone"]
    assert data["entries"][0] == {
        "change": "resurfaced",
        "id": PHONE.id,
        "kind": "phone",
        "value": "+1 555-0142",
        "severity": "high",
        "score": 80,
        "before": None,
        "mark": {"state": "done", "at": "2026-08-05T09:00:00+00:00", "note": "form sent"},
        "note": "marked done on 2026-08-05; back in this scan",
    }
    assert data["entries"][2]["before"] == {
        "id": ADDRESS.id,
        "kind": "home_address",
        "value": "12 Elm Street, Springfield",
        "severity": "critical",
        "score": 95,
    }


def test_diff_dict_first_scan_and_still_only_counted() -> None:
    first = diff_dict(diff_scans([scan(1, AUG, EMAIL)], {}))
    validator().validate(first)
    assert first["previous_scan"] is None
    assert first["counts"]["new"] == 1
    same = diff_dict(diff_scans([scan(1, AUG, EMAIL), scan(2, SEP, EMAIL)], {}))
    validator().validate(same)
    assert same["counts"]["still"] == 1
    assert same["entries"] == []


def test_schema_rejects_what_diff_dict_never_writes() -> None:
    data = diff_dict(diff_scans([scan(1, AUG, EMAIL)], {}))
    for broken in (
        {**data, "entries": [{**data["entries"][0], "change": "still"}]},
        {**data, "entries": [{**data["entries"][0], "severity": "urgent"}]},
        {**data, "counts": {**data["counts"], "new": -1}},
        {**data, "extra": True},
    ):
        with pytest.raises(ValidationError):
            validator().validate(broken)


def test_report_schema_embeds_the_diff_schema() -> None:
    """report.json's since_last_scan section is described by DIFF_SCHEMA (kept in step)."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    section = {k: v for k, v in DIFF_SCHEMA.items() if k not in ("$schema", "$id")}
    assert schema["properties"]["since_last_scan"] == section
    assert "since_last_scan" not in schema["required"]  # only when there is history


# --- a source that could not check: "not checked this time", never "gone" ------------------


def unchecked(record: ScanRecord, *sources: str) -> ScanRecord:
    return replace(record, unchecked=frozenset(sources))


def test_a_finding_whose_source_could_not_check_is_unchecked_not_gone() -> None:
    history = [scan(1, AUG, ADDRESS, EMAIL), unchecked(scan(2, SEP), "peoplefinder")]
    diff = diff_scans(history, {})
    assert sorted(changes(diff)) == sorted(
        [(Change.UNCHECKED, ADDRESS.id), (Change.GONE, EMAIL.id)]  # gravatar checked: gone
    )
    (entry,) = [e for e in diff.entries if e.change is Change.UNCHECKED]
    assert entry.note == "not checked this time (peoplefinder could not check): kept as it was"
    assert diff_dict(diff)["counts"]["unchecked"] == 1


def test_a_finding_unchecked_once_and_seen_again_is_still_not_back() -> None:
    history = [
        scan(1, AUG, ADDRESS),
        unchecked(scan(2, SEP), "peoplefinder"),
        unchecked(scan(3, OCT), "peoplefinder"),  # twice in a row: still carried
        scan(4, NOV, ADDRESS),
    ]
    assert changes(diff_scans(history[:3], {})) == [(Change.UNCHECKED, ADDRESS.id)]
    assert changes(diff_scans(history, {})) == [(Change.STILL, ADDRESS.id)]
    assert lifecycle(ADDRESS.id, history, []) == "found"


def test_a_finding_gone_after_an_unchecked_scan_is_gone_when_checked() -> None:
    history = [scan(1, AUG, ADDRESS), unchecked(scan(2, SEP), "peoplefinder"), scan(3, OCT)]
    diff = diff_scans(history, {})
    assert changes(diff) == [(Change.GONE, ADDRESS.id)]
    assert diff.older is not None
    assert diff.older.id == 2
