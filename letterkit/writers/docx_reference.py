"""The reference document, parsed once and reused letter after letter.

Opening a .docx means unzipping and parsing every part; saving one means
serialising every part again. A letter only changes the body, the running header,
the list numbering and the core properties, so the reference is parsed once per
thread, reset before each letter, and the parts a letter never touches (styles,
theme, settings, fonts, footers) are saved from bytes serialised once. The body is
never in the parsed document: the writer makes it as XML text, which goes between
the two halves of the emptied document.xml (`document_xml`).

Whatever reference a letter takes its styles from, the letter's docProps/app.xml
says letterkit made it.
"""

from __future__ import annotations

import threading
import zipfile
from datetime import datetime
from importlib import metadata

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Inches

from ..errors import RenderError
from . import docx_measure, docx_ooxml
from .docx_formatting import StyleChain
from .docx_measure import TextMeasure
from .docx_styles import open_reference

try:
    APPLICATION = f"letterkit {metadata.version('letterkit')}"
except metadata.PackageNotFoundError:  # running from a checkout that was never installed
    APPLICATION = "letterkit"

_local = threading.local()  # python-docx documents are not safe to share between threads


class ReferenceDocument:
    def __init__(self, blob: bytes, framed: bool = False):
        """`framed`: the letter writes the page frame (page_frame) into header and footer
        parts of its own, first page apart, rather than taking the reference's."""
        self.docx = open_reference(blob)
        docx_ooxml.set_application(self.docx, APPLICATION)
        docx_ooxml.clear_body(self.docx)
        self._numbering = self.docx.part.numbering_part.element
        self._lists = len(self._numbering.num_lst)
        # Style ids by name, looked up once: python-docx scans every style for each
        # paragraph or table given a style. A default style is left unnamed, as it does.
        defaults = [self.docx.styles.default(kind) for kind in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.TABLE)]
        self.style_ids = {style.name: (None if style in defaults else style.style_id)
                          for style in self.docx.styles}
        self.numbered_styles = docx_ooxml.numbered_styles(self.docx)
        self._style_chain = StyleChain(self.docx.styles.element)  # what a table's text is measured in
        self._table_measures: dict[tuple[str | None, str | None], TextMeasure] = {}
        sections = self.docx.sections
        # A document without page setup, or a section without a size or margins (valid
        # OOXML), is on Word's default page: Letter, 1-inch margins.
        last = sections[-1] if len(sections) else None
        self.text_width = ((last.page_width or Inches(8.5)) - _or_inch(last.left_margin) - _or_inch(last.right_margin)
                           if last else Inches(6.5))
        self.header_paragraphs = [paragraphs[0] for section in sections
                                  if (paragraphs := section.header.paragraphs)]
        changing = {self.docx.part.partname, self.docx.part.numbering_part.partname,
                    "/docProps/core.xml"}
        changing |= {section.header.part.partname for section in self.docx.sections}
        # page_frame part name → the w:hdr / w:ftr elements
        self.frame_parts: dict[str, list[BaseOxmlElement]] = {}
        if framed:
            for section in sections:
                section.different_first_page_header_footer = True
                for name, part in (("running-header", section.header),
                                   ("first-page-header", section.first_page_header),
                                   ("running-footer", section.footer),
                                   ("first-page-footer", section.first_page_footer)):
                    part.is_linked_to_previous = False  # a part of its own, made when the reference has none
                    self.frame_parts.setdefault(name, []).append(part.part.element)
                    changing.add(part.part.partname)
        unchanged = [part for part in self.docx.part.package.iter_parts() if part.partname not in changing]
        self.unchanged_zip = docx_ooxml.zip_parts(unchanged)
        self.unchanged = {part.partname for part in unchanged}
        self.package_xml = docx_ooxml.PackageXml()
        # What a letter's pictures add: relationships of the document, image parts.
        self._relationships = set(self.docx.part.rels)
        self._images = list(self.docx.part.package.image_parts)
        self.first_shape_id = self.docx.part.next_id  # python-docx numbers pictures from here
        self.picture_namespaces = docx_ooxml.picture_namespaces(self.docx)
        self._core_properties: tuple[tuple[str, ...], tuple[str, list]] | None = None
        self._document_xml = docx_ooxml.body_xml(self.docx)  # last: reading headers may add to it

    def fresh(self) -> Document:
        """The document as the reference left it: only the reference's lists and pictures."""
        for added in self._numbering.num_lst[self._lists:]:
            self._numbering.remove(added)
        relationships = self.docx.part.rels
        for rId in [rId for rId in relationships if rId not in self._relationships]:
            del relationships[rId]
        # python-docx names a new picture after the pictures it knows (image1.png...):
        # forget the last letter's, so that a letter's bytes never depend on another.
        self.docx.part.package.image_parts._image_parts[:] = self._images
        return self.docx

    def table_measure(self, table_style: str | None, text_style: str | None) -> TextMeasure:
        """How the text of a table in these styles (ids; None: the default) is measured,
        worked out once: the styles are the reference's, the same for every letter."""
        key = (table_style, text_style)
        if key not in self._table_measures:
            self._table_measures[key] = docx_measure.table_text(self._style_chain, *key)
        return self._table_measures[key]

    def core_properties_xml(self, values: dict[str, str | datetime | int]) -> dict[str, bytes]:
        """{part name: docProps/core.xml} with these core properties (python-docx's names),
        as python-docx writes it: it looked up each element and formatted each date for
        every letter; here they are set once, to marks, and a letter's values are put
        where the marks are."""
        if self._core_properties is None or self._core_properties[0] != tuple(values):
            self._core_properties = tuple(values), _marked_core_properties(self.docx, values)
        partname, pieces = self._core_properties[1]
        xml = [pieces[0]]
        for name, text in pieces[1:]:
            value = values[name]
            xml += (docx_ooxml.text(value) if isinstance(value, str) else
                    value.strftime(_W3CDTF) if isinstance(value, datetime) else str(value), text)
        return {partname: "".join(xml).encode("utf-8")}

    def document_xml(self, body: str) -> bytes:
        """document.xml with `body` (XML text of w:p and w:tbl elements) as its body's content."""
        before, after = self._document_xml
        return before + body.encode("utf-8") + after


def reference_document(blob: bytes, framed: bool = False) -> ReferenceDocument:
    """This thread's parsed copy of a reference (keyed by its bytes, so a changed file is a new one)."""
    cache = getattr(_local, "references", None)
    if cache is None:
        cache = _local.references = {}
    if (blob, framed) not in cache:
        if len(cache) >= 4:  # a long-running process given one reference after another
            cache.clear()
        try:
            cache[blob, framed] = ReferenceDocument(blob, framed)
        except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as error:
            raise RenderError(f"the reference DOCX is not a Word document ({error})") from None
    return cache[blob, framed]


_W3CDTF = "%Y-%m-%dT%H:%M:%SZ"  # how python-docx writes a core property's date


def _marked_core_properties(docx: Document, values: dict[str, str | datetime | int]) -> tuple[str, list]:
    """The name of the document's core properties part, and its XML cut at each property
    of `values`, set to a mark: [text, (name, text), (name, text)...]."""
    marks = {name: (f"\ue000{name}\ue000" if isinstance(value, str) else  # a private-use character
                    datetime(1234, 5, 6, 7, 8, number) if isinstance(value, datetime) else 1_234_567_000 + number)
             for number, (name, value) in enumerate(values.items())}
    properties = docx.core_properties
    for name, mark in marks.items():
        setattr(properties, name, mark)
    part = docx.part.package.part_related_by(RT.CORE_PROPERTIES)
    xml = part.blob.decode("utf-8")
    found = sorted((xml.index(text), name, text) for name, mark in marks.items()
                   if xml.count(text := mark.strftime(_W3CDTF) if isinstance(mark, datetime) else str(mark)) == 1)
    if len(found) < len(marks):
        raise RenderError("the reference DOCX's core properties cannot be set: one of them is written twice")
    pieces: list = [xml[:found[0][0]]]
    for (start, name, text), after in zip(found, [*found[1:], (len(xml), "", "")]):
        pieces.append((name, xml[start + len(text):after[0]]))
    return part.partname, pieces


def _or_inch(margin: int | None) -> int:
    return Inches(1) if margin is None else margin
