"""The shared per-identifier loop: partial results survive, a refusal stops all sending."""

from __future__ import annotations

import asyncio
import re

import pytest

from scanner.errors import Blocked, SourceUnavailable
from scanner.identity.accounts import tie_account
from scanner.models import (
    Account,
    AccountStatus,
    Document,
    Field,
    Kind,
    Lead,
    LookedUp,
    Observation,
    Profile,
    SourceRef,
    SourceResult,
)
from scanner.sources import SOURCES
from scanner.sources.base import (
    TIED,
    HandleSource,
    fediverse_handles,
    lookup_each,
    personal_domain,
    pick,
    plain_handles,
    tie,
)
from tests.support import assert_tied


def account(item: str, status: AccountStatus) -> Account:
    return Account("Site", f"https://site.example/{item}", item, status)


def unknown(item: str) -> Account:
    return account(item, AccountStatus.UNKNOWN)


def run(answers: dict[str, Exception | None]) -> tuple[SourceResult, list[str]]:
    asked: list[str] = []

    async def lookup(item: str) -> SourceResult:
        asked.append(item)
        problem = answers[item]
        if problem is not None:
            raise problem
        lead = Lead("emails", f"{item}@example.com", SourceRef("site", "https://site.example"), "")
        return SourceResult(
            accounts=(account(item, AccountStatus.FOUND),), notes=(f"{item} ok",), leads=(lead,)
        )

    result = asyncio.run(
        lookup_each(list(answers), lookup, unknown, ["first note"], field=Field.HANDLES)
    )
    return result, asked


def test_after_a_refusal_nothing_more_is_sent_and_earlier_finds_survive() -> None:
    result, asked = run({"a": None, "b": Blocked("rate limit"), "c": None})
    assert asked == ["a", "b"]
    assert [(a.username, a.status) for a in result.accounts] == [
        ("a", AccountStatus.FOUND),
        ("b", AccountStatus.UNKNOWN),
        ("c", AccountStatus.UNKNOWN),
    ]
    assert result.notes == (
        "first note",
        "b: not checked (rate limit)",
        "c: not checked (rate limit)",
        "a ok",
    )


def test_leads_of_every_lookup_are_kept() -> None:
    result, _ = run({"a": None, "b": SourceUnavailable("HTTP 503"), "c": None})
    assert [lead.value for lead in result.leads] == ["a@example.com", "c@example.com"]


def test_an_unavailable_lookup_does_not_stop_the_next() -> None:
    result, asked = run({"a": SourceUnavailable("HTTP 503"), "b": None})
    assert asked == ["a", "b"]
    assert [a.status for a in result.accounts] == [AccountStatus.UNKNOWN, AccountStatus.FOUND]


def test_when_nothing_was_found_the_first_error_is_raised() -> None:
    with pytest.raises(SourceUnavailable, match="HTTP 503"):
        run({"a": SourceUnavailable("HTTP 503"), "b": Blocked("rate limit")})


# --- who an account belongs to, and which links are personal -------------------------

SUBJECT = Profile(
    names=("Jordan Testwell",),
    aliases=("J. Testwell",),
    handles=("jtestwell", "jt-dev", "jordan@social.example"),
    emails=("jordan@example.com",),
    domains=("testwell.example",),
)


@pytest.mark.parametrize(
    ("texts", "by", "value"),
    [
        (["Hi, I am Jordan Testwell."], "name", "Jordan Testwell"),
        (["by j. testwell"], "name", "J. Testwell"),
        (["Jordan A. Testwell, maker"], "name", "Jordan Testwell"),  # a middle initial
        (["mail me: Jordan@Example.com"], "email", "jordan@example.com"),
        (["", "https://testwell.example/about"], "domain", "testwell.example"),
        (["also jt-dev on GitLab"], "handle", "jt-dev"),
    ],
)
def test_an_account_is_tied_by_what_it_shows(texts: list[str], by: str, value: str) -> None:
    tied = tie_account(SUBJECT, texts, looked_up="jtestwell")
    assert_tied(tied, by=by, value=value)
    assert tied.confidence == TIED
    assert tie(SUBJECT, texts, looked_up="jtestwell") == tied.why  # the clause a reason gives
    assert value in tied.why


@pytest.mark.parametrize(
    "texts",
    [
        ["jtestwell"],  # the handle that found the account proves nothing
        ["Jordan Testwellington"],  # a longer name is someone else
        ["jt-devops engineer"],  # a handle inside a longer word
        [],
        [""],
    ],
)
def test_tie_finds_nothing_in_unrelated_text(texts: list[str]) -> None:
    assert tie(SUBJECT, texts, looked_up="jtestwell") == ""


def test_handles_split_into_site_usernames_and_fediverse_addresses() -> None:
    assert plain_handles(SUBJECT) == ["jtestwell", "jt-dev"]
    assert fediverse_handles(SUBJECT) == ["jordan@social.example"]


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.Testwell.example/blog", "testwell.example"),
        ("testwell.example", "testwell.example"),
        ("https://jtestwell.github.io/", ""),  # GitHub's, not the subject's
        ("https://github.com/jtestwell", ""),
        ("https://linktr.ee/jtestwell", ""),
        ("http://127.0.0.1:8080/", ""),
        ("http://[::1]/", ""),
        ("http://printer.local/", ""),
        ("https://intranet/", ""),
        ("not a url at all", ""),
        ("http://[broken/", ""),
    ],
)
def test_personal_domain_skips_platforms_and_private_names(url: str, domain: str) -> None:
    assert personal_domain(url) == domain


def test_pick_drops_repeats_rejects_by_the_rules_and_caps() -> None:
    rule = re.compile(r"[A-Za-z]{3,8}")
    picked, notes = pick(["alice", "ALICE", "x", "bob", "carol", "dave"], "Site", 3, valid=rule)
    assert picked == ["alice", "bob", "carol"]  # "ALICE" repeats "alice"; "x" breaks the rule
    assert notes == [
        "'x' cannot be a Site username; not checked on Site",
        "Site: only the first 3 handles were checked; not checked: dave",
    ]


def test_pick_keeps_case_where_the_site_does() -> None:
    picked, notes = pick(["jl", "JL", "jl"], "HN", 5, case_sensitive=True)
    assert picked == ["jl", "JL"]
    assert notes == []


def test_handle_sources_skip_a_profile_with_only_fediverse_addresses() -> None:
    fediverse_only = Profile(handles=("jtestwell@mastodon.example",))
    plain = Profile(handles=("jtestwell",))
    handle_sources = [cls() for cls in SOURCES if issubclass(cls, HandleSource)]
    assert {s.name for s in handle_sources} >= {
        "github", "gitlab", "hackernews", "reddit", "keybase", "stackexchange",
    }  # fmt: skip
    for source in handle_sources:
        assert not source.applies_to(fediverse_only), source.name
        assert source.applies_to(plain), source.name


def test_each_lookup_marks_what_it_found_with_the_identifier_looked_up() -> None:
    async def lookup(item: str) -> SourceResult:
        seen = Observation(
            Kind.ACCOUNT, item, SourceRef("site", "https://site.example/p"), "", 0.5, ""
        )
        bio = Document("https://site.example/p", "bio", "bio", 0.5, "")
        return SourceResult(observations=(seen,), documents=(bio,))

    result = asyncio.run(lookup_each(["a", "b"], lookup, unknown, field=Field.EMAILS))
    assert [o.source.looked_up for o in result.observations] == [
        (LookedUp(Field.EMAILS, "a"),),
        (LookedUp(Field.EMAILS, "b"),),
    ]
    assert [d.looked_up for d in result.documents] == [
        (LookedUp(Field.EMAILS, "a"),),
        (LookedUp(Field.EMAILS, "b"),),
    ]
    # what was looked up is not part of where it was seen
    assert result.observations[0].source == SourceRef("site", "https://site.example/p")
