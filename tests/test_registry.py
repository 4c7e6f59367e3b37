"""The source registry: one module, one Source subclass, one line in SOURCES."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
from typing import get_args

import pytest

import scanner.sources
from scanner.errors import InputError
from scanner.models import Profile
from scanner.sources import SOURCES, all_sources, select_sources
from scanner.sources.base import Need, Source

MODULES = sorted(
    info.name
    for info in pkgutil.iter_modules(scanner.sources.__path__)
    if info.name not in ("base", "__init__")
)
PROFILE_FIELDS = {f.name for f in dataclasses.fields(Profile)}


def test_there_are_source_modules() -> None:
    assert {"github", "gravatar"} <= set(MODULES)


def defined_sources(module_name: str) -> list[type[Source]]:
    module = importlib.import_module(f"scanner.sources.{module_name}")
    return [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, Source)
        and obj is not Source
        and obj.__module__ == module.__name__
    ]


@pytest.mark.parametrize("module_name", MODULES)
def test_no_module_defines_an_unregistered_or_second_source(module_name: str) -> None:
    # A module holds one source, or none (a helper such as a source's pure parsers).
    defined = defined_sources(module_name)
    assert len(defined) <= 1, defined
    for cls in defined:
        assert SOURCES.count(cls) == 1, cls
        assert not inspect.isabstract(cls)


def test_every_registered_source_is_the_one_source_of_its_own_module() -> None:
    modules = [cls.__module__ for cls in SOURCES]
    assert len(set(modules)) == len(modules)
    for cls in SOURCES:
        module_name = cls.__module__.rsplit(".", 1)[-1]
        assert module_name in MODULES
        assert defined_sources(module_name) == [cls]
    assert len(SOURCES) == len(set(SOURCES))


def test_names_are_unique_lower_case_ids() -> None:
    names = [cls.name for cls in SOURCES]
    assert len(names) == len(set(names))
    for name in names:
        assert re.fullmatch(r"[a-z][a-z0-9_-]*", name), name


@pytest.mark.parametrize("cls", SOURCES, ids=lambda cls: cls.name)
def test_needs_name_real_profile_fields(cls: type[Source]) -> None:
    assert cls.needs, cls
    assert set(cls.needs) <= PROFILE_FIELDS
    assert set(cls.needs) <= set(get_args(Need))
    assert cls.title.strip()


def test_need_literal_names_only_profile_fields() -> None:
    assert set(get_args(Need)) <= PROFILE_FIELDS


def test_all_sources_are_fresh_instances_in_registry_order() -> None:
    first, second = all_sources(), all_sources()
    assert [type(s) for s in first] == list(SOURCES)
    assert all(a is not b for a, b in zip(first, second, strict=True))


def test_select_all_by_default() -> None:
    assert [s.name for s in select_sources(None)] == [cls.name for cls in SOURCES]
    assert [s.name for s in select_sources([])] == [cls.name for cls in SOURCES]


def test_select_by_name_keeps_order_given_and_drops_repeats() -> None:
    chosen = select_sources(["gravatar", "github", "gravatar"])
    assert [s.name for s in chosen] == ["gravatar", "github"]


def test_select_rejects_unknown_names() -> None:
    with pytest.raises(InputError) as error:
        select_sources(["github", "myspace"])
    known = ", ".join(sorted(cls.name for cls in SOURCES))
    assert str(error.value) == f"unknown source 'myspace' (available: {known})"
    assert "github, gitlab" in known
