"""`exposure-audit doctor`: the path a scan would take, said plainly, exit 0 or 2."""

from __future__ import annotations

import json
import os
import re
import socket
from pathlib import Path

import certifi
import pytest

from scanner.cli import main
from tests.test_netpath import FakeSocks, free_port


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["doctor", *args])
    return code, capsys.readouterr().out.splitlines()


@pytest.fixture(autouse=True)
def _no_tor_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tor is looked for on a port nothing listens on, unless a test sets its own."""
    monkeypatch.setenv("EXPOSURE_AUDIT_TOR", f"127.0.0.1:{free_port()}")


def test_straight_to_each_site(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = doctor(capsys)
    assert code == 0
    assert lines[0] == "network path: straight to each site (no proxy)"
    assert lines[1].startswith("host names: looked up by this computer's DNS resolver")
    assert lines[2] == "CA certificates: the certifi bundle (the default)"
    assert lines[3].startswith("Tor: no Tor client answers at 127.0.0.1:")
    assert lines[-1] == "a scan can run"


def test_through_tor(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    tor = FakeSocks()
    monkeypatch.setenv("EXPOSURE_AUDIT_TOR", f"127.0.0.1:{tor.port}")
    try:
        code, lines = doctor(capsys, "--tor")
    finally:
        tor.close()
    assert code == 0
    assert (
        lines[0] == f"network path: through the proxy socks5h://127.0.0.1:{tor.port} (set by --tor)"
    )
    assert lines[1] == "host names: looked up by the proxy; this computer looks up none"
    assert lines[3] == f"Tor: a Tor client answers at 127.0.0.1:{tor.port} (use --tor)"


def test_tor_missing_is_exit_2_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = doctor(capsys, "--tor")
    assert code == 2
    assert lines[0] == "network path: unusable (see the problems below)"
    assert any(line.startswith("problem: --tor: no Tor client answers at") for line in lines)
    assert lines[-1] == "a scan cannot run: fix the problems above"


def test_environment_proxy_that_answers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    monkeypatch.setenv("HTTPS_PROXY", f"http://user:secret@127.0.0.1:{port}")
    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
    try:
        code = main(["doctor", "--json"])
    finally:
        listener.close()
    out = capsys.readouterr().out
    assert "secret" not in out
    report = json.loads(out)
    assert code == 0
    assert report["network"] == {
        "proxy": f"http://127.0.0.1:{port}",
        "via": "HTTPS_PROXY",
        "dns": "partly local",
        "bypass": [],
        "carried": ["https"],
        "answers": True,
    }
    assert report["ca"] == {"file": certifi.where(), "via": "SSL_CERT_FILE"}
    assert report["ready"] is True


def test_a_proxy_that_does_not_answer_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    code, lines = doctor(capsys, "--proxy", f"socks5h://127.0.0.1:{port}")
    assert code == 2
    assert lines[0].endswith("(set by --proxy); it does not answer")
    assert f"problem: the proxy socks5h://127.0.0.1:{port} does not answer: no SOCKS5 server" in (
        " ".join(lines)
    )


def test_a_missing_ca_bundle_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = doctor(capsys, "--ca-bundle", str(tmp_path / "none.pem"))
    assert code == 2
    assert f"problem: CA bundle not found: {tmp_path / 'none.pem'}" in lines


def test_api_keys_by_name_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_not_a_real_token_0000")
    code = main(["doctor", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    assert "ghp_not_a_real_token" not in out
    assert json.loads(out)["api_keys"] == {
        "GITHUB_TOKEN": True,
        "GRAVATAR_API_KEY": False,
        "HIBP_API_KEY": False,
    }
    main(["doctor"])
    text = capsys.readouterr().out
    assert "API keys: GITHUB_TOKEN set; GRAVATAR_API_KEY, HIBP_API_KEY not set" in text
    assert "ghp_" not in text


def test_data_folder_and_site_list(capsys: pytest.CaptureFixture[str]) -> None:
    from scanner.paths import data_dir

    code, lines = doctor(capsys)
    assert code == 0
    assert f"data folder: {data_dir()} (not created yet; a scan makes it, private)" in lines
    (sites,) = [line for line in lines if line.startswith("site list: ")]
    assert re.fullmatch(r"site list: \d+ sites checked by default \(wmn .*\)", sites)
    (data_dir() / "sites").mkdir(parents=True, mode=0o700)
    os.chmod(data_dir(), 0o755)  # noqa: S103 - the warning is what is tested
    code, lines = doctor(capsys)
    assert f"data folder: {data_dir()} (mode 0755, readable by other users: chmod 700 it)" in lines


def test_an_unwritable_data_folder_is_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("os.access", lambda path, mode: False)
    code, lines = doctor(capsys)
    assert code == 2
    assert any(line.startswith("problem: cannot write to the data folder") for line in lines)
