"""The three writers, each reading the document tree and nothing else."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

from .. import tree
from ..errors import RenderError
from ..presentation import Presentation
from .docx import write_docx
from .html import HtmlPage, html_page, write_html
from .pdf import write_pdf
from .pdf_archival import ARCHIVAL_ALIASES, CaseRecord

if TYPE_CHECKING:
    from ..seal import SealKey

FORMATS = ("html", "pdf", "docx")


@dataclass(frozen=True)
class WriterOptions:
    """Choices a writer takes beyond the kit's defaults."""

    pdf_variant: str | None = None  # "pdf/a-2b", "pdf/a-3b" or "pdf/ua-1"; None: plain PDF
    reference_docx: Path | None = None  # Word styles to use instead of the kit's
    seal: "SealKey | None" = None  # sign the PDF (PAdES) and the DOCX (a .p7s beside it) with this key

    @property
    def archival(self) -> bool:
        """Whether the PDF is to be PDF/A-3 and PDF/UA-1 at once, with its case inside."""
        return self.pdf_variant in ARCHIVAL_ALIASES


def write_formats(
    document: tree.Document, formats: Iterable[str], presentation: Presentation,
    options: WriterOptions = WriterOptions(), record: CaseRecord | None = None,
) -> dict[str, bytes]:
    """The letter in each of `formats`, keyed by format; the HTML file and the PDF
    share one serialisation of the page. An archival PDF carries `record` inside."""
    formats = tuple(formats)
    page = html_page(document) if {"html", "pdf"} & set(formats) else None
    return {format: write_format(document, format, presentation, options, page, record) for format in formats}


def write_format(
    document: tree.Document, format: str, presentation: Presentation,
    options: WriterOptions = WriterOptions(), page: HtmlPage | None = None,
    record: CaseRecord | None = None,
) -> bytes:
    """The letter in one format, as bytes, looking as `presentation` (a kit's) says;
    `page` is the document's `html_page`, when the caller has it already."""
    if format == "html":
        return (page or html_page(document)).standalone(presentation.css).encode("utf-8")
    if format == "pdf":
        return write_pdf(document, presentation, variant=options.pdf_variant, page=page, record=record)
    if format == "docx":
        return write_docx(document, reference_docx(presentation, options))
    raise ValueError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}")


__all__ = ["FORMATS", "WriterOptions", "write_docx", "write_format", "write_formats", "write_html", "write_pdf"]


def reference_docx(presentation: Presentation, options: WriterOptions) -> bytes:
    """The reference DOCX a letter takes its Word styles from: the options', else the kit's."""
    if options.reference_docx is None:
        return presentation.reference_docx
    try:
        return Path(options.reference_docx).read_bytes()
    except OSError as error:
        raise RenderError(f"cannot read reference DOCX {options.reference_docx}: {error.strerror}") from None
