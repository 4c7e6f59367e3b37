"""The explicit source registry. A new source is one module here plus one line below."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.errors import InputError
from scanner.sites.catalogue import Catalogue
from scanner.sources.accounts import AccountsSource
from scanner.sources.base import Source
from scanner.sources.brokers import BrokersSource
from scanner.sources.github import GitHubSource
from scanner.sources.gitlab import GitLabSource
from scanner.sources.gravatar import GravatarSource
from scanner.sources.hackernews import HackerNewsSource
from scanner.sources.hibp import HibpSource
from scanner.sources.keybase import KeybaseSource
from scanner.sources.mastodon import MastodonSource
from scanner.sources.openpgp import OpenPGPSource
from scanner.sources.rdap import RdapSource
from scanner.sources.reddit import RedditSource
from scanner.sources.stackexchange import StackExchangeSource
from scanner.sources.websearch import WebSearchSource
from scanner.sources.website import WebsiteSource
from scanner.sources.xposedornot import XposedOrNotSource

SOURCES: tuple[type[Source], ...] = (
    GitHubSource,
    GitLabSource,
    HackerNewsSource,
    RedditSource,
    StackExchangeSource,
    KeybaseSource,
    MastodonSource,
    GravatarSource,
    OpenPGPSource,
    XposedOrNotSource,
    HibpSource,
    RdapSource,
    WebsiteSource,
    AccountsSource,
    WebSearchSource,
    BrokersSource,
)


def all_sources(site_list: Catalogue | None = None) -> list[Source]:
    """One instance of every source; `site_list` replaces the installed list for accounts."""
    return [
        AccountsSource(site_list) if cls is AccountsSource and site_list else cls()
        for cls in SOURCES
    ]


def select_sources(names: Sequence[str] | None, site_list: Catalogue | None = None) -> list[Source]:
    """The sources to run: all of them, or those named (unknown names are input errors)."""
    available = all_sources(site_list)
    if not names:
        return available
    by_name = {source.name: source for source in available}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        known = ", ".join(sorted(by_name))
        raise InputError(f"unknown source {unknown[0]!r} (available: {known})")
    return [by_name[name] for name in dict.fromkeys(names)]
