"""URLs and @handles."""

from __future__ import annotations

import pytest

from scanner.extract.urls import find_handles, find_urls, trim_url


def urls(text: str) -> list[str]:
    return [e.value for e in find_urls(text)]


def handles(text: str) -> list[str]:
    return [e.value for e in find_handles(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://example.com/jane.", ["https://example.com/jane"]),
        ("(see https://example.com/a_(b)).", ["https://example.com/a_(b)"]),
        ("[blog](https://blog.example.com/x)", ["https://blog.example.com/x"]),
        ("visit www.example.com, or", ["www.example.com"]),
        ("http://example.org/x?y=1#z!", ["http://example.org/x?y=1#z"]),
        ('"https://example.com/q"', ["https://example.com/q"]),
        ("HTTPS://EXAMPLE.COM/Jane", ["HTTPS://EXAMPLE.COM/Jane"]),
        (
            "github.com/jane-example and gitlab.example.com/j",
            ["github.com/jane-example", "gitlab.example.com/j"],
        ),
        ("https://example.com/@jane", ["https://example.com/@jane"]),
        ("dev at http://localhost:8080/x", ["http://localhost:8080/x"]),
    ],
)
def test_urls(text: str, expected: list[str]) -> None:
    assert urls(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "example.com on its own",  # bare domain without a path
        "jane@example.com/path",  # an email's domain
        "https:// nothing",
        "http://localhostish",
        "main.js/x and logo.png/y",  # file names
        "e.g./i.e. and/or",
    ],
)
def test_not_urls(text: str) -> None:
    assert urls(text) == []


def test_trim_url_keeps_balanced_brackets() -> None:
    assert trim_url("https://example.com/(x)") == "https://example.com/(x)"
    assert trim_url("https://example.com/x)]},.;:!?") == "https://example.com/x"


def test_url_offsets() -> None:
    text = "Links: (https://example.com/jane), done"
    (found,) = find_urls(text)
    assert text[found.start : found.end] == found.value == "https://example.com/jane"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Follow @Jane_Doe.", ["jane_doe"]),
        ("(@jane) and @jane.doe, @jane-doe", ["jane", "jane.doe", "jane-doe"]),
        ("@jane@mastodon.example.social", ["jane@mastodon.example.social"]),
        ("Twitter:@jane_example", ["jane_example"]),
        ("mail jane@example.com", []),
        ("example.com/@jane", []),
        ("@2x @everyone @here @media @2021", []),
        ("@" + "a" * 31, []),  # longer than any platform allows
        ("a @ b", []),
    ],
)
def test_handles(text: str, expected: list[str]) -> None:
    assert handles(text) == expected


def test_handle_offsets_include_the_at_sign() -> None:
    text = "by @Jane_Doe!"
    (found,) = find_handles(text)
    assert text[found.start : found.end] == "@Jane_Doe"
