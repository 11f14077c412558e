"""Every part of WeasyPrint letterkit uses beyond its public API, in one module.

WeasyPrint's public surface is `HTML`, `CSS`, `Attachment` and `write_pdf`'s options;
the PDF writer also needs its font configuration, its URL fetcher classes, its
HarfBuzz and fontconfig bindings, and its laid-out boxes (to say each paragraph's
language in a tagged PDF). Those are internals, free to change in any release, so they
are reached only through here. This module was written against WeasyPrint
`WRITTEN_FOR`; tests/test_weasyprint_adapter.py fails on any other version, so that an
upgrade of WeasyPrint is a deliberate act: re-read what is below against the new
release, then change `WRITTEN_FOR`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeAlias
from xml.etree.ElementTree import Element

import weasyprint
from weasyprint import Document  # laid out: what write_pdf's finishers receive
from weasyprint.css import get_all_computed_styles
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.text.ffi import ffi, fontconfig, harfbuzz, harfbuzz_subset
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

# A computed CSS value: a number, a keyword, a Dimension(value, unit), a tinycss2 colour…;
# WeasyPrint ships no types
CssValue: TypeAlias = Any
# weasyprint.css.ComputedStyle: each CSS property (its name with "_" for "-") to its computed value
ComputedStyle: TypeAlias = dict[str, CssValue]

WRITTEN_FOR = "70.0"
INSTALLED = weasyprint.__version__

__all__ = ["ComputedStyle", "CssValue", "Document", "FatalURLFetchingError", "FontConfiguration",
           "URLFetcher", "URLFetcherResponse", "INSTALLED", "WRITTEN_FOR", "computed_styles",
           "fontconfig_match", "remove_copied_fonts", "structure_boxes", "subsets_with_harfbuzz"]


def subsets_with_harfbuzz() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz (fast) rather than fontTools: the
    test it makes itself (weasyprint/pdf/fonts.py)."""
    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


def computed_styles(page: str,
                    stylesheets: list[weasyprint.CSS]) -> Iterator[tuple[Element, ComputedStyle]]:
    """Each element of the HTML `page` with its computed style under `stylesheets`, as
    WeasyPrint's cascade computes it before layout (lengths in CSS px; weasyprint/css)."""
    html = weasyprint.HTML(string=page)
    style_for = get_all_computed_styles(html, stylesheets)
    for element in html.etree_element.iter():
        yield element, style_for(element)


def remove_copied_fonts(config: FontConfiguration) -> None:
    """Remove the temporary folder a FontConfiguration copied the kit's fonts into, which
    WeasyPrint does only when it is collected."""
    config.__del__()


def fontconfig_match(family: str, style: str = "") -> tuple[list[str], Path] | None:
    """The family names and file of the font fontconfig finds for `family` (in `style`,
    such as "Bold"; "": its regular face), as Pango finds it (None: none at all), through
    the fontconfig WeasyPrint loaded."""
    pattern = ffi.gc(fontconfig.FcPatternCreate(), fontconfig.FcPatternDestroy)
    fontconfig.FcPatternAddString(pattern, b"family", family.encode())
    if style:
        fontconfig.FcPatternAddString(pattern, b"style", style.encode())
    fontconfig.FcConfigSubstitute(ffi.NULL, pattern, fontconfig.FcMatchPattern)
    fontconfig.FcDefaultSubstitute(pattern)
    result = ffi.new("FcResult *")
    match = fontconfig.FcFontMatch(ffi.NULL, pattern, result)
    if match == ffi.NULL:
        return None
    match = ffi.gc(match, fontconfig.FcPatternDestroy)
    value = ffi.new("FcChar8 **")
    names: list[str] = []
    while fontconfig.FcPatternGetString(match, b"family", len(names), value) == fontconfig.FcResultMatch:
        names.append(ffi.string(value[0]).decode())
    fontconfig.FcPatternGetString(match, b"file", 0, value)
    return names, Path(ffi.string(value[0]).decode())


def structure_boxes(page: weasyprint.Page, lang: str) -> Iterator[tuple[str, str]]:
    """(element tag, language) of each box of a laid-out page that WeasyPrint makes a
    structure element for, in the order it makes them (weasyprint/pdf/tags.py
    `_build_box_tree`): text boxes and line boxes aside. A box's language is its
    element's `lang`, else its parent box's; `lang` is the document's (the root element's
    own `lang` is left to it: "" says a box's language is declared by no element inside)."""
    for box, box_lang in _boxes(page._page_box, lang):
        yield box.element_tag, box_lang


def _boxes(box: boxes.Box | AbsolutePlaceholder, lang: str) -> Iterator[tuple[boxes.Box, str]]:
    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    if box.element is not None and box.element_tag != "html":
        lang = box.element.get("lang") or lang
    if not (box.element_tag in ("html", "body") or isinstance(box, (boxes.PageBox, boxes.MarginBox))):
        yield box, lang
    for child in box.children if isinstance(box, boxes.ParentBox) else ():
        for inner in child.children if isinstance(child, boxes.LineBox) else [child]:
            if not isinstance(inner, boxes.TextBox):
                yield from _boxes(inner, lang)
