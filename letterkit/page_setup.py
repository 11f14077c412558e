"""The page and the base type of a kit's letters: one `[page]` table in its `kit.toml`,
from which both the print CSS and Word's page setup are made, so that the PDF and the
DOCX cannot disagree about the paper, the margins or the size of the text.

```toml
[page]
size = "letter"              # letter, legal, A3, A4, A5, B5, or "8.5in 11in"; "A4 landscape"
margin = "1in"               # one to four lengths, as CSS's `margin`: "1in 0.75in"
font_size = 11               # points: CSS `html { font-size }`, Word's Normal style
line_height = 1.35           # times the font size: CSS `html { line-height }`, Normal's lines
font = "Liberation Serif"    # the text's font: first in the CSS font stack, Word's Normal font
fallback_fonts = ["Noto Serif", "serif"]  # the rest of the CSS stack, for other scripts
language_fonts = { zh-Hant = "Noto Serif CJK TC" }  # text in a language: its font first
```

A kit inherits each key from the nearest kit that gives it: `[page] font_size = 12`
alone makes a larger letter on the letter kit's paper. The CSS (`page_css`) goes before
the kit's stylesheets; the DOCX (`with_page`) is the reference with each section's page
and margins and the Normal style's font and size set.
"""

from __future__ import annotations

import re
from pathlib import Path

import tinycss2
from docx.enum.section import WD_ORIENT
from docx.shared import Pt
from pydantic import BaseModel, ConfigDict, Field, field_validator

from .inherited_table import read_inherited
from .writers import docx_ooxml
from .writers.docx_styles import open_reference

# Points per unit, as CSS defines them.
_UNITS = {"in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "pt": 1.0, "pc": 12.0, "px": 0.75}
_LENGTH = re.compile(r"^(\d+(?:\.\d+)?)(in|cm|mm|pt|pc|px)$")
# CSS Paged Media's page sizes, portrait, in points.
PAGE_SIZES = {"letter": (612.0, 792.0), "legal": (612.0, 1008.0), "ledger": (792.0, 1224.0),
              "a3": (841.89, 1190.55), "a4": (595.28, 841.89), "a5": (419.53, 595.28),
              "b4": (708.66, 1000.63), "b5": (498.9, 708.66)}
_GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}


def points(length: str) -> float:
    """A CSS length (`1in`, `20mm`, `0.5cm`, `72pt`) in points; ValueError otherwise."""
    match = _LENGTH.match(length.strip())
    if not match:
        raise ValueError(f"{length!r} is not a length such as 1in, 20mm, 2.5cm or 72pt")
    return float(match[1]) * _UNITS[match[2]]


class PageSetup(BaseModel):
    """A kit's `[page]`, every key filled in (the letter kit gives them all)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    size: str = "letter"
    margin: str = "1in"
    font_size: float = Field(11, gt=0, le=72)
    line_height: float = Field(1.35, ge=1, le=3)
    font: str = "Liberation Serif"
    fallback_fonts: tuple[str, ...] = ()
    # A language's own font, ahead of the fallbacks for text in it (`:lang()`): Chinese in
    # Traditional glyphs for zh-Hant, Japanese and Korean forms of the same characters.
    language_fonts: dict[str, str] = {}

    @field_validator("size")
    @classmethod
    def _size(cls, value: str) -> str:
        page_size(value)
        return value

    @field_validator("margin")
    @classmethod
    def _margin(cls, value: str) -> str:
        margins(value)
        return value

    @property
    def width_height(self) -> tuple[float, float]:
        return page_size(self.size)

    @property
    def margins(self) -> tuple[float, float, float, float]:
        """Top, right, bottom, left, in points."""
        return margins(self.margin)

    @property
    def text_width(self) -> float:
        _, right, _, left = self.margins
        return self.width_height[0] - left - right


def page_size(value: str) -> tuple[float, float]:
    """(width, height) in points of `letter`, `A4 landscape` or `8.5in 11in`."""
    words = value.lower().split()
    orientation = words.pop() if words and words[-1] in ("portrait", "landscape") else "portrait"
    if len(words) == 1 and words[0] in PAGE_SIZES:
        width, height = PAGE_SIZES[words[0]]
    elif len(words) == 2:
        width, height = points(words[0]), points(words[1])
    else:
        raise ValueError(f"{value!r} is no page size: one of {', '.join(PAGE_SIZES)} "
                         "(then 'landscape' if wanted), or a width and height such as '8.5in 11in'")
    return (max(width, height), min(width, height)) if orientation == "landscape" else (width, height)


def margins(value: str) -> tuple[float, float, float, float]:
    """Top, right, bottom, left in points, from one to four lengths as CSS's `margin`."""
    lengths = [points(word) for word in value.split()]
    if not 1 <= len(lengths) <= 4:
        raise ValueError(f"{value!r}: a margin is one to four lengths, as in CSS")
    return _css_sides(lengths)


def _css_sides(lengths: list[float]) -> tuple[float, float, float, float]:
    if len(lengths) == 1:
        return lengths[0], lengths[0], lengths[0], lengths[0]
    if len(lengths) == 2:
        return lengths[0], lengths[1], lengths[0], lengths[1]
    if len(lengths) == 3:
        return lengths[0], lengths[1], lengths[2], lengths[1]
    return lengths[0], lengths[1], lengths[2], lengths[3]


def read_page(tables: list[tuple[str, dict]]) -> PageSetup:
    """The page of a kit from the `[page]` tables of its chain, `(where, table)` farthest
    first; a mistake is a ValueError naming the file and key."""
    return read_inherited(PageSetup, "page", tables)


def page_css(page: PageSetup) -> str:
    """The stylesheet the kit's `[page]` makes, put before the kit's own."""
    width, height = page.width_height
    sides = " ".join(f"{side:g}pt" for side in page.margins)
    stack = ", ".join(_family(name) for name in (page.font, *page.fallback_fonts))
    by_language = "".join(
        f":lang({language}) {{ font-family: "
        f"{', '.join(_family(name) for name in (page.font, font, *(f for f in page.fallback_fonts if f != font)))}"
        "; }\n"
        for language, font in page.language_fonts.items())
    return (f"/* [page] of the kit.toml: Word's page setup and Normal style follow it too */\n"
            f"@page {{ size: {width:g}pt {height:g}pt; margin: {sides}; }}\n"
            f"html {{ font-size: {page.font_size:g}pt; line-height: {page.line_height:g}; "
            f"font-family: {stack}; }}\n"
            f"main {{ max-width: {page.text_width:g}pt; }}\n" + by_language)


def _family(name: str) -> str:
    return name if name in _GENERIC else '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def with_page(reference: bytes, page: PageSetup) -> bytes:
    """The reference DOCX on the kit's page: each section's size and margins, and the text's
    font, size and line height (the Normal style, and the document defaults tables and
    lists take). A heading as large as the reference's Normal (CSS: `h2 { font-size: 1em }`)
    stays as large as the text."""
    document = open_reference(reference)
    width, height = page.width_height
    top, right, bottom, left = page.margins
    for section in document.sections:
        section.page_width, section.page_height = Pt(width), Pt(height)
        section.top_margin, section.right_margin = Pt(top), Pt(right)
        section.bottom_margin, section.left_margin = Pt(bottom), Pt(left)
        section.orientation = WD_ORIENT.LANDSCAPE if width > height else WD_ORIENT.PORTRAIT
    styles = document.styles
    normal = styles["Normal"]
    text_size = normal.font.size
    for level in range(1, 10):
        heading = styles[f"Heading {level}"] if f"Heading {level}" in styles else None
        if heading is not None and text_size is not None and heading.font.size == text_size:
            heading.font.size = Pt(page.font_size)
    docx_ooxml.set_font(normal, page.font)
    normal.font.size = Pt(page.font_size)
    docx_ooxml.set_line_height(normal, page.font_size * page.line_height)
    docx_ooxml.set_default_font(document, page.font, Pt(page.font_size))
    return docx_ooxml.save_all(document)



# What a stylesheet may not set on its own: the PDF would follow it and Word would not.
_PAGE_KEYS = {"size": "size", "margin": "margin", "margin-top": "margin", "margin-right": "margin",
              "margin-bottom": "margin", "margin-left": "margin"}
_TEXT_KEYS = {"font": "font, font_size", "font-size": "font_size", "font-family": "font",
              "line-height": "line_height"}


def overridden(stylesheets: tuple[tuple[Path, str], ...]) -> list[str]:
    """One line for each declaration of a stylesheet that sets what `[page]` sets — `@page`
    size and margins, `html` or `:root` type — which the PDF would follow and Word not."""
    found = []
    for path, css in stylesheets:
        if path.suffix != ".css":  # the [page] itself
            continue
        for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
            if rule.type == "at-rule" and rule.lower_at_keyword == "page" and rule.content is not None:
                if tinycss2.serialize(rule.prelude).strip() == ":first":
                    # Word gives a section one set of margins: page 1's own (the letterhead
                    # above an envelope window, letterkit.mail) is the printed letter's alone
                    continue
                keys, what = _PAGE_KEYS, "@page"
            elif rule.type == "qualified-rule" and tinycss2.serialize(rule.prelude).strip() in ("html", ":root"):
                keys, what = _TEXT_KEYS, tinycss2.serialize(rule.prelude).strip()
            else:
                continue
            for node in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
                if node.type == "declaration" and node.lower_name in keys:
                    found.append(f"{path}:{node.source_line}: {what} {{ {node.lower_name} }} reaches the PDF but "
                                 f"not Word: set it in the kit.toml's [page] ({keys[node.lower_name]})")
    return found
