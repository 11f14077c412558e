"""The seal: a letter signed so that any change to it shows.

A PDF is signed with pyHanko as PAdES-B-B (PAdES-B-T when a timestamp service is
given), in an incremental update that leaves the letter's own bytes as they were; a
DOCX gets a detached CAdES signature (`letter.docx.p7s`) beside it.

The signed PDF stays PDF/A-3 and PDF/UA-1: pyHanko would rewrite the XMP packet (and
stamp its own producer and date into it, in a form PDF/A checkers refuse), so the
writer here leaves metadata alone — the way pyHanko's author recommends
(MatthiasValvekens/pyHanko#223); the signature field is invisible but printable (PDF/A),
named for a reader (`/TU`) and tagged as a `Form` in the structure tree (PDF/UA).

A key is loaded once per process (`_signer`): a batch worker loads it for its first
letter and signs every later one with it.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import SigningError

from .errors import RenderError

FIELD = "letterkit-seal"
FIELD_LABEL = "Seal of the letter's issuer: a digital signature over the whole file"


@dataclass(frozen=True)
class SealKey:
    """Where the sealing key is: a PKCS#12 file (key and certificate chain), its
    passphrase, and a timestamp service (RFC 3161 URL) for PAdES-B-T, or none."""

    pkcs12: Path
    passphrase: str | None = None
    timestamp_url: str | None = None


def seal_files(files: dict[str, bytes], key: SealKey) -> dict[str, bytes]:
    """A letter's files sealed: the PDF signed in place, the DOCX with a `.p7s` beside it."""
    sealed = dict(files)
    if "pdf" in files:
        sealed["pdf"] = seal_pdf(files["pdf"], key)
    if "docx" in files:
        sealed["docx.p7s"] = detached_signature(files["docx"], key)
    return sealed


def seal_pdf(pdf: bytes, key: SealKey) -> bytes:
    """The PDF with a PAdES signature over all of it, appended as an incremental update."""
    try:
        writer = _MetadataKeepingWriter(io.BytesIO(pdf), strict=False)
        fields.append_signature_field(writer, fields.SigFieldSpec(
            FIELD, readable_field_name=FIELD_LABEL,
            invis_sig_settings=fields.InvisSigSettings(set_print_flag=True)))
        _tag_field(writer)
        pdf_signer = signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES,
                                         md_algorithm="sha256"),
            signer=_signer(key), timestamper=_timestamper(key.timestamp_url))
        return pdf_signer.sign_pdf(writer, output=io.BytesIO()).getvalue()
    except (PdfError, SigningError, OSError) as error:
        raise RenderError(f"cannot seal the PDF: {error}") from None


def detached_signature(data: bytes, key: SealKey) -> bytes:
    """A detached CAdES signature (DER) of `data`, for a file that has no place for one inside."""
    try:
        signed = asyncio.run(_signer(key).async_sign_general_data(
            data, "sha256", detached=True, timestamper=_timestamper(key.timestamp_url), use_cades=True))
    except (SigningError, OSError) as error:
        raise RenderError(f"cannot seal the DOCX: {error}") from None
    return signed.dump()


@lru_cache(maxsize=4)  # once per process and key: decrypting a PKCS#12 file is slow
def _signer(key: SealKey) -> signers.SimpleSigner:
    passphrase = key.passphrase.encode() if key.passphrase is not None else None
    try:
        signer = signers.SimpleSigner.load_pkcs12(str(key.pkcs12), passphrase=passphrase)
    except (OSError, ValueError) as error:
        raise RenderError(f"cannot load the sealing key {key.pkcs12}: {error}") from None
    if signer is None:  # pyHanko logs why and returns nothing
        raise RenderError(f"cannot load the sealing key {key.pkcs12}: not a PKCS#12 file, or a wrong passphrase")
    return signer


def _timestamper(url: str | None) -> timestamps.TimeStamper | None:
    return timestamps.HTTPTimeStamper(url) if url else None


class _MetadataKeepingWriter(IncrementalPdfFileWriter):
    """An incremental writer that leaves the XMP packet and the document information alone."""

    def _update_meta(self) -> None:
        pass


def _tag_field(writer: IncrementalPdfFileWriter) -> None:
    """Put the signature widget in the structure tree as a `Form`, as PDF/UA asks of every
    annotation; a PDF without a structure tree (not tagged) is left as it is."""
    root = writer.root
    if "/StructTreeRoot" not in root:
        return
    # pyHanko's containers give objects, their raw_get the references a structure needs
    fields_array = root["/AcroForm"]["/Fields"]
    field_ref = next(fields_array.raw_get(index) for index in range(len(fields_array))
                     if fields_array[index].get("/T") == FIELD)
    widget = field_ref.get_object()
    page_ref = widget.raw_get("/P")
    tree_ref = root.raw_get("/StructTreeRoot")
    tree = tree_ref.get_object()
    kids = tree["/K"]
    document_ref = kids.raw_get(0) if isinstance(kids, generic.ArrayObject) else tree.raw_get("/K")
    document = document_ref.get_object()
    parent_tree = tree["/ParentTree"]
    numbers = parent_tree["/Nums"]
    key = max(int(numbers[index]) for index in range(0, len(numbers), 2)) + 1 if len(numbers) else 0
    form_ref = writer.add_object(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/StructElem"),
        pdf_name("/S"): pdf_name("/Form"),
        pdf_name("/P"): document_ref,
        pdf_name("/Pg"): page_ref,
        pdf_name("/Alt"): generic.TextStringObject(FIELD_LABEL),
        pdf_name("/K"): generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/OBJR"), pdf_name("/Obj"): field_ref, pdf_name("/Pg"): page_ref}),
    }))
    widget["/StructParent"] = generic.NumberObject(key)
    numbers.extend([generic.NumberObject(key), form_ref])
    tree["/ParentTreeNextKey"] = generic.NumberObject(key + 1)
    document["/K"].append(form_ref)
    for container in (field_ref, tree_ref, document_ref, tree.raw_get("/ParentTree"),
                      document.raw_get("/K"), parent_tree.raw_get("/Nums")):
        if isinstance(container, generic.IndirectObject):
            writer.mark_update(container)

__all__ = ["SealKey", "detached_signature", "seal_files", "seal_pdf"]
