"""Chains: paths from what someone may know to the worst findings, and what to remove first."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from scanner.chains import (
    LOOKED_UP,
    MAX_LABEL,
    MAX_PATHS_PER_TARGET,
    MAX_STEPS,
    MAX_TARGETS,
    Chain,
    NodeKind,
    build_graph,
    chains,
    removal_priorities,
)
from scanner.models import (
    Field,
    Finding,
    Kind,
    LookedUp,
    Pivot,
    Profile,
    RemovalStep,
    Risk,
    RunStatus,
    ScanResult,
    Severity,
    SourceRef,
    SourceRun,
)
from tests.test_report_json import demo_scan

T0 = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
RDAP = "https://rdap.registry.example/v1/domain/jordantestwell.example.com"
STEP = RemovalStep("Remove it", "Ask the site to remove it.")


def finding(
    ident: str,
    kind: Kind,
    value: str,
    urls: Sequence[str],
    severity: Severity = Severity.CRITICAL,
    *,
    score: int = 90,
    via: tuple[Pivot, ...] = (),
    source: str = "site",
) -> Finding:
    return Finding(
        id=ident,
        kind=kind,
        value=value,
        sources=tuple(SourceRef(source, url) for url in urls),
        evidence=(value,),
        confidence=0.9,
        severity=severity,
        score=score,
        reason="test",
        removal=(STEP,),
        via=via,
    )


def lead(field: str, value: str, url: str, found_from: str, by: str = "site") -> Pivot:
    return Pivot(field, value, by, url, "listed there", found_from)


def result(
    findings: Sequence[Finding],
    leads: Sequence[Pivot] = (),
    *,
    handles: tuple[str, ...] = ("avery",),
    runs: Sequence[SourceRun] = (),
) -> ScanResult:
    profile = Profile(names=("Avery Sample",), handles=handles)
    return ScanResult(
        profile=profile,
        started=T0,
        finished=T0,
        runs=tuple(runs),
        findings=tuple(findings),
        accounts=(),
        risk=Risk(0, Severity.LOW, ""),
        leads=tuple(leads),
    )


def paths(found: Sequence[Chain]) -> list[list[str]]:
    return [[step.key for step in chain.steps] for chain in found]


# --- the demo world ----------------------------------------------------------------


def test_demo_chain_reaches_the_home_address_through_the_blog_domain_and_rdap() -> None:
    scan = demo_scan()
    home = next(f for f in scan.findings if f.kind is Kind.HOME_ADDRESS)
    found = chains(scan)
    assert all(c.severity is Severity.CRITICAL for c in found)
    homes = [c for c in found if c.target_id == home.id]
    assert homes, "no chain reaches the home address"
    first = homes[0]
    assert [s.kind for s in first.steps] == [
        NodeKind.IDENTIFIER,
        NodeKind.PAGE,
        NodeKind.IDENTIFIER,
        NodeKind.PAGE,
        NodeKind.FINDING,
    ]
    assert first.steps[0].label == "jtestwell"
    assert first.steps[1].url == "https://github.com/jtestwell"
    assert first.steps[2].label == "jordantestwell.example.com"
    assert first.steps[3].url == RDAP
    assert first.steps[4].finding_id == home.id
    assert first.steps[4].label.startswith("home address: 48 Elm Street")
    assert [s.edge for s in first.steps] == ["", LOOKED_UP, "leads to (github)", LOOKED_UP, "shows"]
    assert first.target_id == home.id
    assert first.severity is Severity.CRITICAL
    # the blog's domain is both a lead and a finding (the website): one node
    website = next(f for f in scan.findings if f.kind is Kind.WEBSITE)
    assert first.steps[2].finding_id == website.id
    # shortest first; the second runs through the Mastodon account the GitHub profile links
    assert [len(c.steps) for c in found] == sorted(len(c.steps) for c in found)
    assert len(homes) == 2
    assert "mastodon.example/@jtestwell" in homes[1].text


def test_demo_removal_priorities_put_the_rdap_record_first() -> None:
    scan = demo_scan()
    home = next(f for f in scan.findings if f.kind is Kind.HOME_ADDRESS)
    found = chains(scan)
    homes = tuple(n for n, c in enumerate(found) if c.target_id == home.id)
    ranked = removal_priorities(scan, found)
    keys = [p.key for p in ranked]
    # with today's scoring the home address is the only critical finding: the record is first
    rdap = ranked[keys.index(f"u:{RDAP}")]
    if len(homes) == len(found):
        assert keys[0] == f"u:{RDAP}"
    assert rdap.kind is NodeKind.PAGE
    assert rdap.url == RDAP
    assert rdap.chains == homes
    assert rdap.chains_broken == len(homes) == 2
    assert rdap.severity is Severity.CRITICAL
    assert rdap.finding_ids[0] == home.id  # the worst thing on the record first
    address = ranked[keys.index(f"f:{home.id}")]
    assert keys.index(f"f:{home.id}") == keys.index(f"u:{RDAP}") + 1
    assert address.finding_ids == (home.id,)
    assert address.chains == homes
    assert keys.index("u:https://github.com/jtestwell") < keys.index(
        "u:https://mastodon.example/@jtestwell"
    )  # it breaks both chains, the Mastodon page one
    assert all(p.kind is not NodeKind.IDENTIFIER for p in ranked)
    assert "h:jtestwell" not in keys  # what someone already knows is not a removal point
    # every priority names findings that have real removal steps
    by_id = {f.id: f for f in scan.findings}
    assert all(by_id[i].removal for p in ranked for i in p.finding_ids)


def test_demo_graph_links_gravatar_to_the_email_that_was_looked_up() -> None:
    graph = build_graph(demo_scan())
    into = {e.source for e in graph.edges if e.target == "u:https://gravatar.com/jordantestwell"}
    assert into == {"e:jordan.testwell@example.com"}
    starts = {n.key for n in graph.nodes if n.start}
    assert starts == {"n:jordan testwell", "h:jtestwell", "e:jordan.testwell@example.com",
                      "p:2175550142"}  # fmt: skip


# --- hand-built scans --------------------------------------------------------------

FORUM = "https://forum.example.com/u/avery"
BROKER = "https://broker.example.com/avery"
RECORDS = "https://records.example.org/by-email/avery.s@example.net"


def test_branching_paths_come_shortest_first() -> None:
    email = lead("emails", "avery.s@example.net", FORUM, "avery")
    scan = result(
        [
            finding("h1", Kind.HOME_ADDRESS, "1 Oak Lane", [BROKER, RECORDS]),
            finding("e1", Kind.EMAIL, "avery.s@example.net", [FORUM], Severity.MEDIUM),
        ],
        [email],
    )
    assert paths(chains(scan)) == [
        ["h:avery", f"u:{BROKER}", "f:h1"],
        ["h:avery", f"u:{FORUM}", "e:avery.s@example.net", f"u:{RECORDS}", "f:h1"],
    ]
    # the records page was looked up by the email, not by "avery" (a part of it)
    assert {e.source for e in build_graph(scan).edges if e.target == f"u:{RECORDS}"} == {
        "e:avery.s@example.net"
    }


def test_a_shared_root_page_beats_the_leaves() -> None:
    leads = [lead("emails", f"avery{n}@example.net", BROKER, "avery") for n in range(3)]
    findings = [
        finding(f"h{n}", Kind.HOME_ADDRESS, f"{n} Oak Lane",
                [f"https://records.example.org/avery{n}@example.net"])
        for n in range(3)
    ]  # fmt: skip
    findings.append(
        finding("h9", Kind.HOME_ADDRESS, "9 Elm Road", ["https://leaf.example.com/avery"])
    )
    scan = result(findings, leads)
    found = chains(scan)
    assert len(found) == 4
    assert paths(found)[0] == ["h:avery", "u:https://leaf.example.com/avery", "f:h9"]
    ranked = removal_priorities(scan, found)
    assert ranked[0].url == BROKER
    assert ranked[0].chains_broken == 3
    assert ranked[0].chains == (1, 2, 3)
    assert all(p.chains_broken == 1 for p in ranked[1:])
    # ties on count go to the more severe: the records pages (critical) before the leads
    assert ranked[1].severity is Severity.CRITICAL


def test_a_finding_that_is_a_lead_is_one_node() -> None:
    email = lead("emails", "avery.s@example.net", FORUM, "avery")
    scan = result(
        [
            finding("e1", Kind.EMAIL, "Avery.S@example.net", [FORUM], Severity.MEDIUM),
            finding("h1", Kind.HOME_ADDRESS, "1 Oak Lane", [RECORDS]),
        ],
        [email],
    )
    node = next(n for n in build_graph(scan).nodes if n.key == "e:avery.s@example.net")
    assert node.kind is NodeKind.IDENTIFIER
    assert node.finding_id == "e1"
    assert not any(n.key == "f:e1" for n in build_graph(scan).nodes)
    ranked = removal_priorities(scan, chains(scan))
    assert "e1" in [p.finding_id for p in ranked]


def test_cycles_end() -> None:
    """avery.s@ -> b.example.com -> averyplus -> c.example.com -> avery.s@ is a cycle."""
    first = lead("emails", "avery.s@example.net", "https://a.example.com/avery", "avery")
    second = lead("handles", "averyplus", "https://b.example.com/avery.s@example.net",
                  "avery.s@example.net")  # fmt: skip
    back = lead("emails", "avery.s@example.net", "https://c.example.com/averyplus", "averyplus")
    scan = result(
        [finding("h1", Kind.HOME_ADDRESS, "1 Oak Lane",
                 ["https://d.example.com/avery.s@example.net"])],
        [first, second, back],
    )  # fmt: skip
    found = chains(scan)
    assert paths(found) == [
        [
            "h:avery",
            "u:https://a.example.com/avery",
            "e:avery.s@example.net",
            "u:https://d.example.com/avery.s@example.net",
            "f:h1",
        ]
    ]


def test_a_chain_starts_at_the_last_identifier_the_subject_gave() -> None:
    """A path through another of the subject's identifiers is the shorter one from there."""
    other = lead("handles", "averyplus", "https://a.example.com/avery", "avery")
    scan = result(
        [finding("h1", Kind.HOME_ADDRESS, "1 Oak Lane", ["https://d.example.com/averyplus"])],
        [other],
        handles=("avery", "averyplus"),
    )
    assert paths(chains(scan)) == [["h:averyplus", "u:https://d.example.com/averyplus", "f:h1"]]


def test_high_findings_are_targets_only_when_nothing_is_critical() -> None:
    phone = finding("p1", Kind.PHONE, "+1 217 555 0199", [BROKER], Severity.HIGH, score=70)
    home = finding("h1", Kind.HOME_ADDRESS, "1 Oak Lane", ["https://other.example.com/avery"])
    assert {c.target_id for c in chains(result([phone, home]))} == {"h1"}
    assert {c.target_id for c in chains(result([phone]))} == {"p1"}
    low = finding("w1", Kind.WEBSITE, "https://avery.example", [BROKER], Severity.LOW)
    assert chains(result([low])) == []
    assert removal_priorities(result([low]), []) == []


def test_no_starting_identifier_no_chain() -> None:
    home = finding("h1", Kind.HOME_ADDRESS, "1 Oak Lane", [BROKER])
    scan = result([home], handles=())
    scan = ScanResult(
        profile=Profile(),
        started=T0,
        finished=T0,
        runs=(),
        findings=(home,),
        accounts=(),
        risk=scan.risk,
    )
    assert chains(scan) == []


def test_runs_decide_which_identifier_was_looked_up() -> None:
    email = lead("emails", "avery.s@example.net", FORUM, "avery")
    runs = [
        SourceRun("photos", "Photos", RunStatus.OK, via=email),
        SourceRun("photos", "Photos", RunStatus.SKIPPED),  # skipped: looked nothing up
    ]
    home = finding("h1", Kind.HOME_ADDRESS, "1 Oak Lane", ["https://photos.example.com/x1"],
                   source="photos")  # fmt: skip
    scan = result([home], [email], runs=runs)
    assert paths(chains(scan, needs={})) == [
        [
            "h:avery",
            f"u:{FORUM}",
            "e:avery.s@example.net",
            "u:https://photos.example.com/x1",
            "f:h1",
        ]
    ]


def test_via_names_the_lead_when_the_address_does_not() -> None:
    email = lead("emails", "avery.s@example.net", FORUM, "avery")
    home = finding("h1", Kind.HOME_ADDRESS, "1 Oak Lane", ["https://photos.example.com/x1"],
                   via=(email,))  # fmt: skip
    found = chains(result([home], [email]))
    assert [s.key for s in found[0].steps][2:] == [
        "e:avery.s@example.net",
        "u:https://photos.example.com/x1",
        "f:h1",
    ]


def test_a_recorded_lookup_decides_which_identifier_showed_the_page() -> None:
    # Two handles, one source, an address that names neither: without the record the
    # graph would link both; with it, only the handle the source looked up.
    page = "https://photos.example.com/x1"
    seen_by = SourceRef("photos", page, (LookedUp(Field.HANDLES, "avery-two"),))
    home = replace(finding("h1", Kind.HOME_ADDRESS, "1 Oak Lane", []), sources=(seen_by,))
    scan = result([home], handles=("avery", "avery-two"))
    assert paths(chains(scan)) == [["h:avery-two", f"u:{page}", "f:h1"]]
    unrecorded = replace(home, sources=(SourceRef("photos", page),))
    guessed = result([unrecorded], handles=("avery", "avery-two"))
    starts = {path[0] for path in paths(chains(guessed))}
    assert {"h:avery", "h:avery-two"} <= starts  # a guess: every identifier could have


def test_limit_and_order_are_deterministic() -> None:
    leads = [lead("emails", f"avery{n}@example.net", BROKER, "avery") for n in range(6)]
    findings = [
        finding(f"h{n}", Kind.HOME_ADDRESS, f"{n} Oak Lane",
                [f"https://records.example.org/avery{n}@example.net"], score=90 - n)
        for n in range(6)
    ]  # fmt: skip
    scan = result(findings, leads)
    assert len(chains(scan, limit=3)) == 3
    assert chains(scan, limit=0) == []
    assert [c.target_id for c in chains(scan, limit=3)] == ["h0", "h1", "h2"]  # by score
    assert chains(scan) == chains(scan)
    reordered = result(list(reversed(findings)), list(reversed(leads)))
    assert paths(chains(reordered)) == paths(chains(scan))


def test_hostile_dense_graph_is_capped() -> None:
    """Five layers of eight identifiers, each linking all of the next: 8**5 simple paths
    from each start to each of 40 findings."""
    width, depth = 8, 5

    def ident(layer: int, n: int) -> str:
        return f"l{layer:02d}n{n:02d}"

    leads = [
        lead("handles", ident(layer + 1, m), f"https://p.example.com/{ident(layer, n)}",
             ident(layer, n))
        for layer in range(depth - 1) for n in range(width) for m in range(width)
    ]  # fmt: skip
    findings = [
        finding(f"h{n:02d}", Kind.HOME_ADDRESS, f"{n} Oak Lane",
                [f"https://p.example.com/{ident(depth - 1, n % width)}"])
        for n in range(40)
    ]  # fmt: skip
    handles = tuple(ident(0, n) for n in range(width))
    scan = result(findings, leads, handles=handles)
    began = time.monotonic()
    found = chains(scan, limit=10_000)
    assert time.monotonic() - began < 5
    assert found
    assert len({c.target_id for c in found}) <= MAX_TARGETS
    for target in {c.target_id for c in found}:
        assert sum(c.target_id == target for c in found) <= MAX_PATHS_PER_TARGET
    assert {len(c.steps) for c in found} == {depth * 2 + 1}  # every layer, then the page
    assert len(found) == MAX_TARGETS * MAX_PATHS_PER_TARGET
    assert len(chains(scan)) == 20
    ranked = removal_priorities(scan, chains(scan))
    assert ranked[0].chains_broken >= ranked[-1].chains_broken


def test_too_many_leads_and_findings_stay_quick() -> None:
    leads = [lead("handles", f"avery{n:04d}", BROKER, "avery") for n in range(3000)]
    findings = [
        finding(f"h{n:04d}", Kind.HOME_ADDRESS, f"{n} Oak Lane",
                [f"https://records.example.org/avery{n:04d}", BROKER])
        for n in range(3000)
    ]  # fmt: skip
    began = time.monotonic()
    found = chains(result(findings, leads), limit=1000)
    assert time.monotonic() - began < 5
    assert len({c.target_id for c in found}) == MAX_TARGETS
    assert all(len(c.steps) <= MAX_STEPS for c in found)


@pytest.mark.parametrize(
    "value",
    ['<script>alert("x")</script>', "a\x00b\x1b[31m\u202ec", "x" * 5000],
)
def test_labels_are_short_and_printable(value: str) -> None:
    home = finding("h1", Kind.HOME_ADDRESS, value, [BROKER])
    found = chains(result([home]))
    label = found[0].steps[-1].label
    assert len(label) <= MAX_LABEL
    assert label.isprintable()
    assert label.startswith("home address: ")


def test_hostile_urls_do_not_crash() -> None:
    home = finding("h1", Kind.HOME_ADDRESS, "1 Oak Lane", ["http://[::1/avery", "", "avery"])
    found = chains(result([home]))
    assert {c.steps[-1].finding_id for c in found} == {"h1"}
    assert all(len(s.label) <= MAX_LABEL for c in found for s in c.steps)
