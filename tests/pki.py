"""A throw-away certificate authority for the seal tests: made when the tests run, never committed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PASSPHRASE = "letterkit-test"
_START = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
_END = dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class Pki:
    ca_pem: Path  # the root certificate a validator trusts
    key: Path  # the signer's PKCS#12 file (key, certificate, root)


def make_pki(folder: Path, signer: str = "Test Review Organisation") -> Pki:
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"letterkit test root of {signer}")
    ca = (_builder(ca_name, ca_name, ca_key.public_key())
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return Pki(folder / "ca.pem", _signer(folder / "signer.p12", signer, ca, ca_key))


def _signer(path: Path, common_name: str, ca, ca_key) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (_builder(_name(common_name), ca.subject, key.public_key())
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
                   .sign(ca_key, hashes.SHA256()))
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        common_name.encode(), key, certificate, [ca],
        serialization.BestAvailableEncryption(PASSPHRASE.encode())))
    return path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject, issuer, public_key) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number()).not_valid_before(_START).not_valid_after(_END))


def make_self_signed(folder: Path, signer: str = "Test Review Organisation") -> Path:
    """A PKCS#12 key whose certificate is its own issuer, under the issuer's name: a forger's."""
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(signer)
    certificate = (_builder(name, name, key.public_key())
                   .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
                   .sign(key, hashes.SHA256()))
    path = folder / "self-signed.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        signer.encode(), key, certificate, None, serialization.BestAvailableEncryption(PASSPHRASE.encode())))
    return path
