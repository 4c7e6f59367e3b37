"""A real headless Chromium driven over the DevTools protocol, with no new dependency.

Why CDP over a websocket, not --dump-dom and log scraping: the protocol reports every request
the page makes (Network.requestWillBeSent fires before any connection is tried, so even a
request the offline flags would make fail is seen), console messages and exceptions as
structured events, and can evaluate JavaScript and take a screenshot; a log is free text
whose format changes between versions. The websocket client below is the least of RFC 6455
that CDP needs: one connection to 127.0.0.1, masked text frames out, text frames (with
continuations), ping and close in. Nothing else is reached: the browser is started with the
same offline switches as the PDF export (scanner.report.pdf.chromium_flags).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import signal
import socket
import struct
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from scanner.report.pdf import chromium_env, chromium_flags, find_chromium

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
START_TIMEOUT = 30.0
CALL_TIMEOUT = 30.0


class WebSocket:
    """A blocking RFC 6455 client for text messages on a loopback address."""

    def __init__(self, url: str, timeout: float = CALL_TIMEOUT) -> None:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"only loopback websockets: {url}")
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        request = (
            f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode("ascii"))
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError("websocket handshake: connection closed")
            head += chunk
        lines = head.decode("latin-1").split("\r\n")
        if " 101 " not in lines[0] + " ":
            raise ConnectionError(f"websocket handshake refused: {lines[0]}")
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])
        }
        expected = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()  # noqa: S324 - RFC 6455
        if headers.get("sec-websocket-accept") != expected:
            raise ConnectionError("websocket handshake: bad Sec-WebSocket-Accept")

    def send(self, text: str) -> None:
        self._frame(0x1, text.encode("utf-8"))

    def _frame(self, opcode: int, payload: bytes) -> None:
        size = len(payload)
        if size < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
        elif size < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
        mask = os.urandom(4)  # a client must mask every frame
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _exactly(self, size: int) -> bytes:
        data = bytearray()
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError("websocket closed")
            data += chunk
        return bytes(data)

    def recv(self) -> str:
        """The next whole text message (pings answered, continuations joined)."""
        message = bytearray()
        while True:
            first, second = self._exactly(2)
            opcode, size = first & 0x0F, second & 0x7F
            if size == 126:
                (size,) = struct.unpack("!H", self._exactly(2))
            elif size == 127:
                (size,) = struct.unpack("!Q", self._exactly(8))
            mask = self._exactly(4) if second & 0x80 else b""
            payload = self._exactly(size)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x9:  # ping
                self._frame(0xA, payload)
                continue
            if opcode == 0x8:
                raise ConnectionError("websocket closed by the browser")
            if opcode in (0x1, 0x0):
                message += payload
                if first & 0x80:
                    return message.decode("utf-8")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._frame(0x8, b"")
        self.sock.close()


@dataclass
class Cdp:
    """Chrome DevTools Protocol calls and events over one browser-level websocket."""

    ws: WebSocket
    events: list[dict[str, Any]] = field(default_factory=list)
    next_id: int = 0

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            answer = json.loads(self.ws.recv())
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            self.events.append(answer)

    def wait_for(self, method: str, session: str, timeout: float = CALL_TIMEOUT) -> dict[str, Any]:
        """The first event `method` of `session` (kept in `events` too)."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for event in self.events[seen:]:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
            seen = len(self.events)
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} within {timeout} s")
            self.ws.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except TimeoutError:
                continue
            finally:
                self.ws.sock.settimeout(CALL_TIMEOUT)

    def drain(self, seconds: float) -> None:
        """Collect whatever events arrive in the next `seconds` (late requests, errors)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.ws.sock.settimeout(left)
            try:
                self.events.append(json.loads(self.ws.recv()))
            except TimeoutError:
                break
        self.ws.sock.settimeout(CALL_TIMEOUT)

    def of(self, session: str, *methods: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("sessionId") == session and e["method"] in methods]


@dataclass
class Page:
    """One tab, attached with a flat session; everything it does is recorded in cdp.events."""

    cdp: Cdp
    session: str

    def open(self, url: str) -> None:
        self.cdp.call("Page.navigate", self.session, url=url)
        self.cdp.wait_for("Page.loadEventFired", self.session)
        self.cdp.drain(0.5)  # anything that would start after load

    def js(self, expression: str) -> Any:
        answer = self.cdp.call(
            "Runtime.evaluate", self.session, expression=expression, returnByValue=True
        )
        if "exceptionDetails" in answer:
            raise RuntimeError(f"page script failed: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def requests(self) -> list[str]:
        events = self.cdp.of(self.session, "Network.requestWillBeSent")
        return [e["params"]["request"]["url"] for e in events]

    def errors(self) -> list[str]:
        found = []
        for event in self.cdp.of(
            self.session, "Runtime.consoleAPICalled", "Runtime.exceptionThrown", "Log.entryAdded"
        ):
            params = event["params"]
            if event["method"] == "Runtime.exceptionThrown":
                found.append(json.dumps(params["exceptionDetails"])[:300])
            elif event["method"] == "Runtime.consoleAPICalled" and params["type"] in (
                "error",
                "assert",
            ):
                found.append(json.dumps(params["args"])[:300])
            elif event["method"] == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(params["entry"]["text"][:300])
        return found


@dataclass
class Browser:
    cdp: Cdp
    shots: Path  # where screenshots are saved

    def new_page(self) -> Page:
        target = self.cdp.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.cdp.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Network", "Page", "Runtime", "Log"):
            self.cdp.call(f"{domain}.enable", session)
        return Page(self.cdp, session)


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """A headless Chromium for the whole session; skipped when none is installed."""
    executable = find_chromium()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install chromium, or set CHROMIUM)")
    folder = tmp_path_factory.mktemp("chromium")
    profile = folder / "profile"
    log = (folder / "chromium.log").open("wb")
    process = subprocess.Popen(
        [executable, *chromium_flags(profile), "--remote-debugging-port=0", "about:blank"],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        env=chromium_env(folder),
        start_new_session=True,  # its own process group: killed as one at the end
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + START_TIMEOUT
        while not (port_file.is_file() and len(port_file.read_text().splitlines()) >= 2):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (folder / "chromium.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"chromium did not start its DevTools server:\n{tail}")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        ws = WebSocket(f"ws://127.0.0.1:{port}{path}")
        try:
            yield Browser(Cdp(ws), tmp_path_factory.mktemp("screenshots"))
        finally:
            ws.close()
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        log.close()
