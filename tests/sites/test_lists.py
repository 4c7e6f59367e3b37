"""One catalogue from three lists: the merge, the default selection, installed copies over
the bundled snapshots, `lists_info`, and how fast it loads."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from scanner.sites.catalogue import Site
from scanner.sites.check import never_sent
from scanner.sites.lists import (
    ORDER,
    SiteList,
    bundled_list,
    current_list,
    left_out,
    lists_info,
    merge,
    merged_catalogue,
    site_key,
)
from scanner.sites.update import sites_dir
from tests.support import PAGES, ROOT

WMN = Site(
    name="Example Forum",
    uri_check="https://forum.example.com/u/{account}",
    e_code=200,
    e_string="profile",
    m_code=404,
    m_string="No such member",
    cat="social",
    lists=("wmn",),
)
MAIGRET = Site(
    name="Forum Example",
    uri_check="https://www.forum.example.com/u/{account}/",
    check="status_code",
    cat="forum",
    lists=("maigret",),
)
SHERLOCK = Site(
    name="ForumExample",
    uri_check="https://api.forum.example.com/users/{account}",
    uri_pretty="https://forum.example.com/u/{account}",
    check="status_code",
    lists=("sherlock",),
)


def lists(wmn: list[Site], maigret: list[Site], sherlock: list[Site]) -> list[SiteList]:
    return [
        SiteList("sherlock", tuple(sherlock), "s", False, "2026-05-04", "MIT"),
        SiteList("wmn", tuple(wmn), "w", False, "2026-08-16", "CC BY-SA 4.0"),
        SiteList("maigret", tuple(maigret), "m", False, "2026-08-20", "MIT"),
    ]


def test_one_entry_per_profile_url_shape_with_every_list_recorded() -> None:
    (site,) = merge(lists([WMN], [MAIGRET], [SHERLOCK]))
    assert site.lists == ("wmn", "maigret", "sherlock")  # in ORDER, whatever the input order
    assert site.uri_check == WMN.uri_check  # WhatsMyName's rule first
    assert site.name == "Example Forum"
    assert site_key(MAIGRET) == site_key(WMN) == "forum.example.com/u/{}"


def test_another_lists_rule_is_used_only_when_the_preferred_one_is_unusable() -> None:
    for unusable in (
        replace(WMN, valid=False),
        replace(
            WMN,
            uri_check="https://forum.example.com/register/check?u={account}",  # loud
            uri_pretty=WMN.uri_check,
        ),
        replace(WMN, unsupported="a POST request"),
    ):
        (site,) = merge(lists([unusable], [replace(MAIGRET, disabled=True)], [SHERLOCK]))
        assert site.uri_check == SHERLOCK.uri_check  # Maigret's is disabled: Sherlock's
        assert site.lists == ("wmn", "maigret", "sherlock")
        assert not left_out(site)
    (site,) = merge(lists([replace(WMN, valid=False)], [], []))
    assert site.uri_check == WMN.uri_check  # nothing usable: the first rule is kept
    assert left_out(site) == "disabled in the list its check comes from"


def test_same_host_and_name_merge_other_shapes_stay_apart() -> None:
    gallery = replace(
        MAIGRET, name="Example Forum", uri_check="https://forum.example.com/g/{account}"
    )
    other_query = replace(MAIGRET, uri_check="https://forum.example.com/u/{account}?tab=posts")
    other_host = replace(MAIGRET, uri_check="https://forum.example.org/u/{account}")
    label = replace(
        SHERLOCK, name="example forum", uri_check="https://{account}.forum.example.com/"
    )
    sites = merge(lists([WMN], [gallery, other_query, other_host], [label]))
    assert [(s.uri_check, s.lists) for s in sites] == [
        ("https://forum.example.com/u/{account}", ("wmn", "maigret", "sherlock")),
        ("https://forum.example.com/u/{account}?tab=posts", ("maigret",)),
        ("https://forum.example.org/u/{account}", ("maigret",)),
    ]


def test_the_default_selection_and_include_all() -> None:
    nsfw = replace(MAIGRET, name="Adult", uri_check="https://adult.example.com/{account}")
    flagged = replace(SHERLOCK, uri_check="https://adult.example.com/{account}", uri_pretty=None)
    off = replace(MAIGRET, name="Off", uri_check="https://off.example.com/{account}", disabled=True)
    similar = replace(
        MAIGRET, name="Similar", uri_check="https://s.example.com/{account}", fuzzy=True
    )
    wmn_nsfw = replace(WMN, name="W", uri_check="https://w.example.com/{account}", cat="xx NSFW xx")
    sites = merge(lists([WMN, wmn_nsfw], [nsfw, off, similar], [replace(flagged, nsfw=True)]))
    why = {site.name: left_out(site) for site in sites}
    assert why == {
        "Adult": "NSFW",  # Sherlock says isNSFW, Maigret does not: any list is enough
        "Example Forum": "",
        "Off": "disabled in the list its check comes from",
        "Similar": "a search that also matches similar names",
        "W": "NSFW",
    }


def test_bundled_lists_load_with_their_origin_and_licence() -> None:
    for name, licence in (("wmn", "CC BY-SA 4.0"), ("sherlock", "MIT"), ("maigret", "MIT")):
        item = bundled_list(name)
        assert (item.name, item.licence, item.installed) == (name, licence, False)
        assert len(item.sites) > 400
        assert all(site.lists == (name,) for site in item.sites)
        assert item.date.startswith("2026-")


def test_on_install_the_merged_catalogue_is_the_bundled_lists() -> None:
    catalogue = merged_catalogue()
    assert catalogue.origin == (
        "merged: WhatsMyName (bundled 2026-08-16), Maigret (bundled 2026-08-20), "
        "Sherlock (bundled 2026-05-04)"
    )
    every = merged_catalogue(include_all=True)
    assert len(catalogue.sites) > 2500
    assert len(every.sites) > len(catalogue.sites)
    assert not any(left_out(site) for site in catalogue.sites)
    assert len({site_key(site) for site in every.sites}) == len(every.sites)  # no duplicates
    keys = [(s.name.casefold(), s.uri_check) for s in catalogue.sites]
    assert keys == sorted(keys)
    assert {"wmn", "maigret", "sherlock"} == {name for s in catalogue.sites for name in s.lists}
    github = [s for s in catalogue.sites if site_key(s) == "github.com/{}"]
    assert [(s.lists, s.check) for s in github] == [(("wmn", "maigret", "sherlock"), "wmn")]


def test_an_installed_copy_replaces_its_bundled_snapshot(tmp_path: Path) -> None:
    (tmp_path / "wmn-data.json").write_bytes((PAGES / "sites" / "wmn-shape.json").read_bytes())
    (tmp_path / "sherlock-data.json").write_bytes(
        (PAGES / "sites" / "sherlock-shape.json").read_bytes()
    )
    wmn = current_list("wmn", tmp_path)
    assert (wmn.installed, wmn.origin) == (True, str(tmp_path / "wmn-data.json"))
    assert all(site.lists == ("wmn",) for site in wmn.sites)
    names = {site.name for site in merged_catalogue(folder=tmp_path, include_all=True).sites}
    assert {"Example Forum", "Example Status"} <= names  # the installed WMN and Sherlock
    assert "GitHub (User)" not in names  # the bundled WMN snapshot is not used
    assert "xenforo.com" in names  # the bundled Maigret snapshot still is
    info = lists_info(tmp_path)
    assert [(item["name"], item["installed"]) for item in info["lists"]] == [
        ("wmn", True),
        ("maigret", False),
        ("sherlock", True),
    ]


def test_the_default_folder_is_the_data_folder() -> None:
    folder = sites_dir()
    folder.mkdir(parents=True)
    (folder / "wmn-data.json").write_bytes((PAGES / "sites" / "wmn-shape.json").read_bytes())
    assert "Example Forum" in {site.name for site in merged_catalogue().sites}


def test_an_unreadable_installed_copy_falls_back_to_the_bundled_one(tmp_path: Path) -> None:
    (tmp_path / "maigret-data.json").write_text("{ not json", encoding="utf-8")
    item = current_list("maigret", tmp_path)
    assert not item.installed
    assert item.note.endswith("is not valid JSON; the bundled copy is used")
    (maigret,) = [entry for entry in lists_info(tmp_path)["lists"] if entry["name"] == "maigret"]
    assert maigret["note"] == item.note


def test_lists_info_is_what_sites_info_shows() -> None:
    info = lists_info()
    assert set(info) == {"sites", "checkable", "all", "readers", "reader_shapes", "folder", "lists"}
    assert info["sites"] == len(merged_catalogue().sites)
    assert info["all"] == len(merged_catalogue(include_all=True).sites)
    assert info["checkable"] == sum(1 for s in merged_catalogue().sites if not never_sent(s))
    assert info["checkable"] < info["sites"] < info["all"]
    assert info["readers"] == sum(info["reader_shapes"].values()) > 0
    assert [item["name"] for item in info["lists"]] == list(ORDER)
    for item in info["lists"]:
        assert set(item) == {"name", "title", "sites", "date", "licence", "installed", "path"}
        assert item["licence"] == ("CC BY-SA 4.0" if item["name"] == "wmn" else "MIT")
    json.dumps(info)  # `sites info --json` prints it as it is


def test_loading_the_merged_catalogue_is_fast() -> None:
    merged_catalogue()  # imports done, files in the page cache
    best = min(_timed() for _ in range(3))
    assert best < 0.3, f"merged_catalogue() took {best:.3f} s"


def _timed() -> float:
    from scanner.sites import check

    check._loud_template.cache_clear()  # as in a fresh process
    began = time.perf_counter()
    merged_catalogue()
    return time.perf_counter() - began


def test_nothing_loads_the_lists_at_import_time() -> None:
    probe = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: opened.append(str(args[0])) "
        "if event == 'open' else None)\n"
        "import scanner.sources, scanner.sites.lists, scanner.sites.formats\n"
        "print([p for p in opened if '/sites/lists/' in p])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
