"""The document tree: what a composed letter is, before any format exists.

A dozen node kinds, in the manner of pandoc's `Block` and `Inline`. Every writer is
a visitor with one `visit_<kind>` method per node kind (see `letterkit.writers.base`).
`cls` carries a semantic class from the template ("item-title", "guideline"), which
the stylesheet and the reference DOCX give a look. `lang` (a BCP 47 tag, "" for the
letter's own) says what language a span, paragraph, heading or div is in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, Union


class Node:
    """Base of every node; `kind` names the writer method that handles it."""

    kind: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


# Inlines ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Text(Node):
    """Words of the letter. `field` says whose: None for the kit's own words (its blocks,
    macros and guideline passages); for a value a block printed, the path of the case
    field it came from, or "" for a value of no field. Writers show both alike; a kit's
    rules count only the kit's words (`letterkit.rules`)."""

    text: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Emph(Node):
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strong(Node):
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Span(Node):
    children: tuple[Inline, ...]
    cls: str = ""
    lang: str = ""


@dataclass(frozen=True, slots=True)
class LineBreak(Node):
    pass


@dataclass(frozen=True, slots=True)
class Image(Node):
    """A picture, its bytes read at composition (from the kit, or a case's data: URI)."""

    data: bytes = field(repr=False)
    media_type: str  # "image/png" or "image/jpeg"
    alt: str
    width: str = ""  # a CSS length in inches, e.g. "2in"; empty: the picture's own size
    cls: str = ""


Inline = Union[Text, Emph, Strong, Span, LineBreak, Image]


# Blocks ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Heading(Node):
    level: int
    children: tuple[Inline, ...]
    cls: str = ""
    lang: str = ""


@dataclass(frozen=True, slots=True)
class Paragraph(Node):
    children: tuple[Inline, ...]
    cls: str = ""
    lang: str = ""


@dataclass(frozen=True, slots=True)
class ListItem(Node):
    children: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class BulletList(Node):
    items: tuple[ListItem, ...]
    cls: str = ""


@dataclass(frozen=True, slots=True)
class OrderedList(Node):
    items: tuple[ListItem, ...]
    start: int = 1
    cls: str = ""


@dataclass(frozen=True, slots=True)
class BlockQuote(Node):
    children: tuple[Block, ...]
    cls: str = ""


@dataclass(frozen=True, slots=True)
class Cell(Node):
    """A table cell: paragraphs and lists (`CELL_BLOCKS`), as pandoc's cells hold blocks.
    Most cells are one line of text, one paragraph of no class: writers show that as
    the line alone (`line`), without a paragraph around it."""

    children: tuple[Block, ...]
    header: bool = False
    align: str = ""  # "", "left", "center" or "right"

    @property
    def line(self) -> tuple[Inline, ...] | None:
        """The cell's inlines when it is one paragraph of no class or language (or empty); else None."""
        if not self.children:
            return ()
        only = self.children[0]
        if len(self.children) == 1 and isinstance(only, Paragraph) and not only.cls and not only.lang:
            return only.children
        return None


@dataclass(frozen=True, slots=True)
class Row(Node):
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Table(Node):
    head: tuple[Row, ...]
    body: tuple[Row, ...]
    cls: str = ""
    widths: tuple[int, ...] = ()  # each column's share of the text width, in percent; () for automatic


@dataclass(frozen=True, slots=True)
class Div(Node):
    """A group of blocks with a class: a block of the letter, a decision item."""

    children: tuple[Block, ...]
    cls: str = ""
    lang: str = ""


@dataclass(frozen=True, slots=True)
class PageBreak(Node):
    pass


Block = Union[Heading, Paragraph, BulletList, OrderedList, BlockQuote, Table, Div, PageBreak]
# What a table cell may hold; a list item in one holds these too.
CELL_BLOCKS = (Paragraph, BulletList, OrderedList)


# The document ----------------------------------------------------------------------

def frame_value(value: str) -> str:
    """A case's value as a line of the page frame holds it: its braces doubled (as in
    `str.format`), so that only the kit's own `{page}` and `{pages}` are page numbers."""
    return value.replace("{", "{{").replace("}", "}}")


@dataclass(frozen=True, slots=True)
class Meta:
    """What writers put in titles, headers and metadata; set by the kit's letter template."""

    title: str
    language: str = "en-US"
    author: str = ""
    subject: str = ""
    date: date | None = None
    header: str = ""  # running header text, e.g. the case number
    # The rest of the page frame (letterkit.writers.page_frame): "{page}" and "{pages}"
    # stand for the numbers, a case's braces come doubled (`frame_value`); None: not
    # declared (page 1 as the others; no footer).
    footer: str | None = None
    first_page_header: str | None = None
    first_page_footer: str | None = None
    identifier: str = ""  # stable id of the letter, for PDF and DOCX metadata


@dataclass(frozen=True, slots=True)
class Document(Node):
    meta: Meta
    children: tuple[Block, ...] = field(default=())


NODE_KINDS: tuple[type[Node], ...] = (
    Text, Emph, Strong, Span, LineBreak, Image, Heading, Paragraph, ListItem, BulletList,
    OrderedList, BlockQuote, Cell, Row, Table, Div, PageBreak, Document,
)


def child_nodes(node: Node) -> Iterator[Node]:
    """The nodes a node holds, in reading order: its children, list items, table rows
    and cells; none for text, a line break or a picture."""
    for part in _NODE_PARTS[type(node)]:
        yield from getattr(node, part)


# The fields of each kind that hold nodes: read once, not for each of a letter's thousand nodes.
_NODE_PARTS: dict[type, tuple[str, ...]] = {
    kind: tuple(part for part in ("children", "items", "head", "body", "cells")
                if part in getattr(kind, "__dataclass_fields__"))
    for kind in NODE_KINDS
}


def cell_text(cell: Cell) -> str:
    """A cell's text without formatting, a line for each paragraph (a list item's
    indented, as its bullet indents it in every format)."""
    return "\n".join(line for block in cell.children for line in _block_lines(block))


def _block_lines(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        return plain_text(block.children).split("\n")
    assert isinstance(block, (BulletList, OrderedList))  # a cell holds CELL_BLOCKS alone
    return ["    " + line for item in block.items for child in item.children for line in _block_lines(child)]


def plain_text(nodes: Iterable[Inline]) -> str:
    """The text of inline nodes, without formatting."""
    parts = []
    for node in nodes:
        if isinstance(node, Text):
            parts.append(node.text)
        elif isinstance(node, Image):
            continue
        elif isinstance(node, LineBreak):
            parts.append("\n")
        else:
            parts.append(plain_text(node.children))
    return "".join(parts)
