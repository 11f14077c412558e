"""The raw OOXML the DOCX writer needs and python-docx has no API for.

Kept in this one module, as python-docx keeps its own in `docx.oxml`: fields
(PAGE, NUMPAGES), text runs made in one step, fonts that override the theme's, paragraph borders, picture alt text, list
numbering that restarts, repeating table header rows, emptying the reference
document's body, and saving the package
with a fixed timestamp so that the same letter always gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile

from docx.document import Document
from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
from docx.opc.pkgwriter import _ContentTypesItem
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docx.text.run import Run


def add_field(paragraph: Paragraph, instruction: str, placeholder: str = "1") -> None:
    """Append a field such as `PAGE` or `NUMPAGES`, which Word updates as it lays out."""
    def run_with(*children):
        run = OxmlElement("w:r")
        for child in children:
            run.append(child)
        paragraph._p.append(run)

    def char(kind):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    text = OxmlElement("w:t")
    text.text = placeholder
    run_with(char("begin"))
    run_with(code)
    run_with(char("separate"))
    run_with(text)
    run_with(char("end"))


def set_font(style, name: str) -> None:
    """Give a style the font `name` for all scripts, overriding the theme's fonts.

    python-docx's `font.name` leaves the theme attributes, which Word and LibreOffice
    prefer, so headings would still come out in the theme's sans-serif.
    """
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{script}"), name)
        fonts.attrib.pop(qn(f"w:{script}Theme"), None)
    fonts.attrib.pop(qn("w:cstheme"), None)


def set_box(style) -> None:
    """Draw a thin rule around paragraphs of a style (no API for paragraph borders)."""
    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        border = OxmlElement(f"w:{side}")
        for key, value in (("val", "single"), ("sz", "4"), ("space", "4"), ("color", "555555")):
            border.set(qn(f"w:{key}"), value)
        borders.append(border)
    style.element.get_or_add_pPr().append(borders)


def add_text_run(paragraph: Paragraph, text: str) -> Run:
    """A run holding `text` in one w:t.

    `Paragraph.add_run(text)` looks at each character, to turn tabs and line breaks
    into their elements; the tree's text has none (the reader made them spaces and
    LineBreak nodes), and that per-character pass was a third of the writer's time.
    """
    run = paragraph._p.add_r()
    run.add_t(text)
    return Run(run, paragraph)


def restart_numbering(document: Document, style_name: str, start: int) -> int | None:
    """A fresh Word list for a numbered-list style, counting from `start`; its numId.

    Paragraphs of a style share one list, so a second numbered list would go on
    counting from the first; each list gets its own w:num over the same abstract
    numbering, with a start override. None if the style is not numbered.
    """
    properties = document.styles[style_name].element.pPr
    if properties is None or properties.numPr is None or properties.numPr.numId is None:
        return None
    numbering = document.part.numbering_part.element
    abstract = numbering.num_having_numId(properties.numPr.numId.val).abstractNumId.val
    num = numbering.add_num(abstract)
    num.add_lvlOverride(ilvl=0).add_startOverride(start)
    return num.numId


def set_numbering(paragraph: Paragraph, num_id: int) -> None:
    numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numbering.get_or_add_ilvl().val = 0
    numbering.get_or_add_numId().val = num_id


def set_alt_text(shape, text: str) -> None:
    """The description screen readers announce for a picture (w:docPr/@descr)."""
    shape._inline.docPr.set("descr", text)


def mark_header_row(row) -> None:
    """Repeat a table row at the top of each page, and tell screen readers it is a header."""
    header = OxmlElement("w:tblHeader")
    row._tr.get_or_add_trPr().append(header)


def clear_body(document: Document) -> None:
    """Remove the reference document's sample content, keeping its page setup."""
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


# Every zip entry gets this date: python-docx would stamp the clock, and a fixed
# date lets unchanged parts be compressed once, in advance.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def zip_parts(parts) -> bytes:
    """A zip of these parts (and their relationships), to be completed by `save`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part in parts:
            _write(archive, part.partname, part.blob)
            if len(part.rels):
                _write(archive, part.partname.rels_uri, part.rels.xml)
    return buffer.getvalue()


def save(document: Document, unchanged_zip: bytes, unchanged: set[str]) -> bytes:
    """The package as bytes: `unchanged_zip` (from `zip_parts`, holding the parts named in
    `unchanged`) plus every other part, serialised now.

    The content types and package relationships are written each time, in case the
    letter added a part.
    """
    package = document.part.package
    parts = list(package.iter_parts())
    buffer = io.BytesIO(unchanged_zip)
    buffer.seek(0, io.SEEK_END)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        _write(archive, CONTENT_TYPES_URI, _ContentTypesItem.from_parts(parts).blob)
        _write(archive, PACKAGE_URI.rels_uri, package.rels.xml)
        for part in parts:
            if part.partname not in unchanged:
                _write(archive, part.partname, part.blob)
                if len(part.rels):
                    _write(archive, part.partname.rels_uri, part.rels.xml)
    return buffer.getvalue()


def save_all(document: Document) -> bytes:
    """The whole package, every part serialised now (for building a reference document)."""
    return save(document, zip_parts([]), set())


def _write(archive: zipfile.ZipFile, pack_uri, blob: bytes) -> None:
    entry = zipfile.ZipInfo(pack_uri.membername, date_time=_ZIP_DATE)
    entry.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(entry, blob)
