"""report.json: the contract later tools build on. Its JSON Schema is schema.json beside this."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scanner import __version__
from scanner.models import Account, Finding, NetworkRoute, Pivot, Profile, ScanResult, SourceRun

SCHEMA_ID = "exposure-audit/report/1"
SCHEMA_PATH = Path(__file__).with_name("schema.json")


def report_dict(result: ScanResult, since: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """report.json as a dict. `since` (history's diff of this scan against the last one)
    becomes the "since_last_scan" section when given."""
    report = {
        "schema": SCHEMA_ID,
        "generator": {"name": "exposure-audit", "version": __version__},
        "subject": _subject(result.profile),
        "scan": {
            "started": _time(result.started),
            "finished": _time(result.finished),
            "mode": "replay" if result.replay else "live",
            "network": network_dict(result.network),
            "sources": [_run(run) for run in result.runs],
            "requests": [
                {
                    "method": r.method,
                    "url": r.url,
                    "status": r.status,
                    "at": _time(r.at),
                    "sha256": r.sha256,
                }
                for r in result.requests
            ],
            "requests_by_host": dict(
                sorted(Counter(urlsplit(r.url).hostname or "" for r in result.requests).items())
            ),
        },
        "risk": {
            "score": result.risk.score,
            "level": result.risk.level.value if result.risk.checked else "unknown",
            "summary": result.risk.summary,
            "checked": result.risk.checked,
        },
        "findings": [_finding(f) for f in result.findings],
        "accounts": [_account(a) for a in result.accounts],
        "leads": [_lead(pivot) for pivot in result.leads],
        "namesakes": {"count": result.namesakes},
        **_chains(result),
    }
    if since is not None:
        report["since_last_scan"] = dict(since)
    return report


def network_dict(route: NetworkRoute) -> dict[str, Any]:
    """report.json's scan.network (also what `doctor --json` prints as "network")."""
    return {
        "proxy": route.proxy,
        "via": route.via,
        "dns": route.dns,
        "bypass": list(route.bypass),
        "carried": list(route.carried),
    }


def _subject(profile: Profile) -> dict[str, Any]:
    return {
        "names": list(profile.names),
        "aliases": list(profile.aliases),
        "handles": list(profile.handles),
        "emails": list(profile.emails),
        "phones": list(profile.phones),
        "locations": [str(loc) for loc in profile.locations],
        "domains": list(profile.domains),
        "affiliations": list(profile.affiliations),
        "country": profile.country,
    }


def _run(run: SourceRun) -> dict[str, Any]:
    return {
        "name": run.name,
        "title": run.title,
        "status": run.status.value,
        "error": run.reason or None,
        "started": _time(run.started),
        "finished": _time(run.finished),
        "observations": run.observations,
        "notes": list(run.notes),
        "via": _path(run.via) if run.via else None,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.id,
        "kind": finding.kind.value,
        "value": finding.value,
        "severity": finding.severity.value,
        "score": finding.score,
        "confidence": finding.confidence,
        "reason": finding.reason,
        "sources": [{"name": s.name, "url": s.url} for s in finding.sources],
        "evidence": list(finding.evidence),
        "removal": [
            {"action": step.action, "how": step.how, **({"url": step.url} if step.url else {})}
            for step in finding.removal
        ],
        "paths": [_path(pivot) for pivot in finding.via],
        "ties": [
            {"kind": tie.kind.value, "value": tie.value, "origin": tie.origin}
            for tie in finding.ties
        ],
    }


def _step(pivot: Pivot) -> dict[str, Any]:
    return {
        "field": pivot.field,
        "value": pivot.value,
        "found_by": pivot.found_by,
        "found_from": pivot.found_from,
        "url": pivot.url,
        "reason": pivot.reason,
    }


def _path(pivot: Pivot) -> list[dict[str, Any]]:
    return [_step(step) for step in pivot.path]


def _lead(pivot: Pivot) -> dict[str, Any]:
    return {
        **_step(pivot),
        "depth": pivot.depth,
        "followed": pivot.followed,
        "note": pivot.note,
        "path": _path(pivot),
    }


def _chains(result: ScanResult) -> dict[str, Any]:
    from scanner.chains import chains, removal_priorities

    found = chains(result)
    return {
        "chains": [
            {
                "target_id": chain.target_id,
                "severity": chain.severity.value,
                "text": chain.text,
                "steps": [
                    {
                        "kind": step.kind.value,
                        "label": step.label,
                        "finding_id": step.finding_id,
                        "url": step.url,
                        "edge": step.edge,
                    }
                    for step in chain.steps
                ],
            }
            for chain in found
        ],
        "remove_first": [
            {
                "kind": p.kind.value,
                "label": p.label,
                "url": p.url,
                "finding_id": p.finding_id,
                "chains_broken": p.chains_broken,
                "finding_ids": list(p.finding_ids),
                "severity": p.severity.value,
            }
            for p in removal_priorities(result, found)
        ],
    }


def _account(account: Account) -> dict[str, Any]:
    return {
        "site": account.site,
        "url": account.url,
        "username": account.username,
        "status": account.status.value,
        "details": dict(account.details),
    }


def _time(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None
