"""html_to_text: visible text, block structure, metadata, hostile pages."""

from __future__ import annotations

from scanner.extract import extract_html, extract_text, html_to_text
from scanner.extract.html import MAX_DEPTH, strip_tags, too_deep
from scanner.models import Kind

PAGE = """<!doctype html>
<html><head>
<title>Jane Example</title>
<meta name="description" content="Jane's page. Call (217) 555-0142">
<meta property="og:image" content="https://cdn.example.com/jane.png">
<style>.card { color: red } /* hidden@example.com */</style>
<script>var tracker = "script@example.com"; alert(1)</script>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "Person", "name": "Jane Example",
 "telephone": "+1 217 555 0199", "sameAs": ["https://github.com/jane-example"]}
</script>
</head>
<body>
<nav>Home</nav>
<div class="card">Hi, I'm <b>Jane</b>   <i>Example</i>.<p>Mail
<a href="mailto:Jane@Example.com?subject=hi">me</a> or
<a href="mailto:visible@example.com">visible@example.com</a><br>Second line</p></div>
<noscript>noscript@example.com</noscript><template>template@example.com</template>
<svg><text>svg@example.com</text></svg>
<pre>keep   these
spaces</pre>
<table><tr><td>217</td><td>555-0142</td></tr></table>
</body></html>"""


def test_visible_text_and_blocks() -> None:
    text = html_to_text(PAGE)
    visible = text.split("\n\n")[0]
    assert visible.splitlines()[:4] == [
        "Home",
        "Hi, I'm Jane Example.",
        "Mail me or visible@example.com",
        "Second line",
    ]
    assert "keep these\nspaces" in visible  # <pre> keeps its line breaks
    assert "217 | 555-0142" in visible  # a row is one line; its cells do not run together
    assert extract_text("217 | 555-0142") == []


def test_a_table_row_is_one_delimited_line() -> None:
    page = (
        "<table><thead><tr><th>Role</th><th>Name</th><th>Cell</th></tr></thead>"
        "<tr><td>Chair</td><td><p>Ana</p><div>Ruiz<br>(she/her)</div></td><td>555-0100</td></tr>"
        "<tr><td>Treasurer</td><td>Bo Lind</td><td></td></tr></table><p>Footer</p>"
    )
    assert html_to_text(page).splitlines() == [
        "Role | Name | Cell",
        "Chair | Ana Ruiz (she/her) | 555-0100",
        "Treasurer | Bo Lind |",
        "Footer",
    ]


def test_drops_script_style_and_friends() -> None:
    text = html_to_text(PAGE)
    for hidden in ("script@", "hidden@", "alert(1)", "noscript@", "template@", "svg@", "color"):
        assert hidden not in text


def test_metadata_lines() -> None:
    meta = html_to_text(PAGE).split("\n\n", 1)[1].splitlines()
    assert meta == [
        "title: Jane Example",
        "description: Jane's page. Call (217) 555-0142",
        "name: Jane Example",
        "telephone: +1 217 555 0199",
        "sameAs: https://github.com/jane-example",
        "mailto: Jane@Example.com",
    ]


def test_extract_html_offsets_refer_to_the_text() -> None:
    text = html_to_text(PAGE)
    found = extract_html(PAGE)
    assert found
    for item in found:
        raw = " ".join(text[item.start : item.end].lower().split())
        assert " ".join(item.value.lower().split()) in raw or item.kind is Kind.PHONE
    values = {(e.kind, e.value) for e in found}
    assert (Kind.EMAIL, "jane@example.com") in values
    assert (Kind.EMAIL, "visible@example.com") in values
    assert (Kind.PHONE, "+12175550142") in values
    assert (Kind.PHONE, "+12175550199") in values
    assert (Kind.WEBSITE, "https://github.com/jane-example") in values
    assert not any("script@" in e.value for e in found)


def test_plain_text_and_empty_input() -> None:
    assert html_to_text("") == ""
    assert html_to_text("just text, jane@example.com") == "just text, jane@example.com"


def test_hostile_markup_does_not_crash() -> None:
    pages = [
        "<script>alert(1)</script><p>ok</p>",
        "<div>" * 5000 + "deep@example.com" + "</div>" * 5000,
        "<span>" * (MAX_DEPTH + 10) + "<div>x</div>",
        "<p>" + "a" * 200_000 + "</p>",
        '<script type="application/ld+json">' + "[" * 10_000 + "]" * 10_000 + "</script>",
        '<script type="application/ld+json">{not json</script><p>after</p>',
        "<a href='mailto:" + "x" * 10_000,
        "<<<>>><</>\x00\ufffd<p",
    ]
    for page in pages:
        assert isinstance(html_to_text(page), str)
    assert "deep@example.com" in html_to_text(pages[1])


def test_too_deep_pages_use_the_plain_stripper() -> None:
    deep = "<div>" * (MAX_DEPTH + 1) + "<b>Jane</b> jane@example.com<script>x@example.com</script>"
    assert too_deep(deep)
    assert not too_deep("<p>" * 10_000 + "<li>" * 10_000)  # closed implicitly: flat
    assert html_to_text(deep) == strip_tags(deep) == "Jane jane@example.com"
