"""removal: every finding leaves with at least one concrete step, source steps first."""

from __future__ import annotations

import pytest

from scanner.models import Kind, RemovalStep
from scanner.removal import (
    BING_CONCERN,
    BREACH_HYGIENE,
    CALIFORNIA_DROP,
    GOOGLE_RESULTS_ABOUT_YOU,
    PHOTO_ADVICE,
    SEPARATE_EMAIL,
    noticeable,
    removal_steps,
)

SITE_STEP = RemovalStep(
    "Edit your public GitHub profile", "Clear the field.", "https://github.com/settings/profile"
)
OTHER_STEP = RemovalStep("Delete the account", "Settings, then delete.")


@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_gets_at_least_one_concrete_step(kind: Kind) -> None:
    steps = removal_steps(kind, ())
    assert len(steps) >= 1
    for step in steps:
        assert step.action.strip()
        assert step.how.strip().endswith(".")
        assert step.url is None or step.url.startswith("https://")


@pytest.mark.parametrize("kind", list(Kind))
def test_source_steps_come_first(kind: Kind) -> None:
    steps = removal_steps(kind, (SITE_STEP, OTHER_STEP))
    assert steps[:2] == (SITE_STEP, OTHER_STEP)


@pytest.mark.parametrize("kind", list(Kind))
def test_no_duplicates(kind: Kind) -> None:
    general = removal_steps(kind, ())
    steps = removal_steps(kind, (SITE_STEP, *general, SITE_STEP, OTHER_STEP))
    assert len(steps) == len(set(steps))
    assert steps == (SITE_STEP, *general, OTHER_STEP)


def test_general_steps_by_kind() -> None:
    assert removal_steps(Kind.HOME_ADDRESS, ()) == (GOOGLE_RESULTS_ABOUT_YOU, BING_CONCERN)
    assert removal_steps(Kind.PHONE, ()) == (GOOGLE_RESULTS_ABOUT_YOU, BING_CONCERN)
    assert removal_steps(Kind.EMAIL, ()) == (
        GOOGLE_RESULTS_ABOUT_YOU,
        BING_CONCERN,
        SEPARATE_EMAIL,
    )
    assert removal_steps(Kind.BREACH, ()) == (BREACH_HYGIENE,)
    assert removal_steps(Kind.PHOTO, ()) == (PHOTO_ADVICE,)
    assert removal_steps(Kind.EMAIL, (SITE_STEP,)) == (
        SITE_STEP,
        GOOGLE_RESULTS_ABOUT_YOU,
        BING_CONCERN,
        SEPARATE_EMAIL,
    )


def test_a_source_step_equal_to_a_general_one_is_listed_once_in_first_place() -> None:
    assert removal_steps(Kind.EMAIL, (SEPARATE_EMAIL, SITE_STEP)) == (
        SEPARATE_EMAIL,
        SITE_STEP,
        GOOGLE_RESULTS_ABOUT_YOU,
        BING_CONCERN,
    )


def test_fallback_names_the_kind_in_words() -> None:
    (step,) = removal_steps(Kind.REAL_NAME, ())
    assert "this real name" in step.how
    assert step.url is None


def test_fallback_only_when_nothing_else() -> None:
    assert removal_steps(Kind.REAL_NAME, (SITE_STEP,)) == (SITE_STEP,)


def test_californians_get_the_one_request_broker_deletion_for_broker_data() -> None:
    assert CALIFORNIA_DROP in removal_steps(Kind.HOME_ADDRESS, (), california=True)
    assert CALIFORNIA_DROP in removal_steps(Kind.PHONE, (), california=True)
    assert CALIFORNIA_DROP not in removal_steps(Kind.HOME_ADDRESS, ())
    assert CALIFORNIA_DROP not in removal_steps(Kind.ACCOUNT, (), california=True)


def test_search_engines_are_asked_for_contact_details() -> None:
    for kind in (Kind.HOME_ADDRESS, Kind.PHONE, Kind.EMAIL):
        steps = removal_steps(kind, ())
        assert GOOGLE_RESULTS_ABOUT_YOU in steps
        assert BING_CONCERN in steps


def test_steps_on_the_subjects_own_accounts_are_marked_noticeable() -> None:
    edit = RemovalStep("Edit or hide this on your Gravatar profile", "Sign in and clear it.")
    delete = RemovalStep("Delete the account", "In settings, delete it.")
    assert noticeable(edit)
    assert noticeable(delete)
    assert noticeable(BREACH_HYGIENE)  # a password change can send mail to a shared inbox
    assert not noticeable(GOOGLE_RESULTS_ABOUT_YOU)
    assert not noticeable(BING_CONCERN)
    assert not noticeable(CALIFORNIA_DROP)
    assert not noticeable(
        RemovalStep("Turn on WHOIS privacy for testwell.example", "At the registrar.")
    )
