"""HTML elements (from Python-Markdown) → document tree nodes.

Only the elements listed here are allowed: anything else (a `<script>` written into
a block) is a `TemplateError`, so the tree — and so every writer — only ever sees the
dozen node kinds of `letterkit.tree`.

Case data reaches the reader as numbered placeholders (`placeholders.take_values`),
each the number of its value among the render's `values`, which the reader turns back
into what they stand for: a plain value into a `Text` node, exactly as typed; rich
text or a guideline quote into blocks, parsed on their own by the `Embedder`. A
placeholder may stand in text only: printed into a class it is refused, and one left
anywhere in the finished tree is an error, never output.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterable, Mapping, Protocol, Sequence, TypeAlias

import lxml.etree

from . import placeholders, tree
from .errors import TemplateError

Element: TypeAlias = Any  # lxml.etree._Element, which Python-Markdown's HTML parses into; lxml ships no types

_INCHES = re.compile(r"[0-9]{1,3}(\.[0-9]+)?in", re.ASCII)
_PERCENT = re.compile(r"width:\s*([0-9]{1,3})%", re.ASCII)
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", re.ASCII)  # BCP 47: es, zh-Hant, es-US
_INLINE_TAGS = {"em", "i", "strong", "b", "span", "br", "code", "img"}
_FRAME_KEYS = {"header", "footer", "first-page-header", "first-page-footer"}  # see tree.frame_value
_META_KEYS = {"title", "language", "author", "subject", "date", "header", "identifier",
              "footer", "first-page-header", "first-page-footer"}


class Embedder(Protocol):
    """What stands behind placeholders and pictures: the composition under way."""

    def blocks(self, kind: str, text: str, field: str) -> tuple[tree.Block, ...]: ...

    def picture(self, src: str) -> tuple[bytes, str]: ...

    def locate(self, snippet: str) -> tuple[str | None, int | None]: ...


@dataclass(frozen=True)
class _Embedded:
    """Blocks (rich text, a quote) standing where a block printed them, inside a paragraph."""

    blocks: tuple[tree.Block, ...]


Values = tuple[tuple[str, str, str], ...]  # (kind, text, field path) of each value a render printed


class ElementReader:
    """Turns parsed HTML elements into tree nodes.

    `field` is whose words the elements' own text is (`tree.Text.field`): None for the
    kit's blocks, a field's path for rich text of the case."""

    def __init__(self, embedder: Embedder, template: str, values: Values = (), field: str | None = None):
        self.embedder = embedder
        self.template = template
        self.values = values
        self.field = field

    # Blocks ------------------------------------------------------------------------

    def blocks(self, parent: Element) -> tuple[tree.Block, ...]:
        """The blocks inside `parent`; loose inline content becomes a paragraph."""
        blocks: list[tree.Block] = []
        loose: list = []  # inline elements and text waiting for a paragraph
        if parent.text and parent.text.strip():
            loose.append(parent.text)
        for element in parent:
            if element.tag in _INLINE_TAGS:
                loose.append(element)
            else:
                blocks += self._paragraphs(self._inlines_of(loose), "")
                loose.clear()
                blocks += self.block(element)
            # Between inline elements even a space is text ("*a* **b**"); between
            # blocks, whitespace is only the source's layout.
            if element.tail and (element.tail.strip() or loose):
                loose.append(element.tail)
        blocks += self._paragraphs(self._inlines_of(loose), "")
        return tuple(blocks)

    def _inlines_of(self, loose: list) -> list:
        children: list = []
        for piece in loose:
            children += self._text(piece) if isinstance(piece, str) else [self.inline(piece)]
        return children

    def block(self, element: Element) -> list[tree.Block]:
        if not isinstance(element.tag, str):  # a comment: no class to read
            raise self._refuse(element)
        tag, cls = element.tag, self._class(element)
        if tag == "p":
            paragraphs = self._paragraphs(self.inlines(element), cls, keep_empty=True)
            lang = self._lang(element)
            return [dataclasses.replace(block, lang=lang) if lang and isinstance(block, tree.Paragraph) else block
                    for block in paragraphs]
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            return [tree.Heading(int(tag[1]), self._flat(self.inlines(element)), cls, self._lang(element))]
        if tag == "ul":
            return [tree.BulletList(self._items(element), cls)]
        if tag == "ol":
            return [tree.OrderedList(self._items(element), int(element.get("start", 1)), cls)]
        if tag == "blockquote":
            return [tree.BlockQuote(self.blocks(element), cls)]
        if tag == "table":
            return [self._table(element)]
        if tag == "hr" or (tag == "div" and "page-break" in cls.split()):
            return [tree.PageBreak()]
        if tag in ("div", "section"):
            return [tree.Div(self.blocks(element), cls, self._lang(element))]
        if tag == "pre":
            lines = element.text_content().rstrip("\n").split("\n")
            children: list[tree.Inline] = []
            for line in lines:
                children += [tree.LineBreak()] if children else []
                children += self._text(line)
            return [tree.Paragraph(_strip(children, line_edges=False), "preformatted")]
        raise self._refuse(element)

    def _paragraphs(self, children: list, cls: str, keep_empty: bool = False) -> list[tree.Block]:
        """A paragraph's inlines as blocks: rich text printed in it brings its own blocks.

        The kit's words before rich text join its first paragraph ("**Decision
        rationale:** {{ item.rationale }}"); its other blocks follow as they are.
        """
        if not any(isinstance(child, _Embedded) for child in children):
            return [tree.Paragraph(_strip(children), cls)] if children or keep_empty else []
        blocks: list[tree.Block] = []
        current: list = []
        for child in children:
            if not isinstance(child, _Embedded):
                current.append(child)
                continue
            embedded = list(child.blocks)
            first = embedded[0] if embedded else None
            if isinstance(first, tree.Paragraph) and not first.cls:
                current += first.children
                embedded.pop(0)
            if embedded:
                blocks += self._paragraph(current, cls)
                blocks += embedded
                current = []
        return blocks + self._paragraph(current, cls)

    def _paragraph(self, children: list, cls: str) -> list[tree.Block]:
        inlines = _strip(children)
        only = inlines[0] if len(inlines) == 1 else None
        if isinstance(only, tree.Span) and only.lang and not only.cls:  # a paragraph all in one language says so
            return [tree.Paragraph(only.children, cls, only.lang)]
        return [tree.Paragraph(inlines, cls)] if inlines else []

    def _items(self, element: Element) -> tuple[tree.ListItem, ...]:
        return tuple(tree.ListItem(self.blocks(li)) for li in element if li.tag == "li")

    def _table(self, element: Element) -> tree.Table:
        head: list[tree.Row] = []
        body: list[tree.Row] = []
        for row in element.iter("tr"):
            cells = tuple(
                tree.Cell(self._cell(cell), cell.tag == "th", _alignment(cell))
                for cell in row if cell.tag in ("th", "td")
            )
            in_head = row.getparent().tag == "thead"
            (head if in_head else body).append(tree.Row(cells))
        return tree.Table(tuple(head), tuple(body), self._class(element), self._widths(element))

    def _cell(self, element: Element) -> tuple[tree.Block, ...]:
        """A cell's paragraphs and lists: the kit's, or a case's rich text printed in it."""
        blocks = self.blocks(element)
        misfit = _misfit(blocks)
        if misfit is not None:
            field = _field_of(misfit)
            whose = f"the rich text of {field} holds" if field else "a table cell holds"
            raise TemplateError(f"{whose} {_BLOCK_NAMES.get(type(misfit), 'a ' + misfit.kind)}; "
                                "a table cell holds paragraphs and lists only", self.template)
        return blocks

    def _widths(self, element: Element) -> tuple[int, ...]:
        """Column widths from `<col style="width: 30%">` (the `table` macro writes them):
        all or none, in percent, adding up to at most 100."""
        columns = list(element.iter("col"))
        widths = [_PERCENT.fullmatch(self._attribute(column, "style").strip().rstrip(";")) for column in columns]
        if not columns:
            return ()
        percents = [int(width.group(1)) for width in widths if width]
        if len(percents) < len(columns) or sum(percents) > 100:
            raise TemplateError("a table's <col> widths are percentages of the text width, "
                                "one per column, adding up to 100 at most (width: 30%)",
                                *self.embedder.locate("<col"))
        return tuple(percents)

    # Inlines -----------------------------------------------------------------------

    def inlines(self, element: Element) -> list[tree.Inline]:
        children: list = self._text(element.text)
        for child in element:
            children.append(self.inline(child))
            children += self._text(child.tail)
        return children

    def inline(self, element: Element) -> tree.Inline:
        tag = element.tag
        if tag in ("em", "i"):
            return tree.Emph(self._flat(self.inlines(element), strip=False))
        if tag in ("strong", "b"):
            return tree.Strong(self._flat(self.inlines(element), strip=False))
        if tag == "span":
            return tree.Span(self._flat(self.inlines(element), strip=False), self._class(element), self._lang(element))
        if tag == "br":
            return tree.LineBreak()
        if tag == "code":
            return tree.Span(tuple(self._text(element.text_content())), "code")
        if tag == "img":
            return self._image(element)
        raise self._refuse(element)

    def _image(self, element: Element) -> tree.Image:
        alt = self._attribute(element, "alt")
        def where() -> tuple[str | None, int | None]:  # only for an error: finding the block parses them all
            return self.embedder.locate(f'src="{element.get("src", "")}"')
        if not alt:
            raise TemplateError("an <img> needs alt text, for readers who cannot see it", *where())
        try:
            data, media_type = self.embedder.picture(self._attribute(element, "src"))
        except TemplateError as error:
            raise TemplateError(error.message, *where()) from None
        width = self._attribute(element, "width")
        # Every writer must size the picture alike, and Word takes only a length: inches.
        if width and not (_INCHES.fullmatch(width) and float(width[:-2]) > 0):
            raise TemplateError(f"<img width={width[:40]!r}>: a picture's width is a length in inches, "
                                'such as "1.8in", or no width for its own size',
                                *self.embedder.locate(f'width="{width}"'))
        return tree.Image(data, media_type, alt, width, self._class(element))

    def _flat(self, children: list, strip: bool = True) -> tuple[tree.Inline, ...]:
        """Inlines where blocks cannot go (a heading, emphasis): rich text of one
        paragraph joins them, anything more is an error."""
        flat: list = []
        for child in children:
            if not isinstance(child, _Embedded):
                flat.append(child)
            elif len(child.blocks) == 1 and isinstance(child.blocks[0], tree.Paragraph):
                flat += child.blocks[0].children
            elif child.blocks:
                raise TemplateError("rich text of more than one paragraph is printed where only a "
                                    "line of text can go (a heading, emphasis)", self.template)
        return _strip(flat) if strip else tuple(flat)

    def _text(self, text: str | None) -> list:
        """Template text and what its placeholders stand for, as nodes."""
        if not text or placeholders.OPEN not in text:
            return _plain(text, self.field) if text else []
        children: list = []
        position = 0
        for match in placeholders.NUMBERED.finditer(text):
            children += _plain(text[position:match.start()], self.field)
            kind, value, field = _value(self.values, match)
            if kind == placeholders.PLAIN:
                children += _plain(value, field)
            else:
                children.append(_Embedded(self.embedder.blocks(kind, value, field)))
            position = match.end()
        return children + _plain(text[position:], self.field)

    # Attributes --------------------------------------------------------------------

    def _attribute(self, element: Element, name: str) -> str:
        """An attribute's value, with the plain values printed into it."""
        raw = element.get(name, "")
        if placeholders.OPEN not in raw:  # most: no value printed there (or no attribute)
            return raw

        def value(match: re.Match[str]) -> str:
            kind, text, _ = _value(self.values, match)
            if kind != placeholders.PLAIN:
                raise TemplateError(f"rich text is printed into the {name!r} attribute of "
                                    f"<{element.tag}>; only plain values can go there", self.template)
            return text
        return placeholders.NUMBERED.sub(value, raw)

    def _class(self, element: Element) -> str:
        cls = element.get("class", "")
        if placeholders.STRAY.search(cls):
            raise TemplateError(f"case data is printed into the class of <{element.tag}>; a class "
                                "gives the kit's look, so it comes from the kit alone", self.template)
        return cls

    def _lang(self, element: Element) -> str:
        """The element's language (`{: lang="es" }`, `<div lang="es">`, a case's value
        printed there): a BCP 47 tag, or "" for the letter's own."""
        lang = self._attribute(element, "lang")
        if lang and not _LANGUAGE.fullmatch(lang):
            raise TemplateError(f"lang={lang!r} on <{element.tag}> is not a language tag such as 'es' "
                                "or 'zh-Hant'", *self.embedder.locate(f'lang="{lang}"'))
        return lang

    def _refuse(self, element: Element) -> TemplateError:
        if not isinstance(element.tag, str):  # lxml's Comment or ProcessingInstruction, a function
            return TemplateError("an HTML comment or <?…?> has no place in a letter; a note for the "
                                 "kit's authors is a Jinja comment, {# … #}",
                                 *self.embedder.locate("<!--" if element.tag is lxml.etree.Comment else "<?"))
        return TemplateError(
            f"<{element.tag}> has no place in a letter (allowed: paragraphs, headings, "
            "lists, block quotes, tables, <div>/<span> with a class)",
            *self.embedder.locate(f"<{element.tag}"),
        )


def read_meta(raw: Mapping[str, Sequence[str]], template: str, values: Values) -> tree.Meta:
    """The letter's metadata (`Title:`, `Date:`…) with the plain values printed into it."""
    unknown = set(raw) - _META_KEYS
    if unknown:
        raise TemplateError(
            f"unknown letter metadata {sorted(unknown)}; known: {sorted(_META_KEYS)}", template
        )
    # One line each, as HTML and PDF show them: a tab or line break typed in a value would
    # otherwise reach a DOCX header or a document property as one.
    fields: dict[str, Any] = {key: " ".join(_fill(" ".join(lines), key, template, values).split())
                              for key, lines in raw.items()}
    if "title" not in fields:
        raise TemplateError("the letter template must set 'Title:' metadata", template)
    if "date" in fields:
        try:
            fields["date"] = date.fromisoformat(fields["date"])
        except ValueError:
            raise TemplateError(f"'Date:' is not an ISO date: {fields['date']!r}", template) from None
    return tree.Meta(**{key.replace("-", "_"): value for key, value in fields.items()})


def _fill(text: str, key: str, template: str, values: Values) -> str:
    def value(match: re.Match[str]) -> str:
        kind, value, _ = _value(values, match)
        if kind != placeholders.PLAIN:
            raise TemplateError(f"rich text or a quote is printed into the {key!r} metadata; "
                                "only plain values can go there", template)
        return tree.frame_value(value) if key in _FRAME_KEYS else value
    return placeholders.NUMBERED.sub(value, text)


def _value(values: Values, match: re.Match) -> tuple[str, str, str]:
    return values[int(match.group(2))]


def check_no_placeholders(node: object, template: str) -> None:
    """Every string of the tree is text: a placeholder left anywhere is an error, never output."""
    # One walk over the letter's thousand objects, without a call for each: strings are
    # gathered and searched at once (a mark is one character, so joining makes none).
    pending, strings = [node], []
    while pending:
        node = pending.pop()
        if isinstance(node, str):
            strings.append(node)
        elif isinstance(node, tuple):
            pending += node
        # a class is hashable; mypy does not see it for type[...] (python/mypy#11470)
        elif (values := _field_values(type(node))) is not None:  # type: ignore[arg-type]
            pending += values(node)
    text = "".join(strings)
    if placeholders.OPEN in text or placeholders.CLOSE in text:  # what STRAY finds, found faster
        raise TemplateError("case data is printed where the letter cannot show it "
                            "(an attribute letterkit does not read?)", template)


@functools.cache  # dataclasses.fields() builds its answer anew, for each of a letter's thousand nodes
def _field_values(kind: type) -> Callable[[Any], tuple] | None:
    """What gives the values of each field of a dataclass `kind`, as a tuple; None for
    any other type (a number, a date, bytes: no strings in them)."""
    if not dataclasses.is_dataclass(kind):
        return None
    names = [field.name for field in dataclasses.fields(kind)]
    if len(names) < 2:  # attrgetter of one name gives the value itself, of none fails
        return lambda node: tuple(getattr(node, name) for name in names)
    return operator.attrgetter(*names)


def _plain(text: str, field: str | None) -> list[tree.Inline]:
    # Whitespace is collapsed as HTML would, so that a line break in the Markdown
    # source (or in a value) is a space in every format, not a break in DOCX alone.
    return [tree.Text(_collapsed(text), field)] if text else []


def _collapsed(text: str) -> str:
    """`text` with each run of HTML's whitespace (space, tab, line feed, carriage return,
    form feed) one space."""
    # str methods, not a regular expression: it tested every character against the class
    # and matched every single space, some 15 times slower on a paragraph.
    if text.isprintable() and "  " not in text:  # most text: nothing to collapse
        return text
    for character in "\t\n\r\f":
        if character in text:
            text = text.replace(character, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def _merge(children: list) -> tuple[tree.Inline, ...]:
    """Adjacent text of the same words' owner (`tree.Text.field`) as one node."""
    merged: list[tree.Inline] = []
    for child in children:
        if (merged and isinstance(child, tree.Text) and isinstance(merged[-1], tree.Text)
                and child.field == merged[-1].field):
            merged[-1] = tree.Text(merged[-1].text + child.text, child.field)
        else:
            merged.append(child)
    return tuple(merged)


def _strip(children: list, line_edges: bool = True) -> tuple[tree.Inline, ...]:
    """Drop the whitespace Markdown leaves at the edges of a block; merge adjacent text.

    With `line_edges`, also at the edges of each line: a browser never shows a space
    that starts or ends a line (`cc:<br> name`), but Word shows one that reaches a run.
    """
    merged = list(_merge(children))
    if line_edges:
        for index, child in enumerate(merged):
            if isinstance(child, tree.LineBreak):
                _trim(merged, index - 1, -1, str.rstrip)
                _trim(merged, index + 1, 1, str.lstrip)
    _trim(merged, 0, 1, str.lstrip)
    _trim(merged, len(merged) - 1, -1, str.rstrip)
    return tuple(child for child in merged if not (isinstance(child, tree.Text) and not child.text))


def _trim(nodes: list[Any], index: int, step: int, strip: Callable[[str], str]) -> None:
    """Strip the text nodes from `index` on, in the direction of `step`, up to the first
    that keeps any text: the kit's words and a value are nodes of their own."""
    while 0 <= index < len(nodes) and isinstance(node := nodes[index], tree.Text):
        text = strip(node.text)
        if text != node.text:  # a new node only for new text: most edges have nothing to strip
            nodes[index] = tree.Text(text, node.field)
        if text:
            return
        index += step


_BLOCK_NAMES = {tree.Heading: "a heading", tree.BlockQuote: "a block quote", tree.Table: "a table",
                tree.Div: "a <div>", tree.PageBreak: "a page break"}


def _misfit(blocks: Iterable[tree.Block]) -> tree.Block | None:
    """The first block that a table cell cannot hold, looking into its lists; None if none."""
    for block in blocks:
        if not isinstance(block, tree.CELL_BLOCKS):
            return block
        for item in getattr(block, "items", ()):
            if (misfit := _misfit(item.children)) is not None:
                return misfit
    return None


def _field_of(node: tree.Node) -> str | None:
    """The case field whose words a node holds first; None for the kit's words alone."""
    if isinstance(node, tree.Text):
        return node.field or None
    for child in tree.child_nodes(node):
        if (field := _field_of(child)) is not None:
            return field
    return None


def _alignment(cell: Element) -> str:
    style = cell.get("style", "") + " " + cell.get("align", "")
    match = re.search(r"(left|center|right)", style)
    return match.group(1) if match else ""
