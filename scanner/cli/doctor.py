"""`doctor`: what a scan would use on this computer, said before anything is sent.

The network path (which proxy, from which flag or variable, and who resolves host names),
the CA certificates, whether a Tor client answers, the site list and its date, which
optional API keys are set (names only), and the data folder with its permissions. Exit 0
when a scan could run, 2 with the reasons when not. Nothing leaves the computer: the only
connections are to the proxy (a TCP connect, and the SOCKS5 greeting for a SOCKS proxy)
and to the local Tor ports.
"""

from __future__ import annotations

import argparse
import os
import stat
from typing import TYPE_CHECKING, Any

from scanner.cli.command import CliParser, Command
from scanner.cli.exits import EXIT_INPUT, EXIT_OK
from scanner.cli.options import NetworkFlags, add_network_options, network_flags
from scanner.cli.output import doctor_lines, emit, json_document
from scanner.errors import InputError

if TYPE_CHECKING:
    from scanner.models import NetworkRoute
    from scanner.netpath import NetworkPath

PROBE_SECONDS = 3.0
DEFAULT_PORTS = {"http": 80, "https": 443, "socks5": 1080, "socks5h": 1080}
DESCRIPTION = (
    "Show what a scan with these flags would use, without sending anything: the proxy (and "
    "whether it answers), who resolves host names, the CA certificates, whether Tor answers, "
    "the site list, which optional API keys are set (never their values) and the data "
    "folder. Exit status 0 when a scan could run, 2 when not."
)


def add_arguments(parser: CliParser) -> None:
    add_network_options(parser)
    parser.add_argument("--json", action="store_true", help="print the same as JSON")


def run(args: argparse.Namespace) -> int:
    """Say what a scan would use; exit 0 when one could run, 2 when not."""
    report, route = diagnose(network_flags(args))
    if args.json:
        print(json_document(report))
    else:
        emit(doctor_lines(report, route))
    if report["ready"]:
        return EXIT_OK
    return EXIT_INPUT


def diagnose(flags: NetworkFlags) -> tuple[dict[str, Any], NetworkRoute | None]:
    """Everything `doctor` says, as the dict --json prints, and the route (None when the
    flags or the environment give no usable path)."""
    from scanner.report.json import network_dict

    problems: list[str] = []
    network: dict[str, Any] | None = None
    ca: dict[str, Any] = {"file": None, "via": None}
    route = None
    try:
        path = flags.path()
    except InputError as exc:
        problems.append(str(exc))
    else:
        route = path.route()
        network = network_dict(route)
        network["answers"] = _proxy_check(path, problems)
        ca = _ca_check(path, problems)
    folder = _data_folder()
    if not folder["writable"]:
        problems.append(f"cannot write to the data folder {folder['path']}")
    report = {
        "network": network,
        "ca": ca,
        "tor": _tor_check(problems),
        "sites": _site_list(problems),
        "api_keys": _api_keys(),
        "data_folder": folder,
        "ready": not problems,
        "problems": problems,
    }
    return report, route


def _proxy_check(path: NetworkPath, problems: list[str]) -> bool | None:
    """Whether the path's proxy answers (None: there is no proxy)."""
    proxy = path.https or path.http
    if proxy is None:
        return None
    answer = proxy_answers(proxy.url)
    if answer is not None:
        problems.append(f"the proxy {proxy.shown} does not answer: {answer}")
    return answer is None


def _ca_check(path: NetworkPath, problems: list[str]) -> dict[str, Any]:
    from scanner.netpath import tls_context

    try:
        tls_context(path)
    except InputError as exc:
        problems.append(str(exc))
    where = path.ca_bundle or path.ca_dir
    file = None
    if where is not None:
        file = str(where)
    return {"file": file, "via": path.ca_origin}


def _tor_check(problems: list[str]) -> dict[str, Any]:
    from scanner.netpath import find_tor, tor_candidates

    try:
        tried = tor_candidates()
    except InputError as exc:
        problems.append(str(exc))
        tried = []
    found = find_tor(tried)
    at = None
    if found is not None:
        at = f"{found[0]}:{found[1]}"
    return {
        "answers": found is not None,
        "at": at,
        "tried": [f"{host}:{port}" for host, port in tried],
    }


def proxy_answers(url: str) -> str | None:
    """None when the proxy accepts a connection (and, for SOCKS5, the greeting); else why."""
    import socket

    import httpx

    from scanner.netpath import socks5_answers

    parsed = httpx.URL(url)
    port = parsed.port or DEFAULT_PORTS[parsed.scheme]
    if parsed.scheme.startswith("socks"):
        if socks5_answers(parsed.host, port, PROBE_SECONDS):
            return None
        return f"no SOCKS5 server answers at {parsed.host}:{port}"
    try:
        with socket.create_connection((parsed.host, port), timeout=PROBE_SECONDS):
            return None
    except OSError as exc:
        return exc.strerror or type(exc).__name__


def _site_list(problems: list[str]) -> dict[str, Any]:
    """`sites info`'s report (the lists in use, bundled or downloaded)."""
    from scanner.sites.lists import lists_info

    try:
        return lists_info()
    except InputError as exc:  # a downloaded copy that cannot be read
        problems.append(str(exc))
        return {"sites": None, "lists": []}


def _api_keys() -> dict[str, bool]:
    from scanner.sources import SOURCES

    names = sorted({cls.key_env for cls in SOURCES if cls.key_env})
    return {name: bool(os.environ.get(name, "").strip()) for name in names}


def _data_folder() -> dict[str, Any]:
    from scanner.paths import data_dir

    folder = data_dir()
    if folder.is_dir():
        mode = stat.S_IMODE(folder.stat().st_mode)
        return {
            "path": str(folder),
            "exists": True,
            "mode": f"{mode:04o}",
            "private": mode & 0o077 == 0,
            "writable": os.access(folder, os.W_OK | os.X_OK),
        }
    parent = folder.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return {
        "path": str(folder),
        "exists": False,
        "mode": None,
        "private": True,  # a scan creates it with mode 0700
        "writable": parent.is_dir() and os.access(parent, os.W_OK | os.X_OK),
    }


COMMANDS = (
    Command(
        "doctor",
        help="show the network path, CA, Tor, site list, API keys and data folder a scan uses",
        description=DESCRIPTION,
        add_arguments=add_arguments,
        run=run,
    ),
)
