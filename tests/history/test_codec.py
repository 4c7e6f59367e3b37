"""Checkpoint codec: every dataclass a source run yields survives a JSON round trip."""

from __future__ import annotations

from datetime import UTC, datetime

from scanner.history.codec import dumps, loads
from scanner.models import (
    Account,
    AccountStatus,
    Document,
    Kind,
    Lead,
    Observation,
    Pivot,
    RemovalStep,
    RunStatus,
    SourceRef,
    SourceResult,
    SourceRun,
)

REF = SourceRef("github", "https://github.com/jtestwell")
STEP = RemovalStep("Hide your email", "Open settings and untick it.", "https://github.com/settings")
PIVOT = Pivot("emails", "jordan@personal.example", "github", REF.url, "in commits", "jtestwell")


def test_a_source_result_round_trips() -> None:
    result = SourceResult(
        observations=(
            Observation(Kind.EMAIL, "jordan@personal.example", REF, "e", 0.85, "r", (STEP,)),
            Observation(Kind.PHONE, "+12175550142", REF, "e", 0.5, "r", (), PIVOT),
        ),
        accounts=(Account("GitHub", REF.url, "jtestwell", AccountStatus.FOUND, {"a": "b"}),),
        documents=(Document(REF.url, "<p>bio</p>", "GitHub bio", 0.9, "r", True, (STEP,)),),
        notes=("one note",),
        leads=(Lead("emails", "jordan@personal.example", REF, "in commits", "jtestwell"),),
    )
    assert loads(SourceResult, dumps(result)) == result


def test_a_run_with_times_and_a_pivot_path_round_trips() -> None:
    deep = Pivot("domains", "testwell.example", "rdap", "u", "r", "x", parent=PIVOT)
    run = SourceRun(
        "rdap", "RDAP", RunStatus.OK, "", datetime(2026, 11, 24, 9, tzinfo=UTC),
        datetime(2026, 11, 24, 9, 1, tzinfo=UTC), 3, ("n",), deep,
    )  # fmt: skip
    back = loads(SourceRun, dumps(run))
    assert back == run
    assert back.via is not None
    assert [p.value for p in back.via.path] == ["jordan@personal.example", "testwell.example"]
