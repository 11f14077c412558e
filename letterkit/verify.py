"""`letterkit verify`: whether a letter is what letterkit rendered and sealed.

One `Finding` per question, each passed or failed:

- **seal** — a PDF's signature is intact and covers every byte of the file (nothing
  appended after it); a DOCX's detached `.p7s` matches the DOCX.
- **signer** — who signed, and, given trust roots, that the signer's certificate
  chains to one of them.
- **case** — the embedded case's SHA-256 is the one the letter's XMP records.
- **letter** — given the kit, rendering the embedded case again, with the engine the
  letter's XMP names, gives the same bytes as the letter as it was before it was sealed.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from pathlib import Path

from . import version
from .api import render
from .archive import ArchiveError, extract
from .errors import LetterkitError
from .kits import load_kit
from .writers import WriterOptions
from .writers.pdf_archival import ARCHIVAL_VARIANT


@dataclass(frozen=True)
class Finding:
    what: str  # "seal", "signer", "case" or "letter"
    passed: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.passed else 'FAIL'} {self.what}: {self.detail}"


def verify(path: Path, kit: str | Path | None = None, trust: tuple[Path, ...] = ()) -> list[Finding]:
    """Every finding about the file at `path` (a PDF, or a DOCX with its `.p7s` beside it)."""
    data = Path(path).read_bytes()
    if Path(path).suffix.lower() == ".docx":
        return _verify_detached(data, Path(f"{path}.p7s"), trust)
    findings, unsealed = _verify_seal(data, trust)
    try:
        extracted = extract(data, str(path))
    except ArchiveError as error:
        return findings + [Finding("case", False, str(error).removeprefix(f"{path}: "))]
    record = extracted.record
    findings.append(Finding(
        "case", record.case_digest == extracted.declared_case_digest,
        f"case.json SHA-256 {record.case_digest[:16]}… "
        + ("matches the letter's record" if record.case_digest == extracted.declared_case_digest
           else f"differs from the letter's record ({extracted.declared_case_digest[:16] or 'none'}…)")))
    if kit is not None:
        findings.append(_verify_letter(extracted, unsealed, kit))
    return findings


def _verify_seal(data: bytes, trust: tuple[Path, ...]) -> tuple[list[Finding], bytes]:
    """The seal's findings, and the letter's bytes before it was sealed."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except (PdfError, ValueError) as error:
        return [Finding("seal", False, f"not a readable PDF ({error})")], data
    if not signatures:
        return [Finding("seal", False, "the file carries no seal (render it with --seal KEY.p12)")], data
    findings = []
    for signature in signatures:
        try:
            status = validate_pdf_signature(signature, _context(trust))
        except (SignatureValidationError, PdfError, ValueError) as error:
            findings.append(Finding("seal", False, f"{signature.field_name}: cannot be checked ({error})"))
            continue
        covers_all = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        if status.intact and status.valid and covers_all:
            detail = f"{signature.field_name}: intact, covers the whole file"
        elif not (status.intact and status.valid):
            detail = f"{signature.field_name}: broken: the file was changed after it was sealed"
        else:
            detail = f"{signature.field_name}: intact, but does not cover the whole file: something was added after it"
        findings.append(Finding("seal", status.intact and status.valid and covers_all, detail))
        findings.append(_signer_finding(status.signing_cert, status.trusted, trust))
    first = min(signatures, key=lambda s: s.signed_revision)
    unsealed = data[:_revision_end(data, first.signed_revision - 1)] if first.signed_revision else data
    return findings, unsealed


def _verify_detached(data: bytes, p7s: Path, trust: tuple[Path, ...]) -> list[Finding]:
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms

    try:
        signed_data = cms.ContentInfo.load(p7s.read_bytes())["content"]
        status = asyncio.run(async_validate_detached_cms(data, signed_data, _context(trust)))
    except OSError as error:
        return [Finding("seal", False, f"no detached signature {p7s} ({error.strerror})")]
    except Exception as error:  # noqa: BLE001 - any damage to the .p7s is a failed seal
        return [Finding("seal", False, f"{p7s.name} cannot be checked ({error})")]
    intact = status.intact and status.valid
    return [Finding("seal", intact, f"{p7s.name}: " + ("matches the file" if intact else "does not match the file")),
            _signer_finding(status.signing_cert, status.trusted, trust)]


def _signer_finding(certificate, trusted: bool, trust: tuple[Path, ...]) -> Finding:
    name = certificate.subject.human_friendly
    if not trust:
        return Finding("signer", True, f"{name} (not checked against a trust root; give --trust CA.pem)")
    return Finding("signer", trusted, f"{name}, " + ("trusted" if trusted else "not issued by a trusted root"))


def _context(trust: tuple[Path, ...]):
    from asn1crypto import pem, x509
    from pyhanko_certvalidator import ValidationContext

    roots = []
    for path in trust:
        data = Path(path).read_bytes()
        blocks = [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
        roots += [x509.Certificate.load(der) for der in blocks]
    return ValidationContext(trust_roots=roots, allow_fetching=False)


def _revision_end(data: bytes, revision: int) -> int:
    """Where revision `revision` (0 first) of the file ends: after its `%%EOF` line."""
    end = 0
    for _ in range(revision + 1):
        end = data.index(b"%%EOF", end) + len(b"%%EOF")
        while end < len(data) and data[end:end + 1] in b"\r\n":
            end += 1
    return end


def _verify_letter(extracted, unsealed: bytes, kit: str | Path) -> Finding:
    record = extracted.record
    try:
        loaded = load_kit(kit)
        options = WriterOptions(pdf_variant=ARCHIVAL_VARIANT, pdf_engine=extracted.engine)
        again = render(extracted.case, loaded, ("pdf",), options=options)["pdf"]
    except LetterkitError as error:
        return Finding("letter", False, f"the embedded case does not render with kit {kit}: {error}")
    if again == unsealed:
        return Finding("letter", True, f"rendering the embedded case with kit {loaded.name} "
                                       f"({extracted.engine}) gives the same bytes")
    why = []
    if record.kit_digest != loaded.digest:
        why.append(f"the kit's files differ from those it was rendered with ({record.kit} {record.kit_digest[:12]}…)")
    if record.version != version.INSTALLED:
        why.append(f"it was rendered by letterkit {record.version}, this is {version.INSTALLED}")
    return Finding("letter", False, "rendering the embedded case gives other bytes"
                   + (f": {'; '.join(why)}" if why else ": the letter is not what its case renders to"))
