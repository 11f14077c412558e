"""The print file: every mail piece of a batch's successful letters, in one PDF.

Read from the batch's manifest (each letter's pieces, their files and addresses) after
the batch, so a resumed batch, or one rendered on a cluster, prints every successful
letter of the folder, and a case that failed is listed and left out — never half in.

Each piece is one document part (ISO 32000-2 §14.12): the catalog's `/DPartRoot` has
one leaf per piece, with `/Start` and `/End` pages and its metadata (`/DPM`: piece id,
case id, recipient role, sheets, ZIP); each of its pages points back with `/DPart`.
`duplex` pads a piece to an even number of pages, so the next one starts on a new sheet.
Pages are copied by reference: qpdf reads each piece's streams from its file only as the
print file is written, so the pages are never all in memory at once.

Merging drops what belongs to one letter: its tags (a production file, not the record),
its seal's widget and its form; each letter's own PDF stays the record.
"""

from __future__ import annotations

import datetime
import json
import os
import resource
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from ..errors import LetterkitError
from . import imb as imb_code
from .mailpieces_csv import NAME as CSV_NAME, ounces, read_rows, write_rows
from .serials import SerialStore
from .settings import Window

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
    window: Window | None = None  # where the IMb goes: under the address, at the window's foot
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
            summary.left_out.append(f"{case_id}: failed ({entry.get('error', 'see the manifest')}); not in the print file")
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
                last[entry["id"]] = entry
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
    """Write the print file; the number of its pages."""
    _allow_open_files(len(pieces))
    out = pikepdf.new()
    leaves = []
    with ExitStack() as sources:
        intent = None
        total = 0
        for piece in pieces:
            path = outdir / piece["file"]
            try:
                source = sources.enter_context(pikepdf.open(path))
            except (OSError, pikepdf.PdfError) as error:
                raise LetterkitError(f"{path}: cannot read mail piece {piece['piece_id']} ({error}); "
                                     "run the batch again (with --force) to draw it") from None
            if intent is None and "/OutputIntents" in source.Root:
                intent = out.copy_foreign(source.Root.OutputIntents)
            # Page objects are kept as they are copied: indexing `out.pages` after each
            # append makes qpdf list every page again, which made the merge quadratic.
            first = total
            copied = []
            for source_page in source.pages:
                page = pikepdf.Page(out.copy_foreign(source_page.obj))
                _production_page(page)
                out.pages.append(page)
                copied.append(page)
            if piece["imb"] and options.window:
                _draw_imb(out, copied[0], piece["imb"], options.window)
            if options.duplex and len(copied) % 2:
                box = copied[-1].mediabox
                blank = pikepdf.Page(out.make_indirect(pikepdf.Dictionary(
                    Type=pikepdf.Name.Page, MediaBox=box, Resources=pikepdf.Dictionary())))
                out.pages.append(blank)
                copied.append(blank)
            total += len(copied)
            piece["first_page"], piece["last_page"] = first + 1, total
            piece["sheets"] = _sheets(len(copied), options.duplex)
            leaves.append((piece, copied))
        _document_parts(out, leaves)
        if options.variant == "pdf/vt":
            _pdf_vt(out, intent)
        temporary = options.path.with_name(f".{options.path.name}.part")
        options.path.parent.mkdir(parents=True, exist_ok=True)
        out.save(temporary, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                 min_version="1.6" if options.variant == "pdf/vt" else "2.0")
        os.replace(temporary, options.path)
    return total


def _allow_open_files(count: int) -> None:
    """Every piece's file stays open until the print file is written (its streams are
    read then): raise the soft limit on open files as far as the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = count + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


def _production_page(page: pikepdf.Page) -> None:
    """A page of the print file: no tags (no structure tree comes along), no seal widget."""
    for key in ("/StructParents", "/Annots", "/Tabs"):
        if key in page.obj:
            del page.obj[key]


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


def _document_parts(out: pikepdf.Pdf, leaves: list[tuple[dict, list[pikepdf.Page]]]) -> None:
    root = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.DPart))
    nodes = []
    for piece, pages in leaves:
        metadata = pikepdf.Dictionary(
            PieceId=pikepdf.String(piece["piece_id"]), CaseId=pikepdf.String(piece["case_id"]),
            Role=pikepdf.String(piece["role"]), Sheets=piece["sheets"], ZIP=pikepdf.String(piece["zip"]))
        leaf = out.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.DPart, Parent=root, Start=pages[0].obj, End=pages[-1].obj, DPM=metadata))
        for page in pages:
            page.obj.DPart = leaf
        nodes.append(leaf)
    root.DParts = pikepdf.Array([pikepdf.Array(nodes)])
    out.Root.DPartRoot = out.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.DPartRoot, DPartRootNode=root, RecordLevel=1,
        NodeNameList=pikepdf.Array([pikepdf.Name("/PrintFile"), pikepdf.Name("/MailPiece")])))


PDFVT = "http://www.npes.org/pdfvt/ns/id/"
PDFX = "http://www.npes.org/pdfx/ns/id/"


def _pdf_vt(out: pikepdf.Pdf, intent: Any) -> None:
    """Say PDF/VT-1 (and PDF/X-4, what it builds on) in the XMP; the pieces' output intent."""
    # WeasyPrint 70's PDF/X-4 marks its XMP but writes no output intent, which PDF/X asks
    # for: the print file gets one, sRGB (the colour space WeasyPrint draws in), from
    # the ICC profile WeasyPrint ships.
    out.Root.OutputIntents = intent if intent is not None else pikepdf.Array([_srgb_intent(out)])
    out.trailer.Info = out.make_indirect(pikepdf.Dictionary(Trapped=pikepdf.Name.False_))
    with out.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta.register_xml_namespace(PDFVT, "pdfvtid")
        meta.register_xml_namespace(PDFX, "pdfxid")
        meta[f"{{{PDFVT}}}GTS_PDFVTVersion"] = "PDF/VT-1"
        meta[f"{{{PDFX}}}GTS_PDFXVersion"] = "PDF/X-4"
        meta["pdf:Trapped"] = "False"
        meta["xmp:CreateDate"] = meta["xmp:ModifyDate"] = "2000-01-01T00:00:00Z"  # deterministic
        meta["dc:title"] = "Print file"


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
