"""report.html in a real headless Chromium (Debian's `chromium`): it renders, logs no error,
makes no request but for the file itself, runs nothing a scraped value holds, reads at 200 %
zoom, keeps WCAG AA contrast, prints sensibly, and a screenshot is taken.

Skipped when no Chromium is installed (`make browser-test` installs it). How it is driven
(the DevTools protocol over a websocket, no new dependency) is in conftest.py.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import replace
from pathlib import Path

import pytest

from scanner.models import Finding, Kind, RemovalStep, ScanResult, Severity, SourceRef
from scanner.report.html import render_html
from scanner.report.redact import redact_result
from tests.browser.conftest import Browser, Page
from tests.test_report_json import demo_scan, small_result

HOSTILE_BIO = (
    "Gardener. <script>window.__pwned_script = 1</script>"
    '<img src=x onerror="window.__pwned_img = 1">'
    '<a href="javascript:window.__pwned_link = 1">my site</a>'
)
PWNED = ("__pwned_script", "__pwned_img", "__pwned_link", "__pwned_value", "__pwned_reason")

# WCAG 2.1 AA: 4.5:1 for text, 3:1 for large text (24 px, or 18.66 px bold). The background is
# the nearest ancestor's opaque one (the page is white); on paper it is white: browsers do not
# print backgrounds unless told to (print-color-adjust: exact), so white-on-colour text vanishes.
CONTRAST_JS = r"""
((paper) => {
  const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => {
    for (; el && !paper; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] === 1) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const bad = [];
  for (const el of document.body.querySelectorAll("*")) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.checkVisibility()) continue;
    const style = getComputedStyle(el);
    const [a, b] = [lum(rgb(style.color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) bad.push(`${el.tagName}.${el.className} ${ratio.toFixed(2)} ${style.color}`);
  }
  return bad;
})(PAPER)
"""


def _hostile_result() -> ScanResult:
    base = small_result(())
    finding = Finding(
        id="fedcba9876543210",
        kind=Kind.OTHER,
        value='<img src=x onerror="window.__pwned_value = 1">',
        sources=(
            SourceRef("fake", "javascript:window.__pwned_link = 1"),
            SourceRef("fake", "https://fake.example/jt"),
        ),
        evidence=(f"GitHub bio: {HOSTILE_BIO}",),
        confidence=0.9,
        severity=Severity.HIGH,
        score=70,
        reason="High: <script>window.__pwned_reason = 1</script>",
        removal=(RemovalStep("Edit it", "In settings.", "javascript:window.__pwned_link = 1"),),
    )
    return replace(base, findings=(finding, *base.findings))


def _open(browser: Browser, tmp_path: Path, result: ScanResult, name: str) -> tuple[Page, str]:
    path = tmp_path / name
    path.write_text(render_html(result), encoding="utf-8")
    page = browser.new_page()
    url = path.resolve().as_uri()
    page.open(url)
    return page, url


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack("!II", data[16:24])
    return width, height


def test_demo_report_renders_offline_without_errors(browser: Browser, tmp_path: Path) -> None:
    page, url = _open(browser, tmp_path, demo_scan(), "report.html")
    assert page.js("document.readyState") == "complete"
    assert page.js("document.title") == "Exposure audit: Jordan Testwell"
    assert page.js("document.querySelectorAll('article.finding').length") == len(
        demo_scan().findings
    )
    assert page.requests() == [url]  # the file itself, nothing else
    assert page.errors() == []  # a CSP refusal (say, a stale style hash) would show here
    # the inline stylesheet was applied: the CSP hash matches the CSS
    assert page.js("getComputedStyle(document.body).maxWidth") == "928px"  # 58rem
    assert page.js("document.scripts.length") == 0


def test_screenshot_of_the_demo_report(browser: Browser, tmp_path: Path) -> None:
    page, url = _open(browser, tmp_path, demo_scan(), "report.html")
    shot = page.cdp.call(
        "Page.captureScreenshot", page.session, format="png", captureBeyondViewport=True
    )
    data = base64.b64decode(shot["data"])
    width, height = _png_size(data)
    assert width >= 400
    assert height > 1000  # the whole page, not a blank viewport
    saved = browser.shots / "demo-report.png"
    saved.write_bytes(data)
    assert saved.stat().st_size > 20_000  # a rendered page, not an empty image
    assert page.requests() == [url]


def test_hostile_bio_renders_as_text_and_runs_nothing(browser: Browser, tmp_path: Path) -> None:
    page, url = _open(browser, tmp_path, _hostile_result(), "hostile.html")
    for name in PWNED:
        assert page.js(f"typeof window.{name}") == "undefined", name
    assert page.js("document.querySelectorAll('img, script, iframe, object, embed').length") == 0
    hrefs = page.js("[...document.links].map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if not h.startswith(("https://", "http://", "#"))]
    text = page.js("document.body.innerText")
    assert "<script>window.__pwned_script = 1</script>" in text
    assert '<img src=x onerror="window.__pwned_img = 1">' in text
    assert "javascript:window.__pwned_link = 1" in text  # shown, not linked
    page.js("document.querySelectorAll('a').forEach(a => a.click())")  # nothing to follow
    page.cdp.drain(0.3)
    assert page.requests() == [url]
    assert page.errors() == []


def test_readable_at_200_percent_zoom(browser: Browser, tmp_path: Path) -> None:
    """A 1280 px window at 200 % zoom lays out like a 640 px one: no sideways scrolling."""
    page, _ = _open(browser, tmp_path, demo_scan(), "report.html")
    for width in (640, 320):  # 200 % and WCAG's 400 % reflow
        page.cdp.call(
            "Emulation.setDeviceMetricsOverride",
            page.session,
            width=width,
            height=800,
            deviceScaleFactor=2,
            mobile=False,
        )
        overflow = page.js("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{overflow}px wider than a {width}px window"
    page.cdp.call("Emulation.clearDeviceMetricsOverride", page.session)


def test_text_contrast_meets_wcag_aa(browser: Browser, tmp_path: Path) -> None:
    page, _ = _open(browser, tmp_path, demo_scan(), "report.html")
    assert page.js(CONTRAST_JS.replace("PAPER", "false")) == []
    page.cdp.call("Emulation.setEmulatedMedia", page.session, media="print")
    assert page.js(CONTRAST_JS.replace("PAPER", "true")) == []  # badges: black text on paper
    page.cdp.call("Emulation.setEmulatedMedia", page.session, media="")


def test_print_layout(browser: Browser, tmp_path: Path) -> None:
    page, _ = _open(browser, tmp_path, demo_scan(), "report.html")
    box = "getComputedStyle(document.querySelector('.checklist input'))"
    assert page.js(f"{box}.appearance") != "none"  # a real checkbox on screen
    assert page.js("document.querySelector('.evidence-table').checkVisibility()") is False
    page.cdp.call("Emulation.setEmulatedMedia", page.session, media="print")
    assert page.js(f"{box}.appearance") == "none"  # an empty square on paper
    assert page.js(f"{box}.borderTopStyle") == "solid"
    assert page.js("getComputedStyle(document.querySelector('.finding')).breakInside") == "avoid"
    # the closed <details> (every request, the evidence record) are printed open
    assert page.js("document.querySelector('.evidence-table').checkVisibility()") is True
    assert page.js("getComputedStyle(document.querySelector('.evidence-table')).display") == (
        "table"
    )
    page.cdp.call("Emulation.setEmulatedMedia", page.session, media="")


def test_redacted_demo_report_in_the_browser(browser: Browser, tmp_path: Path) -> None:
    page, url = _open(browser, tmp_path, redact_result(demo_scan()), "redacted.html")
    text = page.js("document.body.innerText")
    assert "Springfield, IL" in text
    for value in ("48 Elm Street", "jordan.t.personal", "jtestwell", "555-0142", "Testwell"):
        assert value not in text
    assert page.requests() == [url]
    assert page.errors() == []


@pytest.mark.parametrize("media", ["screen", "print"])
def test_no_request_in_either_media(browser: Browser, tmp_path: Path, media: str) -> None:
    page = browser.new_page()
    page.cdp.call("Emulation.setEmulatedMedia", page.session, media=media)
    path = tmp_path / "report.html"
    path.write_text(render_html(demo_scan()), encoding="utf-8")
    page.open(path.resolve().as_uri())
    assert page.requests() == [path.resolve().as_uri()]
