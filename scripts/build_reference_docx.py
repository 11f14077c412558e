"""Build a kit's reference.docx: the Word styles, page setup, header and footer.

    python scripts/build_reference_docx.py templates/imr/reference.docx

The DOCX writer names styles; this file decides what they look like. Edit the result
in Word to restyle every letter, or change this script and run it again: it gives
the same bytes each time.
"""

from __future__ import annotations

import sys
from datetime import datetime

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt

from letterkit.writers import docx_ooxml

FONT = "Liberation Serif"
LANGUAGE = "en-US"


def build(path: str) -> None:
    document = Document()
    docx_ooxml.clear_body(document)
    _page_setup(document)
    _base_styles(document)
    _letter_styles(document)
    _header_and_footer(document)
    properties = document.core_properties
    properties.title = "letterkit reference document"
    properties.author = "letterkit"
    properties.created = properties.modified = properties.last_printed = datetime(2000, 1, 1)
    properties.revision = 1
    with open(path, "wb") as file:
        file.write(docx_ooxml.save_all(document))


def _page_setup(document) -> None:
    for section in document.sections:
        section.page_width, section.page_height = Inches(8.5), Inches(11)
        section.left_margin = section.right_margin = Inches(1)
        section.top_margin = section.bottom_margin = Inches(1)
        section.header_distance = section.footer_distance = Inches(0.5)


def _base_styles(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    docx_ooxml.set_font(normal, FONT)
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(8)
    normal.paragraph_format.widow_control = True
    _set_language(normal, LANGUAGE)
    # Word's theme fonts would override the Normal font in headings and titles.
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Quote", "Header", "Footer"):
        style = styles[name]
        docx_ooxml.set_font(style, FONT)
        style.font.color.rgb = None
    for level in (1, 2, 3):
        heading = styles[f"Heading {level}"]
        heading.font.size = Pt(11)
        heading.font.bold = True
        heading.font.italic = False
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.space_before = Pt(14 if level == 1 else 10)
        heading.paragraph_format.space_after = Pt(8)
    styles["Heading 1"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    quote = styles["Quote"]
    quote.font.italic = True
    quote.paragraph_format.left_indent = Inches(0.4)
    quote.paragraph_format.right_indent = Inches(0.4)


def _letter_styles(document) -> None:
    """Styles for the classes the kit's blocks use: class `item-title` → "Item Title"."""
    styles = document.styles

    def paragraph_style(name, base, **format):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
        for key, value in format.items():
            setattr(style.paragraph_format, key, value)
        return style

    item_title = paragraph_style("Item Title", "Heading 2", keep_with_next=True)
    item_title.next_paragraph_style = styles["Normal"]
    paragraph_style("Guideline", "Normal", keep_with_next=True, left_indent=Inches(0.4))
    paragraph_style("Lead In", "Normal", keep_with_next=True)
    paragraph_style("Decision", "Normal", keep_with_next=True)
    citation = paragraph_style("Citation", "Normal", left_indent=Inches(0.4))
    citation.font.size = Pt(10)
    # The cover page and the closing.
    paragraph_style("Letterhead Logo", "Normal", space_after=Pt(6))
    letterhead = paragraph_style("Letterhead", "Normal", space_after=Pt(14))
    letterhead.font.size = Pt(12)
    paragraph_style("Letter Date", "Normal", space_after=Pt(14))
    case_information = paragraph_style("Case Information", "Normal", space_before=Pt(12), space_after=Pt(12))
    case_information.font.size = Pt(10)
    docx_ooxml.set_box(case_information)
    paragraph_style("Overall Determination", "Normal", space_before=Pt(8))
    paragraph_style("Closing", "Normal", keep_with_next=True, space_before=Pt(16))
    paragraph_style("Signature", "Normal", space_before=Pt(28))
    copies = paragraph_style("Copies", "Normal", space_before=Pt(16))
    copies.font.size = Pt(10)
    addressees = styles.add_style("Addressees", WD_STYLE_TYPE.TABLE)
    addressees.base_style = styles["Normal Table"]
    addressees.font.size = Pt(10)
    # The text in table cells: the cell's padding spaces it, not a paragraph's. A table
    # with a class looks first for "<Class> Text" (here the addressees' smaller type).
    paragraph_style("Table Text", "Normal", space_after=Pt(0))
    paragraph_style("Addressees Text", "Table Text").font.size = Pt(10)
    paragraph_style("Credential", "Normal", left_indent=Inches(0.4), space_after=Pt(3))
    paragraph_style("Preformatted", "Normal")


def _header_and_footer(document) -> None:
    section = document.sections[0]
    # Page 1 is the cover letter: its header stays empty; the writer fills the others.
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.style = document.styles["Header"]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for footer in (section.footer, section.first_page_footer):
        _page_x_of_y(footer.paragraphs[0], document.styles["Footer"])


def _page_x_of_y(paragraph, style) -> None:
    paragraph.style = style
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Page ")
    docx_ooxml.add_field(paragraph, "PAGE")
    paragraph.add_run(" of ")
    docx_ooxml.add_field(paragraph, "NUMPAGES")


def _set_language(style, language: str) -> None:
    run_properties = style.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), language)
    run_properties.append(lang)


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else "templates/imr/reference.docx")
