"""Reading letters back with libraries letterkit does not use to write them."""

from __future__ import annotations

import functools
import io
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import docx
import lxml.html
import pypdf
from docx.oxml.ns import qn


def html_text(content: bytes) -> str:
    page = lxml.html.document_fromstring(content)
    return page.body.text_content()


@functools.lru_cache(maxsize=32)  # tests of one module read the same letter's PDF again and again
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


EXTRACT: dict[str, Callable[[bytes], str]] = {"html": html_text, "pdf": pdf_text, "docx": docx_text}


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


# A letter's words as a reader meets them, for comparing what two PDF engines drew. pdftotext
# (poppler) reads each page's text area in drawing order (-raw), and its header and footer
# apart (the page's top and bottom inch), so that neither engine's order of drawing the
# frame, nor where a page breaks a word, decides the comparison. A list's markers ("•",
# "1.") are compared apart from the text: WeasyPrint draws each after its item's words.
LIST_MARKER = re.compile(r"^(•|\d{1,3}\.)$")
FRAME = 72  # points: the frame is drawn in the page's one-inch margins


def pdf_page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = re.search(r"^Pages:\s+(\d+)", info, re.M)
    assert pages, f"pdfinfo tells no page count: {info}"
    return int(pages.group(1))


def pdf_reading(pdf: Path) -> tuple[list[str], list[str], list[list[str]]]:
    """(the text's words in order, the list markers in order, each page's frame words)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
    assert size, f"pdfinfo tells no page size: {info}"
    width, height = (float(n) for n in size.groups())
    pages = pdf_page_count(pdf)

    def area(page: int, top: float, tall: float, raw: bool) -> str:
        return subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), "-x", "0", "-y", str(int(top)), "-W", str(int(width)),
             "-H", str(int(tall)), *(["-raw"] if raw else []), str(pdf), "-"],
            capture_output=True, text=True, check=True).stdout

    text = "\n".join(area(page, FRAME, height - 2 * FRAME, raw=True) for page in range(1, pages + 1))
    found = _unbroken(text)
    frames = [_unbroken(area(page, 0, FRAME, raw=False) + "\n" + area(page, height - FRAME, FRAME, raw=False))
              for page in range(1, pages + 1)]
    return ([w for w in found if not LIST_MARKER.match(w)], [w for w in found if LIST_MARKER.match(w)], frames)


def _unbroken(text: str) -> list[str]:
    """Words, a word broken at a hyphen joined again and hyphens left out (pdftotext drops
    the hyphen of a word it finds broken across lines, and keeps it across pages)."""
    return [word.replace("-", "") for word in words(text) if word.replace("-", "")]
