"""Document tree → DOCX, styled by the kit's reference document.

Like pandoc's `--reference-doc`: the writer only names styles ("Heading 1", "Quote",
"Item Title" for the class `item-title`); `reference.docx` says what they look like,
and holds the page setup, header and footer. The writer never sets fonts or sizes.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from datetime import datetime, time
from itertools import zip_longest

from docx.enum.text import WD_BREAK
from docx.shared import Inches, Pt

from .. import tree
from ..errors import RenderError
from . import docx_ooxml
from .base import Writer
from .docx_reference import reference_document

# Stamped on a letter without a date, so its bytes still never depend on the clock.
_EPOCH = datetime(2000, 1, 1)
# For sharing a table's width between its columns: about what a character of 11pt serif
# text takes, and a cell's padding in characters.
_CHARACTER = Pt(5.5)
_CELL_PADDING = 3
# Paragraph styles that keep the paragraph before them on their page, as CSS's
# `break-before: avoid` does in the PDF: Word has only keep-with-next, a property of
# the paragraph before, so the writer sets it there. A letter's closing never
# stands alone on a page with the signature.
_KEEP_WITH_PREVIOUS = {"Closing"}


def write_docx(document: tree.Document, reference: bytes) -> bytes:
    """The letter as DOCX bytes; the same document always gives the same bytes.

    `reference` is a .docx (the kit's `reference.docx`, or one given in its place)
    whose styles, page setup, header and footer the letter takes.
    """
    template = reference_document(reference)
    docx = template.fresh()
    try:
        _fill_header(docx, document.meta.header)
        DocxWriter(docx, template.style_ids).write(document.children)
    except ValueError as error:  # lxml refuses characters XML cannot hold
        raise RenderError(f"the letter has text a DOCX cannot hold ({error}); "
                          "validate the case data first") from None
    when = datetime.combine(document.meta.date, time()) if document.meta.date else _EPOCH
    _set_properties(docx, document.meta, when)
    return docx_ooxml.save(docx, template.unchanged_zip, template.unchanged)


def _fill_header(docx, text: str) -> None:
    for section in docx.sections:
        paragraphs = section.header.paragraphs
        if paragraphs:
            paragraphs[0].text = text


def _set_properties(docx, meta: tree.Meta, when: datetime) -> None:
    properties = docx.core_properties
    # Word allows 255 characters in a core property; the letter itself holds the whole text.
    properties.title = _property(meta.title)
    properties.author = _property(meta.author)
    properties.subject = _property(meta.subject)
    properties.language = _property(meta.language)
    properties.identifier = _property(meta.identifier)
    properties.last_modified_by = _property(meta.author)
    properties.created = when
    properties.modified = when
    properties.last_printed = when
    properties.revision = 1


def _property(text: str) -> str:
    return text if len(text) <= 255 else text[:254] + "…"


def style_name(cls: str) -> str:
    """The Word style for a class: `item-title` → "Item Title"."""
    return cls.replace("-", " ").replace("_", " ").title()


class DocxWriter(Writer):
    """Appends the tree to a python-docx document, paragraph by paragraph."""

    def __init__(self, docx, style_ids: dict[str, str | None]):
        self.docx = docx
        self.style_ids = style_ids
        self.container = docx  # where blocks go: the body, or a table cell
        self.paragraph = None  # where inlines go
        self.run_format = {"bold": None, "italic": None}
        self.block_style: str | None = None  # set inside block quotes and lists
        self.list_depth = 0
        self.div_cls = ""
        self.num_id: int | None = None  # the Word list that numbered paragraphs belong to
        self.styles = set(style_ids)
        self.break_pending = False  # a page break waiting for the paragraph it goes before

    def write(self, blocks) -> None:
        self.visit_all(blocks)
        self._flush_page_break()

    def style(self, cls: str, default: str) -> str:
        wanted = style_name(cls) if cls else default
        return wanted if wanted in self.styles else default

    # Inlines
    def visit_text(self, node: tree.Text) -> None:
        run = docx_ooxml.add_text_run(self.paragraph, node.text)
        # Set only what is on: setting a property to None still adds an empty w:rPr.
        if self.run_format["bold"]:
            run.bold = True
        if self.run_format["italic"]:
            run.italic = True

    @contextmanager
    def _formatted(self, **settings):
        saved = dict(self.run_format)
        self.run_format.update(settings)
        yield
        self.run_format = saved

    def visit_emph(self, node: tree.Emph) -> None:
        with self._formatted(italic=True):
            self.visit_all(node.children)

    def visit_strong(self, node: tree.Strong) -> None:
        with self._formatted(bold=True):
            self.visit_all(node.children)

    def visit_span(self, node: tree.Span) -> None:
        self.visit_all(node.children)

    def visit_line_break(self, node: tree.LineBreak) -> None:
        self.paragraph.add_run().add_break()

    def visit_image(self, node: tree.Image) -> None:
        width = Inches(float(node.width.removesuffix("in"))) if node.width.endswith("in") else None
        shape = self.paragraph.add_run().add_picture(io.BytesIO(node.data), width=width)
        docx_ooxml.set_alt_text(shape, node.alt)

    # Blocks
    def _paragraph(self, children, style: str) -> None:
        if style in _KEEP_WITH_PREVIOUS:
            self._keep_previous_with_next()
        self.paragraph = self.container.add_paragraph()
        self.paragraph._p.style = self.style_ids[style]
        if self.break_pending:
            self.paragraph.paragraph_format.page_break_before = True
            self.break_pending = False
        if self.num_id is not None and style == self.block_style:
            docx_ooxml.set_numbering(self.paragraph, self.num_id)
        self.visit_all(children)

    def visit_heading(self, node: tree.Heading) -> None:
        self._paragraph(node.children, self.style(node.cls, f"Heading {min(node.level, 9)}"))

    def visit_paragraph(self, node: tree.Paragraph) -> None:
        default = self.block_style or "Normal"
        self._paragraph(node.children, self.style(node.cls or self.div_cls, default))

    @contextmanager
    def _within(self, block_style: str):
        saved = self.block_style
        self.block_style = block_style
        yield
        self.block_style = saved

    def _list(self, items, base: str, start: int | None = None) -> None:
        self.list_depth += 1
        name = base if self.list_depth == 1 else f"{base} {min(self.list_depth, 3)}"
        name = name if name in self.styles else base
        saved = self.num_id
        self.num_id = docx_ooxml.restart_numbering(self.docx, name, start) if start else None
        with self._within(name):
            self.visit_all(items)
        self.num_id = saved
        self.list_depth -= 1

    def visit_list_item(self, node: tree.ListItem) -> None:
        self.visit_all(node.children)

    def visit_bullet_list(self, node: tree.BulletList) -> None:
        self._list(node.items, "List Bullet")

    def visit_ordered_list(self, node: tree.OrderedList) -> None:
        self._list(node.items, "List Number", start=node.start)

    def visit_block_quote(self, node: tree.BlockQuote) -> None:
        # A quotation stays on the page of the line that introduces it, as in the PDF.
        self._keep_previous_with_next()
        with self._within(self.style(node.cls, "Quote")):
            self.visit_all(node.children)

    def _keep_previous_with_next(self) -> None:
        if self.paragraph is not None:
            self.paragraph.paragraph_format.keep_with_next = True

    def visit_table(self, node: tree.Table) -> None:
        self._flush_page_break()
        rows = (*node.head, *node.body)
        columns = max((len(row.cells) for row in rows), default=0)
        table = self.container.add_table(rows=len(rows), cols=columns)
        cls = node.cls or self.div_cls
        # A reference without "Table Grid" leaves the table in its default table style.
        table._tbl.tblStyle_val = self.style_ids.get(self.style(cls, "Table Grid"))
        self._size_columns(table, rows)
        # Cell text takes "<Class> Text" (e.g. "Addressees Text"), else "Table Text".
        text_style = self.style(f"{cls} text" if cls else "", "Table Text")
        text_style = text_style if text_style in self.styles else "Normal"
        for docx_row in table.rows[:len(node.head)]:
            docx_ooxml.mark_header_row(docx_row)
        for row, docx_row in zip(rows, table.rows):
            for cell, docx_cell in zip(row.cells, docx_row.cells):
                self.paragraph = docx_cell.paragraphs[0]
                self.paragraph._p.style = self.style_ids[text_style]
                with self._formatted(bold=True if cell.header else None):
                    self.visit_all(cell.children)

    def _size_columns(self, table, rows: tuple[tree.Row, ...]) -> None:
        section = self.docx.sections[-1]
        text_width = section.page_width - section.left_margin - section.right_margin
        texts = [[tree.plain_text(cell.children) for cell in row.cells] for row in rows]
        for column, width in zip(table.columns, column_widths(texts, text_width)):
            column.width = width
            for cell in column.cells:
                cell.width = width

    def visit_row(self, node: tree.Row) -> None:
        raise AssertionError("rows are written by visit_table")

    def visit_cell(self, node: tree.Cell) -> None:
        raise AssertionError("cells are written by visit_table")

    def visit_div(self, node: tree.Div) -> None:
        # A div's class styles the paragraphs and tables in it that have none of their own.
        saved, self.div_cls = self.div_cls, node.cls or self.div_cls
        self.visit_all(node.children)
        self.div_cls = saved

    def visit_page_break(self, node: tree.PageBreak) -> None:
        # "Page break before" on the next paragraph, not a paragraph holding a break: that
        # paragraph takes a line of its own, and when it does not fit at the foot of a
        # page it moves to the next one and breaks there, leaving a blank page.
        self.break_pending = True

    def _flush_page_break(self) -> None:
        """A break that no paragraph follows (a table, or the end): a paragraph holds it."""
        if self.break_pending:
            self.break_pending = False
            self.container.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def visit_document(self, node: tree.Document) -> None:
        self.visit_all(node.children)


def column_widths(rows: list[list[str]], total: int) -> list[int]:
    """Share `total` between a table's columns as a browser's automatic table layout
    does: each column gets at least its longest word, and what is left goes to the
    columns in proportion to how much more their longest line wants.

    python-docx makes every column equally wide, which wraps a long item's name into
    a narrow half-width column while a one-word column wastes the other half.
    """
    columns = list(zip_longest(*rows, fillvalue="")) or [()]  # rows may differ in length
    lines = [[line for text in column for line in text.split("\n")] or [""] for column in columns]
    widest = [max(len(line) for line in column) + _CELL_PADDING for column in lines]
    narrowest = [max((len(word) for line in column for word in line.split()), default=0) + _CELL_PADDING
                 for column in lines]
    available = total / _CHARACTER
    if sum(widest) <= available:
        shares = widest
    else:
        spare = max(available - sum(narrowest), 0)
        wants = [wide - narrow for wide, narrow in zip(widest, narrowest)]
        shares = [narrow + spare * want / (sum(wants) or 1) for narrow, want in zip(narrowest, wants)]
    return [int(total * share / sum(shares)) for share in shares]
