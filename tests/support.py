"""Helpers shared by tests: paths, recorded pages, mock transports."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from scanner.http import Http, HttpSettings
from scanner.models import Document, Location, Observation, Profile

ROOT = Path(__file__).resolve().parent.parent
PAGES = Path(__file__).resolve().parent / "pages"
SHARED = ROOT.parent / "shared"

# No waiting in tests: retries happen at once.
FAST = HttpSettings(backoff_initial=0.0, backoff_max=0.0, max_retry_after=0.0)
# Replaying a recorded world: no service to be polite to, so no pacing either (as the CLI).
REPLAY = HttpSettings(backoff_initial=0.0, backoff_max=0.0, max_retry_after=0.0, pacing=False)
# The demo world's fictional subject, as most source tests look them up.
JORDAN = Profile(
    names=("Jordan Testwell",),
    handles=("jtestwell",),
    emails=("jordan.testwell@example.com",),
    phones=("+12175550142",),
    locations=(Location("Springfield", "IL"),),
)


def page(relative: str) -> Any:
    """A recorded response body (JSON) from tests/pages/."""
    return json.loads((PAGES / relative).read_text(encoding="utf-8"))


def page_bytes(relative: str) -> bytes:
    return (PAGES / relative).read_bytes()


def shared_file(relative: str) -> Path:
    """A file in ../shared/reference, or skip: a user's clone has no ../shared."""
    path = SHARED / "reference" / relative
    if not path.is_file():
        pytest.skip(f"reference data not present: {path}")
    return path


def mock_http(
    handler: Callable[[httpx.Request], httpx.Response], settings: HttpSettings = FAST
) -> Http:
    """An Http whose requests go to `handler` instead of the network."""
    return Http(settings, transport=httpx.MockTransport(handler))


def tie_kinds(sighting: Observation | Document | Any) -> list[str]:
    """The kinds of tie a sighting (an Observation, a Document, a page Record) carries."""
    return [tie.kind.value for tie in sighting.ties]


def assert_tied(sighting: Observation | Document | Any, *, by: str, value: str = "") -> None:
    """The sighting is tied to the subject by a tie of kind `by` ("email", "city", …), and
    (when given) that tie is the identifier `value`: tests check the evidence, not the
    English of a reason."""
    ties = [tie for tie in sighting.ties if tie.kind.value == by]
    assert ties, f"not tied by {by}: tied by {tie_kinds(sighting) or 'nothing'}"
    if value:
        values = [tie.value for tie in ties]
        assert value in values, f"tied by {by} {values}, not {value!r}"


def assert_untied(sighting: Observation | Document | Any) -> None:
    assert not sighting.ties, f"unexpectedly tied by {tie_kinds(sighting)}"
