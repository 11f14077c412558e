"""A letter's mail pieces, rendered: one PDF per piece, its first page addressed to
its recipient, and what the print file and mailpieces.csv need to know of each.

A copy is the letter composed again with its piece (`compose(letter, kit, piece)`):
the window block prints the copy's recipient and the kit's "Copy to" line. Composing
and drawing a copy costs what the letter's PDF does (measured in
benchmarks/bench_print_file.py); re-addressing page 1 alone would save that but draw
a page the letter's own text never laid out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pikepdf

from .. import profiles, tree
from ..compose import compose
from ..kits import Kit
from ..model import Letter
from ..presentation import Presentation
from ..writers import WriterOptions, write_format
from .pieces import Piece, address_lines, pieces_of, zip_code
from .window import check_window, window_lines

PIECE_VARIANT = "pdf/x-4"  # the pieces of a PDF/VT print file


@dataclass(frozen=True)
class MailJob:
    """How a batch makes mail pieces (all picklable)."""

    variant: str | None = None  # None: the default print file; "pdf/vt"
    strict: bool = False  # check each piece's window on its drawn PDF
    imb: bool = False  # leave the IMb's clear zone free under the address


def piece_file(outdir: Path, case_id: str, number: int) -> Path:
    return outdir / f"{case_id}.piece-{number}.pdf"


def render_pieces(letter: Letter, kit: Kit, case_id: str, options: WriterOptions, mail: MailJob, outdir: Path,
                  profile: str | None = None) -> tuple[dict[Path, bytes], list[dict[str, Any]], list[str]]:
    """(files to write, a manifest record per piece, warnings) for one letter, in
    `profile` (a large-print letter's pieces are large print, in the kit's large envelope).

    Every piece is drawn here, the original's too: a piece is the letter with its
    recipient's address in the envelope window, which the letter's own files (the record,
    laid out as its DOCX is) do not carry."""
    if kit.mail is None:
        return {}, [], [f"kit {kit.name!r} has no [mail] table in its kit.toml: the letter makes no mail piece"]
    pieces, warnings = pieces_of(letter, kit.mail)
    files: dict[Path, bytes] = {}
    records = []
    piece_options = replace(options, pdf_variant=PIECE_VARIANT, seal=None) if mail.variant == "pdf/vt" \
        else replace(options, seal=None)
    profile, _ = profiles.honoured(letter.alternate_format, profile, ())
    look = piece_look(kit, profile)
    envelope = kit.mail.envelope_for(profile)
    for piece in pieces:
        document = compose(letter, kit, piece)
        pdf = write_format(document, "pdf", look, piece_options)
        path = piece_file(outdir, case_id, piece.number)
        files[path], name = pdf, path.name
        if mail.strict:
            check_window(pdf, piece, envelope, window_lines(document), mail.imb)
        records.append(_record(piece, case_id, name, _pages(pdf), letter) | {"window": envelope[1].model_dump()})
    return files, records, warnings


PIECE_CSS = "print-piece.css"  # the kit's page 1 of a mail piece (templates/letter/)


def piece_look(kit: Kit, profile: str | None = None) -> Presentation:
    """How the kit's mail pieces look in `profile`: page 1 with its envelope's window."""
    look = profiles.presentation(kit, profile)
    large_envelope = profile == "large-print" and kit.mail is not None and kit.mail.large_print is not None
    return look.derived(_large_print_piece_look if large_envelope else _piece_look)


def _piece_look(look: Presentation, *added: str) -> Presentation:
    """`look` with its mail piece's page 1 (made once per kit: Presentation.derived)."""
    return replace(look, print_css=(*look.print_css, *((look.files.find(name), look.files.read_text(name))
                                                       for name in (PIECE_CSS, *added))), _derived={})


def _large_print_piece_look(look: Presentation) -> Presentation:
    """A large-print piece's page 1: its window is the kit's large envelope's ([mail.large_print])."""
    return _piece_look(look, "print-piece-large-print.css")


def blank_page_pdf(kit: Kit, language: str, variant: str | None) -> bytes:
    """The page that pads a piece for duplex: the kit's sentence (`[mail] blank_page`) in
    `language`, in the kit's type, without the page frame of a letter."""
    assert kit.mail is not None
    sentence = kit.mail.blank_page_in(language)
    document = tree.Document(tree.Meta(title=sentence, language=language),
                             (tree.Paragraph((tree.Text(sentence),), "blank-page"),))
    options = WriterOptions(pdf_variant=PIECE_VARIANT if variant == "pdf/vt" else None)
    return write_format(document, "pdf", kit.presentation.derived(_blank_page_look), options)


def _blank_page_look(look: Presentation) -> Presentation:
    css = ("@page { @top-right { content: none; } @bottom-center { content: none; } }\n"
           "p.blank-page { margin-top: 4in; text-align: center; }\n")
    return replace(look, print_css=(*look.print_css, (look.reference_file.parent / "blank-page.css", css)),
                   _derived={})


def _pages(pdf: bytes) -> int:
    import io
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        return len(opened.pages)


def _record(piece: Piece, case_id: str, file: str, pages: int, letter: Letter) -> dict[str, Any]:
    address = piece.address
    return {"piece_id": piece.piece_id(case_id), "number": piece.number, "field": piece.field,
            "role": piece.role, "recipient": piece.recipient.name,
            "address": " | ".join([*([piece.recipient.organisation] if piece.recipient.organisation else []),
                                   *address_lines(address)]),
            "zip": zip_code(address), "file": file, "pages": pages,
            "letter_date": str(getattr(letter, "letter_date", "") or ""), "language": letter.language}
