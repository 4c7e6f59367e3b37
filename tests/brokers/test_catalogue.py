"""The people-search catalogue: its shape, its rules, and its facts against the reference."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from scanner.brokers.catalogue import DATA, METHODS, Broker, Search, load_brokers
from tests.support import shared_file

BR = "data-brokers/brianreumere-data-brokers/"


@pytest.fixture(scope="module")
def brokers() -> list[Broker]:
    return load_brokers()


def test_at_least_forty_sites_with_unique_ids(brokers: list[Broker]) -> None:
    assert len(brokers) >= 40
    ids = [b.id for b in brokers]
    assert len(set(ids)) == len(ids)
    names = [b.name.casefold() for b in brokers]
    assert len(set(names)) == len(names)
    assert {"spokeo", "whitepages", "truepeoplesearch", "radaris"} <= set(ids)


def test_every_site_says_how_to_opt_out(brokers: list[Broker]) -> None:
    for b in brokers:
        assert b.opt_out.method in METHODS, b.id
        assert b.opt_out.url or b.opt_out.email, b.id
        if b.opt_out.method == "online form":
            assert b.opt_out.url, b.id
        if b.opt_out.method == "email":
            assert b.opt_out.email, b.id


def test_https_urls_only(brokers: list[Broker]) -> None:
    for b in brokers:
        for url in (b.url, b.opt_out.url, b.search.url_template):
            if url is not None:
                assert urlsplit(url).scheme == "https", (b.id, url)
                assert urlsplit(url).hostname, (b.id, url)


def test_nothing_is_fetched_and_nothing_guessed_by_default(brokers: list[Broker]) -> None:
    assert {b.automation for b in brokers} == {"check-yourself"}
    # The reference documents no search URL pattern: no template may appear from nowhere.
    assert all(b.search.url_template is None and b.search.method == "on-site" for b in brokers)
    assert {b.country for b in brokers} <= {"US", "GB", "CA"}


def test_every_fact_names_a_reference_file(brokers: list[Broker]) -> None:
    allowed = ("data-brokers/brianreumere-data-brokers/", "data-brokers/justvanish/")
    for b in brokers:
        assert b.source.startswith(BR + "data/"), b.id
        assert b.source.endswith(".yaml"), b.id
        for extra in b.also_from:
            assert extra.startswith((*allowed, "data-brokers/themarkup/")), (b.id, extra)
            assert "badbool" not in extra.casefold()
        # A parent, a "shows" list or an opt-out email that is not in the site's own record
        # must come from a registry the entry names.
        if b.parent or b.shows:
            assert b.also_from, b.id


def test_top_level_description_and_licences() -> None:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    assert "check" in data["description"]
    licences = {s["licence"].split()[0] for s in data["sources"]}
    assert licences == {"BSD-2-Clause", "MIT", "BSD-3-Clause"}
    assert not any("badbool" in s["file"].casefold() for s in data["sources"])


# --- against the reference files (skip when ../shared is absent) ----------------------


def _records() -> dict[str, Any]:
    path = shared_file(BR + "brokers.combined.json")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _text(relative: str) -> str:
    path = shared_file(relative)
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return "\n".join(" ".join(row) for row in csv.reader(handle))
    return path.read_text(encoding="utf-8")


def _bare(url: str) -> str:
    return url.removeprefix("https://").removeprefix("http://").removeprefix("www.")


def test_each_entry_matches_its_source_record(brokers: list[Broker]) -> None:
    records = _records()
    for b in brokers:
        key = Path(b.source).stem
        assert key in records, b.id
        shared_file(b.source)  # the file itself exists
        record = records[key]
        assert b.name in record["names"], b.id
        assert b.url == record["url"], b.id
        if "removalUrl" in record and b.opt_out.url:
            same = b.opt_out.url == record["removalUrl"]
            assert same or any(_bare(b.opt_out.url) in _text(f) for f in b.also_from), b.id
        if "process" in record:
            assert b.opt_out.process == record["process"], b.id
        assert set(record.get("requiredVerification", [])) <= set(b.opt_out.requires), b.id
        status = record.get("status", {})
        assert b.checked_on == status.get("asOf"), b.id
        if "working" in status:
            assert b.opt_out.form_working is status["working"], b.id


def test_registry_facts_appear_in_the_files_named(brokers: list[Broker]) -> None:
    records = _records()
    for b in brokers:
        own = json.dumps(records[Path(b.source).stem])
        texts = [own, *(_text(f) for f in b.also_from)]
        haystack = "\n".join(texts).casefold()
        if b.opt_out.url:
            assert _bare(b.opt_out.url).casefold() in haystack, (b.id, b.opt_out.url)
        if b.opt_out.email:
            assert b.opt_out.email.casefold() in haystack, (b.id, b.opt_out.email)
        if b.parent:
            registries = "\n".join(_text(f) for f in b.also_from).casefold()
            assert b.parent.casefold() in registries, (b.id, b.parent)


def test_peopleconnect_fronts_use_its_suppression_page(brokers: list[Broker]) -> None:
    by_id = {b.id: b for b in brokers}
    for ident in ("instantcheckmate", "intelius", "truthfinder", "ussearch"):
        assert by_id[ident].opt_out.url == "https://suppression.peopleconnect.us/login"
        assert by_id[ident].opt_out.requires == ("phone",)
    assert by_id["whitepages"].parent == "Whitepages, Inc."
    assert by_id["radaris"].opt_out.method == "email"
    assert by_id["radaris"].opt_out.email == "removals@radaris.com"
    assert by_id["beenverified"].shows == ("name", "address", "phone")


# --- validation ---------------------------------------------------------------------


def _entry(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "example-people",
        "name": "Example People",
        "url": "https://people.example.com/",
        "country": "US",
        "parent": None,
        "shows": [],
        "search": {"url_template": None, "method": "on-site"},
        "opt_out": {"url": "https://people.example.com/optout", "method": "online form"},
        "automation": "check-yourself",
        "source": BR + "data/example.yaml",
        "checked_on": None,
    }
    entry.update(changes)
    return entry


def _write(tmp_path: Path, *entries: dict[str, Any]) -> Path:
    path = tmp_path / "brokers.json"
    path.write_text(json.dumps({"brokers": list(entries)}), encoding="utf-8")
    return path


def test_a_valid_file_loads(tmp_path: Path) -> None:
    [b] = load_brokers(_write(tmp_path, _entry()))
    assert b.id == "example-people"
    assert b.opt_out.requires == ()
    assert b.also_from == ()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"url": "http://people.example.com/"}, "not an https URL"),
        ({"opt_out": {"url": None, "method": "online form"}}, "needs its url"),
        ({"opt_out": {"url": None, "method": "email"}}, "needs its address"),
        ({"opt_out": {"url": None, "method": "carrier pigeon"}}, "unknown opt-out method"),
        ({"automation": "scrape"}, "unknown automation"),
        ({"checked_on": "last week"}, "checked_on"),
        ({"id": "Bad Id"}, "bad id"),
        (
            {"search": {"url_template": "https://p.example.com/?e={email}", "method": "url"}},
            "placeholders",
        ),
        ({"search": {"url_template": None, "method": "url"}}, "needs a url_template"),
    ],
)
def test_malformed_entries_are_refused(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        load_brokers(_write(tmp_path, _entry(**changes)))


def test_repeated_ids_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="repeated id"):
        load_brokers(_write(tmp_path, _entry(), _entry(name="Other")))


def test_search_fill_percent_encodes_every_value() -> None:
    search = Search("https://people.example.com/name/{first}-{last}/{city}-{state}", "url")
    assert (
        search.fill("Jordan", "O'Testwell&x=1", "St. Louis/East", "MO")
        == "https://people.example.com/name/Jordan-O%27Testwell%26x%3D1/St.%20Louis%2FEast-MO"
    )
    assert Search(None, "on-site").fill("Jordan", "Testwell") is None
