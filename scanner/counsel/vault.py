"""The encrypted workspace: one folder (0700) whose files are all encrypted, except its header.

Layout of a workspace folder:
- `workspace.json`, plaintext, no client data:
  {"format": "exposure-audit/workspace/1",
   "kdf": {"name": "scrypt", "salt": <base64 of 16 random bytes>, "n": 131072, "r": 8, "p": 1},
   "check": <base64 of nonce (12 bytes) + AES-GCM(key, nonce, b"exposure-audit workspace check",
             associated data b"workspace.json")>}
- every other file: b"EAW1" + a fresh random 12-byte nonce + AES-256-GCM ciphertext (with its
  16-byte tag). The associated data is the file's path relative to the workspace, so a file that
  was moved, swapped with another or cut short fails to decrypt and is refused. Names on disk are
  chosen by the caller; use `new_id()` so they are random, never a client's name.

Cryptography comes from the `cryptography` package only: Scrypt derives a 32-byte key from the
passphrase (NFC-normalised, UTF-8) and the header's salt; AESGCM encrypts. Nothing is home-made.
A wrong passphrase fails the header's check and nothing is written or changed. The passphrase is
always handed in by the caller (the CLI asks with getpass or reads EXPOSURE_AUDIT_PASSPHRASE);
this module never looks for it anywhere.

Writes are atomic (a 0600 temp file beside the target, fsync, os.replace, fsync of the folder);
folders are created 0700. What this does not protect against: someone who can run code as the
same OS user while the workspace is unlocked; a file replaced by an OLDER copy of the same file
(it still decrypts); the key lingering in this process's memory (Python cannot wipe it).

Shredding: `shred()` overwrites a file's bytes once with random data, fsyncs and unlinks it. On
SSDs (wear levelling), copy-on-write or journalling filesystems (btrfs, ZFS, APFS) and in backups
or snapshots, the old blocks may survive: overwriting is best effort. The real protection is that
the file was only ever written encrypted, and the key is gone once the passphrase is forgotten
and `workspace.json` (which holds the salt) is shredded: `shred_all()` does that first.
`destroy()` is the same without a key, and works when the header is missing or damaged too,
as long as every file in the folder is a workspace's own (so never on a mistyped folder).

Session unlock cache (off unless the caller asks for it): `cache_key()` writes the DERIVED key
(never the passphrase) with an expiry time to $XDG_RUNTIME_DIR/exposure-audit/unlock-<hash>,
file 0600 in a 0700 folder. XDG_RUNTIME_DIR is a per-user tmpfs (RAM, gone at logout or
reboot). Trust model, plainly: while the entry lasts, any program running as the same OS user
can read it and open the workspace without the passphrase, the way it could use an ssh-agent
socket; other users (except root) cannot. `cached_key()` deletes an expired entry when it sees
it; `forget()` (what `clients lock` calls) deletes it at once. Without XDG_RUNTIME_DIR there is
no caching. A cached key must still pass `Vault.open_with_key`, which checks it against the header.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import secrets
import stat
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from scanner.errors import InputError
from scanner.text import printable

FORMAT = "exposure-audit/workspace/1"
HEADER = "workspace.json"
MAGIC = b"EAW1"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
SALT_BYTES = 16
SCRYPT_N = 2**17  # the default work factor; tests pass a small n= to Vault.create to stay fast
SCRYPT_R = 8
SCRYPT_P = 1
MAX_SCRYPT_MEMORY = 2**30  # 128 * n * r bytes: refuse a header that asks for more than 1 GiB
MIN_PASSPHRASE = 8
CHECK_TEXT = b"exposure-audit workspace check"
CACHE_MAX_MINUTES = 24 * 60

_COMPONENT = re.compile(r"[a-z0-9_][a-z0-9_.-]*")
_PREFIX_CHARS = re.compile(r"[a-z0-9/_.-]*")
_TEMP = re.compile(r"\.[a-z0-9_][a-z0-9_.-]*\.[a-z0-9_]+\.tmp")  # _write_temp's mkstemp names


class Vault:
    """An unlocked workspace. Get one from `create`, `open` or `open_with_key`."""

    def __init__(self, folder: Path, key: bytes) -> None:
        """Internal: use the classmethods, which check the key against the header."""
        self._folder = folder
        self._key = key
        self._aead = AESGCM(key)

    @property
    def folder(self) -> Path:
        return self._folder

    @property
    def key(self) -> bytes:
        """The derived key, for `cache_key` only."""
        return self._key

    @classmethod
    def create(cls, folder: Path, passphrase: str, *, n: int = SCRYPT_N) -> Vault:
        """Make a new workspace in `folder`, which must be absent or empty.

        `n` is scrypt's work factor; keep the default outside tests.
        """
        if not passphrase or len(passphrase) < MIN_PASSPHRASE:
            raise InputError(f"the passphrase must be at least {MIN_PASSPHRASE} characters long")
        if (folder / HEADER).exists():
            raise InputError(f"{folder} already holds a workspace; open it instead")
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise InputError(f"{folder} is not empty: choose a new or empty folder")
        _check_kdf(n, SCRYPT_R, SCRYPT_P)
        salt = secrets.token_bytes(SALT_BYTES)
        key = _derive(passphrase, salt, n, SCRYPT_R, SCRYPT_P)
        nonce = secrets.token_bytes(NONCE_BYTES)
        check = nonce + AESGCM(key).encrypt(nonce, CHECK_TEXT, HEADER.encode())
        header = {
            "format": FORMAT,
            "kdf": {"name": "scrypt", "salt": _b64(salt), "n": n, "r": SCRYPT_R, "p": SCRYPT_P},
            "check": _b64(check),
        }
        _make_private_dirs(folder)
        text = (json.dumps(header, indent=2) + "\n").encode()
        temp = _write_temp(folder, HEADER, text)
        try:  # link, not replace: never clobber a header that appeared meanwhile
            os.link(temp, folder / HEADER)
        except FileExistsError:
            raise InputError(f"{folder} already holds a workspace; open it instead") from None
        except OSError:  # no hard links here (e.g. a FAT/exFAT stick): check, then rename
            if (folder / HEADER).exists():
                raise InputError(f"{folder} already holds a workspace; open it instead") from None
            os.replace(temp, folder / HEADER)
        finally:
            Path(temp).unlink(missing_ok=True)
        _fsync_dir(folder)
        return cls(folder, key)

    @classmethod
    def open(cls, folder: Path, passphrase: str) -> Vault:
        """Unlock an existing workspace. A wrong passphrase changes nothing on disk."""
        salt, n, r, p, check = _read_header(folder)
        key = _derive(passphrase, salt, n, r, p)
        if not _check_ok(key, check):
            raise InputError(f"wrong passphrase for workspace {folder}")
        return cls(folder, key)

    @classmethod
    def open_with_key(cls, folder: Path, key: bytes) -> Vault:
        """Unlock with a key from the session cache; it must fit the header's check."""
        check = _read_header(folder)[4]
        if len(key) != KEY_BYTES or not _check_ok(key, check):
            raise InputError(f"the saved unlock does not open workspace {folder}; unlock again")
        return cls(folder, key)

    def write(self, relpath: str, data: bytes) -> None:
        """Encrypt `data` and store it at `relpath`, atomically, 0600."""
        path = self._path(relpath)
        nonce = secrets.token_bytes(NONCE_BYTES)
        blob = MAGIC + nonce + self._aead.encrypt(nonce, data, relpath.encode())
        _make_private_dirs(path.parent)
        temp = _write_temp(path.parent, path.name, blob)
        try:
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)

    def read(self, relpath: str) -> bytes:
        """Decrypt the file at `relpath`; InputError if it is missing or fails to decrypt."""
        path = self._path(relpath)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            raise InputError(f"{relpath} is missing from workspace {self._folder}") from None
        damaged = (
            f"{relpath} in workspace {self._folder} is damaged or was not written by this workspace"
        )
        if len(blob) < len(MAGIC) + NONCE_BYTES + TAG_BYTES or not blob.startswith(MAGIC):
            raise InputError(damaged)
        nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, blob[len(MAGIC) + NONCE_BYTES :], relpath.encode())
        except InvalidTag:
            raise InputError(damaged) from None

    def exists(self, relpath: str) -> bool:
        return self._path(relpath).is_file()

    def list(self, prefix: str = "") -> list[str]:
        """Every stored file whose relative path starts with `prefix`, sorted.

        The header, temp files and anything that is not a valid relpath are left out.
        """
        if not _PREFIX_CHARS.fullmatch(prefix) or ".." in prefix or prefix.startswith("/"):
            raise InputError(f"not a workspace path prefix: {prefix!r}")
        found: list[str] = []
        for root, _dirs, files in os.walk(self._folder):
            for name in files:
                rel = Path(root, name).relative_to(self._folder).as_posix()
                if rel != HEADER and _valid(rel) and rel.startswith(prefix):
                    found.append(rel)
        return sorted(found)

    def new_id(self) -> str:
        """A random name for a file or folder: 16 hex characters."""
        return secrets.token_hex(8)

    def shred(self, relpath: str) -> None:
        """Overwrite once with random bytes, fsync, unlink (best effort: see the module doc).

        A missing file is not an error, so an interrupted purge can simply be run again.
        Folders left empty are removed too (their names are random ids, but still a trace).
        """
        path = self._path(relpath)
        _shred_file(path)
        parent = path.parent
        while parent != self._folder:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    def shred_all(self) -> None:
        """The panic button: shred the header first (the salt: the key cannot be derived again),
        then every other file, then remove the folder and any session unlock for it."""
        _shred_tree(self._folder)

    def _path(self, relpath: str) -> Path:
        if not _valid(relpath) or relpath == HEADER:
            raise InputError(f"not a valid workspace path: {relpath!r}")
        return self._folder / relpath


def destroy(folder: Path) -> None:
    """The panic button without the passphrase: shred every file a workspace holds.

    Needs no key: what it destroys is ciphertext, and the salt goes first, so nothing can be
    derived again. A folder with a sound header is a workspace, and everything in it goes.
    With the header missing, cut short or garbage the folder is still destroyed when every
    file in it is a workspace's own (`_ours`) and there is at least one; any other file there
    and nothing is touched, so a mistyped --workspace can never shred anything else.
    """
    try:
        _read_header(folder)
    except InputError:
        _check_headerless(folder)
    _shred_tree(folder)


def _check_headerless(folder: Path) -> None:
    """InputError unless `folder` holds a workspace's files only, and at least one."""
    if not folder.is_dir() or folder.is_symlink():
        raise InputError(f"no workspace in {folder}: nothing destroyed")
    count = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root, name)
            if not _ours(folder, path):
                rel = path.relative_to(folder).as_posix()
                raise InputError(
                    f"{folder} holds a file that is not a workspace's ({printable(rel)}), "
                    "and its header is missing or damaged: nothing destroyed"
                )
            count += 1
    if count == 0:
        raise InputError(f"no workspace in {folder}: nothing destroyed")


def _ours(folder: Path, path: Path) -> bool:
    """A workspace's own file: its header (sound or not), a temp file of an atomic write, or a
    workspace path whose content starts with the encrypted files' mark. Links are not."""
    rel = path.relative_to(folder).as_posix()
    if path.is_symlink() or not path.is_file():
        return False
    if rel == HEADER:
        return True
    parent = path.parent.relative_to(folder).as_posix()
    if _TEMP.fullmatch(path.name) and (parent == "." or _valid(parent)):
        return True
    if not _valid(rel):
        return False
    with path.open("rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


def _shred_tree(folder: Path) -> None:
    """Forget any session unlock, shred the header first (the salt: the key cannot be derived
    again), then every other file, then the folders."""
    forget(folder)
    _shred_file(folder / HEADER)
    for root, dirs, files in os.walk(folder, topdown=False):
        for name in files:
            _shred_file(Path(root, name))
        for name in dirs:
            sub = Path(root, name)
            if sub.is_symlink():
                sub.unlink()
            else:
                sub.rmdir()
    folder.rmdir()


def _valid(relpath: str) -> bool:
    """Lower-case letters, digits, '_', '.', '-' in '/'-separated parts; no part starts with '.'
    (so no '..', no hidden or temp files), none is empty (so no leading '/', no '//')."""
    return len(relpath) <= 255 and all(_COMPONENT.fullmatch(part) for part in relpath.split("/"))


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return Scrypt(salt=salt, length=KEY_BYTES, n=n, r=r, p=p).derive(secret)


def _check_ok(key: bytes, check: bytes) -> bool:
    try:
        plain = AESGCM(key).decrypt(check[:NONCE_BYTES], check[NONCE_BYTES:], HEADER.encode())
    except InvalidTag:
        return False
    return plain == CHECK_TEXT


def _check_kdf(n: int, r: int, p: int) -> None:
    for value in (n, r, p):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError("scrypt parameters must be positive integers")
    if n < 2 or n & (n - 1) or p > 16 or 128 * n * r > MAX_SCRYPT_MEMORY:
        raise ValueError(f"unsupported scrypt parameters n={n} r={r} p={p}")


def _read_header(folder: Path) -> tuple[bytes, int, int, int, bytes]:
    """(salt, n, r, p, check) from workspace.json; InputError if absent or malformed."""
    try:
        raw = (folder / HEADER).read_bytes()
    except FileNotFoundError:
        raise InputError(f"no workspace in {folder}: run `exposure-audit clients init`") from None
    except NotADirectoryError:
        raise InputError(f"no workspace in {folder}: it is not a folder") from None
    try:
        header: Any = json.loads(raw)
        kdf = header["kdf"]
        if header["format"] != FORMAT or kdf["name"] != "scrypt":
            raise ValueError("unknown format")
        salt = _unb64(kdf["salt"])
        check = _unb64(header["check"])
        n, r, p = kdf["n"], kdf["r"], kdf["p"]
        _check_kdf(n, r, p)
        if len(salt) < SALT_BYTES or len(check) != NONCE_BYTES + len(CHECK_TEXT) + TAG_BYTES:
            raise ValueError("bad lengths")
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise InputError(
            f"{folder / HEADER} is damaged or is not an exposure-audit workspace header"
        ) from None
    return salt, n, r, p, check


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise TypeError("not base64 text")
    return base64.b64decode(text, validate=True)


def _make_private_dirs(folder: Path) -> None:
    """Create `folder` and any missing parents 0700 (each one, not only the last)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for each in reversed(missing):
        each.mkdir(mode=0o700, exist_ok=True)
        os.chmod(each, 0o700)  # whatever the umask


def _write_temp(folder: Path, name: str, data: bytes) -> str:
    """A fresh 0600 temp file in `folder` holding `data`, fsynced; its path. Removed on error."""
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return temp


def _fsync_dir(folder: Path) -> None:
    """Make a rename or unlink durable. Best effort: not every platform can fsync a folder."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _shred_file(path: Path) -> None:
    """Overwrite a regular file once with random bytes, fsync, unlink. Links are only unlinked."""
    try:
        flags = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
    except FileNotFoundError:
        return
    except OSError:  # a symlink (ELOOP), a fifo, or not writable: just remove the name
        path.unlink(missing_ok=True)
        return
    try:
        size = os.fstat(fd).st_size if stat.S_ISREG(os.fstat(fd).st_mode) else 0
        written = 0
        while written < size:
            written += os.write(fd, secrets.token_bytes(min(1 << 20, size - written)))
        os.fsync(fd)
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)
    _fsync_dir(path.parent)


# The session unlock cache. See the module docstring for what it trusts.


def _now() -> float:
    return time.time()


def _runtime_dir() -> Path | None:
    """$XDG_RUNTIME_DIR if it is set, a folder, owned by us and closed to others."""
    value = os.environ.get("XDG_RUNTIME_DIR", "")
    if not value:
        return None
    path = Path(value)
    try:
        info = path.stat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return path


def _cache_file(runtime: Path, folder: Path) -> Path:
    digest = hashlib.sha256(str(folder.expanduser().resolve()).encode()).hexdigest()
    return runtime / "exposure-audit" / f"unlock-{digest[:16]}"


def cache_key(folder: Path, key: bytes, minutes: int) -> None:
    """Keep the workspace's derived key for `minutes` (1 to 1440) in the user's runtime dir."""
    runtime = _runtime_dir()
    if runtime is None:
        raise InputError("session unlock needs XDG_RUNTIME_DIR (a private per-user folder)")
    if isinstance(minutes, bool) or not 1 <= minutes <= CACHE_MAX_MINUTES:
        raise InputError(f"the unlock timeout must be 1 to {CACHE_MAX_MINUTES} minutes")
    if len(key) != KEY_BYTES:
        raise ValueError("not a workspace key")
    path = _cache_file(runtime, folder)
    _make_private_dirs(path.parent)
    os.chmod(path.parent, 0o700)
    entry = {"expires": _now() + minutes * 60, "key": _b64(key)}
    temp = _write_temp(path.parent, path.name, json.dumps(entry).encode())
    try:
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def cached_key(folder: Path) -> bytes | None:
    """The cached key for `folder` if there is one and it has not expired, else None.

    An expired or unreadable entry is deleted.
    """
    runtime = _runtime_dir()
    if runtime is None:
        return None
    path = _cache_file(runtime, folder)
    try:  # not following a link; a missing file is simply no cached unlock
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if os.fstat(handle.fileno()).st_uid != os.getuid():
            return None
        raw = handle.read(4096)
    try:
        entry: Any = json.loads(raw)
        expires = entry["expires"]
        key = _unb64(entry["key"])
        if not isinstance(expires, int | float) or len(key) != KEY_BYTES:
            raise ValueError("bad entry")
    except (ValueError, KeyError, TypeError, binascii.Error):
        forget(folder)
        return None
    now = _now()
    if now >= expires or expires > now + CACHE_MAX_MINUTES * 60:
        forget(folder)
        return None
    return key


def forget(folder: Path) -> None:
    """Delete the cached unlock for `folder`, if any (what `clients lock` does)."""
    runtime = _runtime_dir()
    if runtime is not None:
        _shred_file(_cache_file(runtime, folder))
