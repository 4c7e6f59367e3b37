"""The shared per-identifier loop: partial results survive, a refusal stops all sending."""

from __future__ import annotations

import asyncio

import pytest

from scanner.errors import Blocked, SourceUnavailable
from scanner.models import Account, AccountStatus, SourceResult
from scanner.sources.base import lookup_each


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
        return SourceResult(accounts=(account(item, AccountStatus.FOUND),), notes=(f"{item} ok",))

    result = asyncio.run(lookup_each(list(answers), lookup, unknown, ["first note"]))
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


def test_an_unavailable_lookup_does_not_stop_the_next() -> None:
    result, asked = run({"a": SourceUnavailable("HTTP 503"), "b": None})
    assert asked == ["a", "b"]
    assert [a.status for a in result.accounts] == [AccountStatus.UNKNOWN, AccountStatus.FOUND]


def test_when_nothing_was_found_the_first_error_is_raised() -> None:
    with pytest.raises(SourceUnavailable, match="HTTP 503"):
        run({"a": SourceUnavailable("HTTP 503"), "b": Blocked("rate limit")})
