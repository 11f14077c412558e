"""The three writers, each reading the document tree and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import tree
from ..errors import RenderError
from ..presentation import Presentation
from .docx import write_docx
from .html import write_html
from .pdf import write_pdf

FORMATS = ("html", "pdf", "docx")


@dataclass(frozen=True)
class WriterOptions:
    """Choices a writer takes beyond the kit's defaults."""

    pdf_variant: str | None = None  # "pdf/a-2b", "pdf/a-3b" or "pdf/ua-1"; None: plain PDF
    reference_docx: Path | None = None  # Word styles to use instead of the kit's


def write_format(
    document: tree.Document, format: str, presentation: Presentation,
    options: WriterOptions = WriterOptions(),
) -> bytes:
    """The letter in one format, as bytes, looking as `presentation` (a kit's) says."""
    if format == "html":
        return write_html(document, presentation).encode("utf-8")
    if format == "pdf":
        return write_pdf(document, presentation, variant=options.pdf_variant)
    if format == "docx":
        return write_docx(document, reference_docx(presentation, options))
    raise ValueError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}")


__all__ = ["FORMATS", "WriterOptions", "write_docx", "write_format", "write_html", "write_pdf"]


def reference_docx(presentation: Presentation, options: WriterOptions) -> bytes:
    """The reference DOCX a letter takes its Word styles from: the options', else the kit's."""
    if options.reference_docx is None:
        return presentation.reference_docx
    try:
        return Path(options.reference_docx).read_bytes()
    except OSError as error:
        raise RenderError(f"cannot read reference DOCX {options.reference_docx}: {error.strerror}") from None
