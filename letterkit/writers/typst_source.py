"""Document tree → typst source and the data it shows.

The writer is a visitor, as every writer is: one `visit_<kind>` per node kind, each
returning typst code for its node (an expression in code mode that makes content).
A letter's words are never part of that code. Each text — of a case field or of the
kit, in the body, a table cell, a picture's description or the page frame — goes through
one function, `TypstWriter.value`, which files it in the letter's data and gives back
`v(N)`, a look-up in that data. The data reaches typst as JSON in `sys.inputs` and is
read with `json`: `#`, `$`, `*`, `_`, `@`, `<`, `]`, `\\` and `//` in a value are
characters of a string, shown as typed, never markup.

Styles are chosen as the DOCX writer chooses them, so that the two read the kit's Word
styles alike: a node's class names its style ("item-title" → "Item Title"), else its
div's class, else the style of where it is (a list, a quotation), else "Normal".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import tree
from . import page_frame
from .base import Writer
from .docx import KEEP_WITH_PREVIOUS
from .docx_styles import style_name
from .typst_look import TypstLook

# CSS's `white-space: normal`: a run of spaces, tabs and line ends shows as one space,
# in the HTML page and in WeasyPrint's PDF alike; typst would break the line at "\n".
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")
_LANGUAGE = re.compile(r"^([a-z]{2,3})(?:-[A-Za-z]{4})?(?:-([A-Z]{2}|[0-9]{3}))?(?:-.*)?$")
_INCHES = re.compile(r"^([0-9]{1,3}(?:\.[0-9]{1,4})?)in$")
# The letter kit's print.css: with no frame declared, page 1 has no header, and every page
# "Page N of M" at its foot.
UNFRAMED_FOOTER = "Page {page} of {pages}"
_ENGLISH = 'lang: "en"'  # a letter whose language typst cannot take is laid out as English


@dataclass
class Letter:
    """A letter as typst: its source, and the data the source shows (`sys.inputs`)."""

    source: str
    values: list[str] = field(default_factory=list)
    pictures: list[list[int]] = field(default_factory=list)

    def inputs(self) -> dict[str, str]:
        return {"letter": json.dumps({"values": self.values, "pictures": self.pictures},
                                     ensure_ascii=False, separators=(",", ":"))}


def typst_letter(document: tree.Document, look: TypstLook) -> Letter:
    """The letter's typst source, in the kit's look, and its data."""
    writer = TypstWriter(look)
    meta = document.meta
    body = writer.visit(document)
    settings = [
        f"#set document(title: {writer.value(meta.title)}"
        + (f", author: {writer.value(meta.author)}" if meta.author else "")
        + (f", description: {writer.value(meta.subject)}" if meta.subject else "")
        + (f", date: datetime(year: {meta.date.year}, month: {meta.date.month}, day: {meta.date.day})"
           if meta.date else "") + ")",
        f"#set text({language_arguments(meta.language) or _ENGLISH})",
        writer.frame(meta),
    ]
    source = "\n".join([_DATA, look.rules, *settings, f"#{{\n{body}\n}}\n"])
    return Letter(source, writer.values, writer.pictures)


def language_arguments(tag: str) -> str:
    """`lang: "es"` (and `region: "US"`) for a BCP 47 tag, or "" for one typst cannot take."""
    match = _LANGUAGE.match(tag or "")
    if not match:
        return ""
    return f'lang: "{match.group(1)}"' + (f', region: "{match.group(2)}"' if match.group(2) else "")


# The letter's data, read once; `v(N)` is its Nth text.
_DATA = """#let lk-data = json(bytes(sys.inputs.letter))
#let v(index) = lk-data.values.at(index)
#let lk-picture(index) = bytes(lk-data.pictures.at(index))"""


def _join(parts: Iterable[str]) -> str:
    """Code joining the content of `parts`, in order."""
    parts = list(parts)
    if not parts:
        return "[]"
    return parts[0] if len(parts) == 1 else "(" + ", ".join(parts) + ",).join()"


@dataclass(frozen=True)
class _Scope:
    div_style: str = ""  # a div's class's style, for the paragraphs in it without one
    div_class: str = ""  # a div's class, for the tables in it without one ("addressees")
    block_style: str = "Normal"  # inside a list or quotation, its style
    keep: bool = False  # the block is to stay on the page of the one after it


class TypstWriter(Writer):
    """One method per node kind, each returning the typst code of its node."""

    def __init__(self, look: TypstLook):
        self.look = look
        self.values: list[str] = []
        self.pictures: list[list[int]] = []
        self._picture_index: dict[bytes, int] = {}
        self.scope = _Scope()

    def value(self, text: str) -> str:
        """The one way a text reaches the document: filed as data, `v(N)` in the code."""
        self.values.append(_WHITESPACE.sub(" ", text))
        return f"v({len(self.values) - 1})"

    def style(self, cls: str, default: str) -> str:
        wanted = style_name(cls) if cls else default
        return wanted if wanted in self.look.styles else default

    def inlines(self, nodes) -> str:
        return _join(self.visit_all(nodes))

    def blocks(self, nodes) -> str:
        """The blocks' code; one that the next must not be parted from keeps with it, as
        the stylesheet (`break-before: avoid`) and the DOCX writer keep it."""
        nodes = list(nodes)
        return _join(self.within(lambda: self.visit(node), keep=self._kept_by(after))
                     for node, after in zip(nodes, [*nodes[1:], None]))

    def _kept_by(self, after) -> bool:
        return isinstance(after, tree.BlockQuote) or (
            isinstance(after, tree.Paragraph) and self.style(after.cls, "") in KEEP_WITH_PREVIOUS)

    def in_language(self, lang: str, code: str) -> str:
        arguments = language_arguments(lang)
        return f"text({arguments}, {code})" if arguments else code

    def within(self, code_of, **changes) -> str:
        outer = self.scope
        self.scope = _Scope(**{**outer.__dict__, **changes})
        try:
            return code_of()
        finally:
            self.scope = outer

    def frame(self, meta: tree.Meta) -> str:
        """The page's header and footer: each part's text as data, its numbers counted by typst."""
        if page_frame.framed(meta):
            parts = page_frame.parts(meta)
        else:
            parts = {"running-header": meta.header, "first-page-header": "",
                     "running-footer": UNFRAMED_FOOTER, "first-page-footer": UNFRAMED_FOOTER}

        def code(text: str) -> str:
            return _join(self.value(words) if kind == "text" else ("lk-page" if words == "PAGE" else "lk-pages")
                         for kind, words in page_frame.segments(text))

        header, footer = (f'lk-look("{"Header" if where == "header" else "Footer"}")' for where in ("header", "footer"))
        return (f"#set page(header: context if here().page() == 1 {{ lk-frame({header}, right, "
                f"{code(parts['first-page-header'])}) }} else {{ lk-frame({header}, right, {code(parts['running-header'])}) }},\n"
                f"  footer: context if here().page() == 1 {{ lk-frame({footer}, center, {code(parts['first-page-footer'])}) }} "
                f"else {{ lk-frame({footer}, center, {code(parts['running-footer'])}) }})")

    # Inlines
    def visit_text(self, node: tree.Text) -> str:
        return self.value(node.text)

    def visit_emph(self, node: tree.Emph) -> str:
        return f"emph({self.inlines(node.children)})"

    def visit_strong(self, node: tree.Strong) -> str:
        return f"strong({self.inlines(node.children)})"

    def visit_span(self, node: tree.Span) -> str:
        return self.in_language(node.lang, self.inlines(node.children))

    def visit_line_break(self, node: tree.LineBreak) -> str:
        return "linebreak()"

    def visit_image(self, node: tree.Image) -> str:
        if node.data not in self._picture_index:
            self._picture_index[node.data] = len(self.pictures)
            self.pictures.append(list(node.data))
        width = _INCHES.match(node.width)
        size = f", width: {width.group(1)}in" if width else ""
        return f"box(image(lk-picture({self._picture_index[node.data]}), alt: {self.value(node.alt)}{size}))"

    # Blocks
    def visit_heading(self, node: tree.Heading) -> str:
        name = self.style(node.cls, f"Heading {min(node.level, 9)}")
        return self.in_language(node.lang, f'lk-heading({node.level}, "{name}", {self.inlines(node.children)})')

    def visit_paragraph(self, node: tree.Paragraph) -> str:
        name = self.style(node.cls, "") or self.scope.div_style or self.scope.block_style
        keep = ", keep: true" if self.scope.keep else ""
        return self.in_language(node.lang, f'lk-par("{name}", {self.inlines(node.children)}{keep})')

    def visit_list_item(self, node: tree.ListItem) -> str:
        return self.blocks(node.children)

    def visit_bullet_list(self, node: tree.BulletList) -> str:
        return self._list(node.items, "List Bullet", "false", 1)

    def visit_ordered_list(self, node: tree.OrderedList) -> str:
        return self._list(node.items, "List Number", "true", node.start)

    def _list(self, items, name: str, ordered: str, start: int) -> str:
        style = name if name in self.look.styles else "Normal"
        code = self.within(lambda: "(" + "".join(f"{self.visit(item)}, " for item in items) + ")",
                           block_style=style, div_style="")
        return f"lk-list({ordered}, {int(start)}, {code})"

    def visit_block_quote(self, node: tree.BlockQuote) -> str:
        style = self.style(node.cls, "Quote")
        return f"quote(block: true, {self.within(lambda: self.blocks(node.children), block_style=style, div_style='')})"

    def visit_cell(self, node: tree.Cell) -> str:
        line = node.line
        if line is not None:
            body = self.inlines(line)
        else:
            body = self.within(lambda: self.blocks(node.children), div_style="", block_style="Normal")
        body = f"strong({body})" if node.header else body
        align = f", align: {node.align} + top" if node.align in ("left", "center", "right") else ""
        return f"table.cell({body}{align})"

    def visit_row(self, node: tree.Row) -> str:
        return "".join(f"{self.visit(cell)}, " for cell in node.cells)

    def visit_table(self, node: tree.Table) -> str:
        cls = node.cls or self.scope.div_class
        name = style_name(cls) if cls and style_name(cls) in self.look.table_styles else "Table Grid"
        text = self.style(f"{cls} text" if cls else "", "Table Text")
        text = text if text in self.look.styles else "Normal"
        width = max((len(row.cells) for row in (*node.head, *node.body)), default=1)
        columns = f"({', '.join(f'{int(share)}%' for share in node.widths)},)" if node.widths else str(width)
        header = "".join(self.visit_all(node.head))
        cells = "".join(self.visit_all(node.body))
        return f'lk-table("{name}", "{text}", {columns}, ({header}), ({cells}))'

    def visit_div(self, node: tree.Div) -> str:
        style = self.style(node.cls, "") or self.scope.div_style
        code = self.within(lambda: self.blocks(node.children), div_style=style, div_class=node.cls or self.scope.div_class)
        return self.in_language(node.lang, code)

    def visit_page_break(self, node: tree.PageBreak) -> str:
        return "pagebreak(weak: true)"

    def visit_document(self, node: tree.Document) -> str:
        return self.blocks(node.children)
