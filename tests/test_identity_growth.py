"""The identity grows during a scan: what tied sightings show is known to the next wave and to
the final reading of every page, so records the subject's own input could not tie are tied."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx

from scanner.http import Http
from scanner.identity import Identity
from scanner.identity.learn import birth_year_of, learn
from scanner.models import (
    GIVEN,
    Kind,
    Location,
    Observation,
    PageText,
    Profile,
    ScanResult,
    SourceRef,
    SourceResult,
    Tie,
    TieKind,
)
from scanner.pipeline import run_scan
from scanner.report.html import render_html
from scanner.report.json import report_dict
from scanner.sources.base import Source
from tests.support import mock_http

TALIA = Profile(names=("Talia Brennecke",), handles=("tbrennecke",), emails=("talia@example.com",))
ACCOUNT = "https://code.example/tbrennecke"
BY_HANDLE = (Tie(kind=TieKind.HANDLE, value="tbrennecke"),)
BY_NAME = (Tie(kind=TieKind.NAME, value="Talia Brennecke"),)
WEAKLY = (Tie(kind=TieKind.CITY, value="Madison, WI"),)


def seen(kind: Kind, value: str, ties: tuple[Tie, ...], confidence: float = 0.85) -> Observation:
    return Observation(kind, value, SourceRef("code", ACCOUNT), value, confidence, "", ties=ties)


# --- what a sighting teaches ---------------------------------------------------------------


def test_a_tied_account_teaches_its_city_email_phone_employer_and_site() -> None:
    learned = learn(
        [
            seen(Kind.LOCATION, "Madison, WI", BY_NAME),
            seen(Kind.EMAIL, "t.b@work.example", BY_NAME),
            seen(Kind.PHONE, "+16085550143", BY_HANDLE),
            seen(Kind.EMPLOYER, "Stonebridge Geo", BY_NAME),
            seen(Kind.WEBSITE, "https://lakeside.example/", BY_NAME),
            seen(Kind.WEBSITE, "https://github.com/tbrennecke", BY_NAME),  # a platform's
        ],
        Identity.from_profile(TALIA),
    )
    assert [(k.kind.value, k.value) for k in learned] == [
        ("city", "Madison, WI"),
        ("email", "t.b@work.example"),
        ("phone", "+16085550143"),
        ("affiliation", "Stonebridge Geo"),
        ("domain", "lakeside.example"),
    ]
    city = learned[0]
    assert (city.text, city.region, city.origin) == ("Madison", "WI", "code.example/tbrennecke")


def test_weak_untied_or_doubtful_sightings_teach_nothing() -> None:
    identity = Identity.from_profile(TALIA)
    assert learn([seen(Kind.LOCATION, "Tucson, AZ", WEAKLY)], identity) == ()
    assert learn([seen(Kind.LOCATION, "Tucson, AZ", ())], identity) == ()
    assert learn([seen(Kind.LOCATION, "Tucson, AZ", BY_NAME, confidence=0.55)], identity) == ()


def test_what_is_already_known_is_not_learned_again() -> None:
    identity = Identity.from_profile(TALIA)
    assert learn([seen(Kind.EMAIL, "TALIA@example.com", BY_NAME)], identity) == ()


def test_a_birth_year_only_from_tied_ages_that_agree() -> None:
    today = date(2026, 12, 7)
    agree = [seen(Kind.AGE, "35", BY_HANDLE), seen(Kind.BIRTHDATE, "1991-06", BY_NAME)]
    assert birth_year_of(agree, today) == 1991
    disagree = [seen(Kind.AGE, "35", BY_HANDLE), seen(Kind.AGE, "61", BY_HANDLE)]
    assert birth_year_of(disagree, today) is None
    assert birth_year_of([seen(Kind.AGE, "35", WEAKLY)], today) is None


def test_a_learned_tie_says_where_it_came_from() -> None:
    learned = learn([seen(Kind.LOCATION, "Madison, WI", BY_NAME)], Identity.from_profile(TALIA))
    profile = Profile(names=TALIA.names, learned=learned)
    (city,) = Identity.from_profile(profile).of(TieKind.CITY)
    tie = Tie(kind=city.kind, value=city.value, origin=city.origin)
    assert tie.phrase == "your city Madison, WI (seen on code.example/tbrennecke)"
    assert Tie(kind=TieKind.EMAIL, value="x@example.com", origin=GIVEN).phrase == (
        "your email x@example.com"
    )


# --- in a scan ------------------------------------------------------------------------------

CARDS = """Results for Talia Brennecke
Talia Brennecke, 35 | Madison, WI | 2417 Quillfeather Ln, Madison, WI 53704 | (608) 555-0143
Talia Brennecke, 61 | Tucson, AZ | 9 Saguaro Way, Tucson, AZ 85701 | (520) 555-0188
"""


class Account(Source):
    """The subject's own account (tied by the handle that found it): it shows the city."""

    name = "code"
    title = "Code site"
    needs = frozenset({"handles"})

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        return SourceResult(observations=(seen(Kind.LOCATION, "Madison, WI", BY_HANDLE),))


class PeopleSearch(Source):
    """A page of cards for everyone with the name: nothing the subject typed is on it."""

    name = "people"
    title = "People search"
    needs = frozenset({"names"})

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        page = PageText(SourceRef("people", "https://people.example/talia-brennecke"), CARDS)
        return SourceResult(pages=(page,))


def scan(*sources: Source) -> ScanResult:
    async def go() -> ScanResult:
        async with mock_http(lambda request: httpx.Response(404)) as http:
            return await run_scan(TALIA, sources, http)

    return asyncio.run(go())


def test_the_card_in_the_city_the_account_shows_is_the_subjects_and_the_other_is_not() -> None:
    result = scan(Account(), PeopleSearch())
    shown = {(f.kind, f.value) for f in result.findings}
    assert (Kind.HOME_ADDRESS, "2417 Quillfeather Ln, Madison, WI 53704") in shown
    assert (Kind.PHONE, "+16085550143") in shown
    assert all("Tucson" not in f.value and "Saguaro" not in f.value for f in result.findings)
    assert (Kind.PHONE, "+15205550188") not in shown
    assert result.namesakes == 1
    home = next(f for f in result.findings if f.kind is Kind.HOME_ADDRESS)
    (tie,) = home.ties  # the finding says why it is the subject's, and where that was learned
    assert tie.phrase == "your city Madison, WI (seen on code.example/tbrennecke)"


def test_without_what_the_account_shows_the_cards_stay_unclear() -> None:
    result = scan(PeopleSearch())
    assert result.findings == ()  # a name alone ties nothing: no card is shown


def test_the_final_reading_uses_what_pages_taught_each_other() -> None:
    # the first card is tied by the email; its phone then ties a card on another page
    first = "Talia Brennecke | talia@example.com | (608) 555-0143 | age 35\n"
    second = "Talia Brennecke | (608) 555-0143 | 2417 Quillfeather Ln, Madison, WI 53704\n"

    class TwoPages(Source):
        name = "pages"
        title = "Pages"
        needs = frozenset({"names"})

        async def search(self, profile: Profile, http: Http) -> SourceResult:
            return SourceResult(
                pages=(
                    PageText(SourceRef("pages", "https://a.example/1"), second),
                    PageText(SourceRef("pages", "https://b.example/2"), first),
                )
            )

    result = scan(TwoPages())
    home = next(f for f in result.findings if f.kind is Kind.HOME_ADDRESS)
    assert home.sources[0].url == "https://a.example/1"


def test_the_report_names_each_tie() -> None:
    result = scan(Account(), PeopleSearch())
    report = report_dict(result)
    home = next(f for f in report["findings"] if f["kind"] == "home_address")
    assert home["ties"] == [
        {"kind": "city", "value": "Madison, WI", "origin": "code.example/tbrennecke"}
    ]
    assert "shown with your city Madison, WI (seen on code.example/tbrennecke)" in render_html(
        result
    )


# --- searched with what was learned ----------------------------------------------------------


class Search(Source):
    """Records what each run of a web-search-like source was asked to look up."""

    name = "search"
    title = "Search"
    needs = frozenset({"names", "phones", "locations", "affiliations"})

    def __init__(self) -> None:
        self.asked: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = []

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        places = tuple(str(place) for place in profile.locations)
        self.asked.append((places, profile.phones, profile.affiliations))
        return SourceResult()


class Card(Source):
    """The subject's own account: it shows the city, a phone and the employer."""

    name = "code"
    title = "Code site"
    needs = frozenset({"handles"})

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        return SourceResult(
            observations=(
                seen(Kind.LOCATION, "Madison, WI", BY_HANDLE),
                seen(Kind.PHONE, "+16085550143", BY_HANDLE),
                seen(Kind.EMPLOYER, "Stonebridge Geo", BY_HANDLE),
                seen(Kind.LOCATION, "Tucson, AZ", WEAKLY),  # weakly tied: teaches nothing
            )
        )


def test_the_next_wave_searches_the_learned_city_phone_and_employer() -> None:
    search = Search()
    result = scan(Card(), search)
    assert search.asked == [
        ((), (), ()),  # the subject gave no place, phone or employer
        (("Madison, WI",), (), ()),
        ((), ("+16085550143",), ()),
        ((), (), ("Stonebridge Geo",)),
    ]
    learned = [(p.field, p.value, p.found_by) for p in result.leads]
    assert learned == [
        ("locations", "Madison, WI", "code"),
        ("phones", "+16085550143", "code"),
        ("affiliations", "Stonebridge Geo", "code"),
    ]
    assert result.leads[0].reason == "Madison, WI is yours: shown on code.example/tbrennecke"


def test_what_the_subject_gave_is_not_searched_again_as_learned() -> None:
    search = Search()
    given = Profile(
        names=TALIA.names,
        handles=TALIA.handles,
        phones=("+16085550143",),
        locations=(Location("Madison", "WI"),),
    )

    async def go() -> ScanResult:
        async with mock_http(lambda request: httpx.Response(404)) as http:
            return await run_scan(given, (Card(), search), http)

    result = asyncio.run(go())
    assert [(p.field, p.value) for p in result.leads] == [("affiliations", "Stonebridge Geo")]
