"""One ScanRequest, built by one function, for `scan`, `rescan` and `clients scan|rescan`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import scanner.cli
from scanner.cli import main
from scanner.cli.options import NetworkFlags
from scanner.cli.request import ScanFlags, ScanRequest, build_request
from scanner.counsel.clients import get_client, set_profile
from scanner.counsel.vault import Vault
from scanner.errors import InputError
from scanner.netpath import network_path
from tests.support import ROOT

WORLD = ROOT / "demo_world"
SAMPLE = ROOT / "sample_profiles" / "jordan_testwell.toml"
SECRET = "correct horse battery staple"


def test_flags_add_to_the_file_and_the_request_says_everything_a_scan_needs() -> None:
    flags = ScanFlags(
        profile_file=SAMPLE,
        subject={"emails": ["jt.other@example.org"], "country": ["US"]},
        sources=("gravatar", "github"),
        replay=WORLD,
        depth=1,
        timeout=5.0,
    )
    request = build_request(flags)
    assert request.profile.emails == ("jordan.testwell@example.com", "jt.other@example.org")
    assert [s.name for s in request.sources] == ["gravatar", "github"]
    assert (request.depth, request.replay, request.timeout) == (1, WORLD, 5.0)
    assert request.path == network_path()  # no flags: the (cleared) environment's path
    assert request.given["emails"] == ["jordan.testwell@example.com", "jt.other@example.org"]


def test_a_stored_profile_is_the_base_a_file_replaces_it_and_allowed_filters_sources() -> None:
    stored = {"names": ["Avery Sample"]}
    request = build_request(ScanFlags(), stored=stored, allowed=lambda name: name == "brokers")
    assert request.profile.names == ("Avery Sample",)
    assert [s.name for s in request.sources] == ["brokers"]
    replaced = build_request(ScanFlags(profile_file=SAMPLE), stored=stored)
    assert replaced.profile.names == ("Jordan Testwell",)


@pytest.mark.parametrize(
    ("flags", "origin", "message"),
    [
        (ScanFlags(), None, "command line: empty profile"),
        (ScanFlags(subject={"emails": ["not an email"]}), "client A", "client A: invalid email"),
        (ScanFlags(subject={"names": ["x"]}, sources=("myspace",)), None, "unknown source"),
        (ScanFlags(subject={"names": ["x"]}, replay=Path("no/such/world")), None, "replay world"),
        (
            ScanFlags(subject={"names": ["x"]}, network=NetworkFlags(proxy="socks4://h:1")),
            None,
            "cannot use proxy from --proxy",
        ),
    ],
)
def test_bad_input_is_an_input_error_before_anything_is_sent(
    flags: ScanFlags, origin: str | None, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        build_request(flags, origin=origin)


def test_a_path_already_decided_is_used_as_it_is() -> None:
    decided = network_path("http://proxy.example:3128")
    request = build_request(ScanFlags(subject={"names": ["x"]}), path=decided)
    assert request.path is decided


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[ScanRequest]:
    """Every request a scan command runs; the scan itself stops there (Ctrl-C, exit 130)."""
    seen: list[ScanRequest] = []

    def stop(request: ScanRequest, **kwargs: Any) -> Any:
        seen.append(request)
        raise KeyboardInterrupt

    monkeypatch.setattr("scanner.cli.scan.execute", stop)
    return seen


def test_the_scheduled_rescan_builds_the_same_request_as_scan_without_calling_main(
    captured: list[ScanRequest], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    profile = tmp_path / "me.toml"
    profile.write_bytes(SAMPLE.read_bytes())
    assert main(["scan", str(profile), "--subject", "me", "--quiet", "--history"]) == 130
    parses: list[object] = []
    real_parse = scanner.cli.parse

    def counted(argv: Sequence[str] | None) -> argparse.Namespace:
        parses.append(argv)
        return real_parse(argv)

    monkeypatch.setattr(scanner.cli, "parse", counted)
    argv = ["rescan", "--due", "--subject", "me", "--interval", "weekly", "--profile", str(profile)]
    assert main(argv) == 130
    assert len(parses) == 1  # no argv rebuilt to call main again
    by_scan, by_rescan = captured
    assert by_rescan.profile == by_scan.profile
    assert [s.name for s in by_rescan.sources] == [s.name for s in by_scan.sources]
    same = ("given", "path", "depth", "replay", "timeout")
    assert [getattr(by_rescan, f) for f in same] == [getattr(by_scan, f) for f in same]


def test_clients_scan_and_rescan_build_their_requests_with_the_same_function(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    built: list[tuple[ScanFlags, str | None]] = []
    real = build_request

    def spy(flags: ScanFlags, **kwargs: Any) -> ScanRequest:
        built.append((flags, kwargs.get("origin")))
        return real(flags, **kwargs)

    monkeypatch.setattr("scanner.cli.clients.build_request", spy)
    monkeypatch.setenv("EXPOSURE_AUDIT_PASSPHRASE", SECRET)
    workspace = ["clients", "--workspace", str(tmp_path / "ws")]
    assert main([*workspace, "init"]) == 0
    assert main([*workspace, "add", "Client A", "--consent-by", "Sam", "--sources", "brokers"]) == 0
    scan = [*workspace, "scan", "Client A", "--name", "Avery Sample", "--alias", "Ave"]
    assert main([*scan, "--affiliation", "Acme Example Co", "--country", "GB"]) == 0
    assert main([*workspace, "add", "Client B", "--consent-by", "Sam", "--sources", "brokers"]) == 0
    set_profile(Vault.open(tmp_path / "ws", SECRET), "Client B", {"names": ["Blair Sample"]})
    assert main([*workspace, "rescan", "--due"]) == 0  # B was never scanned: due
    (first, origin), (again, _) = built
    assert origin == "client Client A"
    assert first.subject["aliases"] == ["Ave"]
    assert again == ScanFlags()  # the stored profile only: no Namespace made up
    stored = get_client(Vault.open(tmp_path / "ws", SECRET), "Client A").profile
    assert stored == {
        "names": ["Avery Sample"],
        "aliases": ["Ave"],
        "affiliations": ["Acme Example Co"],
        "country": "GB",
    }
    assert "rescanned 1 client(s); 0 failed; 1 were due" in capsys.readouterr().out
