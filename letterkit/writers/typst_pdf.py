"""Document tree → PDF by typst: the second PDF engine (`--pdf-engine typst`).

The same tree as every writer, written as typst source and data (`typst_source`) in
the kit's look (`typst_look`), compiled by a typst `Compiler` kept per thread and kit:
its fonts are loaded once, and what it laid out for the letter before (the letterhead,
the rules, the unchanged paragraphs) it reuses. About 10 ms a 5-page letter, where
WeasyPrint takes 200.

The archival variant ("archival", PDF/A-3a and PDF/UA-1 at once) is typst's own:
tagged, with title and language, the case attached as `case.json` (relationship
Source); letterkit then adds its record to the XMP (`typst_archival`).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing.util
import shutil
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

import typst

from .. import tree
from ..errors import RenderError
from ..presentation import Presentation
from .format import Files, Format, WriterInput
from .pdf_archival import ARCHIVAL_ALIASES, CaseRecord
from .typst_archival import attach_case, with_record
from .typst_look import typst_look
from .typst_source import typst_letter

ENGINE = "typst"
VARIANTS = tuple(ARCHIVAL_ALIASES)  # typst writes plain PDF, or archival
_thread = threading.local()


def write_pdf(document: tree.Document, presentation: Presentation, variant: str | None = None,
              record: CaseRecord | None = None) -> bytes:
    """The letter as PDF bytes by typst; the same document always gives the same bytes.
    `variant` "archival" (or "pdf/a-3a+ua-1") gives PDF/A-3a and PDF/UA-1 in one file,
    with `record`'s case inside."""
    if variant is not None and variant not in ARCHIVAL_ALIASES:
        raise RenderError(f"the typst engine writes a plain or an archival PDF, not {variant!r}; "
                          "choose archival, or --pdf-engine weasyprint")
    look = typst_look(presentation)
    letter = typst_letter(document, look, presentation)
    source = letter.source
    standards: list = []
    if variant is not None:
        standards = ["a-3a", "ua-1"]
        if record is not None:
            source += attach_case(record.case_json)
    moment = dt.datetime.combine(document.meta.date or dt.date(2000, 1, 1), dt.time(), dt.timezone.utc)
    try:
        pdf = _compiler(look.font_folders).compile(input=source.encode("utf-8"), sys_inputs=letter.inputs(),
                                                   pdf_standards=standards, timestamp=moment)
    except typst.TypstError as error:  # a kit's style.typ, or a bug: one line, no traceback
        raise RenderError(f"typst: {error.message}") from None
    assert isinstance(pdf, bytes)
    return with_record(pdf, record, ENGINE) if variant is not None else pdf


def _compiler(font_folders: tuple[Path, ...]) -> typst.Compiler:
    """This thread's compiler for a kit's fonts: made once, reused for every letter."""
    compilers = getattr(_thread, "compilers", None)
    if compilers is None:
        compilers = _thread.compilers = {}
    if font_folders not in compilers:
        compilers[font_folders] = typst.Compiler(root=_empty_root(), font_paths=_fonts(font_folders))
    return compilers[font_folders]


@lru_cache(maxsize=None)
def _fonts(font_folders: tuple[Path, ...]) -> typst.Fonts:
    """The kit's fonts and the system's (the fallback fonts the font check counts), read once per process."""
    return typst.Fonts(include_system_fonts=True, include_embedded_fonts=False,
                       font_paths=[str(folder) for folder in font_folders])


@lru_cache(maxsize=1)
def _empty_root() -> str:
    """typst reads files only under its root: an empty folder, so a letter reads none."""
    root = tempfile.mkdtemp(prefix="letterkit-typst-")
    multiprocessing.util.Finalize(None, shutil.rmtree, args=(root, True), exitpriority=0)
    return root


def _write_file(letter: WriterInput) -> Files:
    return {"pdf": write_pdf(letter.document, letter.presentation, letter.options.pdf_variant, letter.record)}


FORMAT = Format("pdf", "pdf", _write_file, "the printed letter, by typst from the document tree")
