"""report.html is opened by people an abuser may be watching: it must load nothing and run
nothing, whatever the scraped values hold. Every assertion here is on the rendered text."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from scanner.models import (
    Account,
    AccountStatus,
    Finding,
    Kind,
    NetworkRoute,
    Profile,
    RemovalStep,
    Risk,
    RunStatus,
    ScanResult,
    SentRequest,
    Severity,
    SourceRef,
    SourceRun,
)
from scanner.report.html import render_html, safe_href, style_hash, templates_dir
from tests.test_report_json import demo_scan

T0 = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
SCRIPT = "<script>alert(1)</script>"
ATTR = '"><img src=x onerror=alert(1)>'
STYLE_BREAK = "</style><style>body{background:url(https://evil.example/t.png)}</style>"
JS_URL = "javascript:alert(1)"
PHOTO = "https://images.example/face.jpg"
QUOTE_URL = 'https://evil.example/x" onmouseover="alert(1)'
STEP = RemovalStep(SCRIPT, ATTR, JS_URL)
DANGEROUS_TAGS = {
    "script", "img", "link", "iframe", "frame", "object", "embed", "base", "form",
    "math", "video", "audio", "source", "picture", "template", "noscript", "applet", "portal",
    "image", "use", "foreignobject", "animate", "set",
}  # fmt: skip
# The chains diagram is inline SVG built from escaped text: only these elements, no links.
SVG_TAGS = {"svg", "title", "desc", "g", "rect", "text", "line", "polygon"}


def hostile_finding(kind: Kind, value: str, sources: tuple[SourceRef, ...], score: int) -> Finding:
    return Finding(
        id=hashlib.sha256(value.encode()).hexdigest()[:16],
        kind=kind,
        value=value,
        sources=sources,
        evidence=(ATTR, STYLE_BREAK, f"see {JS_URL}"),
        confidence=0.9,
        severity=Severity.HIGH,
        score=score,
        reason=f"High: {SCRIPT}.",
        removal=(STEP, RemovalStep("Hide it", "Open settings.", "https://safe.example/settings")),
    )


def hostile_result(replay: str | None = None) -> ScanResult:
    findings = (
        hostile_finding(Kind.REAL_NAME, SCRIPT, (SourceRef("evil", JS_URL),), 90),
        hostile_finding(
            Kind.PHOTO, PHOTO, (SourceRef("gravatar", "https://gravatar.example/jt"),), 60
        ),
        hostile_finding(
            Kind.EMPLOYER,
            STYLE_BREAK,
            (SourceRef(SCRIPT, QUOTE_URL), SourceRef("data", "data:text/html,<b>x</b>")),
            50,
        ),
        hostile_finding(Kind.OTHER, ATTR, (SourceRef("vb", "  JaVaScRiPt:alert(2)"),), 10),
    )
    runs = (
        SourceRun("gh", "GitHub", RunStatus.BLOCKED, "GitHub API rate limit reached", T0, T0),
        SourceRun("gr", f"Gravatar {SCRIPT}", RunStatus.ERROR, f"internal error: {ATTR}", T0, T0),
        SourceRun("ph", "Phonebook", RunStatus.SKIPPED, "the profile has no phones", T0, T0),
        SourceRun("ok", "Fine source", RunStatus.OK, "", T0, T0, 4, (STYLE_BREAK,)),
    )
    return ScanResult(
        profile=Profile(names=(SCRIPT,), handles=(ATTR,)),
        started=T0,
        finished=T0,
        runs=runs,
        findings=findings,
        accounts=(Account(SCRIPT, JS_URL, ATTR, AccountStatus.FOUND, {"bio": STYLE_BREAK}),),
        risk=Risk(91, Severity.HIGH, f"Someone could find {SCRIPT} and {ATTR}."),
        requests=(SentRequest("GET", f"https://api.example/{SCRIPT}", 200),),
        replay=replay,
    )


@dataclass
class Parsed(HTMLParser):
    """Every start tag with its attributes, the text, and the inline style content."""

    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    _in_style: bool = False

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"
        if self._in_style:
            self.styles.append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles[-1] += data
        else:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def named(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == name]


def parse(html: str) -> Parsed:
    parsed = Parsed()
    parsed.feed(html)
    parsed.close()
    return parsed


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return render_html(hostile_result())


def assert_safe(html: str) -> Parsed:
    """The invariants every report must keep, whatever it shows."""
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "<link" not in lowered
    assert "<iframe" not in lowered
    assert "@import" not in lowered
    parsed = parse(html)
    tags = {tag for tag, _ in parsed.tags}
    assert not tags & DANGEROUS_TAGS
    assert lowered.count("<svg") <= 1  # at most the chains diagram
    if "<svg" in lowered:
        inner = lowered.split("<svg", 1)[1].split("</svg>", 1)[0]
        assert set(re.findall(r"<([a-z]+)", inner)) <= SVG_TAGS
    for tag, attrs in parsed.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name not in ("src", "srcset", "style", "background", "formaction", "action")
            assert "javascript:" not in (value or "").lower(), (tag, name, value)
    for attrs in parsed.named("a"):
        assert attrs.get("rel") == "noreferrer noopener", attrs
        href = attrs.get("href") or ""
        assert href.startswith(("https://", "http://", "#")), href
    assert lowered.count("<a ") == len(parsed.named("a"))
    for attrs in parsed.named("input"):
        assert attrs.get("type") == "checkbox"
    for attrs in parsed.named("meta"):
        assert (attrs.get("http-equiv") or "").lower() != "refresh"
    assert len(parsed.styles) == 1
    assert "url(" not in parsed.styles[0].lower()
    assert "expression(" not in parsed.styles[0].lower()
    assert html.count("</style>") == 1
    return parsed


def csp(parsed: Parsed) -> str:
    (meta,) = [
        attrs
        for attrs in parsed.named("meta")
        if (attrs.get("http-equiv") or "").lower() == "content-security-policy"
    ]
    return meta.get("content") or ""


# --- hostile values ------------------------------------------------------------------------


def test_hostile_values_load_and_run_nothing(hostile_html: str) -> None:
    assert_safe(hostile_html)


def test_hostile_values_are_shown_escaped(hostile_html: str) -> None:
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile_html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in hostile_html
    assert "&lt;/style&gt;&lt;style&gt;" in hostile_html
    text = parse(hostile_html).text
    assert SCRIPT in text
    assert ATTR in text
    assert STYLE_BREAK in text
    assert PHOTO in text  # listed as text


def test_only_http_links_become_links(hostile_html: str) -> None:
    parsed = parse(hostile_html)
    hrefs = [attrs.get("href") for attrs in parsed.named("a")]
    assert QUOTE_URL in hrefs  # an http(s) URL stays a link; its quote is escaped
    assert 'href="https://evil.example/x&#34; onmouseover=&#34;alert(1)"' in hostile_html
    assert JS_URL in parse(hostile_html).text  # shown, not linked
    assert "data:text/html,<b>x</b>" in parsed.text
    assert not any((h or "").startswith("data:") for h in hrefs)
    assert re.search(r'href="[^"]*javascript', hostile_html, re.IGNORECASE) is None


def test_photos_are_never_loaded(hostile_html: str) -> None:
    parsed = parse(hostile_html)
    for _, attrs in parsed.tags:
        assert PHOTO not in attrs.values()


def test_csp_allows_nothing_but_the_pinned_inline_style(hostile_html: str) -> None:
    parsed = parse(hostile_html)
    policy = csp(parsed)
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["default-src"] == ["'none'"]
    style_src = directives["style-src"]
    digest = hashlib.sha256(parsed.styles[0].encode("utf-8")).digest()
    assert style_src == [f"'sha256-{base64.b64encode(digest).decode('ascii')}'"]
    assert "script-src" not in directives
    assert "unsafe-inline" not in policy
    assert "*" not in policy
    assert directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'none'"]
    referrer = [m for m in parsed.named("meta") if m.get("name") == "referrer"]
    assert referrer == [{"name": "referrer", "content": "no-referrer"}]


def test_style_hash_is_sha256_base64() -> None:
    assert style_hash("") == "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def test_shipped_css_loads_nothing() -> None:
    css = (templates_dir() / "report.css").read_text(encoding="utf-8").lower()
    for needle in ("url(", "@import", "expression(", "http:", "https:", "@font-face"):
        assert needle not in css


# --- what the report says ------------------------------------------------------------------


def test_coverage_names_what_could_not_be_checked(hostile_html: str) -> None:
    text = parse(hostile_html).text
    assert "could not check: GitHub API rate limit reached" in text
    assert f"could not check: internal error: {ATTR}" in text
    assert "not run: the profile has no phones" in text
    assert "checked · 4 details" in text
    assert f"Not everything could be checked: GitHub, Gravatar {SCRIPT}" in text
    assert "could not check: the profile has no phones" not in text


def test_replay_banner_only_for_replayed_scans(hostile_html: str) -> None:
    live = parse(hostile_html)
    assert [a for _, a in live.tags if "banner" in (a.get("class") or "")] == []
    assert "recorded, fictional world" not in live.text
    replayed_html = render_html(hostile_result(replay=f"demo_world/{SCRIPT}"))
    replayed = assert_safe(replayed_html)
    banners = [a for _, a in replayed.tags if "banner" in (a.get("class") or "").split()]
    assert len(banners) == 1
    assert f"recorded, fictional world (demo_world/{SCRIPT})" in replayed.text
    assert "Network path: answered on this computer from a recorded world" in replayed.text


@pytest.mark.parametrize(
    ("route", "said"),
    [
        (
            NetworkRoute("socks5h://127.0.0.1:9050", "--tor", "proxy", (), ("https", "http")),
            "Network path: through the proxy socks5h://127.0.0.1:9050 (set by --tor). "
            "Host names: looked up by the proxy; this computer looks up none.",
        ),
        (
            NetworkRoute(None, None, "local"),
            "Network path: straight to each site (no proxy). Host names: looked up by this "
            "computer's DNS resolver",
        ),
        (
            NetworkRoute(
                "http://proxy.example:3128",
                "HTTPS_PROXY",
                "partly local",
                ("a.example",),
                ("https",),
            ),
            "straight there: http:// addresses and hosts in NO_PROXY (a.example).",
        ),
    ],
)
def test_the_report_says_which_proxy_carried_the_requests(route: NetworkRoute, said: str) -> None:
    page = assert_safe(render_html(replace(hostile_result(), network=route)))
    assert said in " ".join(page.text.split())


def test_checklist_has_one_checkbox_per_removal_step(hostile_html: str) -> None:
    result = hostile_result()
    boxes = parse(hostile_html).named("input")
    assert len(boxes) == sum(len(f.removal) for f in result.findings) == 8
    assert all(b.get("type") == "checkbox" for b in boxes)


def test_findings_are_grouped_and_counted(hostile_html: str) -> None:
    text = parse(hostile_html).text
    assert "What was found (4)" in text
    assert "Overall exposure score at least 91 / 100."  # some sources could not check in text
    ids = [a.get("id") for tag, a in parse(hostile_html).tags if tag == "article"]
    assert ids == [f"f-{f.id}" for f in hostile_result().findings]


def test_title_escapes_the_subject(hostile_html: str) -> None:
    assert "<title>Exposure audit: &lt;script&gt;alert(1)&lt;/script&gt;</title>" in hostile_html


def test_empty_scan_renders() -> None:
    empty = ScanResult(
        profile=Profile(emails=("jt@example.org",)),
        started=T0,
        finished=T0,
        runs=(),
        findings=(),
        accounts=(),
        risk=Risk(0, Severity.LOW, "Nothing about you was found in the sources checked."),
    )
    html = render_html(empty)
    parsed = assert_safe(html)
    assert "Exposure audit: jt@example.org" in parsed.text
    assert "Nothing about you was found in the sources that could be checked." in parsed.text
    assert "No accounts were checked." in parsed.text
    assert "0 requests" in parsed.text
    assert parsed.named("input") == []


def test_demo_report_is_safe_and_complete() -> None:
    result = demo_scan()
    html = render_html(result)
    parsed = assert_safe(html)
    to_check = [a for a in result.accounts if "check" in a.details]
    assert len(to_check) >= 40  # the people-search sites, one checkbox each
    steps = sum(len(f.removal) for f in result.findings)
    assert len(parsed.named("input")) == steps + len(to_check)
    assert "not checked is not the same as not listed" in parsed.text
    assert len(result.requests) == 76
    assert "76 requests." in parsed.text
    assert "Network path: answered on this computer from a recorded world" in parsed.text
    links = {a.get("href") for a in parsed.named("a")}
    assert "https://github.com/jtestwell" in links
    for finding in result.findings:
        assert finding.value in parsed.text


# --- safe_href ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "\x01javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example/x",
        "https://",
        "/relative/path",
        "mailto:jt@example.org",
        "http://[::1",
    ],
)
def test_safe_href_refuses_anything_but_http_links(url: str) -> None:
    assert safe_href(url) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/jtestwell", "https://github.com/jtestwell"),
        ("  HTTP://example.org/a?b=c  ", "HTTP://example.org/a?b=c"),
    ],
)
def test_safe_href_keeps_http_links(url: str, expected: str) -> None:
    assert safe_href(url) == expected


def test_demo_report_shows_the_chains_and_puts_the_chain_breaker_first() -> None:
    result = demo_scan()
    html = render_html(result)
    assert "How the pieces join up" in html
    assert html.count("<svg") == 1
    home = next(f for f in result.findings if f.kind is Kind.HOME_ADDRESS)
    parsed = parse(html)
    first_action = parsed.text.split("Do these first", 1)[1]
    assert home.value in first_action.split("2.", 1)[0] or home.value in first_action[:400]


def test_the_three_counselor_variants_differ_as_described() -> None:
    result = demo_scan()
    consent = {"by": "Sam Advocate", "at": "2026-11-24", "sources": ["all"], "retention_days": 90}
    client = render_html(result, variant="client", consent=consent)
    evidence = render_html(result, variant="evidence", consent=consent)
    standard = render_html(result)
    assert "Evidence record" not in client  # plain language: no hashes, no request list
    assert "Every request" not in client
    assert "Consent recorded by Sam Advocate" in client
    assert "Evidence copy" in evidence
    assert "<details open><summary>" in evidence
    assert re.search(r"[0-9a-f]{64}", evidence)
    assert "Evidence record" in standard
    assert "Consent recorded" not in standard
    for page in (client, evidence):
        assert_safe(page)
