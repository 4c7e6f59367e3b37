"""People-search source: "check this yourself" entries, prefilled links, and no network."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from scanner.brokers.catalogue import Broker, OptOut, Search, load_brokers
from scanner.http import Http
from scanner.models import AccountStatus, Location, Profile, SourceResult
from scanner.sources.brokers import BrokersSource, split_name
from tests.support import mock_http

JORDAN = Profile(
    names=("Jordan Quinn Testwell",),
    emails=("jordan.testwell@example.com",),
    phones=("+12175550123",),
    handles=("jtestwell",),
    locations=(Location("Springfield", "IL"), Location("Peoria", "IL")),
)
TEMPLATE = "https://people.example.com/find?first={first}&last={last}&where={city}%2C%20{state}"


def _broker(
    ident: str,
    template: str | None,
    *,
    url: str | None = "",
    method: str = "online form",
    email: str | None = None,
    requires: tuple[str, ...] = (),
    notes: str = "",
) -> Broker:
    opt_out = OptOut(
        url=f"https://{ident}.example.com/optout" if url == "" else url,
        method=method,
        email=email,
        requires=requires,
        process="search-first",
        form_working=None,
        how="Find your listing, then ask for its removal.",
        notes=notes,
    )
    return Broker(
        id=ident,
        name=ident.title(),
        url=f"https://{ident}.example.com/",
        country="US",
        parent=None,
        shows=(),
        search=Search(template, "url" if template else "on-site"),
        opt_out=opt_out,
        automation="check-yourself",
        source="data-brokers/brianreumere-data-brokers/data/example.yaml",
        also_from=(),
        checked_on=None,
    )


def _no_network() -> tuple[Http, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        pytest.fail(f"the brokers source sent a request: {request.url}")

    return mock_http(handler), sent


def _run(profile: Profile, source: BrokersSource | None = None) -> SourceResult:
    http, sent = _no_network()
    result = asyncio.run((source or BrokersSource()).search(profile, http))
    assert sent == []
    return result


def test_every_catalogued_site_is_listed_to_check_yourself() -> None:
    result = _run(JORDAN)
    catalogue = load_brokers()
    assert len(result.accounts) == len(catalogue) >= 40
    assert [a.site for a in result.accounts] == [b.name for b in catalogue]
    assert {a.status for a in result.accounts} == {AccountStatus.UNKNOWN}
    assert all(a.details["check"] == "check this yourself" for a in result.accounts)
    assert all(a.username == "Jordan Quinn Testwell" for a in result.accounts)
    assert result.notes[0] == f"{len(catalogue)} people-search sites to check yourself"
    assert "No people-search page was fetched" in result.notes[1]
    assert not any("not found" in note.casefold() for note in result.notes)
    assert result.observations == ()
    assert result.leads == ()


def test_catalogue_entries_carry_their_opt_out() -> None:
    result = _run(JORDAN)
    spokeo = next(a for a in result.accounts if a.site == "Spokeo")
    assert spokeo.url == "https://www.spokeo.com/"
    assert spokeo.details["search"] == "search on the site yourself: https://www.spokeo.com/"
    assert spokeo.details["opt_out"] == "https://www.spokeo.com/optout"
    assert spokeo.details["method"] == "online form"
    radaris = next(a for a in result.accounts if a.site == "Radaris")
    assert radaris.details["opt_out"] == ""
    assert radaris.details["method"] == "email"
    assert radaris.details["email"] == "removals@radaris.com"
    assert radaris.details["requires"] == "id, proof of residency"
    intelius = next(a for a in result.accounts if a.site == "Intelius")
    assert intelius.details["requires"] == "phone"


def test_prefilled_search_uses_first_and_last_word_and_first_location() -> None:
    source = BrokersSource([_broker("finder", TEMPLATE), _broker("plain", None)])
    result = _run(JORDAN, source)
    finder, plain = result.accounts
    expected = (
        "https://people.example.com/find?first=Jordan&last=Testwell&where=Springfield%2C%20IL"
    )
    assert finder.details["search"] == expected
    assert finder.url == expected
    assert plain.details["search"] == "search on the site yourself: https://plain.example.com/"
    assert plain.url == "https://plain.example.com/"
    assert "No site here has a known search address" not in " ".join(result.notes)


def test_prefilled_search_is_percent_encoded() -> None:
    profile = Profile(
        names=("  Zoë   de la Cruz&admin=1 ",),
        locations=(Location("Winston Salem/East", "North Carolina"),),
    )
    [account] = _run(profile, BrokersSource([_broker("finder", TEMPLATE)])).accounts
    assert account.details["search"] == (
        "https://people.example.com/find?first=Zo%C3%AB&last=Cruz%26admin%3D1"
        "&where=Winston%20Salem%2FEast%2C%20North%20Carolina"
    )


def test_links_never_carry_emails_or_phones() -> None:
    source = BrokersSource([_broker("finder", TEMPLATE), *load_brokers()])
    result = _run(JORDAN, source)
    secrets = ("jordan.testwell", "example.com/jordan", "5550123", "555-0123", "jtestwell")
    for account in result.accounts:
        for value in (account.url, *account.details.values()):
            assert not any(secret in value for secret in secrets), (account.site, value)


def test_without_a_location_the_place_is_left_empty() -> None:
    profile = Profile(names=("Avery Sample",))
    [account] = _run(profile, BrokersSource([_broker("finder", TEMPLATE)])).accounts
    assert account.details["search"] == (
        "https://people.example.com/find?first=Avery&last=Sample&where=%2C%20"
    )


def test_email_only_opt_out_and_notes_are_passed_on() -> None:
    broker = _broker(
        "mailer",
        None,
        url=None,
        method="email",
        email="privacy@mailer.example.com",
        requires=("email", "id"),
        notes="The form is reported broken.",
    )
    [account] = _run(JORDAN, BrokersSource([broker])).accounts
    assert account.details == {
        "check": "check this yourself",
        "search": "search on the site yourself: https://mailer.example.com/",
        "opt_out": "",
        "method": "email",
        "requires": "email, id",
        "email": "privacy@mailer.example.com",
        "how": "Find your listing, then ask for its removal.",
        "notes": "The form is reported broken.",
    }


def test_needs_a_name() -> None:
    source = BrokersSource()
    assert source.needs == frozenset({"names"})
    assert not source.applies_to(Profile(emails=("avery@example.net",), handles=("asample",)))
    assert source.applies_to(Profile(names=("Avery Sample",)))
    assert source.skip_reason(Profile()) == "the profile has no names"


def test_a_blank_name_lists_nothing() -> None:
    result = _run(Profile(names=("   ",)))
    assert result.accounts == ()
    assert result.notes == ("people-search sites: no name to look for",)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jordan Testwell", ("Jordan", "Testwell")),
        ("Jordan Quinn Testwell", ("Jordan", "Testwell")),
        ("  Avery   Sample  ", ("Avery", "Sample")),
        ("Cher", ("Cher", "")),
        ("", ("", "")),
    ],
)
def test_split_name(name: str, expected: tuple[str, str]) -> None:
    assert split_name(name) == expected


def test_source_identity() -> None:
    assert BrokersSource.name == "brokers"
    assert BrokersSource.title == "People-search sites"
