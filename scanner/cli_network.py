"""The network flags every command that sends requests takes: --proxy, --tor, --ca-bundle.

Declared once here (scan, usernames, sites update, clients scan/rescan, doctor), read once
into a NetworkPath (scanner.netpath) by `network_path_of`. No httpx import at module level:
`--help` stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.netpath import NetworkPath

PROXY_HELP = (
    "send every request through this proxy: http://HOST:PORT (CONNECT), https://…, or "
    "socks5h://HOST:PORT; host names are resolved by the proxy, never by this computer "
    "(overrides HTTPS_PROXY/HTTP_PROXY/ALL_PROXY and NO_PROXY)"
)
TOR_HELP = (
    "send every request through the local Tor client (127.0.0.1:9050, then 9150, or "
    "EXPOSURE_AUDIT_TOR=HOST:PORT); nothing starts if no Tor client answers"
)
CA_HELP = "trust the CA certificates in this PEM file (overrides SSL_CERT_FILE)"


def add_network_options(group: Any) -> None:
    """--proxy, --tor and --ca-bundle on a parser or argument group."""
    route = group.add_mutually_exclusive_group()
    route.add_argument("--proxy", metavar="URL", help=PROXY_HELP)
    route.add_argument("--tor", action="store_true", help=TOR_HELP)
    group.add_argument("--ca-bundle", type=Path, metavar="PATH", help=CA_HELP)


def network_path_of(args: argparse.Namespace) -> NetworkPath:
    """The NetworkPath the flags and the environment give (InputError when unusable;
    with --tor, only once a Tor client answered)."""
    from scanner.netpath import network_path

    return network_path(args.proxy, args.ca_bundle, tor=args.tor)
