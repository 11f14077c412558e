"""The seal: a letter signed so that any change to it shows.

A PDF is signed with pyHanko as PAdES-B-B (PAdES-B-T when a timestamp service is
given; PAdES-B-LT when long-term validation data is asked for too: the chain and the
revocation lists its certificates point to, in the document security store), leaving the
letter's own bytes as they were; a DOCX gets a detached CAdES signature
(`letter.docx.p7s`) beside it.

pyHanko's split is kept: *what* is signed is decided here, *who* signs is a pyHanko
`Signer` (a PKCS#12 file's, or any other: an HSM through PKCS#11, a remote key), *how* is
pyHanko's `PdfSigner`. A `SealKey` names the one and says the rest.

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
import datetime as dt
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

from .certificates import day, validity
from .errors import RenderError
from .seal_appearance import SealAppearance

FIELD = "letterkit-seal"
FIELD_LABEL = "Seal of the letter's issuer: a digital signature over the whole file"


@dataclass(frozen=True)
class SealKey:
    """Who seals a letter, and how.

    The key is a PKCS#12 file (`pkcs12`: key and certificate chain, opened with
    `passphrase`), or any pyHanko `Signer` (`signer`): an HSM or a remote key is a signer
    of its own, and needs no change here. `timestamp_url` names an RFC 3161 timestamp
    service (PAdES-B-T); `long_term` embeds the chain and the revocation data its
    certificates point to (PAdES-B-LT), so that the seal can be checked after the
    certificate has expired.

        SealKey(Path("issuer.p12"), passphrase="...", timestamp_url="https://tsa.example/")
        SealKey(signer=pkcs11.PKCS11Signer(session, key_label="seal"))
    """

    pkcs12: Path | None = None
    passphrase: str | None = None
    timestamp_url: str | None = None
    long_term: bool = False
    signer: signers.Signer | None = None

    def __post_init__(self) -> None:
        if (self.pkcs12 is None) == (self.signer is None):
            raise ValueError("a SealKey has either a PKCS#12 file or a pyHanko signer")

    @property
    def name(self) -> str:
        """What the key is, for messages."""
        return str(self.pkcs12) if self.pkcs12 is not None else type(self.signer).__name__


def seal_files(files: dict[str, bytes], key: SealKey, appearance: SealAppearance | None = None) -> dict[str, bytes]:
    """A letter's files sealed: the PDF signed in place (its seal shown as `appearance`
    says, or invisible), the DOCX with a `.p7s` beside it."""
    sealed = dict(files)
    if "pdf" in files:
        sealed["pdf"] = seal_pdf(files["pdf"], key, appearance)
    if "docx" in files:
        sealed["docx.p7s"] = detached_signature(files["docx"], key)
    return sealed


def seal_pdf(pdf: bytes, key: SealKey, appearance: SealAppearance | None = None) -> bytes:
    """The PDF with a PAdES signature over all of it, appended as an incremental update;
    drawn on a page as `appearance` says, or invisible."""
    try:
        writer = _MetadataKeepingWriter(io.BytesIO(pdf), strict=False)
        fields.append_signature_field(writer, fields.SigFieldSpec(
            FIELD, readable_field_name=FIELD_LABEL, invis_sig_settings=fields.InvisSigSettings(set_print_flag=True))
            if appearance is None else
            fields.SigFieldSpec(FIELD, readable_field_name=FIELD_LABEL, on_page=appearance.page_index,
                                box=appearance.box))
        _tag_field(writer)
        if key.long_term:
            _add_long_term_data(writer, _signer(key))
        pdf_signer = signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES,
                                         md_algorithm="sha256"),
            signer=_signer(key), timestamper=_timestamper(key.timestamp_url),
            stamp_style=_stamp_style(appearance) if appearance else None)
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


def opens(pkcs12: Path, passphrase: str | None) -> bool:
    """Whether the PKCS#12 file opens with `passphrase` (None: with none)."""
    try:
        _load_pkcs12(pkcs12, passphrase)
    except RenderError:
        return False
    return True


@lru_cache(maxsize=4)  # once per process and key: decrypting a PKCS#12 file is slow
def _signer(key: SealKey) -> signers.Signer:
    signer = key.signer or _load_pkcs12(key.pkcs12, key.passphrase)  # type: ignore[arg-type]  # one of them is given
    certificate = signer.signing_cert
    if certificate is None:
        raise RenderError(f"cannot seal with {key.name}: the signer has no certificate")
    not_before, not_after = validity(certificate)
    now = dt.datetime.now(dt.timezone.utc)
    if now > not_after:
        raise RenderError(f"cannot seal with {key.name}: its certificate expired on {day(not_after)}")
    if now < not_before:
        raise RenderError(f"cannot seal with {key.name}: its certificate is not valid until {day(not_before)}")
    return signer


def _load_pkcs12(path: Path, passphrase: str | None) -> signers.SimpleSigner:
    secret = passphrase.encode() if passphrase else None
    try:
        signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=secret)
    except (OSError, ValueError) as error:
        raise RenderError(f"cannot load the sealing key {path}: {error}") from None
    if signer is None:  # pyHanko logs why and returns nothing
        raise RenderError(f"cannot load the sealing key {path}: not a PKCS#12 file, or a wrong passphrase")
    return signer


def _add_long_term_data(writer: IncrementalPdfFileWriter, signer: signers.Signer) -> None:
    """A DSS in the revision the seal will cover (PAdES-B-LT): the signer's chain and the
    revocation lists its certificates point to, fetched now. Before the signature, not after
    it, so that the seal still covers the whole file and the letter stays PDF/A (whose
    signatures must cover every byte)."""
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

    chain = list(signer.cert_registry)
    roots = [certificate for certificate in chain if certificate.self_signed != "no"]
    if not roots:
        raise RenderError("cannot add long-term validation data: the key holds no root certificate of its chain")
    context = ValidationContext(trust_roots=roots, other_certs=chain, allow_fetching=True,
                                fetcher_backend=RequestsFetcherBackend())
    try:
        path = asyncio.run(CertificateValidator(signer.signing_cert, validation_context=context)
                           .async_validate_usage(set()))
    except Exception as error:  # noqa: BLE001 - certvalidator's many errors all mean one thing here
        raise RenderError(f"cannot add long-term validation data: {error}") from None
    DocumentSecurityStore.supply_dss_in_writer(writer, None, paths=[path], validation_context=context)


def _stamp_style(appearance: SealAppearance):
    """The visible seal's look: the kit's words in the kit's font (embedded, for PDF/A), framed."""
    from pyhanko.pdf_utils.font.api import FontEngineFactory
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    font = _font_at_1000_units(appearance.font)

    class PlainCMapAccumulator(GlyphAccumulator):
        def _format_tounicode_cmap(self):
            # One `bfchar` per glyph, not pyHanko's ranges of arrays: valid PDF both, but the
            # simpler form is the one every PDF/A checker reads (page-validation refuses the other)
            pairs = sorted(self._cid_to_unicode.items())
            blocks = [pairs[start:start + 100] for start in range(0, len(pairs), 100)]
            body = "\n".join(f"{len(block)} beginbfchar\n"
                             + "\n".join(f"<{cid:04X}> <{text.encode('utf-16be').hex().upper()}>"
                                         for cid, text in block)
                             + "\nendbfchar" for block in blocks)
            stream = super()._format_tounicode_cmap()
            header, _, rest = stream.data.decode("ascii").partition("endcodespacerange\n")
            footer = rest[rest.index("\nendcmap"):]
            plain = generic.StreamObject(stream_data=f"{header}endcodespacerange\n{body}{footer}".encode("ascii"))
            plain.compress()
            return plain

    class KitFont(FontEngineFactory):
        def create_font_engine(self, writer, obj_stream=None):
            # the same size as the text box's: pyHanko moves to the next line by the engine's size
            return PlainCMapAccumulator(writer, io.BytesIO(font), appearance.font_size,
                                        obj_stream=writer.prepare_object_stream() if writer.stream_xrefs else None)

    return TextStampStyle(
        stamp_text=appearance.text, border_width=1, timestamp_format="%Y-%m-%d %H:%M UTC",
        text_box_style=TextBoxStyle(font=KitFont(), font_size=appearance.font_size))


@lru_cache(maxsize=4)
def _font_at_1000_units(path: Path) -> bytes:
    """The font scaled to 1,000 units per em: pyHanko writes a glyph's width in the font's own
    units where PDF reads thousandths of an em, so a 2,048-unit TrueType font (Liberation,
    most) would be drawn with its letters spread apart."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(path)
    for table in ("FFTM",):  # FontForge's timestamps: fontTools' subsetter says it drops them
        if table in font:
            del font[table]
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    output = io.BytesIO()
    font.save(output)
    return output.getvalue()


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
