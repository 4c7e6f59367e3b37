"""The bundled demo world: GitHub and Gravatar's part in detail, and that it is fictional.

The whole world (every source and the leads they follow) is checked by the full demo scan
in tests/test_report_json.py and tests/test_cli.py."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from scanner.extract.emails import find_emails
from scanner.extract.phones import find_phones
from scanner.http import Http
from scanner.models import AccountStatus, Kind, SourceResult
from scanner.replay import ReplayTransport, url_key
from scanner.sources.github import GitHubSource
from scanner.sources.gravatar import GravatarSource
from tests.support import FAST, JORDAN, ROOT

WORLD = ROOT / "demo_world"


def scan() -> tuple[SourceResult, SourceResult, ReplayTransport, Http]:
    transport = ReplayTransport(WORLD)

    async def go() -> tuple[SourceResult, SourceResult, Http]:
        async with Http(FAST, transport=transport) as http:
            github = await GitHubSource().search(JORDAN, http)
            gravatar = await GravatarSource().search(JORDAN, http)
            return github, gravatar, http

    github, gravatar, http = asyncio.run(go())
    return github, gravatar, transport, http


def pairs(result: SourceResult) -> set[tuple[Kind, str]]:
    return {(o.kind, o.value) for o in result.observations}


def test_every_request_is_in_the_world() -> None:
    _, _, transport, http = scan()
    assert transport.unmatched == []
    sent = {url_key(r.method, r.url) for r in http.sent}
    manifest = json.loads((WORLD / "world.json").read_text(encoding="utf-8"))
    ours = {
        url_key(entry.get("method", "GET"), entry["url"])
        for entry in manifest["responses"]
        if str(entry.get("body", "")).startswith(("github/", "gravatar/"))
    }
    assert sent == ours  # and every GitHub/Gravatar response in the world is used
    assert len(http.sent) == 9
    assert sorted(r.status or 0 for r in http.sent) == [200] * 8 + [409]


def test_github_story() -> None:
    github, _, _, _ = scan()
    found = pairs(github)
    assert {
        (Kind.REAL_NAME, "Jordan Testwell"),
        (Kind.EMPLOYER, "acme-example"),
        (Kind.WEBSITE, "https://jordantestwell.example.com"),
        (Kind.LOCATION, "Springfield, IL"),
        (Kind.EMAIL, "jordan.testwell@example.com"),  # public profile email
        (Kind.EMAIL, "jordan.t.personal@example.net"),  # GPG key and commits
        (Kind.EMAIL, "j.testwell@oldjob.example.org"),  # 2018 commit
        (Kind.REAL_NAME, "J. Testwell"),
        (Kind.ACCOUNT, "https://github.com/jtestwell"),
        (Kind.ACCOUNT, "https://mastodon.example/@jtestwell"),
    } <= found
    assert not any("noreply" in value for _, value in found)
    gpg = [o for o in github.observations if o.source.url == "https://github.com/jtestwell.gpg"]
    assert [o.value for o in gpg] == ["jordan.t.personal@example.net"]
    commit_sources = {o.source.url.rsplit("/commit/", 1)[0] for o in github.observations}
    assert "https://github.com/jtestwell/awesome-raised-beds" not in commit_sources  # a fork
    assert github.accounts[0].details["public_ssh_keys"] == "2"
    assert github.notes == ()  # the empty dotfiles repository (409) is fine
    (bio,) = github.documents
    assert [p.value for p in find_phones(bio.text)] == ["+12175550142"]
    assert [e.value for e in find_emails(bio.text)] == ["jt.garden@example.org"]


def test_gravatar_story() -> None:
    _, gravatar, _, _ = scan()
    found = pairs(gravatar)
    assert {
        (Kind.REAL_NAME, "Jordan Testwell"),
        (Kind.LOCATION, "Springfield, Illinois"),
        (Kind.EMPLOYER, "Acme Example Co"),
        (Kind.ACCOUNT, "https://github.com/jtestwell"),
        (Kind.ACCOUNT, "https://mastodon.example/@jtestwell"),
    } <= found
    assert not any("tumblr" in value for _, value in found)  # hidden on the profile
    assert gravatar.accounts[0].status is AccountStatus.FOUND
    (about,) = gravatar.documents
    assert "Oak Street Community Garden" in about.text


def test_world_files_are_all_referenced_and_fictional() -> None:
    manifest = json.loads((WORLD / "world.json").read_text(encoding="utf-8"))
    bodies = {entry["body"] for entry in manifest["responses"] if entry.get("body")}
    files = {
        str(path.relative_to(WORLD))
        for path in WORLD.rglob("*")
        if path.is_file() and path.name not in ("world.json", "sites.json")
    }
    assert files <= bodies  # no orphan body files
    photos = {name for name in files if name.endswith(".jpg")}
    assert photos == {"web/garden.jpg"}  # made by tests/photo_maker.py: fictional camera
    assert b"ExampleCam" in Path(WORLD, "web/garden.jpg").read_bytes()
    text = "\n".join(
        Path(WORLD, name).read_text(encoding="utf-8")
        for name in [*sorted(files - photos), "sites.json"]
    )
    assert "555-0142" in text
    for real in ("octocat", "@gmail.com", "@github.com>", "Lovelace", "derrickoswald", "Gargron"):
        assert real not in text
    hosts = set(re.findall(r"https?://([a-z0-9.-]+)", text))
    assert hosts, "no URLs read: the check below would prove nothing"
    fictional = (".example", ".example.com", ".example.net", ".example.org", "example.com")
    platforms = ("github.com", "avatars.githubusercontent.com", "gravatar.com")
    # WebFinger rel names, the XHTML doctype, the schema.org vocabulary: names, not places
    protocols = ("webfinger.net", "ostatus.org", "www.w3.org", "schema.org")
    for host in hosts:
        assert host.endswith((*fictional, *platforms, *protocols)), host
