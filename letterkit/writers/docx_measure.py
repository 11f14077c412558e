"""How wide a table's words are in Word: the font and size its cell text takes through
the reference's style chain, measured with the font's own advance widths.

A table's columns are shared out by how wide their words are (`docx.column_widths`).
Counting characters at a guessed width holds only at the size the guess was made for:
in large print every word is half as wide again, and a column sized for 11 pt text
breaks "Employee" into "Employe" and "e". So the writer measures each table's text at
the size Word will draw it (the document's defaults, then the table style, then the
cell paragraphs' style, last word wins), in the face fontconfig finds for the family
that style names, as the PDF's layout measures its own. A family fontconfig does not
know is measured by its characters (`CHARACTERS`), scaled to the size.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from docx.shared import Pt, Twips
from fontTools.ttLib import TTFont
from lxml import etree

from .docx_formatting import StyleChain
from .weasyprint_adapter import fontconfig_match

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WORD_SIZE = 20  # half-points: Word's size for text no style sizes
_WORD_CELL_MARGIN = Twips(108)  # each side: Word's for a table style that sets none
_GUESSED_SIZE = 11.0  # points the character guess below holds for
# A column holds its widest word, its cell margins, a vertical border and this: room for
# Word's and LibreOffice's rounding to twips. Without the border, "Modificado" (51.3 pt)
# broke in LibreOffice in a column of 51.5 pt less its margins.
_SLACK = Pt(1)
_CHARACTER = Pt(5.5)  # about what a character of 11 pt serif text takes
_CELL_PADDING = 3  # characters


@dataclass(frozen=True)
class TextMeasure:
    """Widths (EMU) of a table's text: each line or word, and a cell's padding besides."""

    size: float  # points
    faces: tuple[Path, Path] | None  # regular and bold font files; None: by characters
    padding: int

    def width(self, text: str, bold: bool = False) -> float:
        if self.faces is None:
            return len(text) * _CHARACTER * self.size / _GUESSED_SIZE
        advances = _advances(self.faces[bold])
        return sum(map(advances.__getitem__, text)) / advances.units * Pt(self.size)


CHARACTERS = TextMeasure(_GUESSED_SIZE, None, _CELL_PADDING * _CHARACTER)  # for a table seen by its text alone


def table_text(styles: StyleChain, table_style: str | None, text_style: str | None) -> TextMeasure:
    """The measure of the text of a table in `table_style` whose cells take `text_style`
    (style ids; None: the document's default style of that kind)."""
    tables = styles.chain(table_style or styles.defaults["table"])
    paragraphs = styles.chain(text_style or styles.defaults["paragraph"])
    runs = [styles.default_run] + [style.run for style in (*tables, *paragraphs)]
    size = int(_last_value(runs, "sz", "val") or _WORD_SIZE) / 2
    properties = [style.table for style in tables]
    padding = sum(_margin(properties, side) for side in ("left", "right")) + _border(properties) + _SLACK
    family = _last_value(runs, "rFonts", "ascii")
    return TextMeasure(size, _faces(family) if family else None, padding)


def _last_value(layers: list[etree._Element | None], tag: str, attribute: str) -> str | None:
    value = None
    for layer in layers:
        found = layer.find(f"{_W}{tag}") if layer is not None else None
        if found is not None and found.get(f"{_W}{attribute}") is not None:
            value = found.get(f"{_W}{attribute}")
    return value


def _margin(table_properties: list[etree._Element | None], side: str) -> int:
    """A cell's margin on `side` (EMU) from the table styles' w:tblCellMar, last word wins."""
    margin = _WORD_CELL_MARGIN
    for properties in table_properties:
        found = properties.find(f"{_W}tblCellMar/{_W}{side}") if properties is not None else None
        if found is not None and found.get(f"{_W}type", "dxa") == "dxa":
            margin = Twips(int(found.get(f"{_W}w", "0")))
    return margin


def _border(table_properties: list[etree._Element | None]) -> int:
    """The widest vertical border (EMU) the table styles draw: a column holds one, half on each side."""
    widths = {}
    for properties in table_properties:
        borders = properties.find(f"{_W}tblBorders") if properties is not None else None
        for border in borders if borders is not None else ():
            side = etree.QName(border).localname
            if side in ("left", "right", "start", "end", "insideV"):
                widths[side] = 0 if border.get(f"{_W}val") in ("nil", "none") else int(border.get(f"{_W}sz", "4"))
    return Pt(max(widths.values(), default=0) / 8)


@cache
def _faces(family: str) -> tuple[Path, Path] | None:
    """The regular and bold files fontconfig finds for `family`; None when it finds
    another family in its place (Word would draw a font we cannot measure)."""
    faces = [fontconfig_match(family, style) for style in ("Regular", "Bold")]
    if any(face is None or family not in face[0] for face in faces):
        return None
    return faces[0][1], faces[1][1]  # type: ignore[index]


class _Advances(dict[str, float]):
    """Each character's advance width in a font, in its `units` per em; looked up by the
    character itself, a table's every word is measured without a call per character."""

    def __init__(self, advances: dict[str, int], units: int):
        super().__init__(advances)
        self.units = units

    def __missing__(self, character: str) -> float:
        return self.units / 2  # a character the font lacks: Word draws it from another font


@cache
def _advances(path: Path) -> _Advances:
    """Each character's advance width in the font."""
    with TTFont(path, fontNumber=0, lazy=True) as font:
        metrics = font["hmtx"].metrics
        return _Advances({chr(code): metrics[glyph][0] for code, glyph in font.getBestCmap().items()},
                         font["head"].unitsPerEm)
