"""How a kit's letters look in typst: set and show rules made from what the kit declares.

No kit needs typst of its own. The look comes from what the other writers already use:

- each block's look — its text, line height, margins, padding, border, alignment, and
  whether it keeps with its neighbours or stays whole — is what the kit's PDF
  stylesheets compute for the same element (`typst_css`, by WeasyPrint's cascade), so
  that the two PDF engines break a letter's pages alike;
- the kit's PDF stylesheets give the fonts: the families of their font stacks, in order,
  and the folders of their `@font-face` files (`letterkit.css_fonts`, as the font check
  reads them, so that a character the check passed is one typst can draw);
- the page's size and margins are the reference DOCX's first section, which the kit's
  `[page]` sets (as it sets the print CSS's `@page`); the running header and footer
  are the letter's page frame (`page_frame`) in the Word styles "Header" and "Footer".

A kit wanting more adds `style.typ` beside its CSS, read through its resolver; it comes
after these rules, so its own win. Everything written here is the kit's: numbers,
names and colours checked as they are read. A letter's words never are (see
`typst_source`: they reach the document as data).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote

from docx.styles.style import CharacterStyle
from fontTools.ttLib import TTFont

from ..css_fonts import font_rules
from ..presentation import Presentation
from .docx_styles import open_reference

KIT_FILE = "style.typ"  # a kit's own typst rules, beside its CSS
_EMU_PER_PT = 12700
# The page frame's lines, as the letter kit's print.css sets them (`line-height` of `html`)
_LINE_HEIGHT = 1.35
_FRAME_STYLES = ("Header", "Footer")
Read = TypeVar("Read")  # what `_chain` reads of a style: a font size


@dataclass(frozen=True)
class TypstLook:
    """A kit's look for typst: the rules every letter's source starts with, and the fonts."""

    rules: str  # typst: page, text, the `lk-*` functions the writer calls, the kit's style.typ
    ascent: float  # the text font's, in em: CSS's line box is built on them
    descent: float
    font_folders: tuple[Path, ...]  # the kit's @font-face files' folders


def typst_look(presentation: Presentation) -> TypstLook:
    """The kit's look, made once per loaded kit."""
    return presentation.derived(_make_look)


def _make_look(presentation: Presentation) -> TypstLook:
    families, files = _fonts(presentation)
    ascent, descent = _metrics(files[0]) if files else (0.8, 0.2)
    document = open_reference(presentation.reference_docx)
    frame = {name: _frame_look(document.styles[name] if name in document.styles else None, ascent, descent)
             for name in _FRAME_STYLES}
    section = document.sections[0]
    margins = {"top": section.top_margin, "bottom": section.bottom_margin, "left": section.left_margin,
               "right": section.right_margin}
    page = (f"width: {_length(section.page_width)}, height: {_length(section.page_height)}, margin: ("
            + ", ".join(f"{side}: {_length(value)}" for side, value in margins.items()) + ")")
    kit_rules = ""
    if presentation.files.locate(KIT_FILE):
        kit_rules = f"// {KIT_FILE} of the kit\n" + presentation.files.read_text(KIT_FILE)
    rules = _RULES.format(
        families=_array([json.dumps(family) for family in families]),
        page=page,
        frame=_dictionary(frame),
    ) + kit_rules
    return TypstLook(rules, ascent, descent, tuple(dict.fromkeys(f.parent for f in files)))


def _fonts(presentation: Presentation) -> tuple[list[str], list[Path]]:
    """The families the PDF stylesheets name, in order, and the kit's font files."""
    families: list[str] = []
    files: list[Path] = []
    for stylesheet, css in presentation.print_css:
        urls, named = font_rules(css)
        files += [presentation.files.check(stylesheet.parent / unquote(url)) for _, url in urls if ":" not in url]
        families += named
    return list(dict.fromkeys(families)), files


def _metrics(font: Path) -> tuple[float, float]:
    """The font's ascent and descent in em, as Pango lays a line out with them."""
    with TTFont(font, lazy=True) as face:
        units = face["head"].unitsPerEm
        return face["hhea"].ascent / units, -face["hhea"].descent / units


def _chain(style: CharacterStyle | None,
           read: Callable[[CharacterStyle], Read | None]) -> Read | None:
    """`read(style)` of the style or the first style it is based on that says."""
    while style is not None:
        value = read(style)
        if value is not None:
            return value
        style = style.base_style
    return None


def _frame_look(style: CharacterStyle | None, ascent: float, descent: float) -> str:
    """The running header's or footer's text: the Word style's size, in lines of the
    kit's line height (the unframed letter's `.running-header` and page number)."""
    size = _chain(style, lambda s: s.font.size) or 9 * _EMU_PER_PT
    half_leading = (_LINE_HEIGHT - ascent - descent) / 2
    return (f"(size: {_length(size)}, top: {ascent + half_leading:.4f}em, "
            f"bottom: {-(descent + half_leading):.4f}em)")


def _length(emu: int | None) -> str:
    return f"{(emu or 0) / _EMU_PER_PT:.2f}pt"


def _array(items: list[str]) -> str:
    return "(" + "".join(f"{item}, " for item in items) + ")"


def _dictionary(entries: dict[str, str]) -> str:
    return "(\n" + "".join(f"  {json.dumps(name)}: {value},\n" for name, value in sorted(entries.items())) + ")"


# The rules every letter starts with. `{…}` are filled from the kit; `{{ }}` are typst's
# braces. `lk-styles`, each element path's look (typst_css), comes before them in the
# letter's source: the functions below look a block up there by its path.
_RULES = """// letterkit: the kit's look, from its print stylesheets, page and fonts (letterkit/writers/typst_look.py)
#let lk-look(path) = lk-styles.at(path)
#let lk-normal = lk-look("p")
#let lk-frames = {frame}
// The frame's boxes fill the margins, and their text is centred in them, as CSS's
// margin boxes (`@top-right`, `@bottom-center`) centre theirs
#set page({page}, header-ascent: 0pt, footer-descent: 0pt)
#set text(font: {families}, size: lk-normal.size, top-edge: lk-normal.top, bottom-edge: lk-normal.bottom,
          hyphenate: false, fill: lk-normal.fill)
#set par(leading: 0pt, spacing: 0pt, justify: false)
#show quote.where(block: true): it => it.body

#let lk-text(s, body) = text(size: s.size, weight: s.weight, style: s.style, fill: s.fill,
                             top-edge: s.top, bottom-edge: s.bottom, body)
// CSS's box: margins around, then the border, then the padding (`inset`)
#let lk-box(s, body) = block(above: s.above, below: s.below, sticky: s.keep, breakable: not s.whole,
  width: 100%, pad(left: s.indent, block(stroke: s.stroke, inset: s.inset, width: 100%, body)))
// `next`: the path of the block after, which may ask not to be parted from this one
#let lk-kept(s, next) = s.keep or (next != none and lk-look(next).keep-before)

// A paragraph of the element path `path`
#let lk-par(path, body, next: none) = {{
  let s = lk-look(path)
  lk-box(s + (keep: lk-kept(s, next)), align(s.align, lk-text(s, par(body))))
}}

#let lk-heading(level, path, body, next: none) = {{
  let s = lk-look(path)
  show heading: it => lk-box(s + (keep: lk-kept(s, next)), align(s.align, lk-text(s, it.body)))
  heading(level: level, body)
}}

// A div, a quotation: a box only where the stylesheet gives it one
#let lk-block(path, body, next: none) = {{
  let s = lk-look(path)
  if s.boxed {{ lk-box(s + (keep: lk-kept(s, next)), body) }} else {{ body }}
}}

// `item`: the path of a list item's paragraph, whose space below parts the items
#let lk-list(path, item, ordered, start, items, next: none) = {{
  let s = lk-look(path)
  let spacing = lk-look(item).below
  block(above: s.above, below: s.below, sticky: lk-kept(s, next), width: 100%,
    if ordered {{ enum(start: start, indent: 0.6em, body-indent: 0.55em, spacing: spacing, ..items) }}
    else {{ list(indent: 1.05em, body-indent: 0.55em, spacing: spacing, ..items) }})
}}

// Columns of no declared width share the line as CSS's automatic table layout shares it:
// each its widest line when they fit, else in proportion to those.
#let lk-columns(count, cells, available, inset) = {{
  let widest = range(count).map(column => calc.max(0pt, ..cells.enumerate()
    .filter(((index, cell)) => calc.rem(index, count) == column)
    .map(((index, cell)) => measure(cell.body).width + inset.left + inset.right)))
  let total = widest.sum()
  if total <= available {{ widest }} else {{ widest.map(width => width / total * available) }}
}}

// A table of the path `path`; `cell` and `head` are its cells' and header cells' paths,
// whose padding and border they take
#let lk-table(path, cell, head, columns, header, cells, next: none) = {{
  let s = lk-look(path)
  let c = lk-look(cell)
  let h = lk-look(head)
  let heading-rows = if header.len() > 0 {{ 1 }} else {{ 0 }}
  block(above: s.above, below: s.below, sticky: lk-kept(s, next), width: 100%, lk-text(c, layout(size => table(
    columns: if type(columns) == int {{ lk-columns(columns, header + cells, size.width, c.inset) }} else {{ columns }},
    stroke: (x, y) => if y < heading-rows {{ h.stroke }} else {{ c.stroke }},
    inset: (x, y) => if y < heading-rows {{ h.inset }} else {{ c.inset }}, align: left + top,
    ..if header.len() > 0 {{ (table.header(..header),) }}, ..cells))))
}}

#let lk-frame(s, alignment, body) = align(alignment + horizon, text(size: s.size, top-edge: s.top,
  bottom-edge: s.bottom, body))
#let lk-page = context counter(page).display()
#let lk-pages = context counter(page).final().first()
"""
