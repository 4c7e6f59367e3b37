"""Options several commands share, each declared once, and the value parsers they use.

- subject flags (--name … --country): `scan` and `clients scan`;
- network flags (--proxy | --tor, --ca-bundle): every command that sends requests (scan,
  usernames, sites update, clients scan/rescan, doctor), read into a NetworkPath
  (scanner.netpath) by `NetworkFlags.path`;
- JSON output: `--json` prints JSON on stdout; `--json-file PATH` writes it. The 0.1
  spelling `--json PATH` still writes the file, with a deprecation line (`legacy_json`);
- value parsers: positive numbers, seconds, whole numbers in a range, lead depth, regions,
  paths (never empty) and text (every argument without a parser of its own: `CliParser`
  checks it with `text_argument`, so an argument that is not valid UTF-8 is refused
  before anything runs).

Nothing here imports httpx or the scan machinery: `--help` stays fast.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.limits import DEFAULT_DEPTH, MAX_DEPTH

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
DEPTH_HELP = (
    f"follow leads (emails, handles, domains tied to you) N steps deep, 0 to {MAX_DEPTH} "
    f"(default {DEFAULT_DEPTH}; 0 looks up only what you gave)"
)
LEGACY_JSON_WARNING = (
    "--json PATH is deprecated: use --json-file PATH; --json alone prints the JSON"
)


# --- subject -------------------------------------------------------------------------------

AFFILIATION_HELP = "an employer or school you are known by (searched with your name)"
# flag, the profile key merge_flags adds its values to, metavar, help
SUBJECT_FLAGS = (
    ("--name", "names", "NAME", "your full name"),
    ("--alias", "aliases", "ALIAS", "another name you use"),
    ("--handle", "handles", "HANDLE", "a username you use"),
    ("--email", "emails", "EMAIL", "an email address of yours"),
    ("--phone", "phones", "PHONE", "a phone number of yours"),
    ("--location", "locations", '"City, ST"', "where you live"),
    ("--domain", "domains", "DOMAIN", "a web domain of yours (example.com)"),
    ("--affiliation", "affiliations", "NAME", AFFILIATION_HELP),
)
COUNTRY_HELP = "2-letter country code for phone numbers (default US)"


def add_subject_options(parser: argparse.ArgumentParser) -> None:
    """The repeatable subject flags, in their own help group."""
    who = parser.add_argument_group("subject (repeatable)")
    for flag, key, metavar, text in SUBJECT_FLAGS:
        who.add_argument(flag, dest=key, action="append", default=[], metavar=metavar, help=text)
    who.add_argument("--country", help=COUNTRY_HELP)


def subject_flags(args: argparse.Namespace) -> dict[str, list[str]]:
    """The subject flags as profile keys (scanner.profile.merge_flags adds them to a file)."""
    flags: dict[str, list[str]] = {key: list(getattr(args, key)) for _, key, _, _ in SUBJECT_FLAGS}
    flags["country"] = []
    if args.country:
        flags["country"] = [args.country]
    return flags


# --- network -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkFlags:
    """--proxy, --tor and --ca-bundle as given (none: the environment decides)."""

    proxy: str | None = None
    tor: bool = False
    ca_bundle: Path | None = None

    def path(self) -> NetworkPath:
        """The NetworkPath these flags and the environment give (InputError when unusable;
        with --tor, only once a Tor client answered)."""
        from scanner.netpath import network_path

        return network_path(self.proxy, self.ca_bundle, tor=self.tor)


def add_network_options(group: Any) -> None:
    """--proxy, --tor and --ca-bundle on a parser or argument group."""
    route = group.add_mutually_exclusive_group()
    route.add_argument("--proxy", metavar="URL", help=PROXY_HELP)
    route.add_argument("--tor", action="store_true", help=TOR_HELP)
    group.add_argument("--ca-bundle", type=path_argument, metavar="PATH", help=CA_HELP)


def network_flags(args: argparse.Namespace) -> NetworkFlags:
    return NetworkFlags(args.proxy, args.tor, args.ca_bundle)


# --- JSON output ---------------------------------------------------------------------------


def add_json_options(group: Any, *, prints: str, writes: str) -> None:
    """`--json` (print JSON on stdout) and `--json-file PATH` (write it there)."""
    group.add_argument("--json", action="store_true", help=prints)
    group.add_argument("--json-file", type=path_argument, metavar="PATH", help=writes)


def legacy_json(tokens: Sequence[str]) -> tuple[list[str], bool]:
    """Read 0.1's `--json PATH` as `--json-file PATH`; and whether that spelling was used.

    The rule: the token after `--json` is the old PATH only when it ends in `.json`
    (`--json=VALUE` always is). Anything else is left alone, so `--json` is the flag and
    the token goes to the positionals (`scan --json me.toml` scans me.toml and prints the
    JSON). A profile is TOML, so a profile file is never taken for the PATH and written
    over; a `.json` token meant the same before. Tokens after `--` are not touched.
    """
    rewritten: list[str] = []
    used = False
    rest = list(tokens)
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            rewritten += [arg, *rest]
            break
        if arg.startswith("--json="):
            rewritten += ["--json-file", arg.removeprefix("--json=")]
            used = True
        elif arg == "--json" and rest and is_json_path(rest[0]):
            rewritten += ["--json-file", rest.pop(0)]
            used = True
        else:
            rewritten.append(arg)
    return rewritten, used


def is_json_path(token: str) -> bool:
    """Whether the token after `--json` is 0.1's PATH (see `legacy_json`)."""
    return not token.startswith("-") and token.lower().endswith(".json")


# --- value parsers (argparse `type=`) ------------------------------------------------------


def text_argument(text: str) -> str:
    """Any argument as given, unless it is not valid UTF-8: Python hands such bytes over as
    lone surrogates, which no report, history or terminal can write."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(f"not valid UTF-8: {text!r}") from None
    return text


def path_text(text: str) -> str:
    """A path as given, never empty (`Path("")` would be the current folder)."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path")
    return text_argument(text)


def path_argument(text: str) -> Path:
    """A path argument: `path_text` as a Path."""
    return Path(path_text(text))


def positive_number(text: str) -> float:
    """A finite number above 0 ("nan" and "inf" parse as floats: refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number: {text!r}")
    return value


def seconds(text: str) -> float:
    """A wait in seconds: above 0, at most 600 (also refuses nan)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"must be between 0 and 600 seconds: {text!r}")
    return value


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """A parser for a whole number from low to high."""

    def parse(text: str) -> int:
        if not text.isdigit() or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {low} to {high}: {text!r}"
            )
        return int(text)

    return parse


depth = whole_number(0, MAX_DEPTH)


def region(text: str) -> str:
    """A phone-number region code (US, GB, …), upper-cased."""
    code = text.strip().upper()
    import phonenumbers

    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise argparse.ArgumentTypeError(f"unknown region {text!r} (use a 2-letter code like US)")
    return code


def add_depth_option(group: Any) -> None:
    group.add_argument("--depth", type=depth, default=DEFAULT_DEPTH, metavar="N", help=DEPTH_HELP)
