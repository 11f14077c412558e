"""Markdown → document tree.

python-markdown turns the composed Markdown into HTML, lxml parses that HTML, and
each element becomes a tree node. Only the elements listed here are allowed: anything
else (a `<script>` or `<img>` written into a block) is a `TemplateError`, so the tree —
and so every writer — only ever sees the dozen node kinds of `letterkit.tree`.

Plain-text values never pass through Markdown at all: composition leaves a
placeholder (`PLACEHOLDER`) where each one goes, and the reader puts the value back
as a `Text` node, so `**x**`, `# x` or `<b>` in a field come out exactly as typed.
"""

from __future__ import annotations

import re
from datetime import date

import lxml.html
import markdown

from . import tree
from .errors import TemplateError

PLACEHOLDER = "\ue000{}\ue001"
_PLACEHOLDER_RE = re.compile("\ue000(\\d+)\ue001")

# Links and images would let text reach for a URL; letters are printed, so Markdown
# link and image syntax is left as typed.
_DISABLED_INLINE_PATTERNS = (
    "link", "image_link", "image_reference", "reference", "short_reference",
    "short_image_ref", "autolink", "automail",
)
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")
_INLINE_TAGS = {"em", "i", "strong", "b", "span", "br", "code", "img"}
_META_KEYS = {"title", "language", "author", "subject", "date", "header", "identifier"}


def _make_markdown() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=["meta", "attr_list", "tables", "md_in_html", "sane_lists"],
        output_format="html",
    )
    for name in _DISABLED_INLINE_PATTERNS:
        md.inlinePatterns.deregister(name, strict=False)
    return md


_MARKDOWN = _make_markdown()


def read(source: str, values: list[str], template: str = "") -> tree.Document:
    """Read composed Markdown (with placeholders for `values`) into a `Document`."""
    _MARKDOWN.reset()
    html = _MARKDOWN.convert(source)
    meta = _read_meta(getattr(_MARKDOWN, "Meta", {}), values, template)
    root = lxml.html.fragment_fromstring(html, create_parent="div") if html else None
    reader = _ElementReader(values, template)
    blocks = reader.blocks(root) if root is not None else ()
    return tree.Document(meta=meta, children=blocks)


def _read_meta(raw: dict[str, list[str]], values: list[str], template: str) -> tree.Meta:
    unknown = set(raw) - _META_KEYS
    if unknown:
        raise TemplateError(
            f"unknown letter metadata {sorted(unknown)}; known: {sorted(_META_KEYS)}", template
        )
    fields = {key: _fill(" ".join(lines), values) for key, lines in raw.items()}
    if "title" not in fields:
        raise TemplateError("the letter template must set 'Title:' metadata", template)
    if "date" in fields:
        try:
            fields["date"] = date.fromisoformat(fields["date"])
        except ValueError:
            raise TemplateError(f"'Date:' is not an ISO date: {fields['date']!r}", template)
    return tree.Meta(**fields)


def _fill(text: str, values: list[str]) -> str:
    return _PLACEHOLDER_RE.sub(lambda match: values[int(match.group(1))], text)


class _ElementReader:
    """Turns parsed HTML elements into tree nodes."""

    def __init__(self, values: list[str], template: str):
        self.values = values
        self.template = template

    # Blocks ------------------------------------------------------------------------

    def blocks(self, parent) -> tuple[tree.Block, ...]:
        """The blocks inside `parent`; loose inline content becomes a paragraph."""
        blocks: list[tree.Block] = []
        loose: list = []  # inline elements and text waiting for a paragraph
        if parent.text and parent.text.strip():
            loose.append(parent.text)
        for element in parent:
            if element.tag in _INLINE_TAGS:
                loose.append(element)
            else:
                self._flush(loose, blocks)
                blocks.append(self.block(element))
            if element.tail and element.tail.strip():
                loose.append(element.tail)
        self._flush(loose, blocks)
        return tuple(blocks)

    def _flush(self, loose: list, blocks: list) -> None:
        if loose:
            children = []
            for piece in loose:
                children += self._text(piece) if isinstance(piece, str) else [self.inline(piece)]
            blocks.append(tree.Paragraph(_strip(children)))
            loose.clear()

    def block(self, element) -> tree.Block:
        tag, cls = element.tag, element.get("class", "")
        if tag == "p":
            return tree.Paragraph(_strip(self.inlines(element)), cls)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            return tree.Heading(int(tag[1]), _strip(self.inlines(element)), cls)
        if tag == "ul":
            return tree.BulletList(self._items(element), cls)
        if tag == "ol":
            return tree.OrderedList(self._items(element), int(element.get("start", 1)), cls)
        if tag == "blockquote":
            return tree.BlockQuote(self.blocks(element), cls)
        if tag == "table":
            return self._table(element)
        if tag == "hr" or (tag == "div" and "page-break" in cls.split()):
            return tree.PageBreak()
        if tag in ("div", "section"):
            return tree.Div(self.blocks(element), cls)
        if tag == "pre":
            lines = element.text_content().rstrip("\n").split("\n")
            children: list[tree.Inline] = []
            for line in lines:
                children += [tree.LineBreak()] if children else []
                children += self._text(line)
            return tree.Paragraph(tuple(children), "preformatted")
        raise self._refuse(element)

    def _items(self, element) -> tuple[tree.ListItem, ...]:
        return tuple(tree.ListItem(self.blocks(li)) for li in element if li.tag == "li")

    def _table(self, element) -> tree.Table:
        head, body = [], []
        for row in element.iter("tr"):
            cells = tuple(
                tree.Cell(
                    _strip(self.inlines(cell)), cell.tag == "th", _alignment(cell)
                )
                for cell in row if cell.tag in ("th", "td")
            )
            in_head = row.getparent().tag == "thead"
            (head if in_head else body).append(tree.Row(cells))
        return tree.Table(tuple(head), tuple(body), element.get("class", ""))

    # Inlines -----------------------------------------------------------------------

    def inlines(self, element) -> list[tree.Inline]:
        children: list[tree.Inline] = self._text(element.text)
        for child in element:
            children.append(self.inline(child))
            children += self._text(child.tail)
        return children

    def inline(self, element) -> tree.Inline:
        tag = element.tag
        if tag in ("em", "i"):
            return tree.Emph(tuple(self.inlines(element)))
        if tag in ("strong", "b"):
            return tree.Strong(tuple(self.inlines(element)))
        if tag == "span":
            return tree.Span(tuple(self.inlines(element)), element.get("class", ""))
        if tag == "br":
            return tree.LineBreak()
        if tag == "code":
            return tree.Span(tuple(self._text(element.text_content())), "code")
        if tag == "img":
            attribute = lambda name: _fill(element.get(name, ""), self.values)  # noqa: E731
            if not element.get("alt"):
                raise TemplateError("an <img> needs alt text, for readers who cannot see it", self.template)
            return tree.Image(attribute("src"), attribute("alt"), attribute("width"), element.get("class", ""))
        raise self._refuse(element)

    def _text(self, text: str | None) -> list[tree.Inline]:
        """Template text and plain values, split at placeholders, as Text nodes."""
        if not text:
            return []
        pieces = _PLACEHOLDER_RE.split(text)
        # re.split alternates: template text, placeholder index, template text, ...
        texts = [
            self.values[int(piece)] if odd else piece
            for odd, piece in ((i % 2 == 1, p) for i, p in enumerate(pieces))
        ]
        # Whitespace is collapsed as HTML would, so that a line break in the Markdown
        # source (or in a value) is a space in every format, not a break in DOCX alone.
        return [tree.Text(_WHITESPACE.sub(" ", t)) for t in texts if t]

    def _refuse(self, element) -> TemplateError:
        return TemplateError(
            f"<{element.tag}> has no place in a letter (allowed: paragraphs, headings, "
            "lists, block quotes, tables, <div>/<span> with a class)",
            self.template,
        )


def _strip(children: list[tree.Inline]) -> tuple[tree.Inline, ...]:
    """Drop the whitespace Markdown leaves at the edges of a block; merge adjacent text."""
    merged: list[tree.Inline] = []
    for child in children:
        if merged and isinstance(child, tree.Text) and isinstance(merged[-1], tree.Text):
            merged[-1] = tree.Text(merged[-1].text + child.text)
        else:
            merged.append(child)
    if merged and isinstance(merged[0], tree.Text):
        merged[0] = tree.Text(merged[0].text.lstrip())
    if merged and isinstance(merged[-1], tree.Text):
        merged[-1] = tree.Text(merged[-1].text.rstrip())
    return tuple(child for child in merged if not (isinstance(child, tree.Text) and not child.text))


def _alignment(cell) -> str:
    style = cell.get("style", "") + " " + cell.get("align", "")
    match = re.search(r"(left|center|right)", style)
    return match.group(1) if match else ""
