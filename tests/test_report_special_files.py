"""A report write never replaces what is not a regular file (issue 16, "Data loss").

`-` is stdout; a character device or FIFO is written in place; a folder or socket is
refused with one line before the scan starts.
"""

from __future__ import annotations

import os
import socket
import stat
import threading
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.errors import InputError
from scanner.report import write
from tests.support import ROOT

WORLD = str(ROOT / "demo_world")
SAMPLE = str(ROOT / "sample_profiles" / "jordan_testwell.toml")
QUICK = ["--sources", "gravatar,github", "--replay", WORLD, "--quiet"]


def test_a_fifo_is_written_in_place_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with fifo.open("rb") as handle:
            received.append(handle.read())

    reader = threading.Thread(target=read)
    reader.start()
    write.write_private(fifo, "report text")
    reader.join(timeout=10)
    assert received == [b"report text"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no temp file left


def test_a_character_device_is_written_in_place(tmp_path: Path) -> None:
    before = os.stat("/dev/null")
    write.write_private(Path("/dev/null"), "report text")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_link_to_a_device_writes_the_device_and_keeps_the_link(tmp_path: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to("/dev/null")
    write.write_private(link, "report text")
    assert link.is_symlink()
    assert os.readlink(link) == "/dev/null"


def test_dash_is_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    write.write_private(Path("-"), "report text\n")
    assert capfd.readouterr().out == "report text\n"
    assert not Path("-").exists()


def test_a_socket_is_refused_and_left_alone(tmp_path: Path) -> None:
    name = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(name))
        with pytest.raises(InputError, match="not a regular file"):
            write.write_private(name, "report text")
        assert stat.S_ISSOCK(name.lstat().st_mode)


def test_a_folder_is_refused_and_left_alone(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="it is a folder"):
        write.write_private(tmp_path, "report text")
    assert tmp_path.is_dir()


def test_scan_json_file_to_dev_null_ends_well(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["scan", SAMPLE, *QUICK, "--json-file", "/dev/null", "--html", str(tmp_path / "r.html")]
    assert main(argv) == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert (tmp_path / "r.html").is_file()
    assert "report.json: /dev/null" in capsys.readouterr().out


def test_scan_to_a_socket_is_refused_before_the_scan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(name))
        assert main(["scan", SAMPLE, *QUICK, "--json-file", str(name)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip().count("\n") == 0
    assert "not a regular file" in err
