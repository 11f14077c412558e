"""A throw-away certificate authority for the seal tests: made when the tests run, never committed.

`make_pki` gives a root and a signer's key valid 2020–2100; `Pki.issue` more keys under
the same root (expired, not yet valid, about to expire), `Pki.crl` a revocation list
naming some of them, `Pki.timestamp_authority` the certificate and key a local RFC 3161
server signs with (tests/tsa.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PASSPHRASE = "letterkit-test"
_START = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
_END = dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)
_SIGNING = x509.KeyUsage(True, True, False, False, False, False, False, False, False)


@dataclass(frozen=True)
class Pki:
    ca_pem: Path  # the root certificate a validator trusts
    key: Path  # the signer's PKCS#12 file (key, certificate, root)
    ca: x509.Certificate
    ca_key: ec.EllipticCurvePrivateKey

    @property
    def folder(self) -> Path:
        return self.ca_pem.parent

    def issue(self, common_name: str, not_before: dt.datetime = _START, not_after: dt.datetime = _END,
              passphrase: str | None = PASSPHRASE, crl_url: str | None = None) -> Path:
        """A signer's PKCS#12 file under this root, valid from `not_before` to `not_after`,
        whose certificate names `crl_url` as where its CA publishes revocations."""
        stem = common_name.lower().replace(" ", "-")
        return _signer(self.folder / f"{stem}.p12", common_name, self.ca, self.ca_key, not_before, not_after,
                       passphrase, crl_url)

    def crl(self, revoked: tuple[Path, ...] = (), revoked_on: dt.datetime = _START,
            name: str = "ca.crl") -> Path:
        """A CRL (DER) of this root, issued now, naming the certificates of `revoked` (PKCS#12 files)."""
        now = dt.datetime.now(dt.timezone.utc)
        builder = (x509.CertificateRevocationListBuilder().issuer_name(self.ca.subject)
                   .last_update(now - dt.timedelta(minutes=5)).next_update(now + dt.timedelta(days=3650)))
        for path in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(certificate_of(path).serial_number)
                .revocation_date(revoked_on).build())
        path = self.folder / name
        path.write_bytes(builder.sign(self.ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
        return path

    def timestamp_authority(self) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
        """A TSA certificate under this root and its (RSA: pyHanko's test TSA signs with RSA only) key."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        certificate = (_builder(_name("letterkit test timestamp authority"), self.ca.subject, key.public_key())
                       .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                       .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
                       .sign(self.ca_key, hashes.SHA256()))
        return certificate, key


def make_pki(folder: Path, signer: str = "Test Review Organisation") -> Pki:
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"letterkit test root of {signer}")
    ca = (_builder(ca_name, ca_name, ca_key.public_key())
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return Pki(folder / "ca.pem", _signer(folder / "signer.p12", signer, ca, ca_key), ca, ca_key)


def certificate_of(p12: Path, passphrase: str = PASSPHRASE) -> x509.Certificate:
    _, certificate, _ = pkcs12.load_key_and_certificates(p12.read_bytes(), passphrase.encode())
    assert certificate is not None
    return certificate


def _signer(path: Path, common_name: str, ca, ca_key, not_before: dt.datetime = _START,
            not_after: dt.datetime = _END, passphrase: str | None = PASSPHRASE, crl_url: str | None = None) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (_builder(_name(common_name), ca.subject, key.public_key(), not_before, not_after)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(_SIGNING, critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False))
    if crl_url:
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier(crl_url)], None, None, None)]), critical=False)
    certificate = builder.sign(ca_key, hashes.SHA256())
    encryption = (serialization.BestAvailableEncryption(passphrase.encode()) if passphrase
                  else serialization.NoEncryption())
    path.write_bytes(pkcs12.serialize_key_and_certificates(common_name.encode(), key, certificate, [ca], encryption))
    return path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject, issuer, public_key, not_before: dt.datetime = _START,
             not_after: dt.datetime = _END) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after))


def make_self_signed(folder: Path, signer: str = "Test Review Organisation",
                     issuer: str | None = None) -> Path:
    """A PKCS#12 key whose certificate is its own issuer, under the issuer's name: a forger's.
    With `issuer`, the certificate claims that issuer (the root's name) while signing itself."""
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(signer)
    certificate = (_builder(name, _name(issuer) if issuer else name, key.public_key())
                   .add_extension(_SIGNING, critical=True)
                   .sign(key, hashes.SHA256()))
    path = folder / "self-signed.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        signer.encode(), key, certificate, None, serialization.BestAvailableEncryption(PASSPHRASE.encode())))
    return path
