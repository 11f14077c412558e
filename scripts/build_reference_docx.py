"""Build a kit's reference.docx: the Word styles, page setup, header and footer.

    python scripts/build_reference_docx.py templates/letter/reference.docx

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
from docx.shared import Inches, Pt

from letterkit.writers import docx_ooxml
from letterkit.writers.docx_reference import APPLICATION

FONT = "Liberation Serif"
# Liberation Serif has the metrics of Times New Roman, so a Word without it that takes
# Times New Roman in its place lays the letter out line for line the same.
FONT_LIKE, FONT_PANOSE = "Times New Roman", "02020603050405020304"
LANGUAGE = "en-US"
# The PDF's line height (style.css: `line-height: 1.35`) at each type size the kit uses.
LINE = 1.35


def build(path: str) -> None:
    document = Document()
    _clean_base(document)
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


def _clean_base(document) -> None:
    """python-docx's default template, less what describes some other document."""
    docx_ooxml.clear_body(document)
    docx_ooxml.drop_stale_parts(document)
    docx_ooxml.set_current_settings(document)
    docx_ooxml.set_application(document, APPLICATION)
    docx_ooxml.declare_font(document, FONT, like=FONT_LIKE, panose=FONT_PANOSE, family="roman")
    docx_ooxml.set_default_font(document, FONT)


def _page_setup(document) -> None:
    for section in document.sections:
        section.page_width, section.page_height = Inches(8.5), Inches(11)
        section.left_margin = section.right_margin = Inches(1)
        section.top_margin = section.bottom_margin = Inches(1)
        section.header_distance = section.footer_distance = Inches(0.5)


# A paragraph's space before and after are its CSS margins (in em of its type size):
# between two paragraphs Word, like CSS, leaves the larger of the two, not their sum
# (ECMA-376 Part 1, 17.3.1.33).
AFTER = Pt(8.8)  # p { margin: 0 0 0.8em }


def _base_styles(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    docx_ooxml.set_font(normal, FONT)
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = AFTER
    normal.paragraph_format.widow_control = True  # CSS orphans: 2; widows: 2
    docx_ooxml.set_line_height(normal, 11 * LINE)
    docx_ooxml.set_language(normal, LANGUAGE)
    # Word's theme fonts would override the Normal font in headings and titles.
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Quote", "Header", "Footer"):
        style = styles[name]
        docx_ooxml.set_font(style, FONT)
        style.font.color.rgb = None
    for name in ("Header", "Footer"):  # print.css: 9pt
        _size(styles[name], 9)
    for level in (1, 2, 3):
        heading = styles[f"Heading {level}"]
        heading.font.size = Pt(11)
        heading.font.bold = True
        heading.font.italic = False
        # A heading never ends a page, nor is split (CSS: break-after: avoid).
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.keep_together = True
        # h1: margin 1.4em 0 0.8em; h2: 1.2em 0 0.6em.
        heading.paragraph_format.space_before = Pt(15.4 if level == 1 else 13.2)
        heading.paragraph_format.space_after = AFTER if level == 1 else Pt(6.6)
    styles["Heading 1"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # li > p { margin: 0 0 0.3em }: items a little apart, not Word's run-together list.
    for name in ("List Bullet", "List Bullet 2", "List Bullet 3", "List Number", "List Number 2",
                 "List Number 3"):
        styles[name].paragraph_format.space_after = Pt(3.3)
        docx_ooxml.set_contextual_spacing(styles[name], False)
    # td { padding: 0.2em 0.5em }
    docx_ooxml.set_cell_padding(styles["Table Grid"], vertical=Pt(2.2), horizontal=Pt(5.5))
    quote = styles["Quote"]  # blockquote: margin-left 2em, italic
    quote.font.italic = True
    quote.paragraph_format.left_indent = Pt(22)
    quote.paragraph_format.right_indent = Pt(0)


def _size(style, points: float) -> None:
    """A type size and the line height the PDF gives it."""
    style.font.size = Pt(points)
    docx_ooxml.set_line_height(style, points * LINE)


def _letter_styles(document) -> None:
    """Styles for the classes the kit's blocks use: class `item-title` → "Item Title".

    Each mirrors its rule in style.css (margins in em of its own type size), so that
    Word and the PDF break pages at the same lines.
    """
    styles = document.styles

    def paragraph_style(name, base, **format):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
        for key, value in format.items():
            setattr(style.paragraph_format, key, value)
        return style

    # A disputed item's title, decision and guideline lines stay on one page.
    item_title = paragraph_style("Item Title", "Heading 2", keep_with_next=True)
    item_title.next_paragraph_style = styles["Normal"]
    paragraph_style("Guideline", "Normal", keep_with_next=True, left_indent=Pt(22))
    paragraph_style("Lead In", "Normal", keep_with_next=True)
    paragraph_style("Decision", "Normal", keep_with_next=True)
    _size(paragraph_style("Citation", "Normal", left_indent=Pt(22), space_after=Pt(8)), 10)
    # The cover page and the closing.
    paragraph_style("Letterhead Logo", "Normal", space_after=Pt(6.6))
    _size(paragraph_style("Letterhead", "Normal", space_after=Pt(14.4)), 12)
    paragraph_style("Letter Date", "Normal", space_after=Pt(13.2))
    # After the addressees' table (margin-bottom 1.2em of 10pt), which in Word has none.
    case_information = paragraph_style("Case Information", "Normal", space_before=Pt(12), space_after=Pt(8))
    _size(case_information, 10)
    docx_ooxml.set_box(case_information)
    paragraph_style("Overall Determination", "Normal", space_before=AFTER)
    # The closing keeps with the signature, and the writer keeps the paragraph before
    # it with the closing (CSS: break-before: avoid), so neither stands alone on a page.
    paragraph_style("Closing", "Normal", keep_with_next=True, space_before=Pt(17.6))
    paragraph_style("Signature", "Normal", keep_together=True, space_before=Pt(26.4))
    _size(paragraph_style("Copies", "Normal", space_before=Pt(16), space_after=Pt(8)), 10)
    addressees = styles.add_style("Addressees", WD_STYLE_TYPE.TABLE)
    addressees.base_style = styles["Normal Table"]
    addressees.font.size = Pt(10)
    # The text in table cells: the cell's padding spaces it, not a paragraph's. A table
    # with a class looks first for "<Class> Text" (here the addressees' smaller type).
    paragraph_style("Table Text", "Normal", space_after=Pt(0))
    _size(paragraph_style("Addressees Text", "Table Text"), 10)
    paragraph_style("Credential", "Normal", left_indent=Pt(22), space_after=Pt(3.3))
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


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else "templates/letter/reference.docx")
