"""What changed since the last scan, and where each removal stands. Pure functions, no I/O.

Inputs are the records of records.py. `history` is one subject's scans; scans whose status is
not COMPLETE are ignored everywhere (an interrupted scan ran only some sources, so what it did not
see says nothing), and the rest are taken oldest first (sorted by start time, then id).
A mark applies to the scans that started strictly after it.

diff_scans: newer = the last complete scan, older = the one before (None for the first scan).
  RESURFACED  in newer, and either absent from older but present in some earlier scan, or its
              latest mark is DONE dated before newer started. Sorted first. (A REQUESTED
              finding still there is a pending request, not a resurfacing: STILL, noted.)
  NEW         in newer, in no earlier scan (first scan: everything, note "first scan").
  CHANGED     a would-be NEW and a would-be GONE of the same kind sharing a source URL
              (same place, another value): one entry, finding = new, before = old.
  UNCHECKED   in older, not in newer, and a source that showed it could not check in newer:
              "not checked this time", never GONE. Such a finding is carried into newer's
              findings (ScanRecord.carried), so every later comparison, lifecycle and
              removal time treats it as still there until a scan that checked says otherwise.
  GONE        in older, not in newer: "not seen this time: removal may have worked".
  STILL       in both (kept for counting; the report may hide them).
  Findings whose latest mark is NOT_ME (in newer or older) are left out and counted.
  Order: RESURFACED, NEW, CHANGED, UNCHECKED, GONE, STILL; then score descending, then value.
A finding marked done or requested stays RESURFACED in every scan that still shows it, until
it goes or its latest mark is could-not-remove (or not-me). To compare scan A with a
later scan B, pass the complete scans up to A, then B.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from scanner.history.records import (
    Change,
    Diff,
    DiffEntry,
    FindingRecord,
    Mark,
    MarkState,
    ScanRecord,
    ScanStatus,
)
from scanner.models import Severity

_ORDER = {
    Change.RESURFACED: 0,
    Change.NEW: 1,
    Change.CHANGED: 2,
    Change.UNCHECKED: 3,
    Change.GONE: 4,
    Change.STILL: 5,
}
_REMOVING = frozenset({MarkState.DONE})  # marked done and seen again: it came back


def diff_scans(history: Sequence[ScanRecord], marks: Mapping[str, Mark]) -> Diff:
    """Compare the last complete scan with the one before; `marks` is the latest mark per id."""
    scans = _complete(history)
    if not scans:
        raise ValueError("diff_scans needs at least one complete scan")
    newer, older = scans[-1], (scans[-2] if len(scans) > 1 else None)
    ids = set(newer.findings) | set(older.findings if older else ())
    hidden = sum(1 for fid in ids if _not_me(marks.get(fid)))
    if older is None:
        first = [
            DiffEntry(Change.NEW, f, mark=marks.get(f.id), note="first scan")
            for f in newer.findings.values()
            if not _not_me(marks.get(f.id))
        ]
        return Diff(None, newer, _sorted(first), hidden)
    entries: list[DiffEntry] = []
    new: list[FindingRecord] = []
    for f in newer.findings.values():
        mark = marks.get(f.id)
        if _not_me(mark):
            continue
        if f.id in newer.carried:
            entries.append(
                DiffEntry(Change.UNCHECKED, f, mark=mark, note=_unchecked_note(f, newer))
            )
            continue
        note = _resurfaced_note(f.id, scans, mark)
        if note:
            entries.append(DiffEntry(Change.RESURFACED, f, mark=mark, note=note))
        elif f.id in older.findings:
            entries.append(DiffEntry(Change.STILL, f, mark=mark, note=_phrase(mark)))
        else:
            new.append(f)
    gone = [
        f
        for f in older.findings.values()
        if f.id not in newer.findings and not _not_me(marks.get(f.id))
    ]
    for f, before in _pair(new, gone):
        if before is None:
            entries.append(DiffEntry(Change.NEW, f, mark=marks.get(f.id), note="first seen now"))
            continue
        mark = marks.get(f.id) or marks.get(before.id)
        entries.append(DiffEntry(Change.CHANGED, f, before, mark, _changed_note(f, before, older)))
    for f in gone:
        mark = marks.get(f.id)
        seen = f"not seen this time ({_phrase(mark)})" if mark else "not seen this time"
        entries.append(
            DiffEntry(Change.GONE, f, mark=mark, note=f"{seen}: removal may have worked")
        )
    return Diff(older, newer, _sorted(entries), hidden)


def lifecycle(finding_id: str, history: Sequence[ScanRecord], marks_history: Sequence[Mark]) -> str:
    """Where the removal of one finding stands, in plain words.

    The finding's marks (others' are ignored) and the complete scans are replayed in time order
    (a scan and a mark at the same instant: the scan first). Starting from "not seen in any scan":
      - a scan that shows it: "not seen…" -> "found"; "marked done on D" or "gone (…)" ->
        "resurfaced on D" (D = that scan's date); any other state stays ("requested on D"
        is still pending).
      - a scan without it: "found", "requested on D", "marked done on D", "resurfaced on D" or
        "could not remove" -> "gone (verified in the scan of D)"; any other state stays.
      - a mark sets the state: REQUESTED "requested on D", DONE "marked done on D (not verified
        by a scan yet)", COULD_NOT_REMOVE "could not remove", NOT_ME "not me" (scans never
        change "not me").
    """
    scans = _complete(history)
    marks = [m for m in marks_history if m.finding_id == finding_id]
    events: list[tuple[datetime, int, ScanRecord | Mark]] = [(_at(s.started), 0, s) for s in scans]
    events += [(_at(m.at), 1, m) for m in marks]
    state, day = "unseen", ""
    for when, _, event in sorted(events, key=lambda e: (e[0], e[1])):
        if isinstance(event, Mark):
            state, day = event.state.value, _day(when)
        elif finding_id in event.findings:
            if state == "unseen":
                state = "found"
            elif state in _COMES_BACK:
                state, day = "resurfaced", _day(when)
        elif state in _GOES:
            state, day = "gone", _day(when)
    return {
        "unseen": "not seen in any scan",
        "found": "found",
        "resurfaced": f"resurfaced on {day}",
        "gone": f"gone (verified in the scan of {day})",
        "requested": f"requested on {day}",
        "done": f"marked done on {day} (not verified by a scan yet)",
        "could_not_remove": "could not remove",
        "not_me": "not me",
    }[state]


_COMES_BACK = frozenset({"gone", "done"})  # a scan showing it: "resurfaced on D"
_GOES = frozenset({"found", "resurfaced", "requested", "done", "could_not_remove"})


def time_to_removal(
    history: Sequence[ScanRecord], marks_by_finding: Mapping[str, Sequence[Mark]]
) -> dict[str, list[timedelta]]:
    """Per site, the time from a REQUESTED mark to the first later complete scan without it.

    Site: the host of the finding's first URL (lower case, "www." dropped) in the latest scan
    that has it, else its first source name, else "unknown"; findings in no scan are skipped.
    Further requests before that scan belong to the same removal (timed from the first); a
    request after it (the finding came back) starts a new one. Requests never followed by an
    absence are not counted. Sites sorted by name, times in request order.
    """
    scans = _complete(history)
    times: dict[str, list[timedelta]] = {}
    for fid, marks in marks_by_finding.items():
        record = next((s.findings[fid] for s in reversed(scans) if fid in s.findings), None)
        if record is None:
            continue
        cleared: datetime | None = None
        for asked in sorted(_at(m.at) for m in marks if m.state is MarkState.REQUESTED):
            if cleared is not None and asked < cleared:
                continue
            gone = next(
                (s for s in scans if _at(s.started) > asked and fid not in s.findings), None
            )
            if gone is None:
                break
            cleared = _at(gone.started)
            times.setdefault(_site(record), []).append(cleared - asked)
    return dict(sorted(times.items()))


def summarise_removal_times(times: Mapping[str, Sequence[timedelta]]) -> dict[str, str]:
    """One line per site: "median 12 days over 3 removals" (whole days, half up)."""
    lines: dict[str, str] = {}
    for site, deltas in sorted(times.items()):
        if not deltas:
            lines[site] = "no verified removals yet"
            continue
        days = statistics.median(d.total_seconds() for d in deltas) / 86400
        whole = int(days + 0.5)
        median = "under a day" if days < 1 else f"{whole} day{'' if whole == 1 else 's'}"
        count = f"{len(deltas)} removal{'' if len(deltas) == 1 else 's'}"
        lines[site] = f"median {median} over {count}"
    return lines


def diff_dict(diff: Diff) -> dict[str, Any]:
    """report.json's "since_last_scan" section (DIFF_SCHEMA); STILL entries are only counted."""
    counts = {c.value: 0 for c in Change}
    for entry in diff.entries:
        counts[entry.change.value] += 1
    older = diff.older
    return {
        "previous_scan": {"id": older.id, "started": _time(older.started)} if older else None,
        "counts": {**counts, "hidden_not_me": diff.hidden_not_me},
        "entries": [_entry(e) for e in diff.entries if e.change is not Change.STILL],
    }


_COUNTS = (*(c.value for c in Change), "hidden_not_me")
_COUNT = {"type": "integer", "minimum": 0}
_FINDING = {
    "id": {"type": "string", "minLength": 1},
    "kind": {"type": "string", "minLength": 1},
    "value": {"type": "string"},
    "severity": {"enum": [s.value for s in Severity]},
    "score": {"type": "integer", "minimum": 0, "maximum": 100},
}
DIFF_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "exposure-audit/report/1/since_last_scan",
    "title": "since your last scan",
    "description": "What changed between the previous complete scan and this one.",
    "type": "object",
    "required": ["previous_scan", "counts", "entries"],
    "additionalProperties": False,
    "properties": {
        "previous_scan": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["id", "started"],
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": "integer"},
                        "started": {"type": "string", "format": "date-time"},
                    },
                },
            ]
        },
        "counts": {
            "type": "object",
            "required": list(_COUNTS),
            "additionalProperties": False,
            "properties": dict.fromkeys(_COUNTS, _COUNT),
        },
        "entries": {
            "type": "array",
            "description": (
                "Resurfaced, new, changed, unchecked, gone; then score descending, then value."
            ),
            "items": {
                "type": "object",
                "required": ["change", *_FINDING, "before", "mark", "note"],
                "additionalProperties": False,
                "properties": {
                    "change": {"enum": [c.value for c in Change if c is not Change.STILL]},
                    **_FINDING,
                    "before": {
                        "oneOf": [
                            {"type": "null"},
                            {
                                "type": "object",
                                "required": list(_FINDING),
                                "additionalProperties": False,
                                "properties": _FINDING,
                            },
                        ]
                    },
                    "mark": {
                        "oneOf": [
                            {"type": "null"},
                            {
                                "type": "object",
                                "required": ["state", "at", "note"],
                                "additionalProperties": False,
                                "properties": {
                                    "state": {"enum": [s.value for s in MarkState]},
                                    "at": {"type": "string", "format": "date-time"},
                                    "note": {"type": "string"},
                                },
                            },
                        ]
                    },
                    "note": {"type": "string"},
                },
            },
        },
    },
}


def _entry(entry: DiffEntry) -> dict[str, Any]:
    mark = entry.mark
    return {
        "change": entry.change.value,
        **_finding(entry.finding),
        "before": _finding(entry.before) if entry.before else None,
        "mark": {"state": mark.state.value, "at": _time(mark.at), "note": mark.note}
        if mark
        else None,
        "note": entry.note,
    }


def _finding(f: FindingRecord) -> dict[str, Any]:
    return {"id": f.id, "kind": f.kind, "value": f.value, "severity": f.severity, "score": f.score}


def _complete(history: Sequence[ScanRecord]) -> list[ScanRecord]:
    """The complete scans, oldest first, each carrying what it could not check from the one
    before (see UNCHECKED)."""
    done = sorted(
        (s for s in history if s.status is ScanStatus.COMPLETE),
        key=lambda s: (_at(s.started), s.id),
    )
    scans: list[ScanRecord] = []
    for scan in done:
        if scans:
            scan = _carry(scans[-1], scan)
        scans.append(scan)
    return scans


def _carry(before: ScanRecord, scan: ScanRecord) -> ScanRecord:
    """`scan` with the findings of `before` that it did not see because a source that showed
    them could not check this time."""
    kept = {
        fid: f
        for fid, f in before.findings.items()
        if fid not in scan.findings and scan.unchecked.intersection(f.sources)
    }
    if not kept:
        return scan
    return replace(scan, findings={**scan.findings, **kept}, carried=frozenset(kept))


def _unchecked_note(f: FindingRecord, scan: ScanRecord) -> str:
    names = ", ".join(sorted(scan.unchecked.intersection(f.sources)))
    return f"not checked this time ({names} could not check): kept as it was"


def _not_me(mark: Mark | None) -> bool:
    return mark is not None and mark.state is MarkState.NOT_ME


def _resurfaced_note(fid: str, scans: Sequence[ScanRecord], mark: Mark | None) -> str:
    """The RESURFACED note for a finding in the newest scan, or "" when it did not resurface."""
    newer, older = scans[-1], scans[-2]
    parts: list[tuple[datetime, str]] = []
    if mark and mark.state in _REMOVING and _at(mark.at) < _at(newer.started):
        parts.append((_at(mark.at), _phrase(mark)))
    gone_in = _gone_since(fid, scans[:-1])
    if gone_in is not None:
        parts.append((_at(gone_in.started), f"gone in the scan of {_day(gone_in.started)}"))
        tail = "back now"
    elif not parts:
        return ""
    elif fid not in older.findings or (
        mark and mark.state is MarkState.DONE and _at(mark.at) >= _at(older.started)
    ):
        tail = "back in this scan"
    else:
        tail = "still in this scan"
    return "; ".join([text for _, text in sorted(parts)] + [tail])


def _gone_since(fid: str, earlier: Sequence[ScanRecord]) -> ScanRecord | None:
    """The first scan of the absence that ends with the last one, if it had been seen before."""
    i = len(earlier) - 1
    while i >= 0 and fid not in earlier[i].findings:
        i -= 1
    return earlier[i + 1] if 0 <= i < len(earlier) - 1 else None


def _pair(
    new: list[FindingRecord], gone: list[FindingRecord]
) -> list[tuple[FindingRecord, FindingRecord | None]]:
    """Each new finding with the gone one it replaced (same kind, a shared URL), or None.

    Greedy in rank order; a paired gone finding is taken out of `gone`.
    """
    pairs: list[tuple[FindingRecord, FindingRecord | None]] = []
    gone.sort(key=_rank)
    for f in sorted(new, key=_rank):
        urls = {_norm_url(u) for u in f.urls}
        match = next(
            (g for g in gone if g.kind == f.kind and urls & set(map(_norm_url, g.urls))), None
        )
        if match is not None:
            gone.remove(match)
        pairs.append((f, match))
    return pairs


def _changed_note(f: FindingRecord, before: FindingRecord, older: ScanRecord) -> str:
    shared = next(u for u in f.urls if _norm_url(u) in set(map(_norm_url, before.urls)))
    place = urlsplit(shared.strip()).hostname or shared
    return f"another value at the same place ({place}) than in the scan of {_day(older.started)}"


def _norm_url(url: str) -> str:
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}{query}"


def _site(record: FindingRecord) -> str:
    if record.urls:
        host = (urlsplit(record.urls[0].strip()).hostname or "").removeprefix("www.")
        if host:
            return host
    return record.sources[0] if record.sources else "unknown"


def _phrase(mark: Mark | None) -> str:
    if mark is None:
        return ""
    day = _day(mark.at)
    return {
        MarkState.REQUESTED: f"removal requested on {day}",
        MarkState.DONE: f"marked done on {day}",
        MarkState.COULD_NOT_REMOVE: f"marked could not remove on {day}",
        MarkState.NOT_ME: f"marked not me on {day}",
    }[mark.state]


def _rank(f: FindingRecord) -> tuple[int, str, str, str]:
    return (-f.score, f.value.casefold(), f.value, f.id)


def _sorted(entries: list[DiffEntry]) -> tuple[DiffEntry, ...]:
    return tuple(sorted(entries, key=lambda e: (_ORDER[e.change], *_rank(e.finding))))


def _at(value: datetime) -> datetime:
    """Naive times are taken as UTC so they compare with aware ones."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _day(value: datetime) -> str:
    return value.date().isoformat()


def _time(value: datetime) -> str:
    return value.isoformat(timespec="seconds")
