"""What the kit's print stylesheets make of each block of a letter, for typst.

WeasyPrint draws a letter as its print CSS says, and the typst letter must break where
WeasyPrint's does. So each block of a typst letter takes the values WeasyPrint's own
cascade computes for the same element: the size, weight, slant and colour of its text,
its line height (CSS's: a number times the element's own size), its margins, padding
and border, its alignment, and whether it keeps with the block before or after it or
stays whole (`break-before`, `break-after`, `break-inside: avoid`).

A block is named by its element path: the elements from `<main>` down to it, as the HTML
writer writes them, `("div.taglines", "p")`. The cascade runs once per kit and path, on
a small page holding only the paths not seen before, so a letter whose blocks the kit
has drawn before costs a dictionary look-up. Sibling selectors (`a + b`) and
`:first-child` are not seen: a path has no siblings.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape

from weasyprint import CSS

from ..presentation import Presentation
from .pdf_fetcher import KitFetcher
from .weasyprint_adapter import ComputedStyle, CssValue, computed_styles

ElementPath = tuple[str, ...]  # ("div.taglines", "p"): tag, then each class after a dot
TEXT: ElementPath = ("p",)  # a paragraph of no class: the letter's text
_PT_PER_PX = 0.75
_AVOID = ("avoid", "avoid-page")
_ALIGN = {"center": "center", "right": "right", "end": "right"}  # justified text: laid out as left
_SIDES = ("top", "right", "bottom", "left")


def selector(tag: str, cls: str = "") -> str:
    """One element of a path: `p`, `p.letterhead`, `div.a.b`."""
    return tag + "".join(f".{name}" for name in cls.split())


@dataclass
class _KitLooks:
    stylesheets: list[CSS]
    looks: dict[ElementPath, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def css_looks(presentation: Presentation, paths: Iterable[ElementPath], ascent: float,
              descent: float) -> dict[ElementPath, str]:
    """Each path's look as a typst dictionary; `ascent` and `descent` (in em) are the
    text font's, which CSS's line box is built on."""
    kit = presentation.derived(_parse)
    wanted = list(dict.fromkeys(paths))
    with kit.lock:
        missing = [path for path in wanted if path not in kit.looks]
        if missing:
            kit.looks.update(_cascade(kit.stylesheets, missing, ascent, descent))
        return {path: kit.looks[path] for path in wanted}


def _parse(presentation: Presentation) -> _KitLooks:
    # No font configuration: the look needs no font file, and WeasyPrint would copy them.
    # What a stylesheet names is read through the kit's resolver, as for WeasyPrint's PDF.
    fetcher = KitFetcher(presentation.files)
    return _KitLooks([CSS(string=text, base_url=path.as_uri(), url_fetcher=fetcher)
                      for path, text in presentation.print_css])


def _cascade(stylesheets: list[CSS], paths: list[ElementPath], ascent: float,
             descent: float) -> dict[ElementPath, str]:
    """The computed look of each path's last element, on one page holding every path."""
    chains = []
    for number, path in enumerate(paths):
        opened = [_open_tag(part, number if depth == len(path) - 1 else None) for depth, part in enumerate(path)]
        closed = [f"</{part.split('.')[0]}>" for part in reversed(path)]
        chains.append("".join(opened) + "x" + "".join(closed))
    page = f'<html lang="en"><body><main>{"".join(chains)}</main></body></html>'
    found = {}
    for element, style in computed_styles(page, stylesheets):
        mark = element.get("data-lk")
        if mark is not None and style is not None:
            found[paths[int(mark)]] = _look(style, ascent, descent)
    return found


def _open_tag(part: str, index: int | None) -> str:
    tag, *classes = part.split(".")
    cls = f' class="{escape(" ".join(classes))}"' if classes else ""
    mark = f' data-lk="{index}"' if index is not None else ""
    return f"<{escape(tag)}{cls}{mark}>"


def _look(style: ComputedStyle, ascent: float, descent: float) -> str:
    """A typst dictionary of the element's computed look; lengths in points."""
    size = style["font_size"] * _PT_PER_PX
    line = style["line_height"]
    if line == "normal":
        factor = ascent + descent
    elif isinstance(line, float | int):
        factor = float(line)
    else:
        factor = line.value * _PT_PER_PX / size
    half_leading = (factor - ascent - descent) / 2
    look = {
        "size": f"{size:.3f}pt",
        "weight": str(int(style["font_weight"])),
        "style": '"italic"' if style["font_style"] in ("italic", "oblique") else '"normal"',
        "fill": _colour(style["color"]),
        # The line box of CSS: the font's ascent and descent, half the leading on either side
        "top": f"{ascent + half_leading:.4f}em", "bottom": f"{-(descent + half_leading):.4f}em",
        "above": _points(style["margin_top"]), "below": _points(style["margin_bottom"]),
        "indent": _points(style["margin_left"]), "padding": _points(style["padding_left"]),
        "align": _ALIGN.get(style["text_align_all"], "left"),
        "keep-before": _typst_bool(style["break_before"] in _AVOID),
        "keep": _typst_bool(style["break_after"] in _AVOID),
        "whole": _typst_bool(style["break_inside"] in _AVOID),
        "stroke": _stroke(style),
        "inset": _inset(style),
    }
    boxed = any(look[key] != "0.000pt" for key in ("above", "below", "indent", "padding")) or look["whole"] == "true"
    look["boxed"] = _typst_bool(boxed or look["stroke"] != "none")
    return "(" + ", ".join(f"{key}: {value}" for key, value in look.items()) + ")"


def _stroke(style: ComputedStyle) -> str:
    sides = [f"{side}: {style[f'border_{side}_width'] * _PT_PER_PX:.3f}pt + {_colour(style[f'border_{side}_color'])}"
             for side in _SIDES
             if style[f"border_{side}_style"] not in ("none", "hidden") and style[f"border_{side}_width"]]
    return "(" + ", ".join(sides) + ")" if sides else "none"


def _inset(style: ComputedStyle) -> str:
    """The padding, and the border's width: typst draws a stroke on the box's edge, taking no room."""
    def side(name: str) -> float:
        padding = style[f"padding_{name}"]
        border = style[f"border_{name}_width"] if style[f"border_{name}_style"] not in ("none", "hidden") else 0
        return (getattr(padding, "value", 0) + border) * _PT_PER_PX
    return "(" + ", ".join(f"{name}: {side(name):.3f}pt" for name in _SIDES) + ")"


def _colour(colour: CssValue) -> str:
    if colour == "currentcolor" or not hasattr(colour, "to"):
        return 'rgb("#000000")'
    red, green, blue, *_ = colour.to("srgb").coordinates
    return f"rgb({red * 100:.2f}%, {green * 100:.2f}%, {blue * 100:.2f}%)"


def _points(length: CssValue) -> str:
    value = getattr(length, "value", 0) if getattr(length, "unit", None) == "px" else 0
    return f"{value * _PT_PER_PX:.3f}pt"


def _typst_bool(value: bool) -> str:
    return "true" if value else "false"
