"""The chains as an inline SVG diagram: one row per chain, one column per step.

Safe to paste into report.html as is (mark it safe in jinja2): no script, no link, no
image, no style attribute (the report's CSP allows only its pinned stylesheet), no
`url(...)` and no namespace or other address in the markup. Colours and sizes are
presentation attributes, so the diagram reads the same with the report's CSS off. Every
label is made printable, truncated and escaped with html.escape; the full chain text (also
truncated) is in <desc> for screen readers, and each box has a <title>.

The layout is fixed and computed here: MAX_ROWS chains and MAX_COLUMNS steps at most (a
longer chain keeps its first steps and its last one, with "…" between). An empty list of
chains gives "" (nothing to draw; the report should leave the section out or say so).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from scanner.chains import Chain, NodeKind, Step, short

BOX_WIDTH = 176
BOX_HEIGHT = 46
GAP = 66  # between columns: holds the arrow and its label
ROW_GAP = 18
MARGIN = 12
NUMBER_WIDTH = 26  # the chain's number, left of each row
MAX_ROWS = 40
MAX_COLUMNS = 10
LABEL_CHARS = 26
CAPTION_CHARS = 28
EDGE_CHARS = 13
TITLE_CHARS = 200
DESC_CHARS = 600

INK = "#1d1d1f"
MUTED = "#5a5a66"
FILLS = {NodeKind.IDENTIFIER: "#eef3fb", NodeKind.PAGE: "#f4f4f6", NodeKind.FINDING: "#ffffff"}
STROKES = {
    NodeKind.IDENTIFIER: "#3d5a80",
    NodeKind.PAGE: MUTED,
    NodeKind.FINDING: "#8a6d00",
}
SEVERITY_STROKES = {"critical": "#8b0000", "high": "#b34700", "medium": "#8a6d00", "low": "#3d5a80"}
TITLE = "How someone could get from what they know to your most serious findings"


def chains_svg(chains: Sequence[Chain]) -> str:
    """The diagram, or "" when there is no chain."""
    rows = list(chains[:MAX_ROWS])
    if not rows:
        return ""
    shown = [_columns(chain.steps) for chain in rows]
    columns = max(len(steps) for steps in shown)
    width = MARGIN * 2 + NUMBER_WIDTH + columns * BOX_WIDTH + (columns - 1) * GAP
    height = MARGIN * 2 + len(rows) * BOX_HEIGHT + (len(rows) - 1) * ROW_GAP
    more = f" ({len(chains) - len(rows)} more not drawn)" if len(chains) > len(rows) else ""
    label = f"{TITLE}: {len(rows)} {'path' if len(rows) == 1 else 'paths'}{more}"
    parts = [
        f'<svg role="img" aria-label="{_e(label)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{_e(label)}</title>",
        f"<desc>{_e(_description(rows))}</desc>",
    ]
    for row, (chain, steps) in enumerate(zip(rows, shown, strict=True)):
        parts.append(_row(row, chain, steps))
    parts.append("</svg>")
    return "\n".join(parts)


def _columns(steps: Sequence[Step]) -> list[Step | None]:
    """The steps drawn: all of them, or the first ones, a gap (None) and the last."""
    if len(steps) <= MAX_COLUMNS:
        return list(steps)
    return [*steps[: MAX_COLUMNS - 2], None, steps[-1]]


def _description(chains: Sequence[Chain]) -> str:
    lines = [f"{n}. {' → '.join(step.label for step in c.steps)}" for n, c in enumerate(chains, 1)]
    return short(" ".join(lines), DESC_CHARS)


def _row(row: int, chain: Chain, steps: Sequence[Step | None]) -> str:
    top = MARGIN + row * (BOX_HEIGHT + ROW_GAP)
    middle = top + BOX_HEIGHT // 2
    parts = [
        f'<g aria-label="{_e(f"path {row + 1}")}">',
        f'<text x="{MARGIN}" y="{middle + 4}" fill="{MUTED}">{row + 1}.</text>',
    ]
    for column, step in enumerate(steps):
        left = MARGIN + NUMBER_WIDTH + column * (BOX_WIDTH + GAP)
        if column:
            edge = step.edge if step is not None else "…"
            parts.append(_arrow(left - GAP, left, middle, edge))
        if step is None:
            parts.append(
                f'<text x="{left + BOX_WIDTH // 2}" y="{middle + 4}" text-anchor="middle" '
                f'fill="{MUTED}">…</text>'
            )
        else:
            parts.append(_box(left, top, step, first=column == 0, severity=chain.severity.value))
    parts.append("</g>")
    return "\n".join(parts)


def _box(left: int, top: int, step: Step, *, first: bool, severity: str) -> str:
    stroke = STROKES[step.kind]
    width = 1
    if step.kind is NodeKind.FINDING or (step.finding_id and not first):
        caption = "finding"
        if step.kind is NodeKind.FINDING:
            caption = f"{severity} finding"
            stroke, width = SEVERITY_STROKES.get(severity, stroke), 2
    elif step.kind is NodeKind.PAGE:
        caption = "page"
    else:
        caption = "what someone may know" if first else "led to"
    return (
        "<g>"
        f"<title>{_e(short(step.label, TITLE_CHARS))}</title>"
        f'<rect x="{left}" y="{top}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="5" '
        f'fill="{FILLS[step.kind]}" stroke="{stroke}" stroke-width="{width}"/>'
        f'<text x="{left + 8}" y="{top + 17}" font-size="10" fill="{MUTED}">'
        f"{_e(short(caption, CAPTION_CHARS))}</text>"
        f'<text x="{left + 8}" y="{top + 35}" fill="{INK}">{_e(short(step.label, LABEL_CHARS))}'
        "</text></g>"
    )


def _arrow(start: int, end: int, y: int, edge: str) -> str:
    tip = end - 2
    words = edge.split(" (", 1)[0]
    return (
        f'<line x1="{start + 2}" y1="{y}" x2="{tip - 7}" y2="{y}" stroke="{MUTED}" '
        'stroke-width="1.5"/>'
        f'<polygon points="{tip - 8},{y - 4} {tip},{y} {tip - 8},{y + 4}" fill="{MUTED}"/>'
        f'<text x="{(start + end) // 2}" y="{y - 6}" font-size="9" text-anchor="middle" '
        f'fill="{MUTED}">{_e(short(words, EDGE_CHARS))}</text>'
    )


def _e(text: str) -> str:
    return escape(text, quote=True)
