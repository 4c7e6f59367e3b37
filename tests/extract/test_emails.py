"""Email extraction: found, normalised, rejected."""

from __future__ import annotations

import pytest

from scanner.extract.emails import find_emails


def values(text: str) -> list[str]:
    return [e.value for e in find_emails(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to jane.doe@example.com today", ["jane.doe@example.com"]),
        ("Mail Jane.Doe@Example.COM.", ["jane.doe@example.com"]),
        ("<jane+news@mail.example.org>", ["jane+news@mail.example.org"]),
        ("mailto:jane@example.com?subject=hi", ["jane@example.com"]),
        ("a@example.com, b@example.net", ["a@example.com", "b@example.net"]),
        ("--jane@example.com", ["jane@example.com"]),
    ],
)
def test_finds_and_lowercases(text: str, expected: list[str]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "logo@2x.png",
        "icon@3x.jpg and sprite@1.5x.webp",
        "photo@example.jpeg",
        "a..b@example.com",
        "jane@localhost",
        "jane@example",
        "jane@-bad.example.com",
        "@jane@mastodon.social",  # a fediverse handle, not an email
        "x" * 70 + "@example.com",  # local part longer than 64
        "no address here",
    ],
)
def test_rejects(text: str) -> None:
    assert values(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jane [at] example [dot] com", "jane@example.com"),
        ("jane(at)example(dot)co(dot)uk", "jane@example.co.uk"),
        ("Jane {AT} Example.org", "jane@example.org"),
    ],
)
def test_bracket_obfuscations(text: str, expected: str) -> None:
    (found,) = find_emails(text)
    assert found.value == expected
    assert (found.start, found.end) == (0, len(text))


def test_plain_words_at_dot_are_not_read() -> None:
    assert values("meet me at home dot com") == []


def test_offsets_cover_the_raw_address() -> None:
    text = "Contact: Jane.Doe@Example.com."
    (found,) = find_emails(text)
    assert text[found.start : found.end] == "Jane.Doe@Example.com"
