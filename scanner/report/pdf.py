"""report.pdf (`--pdf`): report.html printed by a local headless Chromium, offline.

The report loads nothing by itself (its CSP forbids it), and Chromium is kept off the
network as far as its switches allow: every host name resolves to nothing
(--host-resolver-rules), any connection would go to a proxy on the discard port that is not
there (--proxy-server=127.0.0.1:9), and the background services (updates, safe browsing,
metrics, sync, component downloads) are switched off. It runs with a fresh profile in a
private temporary folder that is removed afterwards (HOME and the XDG folders point there
too), so nothing of the report stays in a browser cache. The PDF is written like the other
reports: atomically, readable only by the user (0600).

--no-sandbox is passed only when running as root: Chromium refuses to start as root with its
sandbox on (containers and CI often run as root). As a normal user the sandbox stays on.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from scanner.errors import InputError, ScannerError
from scanner.report.write import write_private_bytes

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
OFFLINE_FLAGS = (
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",  # loopback goes through the dead proxy too
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-client-side-phishing-detection",
    "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication",
    "--no-first-run",
    "--no-default-browser-check",
    "--no-pings",
    "--metrics-recording-only",
)


def find_chromium() -> str | None:
    """The browser to print with: $CHROMIUM (a path or a command name), else the first of
    chromium, chromium-browser, google-chrome on PATH; None when there is none."""
    chosen = os.environ.get("CHROMIUM", "").strip()
    if chosen:
        return shutil.which(chosen)
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_env(folder: Path) -> dict[str, str]:
    """The environment for Chromium: HOME and the XDG folders inside `folder`, so it leaves
    nothing (NSS database, caches, crash reports) in the user's own folders."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        env[name] = str(folder / name.lower())
    return env


def chromium_flags(user_data_dir: Path) -> list[str]:
    """Headless, offline, with a throw-away profile (shared with the browser test)."""
    sandbox = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    return [
        "--headless=new",
        "--disable-gpu",
        "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
        *sandbox,
        f"--user-data-dir={user_data_dir}",
        *OFFLINE_FLAGS,
    ]


def html_to_pdf(html_path: Path, pdf_path: Path, timeout: float = 60) -> None:
    """Print `html_path` to `pdf_path` with headless Chromium.

    Raises InputError when no Chromium is installed, ScannerError when it fails or takes
    longer than `timeout` seconds (it is then killed with everything it started).
    """
    browser = find_chromium()
    if browser is None:
        raise InputError("no Chromium found: install chromium to export PDF (or set CHROMIUM)")
    source = html_path.resolve()
    if not source.is_file():
        raise InputError(f"cannot make a PDF: {html_path} does not exist")
    with tempfile.TemporaryDirectory(prefix="exposure-audit-pdf-") as temp:
        folder = Path(temp)  # 0700: mkdtemp's own mode
        printed = folder / "report.pdf"
        command = [
            browser,
            *chromium_flags(folder / "profile"),
            "--no-pdf-header-footer",
            f"--print-to-pdf={printed}",
            source.as_uri(),
        ]
        _run(command, timeout, chromium_env(folder))
        if not printed.is_file() or not printed.read_bytes().startswith(b"%PDF"):
            raise ScannerError("Chromium did not produce a PDF")
        write_private_bytes(pdf_path, printed.read_bytes())


def _run(command: list[str], timeout: float, env: dict[str, str]) -> None:
    # A session of its own, so a timeout kills the browser's helper processes too.
    process = subprocess.Popen(  # noqa: S603 - a fixed argument list, no shell
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ScannerError(f"Chromium took longer than {timeout:g} s to print the PDF") from None
    if process.returncode != 0:
        last = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise ScannerError(f"Chromium failed (exit {process.returncode}): {last[0][:200]}")
