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
from .settings import Window
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
LARGE_PRINT_PIECE_CSS = "print-piece-large-print.css"  # and of a large-print piece, after it
PAGE_ONE_TOP = 0.5  # inches: a piece's page 1 starts this far down, its letterhead ending above the window
BELOW_WINDOW = 0.1  # inches between the window's foot and the text that follows the address


def piece_look(kit: Kit, profile: str | None = None) -> Presentation:
    """How the kit's mail pieces look in `profile`: page 1 with its envelope's window."""
    if kit.mail is None:
        raise ValueError(f"kit {kit.name!r} has no [mail] table in its kit.toml: its letters make no mail piece")
    look = profiles.presentation(kit, profile)
    large_envelope = profile == "large-print" and kit.mail.large_print is not None
    stylesheets = (PIECE_CSS, LARGE_PRINT_PIECE_CSS) if large_envelope else (PIECE_CSS,)
    return look.derived(_PieceLook(stylesheets, kit.mail.envelope_for(profile)[1], kit.page.margins[3]))


@dataclass(frozen=True)
class _PieceLook:
    """A mail piece's page 1 on a kit's look: the kit's piece stylesheets, then the place of
    the envelope's window from kit.toml's numbers, the one place they are written (made once
    per look and window: `Presentation.derived` keeps it by this key)."""

    stylesheets: tuple[str, ...]
    window: Window
    page_left: float  # points: the page's left margin (kit.toml [page])

    def __call__(self, look: Presentation) -> Presentation:
        kit_css = tuple((look.files.find(name), look.files.read_text(name)) for name in self.stylesheets)
        placed = (look.reference_file.parent / "mail-window.css", window_css(self.window, self.page_left))
        return replace(look, print_css=(*look.print_css, *kit_css, placed), _derived={})


def window_css(window: Window, page_left: float) -> str:
    """The CSS that puts page 1's address in `window` (inches from the page's top left
    corner). An absolute box is placed from the page area's corner: the page's left margin
    (`page_left`, points) and page 1's top margin are taken off. A float as tall as the
    window's foot keeps the text after the address out of the window; the letterhead above
    flows beside it (print-piece.css); the date stands level with the window (print.css)."""
    left, top = window.left - page_left / 72, window.top - PAGE_ONE_TOP
    return (f"@page :first {{ margin-top: {_inches(PAGE_ONE_TOP)}; }}\n"
            f".mail-window {{ position: absolute; left: {_inches(left)}; top: {_inches(top)}; "
            f"width: {_inches(window.width)}; height: {_inches(window.height)}; }}\n"
            f".mail-window + p.letter-date {{ top: {_inches(top)}; }}\n"
            f"body::before {{ height: {_inches(top + window.height + BELOW_WINDOW)}; }}\n")


def _inches(value: float) -> str:
    return f"{round(value, 4):g}in"


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
