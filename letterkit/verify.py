"""`letterkit verify`: whether a letter is what letterkit rendered, sealed by a signer the user trusts.

One `Finding` per question, each `ok`, `FAIL`, a `note`, or `??` (not checked):

- **seal** — a PDF's signature is intact and covers every byte of the file, but for the
  long-term validation data (PAdES DSS) pyHanko's own analysis allows after it; a DOCX's
  detached `.p7s` matches the DOCX.
- **signer** — subject, issuer and SHA-256 fingerprint of the signing certificate and, given
  trust roots, that it chains to one, was valid when the letter was sealed, and is not revoked.
  Without trust roots the signer is not checked (`??`, exit status 3) unless the user says
  so on purpose (`--no-trust`).
- **timestamp** — when the letter was sealed, as a timestamp authority proves it. None is a
  note while the certificate is valid, a failure once it has expired: then nothing shows the
  seal was made while the key was good.
- **case** — the embedded case's SHA-256 is the one the letter's XMP records.
- **letter** — given the kit, and only once the seal, the signer (when trusted roots are
  given) and the case have passed: rendering the embedded case again, with the engine the
  letter's XMP names, within the batch's time limit and the limits on any case file, gives
  the letter's bytes as they were before the seal. The unsealed letter is found by the
  seal's revision, never by searching the file's bytes.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from pathlib import Path

from . import version
from .api import render
from .archive import ArchiveError, extract
from .certificates import Trust, chain_problem, day, describe, time_problem, validity
from .errors import CaseError, LetterkitError
from .kits import load_kit
from .time_limit import CASE_TIMEOUT, time_limit
from .writers import WriterOptions
from .writers.pdf_archival import ARCHIVAL_VARIANT, CASE_FILE

OK, FAIL, NOTE, UNCHECKED = "ok", "FAIL", "note", "??"
EXIT_FAILED = 1  # a finding failed
EXIT_UNCHECKED = 3  # nothing failed, but something was not checked (the signer, without --trust)


@dataclass(frozen=True)
class Finding:
    what: str  # "seal", "signer", "timestamp", "case" or "letter"
    verdict: str  # OK, FAIL, NOTE or UNCHECKED
    detail: str

    @property
    def passed(self) -> bool:
        return self.verdict in (OK, NOTE)

    def line(self) -> str:
        return f"{self.verdict:<4} {self.what}: {self.detail}"


def exit_status(findings: list[Finding]) -> int:
    """0 when every finding passed; 1 when one failed; 3 when none failed but one was not checked."""
    if any(finding.verdict == FAIL for finding in findings):
        return EXIT_FAILED
    return EXIT_UNCHECKED if any(finding.verdict == UNCHECKED for finding in findings) else 0


def verify(path: Path, kit: str | Path | None = None, trust: Trust = Trust(),
           case_timeout: float | None = CASE_TIMEOUT) -> list[Finding]:
    """Every finding about the file at `path` (a PDF, or a DOCX with its `.p7s` beside it)."""
    data = Path(path).read_bytes()
    if Path(path).suffix.lower() == ".docx":
        return _verify_detached(data, Path(f"{path}.p7s"), trust)
    findings, sealed_revision = seal_findings(data, trust)
    try:
        extracted = extract(data, str(path))
    except ArchiveError as error:
        return findings + [Finding("case", FAIL, str(error).removeprefix(f"{path}: "))]
    record = extracted.record
    matches = record.case_digest == extracted.declared_case_digest
    findings.append(Finding(
        "case", OK if matches else FAIL, f"{CASE_FILE} SHA-256 {record.case_digest[:16]}… "
        + ("matches the letter's record" if matches
           else f"differs from the letter's record ({extracted.declared_case_digest[:16] or 'none'}…)")))
    if kit is not None:
        if any(finding.verdict == FAIL for finding in findings):
            findings.append(Finding("letter", UNCHECKED, "not rendered: the seal, signer or case did not pass"))
        else:
            findings.append(_verify_letter(extracted, data, sealed_revision, kit, case_timeout))
    return findings


def seal_findings(data: bytes, trust: Trust) -> tuple[list[Finding], int]:
    """The seal's, signer's and timestamp's findings of a PDF, and the revision the first seal
    was made in (0 when there is none)."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError) as error:
        return [Finding("seal", FAIL, f"not a readable PDF ({error})")], 0
    if not signatures:
        return [Finding("seal", FAIL, "the file carries no seal (render it with --seal KEY.p12)")], 0
    embedded_crls, dss_certificates = _long_term_data(reader)
    findings = []
    for signature in signatures:
        findings += _signature_findings(signature, trust, embedded_crls, dss_certificates)
    return findings, min(signature.signed_revision for signature in signatures)


def _signature_findings(signature, trust: Trust, embedded_crls: list, dss_certificates: list) -> list[Finding]:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    name = signature.field_name
    try:
        status = validate_pdf_signature(signature, _context(trust), _context(trust))
    except (SignatureValidationError, PdfError, ValueError) as error:
        return [Finding("seal", FAIL, f"{name}: cannot be checked ({error})")]
    if not (status.intact and status.valid):
        return [Finding("seal", FAIL, f"{name}: broken: the file's bytes were changed after it was sealed"),
                Finding("signer", FAIL, f"{describe(status.signing_cert)}: proves nothing, the seal is broken")]
    whole = (status.coverage == SignatureCoverageLevel.ENTIRE_FILE
             or (status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
                 and status.modification_level is not None
                 and status.modification_level <= ModificationLevel.LTA_UPDATES))
    seal = (Finding("seal", OK, f"{name}: intact, covers the whole file"
                    + (" (and the validation data added after it)"
                       if status.coverage != SignatureCoverageLevel.ENTIRE_FILE else ""))
            if whole else
            Finding("seal", FAIL, f"{name}: intact, but does not cover the whole file: something was added after it"))
    others = list(signature.other_embedded_certs) + dss_certificates
    return [seal, *signer_findings(status, others, trust, embedded_crls)]


def signer_findings(status, others: list, trust: Trust, embedded_crls: list = ()) -> list[Finding]:  # type: ignore[assignment]
    """Who sealed, whether the user trusts them, and whether a timestamp proves when."""
    certificate = status.signing_cert
    stamp = status.timestamp_validity
    stamp_sound = stamp is not None and stamp.intact and stamp.valid
    sealed_at = stamp.timestamp if stamp is not None else status.signer_reported_dt
    expired = trust.moment > validity(certificate)[1]
    return [_signer_finding(certificate, others, sealed_at, stamp_sound and stamp.trusted, expired, trust,
                            embedded_crls),
            _timestamp_finding(stamp, sealed_at, validity(certificate)[1], expired, trust,
                               bool(embedded_crls) or bool(trust.crls))]


def _signer_finding(certificate, others: list, sealed_at, proven: bool, expired: bool, trust: Trust,
                    embedded_crls) -> Finding:
    name = describe(certificate)
    if not trust.roots:
        if trust.unchecked_on_purpose:
            return Finding("signer", NOTE, f"{name}; not checked against a trust root (--no-trust)")
        return Finding("signer", UNCHECKED, f"{name}; not checked: no trust root given (--trust CA.pem or "
                                            "LETTERKIT_TRUST; --no-trust to accept any signer on purpose)")
    problem = time_problem(certificate, sealed_at, "when the letter was sealed")
    if problem is None:
        # Judged when it was sealed if a timestamp proves when, or if the certificate has
        # expired since (the timestamp finding says whether that can be trusted); otherwise
        # now (or --at), so that a revocation up to then counts.
        moment = sealed_at if proven or expired else trust.moment
        problem = chain_problem(certificate, others, moment, trust, embedded_crls)
    return Finding("signer", FAIL if problem else OK, f"{name}: {problem or 'trusted'}")


def _timestamp_finding(stamp, sealed_at, not_after, expired: bool, trust: Trust, has_revocation_data: bool) -> Finding:
    if stamp is None:
        if expired:
            return Finding("timestamp", FAIL, f"none, and the certificate expired on {day(not_after)}: nothing "
                                              "proves the letter was sealed before then (seal with --timestamp-url)")
        return Finding("timestamp", NOTE, f"none: the signer's own clock says sealed on {day(sealed_at)}; once the "
                                          f"certificate expires ({day(not_after)}) the seal cannot be trusted "
                                          "(seal with --timestamp-url)")
    authority = stamp.signing_cert.subject.human_friendly
    if not (stamp.intact and stamp.valid):
        return Finding("timestamp", FAIL, f"broken: the token of {authority} does not match the seal")
    if trust.roots and not stamp.trusted:
        return Finding("timestamp", FAIL, f"from {authority}, which does not chain to a trusted root")
    said = f"sealed on {day(stamp.timestamp)}, proved by {authority}"
    if expired and not has_revocation_data:
        return Finding("timestamp", FAIL, f"{said}; but the certificate expired on {day(not_after)} and the letter "
                                          "holds no revocation data from before then (seal with --seal-ltv)")
    return Finding("timestamp", OK if trust.roots else NOTE,
                   said + ("" if trust.roots else " (the authority not checked against a trust root)"))


def _long_term_data(reader) -> tuple[list, list]:
    """The CRLs and certificates a PAdES-B-LT letter carries in its DSS."""
    from asn1crypto import crl
    from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return [], []
    return ([crl.CertificateList.load(ref.get_object().data) for ref in dss.crls], list(dss.load_certs()))


def _verify_detached(data: bytes, p7s: Path, trust: Trust) -> list[Finding]:
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms

    try:
        signed_data = cms.ContentInfo.load(p7s.read_bytes())["content"]
        status = asyncio.run(async_validate_detached_cms(data, signed_data, _context(trust), _context(trust)))
    except OSError as error:
        return [Finding("seal", FAIL, f"no detached signature {p7s} ({error.strerror})")]
    except Exception as error:  # noqa: BLE001 - any damage to the .p7s is a failed seal
        return [Finding("seal", FAIL, f"{p7s.name} cannot be checked ({error})")]
    if not (status.intact and status.valid):
        return [Finding("seal", FAIL,
                        f"{p7s.name}: does not match the file: its bytes were changed after it was sealed")]
    others = [choice.chosen for choice in signed_data["certificates"] if choice.name == "certificate"]
    return [Finding("seal", OK, f"{p7s.name}: matches the file"), *signer_findings(status, others, trust)]


def _context(trust: Trust):
    """pyHanko's context for the signature's integrity and the timestamp's authority; the
    signer is judged apart (certificates.chain_problem), at the moment it was sealed."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(trust_roots=list(trust.roots), moment=trust.at, allow_fetching=False)


def _verify_letter(extracted, sealed: bytes, sealed_revision: int, kit: str | Path,
                   case_timeout: float | None) -> Finding:
    record = extracted.record
    try:
        case = extracted.case
        loaded = load_kit(kit)
        options = WriterOptions(pdf_variant=ARCHIVAL_VARIANT, pdf_engine=extracted.engine)
        with time_limit(case_timeout, "to render (--case-timeout)"):
            again = render(case, loaded, ("pdf",), options=options)["pdf"]
    except CaseError as error:
        return Finding("letter", FAIL, f"the embedded case does not render with kit {kit}: {'; '.join(error.lines())}")
    except LetterkitError as error:
        return Finding("letter", FAIL, f"the embedded case does not render with kit {kit}: {error}")
    if sealed.startswith(again) and _revisions(again) == sealed_revision:  # all that came before the seal
        return Finding("letter", OK, f"rendering the embedded case with kit {loaded.name} "
                                     f"({extracted.engine}) gives the same bytes")
    why = []
    if record.kit_digest != loaded.digest:
        why.append(f"the kit's files differ from those it was rendered with ({record.kit} {record.kit_digest[:12]}…)")
    if record.version != version.INSTALLED:
        why.append(f"it was rendered by letterkit {record.version}, this is {version.INSTALLED}")
    return Finding("letter", FAIL, "rendering the embedded case gives other bytes"
                   + (f": {'; '.join(why)}" if why else ": the letter is not what its case renders to"))


def _revisions(pdf: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(pdf), strict=False).xrefs.total_revisions
