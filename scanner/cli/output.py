"""What the commands print: JSON documents, tables and summary lines, as pure functions.

Each function takes plain results and returns text (lines, or one JSON document); the
commands only decide where it goes. Every scraped value passes through `printable`, so
hostile text never drives the terminal.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, TextIO

from scanner.text import printable

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from scanner.counsel.clients import ClientRecord
    from scanner.extract import Extracted
    from scanner.history.records import Diff, DiffEntry, ScanRecord
    from scanner.history.schedule import Listed
    from scanner.models import NetworkRoute, ScanResult
    from scanner.sites.catalogue import Catalogue
    from scanner.sites.check import SiteResult
    from scanner.sources.base import Source

USERNAMES_SCHEMA = "exposure-audit/usernames/1"
SEVERITIES = ("critical", "high", "medium", "low")


def emit(lines: Iterable[str], stream: TextIO | None = None) -> None:
    """Print lines (already made printable) to stdout, or to `stream`."""
    for line in lines:
        print(line, file=stream or sys.stdout)


def json_document(document: Any) -> str:
    """A JSON document as `--json` prints it and `--json-file` writes it (no final newline)."""
    return json.dumps(document, indent=2, ensure_ascii=False)


def printable_block(text: str) -> str:
    """Several lines, each made safe for a terminal."""
    return "\n".join(printable(line) for line in text.split("\n"))


# --- scan ----------------------------------------------------------------------------------


def scan_summary(result: ScanResult, json_path: Path | None, html_path: Path | None) -> list[str]:
    """Risk, its summary sentence, what could not be checked or did not run, the reports."""
    from scanner.progress import run_title

    risk = result.risk
    failed = [run for run in result.runs if run.could_not_check]
    if risk.checked:
        at_least = "at least " if failed else ""
        lines = [
            f"exposure: {at_least}{risk.level.value} ({risk.score}/100), "
            f"{len(result.findings)} finding(s)",
            printable(risk.summary),
            *coverage_lines(result),
        ]
    else:
        lines = ["exposure: unknown: nothing could be checked", printable(risk.summary)]
        if failed:  # one line, not one per source: offline, they all say the same
            first = failed[0]
            others = f" (and {len(failed) - 1} other source(s))" if len(failed) > 1 else ""
            lines.append(printable(f"could not check {run_title(first)}{others}: {first.reason}"))
    if html_path:
        lines.append(f"report.html: {html_path}")
    if json_path:
        lines.append(f"report.json: {json_path}")
    return lines


def coverage_lines(result: ScanResult) -> list[str]:
    """A line for each source that could not check, and each that did not run."""
    from scanner.models import RunStatus
    from scanner.progress import run_title

    lines = []
    ran_for_a_lead = {run.name for run in result.runs if run.via and run.status is RunStatus.OK}
    for run in result.runs:
        if run.could_not_check:
            lines.append(printable(f"could not check {run_title(run)}: {run.reason}"))
        elif run.status is RunStatus.SKIPPED and run.name not in ran_for_a_lead:
            # "nothing found" must not hide "nothing ran"
            lines.append(printable(f"not run {run.title}: {run.reason}"))
    return lines


def since_line(since: Mapping[str, Any]) -> str:
    """The counts of "since your last scan", in one line."""
    counts = since.get("counts", {})
    came_back = counts.get("resurfaced", 0)
    new = counts.get("new", 0)
    gone = counts.get("gone", 0)
    line = f"since the last scan: {came_back} came back, {new} new, {gone} gone"
    unchecked = counts.get("unchecked", 0)
    if unchecked:
        line += f", {unchecked} not checked this time (kept as they were)"
    return line


# --- extract -------------------------------------------------------------------------------


def extract_json(name: str, found: Sequence[Extracted], *, batch: bool) -> str:
    """One line: the list of findings, or with several files `{"file", "findings"}`."""
    items = [asdict(item) | {"kind": item.kind.value} for item in found]
    if batch:
        return json.dumps({"file": name, "findings": items})
    return json.dumps(items)


def extract_rows(name: str, found: Sequence[Extracted], *, batch: bool) -> list[str]:
    """Tab-separated kind, value, evidence (after the file name when there are several)."""
    rows = []
    for item in found:
        fields = [item.kind.value, item.value, item.evidence]
        if batch:
            fields.insert(0, name)
        rows.append("\t".join(printable(field) for field in fields))
    return rows


# --- sources -------------------------------------------------------------------------------


def sources_table(sources: Sequence[type[Source]]) -> list[str]:
    """Name, title and what each source needs, in aligned columns."""
    name_width = max(len(cls.name) for cls in sources)
    title_width = max(len(cls.title) for cls in sources)
    rows = []
    for cls in sources:
        needs = " or ".join(sorted(cls.needs))
        rows.append(f"{cls.name:<{name_width}}  {cls.title:<{title_width}}  needs: {needs}")
    return rows


# --- usernames -----------------------------------------------------------------------------


def usernames_document(
    username: str,
    catalogue: Catalogue,
    results: Sequence[SiteResult],
    elapsed: float,
    requests: int,
) -> dict[str, Any]:
    """The results file (schema exposure-audit/usernames/1)."""
    from scanner.sites.check import Verdict

    counts = Counter(result.verdict.value for result in results)
    return {
        "schema": USERNAMES_SCHEMA,
        "username": username,
        "catalogue": {
            "origin": catalogue.origin,
            "sites": len(catalogue.sites),
            "skipped": len(catalogue.skipped),
        },
        "results": [_site_result(result) for result in results],
        "counts": {verdict.value: counts.get(verdict.value, 0) for verdict in Verdict},
        "elapsed_seconds": round(elapsed, 3),
        "requests": requests,
    }


def _site_result(result: SiteResult) -> dict[str, Any]:
    return {
        "site": result.site.name,
        "category": result.site.cat,
        "url": result.url,
        "verdict": result.verdict.value,
        "reason": result.reason,
        "status": result.status,
        "unreliable": result.unreliable,
    }


def usernames_lines(results: Sequence[SiteResult], catalogue: Catalogue) -> list[str]:
    """Each account found (site and address), then the counts of every verdict."""
    from scanner.sites.check import Verdict

    found = sorted((r for r in results if r.verdict is Verdict.FOUND), key=lambda r: r.site.name)
    lines = ["\t".join(printable(field) for field in ("found", r.site.name, r.url)) for r in found]
    counts = Counter(result.verdict for result in results)
    lines.append(
        f"{counts[Verdict.FOUND]} found, {counts[Verdict.NOT_FOUND]} not found, "
        f"{counts[Verdict.BLOCKED]} blocked, {counts[Verdict.UNKNOWN]} could not tell, "
        f"{counts[Verdict.SKIPPED]} skipped, of {len(results)} sites ({catalogue.origin})"
    )
    unreliable = sum(result.unreliable for result in results)
    if unreliable:
        lines.append(f"{unreliable} site(s) said every name exists: not counted as accounts")
    return lines


# --- history -------------------------------------------------------------------------------


def history_lines(subject: str, scans: Sequence[ScanRecord], times: Mapping[str, str]) -> list[str]:
    """A subject's scans (date, risk, findings by severity), then time to removal per site."""
    lines = [f"{subject}: {len(scans)} scan(s)"]
    for scan in scans:
        counts = Counter(f.severity for f in scan.findings.values())
        by_severity = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES)
        lines.append(
            f"  #{scan.id}  {scan.started:%Y-%m-%d %H:%M} UTC  risk "
            f"{scan.risk_level} {scan.risk_score}/100  {by_severity}"
        )
    for site, line in sorted(times.items()):
        lines.append(printable(f"  time to removal at {site}: {line}"))
    return lines


def diff_lines(diff: Diff) -> list[str]:
    """The counts between two scans, then one line per change (came back first)."""
    from scanner.history.records import Change

    if diff.older is None:
        subject, scan_id = diff.newer.subject, diff.newer.id
        lines = [f"{subject}: only one scan so far (#{scan_id}): nothing to compare"]
    else:
        counts = Counter(entry.change for entry in diff.entries)
        lines = [
            f"{diff.newer.subject}: scan #{diff.older.id} → #{diff.newer.id}: "
            f"{counts[Change.RESURFACED]} came back, {counts[Change.NEW]} new, "
            f"{counts[Change.CHANGED]} changed, {counts[Change.GONE]} gone, "
            f"{counts[Change.STILL]} unchanged"
        ]
        if counts[Change.UNCHECKED]:
            lines[0] += f", {counts[Change.UNCHECKED]} not checked"
        lines += [_diff_entry(entry) for entry in diff.entries if entry.change is not Change.STILL]
    if diff.hidden_not_me:
        lines.append(f"{diff.hidden_not_me} finding(s) you marked 'not me' are not shown")
    return lines


def _diff_entry(entry: DiffEntry) -> str:
    from scanner.history.records import Change

    label = entry.change.value
    if entry.change is Change.RESURFACED:
        label = "CAME BACK"
    finding = entry.finding
    was = ""
    if entry.before:
        was = f" (was: {entry.before.value})"
    line = f"{label:<10} {finding.id[:8]}  {finding.kind}: {finding.value}{was} — {entry.note}"
    return printable(line)


def schedule_rows(rows: Sequence[Listed], backend: str) -> list[str]:
    """Installed schedules: subject, interval, where (tab-separated)."""
    if not rows:
        return [f"no scheduled rescans ({backend})"]
    return [f"{row.label}\t{row.interval}\t{row.where}" for row in rows]


# --- clients -------------------------------------------------------------------------------


def client_row(record: ClientRecord) -> str:
    """A client's label, who recorded consent, the last scan and when the data expires."""
    from datetime import timedelta

    last = "never scanned"
    if record.last_scan_at:
        last = record.last_scan_at.date().isoformat()
    start: datetime = record.last_scan_at or record.created_at
    days = 0
    by = "NO CONSENT"
    if record.consent is not None:
        start = record.last_scan_at or record.consent.at
        days = record.consent.retention_days
        by = record.consent.by
    expires = (start + timedelta(days=days)).date().isoformat()
    return printable(f"{record.label}\tconsent: {by}\tlast scan: {last}\tdata expires: {expires}")


# --- doctor --------------------------------------------------------------------------------


def doctor_lines(report: Mapping[str, Any], route: NetworkRoute | None) -> list[str]:
    """The plain lines `doctor` prints (its --json prints `report` itself)."""
    lines = _route_lines(report["network"], route)
    lines.append(_ca_line(report["ca"]))
    lines.append(_tor_line(report["tor"]))
    lines += _site_list_lines(report["sites"])
    lines.append(_api_keys_line(report["api_keys"]))
    lines.append(_folder_line(report["data_folder"]))
    if report["ready"]:
        lines.append("a scan can run")
    else:
        lines += [f"problem: {problem}" for problem in report["problems"]]
        lines.append("a scan cannot run: fix the problems above")
    return [printable(line) for line in lines]


def _route_lines(network: Mapping[str, Any] | None, route: NetworkRoute | None) -> list[str]:
    from scanner.netpath import describe_route

    if route is None:
        return ["network path: unusable (see the problems below)"]
    where, names = describe_route(route)
    answers = ""
    if network and network["answers"] is False:
        answers = "; it does not answer"
    return [f"network path: {where}{answers}", f"host names: {names}"]


def _ca_line(ca: Mapping[str, Any]) -> str:
    if ca["file"]:
        return f"CA certificates: {ca['file']} (from {ca['via']})"
    return "CA certificates: the certifi bundle (the default)"


def _tor_line(tor: Mapping[str, Any]) -> str:
    if tor["answers"]:
        return f"Tor: a Tor client answers at {tor['at']} (use --tor)"
    return f"Tor: no Tor client answers at {', '.join(tor['tried']) or '-'}"


def _site_list_lines(sites: Mapping[str, Any]) -> list[str]:
    if sites.get("sites") is None:
        return []
    lists = ", ".join(f"{item['name']} {item['date']}" for item in sites["lists"])
    return [f"site list: {sites['sites']} sites checked by default ({lists})"]


def sites_info_lines(report: Mapping[str, Any]) -> list[str]:
    """What `sites info` prints: the merged counts, then one line per list."""
    lines = [
        f"{report['sites']} sites checked by default ({report['checkable']} sent a request; "
        f"{report['all']} with --all-sites); readers of found profiles: {report['readers']}"
    ]
    for item in report["lists"]:
        where = "downloaded" if item["installed"] else "bundled"
        lines.append(
            f"{item['title']}: {item['sites']} sites, {item['date']}, {item['licence']} "
            f"({where}: {item['path']})"
        )
        if item.get("note"):
            lines.append(f"  {item['note']}")
    return lines


def _api_keys_line(keys: Mapping[str, bool]) -> str:
    given = [name for name, present in keys.items() if present]
    missing = [name for name, present in keys.items() if not present]
    parts = []
    if given:
        parts.append(f"{', '.join(given)} set")
    if missing:
        parts.append(f"{', '.join(missing)} not set")
    return f"API keys: {'; '.join(parts)} (values are never shown)"


def _folder_line(folder: Mapping[str, Any]) -> str:
    if not folder["writable"]:
        return f"data folder: {folder['path']} cannot be written"
    if not folder["exists"]:
        return f"data folder: {folder['path']} (not created yet; a scan makes it, private)"
    privacy = "private"
    if not folder["private"]:
        privacy = "readable by other users: chmod 700 it"
    return f"data folder: {folder['path']} (mode {folder['mode']}, {privacy})"
