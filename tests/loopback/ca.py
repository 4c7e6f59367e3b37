"""A throw-away certificate authority for the loopback world.

`TestCA` plays the part of the public web PKI: a root that the scanner is told to trust
(`--ca-bundle`), and a leaf certificate for every host name a client asks for by SNI,
signed directly by that root (no intermediate), so a client that trusts the root accepts
`https://api.github.com` served from 127.0.0.1. Keys are EC P-256; the root is valid from
a day ago to a week from now. Nothing is ever written outside a private temporary folder
unless `write` is called.
"""

from __future__ import annotations

import datetime
import ssl
import tempfile
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_NAME = "exposure-audit test CA"
DEFAULT_HOST = "localhost"  # the certificate served to a client that sends no SNI


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _validity() -> tuple[datetime.datetime, datetime.datetime]:
    now = datetime.datetime.now(datetime.UTC)
    return now - datetime.timedelta(days=1), now + datetime.timedelta(days=7)


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


class TestCA:
    """A fresh self-signed root CA that issues a leaf certificate per host name on demand."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        self.cert = self._make_root()
        self.pem: bytes = self.cert.public_bytes(serialization.Encoding.PEM)
        self._folder = tempfile.TemporaryDirectory(prefix="exposure-audit-ca-")
        self._files: dict[str, tuple[Path, Path]] = {}
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()

    def _make_root(self) -> x509.Certificate:
        not_before, not_after = _validity()
        public = self._key.public_key()
        return (
            x509.CertificateBuilder()
            .subject_name(_name(CA_NAME))
            .issuer_name(_name(CA_NAME))
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(self._key, hashes.SHA256())
        )

    def write(self, path: Path) -> Path:
        """Write the root certificate (PEM) to path, as a CA bundle for a client."""
        path.write_bytes(self.pem)
        return path

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this root only (what `--ca-bundle` gives a client)."""
        return ssl.create_default_context(cadata=self.pem.decode("ascii"))

    def _make_leaf(self, host: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        key = ec.generate_private_key(ec.SECP256R1())
        not_before, not_after = _validity()
        root_public = self._key.public_key()
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(host))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root_public), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )
        return cert, key

    def _leaf_files(self, host: str) -> tuple[Path, Path]:
        """The certificate and key files for host, written once (ssl loads only files)."""
        with self._lock:
            files = self._files.get(host)
            if files is None:
                files = self._write_leaf(host)
                self._files[host] = files
            return files

    def _write_leaf(self, host: str) -> tuple[Path, Path]:
        cert, key = self._make_leaf(host)
        stem = Path(self._folder.name) / f"{len(self._files)}"
        cert_path, key_path = stem.with_suffix(".crt"), stem.with_suffix(".key")
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return cert_path, key_path

    def leaf_context(self, host: str) -> ssl.SSLContext:
        """A server context presenting a certificate for host (made once, then cached)."""
        host = host.lower()
        context = self._contexts.get(host)
        if context is None:
            context = _server_context()
            context.load_cert_chain(*self._leaf_files(host))
            context = self._contexts.setdefault(host, context)
        return context

    def server_context(self) -> ssl.SSLContext:
        """A server context that answers each client with the leaf for its SNI name.

        The handshake starts on the "localhost" leaf (what a client without SNI gets); the
        SNI callback swaps in the leaf for the name the client asked for before the
        certificate is sent.
        """
        context = _server_context()
        context.load_cert_chain(*self._leaf_files(DEFAULT_HOST))

        def choose(sock: ssl.SSLObject, server_name: str | None, _: ssl.SSLContext) -> None:
            if server_name:
                sock.context = self.leaf_context(server_name)

        context.sni_callback = choose
        return context

    def close(self) -> None:
        """Remove the temporary folder holding the leaf keys."""
        self._folder.cleanup()


def _server_context() -> ssl.SSLContext:
    """Server side, TLS 1.2 or 1.3, HTTP/1.1 only (ALPN), as a plain HTTPS site offers."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    return context
