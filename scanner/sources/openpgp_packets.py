"""A small, strict reader for ASCII-armored OpenPGP certificates (RFC 4880 / RFC 9580).

It reads what a public certificate shows about its owner, and nothing else: the primary
key's version, creation time and (for version 4) fingerprint, the User ID packets (tag 13)
and how many User Attribute packets (tag 17, photo IDs) it holds. Nothing is verified: no
signature is checked, so the reader needs no crypto library. Everything is bounded: the
armored text, the decoded bytes, the number of packets, and every length must fit in what
is left. Partial and indeterminate lengths (allowed only for data packets, never in a
certificate) are rejected rather than followed. Any malformed input raises
MalformedCertificate; the caller turns it into SourceUnavailable.

Only the first certificate of the first armor block is read (keys.openpgp.org's by-email
answer holds exactly one); packets after a second primary key are ignored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

MAX_ARMOR_CHARS = 2_000_000
MAX_BYTES = 1_000_000
MAX_PACKETS = 5_000
MAX_USER_IDS = 100
MAX_USER_ID_BYTES = 4_096

BEGIN = "-----BEGIN PGP PUBLIC KEY BLOCK-----"
END = "-----END PGP PUBLIC KEY BLOCK-----"
HEADER_RE = re.compile(r"^[A-Za-z0-9-]+: ")
CRC_RE = re.compile(r"^=([A-Za-z0-9+/]{4})$")

TAG_PUBLIC_KEY = 6
TAG_USER_ID = 13
TAG_USER_ATTRIBUTE = 17


class MalformedCertificate(ValueError):
    """The text is not a readable OpenPGP certificate."""


@dataclass(frozen=True)
class Certificate:
    version: int
    created: datetime | None
    fingerprint: str  # upper-case hex for version 4 keys, "" otherwise
    user_ids: tuple[str, ...]
    user_attributes: int


def crc24(data: bytes) -> int:
    """The armor checksum (RFC 4880 section 6.1)."""
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def dearmor(text: str) -> bytes:
    """The bytes of the first public key block; the CRC-24 line is checked when present."""
    if len(text) > MAX_ARMOR_CHARS:
        raise MalformedCertificate("armored text too large")
    lines = [line.strip() for line in text.splitlines()]
    try:
        start = lines.index(BEGIN) + 1
    except ValueError:
        raise MalformedCertificate("no OpenPGP public key block") from None
    while start < len(lines) and HEADER_RE.match(lines[start]):
        start += 1  # armor headers ("Comment: ...") carry nothing about the key
    body: list[str] = []
    checksum: str | None = None
    for line in lines[start:]:
        if line == END:
            break
        match = CRC_RE.match(line)
        if match:
            checksum = match.group(1)
        elif line and checksum is None:
            body.append(line)
        elif line:
            raise MalformedCertificate("text after the armor checksum")
    else:
        raise MalformedCertificate("the key block has no END line")
    try:
        data = base64.b64decode("".join(body), validate=True)
    except (binascii.Error, ValueError):
        raise MalformedCertificate("the key block is not valid base64") from None
    if not data or len(data) > MAX_BYTES:
        raise MalformedCertificate("the key block is empty or too large")
    if checksum is not None:
        expected = int.from_bytes(base64.b64decode(checksum), "big")
        if crc24(data) != expected:
            raise MalformedCertificate("the armor checksum does not match")
    return data


def _length(data: bytes, pos: int, size: int) -> tuple[int, int]:
    if pos + size > len(data):
        raise MalformedCertificate("packet header runs past the end")
    return int.from_bytes(data[pos : pos + size], "big"), pos + size


def _header(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, body start, body length) of the packet at pos."""
    first = data[pos]
    if not first & 0x80:
        raise MalformedCertificate("not an OpenPGP packet header")
    pos += 1
    if first & 0x40:  # new format
        tag = first & 0x3F
        if pos >= len(data):
            raise MalformedCertificate("packet header runs past the end")
        octet = data[pos]
        if octet < 192:
            return tag, pos + 1, octet
        if octet < 224:
            if pos + 1 >= len(data):
                raise MalformedCertificate("packet header runs past the end")
            return tag, pos + 2, ((octet - 192) << 8) + data[pos + 1] + 192
        if octet == 255:
            length, pos = _length(data, pos + 1, 4)
            return tag, pos, length
        raise MalformedCertificate("partial body length in a certificate")
    tag = (first >> 2) & 0x0F
    kind = first & 0x03
    if kind == 3:
        raise MalformedCertificate("indeterminate packet length in a certificate")
    length, pos = _length(data, pos, (1, 2, 4)[kind])
    return tag, pos, length


def packets(data: bytes) -> list[tuple[int, bytes]]:
    """(tag, body) of every packet, in order."""
    out: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(data):
        if len(out) >= MAX_PACKETS:
            raise MalformedCertificate("too many packets")
        tag, start, length = _header(data, pos)
        end = start + length
        if end > len(data):
            raise MalformedCertificate("packet runs past the end")
        out.append((tag, data[start:end]))
        pos = end
    return out


def _clean(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def read_certificate(data: bytes) -> Certificate:
    """The primary key and user IDs of the first certificate in `data`."""
    found = packets(data)
    if not found or found[0][0] != TAG_PUBLIC_KEY:
        raise MalformedCertificate("the block does not start with a public key")
    key = found[0][1]
    if not key:
        raise MalformedCertificate("empty public key packet")
    version = key[0]
    created: datetime | None = None
    fingerprint = ""
    if version in (3, 4, 5, 6):  # all four put the 4-octet creation time right after it
        if len(key) < 6:
            raise MalformedCertificate("public key packet too short")
        created = datetime.fromtimestamp(int.from_bytes(key[1:5], "big"), UTC)
    if version == 4:
        framed = b"\x99" + len(key).to_bytes(2, "big") + key
        fingerprint = hashlib.sha1(framed, usedforsecurity=False).hexdigest().upper()
    user_ids: list[str] = []
    attributes = 0
    for tag, body in found[1:]:
        if tag == TAG_PUBLIC_KEY:
            break  # a second certificate: not ours to read
        if tag == TAG_USER_ID and len(body) <= MAX_USER_ID_BYTES and len(user_ids) < MAX_USER_IDS:
            text = _clean(body)
            if text and text not in user_ids:
                user_ids.append(text)
        elif tag == TAG_USER_ATTRIBUTE:
            attributes += 1
    return Certificate(version, created, fingerprint, tuple(user_ids), attributes)


def read_armored(text: str) -> Certificate:
    return read_certificate(dearmor(text))


USER_ID_RE = re.compile(
    r"^(?P<name>[^<>()]*?)\s*(?:\((?P<comment>[^()]*)\))?\s*(?:<(?P<email>[^<>\s]+)>)?$"
)


def split_user_id(user_id: str) -> tuple[str, str, str]:
    """(name, comment, email) of a "Name (comment) <email>" user ID; missing parts are ""."""
    text = user_id.strip()
    match = USER_ID_RE.match(text)
    if match is None:  # keep the part before any odd "<...>"
        return text.split("<", 1)[0].strip() or text, "", ""
    name = match.group("name").strip()
    email = (match.group("email") or "").strip()
    if not email and "@" in name and " " not in name:  # a bare address as the user ID
        name, email = "", name
    return name, (match.group("comment") or "").strip(), email
