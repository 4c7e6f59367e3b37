"""Account discovery as a scan source: the site list, every plain handle, untied hits."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from scanner.models import AccountStatus, Kind, Profile, SourceResult
from scanner.sites.catalogue import load_catalogue
from scanner.sites.update import sites_dir
from scanner.sources.accounts import AccountsSource
from scanner.sources.base import UNTIED
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
    )


def test_without_a_site_list_it_does_not_run_and_says_how_to_get_one() -> None:
    source = AccountsSource()
    assert not source.applies_to(PROFILE)
    assert source.skip_reason(PROFILE) == (
        "no site list yet: run `exposure-audit sites update` once"
    )
    assert source.skip_reason(Profile(names=("A B",))) == "the profile has no handles"


def test_the_installed_list_is_used(tmp_path: Path) -> None:
    folder = sites_dir()
    folder.mkdir(parents=True)
    (folder / "wmn-data.json").write_bytes(LIST.read_bytes())
    source = AccountsSource()
    assert source.applies_to(PROFILE)
    result, _ = run(source)
    assert [o.value for o in result.observations] == ["https://forum.example.com/u/jtestwell"]
