"""Web search's pure half: the query plan, result URLs, and what a result shows of you."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scanner.models import Field, Kind, Location, LookedUp, Profile
from scanner.sources.base import TIED, UNTIED
from scanner.sources.websearch_plan import (
    MAX_QUERIES,
    MAX_TERM,
    Query,
    SearchResult,
    from_items,
    observations_in,
    phone_forms,
    place_terms,
    query_plan,
    quoted,
    shown,
    url_key,
    web_url,
)
from tests.support import JORDAN


def texts(profile: Profile) -> list[str]:
    return [query.text for query in query_plan(profile)[0]]


# --- the plan ---------------------------------------------------------------------------


def test_plan_for_a_full_profile_in_order() -> None:
    assert texts(JORDAN) == [
        '"Jordan Testwell" "Springfield" IL',
        '"jordan.testwell@example.com"',
        '"jtestwell"',
        '"(217) 555-0142"',
        '"217-555-0142"',
        '"Jordan Testwell" address',
        '"Jordan Testwell" phone',
        'site:pastebin.com "jordan.testwell@example.com"',
        'site:pastebin.com "jtestwell"',
        'site:justpaste.it "jordan.testwell@example.com"',
        'site:justpaste.it "jtestwell"',
        'site:rentry.co "jordan.testwell@example.com"',
        'site:rentry.co "jtestwell"',
    ]
    assert query_plan(JORDAN)[1] == []


def test_each_query_says_why_and_what_it_is_about() -> None:
    plan, _ = query_plan(JORDAN)
    first, email, handle, phone = plan[:4]
    assert first == Query(
        '"Jordan Testwell" "Springfield" IL',
        "pages that mention Jordan Testwell in Springfield, IL",
        ("Jordan Testwell", "Springfield, IL"),
        (LookedUp(Field.NAMES, "Jordan Testwell"),),
    )
    assert email.about == ("jordan.testwell@example.com",)
    assert email.looked_up == (LookedUp(Field.EMAILS, "jordan.testwell@example.com"),)
    assert handle.looked_up == (LookedUp(Field.HANDLES, "jtestwell"),)
    assert phone.looked_up == (LookedUp(Field.PHONES, "+12175550142"),)
    assert plan[-1].looked_up == (LookedUp(Field.HANDLES, "jtestwell"),)
    assert handle.why == "pages that mention your username"
    assert phone.about == ("+12175550142",)
    assert plan[-1].why == "pastes on rentry.co (dumps and leaks) that show jtestwell"


def test_names_with_each_place_bounded() -> None:
    places = tuple(Location(city, "IL") for city in ("Springfield", "Peoria", "Decatur", "Joliet"))
    profile = Profile(
        names=("Jordan Testwell", "Jordan Q. Testwell", "J. Testwell"), locations=places
    )
    got = texts(profile)
    assert got[:6] == [
        '"Jordan Testwell" "Springfield" IL',
        '"Jordan Testwell" "Peoria" IL',
        '"Jordan Testwell" "Decatur" IL',
        '"Jordan Q. Testwell" "Springfield" IL',
        '"Jordan Q. Testwell" "Peoria" IL',
        '"Jordan Q. Testwell" "Decatur" IL',
    ]
    assert not any("Joliet" in text or "J. Testwell" in text for text in got)


def test_name_alone_without_places_and_places_without_region() -> None:
    assert texts(Profile(names=("Jordan Testwell",)))[0] == '"Jordan Testwell"'
    profile = Profile(names=("Jordan Testwell",), locations=(Location("Springfield"),))
    assert texts(profile)[0] == '"Jordan Testwell" "Springfield"'
    assert place_terms(Location("", "IL")) == '"IL"'
    assert place_terms(Location("New York", "NY", "US")) == '"New York" NY'
    hostile = Location("Springfield", "-site:evil.example")
    assert place_terms(hostile) == '"Springfield" site evil.example'  # no search operators


def test_employer_or_school_when_known() -> None:
    plan, _ = query_plan(replace(JORDAN, affiliations=("Example Bindery", "Springfield College")))
    got = [query.text for query in plan]
    assert got[1:3] == [
        '"Jordan Testwell" "Example Bindery"',
        '"Jordan Testwell" "Springfield College"',
    ]
    assert plan[1].about == ("Jordan Testwell", "Example Bindery")
    no_name, _ = query_plan(Profile(emails=("a@example.com",), affiliations=("Example Bindery",)))
    assert not any("Bindery" in query.text for query in no_name)


def test_emails_quoted_lowercased_and_deduplicated() -> None:
    profile = Profile(emails=("Jordan@Example.com", "jordan@example.com", "j2@example.org"))
    got = texts(profile)
    assert got[:2] == ['"jordan@example.com"', '"j2@example.org"']
    assert got.count('"jordan@example.com"') == 1


def test_handles_fediverse_searched_but_not_on_paste_sites() -> None:
    profile = Profile(handles=("jtestwell", "JTestwell", "jordan@mastodon.example"))
    assert texts(profile) == [
        '"jtestwell"',
        '"jordan@mastodon.example"',
        'site:pastebin.com "jtestwell"',
        'site:justpaste.it "jtestwell"',
        'site:rentry.co "jtestwell"',
    ]


def test_aliases_are_never_searched() -> None:
    profile = Profile(names=("Jordan Testwell",), aliases=("Jo Bookbinder",))
    assert not any("Bookbinder" in text for text in texts(profile))


@pytest.mark.parametrize(
    ("phone", "region", "forms"),
    [
        ("+12175550142", "US", ["(217) 555-0142", "217-555-0142"]),
        ("(217) 555-0199", "US", ["(217) 555-0199", "217-555-0199"]),
        ("+442079460018", "GB", ["020 7946 0018", "+44 20 7946 0018"]),
        ("not a number", "US", ["not a number"]),
        ("  ", "US", []),
    ],
)
def test_phone_forms(phone: str, region: str, forms: list[str]) -> None:
    assert phone_forms(phone, region) == forms


def test_phones_use_the_profile_country() -> None:
    profile = Profile(phones=("+442079460018",), country="GB")
    assert texts(profile) == ['"020 7946 0018"', '"+44 20 7946 0018"']


def test_at_most_max_queries_and_a_note_on_the_rest() -> None:
    profile = Profile(
        names=("Jordan Testwell",),
        emails=tuple(f"j{i}@example.com" for i in range(8)),
        handles=tuple(f"jt{i}" for i in range(4)),
    )
    plan, notes = query_plan(profile)
    assert len(plan) == MAX_QUERIES
    (note,) = notes
    assert note.startswith(f"web search: only the first {MAX_QUERIES} queries were run; not run: ")
    assert 'site:rentry.co "jt3"' in note
    assert 'site:rentry.co "jt3"' not in [q.text for q in plan]
    assert len(query_plan(profile, limit=3)[0]) == 3
    assert query_plan(profile, limit=-1)[0] == []


def test_nothing_to_search() -> None:
    assert query_plan(Profile()) == ([], [])
    assert query_plan(Profile(aliases=("Jo",), locations=(Location("Springfield", "IL"),))) == (
        [],
        [],
    )


def test_terms_are_quoted_safely_and_bounded() -> None:
    assert quoted('Jordan "JT" Testwell') == '"Jordan JT Testwell"'
    assert quoted("  Jordan \n Testwell ") == '"Jordan Testwell"'
    assert len(quoted("x" * 500)) == MAX_TERM + 2
    long = Profile(names=("N" * 200,), locations=(Location("C" * 200, "R" * 200),))
    (first, *_) = texts(long)
    assert len(first) < 500  # DuckDuckGo refuses 500 characters and more


# --- result URLs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://blog.example.com/about/", "https://blog.example.com/about/"),
        ("  http://example.com ", "http://example.com"),
        ("//people.example.net/a", "https://people.example.net/a"),
        ("javascript:alert(1)", ""),
        ("JavaScript:alert(1)", ""),
        ("data:text/html,<b>x</b>", ""),
        ("ftp://files.example.com/x", ""),
        ("/html/?q=jtestwell", ""),
        ("example.com/path", ""),
        ("https://user:secret@example.com/", ""),
        ("https://example.com/a b", ""),
        ("https://example.com/\x00", ""),
        ("https://example.com:99999/", ""),
        ("https://", ""),
        ("https://example.com/" + "a" * 3000, ""),
    ],
)
def test_web_url(url: str, expected: str) -> None:
    assert web_url(url) == expected


def test_url_key_ignores_scheme_www_fragment_port_and_final_slash() -> None:
    same = [
        "https://blog.example.com/about/",
        "http://blog.example.com/about#top",
        "https://www.Blog.Example.com:443/about",
    ]
    assert {url_key(url) for url in same} == {"blog.example.com/about"}
    assert url_key("https://a.example/p?id=1") != url_key("https://a.example/p?id=2")
    assert url_key("https://a.example:8443/p") == "a.example:8443/p"


def test_from_items_takes_only_strings_and_web_links() -> None:
    query = Query('"jtestwell"', "why", ("jtestwell",))
    items = [
        {"url": "https://a.example/", "title": "A\n  title", "content": "Text\x1b[31m"},
        {"url": "javascript:alert(1)", "title": "x", "content": "y"},
        {"url": 42, "title": "x"},
        {"url": "https://b.example/", "title": None, "content": ["not", "text"]},
        "not a dict",
    ]
    assert from_items(items, ("url", "title", "content"), query) == [
        SearchResult(
            "https://a.example/", "A title", "Text\ufffd[31m", '"jtestwell"', ("jtestwell",)
        ),
        SearchResult("https://b.example/", "", "", '"jtestwell"', ("jtestwell",)),
    ]


# --- what a result shows of the subject ----------------------------------------------------


def kinds(profile: Profile, text: str) -> list[tuple[Kind, str]]:
    return [(seen.kind, seen.value) for seen in shown(profile, text)]


def test_shown_finds_the_subjects_own_identifiers() -> None:
    text = (
        "Jordan Testwell, bookbinder in Springfield, IL. Call (217) 555-0142 or write "
        "JORDAN.TESTWELL@example.com; @jtestwell elsewhere."
    )
    assert kinds(JORDAN, text) == [
        (Kind.EMAIL, "jordan.testwell@example.com"),
        (Kind.PHONE, "+12175550142"),
        (Kind.USERNAME, "jtestwell"),
        (Kind.LOCATION, "Springfield, IL"),
    ]
    email, phone, handle, place = shown(JORDAN, text)
    assert (email.confidence, phone.confidence) == (TIED, TIED)
    assert (handle.confidence, place.confidence) == (UNTIED, UNTIED)
    assert place.what == "your name next to Springfield, IL"
    assert "Jordan Testwell, bookbinder in Springfield" in place.evidence


def test_shown_ignores_other_peoples_details() -> None:
    text = (
        "Jordan Testwell of Peoria. Call (217) 555-0199, write casey@example.com, "
        "follow jtestwell2 or xjtestwell or jtestwell.example.net or mail jo@jtestwell"
    )
    assert kinds(JORDAN, text) == []


def test_shown_reads_aliases_too() -> None:
    profile = Profile(aliases=("Jo Bookbinder",), locations=(Location("Springfield", "IL"),))
    assert kinds(profile, "Jo Bookbinder, Springfield") == [(Kind.LOCATION, "Springfield, IL")]


def test_shown_needs_the_name_for_the_city() -> None:
    assert kinds(JORDAN, "Bookbinders of Springfield, IL") == []
    assert kinds(JORDAN, "Springfield, IL: a profile of jordan   testwell") == [
        (Kind.LOCATION, "Springfield, IL")
    ]


def test_observations_in_a_result() -> None:
    result = SearchResult(
        "https://paste.example.net/raw/ab12cd",
        "untitled paste",
        "jtestwell:hunter2",
        'site:pastebin.com "jtestwell"',
    )
    (seen,) = observations_in(JORDAN, result)
    assert (seen.kind, seen.value, seen.confidence) == (Kind.USERNAME, "jtestwell", UNTIED)
    assert (seen.source.name, seen.source.url) == ("websearch", result.url)
    assert seen.evidence == "untitled paste jtestwell:hunter2"
    assert seen.reason == (
        'a web search result shows your username (searching site:pastebin.com "jtestwell")'
    )
    (step,) = seen.removal
    assert step.action == "Ask paste.example.net to remove the page or your details"
    assert step.url == result.url
    assert observations_in(JORDAN, SearchResult("https://a.example/", "x", "y", "q")) == []
