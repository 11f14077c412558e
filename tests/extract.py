"""Reading letters back with libraries letterkit does not use to write them."""

from __future__ import annotations

import io
import re

import docx
import lxml.html
import pypdf
from docx.oxml.ns import qn


def html_text(content: bytes) -> str:
    page = lxml.html.document_fromstring(content)
    return page.body.text_content()


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def docx_text(content: bytes) -> str:
    """Body paragraphs (table cells included) in order, one per line."""
    document = docx.Document(io.BytesIO(content))
    return "\n".join(_docx_paragraph_text(p) for p in document.element.body.iter(qn("w:p")))


def _docx_paragraph_text(paragraph) -> str:
    """Text of a w:p, with a line break (w:br) read as a line break, not as nothing."""
    return "".join(
        (node.text or "") if node.tag == qn("w:t") else "\n"
        for node in paragraph.iter(qn("w:t"), qn("w:br"))
    )


def pdf_body_text(content: bytes) -> str:
    """PDF text without the running header and the page-number footer."""
    furniture = re.compile(r"^(IMR Case \S+( · .*)?|Page \d+ of \d+)$")
    return "\n".join(line for line in pdf_text(content).splitlines() if not furniture.match(line.strip()))


EXTRACT = {"html": html_text, "pdf": pdf_text, "docx": docx_text}


def words(text: str) -> list[str]:
    """Words, with layout gone: a line broken after a hyphen or slash is joined again."""
    text = re.sub(r"([-/])\s+", r"\1", text)
    return text.split()


def in_order(wanted: list[str], found: list[str]) -> tuple[bool, str]:
    """Whether `wanted` occurs in `found` in order (gaps allowed), and where it stopped."""
    position = 0
    for index, word in enumerate(wanted):
        try:
            position = found.index(word, position) + 1
        except ValueError:
            context = " ".join(wanted[max(0, index - 8): index + 8])
            return False, f"word {index} {word!r} not found after position {position}, in: {context}"
    return True, ""
