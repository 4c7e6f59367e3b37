"""keys.openpgp.org source: the packet reader on hand-built and gpg-made keys, then requests."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from scanner.errors import Blocked, SourceUnavailable
from scanner.models import AccountStatus, Kind, Profile, SourceResult
from scanner.sources.openpgp import OpenPGPSource, key_url, parse_key
from scanner.sources.openpgp_packets import (
    MalformedCertificate,
    crc24,
    dearmor,
    packets,
    read_armored,
    read_certificate,
    split_user_id,
)
from tests.support import mock_http, page_bytes, shared_file

JORDAN = "jordan@example.com"
JORDAN_URL = "https://keys.openpgp.org/vks/v1/by-email/jordan%40example.com"
JORDAN_FPR = "38A51A7523094FE770E0F79BF92AC05D553764C3"


def fixture() -> str:
    return page_bytes("openpgp/jordan.asc").decode("utf-8")


def values(observations: Any, kind: Kind) -> list[str]:
    return [o.value for o in observations if o.kind is kind]


def new_packet(tag: int, body: bytes) -> bytes:
    if len(body) < 192:
        return bytes([0xC0 | tag, len(body)]) + body
    if len(body) < 8384:
        n = len(body) - 192
        return bytes([0xC0 | tag, (n >> 8) + 192, n & 0xFF]) + body
    return bytes([0xC0 | tag, 255]) + len(body).to_bytes(4, "big") + body


def old_packet(tag: int, body: bytes) -> bytes:
    return bytes([0x80 | (tag << 2) | 1]) + len(body).to_bytes(2, "big") + body


# A version 4 EdDSA primary key created 2022-05-01 00:00 UTC (key material is filler).
CREATED = int(datetime(2022, 5, 1, tzinfo=UTC).timestamp())
KEY_BODY = bytes([4]) + CREATED.to_bytes(4, "big") + bytes([22]) + bytes(40)


def armor(data: bytes, crc: bool = True) -> str:
    text = base64.b64encode(data).decode()
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    check = ["=" + base64.b64encode(crc24(data).to_bytes(3, "big")).decode()] if crc else []
    return "\n".join(
        [
            "-----BEGIN PGP PUBLIC KEY BLOCK-----",
            "Comment: hand-built",
            "",
            *lines,
            *check,
            "-----END PGP PUBLIC KEY BLOCK-----",
            "",
        ]
    )


def hand_built(*user_ids: str, old: bool = False) -> bytes:
    make = old_packet if old else new_packet
    out = make(6, KEY_BODY)
    for uid in user_ids:
        out += make(13, uid.encode("utf-8")) + make(2, b"\x04sig")  # signature: skipped
    return out


# --- packet reader -------------------------------------------------------------------


def test_reads_a_gpg_made_certificate() -> None:
    cert = read_armored(fixture())
    assert cert.version == 4
    assert cert.created == datetime(2021, 3, 15, 12, 0, tzinfo=UTC)
    assert cert.fingerprint == JORDAN_FPR
    assert cert.user_ids == (
        "Jordan Testwell (home) <jordan@example.com>",
        "Jordan Testwell <jt@example.net>",
        "Jordan Testwell-Müller <jordan.tw@example.org>",
    )
    assert cert.user_attributes == 0


@pytest.mark.parametrize("old", [False, True])
def test_reads_hand_built_packets_in_both_header_formats(old: bool) -> None:
    data = hand_built("Avery Sample <avery@example.net>", "x" * 300, old=old)
    data += new_packet(17, b"\x01photo")  # tag 17 has no old-format header
    cert = read_certificate(data)
    assert cert.created == datetime(2022, 5, 1, tzinfo=UTC)
    assert cert.user_ids == ("Avery Sample <avery@example.net>", "x" * 300)
    assert cert.user_attributes == 1
    assert len(cert.fingerprint) == 40


def test_four_octet_length_and_armor_without_crc() -> None:
    data = new_packet(6, KEY_BODY) + bytes([0xC0 | 13, 255, 0, 0, 0, 3]) + b"Bob"
    assert read_armored(armor(data, crc=False)).user_ids == ("Bob",)
    assert read_armored(armor(data)).user_ids == ("Bob",)


def test_stops_at_a_second_certificate_and_cleans_control_characters() -> None:
    data = hand_built("Ann\x00 Example\n<ann@example.org>") + hand_built("Other Person")
    assert read_certificate(data).user_ids == ("Ann Example <ann@example.org>",)


BAD_PACKETS = [
    b"",
    b"\x00\x01",  # no header bit
    new_packet(13, b"Bob"),  # not a key first
    bytes([0xC6, 230]) + bytes(10),  # partial body length
    bytes([0x9B]) + KEY_BODY,  # old format, indeterminate length
    bytes([0xC6, 50]) + KEY_BODY[:10],  # runs past the end
    bytes([0xC6, 255, 0, 0]),  # truncated four-octet length
    bytes([0xC6, 200]),  # truncated two-octet length
    bytes([0x99, 0]),  # truncated old two-octet length
    new_packet(6, b""),
    new_packet(6, b"\x04\x00"),  # key too short for a creation time
]


@pytest.mark.parametrize("data", BAD_PACKETS)
def test_rejects_malformed_packets(data: bytes) -> None:
    with pytest.raises(MalformedCertificate):
        read_certificate(data)


def test_packet_count_is_capped() -> None:
    with pytest.raises(MalformedCertificate, match="too many"):
        packets(new_packet(6, KEY_BODY) + new_packet(2, b"") * 6000)


BAD_ARMOR = [
    "",
    "hello",
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEXEcE6RYJ\n",  # no END
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!!\n-----END PGP PUBLIC KEY BLOCK-----",
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n-----END PGP PUBLIC KEY BLOCK-----",
    armor(hand_built("Bob")).replace("-----END", "AAAA\n-----END"),  # text after the CRC
    "<html><body>Not found</body></html>",
    "x" * 2_000_001,
]


@pytest.mark.parametrize("text", BAD_ARMOR)
def test_rejects_malformed_armor(text: str) -> None:
    with pytest.raises(MalformedCertificate):
        read_armored(text)


def test_crc_mismatch_is_rejected() -> None:
    text = fixture().replace("=fEqa", "=fEqb")
    with pytest.raises(MalformedCertificate, match="checksum"):
        dearmor(text)


@pytest.mark.parametrize(
    ("user_id", "expected"),
    [
        ("Jordan Testwell (home) <jordan@example.com>", ("Jordan Testwell", "home", JORDAN)),
        ("Jordan Testwell <jt@example.net>", ("Jordan Testwell", "", "jt@example.net")),
        ("<jt@example.net>", ("", "", "jt@example.net")),
        ("jt@example.net", ("", "", "jt@example.net")),
        ("Just A Name", ("Just A Name", "", "")),
        ("Odd <a> <b>", ("Odd", "", "")),
        ("<a> <b>", ("<a> <b>", "", "")),
    ],
)
def test_split_user_id(user_id: str, expected: tuple[str, str, str]) -> None:
    assert split_user_id(user_id) == expected


def test_shared_alice_sample() -> None:
    text = shared_file("api-examples/keys-openpgp-org/vks-by-email.alice-openpgp-example.asc")
    cert = read_armored(text.read_text(encoding="utf-8"))
    assert cert.user_ids == ("Alice Lovelace <alice@openpgp.example>",)
    assert cert.fingerprint == "EB85BB5FA33A75E15E944E63F231550C4F47E38E"
    result = parse_key(text.read_text(encoding="utf-8"), "alice@openpgp.example")
    assert values(result.observations, Kind.REAL_NAME) == ["Alice Lovelace"]
    assert result.leads == ()
    assert result.accounts[0].details["key_created"] == "2019-01-22"


# --- the parsed result ----------------------------------------------------------------


def test_parse_key_observations_leads_and_details() -> None:
    profile = Profile(emails=(JORDAN, "jt@example.net"))
    result = parse_key(fixture(), JORDAN, profile)
    obs = result.observations
    assert values(obs, Kind.REAL_NAME) == ["Jordan Testwell", "Jordan Testwell-Müller"]
    assert values(obs, Kind.EMAIL) == ["jordan.tw@example.org"]  # the other two are known
    for o in obs:
        assert o.confidence == 0.9
        assert o.source.name == "openpgp"
        assert o.source.url == JORDAN_URL
        assert JORDAN in o.reason
        assert o.removal[0].url == "https://keys.openpgp.org/manage"
    assert next(o for o in obs if o.kind is Kind.EMAIL).evidence == (
        "User ID on the key: Jordan Testwell-Müller <jordan.tw@example.org>"
    )
    (lead,) = result.leads
    assert (lead.field, lead.value, lead.found_from) == ("emails", "jordan.tw@example.org", JORDAN)
    assert lead.source.url == JORDAN_URL
    (account,) = result.accounts
    assert (account.site, account.url, account.username, account.status) == (
        "keys.openpgp.org",
        JORDAN_URL,
        JORDAN,
        AccountStatus.FOUND,
    )
    assert account.details == {
        "user_ids": "3",
        "key_version": "4",
        "key_created": "2021-03-15",
        "fingerprint": JORDAN_FPR,
    }


def test_parse_key_without_profile_leads_every_other_address() -> None:
    result = parse_key(fixture(), JORDAN)
    assert [lead.value for lead in result.leads] == ["jt@example.net", "jordan.tw@example.org"]


def test_invalid_addresses_and_photo_ids() -> None:
    data = hand_built("Sam Example <not an address>", "Sam Example <bad@@example.com>")
    data += new_packet(17, b"\x01jpeg")
    result = parse_key(armor(data), "sam@example.com")
    assert values(result.observations, Kind.REAL_NAME) == ["Sam Example"]
    assert values(result.observations, Kind.EMAIL) == []
    assert result.leads == ()
    assert result.notes == ("sam@example.com: the published key holds 1 photo ID(s)",)


def test_parse_key_malformed_is_source_unavailable() -> None:
    with pytest.raises(SourceUnavailable, match="cannot be read"):
        parse_key("<html>busy</html>", JORDAN)


# --- request logic -------------------------------------------------------------------

Answer = tuple[int, bytes, dict[str, str]]


class FakeKeyserver:
    def __init__(self, answer: Callable[[str], Answer]) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, body, headers = self.answer(str(request.url))
        return httpx.Response(status, headers=headers, content=body)


def jordan_only(url: str) -> Answer:
    if url == JORDAN_URL:
        return 200, page_bytes("openpgp/jordan.asc"), {"content-type": "application/pgp-keys"}
    return 404, b"Not found", {"content-type": "text/plain"}


def run(fake: FakeKeyserver, *emails: str) -> SourceResult:
    async def go() -> SourceResult:
        async with mock_http(fake) as http:
            return await OpenPGPSource().search(Profile(emails=emails), http)

    return asyncio.run(go())


def test_search_requests_and_results() -> None:
    fake = FakeKeyserver(jordan_only)
    result = run(fake, JORDAN, "nobody+x@example.org")
    assert [str(r.url) for r in fake.requests] == [
        JORDAN_URL,
        "https://keys.openpgp.org/vks/v1/by-email/nobody%2Bx%40example.org",
    ]
    for request in fake.requests:
        assert request.method == "GET"
        assert request.headers["accept"] == "application/pgp-keys"
        assert request.content == b""
    statuses = [(a.username, a.status) for a in result.accounts]
    assert statuses == [
        (JORDAN, AccountStatus.FOUND),
        ("nobody+x@example.org", AccountStatus.NOT_FOUND),
    ]
    assert values(result.observations, Kind.REAL_NAME) == [
        "Jordan Testwell",
        "Jordan Testwell-Müller",
    ]
    assert [lead.value for lead in result.leads] == ["jt@example.net", "jordan.tw@example.org"]
    assert (
        key_url("a b@example.com") == "https://keys.openpgp.org/vks/v1/by-email/a%20b%40example.com"
    )


def test_not_found() -> None:
    fake = FakeKeyserver(lambda url: (404, b"", {}))
    result = run(fake, "nobody@example.org")
    (account,) = result.accounts
    assert account.status is AccountStatus.NOT_FOUND
    assert result.observations == ()
    assert result.leads == ()


def test_emails_are_deduplicated_and_capped() -> None:
    fake = FakeKeyserver(lambda url: (404, b"", {}))
    emails = [f"p{i}@example.com" for i in range(7)]
    result = run(fake, "P0@Example.com", *emails)
    assert [str(r.url) for r in fake.requests] == [key_url(e) for e in emails[:5]]
    assert result.notes == (
        "keys.openpgp.org: only the first 5 emails were checked; "
        "not: p5@example.com, p6@example.com",
    )


def test_rate_limit_is_blocked_and_stops_sending() -> None:
    fake = FakeKeyserver(lambda url: (429, b"Too Many Requests", {}))
    with pytest.raises(Blocked, match="HTTP 429"):
        run(fake, "a@example.com", "b@example.com")
    assert len(fake.requests) == 3  # retried by Http, the second address never sent


def test_rate_limit_after_a_find_keeps_the_find() -> None:
    def answer(url: str) -> Answer:
        return jordan_only(url) if url == JORDAN_URL else (429, b"", {})

    result = run(FakeKeyserver(answer), JORDAN, "b@example.com")
    assert [a.status for a in result.accounts] == [AccountStatus.FOUND, AccountStatus.UNKNOWN]
    assert len(result.leads) == 2


def test_server_error_is_source_unavailable() -> None:
    with pytest.raises(SourceUnavailable, match="HTTP 502"):
        run(FakeKeyserver(lambda url: (502, b"", {})), JORDAN)


@pytest.mark.parametrize("body", [b"<html>maintenance</html>", b"\xff\xfe\x00garbage", b""])
def test_malformed_body_is_source_unavailable(body: bytes) -> None:
    with pytest.raises(SourceUnavailable, match="cannot be read"):
        run(FakeKeyserver(lambda url: (200, body, {})), JORDAN)


def test_source_attributes() -> None:
    source = OpenPGPSource()
    assert (source.name, source.title, source.needs) == (
        "openpgp",
        "keys.openpgp.org",
        frozenset({"emails"}),
    )
    assert source.applies_to(Profile(emails=(JORDAN,)))
    assert not source.applies_to(Profile(handles=("jtestwell",)))


def test_hostile_bytes_never_crash_the_reader() -> None:
    rng = random.Random(7)
    base = bytearray(dearmor(fixture()))
    for _ in range(3000):
        data = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        cut = bytes(data[: rng.randint(0, len(data))] if rng.random() < 0.3 else data)
        with contextlib.suppress(MalformedCertificate):
            read_certificate(cut)
