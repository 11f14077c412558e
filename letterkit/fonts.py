"""Which characters a kit's letters can draw: the fonts its PDF stylesheets name.

The PDF is the one format that draws text with fonts we choose (a browser and Word pick
fallback fonts themselves), and Pango draws a character no font has as blank space.
So a case is checked here before anything is rendered: every character of its text must
be in the cmap of a font that the kit's stylesheets name in a `font` or `font-family`
stack — a kit font (an `@font-face` rule with a `url()` into the kit), or a system font
found by family name through fontconfig, as Pango finds it (the Noto fallback fonts
that `tasks.py` installs). Generic families (`serif`) are not counted: what they mean
differs from machine to machine, and a letter must not depend on that.

Font files are read once per process, and a fallback font only when a character needs
it, so a Latin-only case costs one cmap lookup per character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Sequence
from urllib.parse import unquote

from fontTools.ttLib import TTCollection, TTFont

from .css_fonts import font_rules
from .model import text_fields
from .presentation import Presentation
from .writers.weasyprint_adapter import fontconfig_match

# Characters no font needs a glyph for: line breaks and tabs lay out as space, and
# Unicode's default-ignorable code points (joiners, direction marks, variation
# selectors, the soft hyphen) shape the text around them or vanish by design.
_NEEDS_NO_GLYPH = re.compile(
    "[\t\n\r\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001bca0-\U0001bca3\U000e0000-\U000e0fff]"
)
_PRINTABLE_ASCII = re.compile("[\t\n\r\x20-\x7e]*")


@dataclass(frozen=True)
class FontFace:
    """One font of a letter's font stacks: a file, and the family it is in a collection."""

    path: Path
    family: str

    def covers(self, character: str) -> bool:
        return ord(character) in _cmap(self.path, self.family)


@dataclass(frozen=True)
class LetterFonts:
    """Every font a kit's PDF may draw with, first-named first."""

    faces: tuple[FontFace, ...]

    def undrawable(self, text: str) -> str | None:
        """The first character of `text` that no font has a glyph for, or None."""
        if _PRINTABLE_ASCII.fullmatch(text) and self._draws_printable_ascii:
            return None  # most text of most letters, at the speed of a regular expression
        for character in dict.fromkeys(_NEEDS_NO_GLYPH.sub("", text)):
            if not any(face.covers(character) for face in self.faces):
                return character
        return None

    @cached_property
    def _draws_printable_ascii(self) -> bool:
        return all(any(face.covers(chr(code)) for face in self.faces) for code in range(0x20, 0x7F))


def letter_fonts(presentation: Presentation) -> LetterFonts:
    """The fonts of a kit's PDF stylesheets; read once per loaded kit."""
    return presentation.derived(_find_fonts)


def undrawable_text(letter, fonts: LetterFonts) -> list[tuple[str, str]]:
    """(field path, message) for each text field of a case holding a character no font draws."""
    return [(path, f"{character!r} (U+{ord(character):04X}) is in no font this letter can use; "
                   "see 'Fonts' in the README for the scripts covered and how to add a font")
            for path, text in text_fields(letter) if (character := fonts.undrawable(text)) is not None]


def _find_fonts(presentation: Presentation) -> LetterFonts:
    kit_fonts: dict[str, list[FontFace]] = {}  # by family, lower case
    families: list[str] = []
    for stylesheet, css in presentation.print_css:  # @font-face rules count wherever they are
        urls, named = font_rules(css)
        for family, url in urls:
            if ":" not in url:  # a data: font is not counted (the PDF writer's fetcher rules on other schemes)
                path = presentation.files.check(stylesheet.parent / unquote(url))
                kit_fonts.setdefault(family.lower(), []).append(FontFace(path, family))
        families += named
    faces: dict[FontFace, None] = {}  # in order, once each
    for family in families:
        found: Sequence[FontFace | None] = kit_fonts.get(family.lower()) or [_system_font(family)]
        for face in found:
            if face is not None:
                faces[face] = None
    return LetterFonts(tuple(faces))


@lru_cache(maxsize=512)  # per process, as font files are read (_cmap): a stack names some 90 families
def _system_font(family: str) -> FontFace | None:
    """The font fontconfig finds for `family` (as Pango does), if it is that family."""
    match = fontconfig_match(family)
    if match is None:
        return None
    names, path = match
    if family.lower() not in (name.lower() for name in names):  # a stand-in, not the font asked for
        return None
    return FontFace(path, family)


@cache  # per process: a font file does not change under a running letterkit
def _cmap(path: Path, family: str) -> frozenset[int]:
    """The code points a font maps to glyphs; in a collection (.ttc), the face of `family`."""
    with path.open("rb") as file:
        collection = file.read(4) == b"ttcf"
    if not collection:
        with TTFont(path, lazy=True) as font:
            return frozenset(font.getBestCmap() or ())
    with TTCollection(path, lazy=True) as faces:
        face = next((f for f in faces.fonts if family.lower() in _names(f)), faces.fonts[0])
        return frozenset(face.getBestCmap() or ())


def _names(font: TTFont) -> set[str]:
    return {str(record).lower() for record in font["name"].names if record.nameID in (1, 16)}
