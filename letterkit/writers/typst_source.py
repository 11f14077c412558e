"""Document tree → typst source.

The writer is a visitor, as every writer is: one `visit_<kind>` per node kind, each
returning typst code for its node (an expression in code mode that makes content).
A letter's words are never code. Each text — of a case field or of the kit, in the
body, a table cell, a picture's description or the page frame — goes through one
function, `typst_string`, which writes it as a typst string literal: a value, shown
as text. `#`, `$`, `*`, `_`, `@`, `<`, `]` and `//` in a string are its characters,
never markup, and the two characters that could end the literal or begin an escape
(`"` and `\\`), and every control character, are escaped.

Why literals and not data in `sys.inputs`: `sys.inputs` is part of typst's standard
library, and a library that changes from letter to letter makes typst lay out every
page again; a source that differs only in its strings lets it reuse what it laid out
for the letter before (docs/typst.md, "What a new case costs typst").

Each block is named by its element path, the elements from `<main>` down to it as the
HTML writer writes them (`div.taglines > p`), and takes the look the kit's print
stylesheets compute for that element (`typst_css`): the source holds those looks, each
path once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .. import tree
from ..presentation import Presentation
from . import page_frame
from .base import Writer
from .typst_css import TEXT, ElementPath, css_looks, selector
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
    """A letter as typst: its source, and its pictures (`sys.inputs`)."""

    source: str
    pictures: list[bytes] = field(default_factory=list)

    def inputs(self) -> dict[str, str]:
        """The pictures, which are the same from letter to letter (the letterhead): the
        same input, which typst has decoded before and does not again."""
        return {"pictures": "[" + ",".join(_picture_json(picture) for picture in self.pictures) + "]"}


# `\u{…}` for every character a string literal should not hold as it is: the C0 and C1
# controls, DEL and the line and paragraph separators
_ESCAPES = {code: f"\\u{{{code:x}}}" for code in [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]}
_ESCAPES |= {ord("\\"): "\\\\", ord('"'): '\\"'}


def typst_string(text: str) -> str:
    """`text` as a typst string literal: the one way a text reaches the source."""
    return '"' + text.translate(_ESCAPES) + '"'


@lru_cache(maxsize=64)
def _picture_json(data: bytes) -> str:
    """A picture's bytes as a JSON array of numbers, which typst's `bytes` takes."""
    return json.dumps(list(data), separators=(",", ":"))


def typst_letter(document: tree.Document, look: TypstLook, presentation: Presentation) -> Letter:
    """The letter's typst source, in the kit's look, and its pictures.

    A set rule becomes part of the style of every element after it, and typst lays out
    again any element whose style it has not seen. So what changes from case to case
    stays out of the set rules before the body: the page frame reads its texts from a
    `metadata` element in the document (`lk-frame-texts`), and the document's title and
    author are set after the body. A new case's pages then cost typst what changed in
    them, not the whole letter."""
    writer = TypstWriter()
    meta = document.meta
    body = writer.visit(document)
    frame, frame_texts = writer.frame(meta)
    looks = css_looks(presentation, [TEXT, *writer.paths], look.ascent, look.descent)
    styles = "#let lk-styles = (\n" + "".join(f"  {_key(path)}: {code},\n" for path, code in looks.items()) + ")"
    return Letter("\n".join([
        _DATA, styles, look.rules, f"#set text({language_arguments(meta.language) or _ENGLISH})", frame,
        f"#{{\n[#metadata(({frame_texts})) <lk-frame>]\n{body}\n}}", _document_settings(writer, meta), ""]),
        writer.pictures)


def _document_settings(writer: TypstWriter, meta: tree.Meta) -> str:
    return (f"#set document(title: {writer.value(meta.title)}"
            + (f", author: {writer.value(meta.author)}" if meta.author else "")
            + (f", description: {writer.value(meta.subject)}" if meta.subject else "")
            + (f", date: datetime(year: {meta.date.year}, month: {meta.date.month}, day: {meta.date.day})"
               if meta.date else "") + ")")


def language_arguments(tag: str) -> str:
    """`lang: "es"` (and `region: "US"`) for a BCP 47 tag, or "" for one typst cannot take."""
    match = _LANGUAGE.match(tag or "")
    if not match:
        return ""
    return f'lang: "{match.group(1)}"' + (f', region: "{match.group(2)}"' if match.group(2) else "")


# The letter's pictures, read once; `lk-picture(N)` is the Nth. The page frame's texts,
# which the document holds (none on typst's first pass, which lays the pages out to count them).
_DATA = """#let lk-picture(index) = bytes(json(bytes(sys.inputs.pictures)).at(index))
#let lk-frame-texts() = { let found = query(<lk-frame>); if found.len() > 0 { found.first().value } else { () } }"""


def _join(parts: Iterable[str]) -> str:
    """Code joining the content of `parts`, in order."""
    parts = list(parts)
    if not parts:
        return "[]"
    return parts[0] if len(parts) == 1 else "(" + ", ".join(parts) + ",).join()"


def _key(path: ElementPath) -> str:
    """A path as the source names it: `"div.taglines > p"`."""
    return json.dumps(" > ".join(path))


def _element(node: tree.Block) -> str:
    """The element the HTML writer writes for a block: `p.letterhead`, `h2`, `div.taglines`."""
    tags = {tree.Paragraph: "p", tree.Div: "div", tree.BlockQuote: "blockquote", tree.BulletList: "ul",
            tree.OrderedList: "ol", tree.Table: "table"}
    if isinstance(node, tree.Heading):
        return selector(f"h{node.level}", node.cls)
    if isinstance(node, tree.PageBreak):
        return selector("div", "page-break")
    return selector(tags[type(node)], getattr(node, "cls", ""))


@dataclass(frozen=True)
class _Scope:
    path: ElementPath = ()  # the elements the block is in, from <main> down
    after: str = ""  # `, next: "…"`: the path of the block after this one, if any


class TypstWriter(Writer[str]):
    """One method per node kind, each returning the typst code of its node."""

    def __init__(self) -> None:
        self.paths: dict[ElementPath, None] = {}  # every block's path, in order
        self.pictures: list[bytes] = []
        self._picture_index: dict[bytes, int] = {}
        self.scope = _Scope()

    def value(self, text: str) -> str:
        """A text of the letter, as HTML shows its whitespace, as a string literal."""
        return typst_string(_WHITESPACE.sub(" ", text))

    def path(self, *elements: str) -> str:
        """The path of `elements` in this block, as the source names it; its look goes in."""
        path = self.scope.path + elements
        self.paths[path] = None
        return _key(path)

    def inlines(self, nodes: Iterable[tree.Inline]) -> str:
        return _join(self.visit_all(nodes))

    def blocks(self, nodes: Iterable[tree.Block]) -> str:
        """The blocks' code; each knows the path of the block after it, which may ask
        (`break-before: avoid`) to stay on its page."""
        nodes = list(nodes)
        return _join(self.within(lambda: self.visit(node),
                                 after=f", next: {self.path(_element(after))}" if after else "")
                     for node, after in zip(nodes, [*nodes[1:], None]))

    def in_language(self, lang: str, code: str) -> str:
        arguments = language_arguments(lang)
        return f"text({arguments}, {code})" if arguments else code

    def within(self, code_of: Callable[[], str], **changes: Any) -> str:
        outer = self.scope
        self.scope = _Scope(**{**outer.__dict__, **changes})
        try:
            return code_of()
        finally:
            self.scope = outer

    def frame(self, meta: tree.Meta) -> tuple[str, str]:
        """The page's header and footer, and the texts they show (`lk-frame-texts`); their
        numbers counted by typst."""
        if page_frame.framed(meta):
            parts = page_frame.parts(meta)
        else:
            parts = {"running-header": meta.header, "first-page-header": "",
                     "running-footer": UNFRAMED_FOOTER, "first-page-footer": UNFRAMED_FOOTER}
        texts: list[str] = []

        def code(text: str) -> str:
            return _join(self._filed(texts, words) if kind == "text" else ("lk-page" if words == "PAGE" else "lk-pages")
                         for kind, words in page_frame.segments(text))

        header, footer = ('lk-frames.Header', 'lk-frames.Footer')
        frame = (f"#set page(header: context {{ let lk-t = lk-frame-texts(); if here().page() == 1 {{ "
                 f"lk-frame({header}, right, {code(parts['first-page-header'])}) }} "
                 f"else {{ lk-frame({header}, right, {code(parts['running-header'])}) }} }},\n"
                 f"  footer: context {{ let lk-t = lk-frame-texts(); if here().page() == 1 "
                 f"{{ lk-frame({footer}, center, {code(parts['first-page-footer'])}) }} "
                 f"else {{ lk-frame({footer}, center, {code(parts['running-footer'])}) }} }})")
        return frame, "".join(f"{text}, " for text in texts)

    def _filed(self, texts: list[str], words: str) -> str:
        """A text of the frame, filed in `texts`: the code that reads it back."""
        texts.append(self.value(words))
        return f'lk-t.at({len(texts) - 1}, default: "")'

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
            self.pictures.append(node.data)
        width = _INCHES.match(node.width)
        size = f", width: {width.group(1)}in" if width else ""
        return f"box(image(lk-picture({self._picture_index[node.data]}), alt: {self.value(node.alt)}{size}))"

    # Blocks
    def visit_heading(self, node: tree.Heading) -> str:
        path = self.path(_element(node))
        return self.in_language(node.lang,
                                f"lk-heading({node.level}, {path}, {self.inlines(node.children)}{self.scope.after})")

    def visit_paragraph(self, node: tree.Paragraph) -> str:
        return self.in_language(node.lang,
                                f"lk-par({self.path(_element(node))}, {self.inlines(node.children)}{self.scope.after})")

    def visit_list_item(self, node: tree.ListItem) -> str:
        return self.blocks(node.children)

    def visit_bullet_list(self, node: tree.BulletList) -> str:
        return self._list(node, "false", 1)

    def visit_ordered_list(self, node: tree.OrderedList) -> str:
        return self._list(node, "true", node.start)

    def _list(self, node: tree.BulletList | tree.OrderedList, ordered: str, start: int) -> str:
        element = _element(node)
        path, item = self.path(element), self.path(element, "li", "p")
        code = self.within(lambda: "(" + "".join(f"{self.visit(item)}, " for item in node.items) + ")",
                           path=(*self.scope.path, element, "li"))
        return f"lk-list({path}, {item}, {ordered}, {int(start)}, {code}{self.scope.after})"

    def visit_block_quote(self, node: tree.BlockQuote) -> str:
        element = _element(node)
        body = self.within(lambda: self.blocks(node.children), path=(*self.scope.path, element))
        return f"lk-block({self.path(element)}, quote(block: true, {body}){self.scope.after})"

    def visit_cell(self, node: tree.Cell) -> str:
        line = node.line
        if line is not None:
            body = self.inlines(line)
        else:
            body = self.blocks(node.children)
        body = f"strong({body})" if node.header else body
        align = f", align: {node.align} + top" if node.align in ("left", "center", "right") else ""
        return f"table.cell({body}{align})"

    def visit_row(self, node: tree.Row) -> str:
        return "".join(f"{self.visit(cell)}, " for cell in node.cells)

    def visit_table(self, node: tree.Table) -> str:
        element = _element(node)
        head, body = (element, "thead", "tr", "th"), (element, "tbody", "tr", "td")
        width = max((len(row.cells) for row in (*node.head, *node.body)), default=1)
        columns = f"({', '.join(f'{int(share)}%' for share in node.widths)},)" if node.widths else str(width)
        header = self.within(lambda: "".join(self.visit_all(node.head)), path=(*self.scope.path, *head))
        cells = self.within(lambda: "".join(self.visit_all(node.body)), path=(*self.scope.path, *body))
        return (f"lk-table({self.path(element)}, {self.path(*body)}, {self.path(*head)}, {columns}, "
                f"({header}), ({cells}){self.scope.after})")

    def visit_div(self, node: tree.Div) -> str:
        element = _element(node)
        body = self.within(lambda: self.blocks(node.children), path=(*self.scope.path, element))
        return self.in_language(node.lang, f"lk-block({self.path(element)}, {body}{self.scope.after})")

    def visit_page_break(self, node: tree.PageBreak) -> str:
        return "pagebreak(weak: true)"

    def visit_document(self, node: tree.Document) -> str:
        return self.blocks(node.children)
