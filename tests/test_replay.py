"""Replay worlds: loading, matching, and every way a world can be wrong."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from scanner.errors import InputError
from scanner.http import Http
from scanner.models import SentRequest
from scanner.replay import SCHEMA, Recorded, ReplayTransport, load_world, url_key
from tests.support import FAST, ROOT

USER = {"login": "jtestwell", "name": "Jordan Testwell"}


def write_world(folder: Path, responses: list[Any], files: dict[str, bytes] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    manifest = {"schema": SCHEMA, "description": "test world", "responses": responses}
    (folder / "world.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture
def world(tmp_path: Path) -> Path:
    return write_world(
        tmp_path / "world",
        [
            {
                "method": "GET",
                "url": "https://API.Example.com/users/jtestwell",
                "status": 200,
                "headers": {"content-type": "application/json", "x-ratelimit-remaining": "41"},
                "body": "api/user.json",
            },
            {
                "url": "https://api.example.com/search?sort=pushed&q=jordan+testwell&per_page=10",
                "body": "api/search.json",
            },
            {
                "method": "GET",
                "url": "https://api.example.com/repos/jtestwell/empty/commits",
                "status": 409,
                "headers": {"content-type": "application/json", "etag": 'W/"abc"'},
                "body": "api/empty.json",
            },
            {"method": "post", "url": "https://api.example.com/graphql", "status": 204},
        ],
        {
            "api/user.json": json.dumps(USER).encode(),
            "api/search.json": b'{"total_count": 1}',
            "api/empty.json": b'{"message": "Git Repository is empty."}',
        },
    )


def fetch(
    transport: ReplayTransport, *calls: tuple[str, str, dict[str, str] | None]
) -> tuple[list[httpx.Response], list[SentRequest]]:
    """Send (method, url, params) through an Http wired to the replay transport."""

    async def go() -> tuple[list[httpx.Response], list[SentRequest]]:
        async with Http(FAST, transport=transport) as http:
            responses = [await http.request(m, u, params=p) for m, u, p in calls]
            return responses, http.sent

    return asyncio.run(go())


def one(transport: ReplayTransport, url: str, method: str = "GET") -> httpx.Response:
    responses, _ = fetch(transport, (method, url, None))
    return responses[0]


# --- loading ---------------------------------------------------------------------------


def test_load_world_keys_and_defaults(world: Path) -> None:
    routes = load_world(world)
    assert sorted(routes) == [
        "GET https://api.example.com/repos/jtestwell/empty/commits?",
        "GET https://api.example.com/search?per_page=10&q=jordan+testwell&sort=pushed",
        "GET https://api.example.com/users/jtestwell?",
        "POST https://api.example.com/graphql?",
    ]
    user = routes["GET https://api.example.com/users/jtestwell?"]
    assert user == Recorded(
        200,
        (("content-type", "application/json"), ("x-ratelimit-remaining", "41")),
        json.dumps(USER).encode(),
    )
    search = routes["GET https://api.example.com/search?per_page=10&q=jordan+testwell&sort=pushed"]
    assert (search.status, search.headers) == (200, ())  # status defaults to 200
    assert routes["POST https://api.example.com/graphql?"] == Recorded(204, (), b"")


def test_bundled_demo_world_loads() -> None:
    manifest = json.loads((ROOT / "demo_world" / "world.json").read_text(encoding="utf-8"))
    routes = load_world(ROOT / "demo_world")
    prefixes = [r for r in manifest["responses"] if r.get("match") == "prefix"]
    assert len(routes) + len(prefixes) == len(manifest["responses"])  # one entry per request
    assert routes["GET https://api.github.com/users/jtestwell?"].status == 200
    assert (
        routes["GET https://keys.openpgp.org/vks/v1/by-email/jordan.testwell%40example.com?"].status
        == 404
    )


# --- matching ----------------------------------------------------------------------------


def test_url_key_normalises() -> None:
    assert url_key("get", "https://API.Example.COM/a?b=2&a=1") == (
        "GET https://api.example.com/a?a=1&b=2"
    )
    assert url_key("GET", "https://api.example.com") == "GET https://api.example.com/?"
    assert url_key("GET", "https://api.example.com:443/a") == url_key(
        "GET", "https://api.example.com/a"
    )
    assert url_key("GET", "https://api.example.com:8443/a") == (
        "GET https://api.example.com:8443/a?"
    )
    assert url_key("GET", "https://a.example/s?q=a%20b") == url_key(
        "GET", "https://a.example/s?q=a+b"
    )
    assert url_key("GET", "https://a.example/s?x=&y=1") == "GET https://a.example/s?x=&y=1"
    assert url_key("GET", "https://a.example/x") != url_key("POST", "https://a.example/x")


def test_recorded_status_headers_and_body_are_replayed(world: Path) -> None:
    response = one(ReplayTransport(world), "https://api.example.com/users/jtestwell")
    assert response.status_code == 200
    assert response.json() == USER
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-ratelimit-remaining"] == "41"


def test_error_status_and_headers_are_replayed(world: Path) -> None:
    transport = ReplayTransport(world)
    response = one(transport, "https://api.example.com/repos/jtestwell/empty/commits")
    assert response.status_code == 409
    assert response.headers["etag"] == 'W/"abc"'
    assert response.json() == {"message": "Git Repository is empty."}
    assert transport.unmatched == []


def test_matching_ignores_param_order_and_host_case(world: Path) -> None:
    transport = ReplayTransport(world)
    responses, sent = fetch(
        transport,
        ("GET", "https://api.example.com/search", {"q": "jordan testwell", "per_page": "10",
                                                   "sort": "pushed"}),
        ("GET", "https://API.EXAMPLE.COM/search?per_page=10&sort=pushed&q=jordan%20testwell",
         None),
        ("GET", "https://Api.Example.Com/users/jtestwell", None),
    )  # fmt: skip
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert [r.json() for r in responses] == [{"total_count": 1}, {"total_count": 1}, USER]
    assert transport.unmatched == []
    assert [s.status for s in sent] == [200, 200, 200]


def test_method_is_part_of_the_match(world: Path) -> None:
    transport = ReplayTransport(world)
    assert one(transport, "https://api.example.com/graphql", method="POST").status_code == 204
    assert one(transport, "https://api.example.com/graphql").status_code == 404
    assert transport.unmatched == ["GET https://api.example.com/graphql?"]


def test_unmatched_request_is_404_and_remembered(world: Path) -> None:
    transport = ReplayTransport(world)
    responses, sent = fetch(
        transport,
        ("GET", "https://api.example.com/users/someone-else", None),
        ("GET", "https://api.example.com/search", {"q": "other"}),
        ("GET", "https://elsewhere.example/users/jtestwell", None),
    )
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert all(r.headers["x-replay"] == "unmatched" for r in responses)
    assert all(r.content == b"" for r in responses)
    assert transport.unmatched == [
        "GET https://api.example.com/users/someone-else?",
        "GET https://api.example.com/search?q=other",
        "GET https://elsewhere.example/users/jtestwell?",
    ]
    assert [s.status for s in sent] == [404, 404, 404]


def test_extra_or_missing_params_do_not_match(world: Path) -> None:
    transport = ReplayTransport(world)
    assert one(transport, "https://api.example.com/users/jtestwell?page=2").status_code == 404
    assert one(transport, "https://api.example.com/search?q=jordan+testwell").status_code == 404
    assert len(transport.unmatched) == 2


# --- bad worlds ----------------------------------------------------------------------------


def bad(folder: Path) -> str:
    with pytest.raises(InputError) as caught:
        ReplayTransport(folder)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_missing_world(tmp_path: Path) -> None:
    assert bad(tmp_path / "nowhere") == f"replay world not found: {tmp_path / 'nowhere'}/world.json"


def test_world_folder_without_manifest(tmp_path: Path) -> None:
    assert bad(tmp_path).startswith("replay world not found: ")


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"", b"\xff\xfe\x00garbage", b'{"schema": "exposure-audit/replay/1",'],
)
def test_unreadable_json(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "world.json").write_bytes(content)
    assert bad(tmp_path).startswith(f"replay world {tmp_path / 'world.json'} is not readable JSON")


def test_manifest_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "world.json").mkdir()
    assert "is not readable JSON" in bad(tmp_path)


@pytest.mark.parametrize(
    "manifest",
    [
        [],
        "exposure-audit/replay/1",
        {"responses": []},
        {"schema": "exposure-audit/replay/2", "responses": []},
    ],
)
def test_wrong_schema(tmp_path: Path, manifest: Any) -> None:
    (tmp_path / "world.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert bad(tmp_path).endswith("expected schema 'exposure-audit/replay/1'")


@pytest.mark.parametrize("responses", [5, "x", {"url": "https://a.example/"}, None])
def test_responses_not_a_list(tmp_path: Path, responses: Any) -> None:
    (tmp_path / "world.json").write_text(
        json.dumps({"schema": SCHEMA, "responses": responses}), encoding="utf-8"
    )
    assert bad(tmp_path).endswith("'responses' must be a list")


def test_empty_world_is_fine(tmp_path: Path) -> None:
    (tmp_path / "world.json").write_text(json.dumps({"schema": SCHEMA}), encoding="utf-8")
    transport = ReplayTransport(tmp_path)
    assert transport.routes == {}
    assert one(transport, "https://a.example/").status_code == 404


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("https://a.example/", "needs at least a 'url'"),
        ({"status": 200}, "needs at least a 'url'"),
        ({"url": 42}, "needs at least a 'url'"),
        ({"url": "https://a.example/", "status": "ok"}, "'status' must be an HTTP status code"),
        ({"url": "https://a.example/", "status": None}, "'status' must be an HTTP status code"),
        ({"url": "https://a.example/", "status": 1000}, "'status' must be an HTTP status code"),
        ({"url": "https://a.example/", "status": True}, "'status' must be an HTTP status code"),
        ({"url": "https://a.example/", "headers": ["a: b"]}, "'headers' must be an object"),
        ({"url": "/users/jtestwell"}, "is not an absolute http(s) URL"),
        ({"url": "ftp://a.example/x"}, "is not an absolute http(s) URL"),
        ({"url": "https://a.example/", "body": "missing.json"}, "cannot read body missing.json"),
    ],
)
def test_bad_entry(tmp_path: Path, entry: Any, problem: str) -> None:
    write_world(tmp_path, [{"url": "https://a.example/ok"}, entry])
    message = bad(tmp_path)
    assert message.startswith(f"{tmp_path / 'world.json'} response #2: ")
    assert problem in message


@pytest.mark.parametrize("body", ["../secret.txt", "sub/../../secret.txt"])
def test_body_path_leaving_the_folder(tmp_path: Path, body: str) -> None:
    (tmp_path / "secret.txt").write_text("not yours", encoding="utf-8")
    folder = write_world(tmp_path / "world", [{"url": "https://a.example/", "body": body}])
    assert bad(folder).endswith("response #1: body path leaves the world folder")


def test_absolute_body_path_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours", encoding="utf-8")
    folder = write_world(tmp_path / "world", [{"url": "https://a.example/", "body": str(secret)}])
    assert bad(folder).endswith("body path leaves the world folder")


def test_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours", encoding="utf-8")
    folder = write_world(tmp_path / "world", [{"url": "https://a.example/", "body": "link"}])
    (folder / "link").symlink_to(secret)
    assert bad(folder).endswith("body path leaves the world folder")


def test_body_in_a_subfolder_via_dotdot_inside_is_fine(tmp_path: Path) -> None:
    folder = write_world(
        tmp_path / "world",
        [{"url": "https://a.example/", "body": "a/../b/body.txt"}],
        {"a/keep": b"", "b/body.txt": b"inside"},
    )
    assert one(ReplayTransport(folder), "https://a.example/").content == b"inside"


def test_non_ascii_header_values_are_replayed(tmp_path: Path) -> None:
    folder = write_world(
        tmp_path, [{"url": "https://a.example/", "headers": {"x-note": "café", "x-n": 5}}]
    )
    response = one(ReplayTransport(folder), "https://a.example/")
    assert (b"x-note", "café".encode()) in response.headers.raw
    assert response.headers["x-n"] == "5"


def test_prefix_entries_answer_names_made_up_during_a_scan(tmp_path: Path) -> None:
    folder = write_world(
        tmp_path / "w",
        [
            {"url": "https://site.example/u/jtestwell", "status": 200},
            {"url": "https://site.example/u/", "status": 404, "match": "prefix"},
            {"url": "https://site.example/", "status": 410, "match": "prefix"},
        ],
    )
    transport = ReplayTransport(folder)
    assert one(transport, "https://site.example/u/jtestwell").status_code == 200  # exact wins
    assert one(transport, "https://site.example/u/x7k2q9m4p0").status_code == 404  # longest
    assert one(transport, "https://site.example/about").status_code == 410
    assert one(transport, "https://other.example/u/x").status_code == 404
    assert transport.unmatched == ["GET https://other.example/u/x?"]


def test_an_unknown_match_kind_is_refused(tmp_path: Path) -> None:
    folder = write_world(tmp_path / "w", [{"url": "https://site.example/", "match": "regex"}])
    with pytest.raises(InputError, match="'match' must be 'exact' or 'prefix'"):
        ReplayTransport(folder)
