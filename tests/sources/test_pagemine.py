"""Page mining: result pages read, tied to the subject, namesakes counted, photos read.

The first tests run mine() over a mock transport; the last runs the whole demo world and
checks the issue's scenario end to end (blog, paste, people-search page with a namesake,
a walled people-search page and a geotagged photo).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import httpx
import pytest

from scanner import subject
from scanner.brokers.catalogue import load_brokers
from scanner.http import Http
from scanner.models import AccountStatus, Kind, Profile, ScanResult, Severity, SourceResult
from scanner.photos import page_images
from scanner.pipeline import run_scan
from scanner.replay import ReplayTransport
from scanner.sources import all_sources, pagemine
from scanner.sources.pagemine import GENERIC_OPT_OUT, MAX_PAGES, mine, settled
from scanner.sources.websearch_plan import SearchResult
from tests.photo_maker import geotagged_jpeg
from tests.support import JORDAN, REPLAY, ROOT, mock_http

WORLD = ROOT / "demo_world"

HTML = {"content-type": "text/html; charset=utf-8"}
PEOPLE = """<html><body><h1>2 people named Jordan Testwell</h1>
<div><h2>Jordan Testwell</h2><p>Age 38</p><p>Lives in Springfield, IL</p>
<p>Current address: 418 Prairie View Dr Apt 2, Springfield, IL 62704</p>
<p>Phone: (217) 555-0163</p><p>Relatives: Casey Testwell, Morgan Testwell</p></div>
<div><h2>Jordan Testwell</h2><p>Age 61</p><p>Lives in Portland, OR</p>
<p>Current address: 77 Harbor Rd, Portland, OR 97201</p>
<p>Phone: (503) 555-0119</p><p>Relatives: Pat Testwell</p></div>
<img src="https://people.example.net/badge.jpg"></body></html>"""
BLOG = """<html><head><meta property="og:image" content="/img/garden.jpg"></head><body>
<h1>Jordan Testwell</h1><p>Gardening in Springfield, IL. Works at Prairie Lantern Books.</p>
<img src="data:image/png;base64,AAAA"><img src="/img/garden.jpg"></body></html>"""


def hit(url: str, title: str = "Jordan Testwell", snippet: str = "") -> SearchResult:
    return SearchResult(url=url, title=title, snippet=snippet, query='"Jordan Testwell"')


class World:
    def __init__(self, routes: Mapping[str, httpx.Response]) -> None:
        self.routes = dict(routes)
        self.urls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        return self.routes.get(str(request.url), httpx.Response(404))


def run(
    world: Callable[[httpx.Request], httpx.Response],
    found: list[SearchResult],
    profile: Profile = JORDAN,
) -> SourceResult:
    async def go() -> SourceResult:
        async with mock_http(world) as http:
            return settled(await mine(found, profile, http, "websearch"), profile)

    return asyncio.run(go())


def values(result: SourceResult, kind: Kind) -> set[str]:
    return {o.value for o in result.observations if o.kind is kind}


def test_a_people_search_page_gives_the_subjects_record_only() -> None:
    url = "https://people.example.net/name/jordan-testwell"
    world = World({url: httpx.Response(200, headers=HTML, text=PEOPLE)})
    result = run(world, [hit(url)])
    assert values(result, Kind.PHONE) == {"+12175550163"}
    assert values(result, Kind.RELATIVE) == {"Casey Testwell", "Morgan Testwell"}
    assert values(result, Kind.AGE) == {"38"}
    (address,) = values(result, Kind.HOME_ADDRESS)
    assert address.startswith("418 Prairie View Dr")
    shown = " ".join(o.value + o.evidence for o in result.observations)
    for other in ("Portland", "503", "Pat Testwell", "77 Harbor", "61"):
        assert other not in shown
    assert len(result.namesakes) == 1  # counted in the report, never shown
    for o in result.observations:
        assert o.source.url == url
        assert o.confidence == pytest.approx(0.7)  # tied by the city alone
        assert "your city Springfield, IL" in o.reason


def test_photos_are_read_on_pages_about_the_subject_not_on_people_search_sites() -> None:
    blog, photo = "https://garden.example.org/about", "https://garden.example.org/img/garden.jpg"
    people = "https://people.example.net/name/jordan-testwell"
    world = World(
        {
            blog: httpx.Response(200, headers=HTML, text=BLOG),
            photo: httpx.Response(
                200, headers={"content-type": "image/jpeg"}, content=geotagged_jpeg()
            ),
            people: httpx.Response(200, headers=HTML, text=PEOPLE),
        }
    )
    brokers = ()  # none catalogued: the people page is read like any other

    async def go() -> SourceResult:
        async with mock_http(world) as http:
            found = await mine([hit(blog), hit(people)], JORDAN, http, "websearch", brokers)
            return settled(found, JORDAN)

    result = asyncio.run(go())
    gps = [
        o
        for o in result.observations
        if o.kind is Kind.LOCATION and "," in o.value and o.value[0].isdigit()
    ]
    assert len(gps) == 1
    assert gps[0].source.url == blog
    assert world.urls.count(photo) == 1  # og:image and <img> are one photo
    assert values(result, Kind.EMPLOYER) == {"Prairie Lantern Books"}
    # the people page's badge is fetched too: it is not a catalogued broker here
    assert "https://people.example.net/badge.jpg" in world.urls


def test_catalogued_broker_pages_get_the_opt_out_and_no_photo_reading() -> None:
    broker = next(b for b in load_brokers() if b.opt_out.url)
    host = broker.url.split("//", 1)[1].strip("/")
    url = f"https://{host}/people/jordan-testwell"
    world = World({url: httpx.Response(200, headers=HTML, text=PEOPLE)})
    result = run(world, [hit(url)])
    assert result.observations
    for o in result.observations:
        assert o.removal[0].action == f"Opt out of {broker.name}"
        assert o.removal[0].url == broker.opt_out.url
    assert world.urls == [url]  # the badge photo on a broker page is not fetched


def test_a_walled_page_is_check_yourself_and_its_snippet_is_still_read() -> None:
    url = "https://lookup.example.com/p/jordan-testwell"
    world = World({url: httpx.Response(403, headers=HTML, text="<title>Just a moment...</title>")})
    snippet = "Jordan Testwell, Springfield IL. Email jordan.testwell@example.com"
    result = run(world, [hit(url, snippet=snippet)])
    (account,) = result.accounts
    assert account.status is AccountStatus.UNKNOWN
    assert account.details["check"] == "check this yourself"
    assert account.url == url
    assert f"could not read {url}: HTTP 403" in result.notes
    assert values(result, Kind.EMAIL) == {"jordan.testwell@example.com"}


def test_a_captcha_page_answered_200_is_walled_too() -> None:
    url = "https://lookup.example.com/p/jordan-testwell"
    body = (
        '<html><body><p>Verify you are human</p><div class="g-recaptcha" data-sitekey="x">'
        "</div> Jordan Testwell Springfield, IL</body></html>"
    )
    world = World({url: httpx.Response(200, headers=HTML, text=body)})
    result = run(world, [hit(url)])
    assert [a.details["check"] for a in result.accounts] == ["check this yourself"]
    assert "0 page(s) read" in result.notes


def test_redirects_to_private_addresses_and_non_html_are_not_read() -> None:
    first, second = "https://a.example.com/x", "https://b.example.com/doc.pdf"
    world = World(
        {
            first: httpx.Response(302, headers={"location": "http://127.0.0.1/admin"}),
            second: httpx.Response(
                200, headers={"content-type": "application/pdf"}, content=b"%PDF"
            ),
        }
    )
    result = run(world, [hit(first), hit(second)])
    assert result.observations == ()
    assert world.urls == [first, second]  # the loopback hop was never requested
    assert any("refused" in note for note in result.notes)
    assert any("not an HTML page" in note for note in result.notes)


def test_only_the_first_pages_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagemine, "MAX_PAGES", 2)
    found = [
        hit(f"https://site{i}.example.com/", snippet="jordan.testwell@example.com")
        for i in range(4)
    ]
    world = World({})
    result = run(world, found)
    assert world.urls == ["https://site0.example.com/", "https://site1.example.com/"]
    assert "read the first 2 of 4 result pages" in result.notes
    # the unread results still count for what their snippets show
    assert {o.source.url for o in result.observations} == {r.url for r in found}
    assert MAX_PAGES == 10


def test_image_urls_absolute_http_only_in_page_order() -> None:
    html = (
        '<meta property="og:image" content="//cdn.example.com/a.jpg">'
        '<img src="b.jpg"><img src="javascript:alert(1)"><img src="data:image/png;base64,AA">'
        '<img src="b.jpg"><img src="ftp://x.example.com/c.jpg">'
    )
    assert page_images(html, "https://blog.example.com/post/") == [
        "https://cdn.example.com/a.jpg",
        "https://blog.example.com/post/b.jpg",
    ]
    assert page_images(html, "https://blog.example.com/post/", same_site=True) == [
        "https://blog.example.com/post/b.jpg"
    ]
    beacons = '<img src="https://px.example.net/c.gif" width="1" height="1"><img src="p.jpg">'
    assert page_images(beacons, "https://blog.example.com/") == ["https://blog.example.com/p.jpg"]


def test_no_page_is_read_after_the_deadline() -> None:
    found = [
        hit(f"https://site{i}.example.com/", snippet="jordan.testwell@example.com")
        for i in range(3)
    ]
    world = World({})

    async def go() -> SourceResult:
        async with mock_http(world) as http:
            past = asyncio.get_running_loop().time() - 1
            return await mine(found, JORDAN, http, "websearch", deadline=past)

    result = asyncio.run(go())
    assert world.urls == []
    assert "3 result page(s) not read, to stay within the time limit" in result.notes
    assert len(values(result, Kind.EMAIL)) == 1  # snippets still read


def test_the_demo_world_scenario_end_to_end() -> None:
    """Issue 5's scenario on the bundled demo world, through a full replayed scan."""

    async def go() -> ScanResult:
        async with Http(REPLAY, transport=ReplayTransport(WORLD)) as http:
            return await run_scan(JORDAN, all_sources(), http, replay=str(WORLD))

    result = asyncio.run(go())
    web = {
        (f.kind, f.value) for f in result.findings if any(s.name == "websearch" for s in f.sources)
    }
    assert (Kind.PHONE, "+12175550163") in web  # E.164, from the people-search page
    assert (Kind.HOME_ADDRESS, "418 Prairie View Dr Apt 2, Springfield, IL 62704") in web
    assert {(Kind.RELATIVE, "Casey Testwell"), (Kind.RELATIVE, "Morgan Testwell")} <= web
    assert (Kind.EMPLOYER, "Prairie Lantern Books") in web  # the blog
    assert (Kind.EMAIL, "jt.garden.notes@example.org") in web  # the paste
    gps = next(f for f in result.findings if f.value == "39.80133, -89.64855")
    assert gps.severity is Severity.CRITICAL
    everything = " ".join(f"{f.value} {' '.join(f.evidence)}" for f in result.findings)
    for namesake in ("Portland", "+15035550119", "Pat Testwell", "97201"):
        assert namesake not in everything
    assert result.namesakes == 1
    walled = [a for a in result.accounts if a.site == "quicklookup.example"]
    assert [a.details["check"] for a in walled] == ["check this yourself"]
    assert walled[0].details["how"] == GENERIC_OPT_OUT
    assert walled[0].status is AccountStatus.UNKNOWN  # never "not found"


def test_pages_on_the_subjects_own_domain_get_an_edit_step() -> None:
    url = "https://blog.jordantestwell.example.com/about"
    world = World({url: httpx.Response(200, headers=HTML, text=BLOG)})

    async def go() -> SourceResult:
        async with mock_http(world) as http:
            mine_profile = replace(JORDAN, domains=("jordantestwell.example.com",))
            return settled(await mine([hit(url)], mine_profile, http, "websearch"), mine_profile)

    result = asyncio.run(go())
    assert result.observations
    steps = {o.removal[0].action for o in result.observations if o.kind is not Kind.LOCATION}
    assert steps == {"Edit your page on blog.jordantestwell.example.com"}


@pytest.mark.parametrize(
    "url",
    [
        "https://accounts.example.com/password/reset?token=abc123",
        "https://forum.example.com/login?next=/u/jtestwell",
        "https://app.example.com/oauth/authorize?client_id=1",
    ],
)
def test_results_that_look_like_account_flows_are_never_opened(url: str) -> None:
    world = World({})
    result = run(world, [hit(url, snippet="jordan.testwell@example.com")])
    assert world.urls == []
    assert any(note.startswith(f"could not read {url}: an account page (") for note in result.notes)
    assert values(result, Kind.EMAIL) == {"jordan.testwell@example.com"}  # the snippet still counts


def test_a_page_that_trips_a_bug_costs_only_that_page(monkeypatch: pytest.MonkeyPatch) -> None:
    bad, good = "https://bad.example.com/", "https://people.example.net/name/jordan-testwell"
    world = World(
        {
            bad: httpx.Response(200, headers=HTML, text="<p>TRIP Jordan Testwell</p>"),
            good: httpx.Response(200, headers=HTML, text=PEOPLE),
        }
    )
    real = subject.read_page

    def fragile(text: str, items: Any, profile: Profile) -> Any:
        if "TRIP" in text:
            raise ValueError("extractor tripped")
        return real(text, items, profile)

    monkeypatch.setattr(pagemine, "read_page", fragile)
    result = run(world, [hit(bad, snippet="jordan.testwell@example.com"), hit(good)])
    assert f"could not read {bad}: internal error (ValueError('extractor tripped'))" in result.notes
    assert "+12175550163" in values(result, Kind.PHONE)  # the next page is still read
    assert values(result, Kind.EMAIL) == {"jordan.testwell@example.com"}  # bad one's snippet
    assert "1 page(s) read" in result.notes


# --- detail pages of the subject's records ------------------------------------------------

LISTING = "https://records.example.org/name/jordan-testwell"
CARDS = """<html><body><h1>Jordan Testwell: 2 records</h1><ul class="results">
<li class="card"><h3><a href="/p/jordan-testwell-il-38">Jordan Testwell</a>, 38</h3>
<span>Springfield, IL</span> <span>(217) 555-0163</span>
<a href="/p/jordan-testwell-il-38">View full report</a></li>
<li class="card"><h3><a href="/p/jordan-testwell-or-61">Jordan Testwell</a>, 61</h3>
<span>Portland, OR</span> <span>(503) 555-0119</span>
<a href="/p/jordan-testwell-or-61">View full report</a></li>
</ul><a href="/privacy/">Privacy</a></body></html>"""
DETAIL = """<html><body><h1>Jordan Testwell, 38</h1>
<p>Phone: (217) 555-0163</p>
<p>Current address: 418 Prairie View Dr Apt 2, Springfield, IL 62704</p>
<p>Previous address: 12 Old Mill Rd, Springfield, IL 62702</p>
<p>Relatives: Casey Testwell</p></body></html>"""


def listing_world() -> World:
    return World(
        {
            LISTING: httpx.Response(200, headers=HTML, text=CARDS),
            "https://records.example.org/p/jordan-testwell-il-38": httpx.Response(
                200, headers=HTML, text=DETAIL
            ),
            "https://records.example.org/p/jordan-testwell-or-61": httpx.Response(
                200, headers=HTML, text=DETAIL.replace("Springfield, IL", "Portland, OR")
            ),
        }
    )


def test_the_detail_page_of_the_subjects_record_is_read_and_the_namesakes_is_not() -> None:
    world = listing_world()
    result = run(world, [hit(LISTING)])
    assert "https://records.example.org/p/jordan-testwell-il-38" in world.urls
    assert "https://records.example.org/p/jordan-testwell-or-61" not in world.urls
    assert "https://records.example.org/privacy/" not in world.urls
    assert any(value.startswith("12 Old Mill Rd") for value in values(result, Kind.HOME_ADDRESS))
    assert "Casey Testwell" in values(result, Kind.RELATIVE)


ALIASED_CARDS = """<html><body><div class="wrap"><h1>Jordan Testwell</h1>
<div class="card"><a href="/~jordan-testwell/1001"><h2><span>Jordan</span> <span>Q</span>
<span>Testwell</span></h2></a><span class="age">age: 38</span>
<div class="loc">Lives in <span>Springfield</span>, <span>IL</span></div>
<div class="aka">Known as: Jordan Quinn Testwell, Jordan Q. Testwell</div>
<a class="more" href="/~jordan-testwell/1001">View Profile</a></div>
<div class="card"><a href="/~jordan-testwell/2002"><h2>Jordan Testwell</h2></a>
<span class="age">age: 61</span>
<div class="loc">Lives in <span>Portland</span>, <span>OR</span></div>
<a class="more" href="/~jordan-testwell/2002">View Profile</a></div>
<p><a href="/control/privacy">Remove my info</a></p></div></body></html>"""


def test_a_card_that_names_the_subject_again_is_still_one_record() -> None:
    listing = "https://finder.example.net/p/Jordan/Testwell/"
    mine = "https://finder.example.net/~jordan-testwell/1001"
    theirs = "https://finder.example.net/~jordan-testwell/2002"
    world = World(
        {
            listing: httpx.Response(200, headers=HTML, text=ALIASED_CARDS),
            mine: httpx.Response(200, headers=HTML, text=DETAIL),
            theirs: httpx.Response(200, headers=HTML, text=DETAIL),
        }
    )
    run(world, [hit(listing)], replace(JORDAN, phones=()))
    assert mine in world.urls  # "Known as" names the subject twice more inside the card
    assert theirs not in world.urls
    assert "https://finder.example.net/control/privacy" not in world.urls


def test_a_record_tied_later_is_followed_in_a_later_run() -> None:
    world = listing_world()
    nameless = replace(JORDAN, locations=(), phones=())  # nothing on the cards is known yet

    async def go() -> tuple[SourceResult, SourceResult]:
        async with mock_http(world) as http:
            first = await mine([hit(LISTING)], nameless, http, "websearch")
            later = replace(nameless, phones=("+12175550163",))  # learned elsewhere
            second = await mine([], later, http, "websearch")
            return first, settled(second, later)

    first, second = asyncio.run(go())
    assert world.urls == [LISTING, "https://records.example.org/p/jordan-testwell-il-38"]
    assert any(v.startswith("12 Old Mill Rd") for v in values(second, Kind.HOME_ADDRESS))
    assert "1 detail page(s) of your records read" in second.notes
    assert len(first.pages) == 1
