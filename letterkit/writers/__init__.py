"""The three writers, each reading the document tree and nothing else."""

from __future__ import annotations

from .. import tree
from ..kits import Kit
from .docx import write_docx
from .html import write_html
from .pdf import write_pdf

FORMATS = ("html", "pdf", "docx")


def write(document: tree.Document, format: str, kit: Kit) -> bytes:
    """The letter in one format, as bytes."""
    if format == "html":
        return write_html(document, kit).encode("utf-8")
    if format == "pdf":
        return write_pdf(document, kit)
    if format == "docx":
        return write_docx(document, kit)
    raise ValueError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}")


__all__ = ["FORMATS", "write", "write_docx", "write_html", "write_pdf"]
