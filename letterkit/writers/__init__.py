"""The writers, each reading the document tree and nothing else, and their registry.

`WRITERS` lists one `Format` per output format (letterkit.writers.format says what a
writer is given and gives back); `FORMATS`, the library's and the CLI's choices, are
its names, `DEFAULT_FORMATS` those rendered when none are asked. A new format is one
module and one line here. Where each file goes is `file_name`'s to say.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import tree
from ..presentation import Presentation
from . import audio, braille, docx, html, naming, page_images, pdf, text, typst_pdf
from .docx import reference_docx, write_docx
from .format import Files, Format, WriterInput, WriterOptions
from .html import HtmlPage, html_page, write_html
from .naming import file_name, files_of, page_key
from .pdf import write_pdf
from .pdf_archival import CaseRecord

WRITERS: tuple[Format, ...] = (
    html.FORMAT,
    pdf.FORMAT,
    docx.FORMAT,
    text.FORMAT,
    braille.FORMAT,
    page_images.FORMAT,
    audio.FORMAT,
)
FORMATS = tuple(format.name for format in WRITERS)
DEFAULT_FORMATS = ("html", "pdf", "docx")  # the letter itself; the others on request
_BY_NAME = {format.name: format for format in WRITERS}
# The writers of the "pdf" format, by the engine that lays the letter out (--pdf-engine);
# the first is the default. A new engine is one module and one line here.
PDF_ENGINES: dict[str, Format] = {
    "weasyprint": pdf.FORMAT,
    "typst": typst_pdf.FORMAT,
}


def writer(name: str, pdf_engine: str = "weasyprint") -> Format:
    """The registry's entry for format `name` (for "pdf", the writer of `pdf_engine`)."""
    if name not in _BY_NAME:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
    if name == "pdf":
        if pdf_engine not in PDF_ENGINES:
            raise ValueError(f"unknown PDF engine {pdf_engine!r}; choose from {', '.join(PDF_ENGINES)}")
        return PDF_ENGINES[pdf_engine]
    return _BY_NAME[name]


def first_file_key(name: str) -> str:
    """The key of the file every letter in format `name` has (its only one, or page 1's)."""
    return naming.first_file_key(writer(name))


def write_files(
    document: tree.Document, formats: Iterable[str], presentation: Presentation,
    options: WriterOptions = WriterOptions(), record: CaseRecord | None = None,
    page: HtmlPage | None = None,
) -> dict[str, Files]:
    """The files of each of `formats`, keyed by format. What a format needs is written
    first, once; what a writer makes of the document for another too (the HTML page the
    PDF is made from) is made once. An archival PDF carries `record` inside."""
    made: dict = {html_page: page} if page else {}
    written: dict[str, Files] = {}

    def write(name: str) -> Files:
        if name not in written:
            entry = writer(name, options.pdf_engine)
            needed = {need: write(need) for need in entry.needs}
            written[name] = entry.write(WriterInput(document, presentation, options, record, needed, made))
        return written[name]

    return {name: write(name) for name in formats}


def write_formats(
    document: tree.Document, formats: Iterable[str], presentation: Presentation,
    options: WriterOptions = WriterOptions(), record: CaseRecord | None = None,
) -> dict[str, bytes]:
    """The letter in each of `formats`: every file written, by its name after
    `<case-stem>.` — the format's name for a format of one file ("pdf")."""
    written = write_files(document, formats, presentation, options, record)
    return {name: content for files in written.values() for name, content in files.items()}


def write_format(
    document: tree.Document, format: str, presentation: Presentation,
    options: WriterOptions = WriterOptions(), page: HtmlPage | None = None,
    record: CaseRecord | None = None,
) -> bytes:
    """The letter in one format of one file, as bytes, looking as `presentation` (a
    kit's) says; `page` is the document's `html_page`, when the caller has it already."""
    files = write_files(document, (format,), presentation, options, record, page)[format]
    if len(files) != 1:
        raise ValueError(f"format {format!r} writes {len(files)} files: use write_formats")
    return next(iter(files.values()))


__all__ = ["DEFAULT_FORMATS", "FORMATS", "PDF_ENGINES", "WRITERS", "Files", "Format", "WriterInput", "WriterOptions",
           "file_name", "files_of", "first_file_key", "page_key", "reference_docx", "write_docx", "write_files",
           "write_format", "write_formats", "write_html", "write_pdf", "writer"]
