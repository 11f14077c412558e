"""The three writers, each reading the document tree and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import tree
from ..kits import Kit
from .docx import write_docx
from .html import write_html
from .pdf import write_pdf

FORMATS = ("html", "pdf", "docx")


@dataclass(frozen=True)
class WriterOptions:
    """Choices a writer takes beyond the kit's defaults."""

    pdf_variant: str | None = None  # "pdf/a-2b", "pdf/a-3b" or "pdf/ua-1"; None: plain PDF
    reference_docx: Path | None = None  # Word styles to use instead of the kit's


def write(
    document: tree.Document, format: str, kit: Kit, options: WriterOptions = WriterOptions()
) -> bytes:
    """The letter in one format, as bytes."""
    if format == "html":
        return write_html(document, kit).encode("utf-8")
    if format == "pdf":
        return write_pdf(document, kit, variant=options.pdf_variant)
    if format == "docx":
        return write_docx(document, kit, reference=options.reference_docx)
    raise ValueError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}")


__all__ = ["FORMATS", "WriterOptions", "write", "write_docx", "write_html", "write_pdf"]
