"""read_profile: what a profile page's standard markup shows (JSON-LD, microdata, h-card, og)."""

from __future__ import annotations

import json

import pytest

from scanner.sites.reveal import MAX_LINKS, ProfileFacts, read_profile
from tests.support import SHARED

PAGE = "https://social.example.com/@jtestwell"

# GitHub's profile page shape (shared reference html/github): schema.org Person microdata,
# worksFor / homeLocation as <li> with an aria-label and the value in a span, the website
# as a link inside itemprop="url", the avatar as a link with itemprop="image".
GITHUB_SHAPE = """<html><head>
<meta content="Bookbinder. Tomatoes on weekends." property="og:description"/>
<meta content="https://avatars.example.com/u/1?v=4" property="og:image"/></head><body>
<div class="h-card mt-md-n5" itemscope="" itemtype="http://schema.org/Person">
<a href="https://avatars.example.com/u/1?s=400" itemprop="image"><img alt="Avatar"
 src="https://avatars.example.com/u/1?s=460"/></a>
<h1 class="vcard-names"><span class="p-name vcard-fullname" itemprop="name">
 Jordan Testwell </span><span class="p-nickname" itemprop="additionalName">jtestwell</span></h1>
</div>
<ul class="vcard-details">
<li aria-label="Organization: Prairie Lantern Books" itemprop="worksFor"><svg></svg>
 <span class="p-org"><div>Prairie Lantern Books</div></span></li>
<li aria-label="Home location: Springfield, IL" itemprop="homeLocation"><svg></svg>
 <span class="p-label">Springfield, IL</span></li>
<li data-test-selector="profile-website-url" itemprop="url"><svg></svg>
 <a href="https://jordantestwell.example.com" rel="nofollow me">jordantestwell.example.com</a></li>
</ul></body></html>"""


def test_github_shaped_microdata() -> None:
    facts = read_profile(GITHUB_SHAPE, "https://github.com/jtestwell")
    assert facts == ProfileFacts(
        name="Jordan Testwell",
        bio="Bookbinder. Tomatoes on weekends.",
        location="Springfield, IL",
        employer="Prairie Lantern Books",
        links=("https://jordantestwell.example.com",),
        avatar="https://avatars.example.com/u/1?s=400",
    )


def test_aria_label_is_read_when_the_element_has_no_text() -> None:
    html = (
        '<div itemscope itemtype="https://schema.org/Person">'
        '<li itemprop="homeLocation" aria-label="Home location: Springfield, IL"></li>'
        '<li itemprop="worksFor" aria-label="Organization: Example Co"></li></div>'
    )
    facts = read_profile(html, PAGE)
    assert (facts.location, facts.employer) == ("Springfield, IL", "Example Co")


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_json_ld_profile_page_with_a_person() -> None:
    data = {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "dateCreated": "2019-04-01T12:00:00Z",
        "mainEntity": {
            "@type": "Person",
            "name": "Jordan Testwell",
            "alternateName": "jtestwell",
            "description": "Garden notes",
            "homeLocation": {"@type": "Place", "name": "Springfield, IL"},
            "worksFor": {"@type": "Organization", "name": "Prairie Lantern Books"},
            "sameAs": ["https://jordantestwell.example.com/", "javascript:alert(1)"],
            "image": {"@type": "ImageObject", "url": "/img/a.png"},
        },
    }
    facts = read_profile(ld(data), PAGE)
    assert facts.name == "Jordan Testwell"
    assert facts.bio == "Garden notes"
    assert facts.location == "Springfield, IL"
    assert facts.employer == "Prairie Lantern Books"
    assert facts.links == ("https://jordantestwell.example.com/",)
    assert facts.avatar == "https://social.example.com/img/a.png"
    assert facts.joined == "2019-04-01T12:00:00Z"


def test_json_ld_postal_address_and_graph() -> None:
    data = {
        "@graph": [
            {"@type": "WebSite", "name": "Example Social"},
            {
                "@type": ["Person"],
                "name": "Jordan Testwell",
                "address": {
                    "@type": "PostalAddress",
                    "addressLocality": "Springfield",
                    "addressRegion": "IL",
                    "addressCountry": {"@type": "Country", "name": "US"},
                },
            },
        ]
    }
    assert read_profile(ld(data), PAGE).location == "Springfield, IL, US"


def test_json_ld_wins_over_microdata_and_meta_fills_the_gaps() -> None:
    html = (
        ld({"@type": "Person", "name": "Jordan Testwell"})
        + '<div itemscope itemtype="https://schema.org/Person"><b itemprop="name">JT</b>'
        + '<i itemprop="description">from microdata</i></div>'
        + '<meta property="og:description" content="from og">'
    )
    facts = read_profile(html, PAGE)
    assert (facts.name, facts.bio) == ("Jordan Testwell", "from microdata")


def test_h_card() -> None:
    html = (
        '<div class="h-card"><img class="u-photo" src="/me.jpg">'
        '<a class="p-name u-url" href="https://jordantestwell.example.com/">Jordan Testwell</a>'
        '<p class="p-note">Gardener</p><span class="p-org">Prairie Lantern Books</span>'
        '<span class="p-locality">Springfield</span><span class="p-region">IL</span></div>'
    )
    facts = read_profile(html, PAGE)
    assert facts == ProfileFacts(
        name="Jordan Testwell",
        bio="Gardener",
        location="Springfield, IL",
        employer="Prairie Lantern Books",
        links=("https://jordantestwell.example.com/",),
        avatar="https://social.example.com/me.jpg",
    )


def test_plain_meta_only() -> None:
    html = (
        '<meta name="description" content="  Bio   text ">'
        '<meta name="twitter:image" content="//cdn.example.com/x.png">'
    )
    facts = read_profile(html, PAGE)
    assert (facts.bio, facts.avatar) == ("Bio text", "https://cdn.example.com/x.png")
    assert bool(facts)


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body>just text</body></html>",
        '<script type="application/ld+json">{not json</script>',
        ld([1, "x", None, {"@type": "Person", "name": 5, "image": {"url": 7}}]),
        '<div itemscope itemtype="https://schema.org/Person"></div>' * 2,  # two people: none
        "<div>" * 5_000,
    ],
)
def test_nothing_to_read_is_empty(html: str) -> None:
    assert not read_profile(html, PAGE)


def test_hostile_values_are_cut_and_links_filtered() -> None:
    data = {
        "@type": "Person",
        "name": "x" * 1_000,
        "sameAs": [f"https://e{i}.example.com/" for i in range(40)]
        + ["https://user:pw@evil.example.com/", "https://e\x01.example.com/"],
    }
    facts = read_profile(ld(data), PAGE)
    assert len(facts.name) == 100
    assert facts.name.endswith("…")
    assert len(facts.links) == MAX_LINKS
    assert all("@" not in link for link in facts.links)


REFERENCE = (
    SHARED / "reference" / "html" / "github" / "profile.igorsteinmacher.2020-10.bs4-serialized.html"
)


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared reference not present")
def test_the_real_github_profile_page() -> None:
    facts = read_profile(
        REFERENCE.read_text(encoding="utf-8"), "https://github.com/igorsteinmacher"
    )
    assert facts.name == "Igor Steinmacher"
    assert facts.location == "Flagstaff, AZ, USA"
    assert facts.employer == "NAU"
    assert facts.links == ("http://www.igor.pro.br",)
    assert facts.avatar.startswith("https://avatars1.githubusercontent.com/u/2953768")
    assert facts.bio.startswith("Assistant Professor @ NAU.")
