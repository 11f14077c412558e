"""Document tree → a standalone, accessible HTML page."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from .. import tree
from ..presentation import Presentation
from . import page_frame
from .base import Writer
from .format import Files, Format, WriterInput


def write_html(document: tree.Document, presentation: Presentation, embed_css: bool = True) -> str:
    """The letter as one HTML page; with `embed_css`, the kit's stylesheets are inlined.

    The PDF writer passes `embed_css=False` and gives WeasyPrint the parsed stylesheets.
    """
    return html_page(document).standalone(presentation.css if embed_css else None)


@dataclass(frozen=True)
class HtmlPage:
    """A letter's page, serialised once for both the HTML file and the PDF.

    Without its stylesheets, and with each picture referenced by `picture_url`: the
    HTML file gets both put inside it, WeasyPrint gets the parsed stylesheets and
    fetches the pictures, rather than parsing them out of the page again.
    """

    head: str  # up to where the stylesheets go
    rest: str  # after them: the body, in reading order (the page frame's footer last)
    pictures: dict[str, tree.Image]  # each picture's URL in the page → the picture
    footer: str = ""  # the page frame's footer elements, at the end of `rest`

    def print_order(self) -> str:
        """`rest` with the footer before the letter, where a running element must be to
        reach every page of the PDF (CSS GCPM: from the page it is on)."""
        if not self.footer:
            return self.rest
        rest = self.rest.replace(self.footer, "", 1)
        return rest.replace("<main>", self.footer + "<main>", 1)

    def standalone(self, css: str | None) -> str:
        """The page as one file: `css` (unless None) and every picture inside it."""
        style = f"\n<style>\n{css}</style>" if css is not None else ""
        page = self.head + style + self.rest
        for url, image in self.pictures.items():
            # Only the markup of a picture has `<img src="`: text has its `<` escaped.
            page = page.replace(f'<img src="{url}"', f'<img src="{_data_uri(image)}"')
        return page


def html_page(document: tree.Document) -> HtmlPage:
    """The letter's page with its pictures referenced; see `HtmlPage`."""
    meta = document.meta
    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',  # a standalone page: no request for /favicon.ico
        f"<title>{escape(meta.title)}</title>",
        _meta_tag("author", meta.author),
        _meta_tag("description", meta.subject),
        _meta_tag("dcterms.created", meta.date.isoformat() if meta.date else ""),
        _meta_tag("generator", "letterkit"),
    ]
    header = (
        f'<header class="running-header">{escape(page_frame.literal(meta.header))}</header>\n' if meta.header else ""
    )
    footer = ""
    if page_frame.framed(meta):  # header and footer from the letter template, on every page
        header, footer = page_frame.html(meta)
        head.append(f"<style>\n{page_frame.HTML_CSS}</style>")
    writer = HtmlWriter()
    body = "\n".join(writer.visit_all(document.children))
    return HtmlPage(
        f'<!DOCTYPE html>\n<html lang="{escape(meta.language)}">\n<head>\n' + "\n".join(tag for tag in head if tag),
        f"\n</head>\n<body>\n{header}<main>\n{body}\n</main>\n{footer}</body>\n</html>\n",
        writer.pictures,
        footer,
    )


def picture_url(image: tree.Image) -> str:
    """Where a page refers to a picture: named by its bytes, so that WeasyPrint's image
    cache knows the letterhead of the last letter, and the PDF stays the same."""
    return f"letterkit-picture:{hashlib.sha256(image.data).hexdigest()}"


def _data_uri(image: tree.Image) -> str:
    return f"data:{image.media_type};base64,{base64.b64encode(image.data).decode('ascii')}"


def _meta_tag(name: str, content: str) -> str:
    return f'<meta name="{name}" content="{escape(content)}">' if content else ""


def _class(cls: str, lang: str = "") -> str:
    return (f' class="{escape(cls)}"' if cls else "") + (f' lang="{escape(lang)}"' if lang else "")


class HtmlWriter(Writer[str]):
    """One method per node kind, each returning that node's HTML."""

    def __init__(self) -> None:
        self.pictures: dict[str, tree.Image] = {}  # by `picture_url`

    def inlines(self, nodes: Iterable[tree.Inline]) -> str:
        return "".join(self.visit_all(nodes))

    def blocks(self, nodes: Iterable[tree.Node]) -> str:
        return "\n".join(self.visit_all(nodes))

    # Inlines
    def visit_text(self, node: tree.Text) -> str:
        return escape(node.text, quote=False)

    def visit_emph(self, node: tree.Emph) -> str:
        return f"<em>{self.inlines(node.children)}</em>"

    def visit_strong(self, node: tree.Strong) -> str:
        return f"<strong>{self.inlines(node.children)}</strong>"

    def visit_span(self, node: tree.Span) -> str:
        return f"<span{_class(node.cls, node.lang)}>{self.inlines(node.children)}</span>"

    def visit_line_break(self, node: tree.LineBreak) -> str:
        # The newline keeps the source readable and a line's words apart in its text;
        # a browser shows no whitespace at the start of a line.
        return "<br>\n"

    def visit_image(self, node: tree.Image) -> str:
        # Referenced here; `HtmlPage.standalone` embeds it, so the file stays one file.
        src = picture_url(node)
        self.pictures[src] = node
        width = f' style="width: {escape(node.width)}"' if node.width else ""
        return f'<img src="{src}" alt="{escape(node.alt)}"{_class(node.cls)}{width}>'


    # Blocks
    def visit_heading(self, node: tree.Heading) -> str:
        tag = f"h{node.level}"
        return f"<{tag}{_class(node.cls, node.lang)}>{self.inlines(node.children)}</{tag}>"

    def visit_paragraph(self, node: tree.Paragraph) -> str:
        return f"<p{_class(node.cls, node.lang)}>{self.inlines(node.children)}</p>"

    def visit_list_item(self, node: tree.ListItem) -> str:
        return f"<li>{self.blocks(node.children)}</li>"

    def visit_bullet_list(self, node: tree.BulletList) -> str:
        return f"<ul{_class(node.cls)}>\n{self.blocks(node.items)}\n</ul>"

    def visit_ordered_list(self, node: tree.OrderedList) -> str:
        start = f' start="{node.start}"' if node.start != 1 else ""
        return f"<ol{_class(node.cls)}{start}>\n{self.blocks(node.items)}\n</ol>"

    def visit_block_quote(self, node: tree.BlockQuote) -> str:
        return f"<blockquote{_class(node.cls)}>\n{self.blocks(node.children)}\n</blockquote>"

    def visit_cell(self, node: tree.Cell) -> str:
        tag = "th" if node.header else "td"
        scope = ' scope="col"' if node.header else ""
        align = f' style="text-align: {node.align}"' if node.align else ""
        line = node.line
        # A cell of one line shows it bare, as a browser's own table would; one of
        # paragraphs and lists, each on a line of its own.
        content = self.inlines(line) if line is not None else f"\n{self.blocks(node.children)}\n"
        return f"<{tag}{scope}{align}>{content}</{tag}>"

    def visit_row(self, node: tree.Row) -> str:
        return f"<tr>{''.join(self.visit_all(node.cells))}</tr>"

    def visit_table(self, node: tree.Table) -> str:
        head = f"<thead>\n{self.blocks(node.head)}\n</thead>\n" if node.head else ""
        body = f"<tbody>\n{self.blocks(node.body)}\n</tbody>\n" if node.body else ""
        columns = "".join(f'<col style="width: {width}%">' for width in node.widths)
        columns = f"<colgroup>{columns}</colgroup>\n" if columns else ""
        # Columns in percent of the text width: the table takes the whole width, as in Word.
        full = ' style="width: 100%"' if node.widths else ""
        return f"<table{_class(node.cls)}{full}>\n{columns}{head}{body}</table>"

    def visit_div(self, node: tree.Div) -> str:
        return f"<div{_class(node.cls, node.lang)}>\n{self.blocks(node.children)}\n</div>"

    def visit_page_break(self, node: tree.PageBreak) -> str:
        return '<div class="page-break"></div>'

    def visit_document(self, node: tree.Document) -> str:
        return self.blocks(node.children)


def _write_file(letter: WriterInput) -> Files:
    return {"html": letter.shared(html_page).standalone(letter.presentation.css).encode("utf-8")}


FORMAT = Format("html", "html", _write_file, "one HTML page, its stylesheets and pictures inside")
