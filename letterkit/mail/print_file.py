"""The print file: every mail piece of a batch's successful letters, in one PDF.

Read from the batch's manifest (each letter's pieces, their files and addresses) after
the batch, so a resumed batch, or one rendered on a cluster, prints every successful
letter of the folder, and a case that failed is listed and left out — never half in.

Each piece is one document part (ISO 32000-2 §14.12): the catalog's `/DPartRoot` has
one leaf per piece, with `/Start` and `/End` pages and its metadata (`/DPM`: piece id,
case id, recipient role, sheets, ZIP); each of its pages points back with `/DPart`.
`duplex` pads a piece to an even number of pages, so the next one starts on a new sheet.
The file is written one piece at a time (letterkit.mail.streamed_pdf): a piece is opened,
its pages written, and closed before the next, so memory stays flat however many
letters the batch had.

Merging drops what belongs to one letter: its tags (a production file, not the record),
its seal's widget and its form; each letter's own PDF stays the record.
"""

from __future__ import annotations

import datetime
import io
import json
import os
from array import array
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from ..errors import LetterkitError
from ..kits import Kit
from . import imb as imb_code
from .mailpieces_csv import NAME as CSV_NAME, ounces, read_rows, write_rows
from .render import blank_page_pdf
from .serials import SerialStore
from .settings import Window
from .streamed_pdf import Numbers, StreamedPdf, reference

SORTS = ("none", "zip", "case")
VARIANTS = (None, "pdf/vt")


@dataclass(frozen=True)
class ImbOptions:
    mailer_id: str
    service_type: str
    serials: Path | None = None  # the serial store; None: the user's


@dataclass(frozen=True)
class PrintOptions:
    path: Path
    duplex: bool = False
    sort: str = "none"
    variant: str | None = None
    mail_date: datetime.date | None = None  # None: today
    imb: ImbOptions | None = None
    kit: Kit | None = None  # the batch's: its envelope window (for the IMb), its padding page's sentence
    resequence: Path | None = None  # a mailpieces.csv in the order the mail house wants
    reprint: tuple[str, ...] = ()  # piece ids: a print file of just these, with new serials
    new_serials: bool = False  # --force: every piece a new serial


@dataclass
class PrintSummary:
    path: Path
    csv: Path
    pieces: int = 0
    pages: int = 0
    left_out: list[str] = field(default_factory=list)  # one line per case or piece, with the reason


def write_print_file(outdir: str | Path, options: PrintOptions) -> PrintSummary:
    """Merge the mail pieces of `outdir`'s successful letters into `options.path`, and
    write the rows of mailpieces.csv."""
    outdir = Path(outdir).resolve()
    if options.sort not in SORTS:
        raise LetterkitError(f"--sort {options.sort}: choose one of {', '.join(SORTS)}")
    if options.variant not in VARIANTS:
        raise LetterkitError(f"--print-file-variant {options.variant}: the print file is plain PDF or pdf/vt")
    csv_path = outdir / CSV_NAME if not options.reprint else options.path.with_suffix(".csv")
    summary = PrintSummary(path=options.path, csv=csv_path)
    mail_date = (options.mail_date or datetime.date.today()).isoformat()
    pieces = []
    for case_id, entry in _current_entries(outdir):
        if entry["status"] != "ok":
            summary.left_out.append(f"{case_id}: failed ({entry.get('error', 'see the manifest')}); "
                                    "not in the print file")
        elif "pieces" not in entry:
            summary.left_out.append(f"{case_id}: rendered without mail pieces; run the batch with --print-file again")
        elif entry["pieces"] and entry["pieces"][0].get("letter_date") != mail_date:
            summary.left_out.append(f"{case_id}: the letter is dated {entry['pieces'][0].get('letter_date')}, "
                                    f"not the mail date {mail_date}; not in the print file")
        else:
            pieces += [dict(piece, case_id=case_id) for piece in entry["pieces"]]
    pieces = _ordered(pieces, options, outdir, summary)
    previous = {row["piece_id"]: row for row in read_rows(outdir / CSV_NAME)} if (outdir / CSV_NAME).exists() else {}
    _assign_barcodes(pieces, previous, options)
    summary.pieces, summary.pages = len(pieces), _merge(pieces, outdir, options)
    if options.reprint:  # the new serials are the pieces' now
        for piece in pieces:
            if piece["piece_id"] in previous:
                previous[piece["piece_id"]].update(imb=piece["imb"], imb_digits=piece["imb_digits"])
        if previous:
            write_rows(outdir / CSV_NAME, list(previous.values()))
    write_rows(csv_path, [_row(piece) for piece in pieces])
    return summary


def _current_entries(outdir: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each case's last manifest line, in the order the cases were first seen."""
    last: dict[str, dict[str, Any]] = {}
    manifest = outdir / "manifest.jsonl"
    if not manifest.exists():
        raise LetterkitError(f"{manifest}: no manifest; run the batch first")
    with open(manifest, encoding="utf-8") as lines:
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                # what the print file reads of it: a long batch's whole lines would fill memory
                last[entry["id"]] = {key: entry[key] for key in ("status", "error", "pieces") if key in entry}
    yield from last.items()


def _ordered(pieces: list[dict], options: PrintOptions, outdir: Path, summary: PrintSummary) -> list[dict]:
    if options.reprint:
        wanted = dict.fromkeys(options.reprint)
        known = {piece["piece_id"]: piece for piece in pieces}
        for missing in (p for p in wanted if p not in known):
            summary.left_out.append(f"{missing}: no such piece among the folder's successful letters; not reprinted")
        pieces = [known[p] for p in wanted if p in known]
    if options.resequence:
        order = {row["piece_id"]: index for index, row in enumerate(read_rows(options.resequence))}
        for piece in pieces:
            if piece["piece_id"] not in order:
                summary.left_out.append(f"{piece['piece_id']}: not in {options.resequence}; not in the print file")
        return sorted((p for p in pieces if p["piece_id"] in order), key=lambda p: order[p["piece_id"]])
    if options.sort == "zip":  # pieces without a US ZIP last; stable: a letter's pieces stay in order
        return sorted(pieces, key=lambda p: (p["zip"] == "", p["zip"]))
    if options.sort == "case":
        return sorted(pieces, key=lambda p: (p["case_id"], p["number"]))
    return pieces


def _assign_barcodes(pieces: list[dict], previous: dict[str, dict], options: PrintOptions) -> None:
    """Each piece's IMb: its serial from the last print of the folder, unless new ones are
    asked for (--force, --reprint); new serials from the store, never repeating."""
    for piece in pieces:
        piece["imb"] = piece["imb_digits"] = ""
    if options.imb is None:
        return
    prefix = f"00{options.imb.service_type}{options.imb.mailer_id}"
    limit = 10 ** (15 - len(options.imb.mailer_id))
    needing = []
    for piece in pieces:
        earlier = previous.get(piece["piece_id"], {}).get("imb_digits", "")
        if earlier.startswith(prefix) and not (options.new_serials or options.reprint):
            piece["tracking"] = earlier[:20]
        else:
            needing.append(piece)
    serials = SerialStore(options.imb.serials).take(options.imb.mailer_id, len(needing), limit)
    for piece, serial in zip(needing, serials):
        piece["tracking"] = imb_code.Tracking(options.imb.mailer_id, options.imb.service_type, serial).digits
    for piece in pieces:
        routing = imb_code.routing_code(piece["zip"])
        piece["imb"] = imb_code.bar_states(piece["tracking"], routing)
        piece["imb_digits"] = piece["tracking"] + routing


def _merge(pieces: list[dict], outdir: Path, options: PrintOptions) -> int:
    """Write the print file, one piece at a time; the number of its pages."""
    temporary = options.path.with_name(f".{options.path.name}.part")
    try:
        options.path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as file:
            total = _write_pieces(StreamedPdf(file, "1.6" if options.variant == "pdf/vt" else "2.0"),
                                  pieces, outdir, options)
        os.replace(temporary, options.path)
    except OSError as error:
        raise LetterkitError(f"{options.path}: cannot write the print file ({error.strerror or error})") from None
    finally:
        with suppress(OSError):  # a part left by a failed write; none when its folder could not be made
            temporary.unlink(missing_ok=True)
    return total


# What a page of the print file leaves behind: its tags (no structure tree comes along),
# its seal widget and form, and its place in its letter's page tree. Its /MediaBox is
# written anew: it may have been inherited from that tree.
_LEFT_OUT = frozenset({"/Parent", "/StructParents", "/Annots", "/Tabs", "/DPart", "/MediaBox"})


def _write_pieces(pdf: StreamedPdf, pieces: list[dict], outdir: Path, options: PrintOptions) -> int:
    page_tree = pdf.reserve()
    pages = array("Q")  # each page's object number, in order
    parts: list[tuple[int, dict, int, int]] = []  # (its number, the piece, its first and last page)
    padding = _Padding(pdf, options, page_tree)
    intent = None
    for piece in pieces:
        part = pdf.reserve()
        first = len(pages)
        with _opened(outdir / piece["file"], piece) as source:
            numbers: Numbers = {}
            if options.variant == "pdf/vt" and intent is None and "/OutputIntents" in source.Root:
                intent = pdf.inline(source.Root.OutputIntents, numbers)
            if piece["imb"]:
                _draw_imb(source, source.pages[0], piece["imb"], _window(piece, options))
            mediabox = b""
            for page in source.pages:
                mediabox = pdf.inline(page.mediabox, numbers)
                pages.append(pdf.copy(page.obj, numbers, _LEFT_OUT, b"/Parent %s /DPart %s /MediaBox %s" % (
                    reference(page_tree), reference(part), mediabox)))
        if options.duplex and (len(pages) - first) % 2:
            pages.append(padding.page(piece.get("language"), mediabox, part))
        piece["first_page"], piece["last_page"] = first + 1, len(pages)
        piece["sheets"] = _sheets(len(pages) - first, options.duplex)
        parts.append((part, piece, pages[first], pages[-1]))
    pdf.write(page_tree, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (
        len(pages), b" ".join(reference(page) for page in pages)))
    catalog = b"/Type /Catalog /Pages %s /DPartRoot %s" % (reference(page_tree), reference(_document_parts(pdf, parts)))
    info = None
    if options.variant == "pdf/vt":
        catalog += _pdf_vt(pdf, intent)
        info = pdf.write(pdf.reserve(), b"<< /Trapped /False >>")
    pdf.finish(pdf.write(pdf.reserve(), b"<< " + catalog + b" >>"), info)
    return len(pages)


@contextmanager
def _opened(path: Path, piece: dict) -> Iterator[pikepdf.Pdf]:
    try:
        source = pikepdf.open(path)
    except (OSError, pikepdf.PdfError) as error:
        raise LetterkitError(f"{path}: cannot read mail piece {piece['piece_id']} ({error}); "
                             "run the batch again (with --force) to draw it") from None
    with source:
        yield source


def _window(piece: dict, options: PrintOptions) -> Window:
    """The window the piece was addressed for (a large-print piece's is its envelope's)."""
    if "window" in piece:
        return Window.model_validate(piece["window"])
    if options.kit is None or options.kit.mail is None:
        raise LetterkitError(f"mail piece {piece['piece_id']}: no envelope window to print its IMb in")
    return options.kit.mail.window


class _Padding:
    """The page that pads a piece to an even count: blank, or the kit's sentence in the
    piece's language (`[mail] blank_page`), its page's drawing written once per language
    and shared by every padding page of that language."""

    def __init__(self, pdf: StreamedPdf, options: PrintOptions, page_tree: int):
        self.pdf, self.options, self.page_tree = pdf, options, page_tree
        self.drawn: dict[str, bytes] = {}  # language → "/Contents … /Resources …" in the file

    def page(self, language: str | None, mediabox: bytes, part: int) -> int:
        kit = self.options.kit
        drawing = b"/Resources << >>"
        if kit is not None and kit.mail is not None and kit.mail.blank_page:
            language = language or kit.languages[0]
            if language not in self.drawn:
                self.drawn[language] = self._drawing(blank_page_pdf(kit, language, self.options.variant))
            drawing = self.drawn[language]
        return self.pdf.write(self.pdf.reserve(), b"<< /Type /Page /Parent %s /DPart %s /MediaBox %s %s >>" % (
            reference(self.page_tree), reference(part), mediabox, drawing))

    def _drawing(self, drawn: bytes) -> bytes:
        with pikepdf.open(io.BytesIO(drawn)) as source:
            page, numbers = source.pages[0], Numbers()
            return b"/Contents %s /Resources %s" % (self.pdf.inline(page.obj.Contents, numbers),
                                                     self.pdf.inline(page.obj.Resources, numbers))


def _draw_imb(pdf: pikepdf.Pdf, page: pikepdf.Page, states: str, window: Window) -> None:
    height = float(page.mediabox[3])
    left = window.left * 72
    bottom = height - (window.top + window.height) * 72 + imb_code.CLEAR_ZONE * 72
    # The letter's own drawing is wrapped in q … Q, so the bars are drawn in the page's
    # own coordinates whatever transformation it left in force.
    page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, b"Q\n" + imb_code.bars_pdf_operators(states, left, bottom)))


def _sheets(pages: int, duplex: bool) -> int:
    return (pages + 1) // 2 if duplex else pages


def _document_parts(pdf: StreamedPdf, parts: list[tuple[int, dict, int, int]]) -> int:
    """The document part tree: a root, one leaf per piece; the number of its /DPartRoot."""
    root = pdf.reserve()
    for number, piece, start, end in parts:
        metadata = b"<< /PieceId %s /CaseId %s /Role %s /Sheets %d /ZIP %s >>" % (
            _string(piece["piece_id"]), _string(piece["case_id"]), _string(piece["role"]), piece["sheets"],
            _string(piece["zip"]))
        pdf.write(number, b"<< /Type /DPart /Parent %s /Start %s /End %s /DPM %s >>" % (
            reference(root), reference(start), reference(end), metadata))
    pdf.write(root, b"<< /Type /DPart /DParts [[%s]] >>" % b" ".join(reference(number) for number, *_ in parts))
    return pdf.write(pdf.reserve(), b"<< /Type /DPartRoot /DPartRootNode %s /RecordLevel 1 "
                                    b"/NodeNameList [/PrintFile /MailPiece] >>" % reference(root))


def _string(text: str) -> bytes:
    return pikepdf.String(text).unparse()


PDFVT = "http://www.npes.org/pdfvt/ns/id/"
PDFX = "http://www.npes.org/pdfx/ns/id/"


def _pdf_vt(pdf: StreamedPdf, intent: bytes | None) -> bytes:
    """The catalog's entries that say PDF/VT-1 (and PDF/X-4, what it builds on): the XMP,
    and the pieces' output intent."""
    # WeasyPrint 70's PDF/X-4 marks its XMP but writes no output intent, which PDF/X asks
    # for: the print file gets one, sRGB (the colour space WeasyPrint draws in), from
    # the ICC profile WeasyPrint ships.
    with pikepdf.new() as made:
        if intent is None:
            intent = pdf.inline(pikepdf.Array([_srgb_intent(made)]), {})
        with made.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta.register_xml_namespace(PDFVT, "pdfvtid")
            meta.register_xml_namespace(PDFX, "pdfxid")
            meta[f"{{{PDFVT}}}GTS_PDFVTVersion"] = "PDF/VT-1"
            meta[f"{{{PDFX}}}GTS_PDFXVersion"] = "PDF/X-4"
            meta["pdf:Trapped"] = "False"
            meta["xmp:CreateDate"] = meta["xmp:ModifyDate"] = "2000-01-01T00:00:00Z"  # deterministic
            meta["dc:title"] = "Print file"
        metadata = pdf.copy(made.Root.Metadata, {})
    return b" /OutputIntents %s /Metadata %s" % (intent, reference(metadata))


def _srgb_intent(out: pikepdf.Pdf) -> pikepdf.Dictionary:
    from importlib import resources
    profile = (resources.files("weasyprint") / "pdf" / "sRGB2014.icc").read_bytes()
    stream = pikepdf.Stream(out, profile)
    stream.N = 3
    return out.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"),
        RegistryName=pikepdf.String("http://www.color.org"), Info=pikepdf.String("sRGB IEC61966-2.1"),
        DestOutputProfile=out.make_indirect(stream)))


def _row(piece: dict) -> dict:
    return {**piece, "ounces": ounces(piece["sheets"])}
