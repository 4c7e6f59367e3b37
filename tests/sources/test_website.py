"""The subject's own website: home page, sitemap, about/contact pages, latest posts, photos.

The fixture site is shaped like a WordPress blog (a different engine from the worlds'):
`wp-block` markup, a `#comments` list with a commenter's email, a `/contact/` page found in
the sitemap, a tracking pixel and an image on another host. All values are fictional.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx

from scanner.models import Field, Kind, LookedUp, Profile, SourceResult
from scanner.pagefetch import Page
from scanner.sources import SOURCES
from scanner.sources.website import WebsiteSource, pick_pages
from tests.photo_maker import geotagged_jpeg
from tests.support import FAST, assert_tied, mock_http

SITE = "https://harborlight.example"
HOME = f"""<!DOCTYPE html><html><head><title>Harbor Light – notes</title>
<meta property="og:image" content="{SITE}/wp-content/uploads/2025/05/dock.jpg">
</head><body class="home blog wp-embed-responsive">
<nav class="wp-block-navigation"><a href="/about-me/">About me</a> <a href="/shop/">Shop</a>
<a href="https://elsewhere.example/about/">a friend's about page</a></nav>
<main class="wp-block-group">
<article class="post"><h2><a href="/2025/05/first-swim/">First swim of the year</a></h2>
<p>Cold, bright, worth it.</p></article>
<article class="post"><h2><a href="/2025/04/a-new-kayak/">A new kayak</a></h2></article>
<article class="post"><h2><a href="/2024/11/old/">Older post</a></h2></article>
</main>
<footer class="wp-block-template-part"><p>© 2026 Noor Haddad · Portsmouth, NH</p></footer>
<img src="https://stats.tracker.example/pixel.gif?p=home" width="1" height="1" alt="">
<img src="https://cdn.other.example/banner.jpg" alt="ad">
</body></html>"""
ABOUT = """<html><body><main class="entry-content">
<h1>About me</h1><p>I'm Noor. I work as a marine surveyor at Seacoast Survey Co. and
live in the South End of Portsmouth, NH.</p>
<p>Write to me at noor.h@example.org or call (603) 555-0147.</p>
</main>
<section id="comments" class="comments-area"><ol class="comment-list">
<li class="comment"><p>Great page! Reach me at pat.visitor@example.net, (603) 555-0199.</p></li>
</ol></section></body></html>"""
CONTACT = "<html><body><p>Post: 44 Wharf Row, Portsmouth, NH 03801</p></body></html>"
SITEMAP = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{SITE}/</loc></url><url><loc>{SITE}/contact/</loc></url>
<url><loc>{SITE}/2025/05/first-swim/</loc></url></urlset>"""
HTML = {"Content-Type": "text/html; charset=utf-8"}
NOOR = Profile(names=("Noor Haddad",), domains=("harborlight.example",))


class Site:
    def __init__(self) -> None:
        self.urls: list[str] = []
        self.routes = {
            f"{SITE}/": httpx.Response(200, headers=HTML, text=HOME),
            f"{SITE}/about-me/": httpx.Response(200, headers=HTML, text=ABOUT),
            f"{SITE}/contact/": httpx.Response(200, headers=HTML, text=CONTACT),
            f"{SITE}/2025/05/first-swim/": httpx.Response(200, headers=HTML, text="<p>Swim</p>"),
            f"{SITE}/2025/04/a-new-kayak/": httpx.Response(200, headers=HTML, text="<p>Kayak</p>"),
            f"{SITE}/sitemap.xml": httpx.Response(
                200, headers={"Content-Type": "application/xml"}, text=SITEMAP
            ),
            f"{SITE}/wp-content/uploads/2025/05/dock.jpg": httpx.Response(
                200,
                headers={"Content-Type": "image/jpeg"},
                content=geotagged_jpeg((43.07412, -70.75503)),
            ),
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        return self.routes.get(str(request.url), httpx.Response(404))


def run(site: Site, profile: Profile = NOOR) -> SourceResult:
    async def go() -> SourceResult:
        async with mock_http(site, FAST) as http:
            return await WebsiteSource().search(profile, http)

    return asyncio.run(go())


def test_it_is_registered_and_takes_domains() -> None:
    assert WebsiteSource in SOURCES
    assert WebsiteSource.needs == frozenset({"domains"})


def test_the_site_shows_the_home_the_phone_the_email_and_the_photo() -> None:
    site = Site()
    result = run(site)
    shown = {(o.kind, o.value) for o in result.observations}
    assert (Kind.EMAIL, "noor.h@example.org") in shown
    assert (Kind.PHONE, "+16035550147") in shown
    assert (Kind.HOME_ADDRESS, "44 Wharf Row, Portsmouth, NH 03801") in shown
    gps = [o for o in result.observations if o.kind is Kind.LOCATION and o.value[0].isdigit()]
    assert [o.value for o in gps] == ["43.07412, -70.75503"]
    for o in result.observations:
        assert o.source.url.startswith(SITE)
        assert o.source.looked_up == (LookedUp(Field.DOMAINS, "harborlight.example"),)
        assert o.removal[0].action in (
            "Edit your page on harborlight.example",
            "Remove the photo, or upload a copy without its metadata",
        )
    assert_tied(result.observations[0], by="domain", value="harborlight.example")


def test_what_commenters_write_is_never_the_subjects() -> None:
    result = run(Site())
    values = " ".join(o.value + o.evidence for o in result.observations)
    assert "pat.visitor@example.net" not in values
    assert "0199" not in values


def test_only_the_sites_own_pages_and_images_are_fetched() -> None:
    site = Site()
    run(site)
    assert all(url.startswith(SITE) for url in site.urls)  # no tracker, no other host
    assert f"{SITE}/shop/" not in site.urls  # not a page people read for personal details
    assert f"{SITE}/2024/11/old/" not in site.urls  # only the two latest posts
    assert len([u for u in site.urls if not u.endswith((".xml", ".jpg"))]) <= 6


def test_pages_are_picked_about_first_then_the_latest_posts() -> None:
    home = Page(f"{SITE}/", HOME, datetime.now(UTC))
    picked = pick_pages(home, [f"{SITE}/contact/", "https://elsewhere.example/contact/"])
    assert picked == [
        f"{SITE}/about-me/",
        f"{SITE}/contact/",
        f"{SITE}/2025/05/first-swim/",
        f"{SITE}/2025/04/a-new-kayak/",
    ]


def test_a_site_that_cannot_be_read_says_so() -> None:
    site = Site()
    site.routes.clear()
    result = run(site)
    assert result.observations == ()
    assert result.notes == ("harborlight.example: the home page could not be read",)
