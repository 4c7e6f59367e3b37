"""The bad-input table (issue 16): every command refuses bad input before it starts.

Each case runs in-process through `scanner.cli.main` in a scratch folder (the current
directory) and must end with exit status 2, exactly one line on stderr starting
"exposure-audit: error: " that holds the case's fragment (the reason its id names), nothing
on stdout, no traceback, and no file written anywhere: not in the scratch folder (reports,
`--out ""` once wrote into the current folder) and not in the data folders.

argparse's usage errors follow the same convention (scanner.cli.command.CliParser turns
them into one line), so they are asserted the same way.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.limits import MAX_PROFILE_BYTES
from scanner.sites.catalogue import MAX_FILE_BYTES
from tests.support import ROOT

WORLD = str(ROOT / "demo_world")
SITES = str(ROOT / "demo_world" / "sites.json")
GOOD = 'names = ["Jordan Testwell"]\n'
NAME = ["--name", "Jordan Testwell"]
BAD_UTF8 = "J\udcffrdan"  # how Python hands over the byte 0xFF of a non-UTF-8 argument
ONE_SITE = (
    '{"name": "Forum", "uri_check": "https://forum.example.com/u/{account}", "e_code": 200,'
    ' "e_string": "profile", "m_code": 404, "m_string": "none", "known": ["jt"], "cat": "social"}'
)


@dataclass(frozen=True)
class Case:
    """One bad input: the arguments, a fragment of the one error line, the files it needs."""

    id: str
    argv: list[str]
    fragment: str
    files: dict[str, str | bytes] = field(default_factory=dict)


def case(id: str, argv: list[str], fragment: str, **files: str | bytes) -> Case:
    """A case; `files` are written (name with "_" for ".": me_toml -> me.toml) first."""
    named = {name.replace("_", "."): content for name, content in files.items()}
    return Case(id, argv, fragment, named)


# --- control characters, each class in each subject field --------------------------------

CONTROLS = {
    "NUL": "\x00",
    "BEL": "\x07",
    "TAB": "\t",
    "LF": "\n",
    "CR": "\r",
    "ESC": "\x1b",
    "DEL": "\x7f",
    "C1-CSI": "\x9b",
    "C1-NEL": "\x85",
    "LINE-SEPARATOR": "\u2028",
    "PARAGRAPH-SEPARATOR": "\u2029",
    "LRM": "\u200e",
    "RLM": "\u200f",
    "LRE": "\u202a",
    "RLO": "\u202e",
    "LRI": "\u2066",
    "PDI": "\u2069",
    "BOM": "\ufeff",
}
# flag, profile key, a good value (the control character goes in its middle)
FLAG_FIELDS = (
    ("--name", "names", "Jordan Testwell"),
    ("--alias", "aliases", "JT"),
    ("--handle", "handles", "jtestwell"),
    ("--email", "emails", "jordan@example.com"),
    ("--phone", "phones", "(217) 555-0142"),
    ("--location", "locations", "Springfield, IL"),
    ("--domain", "domains", "testwell.example"),
    ("--affiliation", "affiliations", "Springfield Library"),
)
# profile key (a list, or a [context] list), a good value
FILE_FIELDS = (
    ("name", "Jordan Testwell"),
    ("names", "Jordan Testwell"),
    ("aliases", "JT"),
    ("handles", "jtestwell"),
    ("emails", "jordan@example.com"),
    ("phones", "(217) 555-0142"),
    ("locations", "Springfield, IL"),
    ("domains", "testwell.example"),
    ("affiliations", "Springfield Library"),
    ("context.known_to_abuser", "Springfield Library"),
    ("context.public_on_purpose", "jtestwell"),
    ("context.past_addresses", "12 Elm St, Springfield, IL"),
)
MULTILINE_OK = ("TAB", "LF", "CR")  # `notes` may run over lines


def _middle(value: str, char: str) -> str:
    half = len(value) // 2
    return value[:half] + char + value[half:]


def _toml_string(text: str) -> str:
    """A TOML basic string with every character outside printable ASCII escaped."""
    escaped = "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08X}" for c in text)
    return f'"{escaped}"'


def _profile_with(key: str, value: str) -> str:
    if key in ("name", "names"):
        return f"{key} = [{_toml_string(value)}]\n"
    if key.startswith("context."):
        return f"{GOOD}[context]\n{key.removeprefix('context.')} = [{_toml_string(value)}]\n"
    return f"{GOOD}{key} = [{_toml_string(value)}]\n"


def control_cases() -> Iterator[Case]:
    for label, char in CONTROLS.items():
        code = f"U+{ord(char):04X}"
        for flag, key, good in FLAG_FIELDS:
            argv = ["scan", *NAME, flag, _middle(good, char)]
            yield case(f"flag {flag} holds {label}", argv, f"'{key}' value")
            yield case(f"flag {flag} holds {label} (code)", argv, f"control character {code}")
        for key, good in FILE_FIELDS:
            text = _profile_with(key, _middle(good, char))
            yield case(f"file {key} holds {label}", ["scan", "me.toml"], code, me_toml=text)
        if label not in MULTILINE_OK:
            notes = f"{GOOD}[context]\nnotes = {_toml_string(_middle('moved in May', char))}\n"
            yield case(
                f"file context.notes holds {label}", ["scan", "me.toml"], code, me_toml=notes
            )


# --- arguments that are not valid UTF-8, for every command -------------------------------

UTF8_CASES = [
    case(f"non-UTF-8 {' '.join(where)}", [*argv], f"argument {named}: not valid UTF-8")
    for where, argv, named in [
        (("scan", "--name"), ["scan", "--name", BAD_UTF8], "--name"),
        (("scan", "--name="), ["scan", f"--name={BAD_UTF8}"], "--name"),
        (("scan", "--alias"), ["scan", *NAME, "--alias", BAD_UTF8], "--alias"),
        (("scan", "--handle"), ["scan", *NAME, "--handle", BAD_UTF8], "--handle"),
        (("scan", "--email"), ["scan", *NAME, "--email", BAD_UTF8], "--email"),
        (("scan", "--phone"), ["scan", *NAME, "--phone", BAD_UTF8], "--phone"),
        (("scan", "--location"), ["scan", *NAME, "--location", BAD_UTF8], "--location"),
        (("scan", "--domain"), ["scan", *NAME, "--domain", BAD_UTF8], "--domain"),
        (("scan", "--affiliation"), ["scan", *NAME, "--affiliation", BAD_UTF8], "--affiliation"),
        (("scan", "--country"), ["scan", *NAME, "--country", BAD_UTF8], "--country"),
        (("scan", "--sources"), ["scan", *NAME, "--sources", BAD_UTF8], "--sources"),
        (("scan", "--subject"), ["scan", *NAME, "--subject", BAD_UTF8], "--subject"),
        (("scan", "--proxy"), ["scan", *NAME, "--proxy", BAD_UTF8], "--proxy"),
        (("scan", "profile"), ["scan", f"{BAD_UTF8}.toml"], "profile"),
        (("scan", "--out"), ["scan", *NAME, "--out", BAD_UTF8], "--out"),
        (("scan", "--json-file"), ["scan", *NAME, "--json-file", BAD_UTF8], "--json-file"),
        (("scan", "--json (0.1)"), ["scan", *NAME, "--json", f"{BAD_UTF8}.json"], "--json-file"),
        (("scan", "--html"), ["scan", *NAME, "--html", BAD_UTF8], "--html"),
        (("scan", "--pdf"), ["scan", *NAME, "--pdf", BAD_UTF8], "--pdf"),
        (("scan", "--sites"), ["scan", *NAME, "--sites", BAD_UTF8], "--sites"),
        (("scan", "--replay"), ["scan", *NAME, "--replay", BAD_UTF8], "--replay"),
        (("scan", "--ca-bundle"), ["scan", *NAME, "--ca-bundle", BAD_UTF8], "--ca-bundle"),
        (("usernames", "USERNAME"), ["usernames", BAD_UTF8], "username"),
        (("usernames", "--sites"), ["usernames", "jt", "--sites", BAD_UTF8], "--sites"),
        (("usernames", "--proxy"), ["usernames", "jt", "--proxy", BAD_UTF8], "--proxy"),
        (("usernames", "--json-file"), ["usernames", "jt", "--json-file", BAD_UTF8], "--json-file"),
        (("extract", "FILE"), ["extract", BAD_UTF8], "FILE"),
        (("history", "SUBJECT"), ["history", BAD_UTF8], "subject"),
        (("diff", "SUBJECT"), ["diff", BAD_UTF8], r"[SUBJECT] [SCAN_A SCAN_B]"),
        (("mark", "FINDING_ID"), ["mark", BAD_UTF8, "done"], "FINDING_ID"),
        (("mark", "--note"), ["mark", "abcdef", "done", "--note", BAD_UTF8], "--note"),
        (("letter", "FINDING_ID"), ["letter", BAD_UTF8], "FINDING_ID"),
        (("schedule", "PROFILE"), ["schedule", BAD_UTF8, "--weekly"], "profile"),
        (("schedule", "--subject"), ["schedule", "me.toml", "--subject", BAD_UTF8], "--subject"),
        (("schedule", "--remove"), ["schedule", "--remove", BAD_UTF8], "--remove"),
        (("rescan", "--subject"), ["rescan", "--due", "--subject", BAD_UTF8], "--subject"),
        (("sites", "update", "--list"), ["sites", "update", "--list", BAD_UTF8], "--list"),
        (("sites", "update", "--proxy"), ["sites", "update", "--proxy", BAD_UTF8], "--proxy"),
        (("doctor", "--proxy"), ["doctor", "--proxy", BAD_UTF8], "--proxy"),
        (("doctor", "--ca-bundle"), ["doctor", "--ca-bundle", BAD_UTF8], "--ca-bundle"),
        (("clients", "add", "LABEL"), ["clients", "add", BAD_UTF8, "--consent-by", "x"], "label"),
        (
            ("clients", "add", "--consent-by"),
            ["clients", "add", "A", "--consent-by", BAD_UTF8],
            "--consent-by",
        ),
        (("clients", "scan", "LABEL"), ["clients", "scan", BAD_UTF8], "label"),
    ]
]


# --- everything else, command by command --------------------------------------------------

SCAN_CASES = [
    # the profile file
    case("profile missing", ["scan", "nope.toml"], "profile not found: nope.toml"),
    case("profile empty path", ["scan", ""], "argument profile: an empty path"),
    case("profile is a folder", ["scan", "folder"], "profile is a directory, not a file"),
    case("profile is a FIFO", ["scan", "fifo"], "profile is a FIFO (named pipe), not a file"),
    case("profile is a socket", ["scan", "sock"], "profile is a socket, not a file"),
    case("profile is a device", ["scan", "/dev/null"], "profile is a character device"),
    case("profile too large", ["scan", "big"], f"larger than {MAX_PROFILE_BYTES} bytes"),
    case("profile not UTF-8", ["scan", "me.toml"], "not UTF-8 text", me_toml=b'names = ["J\xff"]'),
    case("profile bad TOML", ["scan", "me.toml"], "TOML syntax error", me_toml="names = [\n"),
    case(
        "profile TOML unclosed string",
        ["scan", "me.toml"],
        "TOML syntax error",
        me_toml='name = "J',
    ),
    case("profile TOML duplicate key", ["scan", "me.toml"], "TOML syntax error", me_toml=GOOD * 2),
    case(
        "profile TOML bare word", ["scan", "me.toml"], "TOML syntax error", me_toml="name = Jordan"
    ),
    case(
        "profile TOML raw control char",
        ["scan", "me.toml"],
        "TOML syntax error",
        me_toml='name = "J\x07"',
    ),
    case(
        "profile TOML nested deep",
        ["scan", "me.toml"],
        "TOML nested too deeply",
        me_toml="a = " + "[" * 3000 + "]" * 3000,
    ),
    case("profile empty", ["scan", "me.toml"], "empty profile", me_toml=""),
    case("profile only country", ["scan", "me.toml"], "empty profile", me_toml='country = "GB"'),
    case(
        "profile unknown key",
        ["scan", "me.toml"],
        "unknown key 'nmae' (did you mean 'name'?)",
        me_toml='nmae = "J T"',
    ),
    case(
        "profile unknown context key",
        ["scan", "me.toml"],
        "unknown key 'note' (did you mean 'notes'?)",
        me_toml=f"{GOOD}[context]\nnote = 'x'\n",
    ),
    case(
        "profile names is a number",
        ["scan", "me.toml"],
        "'names' must be a string or a list of strings",
        me_toml="names = 5",
    ),
    case(
        "profile names holds a number",
        ["scan", "me.toml"],
        "'names' must be a string or a list",
        me_toml="names = [5]",
    ),
    case(
        "profile handles is a table",
        ["scan", "me.toml"],
        "'handles' must be a string",
        me_toml=f"{GOOD}[handles]\na = 1\n",
    ),
    case(
        "profile emails holds a list",
        ["scan", "me.toml"],
        "'emails' must be a string",
        me_toml=f'{GOOD}emails = [["a@example.com"]]\n',
    ),
    case(
        "profile context is a string",
        ["scan", "me.toml"],
        "'context' must be a table",
        me_toml=f'{GOOD}context = "x"\n',
    ),
    case(
        "profile notes is a number",
        ["scan", "me.toml"],
        "context 'notes' must be a string",
        me_toml=f"{GOOD}[context]\nnotes = 3\n",
    ),
    case(
        "profile moved_on not a date",
        ["scan", "me.toml"],
        "'moved_on' must be a date",
        me_toml=f"{GOOD}[context]\nmoved_on = 'May'\n",
    ),
    case(
        "profile moved_on a datetime",
        ["scan", "me.toml"],
        "'moved_on' must be a date",
        me_toml=f"{GOOD}[context]\nmoved_on = 2023-05-01T10:00:00\n",
    ),
    case(
        "profile birth_year text",
        ["scan", "me.toml"],
        "'birth_year' must be a year",
        me_toml=f'{GOOD}birth_year = "late"\n',
    ),
    case(
        "profile birth_year float",
        ["scan", "me.toml"],
        "'birth_year' must be a year",
        me_toml=f"{GOOD}birth_year = 1987.5\n",
    ),
    case(
        "profile birth_year bool",
        ["scan", "me.toml"],
        "'birth_year' must be a year",
        me_toml=f"{GOOD}birth_year = true\n",
    ),
    case(
        "profile birth_year too old",
        ["scan", "me.toml"],
        "'birth_year' 1800 is not a year",
        me_toml=f"{GOOD}birth_year = 1800\n",
    ),
    case(
        "profile birth_year future",
        ["scan", "me.toml"],
        "'birth_year' 3000 is not a year",
        me_toml=f"{GOOD}birth_year = 3000\n",
    ),
    case(
        "profile country unknown",
        ["scan", "me.toml"],
        "unknown country 'XX'",
        me_toml=f'{GOOD}country = "XX"\n',
    ),
    case(
        "profile country a number",
        ["scan", "me.toml"],
        "unknown country 1",
        me_toml=f"{GOOD}country = 1\n",
    ),
    case(
        "profile name too long",
        ["scan", "me.toml"],
        "name longer than 200 characters",
        me_toml=f'name = "{"x" * 201}"\n',
    ),
    case(
        "profile affiliation too long",
        ["scan", "me.toml"],
        "affiliation longer than 200",
        me_toml=f'{GOOD}affiliations = ["{"x" * 201}"]\n',
    ),
    case(
        "profile too many handles",
        ["scan", "me.toml"],
        "'handles' has more than 50 entries",
        me_toml=f"{GOOD}handles = [{', '.join(repr(f'h{n}') for n in range(51))}]\n",
    ),
    case(
        "profile too many emails",
        ["scan", "me.toml"],
        "'emails' has more than 50 entries",
        me_toml=f"{GOOD}emails = [{', '.join(repr(f'u{n}@example.com') for n in range(51))}]\n",
    ),
    case(
        "profile too many past addresses",
        ["scan", "me.toml"],
        "'past_addresses' has more than 50",
        me_toml=f"{GOOD}[context]\npast_addresses = {[f'{n} Elm St' for n in range(51)]}\n",
    ),
    case(
        "profile bad email in file",
        ["scan", "me.toml"],
        "invalid email 'jordan@'",
        me_toml=f'{GOOD}emails = ["jordan@"]\n',
    ),
    case(
        "profile bad phone in file",
        ["scan", "me.toml"],
        "invalid phone number '12'",
        me_toml=f'{GOOD}phones = ["12"]\n',
    ),
    case(
        "profile bad phone for region",
        ["scan", "me.toml"],
        "for region GB",
        me_toml=f'{GOOD}country = "GB"\nphones = ["(217) 555-0142"]\n',
    ),
    # subject flags
    case("no subject at all", ["scan"], "empty profile"),
    case("only blank name", ["scan", "--name", "  "], "empty profile"),
    case("email without domain", ["scan", "--email", "jordan@"], "invalid email 'jordan@'"),
    case("email without @", ["scan", "--email", "jordan.example.com"], "invalid email"),
    case("email two @", ["scan", "--email", "a@@example.com"], "invalid email"),
    case("email with space", ["scan", "--email", "jor dan@example.com"], "invalid email"),
    case("email bare host", ["scan", "--email", "jordan@localhost"], "invalid email"),
    case("phone too short", ["scan", "--phone", "555"], "invalid phone number '555'"),
    case("phone letters", ["scan", "--phone", "call me"], "invalid phone number 'call me'"),
    case("phone not valid in US", ["scan", "--phone", "+1 000 000 0000"], "for region US"),
    case(
        "phone bad country flag",
        ["scan", "--phone", "(217) 555-0142", "--country", "ZZ"],
        "unknown country 'ZZ'",
    ),
    case("country three letters", ["scan", *NAME, "--country", "USA"], "unknown country 'USA'"),
    case("handle starts with dash", ["scan", "--handle=-jt"], "invalid handle '-jt'"),
    case("handle with space", ["scan", "--handle", "j t"], "invalid handle 'j t'"),
    case("handle with slash", ["scan", "--handle", "j/t"], "invalid handle 'j/t'"),
    case("handle too long", ["scan", "--handle", "j" * 65], "invalid handle"),
    case("handle bad fediverse", ["scan", "--handle", "jt@nowhere"], "invalid fediverse handle"),
    case("handle non-ASCII", ["scan", "--handle", "jörd"], "invalid handle 'jörd'"),
    case("domain no dot", ["scan", *NAME, "--domain", "localhost"], "invalid domain 'localhost'"),
    case("domain leading dash", ["scan", *NAME, "--domain=-a.example"], "invalid domain"),
    case("domain double dot", ["scan", *NAME, "--domain", "a..example"], "invalid domain"),
    case("domain with space", ["scan", *NAME, "--domain", "exa mple.com"], "invalid domain"),
    case("domain only scheme", ["scan", *NAME, "--domain", "https://"], "invalid domain"),
    case("domain an IP", ["scan", *NAME, "--domain", "192.0.2.1"], "invalid domain"),
    case("location no city", ["scan", *NAME, "--location", ", IL"], "should look like 'City, ST'"),
    case("location four parts", ["scan", *NAME, "--location", "A, B, C, D"], "should look like"),
    case(
        "location empty part", ["scan", *NAME, "--location", "Springfield,,IL"], "should look like"
    ),
    case("name too long", ["scan", "--name", "x" * 201], "name longer than 200 characters"),
    case("alias too long", ["scan", *NAME, "--alias", "x" * 201], "alias longer than 200"),
    case(
        "too many --name",
        ["scan", *[a for n in range(51) for a in ("--name", f"N {n}")]],
        "'names' has more than 50 entries",
    ),
    case(
        "too many --handle",
        ["scan", *[a for n in range(51) for a in ("--handle", f"h{n}")]],
        "'handles' has more than 50",
    ),
    # sources and site lists
    case("unknown source", ["scan", *NAME, "--sources", "nope"], "nope"),
    case("empty --sources", ["scan", *NAME, "--sources", ""], "names an empty source"),
    case(
        "--sources with empty name",
        ["scan", *NAME, "--sources", "github,,gravatar"],
        "names an empty source",
    ),
    case("--sources only comma", ["scan", *NAME, "--sources", ","], "names an empty source"),
    case("--sites empty path", ["scan", *NAME, "--sites", ""], "argument --sites: an empty path"),
    case(
        "--sites missing", ["scan", *NAME, "--sites", "nope.json"], "site list not found: nope.json"
    ),
    case("--sites a folder", ["scan", *NAME, "--sites", "folder"], "site list is a directory"),
    case("--sites a FIFO", ["scan", *NAME, "--sites", "fifo"], "site list is a FIFO"),
    case("--sites a socket", ["scan", *NAME, "--sites", "sock"], "site list is a socket"),
    case(
        "--sites a device",
        ["scan", *NAME, "--sites", "/dev/zero"],
        "site list is a character device",
    ),
    case(
        "--sites too large",
        ["scan", *NAME, "--sites", "huge.json"],
        f"larger than {MAX_FILE_BYTES} bytes",
    ),
    case(
        "--sites empty file", ["scan", *NAME, "--sites", "s.json"], "is not valid JSON", s_json=""
    ),
    case(
        "--sites not JSON",
        ["scan", *NAME, "--sites", "s.json"],
        "is not valid JSON",
        s_json="sites: []",
    ),
    case(
        "--sites not UTF-8",
        ["scan", *NAME, "--sites", "s.json"],
        "not UTF-8",
        s_json=b'{"sites": ["\xff"]}',
    ),
    case(
        "--sites a JSON list",
        ["scan", *NAME, "--sites", "s.json"],
        "expected a JSON object",
        s_json="[]",
    ),
    case(
        "--sites no sites key", ["scan", *NAME, "--sites", "s.json"], "no 'sites' list", s_json="{}"
    ),
    case(
        "--sites empty list",
        ["scan", *NAME, "--sites", "s.json"],
        "no usable site (its 'sites' list is empty)",
        s_json='{"sites": []}',
    ),
    case(
        "--sites no valid entry",
        ["scan", *NAME, "--sites", "s.json"],
        "no usable site (2 left out; the first: entry 1: not a JSON object)",
        s_json='{"sites": [1, {"name": "x"}]}',
    ),
    case(
        "--sites entry without account",
        ["scan", *NAME, "--sites", "s.json"],
        "has no {account}",
        s_json='{"sites": [' + ONE_SITE.replace("{account}", "me") + "]}",
    ),
    case(
        "--sites nested deep",
        ["scan", *NAME, "--sites", "s.json"],
        "nested too deeply",
        s_json="[" * 100_000 + "]" * 100_000,
    ),
    case(
        "--sites bad license",
        ["scan", *NAME, "--sites", "s.json"],
        "'license' must be text",
        s_json='{"sites": [' + ONE_SITE + '], "license": 5}',
    ),
    # report targets
    case("--out empty path", ["scan", *NAME, "--out", ""], "argument --out: an empty path"),
    case(
        "--json-file empty path",
        ["scan", *NAME, "--json-file", ""],
        "argument --json-file: an empty path",
    ),
    case("--json= empty (0.1)", ["scan", *NAME, "--json="], "argument --json-file: an empty path"),
    case("--html empty path", ["scan", *NAME, "--html", ""], "argument --html: an empty path"),
    case("--pdf empty path", ["scan", *NAME, "--pdf", ""], "argument --pdf: an empty path"),
    case(
        "--out is a file",
        ["scan", *NAME, "--replay", WORLD, "--out", "me.toml"],
        "me.toml/report.json: Not a directory",
        me_toml=GOOD,
    ),
    case(
        "--out under a file",
        ["scan", *NAME, "--replay", WORLD, "--out", "me.toml/x"],
        "me.toml/x/report.json: Not a directory",
        me_toml=GOOD,
    ),
    case(
        "--json-file is a folder",
        ["scan", *NAME, "--replay", WORLD, "--json-file", "folder"],
        "folder",
    ),
    case("--html is a folder", ["scan", *NAME, "--replay", WORLD, "--html", "folder"], "folder"),
    case("--pdf is a folder", ["scan", *NAME, "--replay", WORLD, "--pdf", "folder"], "folder"),
    case(
        "--json-file is a socket", ["scan", *NAME, "--replay", WORLD, "--json-file", "sock"], "sock"
    ),
    # network and numbers
    case(
        "--replay empty path", ["scan", *NAME, "--replay", ""], "argument --replay: an empty path"
    ),
    case("--replay missing", ["scan", *NAME, "--replay", "nowhere"], "nowhere"),
    case("--replay a file", ["scan", *NAME, "--replay", "me.toml"], "me.toml", me_toml=GOOD),
    case("--replay empty folder", ["scan", *NAME, "--replay", "folder"], "folder"),
    case(
        "--ca-bundle empty path",
        ["scan", *NAME, "--ca-bundle", ""],
        "argument --ca-bundle: an empty path",
    ),
    case("--ca-bundle missing", ["scan", *NAME, "--ca-bundle", "nope.pem"], "nope.pem"),
    case("--proxy bad scheme", ["scan", *NAME, "--proxy", "ftp://127.0.0.1:21"], "scheme 'ftp'"),
    case(
        "--proxy and --tor",
        ["scan", *NAME, "--proxy", "http://127.0.0.1:1", "--tor"],
        "not allowed with argument",
    ),
    case(
        "--depth -1",
        ["scan", *NAME, "--depth", "-1"],
        "argument --depth: must be a whole number from 0 to 3",
    ),
    case("--depth 4", ["scan", *NAME, "--depth", "4"], "from 0 to 3: '4'"),
    case("--depth x", ["scan", *NAME, "--depth", "x"], "from 0 to 3: 'x'"),
    case("--depth 1.5", ["scan", *NAME, "--depth", "1.5"], "from 0 to 3: '1.5'"),
    case("--depth empty", ["scan", *NAME, "--depth", ""], "from 0 to 3: ''"),
    case(
        "--timeout 0",
        ["scan", *NAME, "--timeout", "0"],
        "argument --timeout: must be a positive number: '0'",
    ),
    case("--timeout -1", ["scan", *NAME, "--timeout", "-1"], "must be a positive number: '-1'"),
    case("--timeout nan", ["scan", *NAME, "--timeout", "nan"], "must be a positive number: 'nan'"),
    case("--timeout inf", ["scan", *NAME, "--timeout", "inf"], "must be a positive number: 'inf'"),
    case("--timeout x", ["scan", *NAME, "--timeout", "x"], "argument --timeout: not a number: 'x'"),
    case("--timeout empty", ["scan", *NAME, "--timeout", ""], "not a number: ''"),
    case("--timeout missing value", ["scan", *NAME, "--timeout"], "expected one argument"),
    case("scan unknown option", ["scan", *NAME, "--nope"], "unrecognized arguments: --nope"),
    case("scan two profiles", ["scan", "a.toml", "b.toml"], "unrecognized arguments: b.toml"),
    case(
        "scan --history and --no-history word",
        ["scan", *NAME, "--history=yes"],
        "ignored explicit argument",
    ),
]

OTHER_CASES = [
    # top level
    case("no command", [], "the following arguments are required: COMMAND"),
    case("unknown command", ["nope"], "invalid choice: 'nope'"),
    case("unknown top-level option", ["--nope"], "COMMAND"),
    case("command misspelt", ["scna"], "invalid choice: 'scna'"),
    case("sources takes no arguments", ["sources", "x"], "unrecognized arguments: x"),
    # usernames
    case("usernames no username", ["usernames"], "required: username"),
    case(
        "usernames two words",
        ["usernames", "two words", "--sites", SITES],
        "invalid username 'two words'",
    ),
    case("usernames empty", ["usernames", "", "--sites", SITES], "invalid username ''"),
    case("usernames only @", ["usernames", "@", "--sites", SITES], "invalid username '@'"),
    case("usernames too long", ["usernames", "u" * 101, "--sites", SITES], "invalid username"),
    case(
        "usernames --sites empty path",
        ["usernames", "jt", "--sites", ""],
        "argument --sites: an empty path",
    ),
    case(
        "usernames --sites missing",
        ["usernames", "jt", "--sites", "nope.json"],
        "site list not found",
    ),
    case(
        "usernames --sites folder",
        ["usernames", "jt", "--sites", "folder"],
        "site list is a directory",
    ),
    case("usernames --sites FIFO", ["usernames", "jt", "--sites", "fifo"], "site list is a FIFO"),
    case(
        "usernames --sites socket", ["usernames", "jt", "--sites", "sock"], "site list is a socket"
    ),
    case(
        "usernames --sites empty list",
        ["usernames", "jt", "--sites", "s.json"],
        "no usable site",
        s_json='{"sites": []}',
    ),
    case(
        "usernames --sites no valid entry",
        ["usernames", "jt", "--sites", "s.json"],
        "no usable site (1 left out",
        s_json='{"sites": [{"name": "Forum"}]}',
    ),
    case(
        "usernames --sites not JSON",
        ["usernames", "jt", "--sites", "s.json"],
        "not valid JSON",
        s_json="<html>",
    ),
    case(
        "usernames --sites too large",
        ["usernames", "jt", "--sites", "huge.json"],
        f"larger than {MAX_FILE_BYTES}",
    ),
    case(
        "usernames --json-file empty",
        ["usernames", "jt", "--sites", SITES, "--json-file", ""],
        "argument --json-file: an empty path",
    ),
    case(
        "usernames --json-file folder",
        ["usernames", "jt", "--sites", SITES, "--json-file", "folder"],
        "is a folder",
    ),
    case(
        "usernames --replay empty",
        ["usernames", "jt", "--replay", ""],
        "argument --replay: an empty path",
    ),
    case(
        "usernames --concurrency 0",
        ["usernames", "jt", "--concurrency", "0"],
        "from 1 to 1024: '0'",
    ),
    case(
        "usernames --concurrency 1025",
        ["usernames", "jt", "--concurrency", "1025"],
        "from 1 to 1024: '1025'",
    ),
    case(
        "usernames --concurrency -1",
        ["usernames", "jt", "--concurrency", "-1"],
        "from 1 to 1024: '-1'",
    ),
    case(
        "usernames --concurrency x",
        ["usernames", "jt", "--concurrency", "x"],
        "from 1 to 1024: 'x'",
    ),
    case(
        "usernames --timeout 0",
        ["usernames", "jt", "--timeout", "0"],
        "between 0 and 600 seconds: '0'",
    ),
    case(
        "usernames --timeout 601",
        ["usernames", "jt", "--timeout", "601"],
        "between 0 and 600 seconds: '601'",
    ),
    case(
        "usernames --timeout nan",
        ["usernames", "jt", "--timeout", "nan"],
        "between 0 and 600 seconds: 'nan'",
    ),
    case(
        "usernames --timeout inf",
        ["usernames", "jt", "--timeout", "inf"],
        "between 0 and 600 seconds: 'inf'",
    ),
    case("usernames --timeout x", ["usernames", "jt", "--timeout", "x"], "not a number: 'x'"),
    case(
        "usernames --proxy bad",
        ["usernames", "jt", "--sites", SITES, "--proxy", "gopher://127.0.0.1:70"],
        "scheme 'gopher'",
    ),
    case(
        "usernames --ca-bundle empty",
        ["usernames", "jt", "--ca-bundle", ""],
        "argument --ca-bundle: an empty path",
    ),
    case(
        "usernames unknown option", ["usernames", "jt", "--nope"], "unrecognized arguments: --nope"
    ),
    # sites
    case("sites without action", ["sites"], "required: ACTION"),
    case("sites unknown action", ["sites", "nope"], "invalid choice: 'nope'"),
    case(
        "sites update unknown list",
        ["sites", "update", "--list", "nope"],
        "unknown site list 'nope'",
    ),
    case(
        "sites update --ca-bundle empty",
        ["sites", "update", "--ca-bundle", ""],
        "argument --ca-bundle: an empty path",
    ),
    case(
        "sites update --proxy and --tor",
        ["sites", "update", "--tor", "--proxy", "http://127.0.0.1:1"],
        "not allowed with argument",
    ),
    case("sites info extra", ["sites", "info", "x"], "unrecognized arguments: x"),
    # extract
    case("extract no file", ["extract"], "required: FILE"),
    case("extract empty path", ["extract", ""], "argument FILE: an empty path"),
    case("extract missing", ["extract", "nope.txt"], "file not found: nope.txt"),
    case("extract folder", ["extract", "folder"], "file is a directory"),
    case("extract FIFO", ["extract", "fifo"], "file is a FIFO (named pipe), not a file: fifo"),
    case("extract socket", ["extract", "sock"], "file is a socket"),
    case("extract device", ["extract", "/dev/zero"], "file is a character device"),
    case(
        "extract binary",
        ["extract", "a.bin"],
        "a.bin: not a text or HTML file",
        a_bin=b"\x00\x01\x02",
    ),
    case("extract too large", ["extract", "huge.json"], "larger than 50000000 bytes"),
    case(
        "extract bad region",
        ["extract", "a.txt", "--region", "XX"],
        "unknown region 'XX'",
        a_txt="hi",
    ),
    case(
        "extract second file missing",
        ["extract", "a.txt", "nope.txt"],
        "file not found: nope.txt",
        a_txt="hi",
    ),
    # history, diff, mark, letter
    case("history bad subject", ["history", "no spaces allowed"], "schedule label must be"),
    case("history extra", ["history", "a", "b"], "unrecognized arguments: b"),
    case("diff too many", ["diff", "a", "1", "2", "3"], "diff takes [SUBJECT] [SCAN_A SCAN_B]"),
    case("diff one number", ["diff", "1"], "a subject and/or two scan numbers"),
    case("diff two subjects", ["diff", "a", "b"], "a subject and/or two scan numbers"),
    case("diff nothing saved", ["diff"], "say whose scans to compare"),
    case("diff unknown subject", ["diff", "nobody"], "no saved scans of 'nobody'"),
    case("mark no arguments", ["mark"], "required: FINDING_ID, STATE"),
    case("mark bad state", ["mark", "abcdef", "gone"], "invalid choice: 'gone'"),
    case("mark state with underscore", ["mark", "abcdef", "not_me"], "invalid choice: 'not_me'"),
    case("letter no finding", ["letter"], "required: FINDING_ID"),
    case("letter bad law", ["letter", "abcdef", "--law", "hipaa"], "invalid choice: 'hipaa'"),
    # schedule and rescan
    case("schedule nothing", ["schedule"], "schedule needs a PROFILE"),
    case("schedule no interval", ["schedule", "me.toml"], "schedule needs a PROFILE", me_toml=GOOD),
    case(
        "schedule two intervals",
        ["schedule", "me.toml", "--daily", "--weekly"],
        "not allowed with argument",
    ),
    case(
        "schedule empty profile path",
        ["schedule", "", "--weekly"],
        "argument profile: an empty path",
    ),
    case(
        "schedule missing profile",
        ["schedule", "nope.toml", "--weekly", "--backend", "cron"],
        "profile not found: nope.toml",
    ),
    case(
        "schedule bad backend",
        ["schedule", "--list", "--backend", "launchd"],
        "invalid choice: 'launchd'",
    ),
    case(
        "schedule bad remove label",
        ["schedule", "--remove", "a b", "--backend", "cron"],
        "schedule label must be",
    ),
    case("rescan missing flags", ["rescan"], "required: --due, --subject, --interval, --profile"),
    case(
        "rescan empty profile",
        ["rescan", "--due", "--subject", "me", "--interval", "weekly", "--profile", ""],
        "argument --profile: an empty path",
    ),
    case(
        "rescan bad interval",
        ["rescan", "--due", "--subject", "me", "--interval", "yearly", "--profile", "me.toml"],
        "interval must be monthly, weekly or daily",
        me_toml=GOOD,
    ),
    case(
        "rescan bad subject",
        ["rescan", "--due", "--subject", "a/b", "--interval", "weekly", "--profile", "me.toml"],
        "schedule label must be",
        me_toml=GOOD,
    ),
    # doctor (what it finds wrong is its report on stdout; only its arguments are here)
    case(
        "doctor --ca-bundle empty",
        ["doctor", "--ca-bundle", ""],
        "argument --ca-bundle: an empty path",
    ),
    case(
        "doctor --proxy and --tor",
        ["doctor", "--tor", "--proxy", "http://127.0.0.1:1"],
        "not allowed with argument",
    ),
    case("doctor unknown option", ["doctor", "--nope"], "unrecognized arguments: --nope"),
    # clients (counselor mode)
    case("clients without action", ["clients"], "required: ACTION"),
    case("clients unknown action", ["clients", "nope"], "invalid choice: 'nope'"),
    case("clients add without consent", ["clients", "add", "Client A"], "required: --consent-by"),
    case(
        "clients add days not a number",
        ["clients", "add", "A", "--consent-by", "me", "--retention-days", "x"],
        "argument --retention-days: invalid int value: 'x'",
    ),
    case("clients rescan without --due", ["clients", "rescan"], "required: --due"),
    case(
        "clients rescan --every x",
        ["clients", "rescan", "--due", "--every", "x"],
        "invalid int value: 'x'",
    ),
    case(
        "clients unlock --minutes x",
        ["clients", "unlock", "--minutes", "x"],
        "invalid int value: 'x'",
    ),
    case(
        "clients report redact and evidence",
        ["clients", "report", "A", "--redact", "--evidence", "--out", "o"],
        "not allowed with argument",
    ),
    case("clients report without --out", ["clients", "report", "A"], "required: --out"),
    case(
        "clients purge nothing named",
        ["clients", "purge"],
        "one of the arguments label --expired --all is required",
    ),
    case(
        "clients purge two ways",
        ["clients", "purge", "--expired", "--all"],
        "not allowed with argument",
    ),
]

CASES = [*control_cases(), *UTF8_CASES, *SCAN_CASES, *OTHER_CASES]


# --- the run -------------------------------------------------------------------------------


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The current folder, holding a folder, a FIFO, a socket and two oversized files."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EXPOSURE_AUDIT_PASSPHRASE", "not a real passphrase")
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "fifo")
    for name, size in (("big", MAX_PROFILE_BYTES + 1), ("huge.json", MAX_FILE_BYTES + 1)):
        with (tmp_path / name).open("wb") as handle:
            handle.truncate(size)  # sparse: no disk, no memory
    listener = socket.socket(socket.AF_UNIX)
    listener.bind("sock")  # relative: a socket path must be short
    try:
        yield tmp_path
    finally:
        listener.close()


HISTORY_STORE = "history.sqlite3"  # opened (so made) by history commands and scans


def everything(*folders: Path) -> set[Path]:
    """Every path under the folders but the history store and the folders holding it: a
    report, a scan folder or any other file would show."""
    found = {path for folder in folders for path in folder.rglob("*")}
    stores = {path for path in found if path.name.startswith(HISTORY_STORE)}
    holding = {parent for store in stores for parent in store.parents}
    return found - stores - holding


def test_the_table_is_large_and_its_ids_are_unique() -> None:
    assert len(CASES) >= 200
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("bad", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line_and_exit_2(
    bad: Case, scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, content in bad.files.items():
        if isinstance(content, bytes):
            (scratch / name).write_bytes(content)
        else:
            (scratch / name).write_text(content, encoding="utf-8")
    data = Path(os.environ["XDG_DATA_HOME"]).parent
    before = everything(scratch, data)
    status = main(bad.argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert status == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("exposure-audit: error: "), err
    assert bad.fragment in lines[0], err
    assert out == ""
    assert everything(scratch, data) == before  # no report, scan folder or other file


def test_a_missing_ca_bundle_is_refused_before_the_history_store_is_opened(
    scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", *NAME, "--ca-bundle", "nope.pem"]) == 2
    assert capsys.readouterr().err == "exposure-audit: error: CA bundle not found: nope.pem\n"
    assert list(Path(os.environ["XDG_DATA_HOME"]).parent.rglob(HISTORY_STORE)) == []
