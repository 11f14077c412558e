"""The PDF → one PNG picture per page, for review queues and web portals.

PDFium (Chrome's PDF renderer, through pypdfium2) draws each page of the letter's PDF
at the resolution asked (`WriterOptions.dpi`); Pillow writes the PNG, which says its
resolution (pHYs), so a viewer shows the page at its printed size.
"""

from __future__ import annotations

import io
import threading

import pypdfium2

from .format import Files, Format, WriterInput
from .naming import page_key

POINTS_PER_INCH = 72
_PDFIUM = threading.Lock()  # PDFium is not safe on several threads at once


def page_images(pdf: bytes, dpi: int) -> list[bytes]:
    """Each page of `pdf` as PNG bytes, `dpi` pixels to the inch."""
    pictures = []
    with _PDFIUM:
        document = pypdfium2.PdfDocument(pdf)
        try:
            for index in range(len(document)):
                page = document[index]
                bitmap = page.render(scale=dpi / POINTS_PER_INCH)
                picture = io.BytesIO()
                bitmap.to_pil().save(picture, "PNG", dpi=(dpi, dpi))
                pictures.append(picture.getvalue())
                bitmap.close()
                page.close()
        finally:
            document.close()
    return pictures


def _write_files(letter: WriterInput) -> Files:
    pictures = page_images(letter.written["pdf"]["pdf"], letter.options.dpi)
    return {page_key(number, "png"): picture for number, picture in enumerate(pictures, 1)}


FORMAT = Format("png", "png", _write_files, "a PNG picture of each page of the PDF, <case>-<page>.png (--dpi)",
                needs=("pdf",), per_page=True)
