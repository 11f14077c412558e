"""The letter as a reader hears it: its blocks in reading order, without a page.

Plain text and braille lay out the same sequence of `Unit`s, each its own way (a text
line of 72 characters, a braille line of 40 cells): headings, paragraphs, list entries
with their markers, quotations, tables linearised row by row, and the page frame once,
its header first and its footer last, the page numbers left out (a text has no pages).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .. import tree
from . import page_frame
from .base import Writer

BULLET = "•"


@dataclass(frozen=True)
class Unit:
    """One block's words. `lines` are its lines as the letter breaks them (an address);
    `depth` how far lists and quotations indent it; `marker` a list entry's "1." or "•";
    `tight` that it follows the unit before without a blank line (a list's next entry,
    a row's next cell)."""

    role: str  # "frame", "heading", "paragraph", "item", "quote" or "cell"
    lines: tuple[str, ...]
    level: int = 0  # a heading's
    depth: int = 0
    marker: str = ""
    tight: bool = False


def reading_order(document: tree.Document) -> list[Unit]:
    """The letter's units, frame included."""
    frame = page_frame.parts(document.meta)
    header, footer = _without_numbers(frame["running-header"]), _without_numbers(frame["running-footer"])
    return ([Unit("frame", (header,))] if header else []) + _Reader().blocks(document.children) + (
        [Unit("frame", (footer,))] if footer else [])


def _without_numbers(text: str) -> str:
    return " ".join("".join(value for kind, value in page_frame.segments(text) if kind == "text").split())


def _lines(inlines: Iterable[tree.Inline]) -> tuple[str, ...]:
    return tuple(line.strip() for line in tree.plain_text(inlines).split("\n"))


class _Reader(Writer[list[Unit]]):
    """One method per node kind, each returning the units of a block."""

    def __init__(self) -> None:
        self.depth = 0
        self.role = "paragraph"  # what a paragraph is where it stands: in a quotation, a cell

    def blocks(self, nodes: Iterable[tree.Node]) -> list[Unit]:
        return [unit for node in nodes for unit in self.visit(node)]

    def visit_heading(self, node: tree.Heading) -> list[Unit]:
        return [Unit("heading", (" ".join(_lines(node.children)),), level=node.level)]

    def visit_paragraph(self, node: tree.Paragraph) -> list[Unit]:
        lines = tuple(line for line in _lines(node.children) if line)
        return [Unit(self.role, lines, depth=self.depth)] if lines else []

    def _list(self, items: Iterable[tree.ListItem], markers: Iterable[str]) -> list[Unit]:
        units: list[Unit] = []
        self.depth += 1
        for number, (item, marker) in enumerate(zip(items, markers)):
            inner = self.visit(item)
            if inner:  # the marker goes on the entry's first unit; entries follow each other tightly
                inner[0] = Unit("item", inner[0].lines, depth=self.depth, marker=marker, tight=number > 0)
            units += inner
        self.depth -= 1
        return units

    def visit_bullet_list(self, node: tree.BulletList) -> list[Unit]:
        return self._list(node.items, [BULLET] * len(node.items))

    def visit_ordered_list(self, node: tree.OrderedList) -> list[Unit]:
        return self._list(node.items, [f"{node.start + n}." for n in range(len(node.items))])

    def visit_list_item(self, node: tree.ListItem) -> list[Unit]:
        return self.blocks(node.children)

    def visit_block_quote(self, node: tree.BlockQuote) -> list[Unit]:
        role, self.role = self.role, "quote"
        self.depth += 1
        units = self.blocks(node.children)
        self.depth -= 1
        self.role = role
        return units

    def visit_table(self, node: tree.Table) -> list[Unit]:
        return [unit for row in node.head + node.body for unit in self.visit(row)]

    def visit_row(self, node: tree.Row) -> list[Unit]:
        units = [unit for cell in node.cells for unit in self.visit(cell)]
        # A row's cells one under another; a blank line between rows
        return [Unit(u.role, u.lines, u.level, u.depth, u.marker, tight=n > 0 or u.tight) for n, u in enumerate(units)]

    def visit_cell(self, node: tree.Cell) -> list[Unit]:
        role, self.role = self.role, "cell"
        units = self.blocks(node.children)
        self.role = role
        return units

    def visit_div(self, node: tree.Div) -> list[Unit]:
        return self.blocks(node.children)

    def visit_page_break(self, node: tree.PageBreak) -> list[Unit]:
        return []  # a text has no pages; braille makes its own

    def visit_document(self, node: tree.Document) -> list[Unit]:
        return self.blocks(node.children)

    # Inlines are read by their block (tree.plain_text), never visited alone.
    def _inline(self, node: tree.Node) -> list[Unit]:
        raise TypeError(f"{node.kind} outside a block")

    visit_text = visit_emph = visit_strong = visit_span = visit_line_break = visit_image = _inline
