"""Certificates as a seal's reader needs them: named, and judged against the roots a user trusts.

`Trust` is what the user trusts and when to judge: root certificates (`--trust`, or the
PEM file or folder `LETTERKIT_TRUST` names), revocation lists (`--crl`), a date (`--at`).
`describe` names a certificate so that a forgery cannot pass for it: subject, issuer and
the SHA-256 fingerprint. `time_problem` says why a certificate was not valid at a
moment; `chain_problem` why it does not chain, unrevoked, to a trusted root.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import crl as asn1_crl, pem, x509

from .errors import LetterkitError

TRUST_VARIABLE = "LETTERKIT_TRUST"  # a PEM file, or a folder of them, of trusted roots
CERTIFICATE_SUFFIXES = (".pem", ".crt", ".cer", ".der")


class TrustError(LetterkitError):
    """A trust root or revocation list that cannot be read."""


@dataclass(frozen=True)
class Trust:
    """What a seal is judged against."""

    roots: tuple[x509.Certificate, ...] = ()  # none: the signer is not checked
    crls: tuple[asn1_crl.CertificateList, ...] = ()  # given: every certificate in the chain must be on one's list
    at: dt.datetime | None = None  # judge as of this moment; None: now
    unchecked_on_purpose: bool = False  # --no-trust: the user knows the signer is not checked

    @property
    def moment(self) -> dt.datetime:
        return self.at or dt.datetime.now(dt.timezone.utc)


def load_trust(roots: Iterable[Path] = (), crls: Iterable[Path] = (), at: dt.datetime | None = None,
               unchecked_on_purpose: bool = False) -> Trust:
    """The roots in `roots` (files or folders; none given: those `LETTERKIT_TRUST` names) and the CRLs."""
    paths = list(roots)
    if not paths and not unchecked_on_purpose and os.environ.get(TRUST_VARIABLE):
        paths = [Path(os.environ[TRUST_VARIABLE])]
    certificates = tuple(certificate for path in paths for certificate in _certificates(path))
    if paths and not certificates:
        raise TrustError(f"{', '.join(map(str, paths))}: holds no certificate to trust")
    lists = tuple(asn1_crl.CertificateList.load(der) for path in crls for der in _blocks(path, "CRL"))
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    return Trust(certificates, lists, at, unchecked_on_purpose)


def describe(certificate: x509.Certificate) -> str:
    """Subject, issuer and SHA-256 fingerprint: who signed, as no one else can claim to be."""
    fingerprint = ":".join(f"{byte:02X}" for byte in certificate.sha256)
    return (f"{certificate.subject.human_friendly}, issued by {certificate.issuer.human_friendly}, "
            f"SHA-256 {fingerprint}")


def validity(certificate: x509.Certificate) -> tuple[dt.datetime, dt.datetime]:
    period = certificate["tbs_certificate"]["validity"]
    return period["not_before"].native, period["not_after"].native


def time_problem(certificate: x509.Certificate, moment: dt.datetime, when: str) -> str | None:
    """Why the certificate was not valid at `moment` ("when the letter was sealed"), or None."""
    not_before, not_after = validity(certificate)
    if moment < not_before:
        return f"the certificate was not yet valid {when} ({day(moment)}; valid from {day(not_before)})"
    if moment > not_after:
        return f"the certificate had expired {when} ({day(moment)}; valid until {day(not_after)})"
    return None


def chain_problem(certificate: x509.Certificate, others: Iterable[x509.Certificate], moment: dt.datetime,
                  trust: Trust, embedded_crls: Iterable[asn1_crl.CertificateList] = ()) -> str | None:
    """Why `certificate` does not chain to one of `trust.roots` at `moment`, or is revoked; None when it does.

    Revocation is checked against the CRLs given and those embedded in the letter; with
    CRLs given (`--crl`), a certificate of the chain that none of them covers fails.
    """
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import (
        InsufficientRevinfoError,
        PathBuildingError,
        PathError,
        RevokedError,
        ValidationError,
    )

    context = ValidationContext(
        trust_roots=list(trust.roots), other_certs=list(others), moment=moment, allow_fetching=False,
        crls=list(trust.crls) + list(embedded_crls), revocation_mode="require" if trust.crls else "soft-fail",
        retroactive_revinfo=True)  # a CRL issued after the seal still says whether it was revoked before
    try:
        asyncio.run(CertificateValidator(certificate, validation_context=context).async_validate_path())
    except RevokedError as error:
        reason = error.reason.human_friendly if error.reason is not None else "no reason given"
        return f"revoked on {day(error.revocation_dt)} ({reason}), says the certificate revocation list"
    except InsufficientRevinfoError:
        return "no revocation list given (--crl) covers it, so it cannot be shown not revoked"
    except PathBuildingError:
        names = "; ".join(root.subject.human_friendly for root in trust.roots)
        return f"does not chain to a trusted root (trusted: {names})"
    except (PathError, ValidationError) as error:  # a self-signed certificate, a signature that does not verify
        reason = str(error).removeprefix("The path could not be validated because ")
        return f"does not chain to a trusted root ({reason})"
    return None


def day(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _certificates(path: Path) -> list[x509.Certificate]:
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in CERTIFICATE_SUFFIXES) if path.is_dir() else [path]
    return [x509.Certificate.load(der) for file in files for der in _blocks(file, "certificate")]


def _blocks(path: Path, what: str) -> list[bytes]:
    """The DER blocks of a PEM file (any number) or a DER file (one)."""
    try:
        data = path.read_bytes()
        blocks = [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
        for der in blocks:  # parsed now, so that a damaged file is named here
            (x509.Certificate if what == "certificate" else asn1_crl.CertificateList).load(der).native
    except OSError as error:
        raise TrustError(f"{path}: {error.strerror or error}") from None
    except ValueError as error:
        raise TrustError(f"{path}: not a {what} in PEM or DER ({error})") from None
    return blocks
