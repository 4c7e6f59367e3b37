"""Per-site readers (scanner/sites/readers.py): each reader on its own real-shaped fixture.

Fixtures in reader_fixtures/ are written in the shape of the shared profile reference, with
fictional values. Each reader must read what its fixture shows, and nothing from an answer
without its markers or naming another account.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.sites.catalogue import Site
from scanner.sites.readers import Reader, load_readers, plan, read, reader_for, readers_info

FIXTURES = Path(__file__).with_name("reader_fixtures")
SITE = "https://jordan.example.org"
NAME = "Jordan Testwell"
PLACE = "Springfield, IL"
EXPECTED: dict[str, dict[str, object]] = {
    "github-user": {"name": NAME, "location": PLACE, "employer": "Example Widgets",
                    "links": (SITE, "https://x.com/jtestwell_x"),
                    "emails": ("jordan.testwell@example.com",), "joined": "2011-01-25",
                    "avatar": "https://avatars.example.com/u/5550101?v=4"},
    "mastodon": {"name": NAME, "bio": "Ferns and maps.", "links": (SITE,),
                 "joined": "2017-04-05"},
    "discourse": {"name": NAME, "location": PLACE, "bio": "Gardener in Springfield.",
                  "avatar": "https://forum.example/user_avatar/forum.example/jtestwell/240/3.png",
                  "joined": "2013-02-03", "links": (SITE,)},
    "codeberg": {"name": NAME, "location": PLACE, "emails": ("jordan.testwell@example.com",),
                 "joined": "2020-05-06", "links": (SITE,), "bio": "Maps."},
    "chess.com": {"name": NAME, "location": PLACE, "joined": "2011-03-13",
                  "links": ("https://twitch.tv/jtestwell",)},
    "keybase": {"name": NAME, "location": PLACE, "bio": "Ferns.", "joined": "2014-05-13",
                "links": ("https://github.com/jtestwell",)},
    "steam": {"name": NAME, "location": "Springfield, Illinois, United States",
              "joined": "2006-09-20", "bio": "No information given."},
    "boardgamegeek": {"name": NAME, "location": "Illinois, United States", "joined": "2014",
                      "links": (SITE,)},
    "telegram": {"name": NAME, "bio": "Ferns in Springfield",
                 "avatar": "https://cdn.telesco.example/file/a.jpg"},
    "bluesky-username": {"name": NAME, "bio": "Ferns and maps", "joined": "2023-04-05"},
    "reddit": {"name": NAME, "bio": "Gardener, Springfield", "joined": "2017-07-14"},
    "hackernews": {"bio": f"Jordan Testwell. Site: {SITE}", "links": (SITE,),
                   "joined": "2007-03-15"},
    "lichess.org": {"name": NAME, "location": PLACE, "bio": "Chess and ferns.",
                    "links": (SITE, "https://github.com/jtestwell"), "joined": "2010-11-22"},
    "rubygems.org": {"emails": ("jordan.testwell@example.com",)},
    "discogs": {"name": NAME, "location": PLACE, "bio": "I collect records.", "links": (SITE,),
                "joined": "2006-02-02"},
    "gitlab": {"name": NAME, "avatar": "https://gitlab.example/uploads/user/avatar/1/cd8.jpeg"},
    "mediawiki": {"joined": "2008-03-04"},
    "inaturalist": {"name": NAME, "joined": "2008-03-20",
                    "avatar": "https://static.inaturalist.example/attachments/users/icons/1/medium.jpg"},
    "dev.to": {"name": NAME, "links": (SITE, "https://x.com/jtestwell_x",
                                       "https://github.com/jtestwell")},
}  # fmt: skip
ANSWER_URL = {"discourse": "https://forum.example/u/jtestwell.json"}


def fixture(reader: Reader) -> str:
    path = next(FIXTURES.glob(f"{reader.site}.*"))
    return path.read_text(encoding="utf-8")


def readers() -> list[Reader]:
    return list(load_readers())


def test_every_reader_has_a_fixture_and_expectations() -> None:
    sites = {reader.site for reader in readers()}
    assert sites == set(EXPECTED)
    assert all(len(list(FIXTURES.glob(f"{site}.*"))) == 1 for site in sites)


@pytest.mark.parametrize("reader", readers(), ids=lambda r: r.site)
def test_reader_reads_its_fixture(reader: Reader) -> None:
    url = ANSWER_URL.get(reader.site, "https://profile.example/jtestwell")
    facts = read(reader, fixture(reader), url, "jtestwell")
    assert facts is not None
    for field, want in EXPECTED[reader.site].items():
        assert getattr(facts, field) == want, field


@pytest.mark.parametrize("reader", readers(), ids=lambda r: r.site)
def test_reader_needs_its_markers(reader: Reader) -> None:
    body = fixture(reader)
    for marker in reader.markers:
        body = body.replace(marker, "")
    assert read(reader, body, "https://profile.example/x", "jtestwell") is None


@pytest.mark.parametrize("reader", [r for r in readers() if r.account], ids=lambda r: r.site)
def test_reader_refuses_another_account(reader: Reader) -> None:
    assert read(reader, fixture(reader), "https://profile.example/x", "someone_else") is None


def test_shared_platforms_are_one_reader_each() -> None:
    mastodon = Site(
        "Mastodon-Example", "https://social.example/api/v1/accounts/lookup?acct={account}"
    )
    reader = reader_for(mastodon, "https://social.example/@jtestwell")
    assert reader is not None
    assert reader.site == "mastodon"
    planned = plan(reader, mastodon, "jtestwell", "https://social.example/@jtestwell")
    assert planned.url == "https://social.example/api/v1/accounts/lookup?acct=jtestwell"
    forum = Site("Privacy Guides", "https://discuss.example/u/{account}.json")
    assert reader_for(forum, "https://discuss.example/u/jtestwell") is not None
    wiki = Site(
        "OpenStreetMap Wiki",
        "https://wiki.example/w/api.php?action=query&list=users&ususers={account}",
    )
    reader = reader_for(wiki, "https://wiki.example/wiki/User:jtestwell")
    assert reader is not None
    assert plan(reader, wiki, "jtestwell", "https://wiki.example/wiki/User:jtestwell").url == (
        "https://wiki.example/w/api.php?action=query&list=users&ususers=jtestwell"
        "&usprop=registration&format=json"
    )


def test_api_requests_are_filled_from_the_account_url() -> None:
    site = Site("Chess.com", "https://api.chess.com/pub/player/{account}")
    reader = reader_for(site, "https://www.chess.com/member/JTestwell")
    assert reader is not None
    assert plan(reader, site, "JTestwell", "https://www.chess.com/member/JTestwell").url == (
        "https://api.chess.com/pub/player/jtestwell"
    )


def test_a_site_without_a_reader_has_none() -> None:
    site = Site("Nowhere", "https://nowhere.example/{account}")
    assert reader_for(site, "https://nowhere.example/jtestwell") is None


def test_readers_info_counts_by_shape() -> None:
    info = readers_info()
    assert sum(info.values()) == len(readers())
    assert set(info) == {"capture", "docs", "derived"}
