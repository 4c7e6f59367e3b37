"""report.html: one self-contained file, safe to open anywhere.

Every value is escaped by jinja2's autoescape; links are written only for http(s) URLs and
carry rel="noreferrer noopener"; no image, script, font or stylesheet is loaded from
anywhere (photos are listed as text, never hot-linked). A Content-Security-Policy meta tag
allows nothing but the one inline stylesheet, pinned by its SHA-256 hash.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from scanner import __version__
from scanner.chains import Priority, chains, removal_priorities
from scanner.help import resources_for
from scanner.models import Finding, Pivot, RemovalStep, ScanResult, Severity
from scanner.netpath import describe_route
from scanner.removal import noticeable
from scanner.report.json import report_dict
from scanner.report.svg import chains_svg

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"  # inside a wheel
SOURCE_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"  # in a checkout
SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


def templates_dir() -> Path:
    """Where the templates are: shipped in the package, or top-level in a checkout."""
    for folder in (PACKAGE_TEMPLATES, SOURCE_TEMPLATES):
        if (folder / "report.html.j2").is_file():
            return folder
    raise FileNotFoundError("report templates not found (is the package installed correctly?)")


def environment(folder: Path | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder or templates_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["href"] = safe_href
    env.filters["path_text"] = path_text
    env.filters["noticeable"] = noticeable
    env.tests["contains_key"] = lambda mapping, key: key in mapping
    return env


def safe_href(url: str) -> str | None:
    """The URL if it is a plain http(s) link, else None (never javascript:, data:, …)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def path_text(pivot: Pivot) -> str:
    """A pivot path in words: "jtestwell → (GitHub) jordan@personal.example → …"."""
    steps = pivot.path
    start = steps[0].found_from or "your profile"
    return " → ".join([start, *(f"({step.found_by}) {step.value}" for step in steps)])


def style_hash(css: str) -> str:
    digest = hashlib.sha256(css.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def top_actions(
    findings: Sequence[Finding], limit: int = 5, priorities: Sequence[Priority] = ()
) -> list[tuple[Finding, RemovalStep]]:
    """What to do first: the main removal step of the findings whose removal breaks the most
    chains to a critical finding (chains.removal_priorities), then of the highest-scoring
    findings; each step listed once.

    Only a finding's first step counts: its later steps are alternatives or last resorts
    (such as deleting a whole account), not what to do first.
    """
    by_id = {finding.id: finding for finding in findings}
    first = [
        by_id[p.finding_ids[0]] for p in priorities if p.finding_ids and p.finding_ids[0] in by_id
    ]
    seen: set[RemovalStep] = set()
    actions: list[tuple[Finding, RemovalStep]] = []
    for finding in [*first, *findings]:
        if not finding.removal or finding.removal[0] in seen:
            continue
        seen.add(finding.removal[0])
        actions.append((finding, finding.removal[0]))
        if len(actions) == limit:
            break
    return actions


VARIANTS = ("standard", "client", "redacted", "evidence")


def render_html(
    result: ScanResult,
    folder: Path | None = None,
    since: Mapping[str, Any] | None = None,
    *,
    variant: str = "standard",
    consent: Mapping[str, Any] | None = None,
) -> str:
    """The report page. `since` is report.json's "since_last_scan" section, when there is
    history: it is shown first."""
    env = environment(folder)
    css = env.loader.get_source(env, "report.css")[0] if env.loader else ""
    groups = [
        (severity, [f for f in result.findings if f.severity is severity])
        for severity in SEVERITY_ORDER
    ]
    found = chains(result)
    priorities = removal_priorities(result, found)
    template = env.get_template("report.html.j2")
    return template.render(
        result=result,
        report=report_dict(result, since),
        since=since,
        help=resources_for(result.profile.country),
        variant=variant if variant in VARIANTS else "standard",
        consent=consent,
        css=css,
        csp_style=style_hash(css),
        groups=[(s, items) for s, items in groups if items],
        actions=top_actions(result.findings, priorities=priorities),
        chains=found,
        chains_svg=Markup(chains_svg(found)),  # noqa: S704 - built from escaped text only
        not_checked=[r for r in result.runs if r.could_not_check],
        network=describe_route(result.network),
        version=__version__,
    )
