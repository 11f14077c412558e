"""Is the address in the envelope window, and nothing else? Read from the drawn PDF.

Where CSS meant a line to go is not where it went: a letterhead one line longer, a
long name wrapping, a kit's stylesheet overridden by a folder. So the check reads page
1 of the PDF as drawn — each text line's box, from poppler's `pdftotext -bbox-layout`
— and compares it with the kit's window (`[mail.window]`):

- every line of the address, and every line the kit's `mail-window` block printed
  with it (its "Copy to" line in the letter's language, an endorsement), lies wholly
  inside the window;
- no other text touches the window;
- with an IMb, the address ends above the barcode's clear zone at the window's foot.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import lxml.etree

from .. import tree
from ..errors import LetterkitError
from . import imb
from .pieces import Piece
from .settings import Window

SLACK = 0.5  # points: a glyph box may poke this far past a line drawn exactly at the edge


class WindowError(LetterkitError):
    """A letter whose address is not in the envelope window, or that has other text there."""


@dataclass(frozen=True)
class Line:
    text: str
    box: tuple[float, float, float, float]  # left, top, right, bottom, points from the top left


def first_page_lines(pdf: bytes) -> list[Line]:
    """Each text line of page 1 as drawn, with its box."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        raise LetterkitError("checking the envelope window needs pdftotext: apt-get install poppler-utils")
    with tempfile.TemporaryDirectory(prefix="letterkit-window-") as folder:
        path = Path(folder, "piece.pdf")
        path.write_bytes(pdf)
        result = subprocess.run([pdftotext, "-q", "-bbox-layout", "-f", "1", "-l", "1", str(path), "-"],
                                capture_output=True, check=False)
    if result.returncode != 0:
        reason = result.stderr.decode(errors="replace").strip()
        raise LetterkitError(f"pdftotext cannot read the letter's PDF: {reason}")
    root = lxml.etree.fromstring(result.stdout, lxml.etree.XMLParser(recover=True, resolve_entities=False))
    lines = []
    for line in root.iter("{*}line"):
        words = [word.text or "" for word in line.iter("{*}word")]
        box = tuple(float(line.get(key, "0")) for key in ("xMin", "yMin", "xMax", "yMax"))
        lines.append(Line(" ".join(words), box))  # type: ignore[arg-type]
    return lines


def window_lines(document: tree.Document) -> list[str]:
    """The lines the letter's `mail-window` block printed, as the composed tree holds them."""
    lines: list[str] = []
    for node in _nodes(document):
        if isinstance(node, tree.Div) and node.cls == "mail-window":
            for paragraph in (child for child in _nodes(node) if isinstance(child, tree.Paragraph)):
                lines += [line for line in _paragraph_lines(paragraph) if line]
    return lines


def _nodes(node: tree.Node) -> Iterator[tree.Node]:
    for child in tree.child_nodes(node):
        yield child
        yield from _nodes(child)


def _paragraph_lines(paragraph: tree.Paragraph) -> list[str]:
    lines: list[str] = []
    words: list[str] = []
    for node in _nodes(paragraph):
        if isinstance(node, tree.LineBreak):
            lines.append("".join(words))
            words = []
        elif isinstance(node, tree.Text):
            words.append(node.text)
    return [*lines, "".join(words)]


def window_problems(pdf: bytes, piece: Piece, window: Window, printed: Sequence[str] = (),
                    with_imb: bool = False) -> list[str]:
    """What is wrong with page 1 of `pdf` for an envelope window; [] when nothing is.
    `printed`: what the letter's `mail-window` block printed (`window_lines`), which the
    window shows besides the piece's address."""
    left, top, right, bottom = window.points()
    if with_imb:  # the barcode and its clear zone take the window's foot
        address_bottom = bottom - (imb.FULL + 2 * imb.CLEAR_ZONE) * 72
    else:
        address_bottom = bottom
    wanted = list(dict.fromkeys([*printed, *piece.address_lines()]))
    wanted_keys = {_key(text) for text in wanted}
    found: set[str] = set()
    problems = []
    for line in first_page_lines(pdf):
        x0, y0, x1, y1 = line.box
        touches = x0 < right and x1 > left and y0 < bottom and y1 > top
        if _key(line.text) in wanted_keys and touches:
            inside = (x0 >= left - SLACK and x1 <= right + SLACK and y0 >= top - SLACK
                      and y1 <= address_bottom + SLACK)
            if inside:
                found.add(_key(line.text))
                continue
            problems.append(f"address line {line.text!r} is not wholly inside the envelope window")
        elif touches:
            problems.append(f"{line.text!r} is inside the envelope window, which shows only the address")
    for text in wanted:
        if _key(text) not in found and not any(text in p for p in problems):
            problems.append(f"address line {text!r} is not in the envelope window")
    return problems


def _key(text: str) -> str:
    return " ".join(text.split())


def check_window(pdf: bytes, piece: Piece, envelope: tuple[str, Window], printed: Sequence[str],
                 with_imb: bool = False) -> None:
    """Raise `WindowError` naming every problem of the piece's first page in its envelope
    (its name and window)."""
    name, window = envelope
    if problems := window_problems(pdf, piece, window, printed, with_imb):
        where = f"mail piece {piece.number} ({piece.field})"
        raise WindowError(f"{where}: " + "; ".join(problems) + f" (window: kit.toml [mail], {name})")
