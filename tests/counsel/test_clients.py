"""Client records in a real encrypted workspace: consent, scans, retention, purge, export.

Fictional people only (Jordan Testwell, Avery Sample, example.com addresses).
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scanner.counsel import clients
from scanner.counsel.clients import Consent
from scanner.counsel.vault import Vault
from scanner.errors import InputError

PASSPHRASE = "correct horse battery staple"
FAST_N = 2**4  # scrypt work factor for tests only: the real default is 2**17
T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
NAME_A, EMAIL_A = "Jordan Testwell", "jordan.testwell@example.com"
NAME_B, EMAIL_B = "Avery Sample", "avery.sample@example.net"
PROFILE_A = {"names": [NAME_A], "emails": [EMAIL_A], "handles": ["jtestwell"]}
PROFILE_B = {"names": [NAME_B], "emails": [EMAIL_B]}


def report(name: str, email: str, n: int) -> str:
    return json.dumps({"subject": {"names": [name], "emails": [email]}, "scan": n}) + "\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "workspace"


@pytest.fixture
def vault(folder: Path) -> Vault:
    return Vault.create(folder, PASSPHRASE, n=FAST_N)


def consent(sources: tuple[str, ...] = ("all",), days: int = 90, at: datetime = T0) -> Consent:
    return Consent(by="Sam Counselor", at=at, sources=sources, retention_days=days)


def add_two(vault: Vault) -> None:
    """Two clients, each with a profile and two scans."""
    for label, name, email, profile in (
        (NAME_A, NAME_A, EMAIL_A, PROFILE_A),
        (NAME_B, NAME_B, EMAIL_B, PROFILE_B),
    ):
        clients.add_client(vault, label, consent(), T0)
        clients.set_profile(vault, label, profile)
        clients.save_scan(vault, label, report(name, email, 1), T0 + timedelta(hours=1))
        clients.save_scan(vault, label, report(name, email, 2), T0 + timedelta(days=2))


def disk(folder: Path) -> dict[str, bytes]:
    """Every file under the folder (relative path -> bytes)."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# --- add / get / list ------------------------------------------------------------------------


def test_add_get_list(vault: Vault) -> None:
    added = clients.add_client(vault, "Client B", consent(("github", "gravatar"), 30), T0)
    clients.add_client(vault, "client a", consent(), T0 + timedelta(minutes=5))

    got = clients.get_client(vault, "CLIENT B")  # any case finds it
    assert got == added
    assert got.label == "Client B"
    assert got.created_at == T0
    assert got.consent == Consent("Sam Counselor", T0, ("github", "gravatar"), 30, "")
    assert got.last_scan_at is None
    assert got.profile is None
    assert got.scan_ids == []
    assert [r.label for r in clients.list_clients(vault)] == ["client a", "Client B"]


def test_records_survive_reopening(vault: Vault, folder: Path) -> None:
    clients.add_client(vault, "Client A", consent(("github",)), T0)
    reopened = Vault.open(folder, PASSPHRASE)
    assert clients.get_client(reopened, "client a").consent == consent(("github",))


def test_duplicate_label_refused_ignoring_case(vault: Vault) -> None:
    clients.add_client(vault, "Client A", consent(), T0)
    with pytest.raises(InputError, match="already a client 'Client A'"):
        clients.add_client(vault, "  client A ", consent(), T0)
    assert len(clients.list_clients(vault)) == 1


def test_unknown_client_suggests_the_closest(vault: Vault) -> None:
    clients.add_client(vault, "Client A", consent(), T0)
    with pytest.raises(InputError) as caught:
        clients.get_client(vault, "Clinet A")
    assert str(caught.value) == (
        "no client 'Clinet A' in this workspace (did you mean 'Client A'?)"
    )
    with pytest.raises(InputError, match=r"^no client 'Zed' in this workspace$"):
        clients.get_client(vault, "Zed")


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("   ", "cannot be empty"),
        ("x" * 65, "at most 64"),
        ("Client\x1b[2JA", "control characters"),
        ("Client\u202eA", "control characters"),
    ],
)
def test_bad_labels_refused(vault: Vault, label: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        clients.add_client(vault, label, consent(), T0)
    assert clients.list_clients(vault) == []


def test_consent_is_checked_when_recorded() -> None:
    with pytest.raises(InputError, match="counselor's name"):
        Consent(by="  ", at=T0)
    with pytest.raises(InputError, match="at least one source"):
        Consent(by="Sam", at=T0, sources=())
    with pytest.raises(InputError, match="retention must be 1-3650 days, not 0"):
        Consent(by="Sam", at=T0, retention_days=0)
    assert Consent(by="Sam", at=T0, sources=("GitHub", "all")).sources == ("all",)


# --- consent ---------------------------------------------------------------------------------


def test_no_consent_refuses_every_source(vault: Vault) -> None:
    record = replace(clients.add_client(vault, "Client A", consent(), T0), consent=None)
    with pytest.raises(InputError, match="no consent recorded for 'Client A'"):
        clients.require_consent(record, ["github"])


def test_consent_scope_is_enforced(vault: Vault) -> None:
    record = clients.add_client(vault, "Client A", consent(("github", "gravatar")), T0)
    clients.require_consent(record, ["github", "gravatar"])  # inside the scope: no error
    with pytest.raises(InputError) as caught:
        clients.require_consent(record, ["github", "hibp", "keybase"])
    assert str(caught.value) == (
        "consent for 'Client A' covers only github, gravatar; not hibp, keybase"
    )


def test_consent_for_all_covers_any_source(vault: Vault) -> None:
    record = clients.add_client(vault, "Client A", consent(), T0)
    clients.require_consent(record, ["github", "hibp", "anything-new"])


# --- profile and scans -----------------------------------------------------------------------


def test_set_profile_round_trips(vault: Vault) -> None:
    clients.add_client(vault, "Client A", consent(), T0)
    updated = clients.set_profile(vault, "client a", PROFILE_A)
    assert updated.profile == PROFILE_A
    assert clients.get_client(vault, "Client A").profile == PROFILE_A


def test_save_scan_and_scans_oldest_first(vault: Vault) -> None:
    clients.add_client(vault, "Client A", consent(), T0)
    late = clients.save_scan(vault, "Client A", report(NAME_A, EMAIL_A, 2), T0 + timedelta(2))
    early = clients.save_scan(vault, "Client A", report(NAME_A, EMAIL_A, 1), T0 + timedelta(1))
    assert late != early

    kept = clients.scans(vault, "client a")
    assert [(i, at) for i, at, _ in kept] == [(early, T0 + timedelta(1)), (late, T0 + timedelta(2))]
    assert [json.loads(text)["scan"] for _, _, text in kept] == [1, 2]
    record = clients.get_client(vault, "Client A")
    assert record.last_scan_at == T0 + timedelta(2)  # the newest, not the last saved
    assert record.scan_ids == [early, late]


def test_scans_of_a_new_client_are_empty(vault: Vault) -> None:
    clients.add_client(vault, "Client A", consent(), T0)
    assert clients.scans(vault, "Client A") == []


# --- retention -------------------------------------------------------------------------------


def test_expired_counts_from_consent_then_from_the_last_scan(vault: Vault) -> None:
    clients.add_client(vault, "Client A", consent(days=30), T0)
    clients.add_client(vault, "Client B", consent(days=90), T0)

    def expired(now: datetime) -> list[str]:
        return [r.label for r in clients.expired(vault, now)]

    assert expired(T0 + timedelta(days=30)) == []  # exactly at the limit: kept
    assert expired(T0 + timedelta(days=30, seconds=1)) == ["Client A"]
    assert expired(T0 + timedelta(days=91)) == ["Client A", "Client B"]

    clients.save_scan(vault, "Client A", "{}", T0 + timedelta(days=20))
    assert expired(T0 + timedelta(days=49)) == []  # 29 days after the last scan
    assert expired(T0 + timedelta(days=51)) == ["Client A"]


def test_due_for_rescan(vault: Vault) -> None:
    clients.add_client(vault, "Client A", consent(days=90), T0)
    clients.add_client(vault, "Client B", consent(days=90), T0)
    clients.add_client(vault, "No Profile", consent(days=90), T0)
    clients.set_profile(vault, "Client A", PROFILE_A)
    clients.set_profile(vault, "Client B", PROFILE_B)
    clients.save_scan(vault, "Client A", "{}", T0)
    clients.save_scan(vault, "Client B", "{}", T0 + timedelta(days=20))

    def due(days: float) -> list[str]:
        return [r.label for r in clients.due_for_rescan(vault, T0 + timedelta(days), 30)]

    assert due(29) == []
    assert due(30) == ["Client A"]
    assert due(50) == ["Client A", "Client B"]
    assert due(100) == ["Client B"]  # A is past retention: purge it, do not extend it
    with pytest.raises(InputError, match="at least 1 day"):
        clients.due_for_rescan(vault, T0, 0)


# --- purge -----------------------------------------------------------------------------------


def test_purge_client_removes_exactly_that_clients_files(vault: Vault, folder: Path) -> None:
    add_two(vault)
    a_id = clients.get_client(vault, NAME_A).id
    b_id = clients.get_client(vault, NAME_B).id
    before = disk(folder)
    a_files = {name for name in before if a_id in Path(name).parts}
    assert len(a_files) == 3  # record + two scans
    assert not any(b_id in Path(name).parts for name in a_files)

    assert clients.purge_client(vault, "jordan TESTWELL") == 3

    after = disk(folder)
    assert set(before) - set(after) == a_files  # exactly A's files are gone
    assert set(after) - set(before) == set()  # and nothing new appeared
    for name, data in after.items():  # B's files are untouched, byte for byte
        if b_id in Path(name).parts:
            assert data == before[name]
    assert not any(a_id in path.name for path in folder.rglob("*"))  # no folder left either
    assert vault.list(f"c/{a_id}/") == []
    assert [r.label for r in clients.list_clients(vault)] == [NAME_B]
    with pytest.raises(InputError, match="no client 'Jordan Testwell'"):
        clients.get_client(vault, NAME_A)
    assert len(clients.scans(vault, NAME_B)) == 2
    # the index itself no longer maps A's label to an id
    assert json.loads(vault.read("index")) == {NAME_B: b_id}


def test_purge_unknown_client_is_refused(vault: Vault) -> None:
    clients.add_client(vault, "Client A", consent(), T0)
    with pytest.raises(InputError, match="did you mean 'Client A'"):
        clients.purge_client(vault, "Client Q")
    assert len(clients.list_clients(vault)) == 1


def test_purge_all_leaves_nothing(vault: Vault, folder: Path) -> None:
    add_two(vault)
    clients.purge_all(vault)
    leftovers = [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []
    assert leftovers == []


# --- export and plaintext --------------------------------------------------------------------


def test_export_writes_plaintext_only_where_asked(
    vault: Vault, folder: Path, tmp_path: Path
) -> None:
    add_two(vault)
    before = disk(folder)
    target = tmp_path / "handover" / "client-a"

    written = clients.export_client(vault, NAME_A, target)

    assert sorted(p.name for p in target.iterdir()) == sorted(p.name for p in written)
    assert len(written) == 3
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert NAME_A not in path.name
    record = json.loads((target / "client.json").read_text())
    assert record["label"] == NAME_A
    assert record["profile"] == PROFILE_A
    assert record["consent"]["by"] == "Sam Counselor"
    reports = [json.loads(p.read_text()) for p in written[1:]]
    assert [r["scan"] for r in reports] == [1, 2]
    assert all(NAME_B not in p.read_text() for p in written)  # only the one client
    a_record = f"c/{clients.get_client(vault, NAME_A).id}/record"
    after = disk(folder)
    assert set(after) == set(before)  # only A's record changed: it remembers the copies
    assert {name for name in after if after[name] != before[name]} == {a_record}
    assert clients.get_client(vault, NAME_A).exports == tuple(str(p) for p in written)
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and folder not in p.parents]
    assert sorted(outside) == sorted(written)  # plaintext nowhere else


def test_export_refuses_a_folder_with_files(vault: Vault, tmp_path: Path) -> None:
    add_two(vault)
    target = tmp_path / "used"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(InputError, match="not empty"):
        clients.export_client(vault, NAME_A, target)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert len(clients.export_client(vault, NAME_A, empty)) == 3  # an empty folder is fine


def test_export_refuses_the_workspace_itself(vault: Vault, folder: Path) -> None:
    add_two(vault)
    before = disk(folder)
    for target in (folder, folder / "export"):
        with pytest.raises(InputError, match="inside the encrypted workspace"):
            clients.export_client(vault, NAME_A, target)
    assert disk(folder) == before


def test_no_plaintext_client_data_in_the_workspace(vault: Vault, folder: Path) -> None:
    add_two(vault)
    note = Consent(by="Sam Counselor", at=T0, note=f"{NAME_A} asked for this on the phone")
    clients.add_client(vault, "Client C", note, T0)
    secrets = [NAME_A, EMAIL_A, NAME_B, EMAIL_B, "jtestwell", "Sam Counselor"]
    files = list(folder.rglob("*"))
    assert len([p for p in files if p.is_file()]) >= 8  # index + 3 records + 4 scans
    for path in files:
        for secret in secrets:
            assert secret.lower() not in str(path.relative_to(folder)).lower()
            if path.is_file():
                data = path.read_bytes().lower()
                for encoded in (secret.lower().encode(), secret.lower().encode("utf-16-le")):
                    assert encoded not in data, f"{secret!r} in plaintext in {path.name}"
    for path in files:
        if path.is_file():
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
