"""How a kit's letters look in typst: set and show rules made from what the kit declares.

No kit needs typst of its own. The look comes from what the other writers already use:

- the kit's Word styles — its reference DOCX with its `[[style]]` tables added, the
  styles the DOCX writer writes in — give each style's size, weight, slant, colour,
  space before and after, left indent, alignment, line height, border and whether it
  keeps with the next block; the reference DOCX's first section, the page's size and
  margins;
- the kit's PDF stylesheets give the fonts: the families of their font stacks, in order,
  and the folders of their `@font-face` files (`letterkit.css_fonts`, as the font check
  reads them, so that a character the check passed is one typst can draw);
- the letter's page frame (`page_frame`) its running header and footer.

A kit wanting more adds `style.typ` beside its CSS, read through its resolver; it comes
after these rules, so its own win. Everything written here is the kit's: numbers,
names and colours checked as they are read. A letter's words never are (see
`typst_source`: they reach the document as data).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from fontTools.ttLib import TTFont

from ..css_fonts import font_rules
from ..presentation import Presentation
from .docx_styles import open_reference

KIT_FILE = "style.typ"  # a kit's own typst rules, beside its CSS
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_ALIGN = {WD_ALIGN_PARAGRAPH.CENTER: "center", WD_ALIGN_PARAGRAPH.RIGHT: "right",
          WD_ALIGN_PARAGRAPH.JUSTIFY: "left"}  # justified text would stretch words: laid out as the HTML is
_EMU_PER_PT = 12700
# A letter's text, by CSS's default (`line-height` of the letter kit) when a style says none.
_LINE_HEIGHT = 1.35


@dataclass(frozen=True)
class TypstLook:
    """A kit's look for typst: the rules every letter's source starts with, and the fonts."""

    rules: str  # typst: page, text, the `lk-*` functions the writer calls, the kit's style.typ
    styles: frozenset[str]  # the paragraph styles it has, by Word name ("Normal", "Item Title")
    table_styles: frozenset[str]
    font_folders: tuple[Path, ...]  # the kit's @font-face files' folders


def typst_look(presentation: Presentation) -> TypstLook:
    """The kit's look, made once per loaded kit."""
    return presentation.derived(_make_look)


def _make_look(presentation: Presentation) -> TypstLook:
    families, files = _fonts(presentation)
    ascent, descent = _metrics(files[0]) if files else (0.8, 0.2)
    document = open_reference(presentation.reference_docx)
    styles = {style.name: style for style in document.styles}
    paragraph = {name: _paragraph_look(style, ascent, descent) for name, style in styles.items()
                 if style.type == WD_STYLE_TYPE.PARAGRAPH}
    tables = {name: _table_look(style) for name, style in styles.items() if style.type == WD_STYLE_TYPE.TABLE}
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
        styles=_dictionary(paragraph), tables=_dictionary(tables),
    ) + kit_rules
    return TypstLook(rules, frozenset(paragraph), frozenset(tables), tuple(dict.fromkeys(f.parent for f in files)))


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


def _chain(style, read):
    """`read(style)` of the style or the first style it is based on that says."""
    while style is not None:
        value = read(style)
        if value is not None:
            return value
        style = style.base_style
    return None


def _paragraph_look(style, ascent: float, descent: float) -> str:
    size = _chain(style, lambda s: s.font.size) or 11 * _EMU_PER_PT
    spacing = _chain(style, lambda s: s.paragraph_format.line_spacing)
    # An exact line height (a length) as the stylesheet's `line-height`; a multiple of
    # single spacing multiplies CSS's normal one.
    factor = spacing / size if isinstance(spacing, int) and spacing > 10 else _LINE_HEIGHT * (spacing or 1.0)
    half_leading = (factor - ascent - descent) / 2
    keep = bool(_chain(style, lambda s: s.paragraph_format.keep_with_next))
    italic = _chain(style, lambda s: s.font.italic)
    look = {
        "size": _length(size),
        "weight": '"bold"' if _chain(style, lambda s: s.font.bold) else '"regular"',
        "style": '"italic"' if italic else '"normal"',
        "fill": f'rgb("#{_chain(style, _colour) or "000000"}")',
        # The line box of CSS: the font's ascent and descent and half the leading on either side
        "top": f"{ascent + half_leading:.4f}em", "bottom": f"{-(descent + half_leading):.4f}em",
        "above": _length(_chain(style, lambda s: s.paragraph_format.space_before) or 0),
        "below": _length(_chain(style, lambda s: s.paragraph_format.space_after) or 0),
        "indent": _length(_chain(style, lambda s: s.paragraph_format.left_indent) or 0),
        "align": _ALIGN.get(_chain(style, lambda s: s.paragraph_format.alignment), "left"),
        "keep": "true" if keep else "false",
        "border": _border(style),
    }
    return "(" + ", ".join(f"{key}: {value}" for key, value in look.items()) + ")"


def _colour(style) -> str | None:
    colour = style.font.color
    return str(colour.rgb) if colour is not None and colour.type is not None and colour.rgb is not None else None


def _border(style) -> str:
    """A box, a rule under, or none, from the style's paragraph borders (`w:pBdr`)."""
    sides = _chain(style, lambda s: _border_sides(s.element, "pPr", "pBdr"))
    if not sides:
        return "none"
    stroke = '0.75pt + rgb("#555555")'
    if set(sides) >= {"top", "left", "bottom", "right"}:
        return f"(stroke: {stroke}, inset: (x: 0.8em, y: 0.5em))"
    return "(stroke: (" + ", ".join(f"{side}: {stroke}" for side in sides) + "), inset: (bottom: 0.3em))"


def _border_sides(element, properties: str, borders: str) -> list[str] | None:
    found = element.find(f"{_W}{properties}/{_W}{borders}")
    if found is None:
        return None
    return [side for side in ("top", "left", "bottom", "right")
            if (edge := found.find(f"{_W}{side}")) is not None and edge.get(f"{_W}val") not in ("nil", "none")]


def _table_look(style) -> str:
    sides = _chain(style, lambda s: _border_sides(s.element, "tblPr", "tblBorders"))
    return '(stroke: 0.75pt + rgb("#555555"))' if sides else "(stroke: none)"


def _length(emu: int | None) -> str:
    return f"{(emu or 0) / _EMU_PER_PT:.2f}pt"


def _array(items: list[str]) -> str:
    return "(" + "".join(f"{item}, " for item in items) + ")"


def _dictionary(entries: dict[str, str]) -> str:
    return "(\n" + "".join(f"  {json.dumps(name)}: {value},\n" for name, value in sorted(entries.items())) + ")"


# The rules every letter starts with. `{…}` are filled from the kit; `{{ }}` are typst's braces.
_RULES = """// letterkit: the kit's look, from its Word styles, page and fonts (letterkit/writers/typst_look.py)
#let lk-styles = {styles}
#let lk-tables = {tables}
#let lk-look(name) = lk-styles.at(name, default: lk-styles.at("Normal"))
#let lk-normal = lk-look("Normal")
#set page({page})
#set text(font: {families}, size: lk-normal.size, top-edge: lk-normal.top, bottom-edge: lk-normal.bottom,
          hyphenate: false, fill: lk-normal.fill)
#set par(leading: 0pt, spacing: 0pt, justify: false)
#set list(indent: 1.05em, body-indent: 0.55em, spacing: lk-look("List Bullet").below)
#set enum(indent: 0.6em, body-indent: 0.55em, spacing: lk-look("List Number").below)
#show quote.where(block: true): it => block(above: 0pt, below: lk-normal.below, it.body)

#let lk-text(s, body) = text(size: s.size, weight: s.weight, style: s.style, fill: s.fill,
                             top-edge: s.top, bottom-edge: s.bottom, body)
#let lk-box(s, body) = if s.border == none {{ body }} else {{
  block(stroke: s.border.stroke, inset: s.border.inset, width: 100%, body) }}

// A paragraph in the Word style `name`.
#let lk-par(name, body, keep: false) = {{
  let s = lk-look(name)
  block(above: s.above, below: s.below, sticky: s.keep or keep, width: 100%,
    pad(left: s.indent, lk-box(s, align(s.align, lk-text(s, par(body))))))
}}

#let lk-heading(level, name, body) = {{
  let s = lk-look(name)
  show heading: it => block(above: s.above, below: s.below, sticky: true, width: 100%,
    pad(left: s.indent, align(s.align, lk-text(s, it.body))))
  heading(level: level, body)
}}

#let lk-list(ordered, start, items) = block(above: 0pt, below: lk-normal.below, width: 100%,
  if ordered {{ enum(start: start, ..items) }} else {{ list(..items) }})

// Columns of no declared width share the line as CSS's automatic table layout shares it:
// each its widest line when they fit, else in proportion to those.
#let lk-columns(count, cells, available) = {{
  let widest = range(count).map(column => calc.max(0pt, ..cells.enumerate()
    .filter(((index, cell)) => calc.rem(index, count) == column)
    .map(((index, cell)) => measure(cell.body).width + 1em.to-absolute())))
  let total = widest.sum()
  if total <= available {{ widest }} else {{ widest.map(width => width / total * available) }}
}}

#let lk-table(name, text-name, columns, header, cells) = {{
  let s = lk-tables.at(name, default: (stroke: 0.75pt + rgb("#555555")))
  let t = lk-look(text-name)
  block(above: 0pt, below: lk-normal.below, width: 100%, lk-text(t, layout(size => table(
    columns: if type(columns) == int {{ lk-columns(columns, header + cells, size.width) }} else {{ columns }},
    stroke: s.stroke, inset: (x: 0.5em, y: 0.2em), align: left + top,
    ..if header.len() > 0 {{ (table.header(..header),) }}, ..cells))))
}}

#let lk-frame(s, alignment, body) = align(alignment + horizon, text(size: s.size, top-edge: s.top,
  bottom-edge: s.bottom, body))
#let lk-page = context counter(page).display()
#let lk-pages = context counter(page).final().first()
"""
