"""Document tree → braille: contracted (grade 2) braille in BRF, the ASCII form embossers take.

liblouis translates (letterkit.writers.liblouis); this module lays the braille out as the
Braille Authority of North America's formats do, on pages of `CELLS` cells by `LINES`
lines: a paragraph starts in cell 3 and runs over to cell 1; an address's lines start
in cell 1 and run over to cell 3; a list entry
starts in cell 1 and runs over to cell 3, each level two cells further; a main heading
is centred, a lower one starts in cell 5; a table is read row by row, a blank line
between rows. The last line of every page carries its braille page number at the right
margin; a form feed ends each page. Words are never split unless one is longer than a
line. The table is chosen by the letter's language (`TABLES`).
"""

from __future__ import annotations

import textwrap

from .. import tree
from ..errors import RenderError
from . import liblouis
from .format import Files, Format, WriterInput
from .reading_order import Unit, reading_order

CELLS = 40
LINES = 25  # the last for the page number
DISPLAY = "en-us-brf.dis"  # dots → the North American braille ASCII of a .brf file
TABLES = {"en": "en-ueb-g2.ctb", "es": "es-g2.ctb"}  # by language: Unified English Braille grade 2, Spanish grade 2
_DIGITS = str.maketrans("1234567890", "ABCDEFGHIJ")  # braille digits are the letters a–j after the number sign


def write_brf(document: tree.Document) -> str:
    """The letter in BRF: lines of at most `CELLS` cells, pages of at most `LINES` lines."""
    units = reading_order(document)
    texts = [(f"{unit.marker} " if unit.marker else "") + unit.lines[0] if n == 0 else line
             for unit in units for n, line in enumerate(unit.lines)]
    braille = iter(translate(texts, document.meta.language))
    lines: list[str] = []
    for unit in units:
        if lines and _spaced(unit):
            lines.append("")
        lines += _layout(unit, [next(braille) for _ in unit.lines])
    return _paged(lines)


def translate(texts: list[str], language: str) -> list[str]:
    """Each text in braille, by liblouis; a `RenderError` where liblouis is missing."""
    table = TABLES.get(language.split("-")[0].lower())
    if table is None:
        raise RenderError(f"no braille table for the letter's language {language!r}; "
                          f"braille is made for {', '.join(sorted(TABLES))}")
    return [liblouis.translate(" ".join(text.split()), f"{DISPLAY},{table}") for text in texts]


def _spaced(unit: Unit) -> bool:
    """Whether a blank line goes before the unit: before a heading, between table rows, around the frame."""
    return unit.role in ("heading", "frame") or (unit.role == "cell" and not unit.tight)


def _layout(unit: Unit, braille: list[str]) -> list[str]:
    base = 2 * unit.depth
    if unit.role == "heading":
        if unit.level == 1:
            return [line.center(CELLS).rstrip() for line in _wrapped(braille[0], 0, 0)]
        return _wrapped(braille[0], 4, 4)
    if unit.role == "frame":
        return [line.center(CELLS).rstrip() for line in _wrapped(braille[0], 0, 0)]
    if unit.role == "item":
        first, later = base - 2, base
    elif unit.role == "quote":
        first, later = base, base
    elif len(braille) > 1 or unit.role == "cell":  # an address, a cell: each line from the margin
        first, later = base, base + 2
    else:
        first, later = base + 2, base
    lines = _wrapped(braille[0], first, later)
    for line in braille[1:]:
        lines += _wrapped(line, later if unit.role == "item" else first, later)
    return lines


def _wrapped(braille: str, first: int, later: int) -> list[str]:
    return textwrap.wrap(braille, CELLS, initial_indent=" " * first, subsequent_indent=" " * later,
                         break_on_hyphens=False) or [""]


def _paged(lines: list[str]) -> str:
    """Pages of `LINES - 1` lines and a last line with the page number, each ended by a form feed."""
    body = LINES - 1
    pages: list[list[str]] = []
    for line in lines:
        if not pages or len(pages[-1]) == body:
            if not line:  # no page starts with a blank line
                continue
            pages.append([])
        pages[-1].append(line)
    return "".join(
        "".join(f"{line}\r\n" for line in page + [""] * (body - len(page)) + [_page_number(number)]) + "\f"
        for number, page in enumerate(pages, 1))


def _page_number(number: int) -> str:
    return ("#" + str(number).translate(_DIGITS)).rjust(CELLS)


def _write_file(letter: WriterInput) -> Files:
    return {"brf": write_brf(letter.document).encode("ascii")}


FORMAT = Format("brf", "brf", _write_file, "braille, Unified English Braille grade 2, 40 cells by 25 lines (liblouis)")
