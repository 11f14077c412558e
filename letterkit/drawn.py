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
  (negative letter-spacing, no line height); each letter's matrix, whether a transform
  squeezed it;
- PDFium renders the page around the words as drawn, and again with the text object
  that draws them (a run of letters alike) made invisible: the pixels that object
  changes inside each of its letters' boxes are the ink a reader sees. Whatever hides
  text without removing it — white on white, the colour of a background set anywhere, a
  background picture, opacity, a box drawn over it, clipping, an invisible text mode —
  leaves no ink there; and the ink of the letters beside a hidden one, which spills into
  its box, is theirs, not its.

Comparing renderings rather than judging colours makes no assumption about what is
painted under the text. Pages are rendered only where required words are drawn, at two
pixels a point, in grey: a few milliseconds a page.
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import ImageChops

SCALE = 2.0  # pixels a point: the thin strokes of 8 pt text still reach full ink
LEGIBLE_HEIGHT = 5.0  # points from ascent to descent of a letter's line: below, no one reads it
SQUEEZED = 0.2  # a letter scaled across less than this part of its scale up is squeezed past reading
PILED = 0.5  # a letter whose box is covered this much by another letter's is not legible
CROWDED = 1.3  # text whose lines are covered more than this by lines of text may be piled
INK = 64  # of 255 grey levels: the least change text must make to what is under it
_FOLD = {"\u00ad": "", "\ufffe": "-", "\u2010": "-", "\u2011": "-"}  # PDFium writes a hyphen as U+FFFE
_FOLDED = str.maketrans(_FOLD)


def key(text: str) -> str:
    """The form in which words are matched: case folded, no whitespace, hyphens alike.
    Lines and pages break words anywhere; matching this form finds them all the same."""
    return "".join(text.translate(_FOLDED).casefold().split())


@dataclass(frozen=True)
class Sighting:
    """One occurrence of words in the PDF: its first page (from 1), and why a reader
    cannot see it (None: a reader can)."""

    page: int
    problem: str | None = None


Box = tuple[float, float, float, float]  # left, bottom, right, top, in points
Pixels = tuple[int, int, int, int]  # left, top, right, bottom, in pixels of an image
TextObject = Any  # PDFium's handle of a text object of a page (FPDF_PAGEOBJECT)


@dataclass
class _Page:
    number: int  # from 1
    page: pdfium.PdfPage
    text: pdfium.PdfTextPage
    key: str  # the page's words as `key` gives them
    at: list[int]  # the character index of each character of `key`

    @classmethod
    def read(cls, number: int, page: pdfium.PdfPage) -> _Page:
        text = page.get_textpage()
        count = text.count_chars()
        drawn = text.get_text_range()  # one call; one character an index unless it holds surrogates
        if len(drawn) != count:
            drawn = "".join(chr(pdfium_c.FPDFText_GetUnicode(text.raw, index)) for index in range(count))
        letters, at = [], []
        for index, char in enumerate(drawn):
            if not char.isspace():
                for letter in _FOLD.get(char, char).casefold():
                    letters.append(letter)
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
        return [self.box(index) for index in range(self.text.count_chars())]

    def box(self, index: int) -> Box | None:
        """A character's box: its glyph's outline, transformed (None: it has no shape)."""
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        pdfium_c.FPDFText_GetCharBox(self.text.raw, index, left, right, bottom, top)
        box = (left.value, bottom.value, right.value, top.value)
        return box if box[2] > box[0] and box[3] > box[1] else None

    def line_height(self, index: int) -> float:
        """The height of a character's box on its line: its font's ascent to descent, after every transform."""
        rect = pdfium_c.FS_RECTF()
        pdfium_c.FPDFText_GetLooseCharBox(self.text.raw, index, rect)
        return abs(rect.top - rect.bottom)

    def width_for_height(self, index: int) -> float:
        """How much a character's font is scaled across for each point it is scaled up:
        1 as its font drew it; far less, squeezed (a transform, a scale). Judged on the
        transform, not on the letter's width: an apostrophe or an "l" is narrow as drawn."""
        matrix = pdfium_c.FS_MATRIX()
        pdfium_c.FPDFText_GetMatrix(self.text.raw, index, matrix)
        up = math.hypot(matrix.c, matrix.d)
        return math.hypot(matrix.a, matrix.b) / up if up else 0.0

    def problem(self, indices: list[int]) -> str | None:
        """Why a reader cannot see these characters of the page (None: a reader can)."""
        shapes = {index: box for index in indices if (box := self.box(index)) is not None}
        drawn = list(shapes)
        if not drawn:
            return "none of its letters has a shape"
        height = min(self.line_height(index) for index in drawn)
        if height < LEGIBLE_HEIGHT:
            return f"its letters are {height:.2g} pt high, too small to read"
        if min(self.width_for_height(index) for index in drawn) < SQUEEZED:
            return "its letters are squeezed together past reading"
        left, bottom, right, top = self.page.get_mediabox()
        if any(not (left - 1 <= box[0] and box[2] <= right + 1 and bottom - 1 <= box[1] and box[3] <= top + 1)
               for box in shapes.values()):
            return "it lies outside the page"
        if self._piled(shapes):
            return "its letters are drawn on top of other letters"
        if self._faint(shapes):
            return "its text has no contrast with what is drawn under it"
        return None

    def _piled(self, shapes: dict[int, Box]) -> bool:
        """Whether a letter of `shapes` is drawn mostly over another letter of the page.
        The lines PDFium finds tell first, in a few calls, whether anything else is drawn
        where these letters are; only then are the page's letters compared one by one."""
        page = self.lines
        if all(sum(_overlap(own, other) for other in page) <= CROWDED * _area(own)
               for own in self._rects(min(shapes), max(shapes) - min(shapes) + 1) if _area(own) > 0):
            return False
        mine = list(shapes.items())
        left, bottom = min(box[0] for _, box in mine), min(box[1] for _, box in mine)
        right, top = max(box[2] for _, box in mine), max(box[3] for _, box in mine)
        near = [(index, box) for index, box in enumerate(self.boxes)
                if box is not None and box[0] < right and box[2] > left and box[1] < top and box[3] > bottom]
        return any(_overlap(box, theirs) > PILED * min(_area(box), _area(theirs))
                   for index, box in mine for other, theirs in near if other != index)

    @cached_property
    def lines(self) -> list[Box]:
        """The rectangles of the page's runs of text on one line, as PDFium joins them."""
        return self._rects(0, -1)

    def _rects(self, start: int, count: int) -> list[Box]:
        left, top, right, bottom = (ctypes.c_double() for _ in range(4))
        rects = []
        for index in range(pdfium_c.FPDFText_CountRects(self.text.raw, start, count)):
            pdfium_c.FPDFText_GetRect(self.text.raw, index, left, top, right, bottom)
            rects.append((left.value, min(bottom.value, top.value), right.value, max(bottom.value, top.value)))
        return rects

    def _faint(self, shapes: dict[int, Box]) -> bool:
        """Whether a letter of `shapes` (characters' boxes by index) shows no ink: the text
        that draws it changes too few grey levels in its box. Only its own text is made
        invisible to tell: the ink of the letters beside it, which spills into the edge
        pixels of its box (into its box, kerned), is not its own."""
        crop = self._crop(list(shapes.values()))
        drawn = self.page.render(scale=SCALE, grayscale=True, crop=crop)
        pixels, as_drawn = _pixels_of(drawn.get_posconv(self.page), drawn), drawn.to_pil()
        for text, boxes in self._by_text(shapes):
            with _invisible(text):
                bare = self.page.render(scale=SCALE, grayscale=True, crop=crop).to_pil()
            ink = ImageChops.difference(as_drawn, bare)
            for box in boxes:
                strongest = ink.crop(pixels(box)).getextrema()[1]  # a grey image: (least, most) change
                if isinstance(strongest, (int, float)) and strongest < INK:
                    return True
        return False

    def _crop(self, boxes: list[Box]) -> Box:
        """What rendering leaves out on each side of the page to draw `boxes` and a point around them."""
        width, height = self.page.get_size()
        left, bottom = max(0.0, min(box[0] for box in boxes) - 1), max(0.0, min(box[1] for box in boxes) - 1)
        right, top = min(width, max(box[2] for box in boxes) + 1), min(height, max(box[3] for box in boxes) + 1)
        return left, bottom, width - right, height - top

    def _by_text(self, shapes: dict[int, Box]) -> list[tuple[TextObject, list[Box]]]:
        """The boxes of `shapes` with the text object that draws them, one object a run of
        letters alike (a line, the letters of one style)."""
        runs: dict[int, tuple[TextObject, list[Box]]] = {}
        for index, box in shapes.items():
            if text := pdfium_c.FPDFText_GetTextObject(self.text.raw, index):  # None: a character PDFium made up
                runs.setdefault(ctypes.addressof(text.contents), (text, []))[1].append(box)
        return list(runs.values())


@contextmanager
def _invisible(text: TextObject) -> Iterator[None]:
    """The text object `text` invisible while the `with` lasts, then as drawn again."""
    mode = pdfium_c.FPDFTextObj_GetTextRenderMode(text)
    pdfium_c.FPDFTextObj_SetTextRenderMode(text, pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE)
    try:
        yield
    finally:
        pdfium_c.FPDFTextObj_SetTextRenderMode(text, mode)


def _pixels_of(posconv: pdfium.PdfPosConv, bitmap: pdfium.PdfBitmap) -> Callable[[Box], Pixels]:
    """What turns a page box into the pixels of `bitmap` it touches. The bitmap's corners
    are asked of PDFium: rendering rounds a crop up to whole pixels and the page to a
    whole number of them, so the top left corner is not the page point the crop named,
    and a thin letter's ink (an apostrophe, a "|") lay a pixel left of where it was sought."""
    (left, top), (right, bottom) = posconv.to_page(0, 0), posconv.to_page(bitmap.width, bitmap.height)
    across, down = bitmap.width / (right - left), bitmap.height / (top - bottom)

    def pixels(box: Box) -> Pixels:
        return (math.floor((box[0] - left) * across), math.floor((top - box[3]) * down),
                math.ceil((box[2] - left) * across), math.ceil((top - box[1]) * down))
    return pixels


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
