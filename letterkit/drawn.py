"""Whether a reader can see words in the PDF that was drawn: judged on its glyphs and pixels.

A kit's rules count only the words a reader sees. Reading the stylesheets cannot say
which those are: CSS has more ways to hide a paragraph (selectors, units, transforms,
custom properties, a box painted over it, lines piled onto one another…) than any list
of patterns. So the judge is the laid-out letter itself, the PDF WeasyPrint wrote, read
with PDFium (pypdfium2), which knows nothing of letterkit or CSS:

- PDFium's text page gives every character drawn and its box, page by page, so each
  occurrence of required words is found where it was drawn, whatever styled it;
- its boxes tell the size of the letters after every transform (a scale, a tiny font),
  whether they lie on the page, and whether they are drawn on top of other letters
  (negative letter-spacing, no line height);
- PDFium renders the page twice, as drawn and with its text made invisible: the pixels
  the text changes inside each letter's box are the ink a reader sees. Whatever hides
  text without removing it — white on white, the colour of a background set anywhere, a
  background picture, opacity, a box drawn over it, clipping, an invisible text mode —
  leaves no ink there.

Comparing the two renderings rather than judging colours makes no assumption about
what is painted under the text. Pages are rendered only where required words are
drawn, at two pixels a point, in grey: a few milliseconds a page.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageChops

SCALE = 2.0  # pixels a point: the thin strokes of 8 pt text still reach full ink
LEGIBLE_HEIGHT = 5.0  # points from ascent to descent of a letter's line: below, no one reads it
SQUEEZED = 0.2  # a letter narrower than this part of its height is squeezed past reading
PILED = 0.5  # a letter whose box is covered this much by another letter's is not legible
INK = 64  # of 255 grey levels: the least change text must make to what is under it
_FOLD = {"\u00ad": "", "\ufffe": "-", "\u2010": "-", "\u2011": "-"}  # PDFium writes a hyphen as U+FFFE


def key(text: str) -> str:
    """The form in which words are matched: case folded, no whitespace, hyphens alike.
    Lines and pages break words anywhere; matching this form finds them all the same."""
    return "".join(_FOLD.get(char, char).casefold() for char in text if not char.isspace())


@dataclass(frozen=True)
class Sighting:
    """One occurrence of words in the PDF: its first page (from 1), and why a reader
    cannot see it (None: a reader can)."""

    page: int
    problem: str | None = None


Box = tuple[float, float, float, float]  # left, bottom, right, top, in points


@dataclass
class _Page:
    number: int  # from 1
    page: pdfium.PdfPage
    text: pdfium.PdfTextPage
    key: str  # the page's words as `key` gives them
    at: list[int]  # the character index of each character of `key`
    _ink: Image.Image | None = field(default=None, repr=False)

    @classmethod
    def read(cls, number: int, page: pdfium.PdfPage) -> _Page:
        text = page.get_textpage()
        letters, at = [], []
        for index in range(text.count_chars()):
            for char in key(chr(pdfium_c.FPDFText_GetUnicode(text.raw, index))):
                letters.append(char)
                at.append(index)
        return cls(number, page, text, "".join(letters), at)

    def find(self, words: str) -> Iterator[int]:
        """Where `words` (a key) start in this page's key, occurrence after occurrence."""
        start = self.key.find(words)
        while start >= 0:
            yield start
            start = self.key.find(words, start + len(words))

    @cached_property
    def boxes(self) -> list[Box | None]:
        """Each character's box (None: a space or a break PDFium made up)."""
        found: list[Box | None] = []
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        for index in range(self.text.count_chars()):
            pdfium_c.FPDFText_GetCharBox(self.text.raw, index, left, right, bottom, top)
            box = (left.value, bottom.value, right.value, top.value)
            found.append(box if box[2] > box[0] and box[3] > box[1] else None)
        return found

    def line_height(self, index: int) -> float:
        """The height of a character's line box: the font's ascent to descent, scaled."""
        rect = pdfium_c.FS_RECTF()
        pdfium_c.FPDFText_GetLooseCharBox(self.text.raw, index, rect)
        return abs(rect.top - rect.bottom)

    def line_width(self, index: int) -> float:
        rect = pdfium_c.FS_RECTF()
        pdfium_c.FPDFText_GetLooseCharBox(self.text.raw, index, rect)
        return abs(rect.right - rect.left)

    @cached_property
    def grid(self) -> dict[tuple[int, int], list[int]]:
        """Characters by the 12-point squares their boxes touch, to find neighbours fast."""
        cells: dict[tuple[int, int], list[int]] = {}
        for index, box in enumerate(self.boxes):
            if box is not None:
                for cell in _cells(box):
                    cells.setdefault(cell, []).append(index)
        return cells

    def ink(self) -> Image.Image:
        """Per pixel, how much the page's text changes what is drawn: the page rendered
        as drawn against the page rendered with all its text invisible."""
        if self._ink is None:
            drawn = self.page.render(scale=SCALE, grayscale=True).to_pil()
            for text in self.page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=32):
                pdfium_c.FPDFTextObj_SetTextRenderMode(text.raw, pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE)
            bare = self.page.render(scale=SCALE, grayscale=True).to_pil()
            self._ink = ImageChops.difference(drawn, bare)
        return self._ink

    def problem(self, indices: list[int]) -> str | None:
        """Why a reader cannot see these characters of the page (None: a reader can)."""
        drawn = [index for index in indices if self.boxes[index] is not None]
        if not drawn:
            return "none of its letters has a shape"
        height = min(self.line_height(index) for index in drawn)
        if height < LEGIBLE_HEIGHT:
            return f"its letters are {height:.2g} pt high, too small to read"
        if sum(self.line_width(index) for index in drawn) < SQUEEZED * height * len(drawn):
            return "its letters are squeezed together past reading"
        left, bottom, right, top = self.page.get_mediabox()
        if any(not (left - 1 <= box[0] and box[2] <= right + 1 and bottom - 1 <= box[1] and box[3] <= top + 1)
               for box in (self.boxes[index] for index in drawn) if box):
            return "it lies outside the page"
        if any(self._piled(index) for index in drawn):
            return "its letters are drawn on top of other letters"
        if any(self._faint(index) for index in drawn):
            return "its text has no contrast with what is drawn under it"
        return None

    def _piled(self, index: int) -> bool:
        box = self.boxes[index]
        assert box is not None
        area = _area(box)
        others = {other for cell in _cells(box) for other in self.grid.get(cell, ()) if other != index}
        for other in others:
            theirs = self.boxes[other]
            assert theirs is not None
            if _overlap(box, theirs) > PILED * min(area, _area(theirs)):
                return True
        return False

    def _faint(self, index: int) -> bool:
        box = self.boxes[index]
        assert box is not None
        ink = self.ink()
        height = self.page.get_height()
        pixels = (int(box[0] * SCALE), int((height - box[3]) * SCALE),
                  int(box[2] * SCALE + 1), int((height - box[1]) * SCALE + 1))
        strongest = ink.crop(pixels).getextrema()[1]  # a grey image: (least, most) change
        return isinstance(strongest, (int, float)) and strongest < INK


def _cells(box: Box) -> Iterator[tuple[int, int]]:
    for x in range(int(box[0] // 12), int(box[2] // 12) + 1):
        for y in range(int(box[1] // 12), int(box[3] // 12) + 1):
            yield x, y


def _area(box: Box) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def _overlap(a: Box, b: Box) -> float:
    width, height = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


class DrawnLetter:
    """A PDF, read for where words are drawn and whether they can be seen; close it
    (or use it in a `with`) when done."""

    def __init__(self, pdf: bytes):
        self._document = pdfium.PdfDocument(pdf)
        self._pages: list[_Page] = []
        try:
            for number, page in enumerate(self._document, 1):
                self._pages.append(_Page.read(number, page))
        except BaseException:
            self.close()  # else PDFium's objects are closed at exit, with a line on stderr
            raise

    def __enter__(self) -> DrawnLetter:
        return self

    def __exit__(self, *exception) -> None:
        self.close()

    def close(self) -> None:
        for page in self._pages:
            page.text.close()
            page.page.close()
        self._document.close()

    def sightings(self, words: str) -> list[Sighting]:
        """Every occurrence of `words` drawn in the PDF, in page order, with whether a
        reader can see it; words broken across a page break count too."""
        wanted = key(words)
        found = []
        for page, following in zip(self._pages, self._pages[1:] + [None]):
            for start in page.find(wanted):
                found.append(Sighting(page.number, page.problem(page.at[start:start + len(wanted)])))
            if following is not None:
                found += self._across(wanted, page, following)
        return found

    def _across(self, wanted: str, page: _Page, following: _Page) -> list[Sighting]:
        """An occurrence that ends a page's flow of text and starts the next's: the next
        page's text begins with its flow (PDFium reads the running header, the footer
        and list numbers after it)."""
        for split in range(1, len(wanted)):
            head, tail = wanted[:split], wanted[split:]
            if following.key.startswith(tail) and (start := page.key.rfind(head)) >= 0:
                if start + len(head) == len(page.key) or not page.key.startswith(wanted, start):
                    problem = (page.problem(page.at[start:start + split])
                               or following.problem(following.at[:len(tail)]))
                    return [Sighting(page.number, problem)]
        return []


def sightings(pdf: bytes, words: Iterable[str]) -> dict[str, list[Sighting]]:
    """Every occurrence of each of `words` drawn in `pdf`, with whether a reader can see it."""
    with DrawnLetter(pdf) as drawn:
        return {text: drawn.sightings(text) for text in dict.fromkeys(words)}
