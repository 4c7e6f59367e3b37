"""Profile URLs as handles and links as leads: known patterns only, strictly validated."""

from __future__ import annotations

import pytest

from scanner.models import Lead, SourceRef
from scanner.sources.profile_links import (
    handle_from_url,
    lead_from_link,
    make_lead,
    unique_leads,
)


@pytest.mark.parametrize(
    ("url", "handle"),
    [
        ("https://github.com/asample", "asample"),
        ("https://github.com/a-sample/", "a-sample"),
        ("http://www.github.com/ASample", "ASample"),
        ("github.com/asample", "asample"),  # GitHub's blog field often has no scheme
        ("https://gitlab.com/avery.sample", "avery.sample"),
        ("https://twitter.com/avery_rides", "avery_rides"),
        ("https://x.com/avery_rides", "avery_rides"),
        ("https://mobile.twitter.com/avery_rides", "avery_rides"),
        ("https://www.reddit.com/user/avery-fix", "avery-fix"),
        ("https://old.reddit.com/u/avery_fix/", "avery_fix"),
        ("https://news.ycombinator.com/user?id=averyfix", "averyfix"),
        ("https://keybase.io/averys", "averys"),
        ("https://www.instagram.com/avery.rides/", "avery.rides"),
        ("https://www.twitch.tv/averyrides", "averyrides"),
        ("https://www.tiktok.com/@avery.rides", "avery.rides"),
        ("https://www.youtube.com/@AveryRides", "AveryRides"),
        ("https://medium.com/@averys", "averys"),
        # the fediverse: https://instance/@name -> name@instance
        ("https://mastodon.example/@avery", "avery@mastodon.example"),
        ("https://Social.Example.org/@avery_s/", "avery_s@social.example.org"),
        ("https://mastodon.social/@avery", "avery@mastodon.social"),
    ],
)
def test_known_profile_urls(url: str, handle: str) -> None:
    assert handle_from_url(url) == ("handles", handle)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "https://github.com/",
        "https://github.com/settings",
        "https://github.com/orgs/example",
        "https://github.com/asample/bike-log",  # a repository, not a user
        "https://github.com/-asample",
        "https://github.com/a--sample",
        "https://github.com/asample?tab=repositories",
        "https://github.com/asample#readme",
        "https://x.com/home",
        "https://x.com/i/flow/login",
        "https://twitter.com/name_far_too_long_for_x",
        "https://twitter.com/avery_rides/status/1",
        "https://www.reddit.com/r/bicycling",
        "https://www.reddit.com/user/ab",  # too short for Reddit
        "https://news.ycombinator.com/item?id=12345",
        "https://news.ycombinator.com/user?id=a&id=b",
        "https://news.ycombinator.com/user?id=<script>",
        "https://stackoverflow.com/users/12345/test-user",  # a display-name slug: unsure
        "https://bsky.app/profile/avery.bsky.social",
        "https://www.linkedin.com/in/avery-sample/",
        "https://testuser.wordpress.com",
        "https://testuser.link/bluesky",
        "ftp://github.com/asample",
        "javascript:alert(1)//github.com/asample",
        "https://user:pw@github.com/asample",
        "https://github.com:8443/asample",
        "https://github.com/asample extra",
        "https://github.com/" + "a" * 40,
        "https://mastodon.example/users/avery",  # only when known to be a fediverse link
        "https://mastodon.example/@avery/111222333",  # a post
        "https://mastodon.example/@avery@other.example",
        "https://192.0.2.7/@avery",
        "https://localhost/@avery",
        "https://threads.net/@avery",  # a platform, not an instance
        "https://github.com/@avery",
        "https://mastodon.example/@" + "a" * 70,
        "https://github.com/" + "a/" * 300,
    ],
)
def test_everything_else_is_no_handle(url: str) -> None:
    assert handle_from_url(url) is None


def test_users_path_counts_only_for_known_fediverse_links() -> None:
    url = "https://social.example.org/users/averys"
    assert handle_from_url(url) is None
    assert handle_from_url(url, fediverse=True) == ("handles", "averys@social.example.org")
    assert handle_from_url("https://github.com/users/x", fediverse=True) is None


@pytest.mark.parametrize(
    ("url", "lead"),
    [
        ("https://avery.example.net/about", ("domains", "avery.example.net")),
        ("avery.example.net", ("domains", "avery.example.net")),
        ("https://WWW.Avery.Example.net", ("domains", "avery.example.net")),
        ("https://mastodon.example/@avery", ("handles", "avery@mastodon.example")),
        ("https://github.com/asample", ("handles", "asample")),
        ("https://github.com/asample/bike-log", None),  # a platform page: no domain either
        ("https://asample.github.io", None),
        ("https://bit.ly/avery-links", None),
        ("https://www.linkedin.com/in/avery-sample/", None),
        ("mailto:avery@example.net", None),
        ("https://192.0.2.7/", None),
        ("", None),
    ],
)
def test_lead_from_link(url: str, lead: tuple[str, str] | None) -> None:
    assert lead_from_link(url) == lead


def test_make_lead_validates_and_skips_what_was_looked_up() -> None:
    source = SourceRef("github", "https://github.com/asample")
    lead = make_lead("emails", "Avery@Example.NET", source, "why", "asample")
    assert lead == Lead("emails", "avery@example.net", source, "why", "asample")
    assert make_lead("emails", "not an email", source, "why", "asample") is None
    assert make_lead("handles", "ASample", source, "why", "asample") is None
    assert make_lead("phones", "+15035550117", source, "why", "asample") is None


def test_unique_leads() -> None:
    source = SourceRef("gravatar", "https://gravatar.com/averysample")
    first = Lead("handles", "asample", source, "one")
    again = Lead("handles", "ASAMPLE", source, "two")
    other = Lead("domains", "asample", source, "three")
    assert unique_leads([first, None, again, other]) == (first, other)
