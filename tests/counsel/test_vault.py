"""The encrypted workspace: round trips, no plaintext on disk, refusals that change nothing,
shredding, path rules, the session unlock cache and file modes.

scrypt runs with FAST_N (passed as `n=` to Vault.create) so the suite stays fast; the one test
marked below creates a workspace with the real default (2**17) and checks the header says so.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from scanner.counsel import vault as vault_mod
from scanner.counsel.vault import Vault, cache_key, cached_key, forget
from scanner.errors import InputError

FAST_N = 2**4
PASSPHRASE = "correct horse battery"
CLIENT = {"name": "Avery Sample", "emails": ["avery@example.net"], "city": "Springfield"}
SECRETS = ("Avery Sample", "avery@example.net")


def new_vault(folder: Path) -> Vault:
    return Vault.create(folder, PASSPHRASE, n=FAST_N)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def encodings(text: str) -> list[bytes]:
    """The text as it could sit on disk: UTF-8 and UTF-16 (both byte orders), lower-cased."""
    low = text.lower()
    return [low.encode("utf-8"), low.encode("utf-16-le"), low.encode("utf-16-be")]


def test_round_trip_and_listing(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    vault = new_vault(folder)
    client = vault.new_id()
    vault.write(f"clients/{client}/profile.json", b'{"a": 1}')
    vault.write(f"clients/{client}/scans/2024.json", b"")
    vault.write("index.json", "ünïcode".encode())
    again = Vault.open(folder, PASSPHRASE)
    assert again.read(f"clients/{client}/profile.json") == b'{"a": 1}'
    assert again.read(f"clients/{client}/scans/2024.json") == b""
    assert again.read("index.json") == "ünïcode".encode()
    assert again.exists("index.json")
    assert not again.exists("missing.json")
    assert again.list("clients/") == [
        f"clients/{client}/profile.json",
        f"clients/{client}/scans/2024.json",
    ]
    assert again.list("") == [*again.list("clients/"), "index.json"]
    assert again.list("nothing/") == []
    with pytest.raises(InputError, match=r"missing\.json is missing from workspace"):
        again.read("missing.json")


def test_overwrite_replaces_and_leaves_no_temp_file(tmp_path: Path) -> None:
    vault = new_vault(tmp_path / "ws")
    vault.write("a.bin", b"first")
    vault.write("a.bin", b"second")
    assert vault.read("a.bin") == b"second"
    assert sorted(p.name for p in (tmp_path / "ws").iterdir()) == ["a.bin", "workspace.json"]


def test_header_format(tmp_path: Path) -> None:
    new_vault(tmp_path / "ws")
    header = json.loads((tmp_path / "ws" / "workspace.json").read_text())
    assert header["format"] == "exposure-audit/workspace/1"
    assert header["kdf"]["name"] == "scrypt"
    assert (header["kdf"]["n"], header["kdf"]["r"], header["kdf"]["p"]) == (FAST_N, 8, 1)
    assert set(header) == {"format", "kdf", "check"}


def test_default_work_factor_is_2_to_the_17(tmp_path: Path) -> None:
    """The one slow-ish test (~0.3 s per derivation): the real default, end to end."""
    assert vault_mod.SCRYPT_N == 2**17
    vault = Vault.create(tmp_path / "ws", PASSPHRASE)
    header = json.loads((tmp_path / "ws" / "workspace.json").read_text())
    assert header["kdf"]["n"] == 2**17
    vault.write("x.bin", b"payload")
    assert Vault.open(tmp_path / "ws", PASSPHRASE).read("x.bin") == b"payload"


def test_no_plaintext_anywhere_on_disk(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    vault = new_vault(folder)
    client = vault.new_id()
    data = json.dumps(CLIENT).encode()
    vault.write(f"clients/{client}/profile.json", data)
    vault.write(f"clients/{client}/report.html", b"<h1>Avery Sample</h1> avery@example.net")
    vault.write(f"clients/{client}/utf16.txt", "Avery Sample avery@example.net".encode("utf-16"))
    files = snapshot(folder)
    assert len(files) == 4  # the header and the three files
    for rel, content in files.items():
        lowered = content.lower()
        for secret in SECRETS:
            for needle in encodings(secret):
                assert needle not in lowered, f"{secret!r} found in {rel}"
            assert secret.lower() not in rel.lower()
    for path in folder.rglob("*"):  # names of files and folders too
        assert "avery" not in path.name.lower()
    assert vault.read(f"clients/{client}/profile.json") == data


def test_wrong_passphrase_refused_and_nothing_changes(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    vault = new_vault(folder)
    vault.write("a.bin", b"keep me")
    before = snapshot(folder)
    mtimes = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    with pytest.raises(InputError, match=f"wrong passphrase for workspace {folder}"):
        Vault.open(folder, "not the passphrase")
    with pytest.raises(InputError, match="wrong passphrase"):
        Vault.open(folder, "")
    assert snapshot(folder) == before
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == mtimes
    assert Vault.open(folder, PASSPHRASE).read("a.bin") == b"keep me"


def test_open_without_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no workspace in .*: run `exposure-audit clients init`"):
        Vault.open(tmp_path / "nowhere", PASSPHRASE)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no workspace in"):
        Vault.open(tmp_path / "empty", PASSPHRASE)
    assert not (tmp_path / "nowhere").exists()


def test_damaged_header_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    new_vault(folder)
    header = folder / "workspace.json"
    for text in ("not json", "[]", '{"format": "other"}'):
        header.write_text(text)
        with pytest.raises(InputError, match="is damaged or is not an exposure-audit workspace"):
            Vault.open(folder, PASSPHRASE)


def test_header_asking_for_huge_scrypt_memory_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    new_vault(folder)
    header = json.loads((folder / "workspace.json").read_text())
    header["kdf"]["n"] = 2**30
    (folder / "workspace.json").write_text(json.dumps(header))
    with pytest.raises(InputError, match="is damaged"):
        Vault.open(folder, PASSPHRASE)


def test_create_refusals(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    for weak in ("", "short", "7 chars"):
        with pytest.raises(InputError, match="at least 8 characters"):
            Vault.create(folder, weak, n=FAST_N)
    assert not folder.exists()
    new_vault(folder)
    before = snapshot(folder)
    with pytest.raises(InputError, match="already holds a workspace"):
        new_vault(folder)
    assert snapshot(folder) == before
    other = tmp_path / "busy"
    other.mkdir()
    (other / "notes.txt").write_text("someone's files")
    with pytest.raises(InputError, match="is not empty"):
        new_vault(other)
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]


def test_create_where_hard_links_are_unsupported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: str, dst: str) -> None:
        raise PermissionError("operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    vault = new_vault(tmp_path / "ws")
    vault.write("a.json", b"data")
    assert sorted(p.name for p in (tmp_path / "ws").iterdir()) == ["a.json", "workspace.json"]
    assert Vault.open(tmp_path / "ws", PASSPHRASE).read("a.json") == b"data"


def test_swapped_file_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    vault = new_vault(folder)
    vault.write("a.json", b"A's data")
    vault.write("b.json", b"B's data")
    (folder / "b.json").write_bytes((folder / "a.json").read_bytes())
    with pytest.raises(InputError, match=r"b\.json in workspace .* is damaged or was not written"):
        vault.read("b.json")
    assert vault.read("a.json") == b"A's data"


def test_moved_file_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    vault = new_vault(folder)
    vault.write("one/a.json", b"data")
    (folder / "two").mkdir()
    os.replace(folder / "one" / "a.json", folder / "two" / "a.json")
    with pytest.raises(InputError, match="is damaged or was not written by this workspace"):
        vault.read("two/a.json")


@pytest.mark.parametrize("keep", [0, 3, 4, 16, 31, 32, -1])
def test_truncated_file_refused(tmp_path: Path, keep: int) -> None:
    folder = tmp_path / "ws"
    vault = new_vault(folder)
    vault.write("a.json", b"some client data")
    blob = (folder / "a.json").read_bytes()
    (folder / "a.json").write_bytes(blob[:keep])
    with pytest.raises(InputError, match="is damaged or was not written by this workspace"):
        vault.read("a.json")


def test_flipped_byte_and_other_workspace_refused(tmp_path: Path) -> None:
    vault = new_vault(tmp_path / "ws")
    vault.write("a.json", b"some client data")
    blob = bytearray((tmp_path / "ws" / "a.json").read_bytes())
    blob[-1] ^= 1
    (tmp_path / "ws" / "a.json").write_bytes(bytes(blob))
    with pytest.raises(InputError, match="is damaged"):
        vault.read("a.json")
    other = Vault.create(tmp_path / "other", PASSPHRASE, n=FAST_N)  # same passphrase, new salt
    other.write("a.json", b"other data")
    (tmp_path / "ws" / "a.json").write_bytes((tmp_path / "other" / "a.json").read_bytes())
    with pytest.raises(InputError, match="was not written by this workspace"):
        vault.read("a.json")


def test_file_format_and_fresh_nonce_per_write(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    vault = new_vault(folder)
    vault.write("a.json", b"same data")
    first = (folder / "a.json").read_bytes()
    vault.write("a.json", b"same data")
    second = (folder / "a.json").read_bytes()
    assert first[:4] == second[:4] == b"EAW1"
    assert len(first) == 4 + 12 + len(b"same data") + 16
    assert first[4:16] != second[4:16]
    assert first[16:] != second[16:]


def test_shred_removes_the_file_and_empty_folders(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    vault = new_vault(folder)
    vault.write("clients/abc/profile.json", b"x" * 5000)
    vault.write("clients/def/profile.json", b"y")
    vault.shred("clients/abc/profile.json")
    assert not (folder / "clients" / "abc").exists()
    assert vault.list("") == ["clients/def/profile.json"]
    vault.shred("clients/abc/profile.json")  # again: nothing to do, no error
    assert (folder / "workspace.json").exists()


def test_shred_overwrites_before_unlinking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "ws"
    vault = new_vault(folder)
    vault.write("a.bin", b"z" * 3000)
    original = (folder / "a.bin").read_bytes()
    seen: list[bytes] = []
    real_unlink = Path.unlink

    def spy(self: Path, missing_ok: bool = False) -> None:
        if self.name == "a.bin":
            seen.append(self.read_bytes())
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", spy)
    vault.shred("a.bin")
    assert len(seen) == 1
    assert len(seen[0]) == len(original)
    assert seen[0] != original


def test_shred_all_removes_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    vault = new_vault(folder)
    vault.write("clients/abc/profile.json", b"x")
    vault.write("index.json", b"y")
    (folder / ".index.json.leftover.tmp").write_bytes(b"crash leftover")
    vault.shred_all()
    assert not folder.exists()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InputError, match="no workspace in"):
        Vault.open(folder, PASSPHRASE)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "/etc/passwd",
        "../outside.json",
        "a/../../b",
        "a/./b",
        "a//b",
        "a/",
        "Client.json",
        "avery sample.json",
        "a\\b",
        ".hidden",
        "x/.tmp",
        "workspace.json",
        "é.json",
        "a" * 256,
    ],
)
def test_bad_relpaths_refused(tmp_path: Path, bad: str) -> None:
    vault = new_vault(tmp_path / "ws")
    before = snapshot(tmp_path / "ws")
    with pytest.raises(InputError, match="not a valid workspace path"):
        vault.write(bad, b"x")
    with pytest.raises(InputError, match="not a valid workspace path"):
        vault.read(bad)
    with pytest.raises(InputError, match="not a valid workspace path"):
        vault.shred(bad)
    with pytest.raises(InputError, match="not a valid workspace path"):
        vault.exists(bad)
    assert snapshot(tmp_path / "ws") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]


def test_good_relpaths_and_prefixes(tmp_path: Path) -> None:
    vault = new_vault(tmp_path / "ws")
    for good in ("a.json", "clients/0123abcd/scan-1_2.json", "x/y/z/w.v.bin"):
        vault.write(good, b"ok")
        assert vault.read(good) == b"ok"
    for bad_prefix in ("../", "/", "A", "a b"):
        with pytest.raises(InputError, match="not a workspace path prefix"):
            vault.list(bad_prefix)


def test_new_id_is_random_hex(tmp_path: Path) -> None:
    vault = new_vault(tmp_path / "ws")
    ids = {vault.new_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 16 and int(i, 16) >= 0 and i == i.lower() for i in ids)


def test_file_modes(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        folder = tmp_path / "deep" / "ws"
        vault = new_vault(folder)
        vault.write("clients/abc/scans/one.json", b"x")
    finally:
        os.umask(old)

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    for each in (tmp_path / "deep", folder, folder / "clients", folder / "clients" / "abc"):
        assert mode(each) == 0o700, each
    assert mode(folder / "clients" / "abc" / "scans") == 0o700
    assert mode(folder / "workspace.json") == 0o600
    assert mode(folder / "clients" / "abc" / "scans" / "one.json") == 0o600


# The session unlock cache.


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "run"
    path.mkdir(mode=0o700)
    os.chmod(path, 0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(path))
    return path


def test_session_cache_round_trip_and_modes(tmp_path: Path, runtime: Path) -> None:
    folder = tmp_path / "ws"
    vault = new_vault(folder)
    vault.write("a.json", b"data")
    assert cached_key(folder) is None
    cache_key(folder, vault.key, 15)
    entries = list((runtime / "exposure-audit").iterdir())
    assert len(entries) == 1
    assert entries[0].name.startswith("unlock-")
    assert len(entries[0].name) == len("unlock-") + 16
    assert stat.S_IMODE(entries[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((runtime / "exposure-audit").stat().st_mode) == 0o700
    assert PASSPHRASE.encode() not in entries[0].read_bytes()
    key = cached_key(folder)
    assert key == vault.key
    assert Vault.open_with_key(folder, key).read("a.json") == b"data"
    assert cached_key(tmp_path / "other") is None


def test_session_cache_expires(
    tmp_path: Path, runtime: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "ws"
    vault = new_vault(folder)
    monkeypatch.setattr(vault_mod, "_now", lambda: 1_000_000.0)
    cache_key(folder, vault.key, 10)
    monkeypatch.setattr(vault_mod, "_now", lambda: 1_000_000.0 + 599)
    assert cached_key(folder) == vault.key
    monkeypatch.setattr(vault_mod, "_now", lambda: 1_000_000.0 + 600)
    assert cached_key(folder) is None
    assert list((runtime / "exposure-audit").iterdir()) == []  # deleted once expired


def test_session_cache_forget(tmp_path: Path, runtime: Path) -> None:
    folder = tmp_path / "ws"
    vault = new_vault(folder)
    cache_key(folder, vault.key, 10)
    forget(folder)
    assert cached_key(folder) is None
    assert list((runtime / "exposure-audit").iterdir()) == []
    forget(folder)  # nothing cached: no error


def test_session_cache_needs_a_private_runtime_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "ws"
    vault = new_vault(folder)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    with pytest.raises(InputError, match="session unlock needs XDG_RUNTIME_DIR"):
        cache_key(folder, vault.key, 10)
    assert cached_key(folder) is None
    forget(folder)
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o755)  # noqa: S103 - deliberately not private: must be refused
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shared))
    with pytest.raises(InputError, match="session unlock needs XDG_RUNTIME_DIR"):
        cache_key(folder, vault.key, 10)
    assert list(shared.iterdir()) == []


def test_session_cache_refusals(tmp_path: Path, runtime: Path) -> None:
    folder = tmp_path / "ws"
    vault = new_vault(folder)
    for minutes in (0, -5, 24 * 60 + 1):
        with pytest.raises(InputError, match="unlock timeout must be"):
            cache_key(folder, vault.key, minutes)
    cache_key(folder, vault.key, 10)
    entry = next((runtime / "exposure-audit").iterdir())
    entry.write_text("garbage")
    assert cached_key(folder) is None
    assert not entry.exists()


def test_wrong_cached_key_refused(tmp_path: Path, runtime: Path) -> None:
    folder = tmp_path / "ws"
    new_vault(folder)
    other = Vault.create(tmp_path / "other", PASSPHRASE, n=FAST_N)
    with pytest.raises(InputError, match="saved unlock does not open workspace"):
        Vault.open_with_key(folder, other.key)
    with pytest.raises(InputError, match="saved unlock does not open workspace"):
        Vault.open_with_key(folder, b"short")


def test_shred_all_forgets_the_session(tmp_path: Path, runtime: Path) -> None:
    folder = tmp_path / "ws"
    vault = new_vault(folder)
    cache_key(folder, vault.key, 10)
    vault.shred_all()
    assert list((runtime / "exposure-audit").iterdir()) == []
