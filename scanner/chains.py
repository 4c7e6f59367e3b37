"""Chains: how findings connect, the paths that end at the worst ones, and what to remove first.

Built from a ScanResult alone (no I/O). The graph has three kinds of node:

- identifiers: the subject's own (profile names, handles, emails, phones, domains: what
  someone may already have, the starting points) and those the scan reached by following
  leads (ScanResult.leads);
- pages: every URL where a finding or a lead was seen (SourceRef.url, Pivot.url);
- findings, by id. A finding whose value is an identifier (the email found in commits, the
  blog's domain) is the same node as that identifier, so a chain can run through it.

Edges: identifier --looked up at--> page (the identifier a source's run looked up, narrowed
to those that appear in the page's address when any do); page --shows--> finding; and for
each lead, its `found_from` identifier --looked up at--> Pivot.url --leads to--> the lead's
identifier. Which identifier a page was looked up from is what the source recorded on the
sighting (SourceRef.looked_up: lookup_each, web search's queries, every lead's run, Keybase,
the fediverse). For a sighting with no record (site checks, photos) it is inferred: the
identifiers the source's runs looked up (SourceRun.via for leads;
the subject's own identifiers in the fields the source needs otherwise), narrowed to
Finding.via when the finding was only reached through leads, then to the identifiers that
appear in the page's address (the longest when one contains another), else to those the
page itself shows as findings (a web search result: the name it shows is what finds it),
else to the subject's own when the finding was seen directly. Exact for a finding seen by
one source; a best guess when one finding merges direct and lead-reached sightings.

`chains()` lists simple paths from a starting identifier to each critical finding (high
ones when nothing is critical), shortest first; a path never passes through another starting
identifier (the shorter path from there is the one that counts). `removal_priorities()`
ranks each page and finding on those chains by how many chains removing it breaks.

Bounded work, so hostile or huge scans cannot blow up (the caps are the constants below):
at most MAX_FINDINGS findings, MAX_SOURCES sources per finding, MAX_LEADS leads and
MAX_LOOKUPS identifiers linked to one page; at most MAX_TARGETS targets, MAX_PATHS_PER_TARGET
paths per target, MAX_STEPS nodes per path, MAX_WORK path extensions per target and
MAX_TOTAL_WORK in all. Cycles cannot loop: a path never revisits a node. The search is
best-first on (length so far + distance left), so paths come out shortest first and a dense
graph yields complete paths before the budget runs out.
"""

from __future__ import annotations

import heapq
import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from urllib.parse import unquote, urlsplit

from scanner.models import Finding, Kind, Pivot, RunStatus, ScanResult, Severity, SourceRef

MAX_FINDINGS = 500
MAX_SOURCES = 20  # per finding
MAX_LEADS = 500
MAX_LOOKUPS = 10  # identifiers linked to one page
MAX_TARGETS = 25
MAX_PATHS_PER_TARGET = 5
MAX_STEPS = 12  # nodes in one chain (3 waves of leads need 9)
MAX_WORK = 5_000  # path extensions tried per target
MAX_TOTAL_WORK = 50_000
MAX_LABEL = 48  # characters in a node label
MAX_PAGE_FINDINGS = 20  # finding ids named by one page's priority

SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}
PROFILE_FIELDS = ("names", "handles", "emails", "phones", "domains")
LOOKED_UP = "looked up at"
SHOWS = "shows"
LEADS_TO = "leads to"
_SPACES = re.compile(r"\s+")


class NodeKind(StrEnum):
    IDENTIFIER = "identifier"  # the subject's own, or one reached by following a lead
    PAGE = "page"
    FINDING = "finding"


@dataclass(frozen=True)
class Node:
    key: str  # stable internal id: "e:<email>", "u:<url>", "f:<finding id>"…
    kind: NodeKind
    label: str  # short plain text (escape it when rendering)
    finding_id: str | None = None  # set for findings, and identifiers that are findings
    url: str | None = None  # set for pages
    start: bool = False  # one of the subject's own identifiers
    severity: Severity | None = None  # the finding's, for findings


@dataclass(frozen=True)
class Edge:
    source: str  # node key
    target: str  # node key
    label: str  # "looked up at", "shows", "leads to (github)"


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


@dataclass(frozen=True)
class Step:
    """One node of a chain, and how the chain got there from the previous step."""

    kind: NodeKind
    label: str
    key: str
    finding_id: str | None = None
    url: str | None = None
    edge: str = ""  # label of the edge from the previous step ("" for the first)


@dataclass(frozen=True)
class Chain:
    steps: tuple[Step, ...]
    target_id: str  # the finding the chain ends at
    severity: Severity  # that finding's

    @property
    def text(self) -> str:
        """'jtestwell → github.com/jtestwell → …', for screen readers and plain text."""
        return " → ".join(step.label for step in self.steps)


@dataclass(frozen=True)
class Priority:
    """A page or finding to remove, and how many chains that breaks."""

    kind: NodeKind  # PAGE or FINDING (an identifier that is a finding counts as FINDING)
    label: str
    key: str
    url: str | None  # the page, for pages
    finding_id: str | None  # the finding, for findings
    chains_broken: int
    chains: tuple[int, ...]  # indexes into the chains list given
    finding_ids: tuple[str, ...]  # findings whose removal steps apply, worst first
    severity: Severity  # the finding's, or the worst shown on the page


# --- the graph ---------------------------------------------------------------------


def build_graph(result: ScanResult, *, needs: Mapping[str, frozenset[str]] | None = None) -> Graph:
    """The graph of how the scan's findings connect. `needs`: source name -> profile fields
    it looks up (default: the registered sources'; unknown sources look up everything)."""
    return _Builder(result, _source_needs() if needs is None else needs).graph()


class _Builder:
    def __init__(self, result: ScanResult, needs: Mapping[str, frozenset[str]]) -> None:
        self.result = result
        self.needs = needs
        self.shown: dict[str, frozenset[str]] | None = None
        self.nodes: dict[str, Node] = {}
        self.edges: dict[tuple[str, str], str] = {}
        self.own: dict[str, list[str]] = {}  # profile field -> identifier keys
        self.values: dict[str, str] = {}  # identifier key -> raw value (for URL matching)
        self.looked: dict[str, list[str] | None] = {}  # source name -> identifiers looked up

    def graph(self) -> Graph:
        self._identifiers()
        leads = self.result.leads[:MAX_LEADS]
        for pivot in leads:
            self._identifier(pivot.field, pivot.value, start=False)
        findings = self.result.findings[:MAX_FINDINGS]
        for finding in findings:
            self._finding(finding)
        for pivot in leads:
            self._pivot(pivot)
        for finding in findings:
            node = self._finding_key(finding)
            for ref in finding.sources[:MAX_SOURCES]:
                page = self._page(ref.url, ref.name)
                for ident in self._lookups(ref, finding):
                    self._edge(ident, page, LOOKED_UP)
                self._edge(page, node, SHOWS)
        return Graph(
            tuple(self.nodes.values()), tuple(Edge(a, b, t) for (a, b), t in self.edges.items())
        )

    def _identifiers(self) -> None:
        profile = self.result.profile
        for name in PROFILE_FIELDS:
            for value in getattr(profile, name):
                key = self._identifier(name, value, start=True)
                if key:
                    self.own.setdefault(name, []).append(key)

    def _identifier(self, name: str, value: str, *, start: bool) -> str:
        key = identifier_key(name, value)
        if not key:
            return ""
        known = self.nodes.get(key)
        if known is None:
            self.nodes[key] = Node(key, NodeKind.IDENTIFIER, short(value), start=start)
            self.values[key] = value
        elif start and not known.start:
            self.nodes[key] = replace(known, start=True)
        return key

    def _finding(self, finding: Finding) -> None:
        key = self._same_identifier(finding)
        if key:
            self.nodes[key] = replace(
                self.nodes[key], finding_id=finding.id, severity=finding.severity
            )
            return
        self.nodes[f"f:{finding.id}"] = Node(
            f"f:{finding.id}",
            NodeKind.FINDING,
            finding_label(finding),
            finding_id=finding.id,
            severity=finding.severity,
        )

    def _same_identifier(self, finding: Finding) -> str:
        """The identifier node this finding is, if the scan knows it as an identifier."""
        field = FINDING_FIELDS.get(finding.kind)
        value = finding.value
        if finding.kind in (Kind.WEBSITE, Kind.ACCOUNT):
            value = _bare_host(value)
        if not field or not value:
            return ""
        key = identifier_key(field, value)
        node = self.nodes.get(key)
        return key if node is not None and node.finding_id is None else ""

    def _finding_key(self, finding: Finding) -> str:
        for key in (f"f:{finding.id}", *self._keys_of(finding)):
            if key in self.nodes and self.nodes[key].finding_id == finding.id:
                return key
        return f"f:{finding.id}"

    def _keys_of(self, finding: Finding) -> Iterable[str]:
        field = FINDING_FIELDS.get(finding.kind)
        if field:
            value = finding.value
            if finding.kind in (Kind.WEBSITE, Kind.ACCOUNT):
                value = _bare_host(value)
            yield identifier_key(field, value)

    def _pivot(self, pivot: Pivot) -> None:
        target = identifier_key(pivot.field, pivot.value)
        if not target:
            return
        origin = self._find_identifier(pivot.found_from)
        page = self._page(pivot.url, pivot.found_by)
        if origin:
            self._edge(origin, page, LOOKED_UP)
        label = f"{LEADS_TO} ({short(pivot.found_by, 20)})" if pivot.found_by else LEADS_TO
        self._edge(page, target, label)

    def _find_identifier(self, value: str) -> str:
        """The node of an identifier named without its field (Pivot.found_from)."""
        if not value.strip():
            return ""
        for name in ("emails", "handles", "domains", "phones", "names"):
            key = identifier_key(name, value)
            if key in self.nodes:
                return key
        return self._identifier(_guess_field(value), value, start=False)

    def _page(self, url: str, source: str) -> str:
        key = "u:" + page_key(url, source)
        if key not in self.nodes:
            self.nodes[key] = Node(key, NodeKind.PAGE, page_label(url, source), url=url or None)
        return key

    def _lookups(self, ref: SourceRef, finding: Finding) -> list[str]:
        """The identifiers whose lookup showed this page: what the source recorded
        (SourceRef.looked_up), else inferred (module docstring)."""
        recorded = [identifier_key(lookup.field, lookup.value) for lookup in ref.looked_up]
        recorded = [key for key in dict.fromkeys(recorded) if key in self.nodes]
        if recorded:
            return recorded[:MAX_LOOKUPS]
        looked = self._looked_up_by(ref.name)
        if finding.via:
            vias = [identifier_key(p.field, p.value) for p in finding.via]
            vias = [k for k in dict.fromkeys(vias) if k in self.nodes]
            pool = [k for k in vias if looked is None or k in looked] or vias
        else:
            pool = []
        if not pool:
            pool = looked if looked is not None else self._all_identifiers()
        address = _plain(ref.url)
        hits = [k for k in pool if _in_address(self.values.get(k, ""), address)]
        # "avery" is in ".../avery.s@example.net" only as part of the longer identifier
        words = {k: self.values.get(k, "").casefold() for k in hits}
        hits = [
            k for k in hits if not any(words[k] != words[o] and words[k] in words[o] for o in hits)
        ]
        if not hits:
            # a page found by a search that names none of them in its address: the
            # identifiers it shows are the ones that find it (a web search result)
            shown = self._shown_on(address)
            hits = [k for k in pool if k in shown]
        if not hits and not finding.via:
            # seen directly (at least once): the subject's own identifiers looked it up
            hits = [k for k in pool if self.nodes[k].start]
        return (hits or pool)[:MAX_LOOKUPS]

    def _shown_on(self, address: str) -> frozenset[str]:
        """The identifier keys that findings seen on this page (by address) stand for."""
        if self.shown is None:
            shown: dict[str, set[str]] = {}
            for item in self.result.findings[:MAX_FINDINGS]:
                field = FINDING_FIELDS.get(item.kind)
                if field is None:
                    continue
                key = identifier_key(field, item.value)
                for ref in item.sources[:MAX_SOURCES]:
                    shown.setdefault(_plain(ref.url), set()).add(key)
            self.shown = {url: frozenset(keys) for url, keys in shown.items()}
        return self.shown.get(address, frozenset())

    def _all_identifiers(self) -> list[str]:
        return [k for k, n in self.nodes.items() if n.kind is NodeKind.IDENTIFIER]

    def _looked_up_by(self, source: str) -> list[str] | None:
        """Identifiers the runs of `source` looked up; None when no run is known."""
        if source not in self.looked:
            self.looked[source] = self._runs_looked_up(source)
        return self.looked[source]

    def _runs_looked_up(self, source: str) -> list[str] | None:
        runs = [
            r for r in self.result.runs if r.name == source and r.status is not RunStatus.SKIPPED
        ]
        if not runs:
            return None
        keys: list[str] = []
        fields = self.needs.get(source, frozenset(PROFILE_FIELDS))
        for run in runs:
            if run.via is not None:
                keys.append(identifier_key(run.via.field, run.via.value))
            else:
                keys.extend(
                    k for name in PROFILE_FIELDS if name in fields for k in self.own.get(name, ())
                )
        return [k for k in dict.fromkeys(keys) if k in self.nodes]

    def _edge(self, source: str, target: str, label: str) -> None:
        if source and target and source != target:
            self.edges.setdefault((source, target), label)


FINDING_FIELDS: dict[Kind, str] = {
    Kind.EMAIL: "emails",
    Kind.USERNAME: "handles",
    Kind.PHONE: "phones",
    Kind.REAL_NAME: "names",
    Kind.WEBSITE: "domains",
    Kind.ACCOUNT: "domains",
}


def identifier_key(field: str, value: str) -> str:
    """The node key of an identifier: its field's prefix and its normalised value."""
    text = _SPACES.sub(" ", value.strip()).casefold()
    if field == "phones":
        digits = re.sub(r"\D", "", text)[-10:]
        return f"p:{digits}" if digits else ""
    if field == "emails":
        text = text.removeprefix("mailto:")
        return f"e:{text}" if text else ""
    if field == "domains":
        text = text.rstrip(".").removeprefix("www.")
        return f"d:{text}" if text else ""
    if field == "handles":
        text = text.removeprefix("@")
        return f"h:{text}" if text else ""
    return f"n:{text}" if text else ""


def _guess_field(value: str) -> str:
    text = value.strip()
    if re.fullmatch(r"\+?[\d ().-]{7,}", text):
        return "phones"
    if "@" in text.lstrip("@"):
        return "emails"
    if "." in text and " " not in text:
        return "domains"
    return "handles" if " " not in text else "names"


def page_key(url: str, source: str) -> str:
    """One node per page: scheme and host lower-cased, fragment and trailing '/' dropped."""
    text = url.strip()
    if not text:
        return f"(no address: {source})"
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    host = parts.netloc.casefold().removeprefix("www.")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.casefold()}://{host}{parts.path.rstrip('/')}{query}"


def page_label(url: str, source: str) -> str:
    """'github.com/jtestwell': the address without scheme, 'www.' or trailing '/'."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        text = parts.netloc.removeprefix("www.") + parts.path.rstrip("/") or text
    except ValueError:
        pass
    return short(text or f"a page on {source or 'an unnamed source'}")


def finding_label(finding: Finding) -> str:
    """'home address: 48 Elm Street, …'."""
    value = finding.value
    if finding.kind in (Kind.WEBSITE, Kind.ACCOUNT, Kind.PHOTO):
        value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value.strip(), flags=re.IGNORECASE)
    return short(f"{finding.kind.value.replace('_', ' ')}: {value}")


def short(text: str, limit: int = MAX_LABEL) -> str:
    """Plain one-line text: unprintable characters become spaces, at most `limit` chars."""
    clean = _SPACES.sub(" ", "".join(c if c.isprintable() else " " for c in text)).strip()
    return clean if len(clean) <= limit else clean[: max(1, limit - 1)].rstrip() + "…"


def _bare_host(value: str) -> str:
    """The host of a URL with no path ('https://blog.example/' -> 'blog.example'), else ''."""
    text = value.strip()
    if "://" not in text:
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.path.strip("/") or parts.query:
        return ""
    return parts.hostname or ""


def _plain(url: str) -> str:
    try:
        return unquote(url).casefold()
    except (ValueError, UnicodeError):  # pragma: no cover - unquote replaces bad bytes
        return url.casefold()


def _in_address(value: str, address: str) -> bool:
    text = value.strip().casefold().removeprefix("@")
    return len(text) >= 3 and text in address


def _source_needs() -> dict[str, frozenset[str]]:
    """The profile fields each registered source looks up (imported here: it is heavy)."""
    from scanner.sources import SOURCES

    return {cls.name: frozenset(cls.needs) for cls in SOURCES}


# --- chains ------------------------------------------------------------------------


def chains(
    result: ScanResult,
    *,
    limit: int = 20,
    needs: Mapping[str, frozenset[str]] | None = None,
) -> list[Chain]:
    """Paths from the subject's identifiers to each critical finding (high ones when none is
    critical), shortest first, at most `limit` (and MAX_PATHS_PER_TARGET per finding)."""
    graph = build_graph(result, needs=needs)
    return chains_in(graph, result.findings, limit=limit)


def chains_in(graph: Graph, findings: Sequence[Finding], *, limit: int = 20) -> list[Chain]:
    nodes = {node.key: node for node in graph.nodes}
    forward: dict[str, list[str]] = {}
    backward: dict[str, list[str]] = {}
    labels: dict[tuple[str, str], str] = {}
    for edge in graph.edges:
        forward.setdefault(edge.source, []).append(edge.target)
        backward.setdefault(edge.target, []).append(edge.source)
        labels[(edge.source, edge.target)] = edge.label
    for table in (forward, backward):
        for key in table:
            table[key].sort()
    starts = {node.key for node in graph.nodes if node.start}
    where = {node.finding_id: node.key for node in graph.nodes if node.finding_id}
    found: list[tuple[int, int, tuple[str, ...], Finding]] = []
    budget = MAX_TOTAL_WORK
    for rank, finding in enumerate(_targets(findings)):
        target = where.get(finding.id)
        if target is None or budget <= 0:
            continue
        paths, used = _paths(forward, backward, starts, target, min(MAX_WORK, budget))
        budget -= used
        found.extend((len(path), rank, path, finding) for path in paths)
    found.sort(key=lambda item: (item[0], item[1], item[2]))
    return [
        Chain(_steps(path, nodes, labels), finding.id, finding.severity)
        for _, _, path, finding in found[: max(0, limit)]
    ]


def _targets(findings: Sequence[Finding]) -> list[Finding]:
    for severity in (Severity.CRITICAL, Severity.HIGH):
        chosen = [f for f in findings[:MAX_FINDINGS] if f.severity is severity]
        if chosen:
            return sorted(chosen, key=lambda f: (-f.score, f.id))[:MAX_TARGETS]
    return []


def _paths(
    forward: Mapping[str, list[str]],
    backward: Mapping[str, list[str]],
    starts: set[str],
    target: str,
    work: int,
) -> tuple[list[tuple[str, ...]], int]:
    """Simple paths start -> target, shortest first; no other start inside a path."""
    distance = {target: 0}
    queue: deque[str] = deque([target])
    while queue:
        node = queue.popleft()
        if node in starts and node != target:
            continue  # a path may begin at a start but not pass through one
        for previous in backward.get(node, ()):
            if previous not in distance:
                distance[previous] = distance[node] + 1
                queue.append(previous)
    # Best-first on (length so far + distance left): the distance is a lower bound that
    # never drops along an edge, so complete paths come out shortest first, and among equal
    # estimates the longest prefix goes on first, so a dense graph cannot spend the whole
    # budget widening prefixes before one path is complete.
    paths: list[tuple[str, ...]] = []
    used = 0
    pending: list[tuple[int, int, tuple[str, ...]]] = [
        (1 + distance[start], -1, (start,))
        for start in sorted(starts)
        if start in distance and start != target
    ]
    heapq.heapify(pending)
    while pending and len(paths) < MAX_PATHS_PER_TARGET and used < work:
        _, _, path = heapq.heappop(pending)
        if path[-1] == target:
            paths.append(path)
            continue
        for nxt in forward.get(path[-1], ()):
            used += 1
            if nxt in path or nxt not in distance or (nxt in starts and nxt != target):
                continue
            estimate = len(path) + 1 + distance[nxt]
            if estimate <= MAX_STEPS:
                heapq.heappush(pending, (estimate, -len(path) - 1, (*path, nxt)))
    return paths, used


def _steps(
    path: tuple[str, ...], nodes: Mapping[str, Node], labels: Mapping[tuple[str, str], str]
) -> tuple[Step, ...]:
    steps = []
    for index, key in enumerate(path):
        node = nodes[key]
        edge = labels.get((path[index - 1], key), "") if index else ""
        steps.append(Step(node.kind, node.label, key, node.finding_id, node.url, edge))
    return tuple(steps)


# --- removal priorities ------------------------------------------------------------


def removal_priorities(result: ScanResult, chains: Sequence[Chain]) -> list[Priority]:
    """Each page and finding on the chains (not the starting identifier: someone already has
    it), ranked by how many chains removing it breaks, then by severity."""
    by_id = {finding.id: finding for finding in result.findings[:MAX_FINDINGS]}
    on_page: dict[str, list[Finding]] = {}
    for finding in by_id.values():
        for ref in finding.sources[:MAX_SOURCES]:
            page = "u:" + page_key(ref.url, ref.name)
            if finding not in on_page.setdefault(page, []):
                on_page[page].append(finding)
    seen: dict[str, Step] = {}
    broken: dict[str, list[int]] = {}
    position: dict[str, int] = {}
    for index, chain in enumerate(chains):
        for place, step in enumerate(chain.steps[1:], start=1):
            if step.kind is not NodeKind.PAGE and not step.finding_id:
                continue
            seen.setdefault(step.key, step)
            if index not in broken.setdefault(step.key, []):
                broken[step.key].append(index)
            position[step.key] = min(position.get(step.key, place), place)
    priorities = []
    for key, step in seen.items():
        if step.kind is NodeKind.PAGE:
            shown = sorted(
                on_page.get(key, []), key=lambda f: (SEVERITY_RANK[f.severity], -f.score, f.id)
            )
            ids = tuple(f.id for f in shown[:MAX_PAGE_FINDINGS])
            worst = shown[0].severity if shown else Severity.LOW
            kind, url, finding_id = NodeKind.PAGE, step.url, None
        else:
            known = by_id.get(step.finding_id or "")
            ids = (step.finding_id,) if step.finding_id else ()
            worst = known.severity if known else Severity.LOW
            kind, url, finding_id = NodeKind.FINDING, None, step.finding_id
        priorities.append(
            Priority(
                kind,
                step.label,
                key,
                url,
                finding_id,
                len(broken[key]),
                tuple(broken[key]),
                ids,
                worst,
            )
        )
    priorities.sort(
        key=lambda p: (
            -p.chains_broken,
            SEVERITY_RANK[p.severity],
            p.kind is not NodeKind.PAGE,
            position[p.key],
            p.label,
            p.key,
        )
    )
    return priorities
