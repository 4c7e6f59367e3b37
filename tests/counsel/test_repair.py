"""A workspace whose index or header is missing or damaged (issue 16): the index is rebuilt
from the client records, or every index operation says "the workspace is damaged"; the panic
button still destroys a workspace whose header is gone, and nothing else.

Fictional people only (Jordan Testwell, Avery Sample, example.com addresses).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scanner.counsel import clients
from scanner.counsel.clients import Consent
from scanner.counsel.vault import HEADER, Vault, destroy
from scanner.errors import InputError

PASSPHRASE = "correct horse battery staple"
FAST_N = 2**4
T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
LABELS = ("Client A", "Client B")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "workspace"


@pytest.fixture
def vault(folder: Path) -> Vault:
    made = Vault.create(folder, PASSPHRASE, n=FAST_N)
    for label in LABELS:
        clients.add_client(made, label, Consent(by="Sam Counselor", at=T0), T0)
        clients.save_scan(made, label, '{"scan": 1}\n', T0)
    return made


def ids(vault: Vault) -> dict[str, str]:
    return {record.label: record.id for record in clients.list_clients(vault)}


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- the index -------------------------------------------------------------------------------


def test_a_deleted_index_is_rebuilt_from_the_records(vault: Vault, folder: Path) -> None:
    before = ids(vault)
    (folder / "index").unlink()
    assert ids(vault) == before
    assert json.loads(vault.read("index")) == before  # written back
    with pytest.raises(InputError, match="already a client 'Client A'"):
        clients.add_client(vault, "client a", Consent(by="Sam Counselor", at=T0), T0)


@pytest.mark.parametrize("damage", [b"", b"EAW1" + b"\x00" * 40, b"not even encrypted"])
def test_a_damaged_index_is_rebuilt_from_the_records(
    vault: Vault, folder: Path, damage: bytes
) -> None:
    before = ids(vault)
    (folder / "index").write_bytes(damage)
    assert ids(vault) == before
    assert len(clients.scans(vault, "Client B")) == 1


def test_an_older_index_adopts_the_client_it_does_not_list(vault: Vault, folder: Path) -> None:
    old = (folder / "index").read_bytes()  # lists A and B
    clients.add_client(vault, "Client C", Consent(by="Sam Counselor", at=T0), T0)
    (folder / "index").write_bytes(old)  # as if the index write was lost (a crash, a backup)
    assert sorted(ids(vault)) == ["Client A", "Client B", "Client C"]
    clients.purge_client(vault, "Client C")  # reachable again, so purge can remove it
    assert sorted(ids(vault)) == list(LABELS)


def test_a_damaged_record_without_an_index_refuses_adding(vault: Vault, folder: Path) -> None:
    a_id = ids(vault)["Client A"]
    (folder / "index").unlink()
    record = folder / "c" / a_id / "record"
    record.write_bytes(record.read_bytes()[:-1])  # cut short: fails to decrypt
    before = files(folder)
    with pytest.raises(InputError, match=r"^the workspace is damaged: c/.*record.* damaged"):
        clients.add_client(vault, "Client C", Consent(by="Sam Counselor", at=T0), T0)
    with pytest.raises(InputError, match="the workspace is damaged"):
        clients.list_clients(vault)
    assert files(folder) == before  # no fresh index beside the client files


def test_a_client_folder_without_a_record_is_damage(vault: Vault, folder: Path) -> None:
    a_id = ids(vault)["Client A"]
    (folder / "index").unlink()
    (folder / "c" / a_id / "record").unlink()
    with pytest.raises(InputError, match=f"damaged: client folder c/{a_id}/ has no record"):
        clients.add_client(vault, "Client C", Consent(by="Sam Counselor", at=T0), T0)
    assert not (folder / "index").exists()


def test_a_record_moved_to_another_folder_is_damage(vault: Vault, folder: Path) -> None:
    a_id, b_id = ids(vault)["Client A"], ids(vault)["Client B"]
    (folder / "index").unlink()
    a_record = folder / "c" / a_id / "record"
    a_record.replace(folder / "c" / b_id / "record")  # authenticated by path: refused
    (folder / "c" / a_id / "scans").rename(folder / "c" / a_id / "kept")
    with pytest.raises(InputError, match="the workspace is damaged"):
        clients.list_clients(vault)


def test_two_records_with_one_label_are_damage(vault: Vault, folder: Path) -> None:
    a_id = ids(vault)["Client A"]
    twin = vault.new_id()
    data = json.loads(vault.read(f"c/{a_id}/record"))
    data["id"] = twin
    vault.write(f"c/{twin}/record", json.dumps(data).encode())
    with pytest.raises(InputError, match="two client records are labelled 'Client A'"):
        clients.list_clients(vault)


# --- the panic button without a sound header -------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        None,  # missing
        b'{"format": "exposure-audit/workspace/1", "kdf": {"na',  # cut short
        b"\x8f\x00 garbage \xff",
        b'{"format": "something else"}',
    ],
)
def test_destroy_without_a_sound_header_removes_every_file(
    vault: Vault, folder: Path, header: bytes | None
) -> None:
    (folder / ".index.abc123_x.tmp").write_bytes(b"a temp file an atomic write left")
    if header is None:
        (folder / HEADER).unlink()
    else:
        (folder / HEADER).write_bytes(header)
    with pytest.raises(InputError):
        Vault.open(folder, PASSPHRASE)  # no passphrase check is possible
    destroy(folder)
    assert not folder.exists()


def test_destroy_without_a_header_touches_no_folder_with_other_files(
    vault: Vault, folder: Path
) -> None:
    (folder / HEADER).write_bytes(b"garbage")
    (folder / "c" / "notes.txt").write_text("someone else's file")
    before = files(folder)
    with pytest.raises(InputError, match=r"not a workspace's \(c/notes.txt\).*nothing destroyed"):
        destroy(folder)
    assert files(folder) == before


def test_destroy_refuses_a_folder_that_never_held_a_workspace(tmp_path: Path) -> None:
    plain = tmp_path / "documents"
    plain.mkdir()
    (plain / "letter").write_bytes(b"Dear landlord")
    with pytest.raises(InputError, match="nothing destroyed"):
        destroy(plain)
    with pytest.raises(InputError, match="no workspace"):
        destroy(tmp_path / "absent")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no workspace"):
        destroy(empty)
    assert (plain / "letter").read_bytes() == b"Dear landlord"
    assert empty.is_dir()
