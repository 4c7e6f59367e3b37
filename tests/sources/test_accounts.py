"""Account discovery as a scan source: the site list, every plain handle, untied hits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from scanner.models import AccountStatus, Kind, Profile, SourceResult
from scanner.sites.catalogue import Catalogue, Site, load_catalogue
from scanner.sites.update import sites_dir
from scanner.sources import accounts
from scanner.sources.accounts import AccountsSource
from scanner.sources.base import TIED, UNTIED
from tests.support import PAGES, mock_http

LIST = PAGES / "sites" / "wmn-shape.json"
PROFILE = Profile(names=("Jordan Testwell",), handles=("jtestwell", "jordan@social.example"))


def forum_only(request: httpx.Request) -> httpx.Response:
    """The forum has jtestwell (and nobody else); everything else says not found."""
    if request.url.host == "forum.example.com":
        if request.url.path == "/u/jtestwell":
            return httpx.Response(200, text="<title>Profile of jtestwell</title>")
        return httpx.Response(404, text="No such member")
    return httpx.Response(404, text='{"error":"not found"}')


def run(source: AccountsSource, profile: Profile = PROFILE) -> tuple[SourceResult, list[str]]:
    async def go() -> tuple[SourceResult, list[str]]:
        async with mock_http(forum_only) as http:
            result = await source.search(profile, http)
            return result, [r.url for r in http.sent]

    return asyncio.run(go())


def test_found_accounts_are_untied_observations_and_every_site_is_an_account() -> None:
    result, sent = run(AccountsSource(load_catalogue(LIST)))
    (obs,) = result.observations
    assert (obs.kind, obs.value, obs.confidence) == (
        Kind.ACCOUNT,
        "https://forum.example.com/u/jtestwell",
        UNTIED,
    )
    assert "nothing checked ties it to you" in obs.reason
    assert obs.removal
    statuses = {a.site: a.status for a in result.accounts}
    assert statuses["Example Forum"] is AccountStatus.FOUND
    assert statuses["Example Art API"] is AccountStatus.NOT_FOUND
    assert statuses["Example Old Blog"] is AccountStatus.UNKNOWN  # skipped: marked invalid
    assert result.leads == ()
    # the fediverse address is not a site username: only jtestwell was looked up
    assert not any("jordan" in url for url in sent)
    assert result.notes == (
        "jtestwell: 5 sites checked: 1 found, 1 not found, 0 blocked, 2 could not tell, 1 skipped",
        "1 found account page(s) opened: 0 readable, 0 tied to you",  # not HTML: not read
    )


def test_on_a_fresh_install_it_runs_over_the_bundled_lists() -> None:
    source = AccountsSource()
    assert source.applies_to(PROFILE)  # no `sites update` needed
    catalogue = source.catalogue()
    assert catalogue.origin.startswith("merged: WhatsMyName (bundled ")
    assert len(catalogue.sites) > 2000
    assert source.skip_reason(Profile(names=("A B",))) == "the profile has no handles"


def test_an_empty_list_does_not_run() -> None:
    source = AccountsSource(Catalogue((), "empty"))
    assert not source.applies_to(PROFILE)
    assert source.skip_reason(PROFILE) == "the site list has no sites"


def test_the_installed_list_is_used_with_the_bundled_others(tmp_path: Path) -> None:
    folder = sites_dir()
    folder.mkdir(parents=True)
    (folder / "wmn-data.json").write_bytes(LIST.read_bytes())
    source = AccountsSource()
    assert source.applies_to(PROFILE)
    names = {site.name for site in source.catalogue().sites}
    assert {"Example Forum", "Example Art API"} <= names  # the installed WhatsMyName copy
    assert "GitHub (User)" not in names  # it replaces the bundled WhatsMyName snapshot
    assert len(names) > 2000  # merged with the bundled Maigret and Sherlock lists
    result, _ = run(source)
    assert [o.value for o in result.observations] == ["https://forum.example.com/u/jtestwell"]


FORUM = "https://forum.example.com/u/jtestwell"
TIED_PAGE = """<html><head><meta property="og:image" content="/a/jtestwell.png"></head><body>
<div itemscope itemtype="https://schema.org/Person"><span itemprop="name">Jordan Testwell</span>
<span itemprop="homeLocation">Springfield, IL</span>
<p itemprop="description">Seed swaps: call 217-555-0188 or write jt.seeds@example.org</p>
<a itemprop="url" href="https://jordantestwell.example.com/">my blog</a></div></body></html>"""
OTHER_PAGE = TIED_PAGE.replace("Jordan Testwell", "Casey Sample")


def forum_with(page: str) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        if str(request.url) == FORUM:
            html = {"content-type": "text/html; charset=utf-8"}
            return httpx.Response(
                200, headers=html, text=f"<title>Profile of jtestwell</title>{page}"
            )
        return forum_only(request)

    return answer


def run_with(page: str) -> SourceResult:
    async def go() -> SourceResult:
        async with mock_http(forum_with(page)) as http:
            return await AccountsSource(load_catalogue(LIST)).search(PROFILE, http)

    return asyncio.run(go())


def test_a_found_account_whose_page_shows_the_name_is_tied_and_read() -> None:
    result = run_with(TIED_PAGE)
    seen = {(o.kind, o.value): o for o in result.observations}
    account = seen[(Kind.ACCOUNT, FORUM)]
    assert account.confidence == TIED
    assert "it shows your name Jordan Testwell" in account.reason
    assert {
        (Kind.REAL_NAME, "Jordan Testwell"),
        (Kind.LOCATION, "Springfield, IL"),
        (Kind.PHONE, "+12175550188"),
        (Kind.EMAIL, "jt.seeds@example.org"),
        (Kind.WEBSITE, "https://jordantestwell.example.com/"),
        (Kind.PHOTO, "https://forum.example.com/a/jtestwell.png"),
    } <= set(seen)
    for o in result.observations:
        assert o.source.url == FORUM
        assert o.removal[0].action == "Edit or delete your Example Forum profile"
    forum = next(a for a in result.accounts if a.site == "Example Forum")
    assert forum.details["profile"].startswith("tied: it shows your name")
    assert result.notes[-1] == "1 found account page(s) opened: 1 readable, 1 tied to you"


def test_someone_elses_page_under_the_same_name_shows_nothing_of_theirs() -> None:
    result = run_with(OTHER_PAGE)
    (only,) = result.observations
    assert (only.kind, only.confidence) == (Kind.ACCOUNT, UNTIED)
    text = " ".join(f"{o.value} {o.evidence} {o.reason}" for o in result.observations)
    assert "Casey" not in text
    assert "555-0188" not in text
    forum = next(a for a in result.accounts if a.site == "Example Forum")
    assert forum.details["profile"] == "read: nothing on it ties it to you"
    assert "Casey" not in " ".join(forum.details.values())


def test_only_so_many_found_pages_are_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "MAX_PROFILES", 0)
    result = run_with(TIED_PAGE)
    (only,) = result.observations
    assert only.confidence == UNTIED
    assert not any("opened" in note for note in result.notes)


def test_a_tied_accounts_details_carry_their_ties_and_teach_the_identity() -> None:
    from scanner.identity import Identity
    from scanner.identity.learn import learn

    result = run_with(TIED_PAGE)
    assert all(o.ties for o in result.observations)
    learned = learn(result.observations, Identity.from_profile(PROFILE))
    assert "jt.seeds@example.org" in {k.value for k in learned}


def test_an_untied_hit_teaches_nothing() -> None:
    from scanner.identity import Identity
    from scanner.identity.learn import learn

    result = run_with(OTHER_PAGE)
    assert not learn(result.observations, Identity.from_profile(PROFILE))


DISCOURSE = Catalogue(
    (Site("Privacy Guides", "https://discuss.example/u/{account}", e_code=200, m_code=404),),
    "test",
)
DISCOURSE_USER = (Path(__file__).parent.parent / "sites/reader_fixtures/discourse.json").read_text()


def discourse(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/u/jtestwell":
        return httpx.Response(200, text="<title>jtestwell</title>")
    if request.url.path == "/u/jtestwell.json":
        json = {"content-type": "application/json"}
        return httpx.Response(200, headers=json, text=DISCOURSE_USER)
    return httpx.Response(404, text="no")


def test_a_shared_platforms_reader_reads_the_public_api() -> None:
    async def go() -> tuple[SourceResult, list[str]]:
        async with mock_http(discourse) as http:
            result = await AccountsSource(DISCOURSE).search(PROFILE, http)
            return result, [str(r.url) for r in http.sent]

    result, sent = asyncio.run(go())
    assert "https://discuss.example/u/jtestwell.json" in sent
    seen = {(o.kind, o.value) for o in result.observations}
    assert (Kind.LOCATION, "Springfield, IL") in seen
    assert (Kind.WEBSITE, "https://jordan.example.org") in seen
    account = next(a for a in result.accounts if a.site == "Privacy Guides")
    assert account.details["reader"] == "the Discourse reader (recorded capture)"


def test_a_reader_that_trips_costs_that_accounts_details_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def tripped(*args: object) -> object:
        raise RecursionError("a page nested too deep")

    monkeypatch.setattr(accounts, "read_account", tripped)
    result = run_with(TIED_PAGE)
    forum = next(a for a in result.accounts if a.site == "Example Forum")
    assert forum.status is AccountStatus.FOUND
    assert "internal error (RecursionError)" in " ".join(forum.details.values())
