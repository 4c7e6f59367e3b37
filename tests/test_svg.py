"""The chains diagram: valid XML, nothing that loads or runs anything, hostile labels as text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from scanner.chains import Chain, NodeKind, Step, chains
from scanner.models import Severity
from scanner.report.svg import LABEL_CHARS, MAX_COLUMNS, MAX_ROWS, TITLE_CHARS, chains_svg
from tests.test_report_json import demo_scan

ALLOWED = {"svg", "title", "desc", "g", "rect", "text", "line", "polygon"}
FORBIDDEN = ("<script", "href", "url(", "<image", "<foreignobject", "<a ", "style", "http",
             "xmlns", "javascript:", "<use", "<!entity", "<!doctype")  # fmt: skip
HOSTILE = [
    '<script>alert("x")</script>',
    'Tom & Jerry\'s "place"',
    '<a href="javascript:alert(1)">x</a>',
    "background:url(https://tracker.example/x)",
    "bell\x07 escape\x1b[31m nul\x00 rtl\u202e end",
    "w" * 5000,
]


def step(label: str, kind: NodeKind = NodeKind.PAGE, edge: str = "shows") -> Step:
    return Step(kind, label, f"k:{label[:20]}", None, None, edge)


def chain(*labels: str) -> Chain:
    steps = [step(labels[0], NodeKind.IDENTIFIER, "")]
    steps += [step(label) for label in labels[1:-1]]
    steps.append(Step(NodeKind.FINDING, labels[-1], "f:x", "x", None, "shows"))
    return Chain(tuple(steps), "x", Severity.CRITICAL)


def check_safe(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output (never a DTD)
    assert root.tag == "svg"
    assert root.get("role") == "img"
    assert root.get("aria-label")
    assert root[0].tag == "title"
    assert root[0].text
    for element in root.iter():
        assert element.tag in ALLOWED
        for name, value in element.attrib.items():
            assert "href" not in name
            assert not name.startswith("on")
            assert name != "style"
            assert "url(" not in value
            assert ":" not in value or name == "aria-label"
    return root


def texts(root: ET.Element, tag: str = "text") -> list[str]:
    return [element.text or "" for element in root.iter(tag)]


def test_no_chain_no_diagram() -> None:
    assert chains_svg([]) == ""


def test_demo_diagram() -> None:
    found = chains(demo_scan())
    svg = chains_svg(found)
    lowered = svg.lower()
    for bad in FORBIDDEN:
        assert bad not in lowered, bad
    root = check_safe(svg)
    assert root.get("aria-label", "").endswith(f": {len(found)} paths")
    assert len(list(root.iter("rect"))) == sum(len(c.steps) for c in found)
    assert len(list(root.iter("polygon"))) == sum(len(c.steps) - 1 for c in found)
    shown = texts(root)
    assert "jtestwell" in shown
    assert "jordantestwell.example.com" in shown
    assert "critical finding" in shown
    assert any(text.startswith("home address: 48 Elm") for text in shown)
    desc = next(root.iter("desc")).text or ""
    assert desc.startswith("1. Jordan Testwell → jordantestwell.example.com/about → location")
    assert "jtestwell → github.com/jtestwell → jordantestwell.example.com →" in desc
    # columns by step index, rows by chain
    rects = list(root.iter("rect"))
    first_row = rects[: len(found[0].steps)]
    assert len({r.get("y") for r in first_row}) == 1
    assert [int(r.get("x", "0")) for r in first_row] == sorted(
        int(r.get("x", "0")) for r in first_row
    )
    assert rects[len(found[0].steps)].get("y") != first_row[0].get("y")
    assert chains_svg(found) == svg  # deterministic


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_are_text(label: str) -> None:
    svg = chains_svg([chain("avery", label, label)])
    assert "<script" not in svg
    assert "<a " not in svg
    root = check_safe(svg)
    shown = texts(root)
    clean = " ".join("".join(c if c.isprintable() else " " for c in label).split())
    assert all(len(text) <= LABEL_CHARS for text in shown)
    assert all(len(text) <= TITLE_CHARS for text in texts(root, "title"))
    expected = clean if len(clean) <= LABEL_CHARS else clean[: LABEL_CHARS - 1].rstrip() + "…"
    assert expected in shown  # exactly the label, as text, after parsing
    assert all(text.isprintable() for text in shown)


def test_escaping_is_done_once() -> None:
    svg = chains_svg([chain("avery", "a & b", "<b>")])
    assert "a &amp; b" in svg
    assert "&lt;b&gt;" in svg
    assert "&amp;amp;" not in svg
    assert "&amp;lt;" not in svg


def test_long_chain_keeps_its_start_and_its_end() -> None:
    labels = [f"step {n}" for n in range(30)]
    root = check_safe(chains_svg([chain(*labels)]))
    shown = texts(root)
    assert len(list(root.iter("rect"))) == MAX_COLUMNS - 1
    assert "step 0" in shown
    assert "step 29" in shown
    assert "step 15" not in shown
    assert "…" in shown


def test_many_chains_are_capped_and_say_so() -> None:
    many = [chain("avery", f"page {n}", f"home {n}") for n in range(MAX_ROWS + 7)]
    root = check_safe(chains_svg(many))
    assert len(list(root.iter("rect"))) == MAX_ROWS * 3
    assert "(7 more not drawn)" in root.get("aria-label", "")
    height = int(root.get("height", "0"))
    assert height < 100 * MAX_ROWS
