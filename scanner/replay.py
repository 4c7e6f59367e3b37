"""Replay a recorded world through the same code path as a live scan.

A world is a folder holding `world.json`:

    {"schema": "exposure-audit/replay/1",
     "description": "...",
     "responses": [
        {"method": "GET", "url": "https://api.github.com/users/jane",
         "status": 200, "headers": {"content-type": "application/json"},
         "body": "github/user.json"}          # a file beside world.json, optional
     ]}

`ReplayTransport` answers each request with the recorded response whose method and URL
(query parameters in any order) match. An entry with `"match": "prefix"` answers every
request whose URL starts with its URL (for names made up during a scan, such as the random
name of a site's control check); an exact entry wins, then the longest prefix. Anything
unmatched answers 404 with an empty body and is remembered in `unmatched`; nothing ever
reaches the network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from scanner.errors import InputError

SCHEMA = "exposure-audit/replay/1"
MANIFEST = "world.json"


@dataclass(frozen=True)
class Recorded:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def url_key(method: str, url: str) -> str:
    """Method + URL with host lower-cased and query parameters sorted.

    The URL is first normalised the way httpx normalises a request's URL (default port
    dropped, percent-encoding), so a world's URLs and the requests sent compare alike.
    """
    parts = urlsplit(str(httpx.URL(url)))
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    path = parts.path or "/"
    return f"{method.upper()} {parts.scheme}://{parts.netloc.lower()}{path}?{query}"


def load_world(folder: Path) -> dict[str, Recorded]:
    """Read a world folder's exact routes. Bad worlds are InputErrors naming the problem."""
    return _load(folder)[0]


def _load(folder: Path) -> tuple[dict[str, Recorded], list[tuple[str, Recorded]]]:
    manifest = folder / MANIFEST
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"replay world not found: {manifest}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"replay world {manifest} is not readable JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise InputError(f"replay world {manifest}: expected schema {SCHEMA!r}")
    responses = data.get("responses", [])
    if not isinstance(responses, list):
        raise InputError(f"replay world {manifest}: 'responses' must be a list")
    routes: dict[str, Recorded] = {}
    prefixes: list[tuple[str, Recorded]] = []
    for index, entry in enumerate(responses):
        where = f"{manifest} response #{index + 1}"
        key, recorded = _load_entry(folder, entry, where)
        match = entry.get("match", "exact")
        if match == "prefix":
            prefixes.append((key.rstrip("?"), recorded))
        elif match == "exact":
            routes[key] = recorded
        else:
            raise InputError(f"{where}: 'match' must be 'exact' or 'prefix', not {match!r}")
    prefixes.sort(key=lambda pair: -len(pair[0]))
    return routes, prefixes


def _load_entry(folder: Path, entry: Any, where: str) -> tuple[str, Recorded]:
    if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
        raise InputError(f"{where}: needs at least a 'url'")
    body = b""
    if entry.get("body"):
        body_path = (folder / str(entry["body"])).resolve()
        if folder.resolve() not in body_path.parents:
            raise InputError(f"{where}: body path leaves the world folder")
        try:
            body = body_path.read_bytes()
        except OSError as exc:
            raise InputError(f"{where}: cannot read body {entry['body']}: {exc}") from None
    raw_headers = entry.get("headers", {})
    if not isinstance(raw_headers, dict):
        raise InputError(f"{where}: 'headers' must be an object of name: value")
    headers = tuple((str(k), str(v)) for k, v in raw_headers.items())
    status = entry.get("status", 200)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise InputError(f"{where}: 'status' must be an HTTP status code, not {status!r}")
    try:
        url = httpx.URL(entry["url"])
    except httpx.InvalidURL as exc:
        raise InputError(f"{where}: invalid url {entry['url']!r}: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise InputError(f"{where}: url {entry['url']!r} is not an absolute http(s) URL")
    return url_key(str(entry.get("method", "GET")), entry["url"]), Recorded(status, headers, body)


class ReplayTransport(httpx.AsyncBaseTransport):
    """An httpx transport that answers from a recorded world, never from the network."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.routes, self.prefixes = _load(folder)
        self.unmatched: list[str] = []

    def lookup(self, method: str, url: str) -> Recorded | None:
        """The recorded answer to method + url: the exact route, else the longest prefix.

        None when nothing matches; the request's key is then remembered in `unmatched`.
        """
        key = url_key(method, url)
        recorded = self.routes.get(key) or next(
            (answer for prefix, answer in self.prefixes if key.startswith(prefix)), None
        )
        if recorded is None:
            self.unmatched.append(key)
        return recorded

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        recorded = self.lookup(request.method, str(request.url))
        if recorded is None:
            return httpx.Response(404, headers={"x-replay": "unmatched"}, request=request)
        headers = [(k.encode(), v.encode()) for k, v in recorded.headers]  # str would be ASCII-only
        return httpx.Response(
            recorded.status, headers=headers, content=recorded.body, request=request
        )
