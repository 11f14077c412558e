"""Profiles: the same letter for another reader. `large-print` draws no text below the
kit's floor (18 pt, or its `[large_print] floor`: 24 for a programme that asks it).

Every size is scaled from the kit's own numbers: the text's `[page] font_size` becomes
the floor, every other size in the kit's stylesheets and in its reference DOCX's styles
and runs grows by the same factor, and a size still below the floor (a 9 pt footer)
rises to it. Relative sizes that would shrink text (`0.8em`, `smaller`) become `1em`, so
no element is smaller than the one it sits in; a last stylesheet holds the page frame,
and what browsers and WeasyPrint draw smaller by default (`small`, `sub`, `h6`), at the
floor. The page, its margins and the letter's words stay as they are.
"""

from __future__ import annotations

import io
import threading
import zipfile
from dataclasses import replace
from weakref import WeakKeyDictionary

import tinycss2
from lxml import etree
from tinycss2.ast import DimensionToken, PercentageToken

from .kits import Kit
from .presentation import Presentation

PROFILES = ("large-print",)
ALTERNATE_OUTPUT = {"braille": "brf", "text": "txt"}  # the format each of them adds

_POINTS = {"pt": 1.0, "px": 0.75, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "pc": 12.0}
_SHRINKING = {"smaller", "xx-small", "x-small", "small"}
# Drawn smaller than their parent by the user agent's stylesheet, or the page frame's own 9 pt
_FLOORED = (".running-header, .running-footer, .first-page-header, .first-page-footer, "
            "small, sub, sup, h4, h5, h6")
_lock = threading.Lock()
_made: WeakKeyDictionary[Kit, Presentation] = WeakKeyDictionary()


def honoured(request: str, profile: str | None, formats: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """The profile and formats of a letter whose addressee asked `request` (a case's
    `alternate_format`): large print instead of the normal size, or braille or plain text
    beside the formats asked."""
    if request == "large-print":
        return profile or request, formats
    added = ALTERNATE_OUTPUT.get(request)
    return profile, formats + ((added,) if added and added not in formats else ())


def presentation(kit: Kit, profile: str | None) -> Presentation:
    """How the kit's letters look in `profile` (None: as the kit says), made once per kit."""
    if profile is None:
        return kit.presentation
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}")
    with _lock:
        if kit not in _made:
            scale = kit.large_print_floor / kit.page.font_size
            _made[kit] = large_print(kit.presentation, scale, kit.large_print_floor)
        return _made[kit]


def large_print(look: Presentation, factor: float, floor: float) -> Presentation:
    """`look` with every size times `factor`, none below `floor` points."""
    last = f"{_FLOORED} {{ font-size: {floor:g}pt !important; }}\n"
    scaled = [(path, _scaled_css(text, factor, floor)) for path, text in look.print_css]
    css = _scaled_css(look.css, factor, floor) + last
    return replace(look, css=css, print_css=(*scaled, (look.reference_file.parent / "large-print.css", last)),
                   reference_docx=_scaled_docx(look.reference_docx, factor, floor), _derived={},
                   _lock=threading.RLock())


def _scaled_css(css: str, factor: float, floor: float) -> str:
    rules = tinycss2.parse_stylesheet(css, skip_comments=False, skip_whitespace=False)
    return "".join(_scaled_rule(rule, factor, floor).serialize() for rule in rules)


def _scaled_rule(rule, factor: float, floor: float):
    if rule.type not in ("qualified-rule", "at-rule") or rule.content is None:
        return rule
    if rule.type == "at-rule" and rule.lower_at_keyword in ("font-face", "import"):
        return rule
    parts = tinycss2.parse_blocks_contents(rule.content, skip_comments=False, skip_whitespace=False)
    if rule.type == "at-rule" and rule.lower_at_keyword == "media":
        parts = tinycss2.parse_rule_list(rule.content, skip_comments=False, skip_whitespace=False)
    text = "".join(_scaled_part(part, factor, floor) for part in parts)
    rule.content = tinycss2.parse_component_value_list(text)
    return rule


def _scaled_part(part, factor: float, floor: float) -> str:
    if part.type == "declaration" and part.lower_name in ("font-size", "font", "line-height"):
        value = [_scaled_token(token, factor, floor, part.lower_name) for token in part.value]
        important = " !important" if part.important else ""
        return f"{part.name}:{tinycss2.serialize(value)}{important};"
    if part.type in ("qualified-rule", "at-rule"):  # a margin box in @page, a rule in @media
        return _scaled_rule(part, factor, floor).serialize()
    return part.serialize() + (";" if part.type == "declaration" else "")


def _scaled_token(token, factor: float, floor: float, name: str):
    """An absolute length scaled (a font size to at least `floor`), a shrinking one made 1em."""
    if isinstance(token, DimensionToken) and token.lower_unit in _POINTS:
        points = token.value * _POINTS[token.lower_unit] * factor
        points = points if name == "line-height" else max(points, floor)
        return DimensionToken(token.source_line, token.source_column, points, None, f"{points:g}", "pt")
    shrinking = ((isinstance(token, DimensionToken) and token.lower_unit == "em" and token.value < 1)
                 or (isinstance(token, PercentageToken) and token.value < 100)
                 or (token.type == "ident" and token.lower_value in _SHRINKING))
    if shrinking and name != "line-height":
        return DimensionToken(token.source_line, token.source_column, 1, 1, "1", "em")
    return token


def _scaled_docx(docx: bytes, factor: float, floor: float) -> bytes:
    """The DOCX with every size in its parts (styles, document defaults, the runs of body,
    header and footer) times `factor`, none below `floor`; and the lengths CSS gives in
    `em` (spacing, fixed line heights, indents, cell padding: the reference's are made
    from the stylesheet at the kit's size) times `factor` too, as they grow in the PDF."""
    source, made = zipfile.ZipFile(io.BytesIO(docx)), io.BytesIO()
    with zipfile.ZipFile(made, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith("word/") and item.filename.endswith(".xml"):
                content = _scaled_part_xml(content, factor, floor)
            target.writestr(item, content)
    return made.getvalue()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_LENGTHS = {"spacing": ("before", "after"), "ind": ("left", "right", "start", "end", "hanging", "firstLine")}


def _scaled_part_xml(content: bytes, factor: float, floor: float) -> bytes:
    root = etree.fromstring(content)
    growth = _style_growth(root, factor, floor)
    for element in root.iter(f"{_W}sz", f"{_W}szCs"):
        element.set(f"{_W}val", str(_scaled_size(int(element.get(f"{_W}val")), factor, floor)))
    for tag, names in _LENGTHS.items():
        for element in root.iter(f"{_W}{tag}"):
            fixed = element.get(f"{_W}lineRule") in ("atLeast", "exact")
            style = next(element.iterancestors(f"{_W}style"), None)
            times = growth.get(style.get(f"{_W}styleId"), factor) if style is not None else factor
            for name in names + (("line",) if fixed else ()):
                if (value := element.get(f"{_W}{name}")) is not None:
                    element.set(f"{_W}{name}", str(round(int(value) * times)))
    for element in root.iter(f"{_W}tblCellMar"):
        for side in element:
            if side.get(f"{_W}type") == "dxa":
                side.set(f"{_W}w", str(round(int(side.get(f"{_W}w")) * factor)))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _scaled_size(half_points: int, factor: float, floor: float) -> int:
    return max(round(half_points * factor), round(2 * floor))


def _style_growth(root: etree._Element, factor: float, floor: float) -> dict[str, float]:
    """How much each style that sizes its own text grows it: more than `factor` when the
    floor lifts it (10 pt addressees to 18, not 16.4). Its lengths grow as much, as the
    stylesheet's `em` lengths and unitless line heights grow with their element's size."""
    growth = {}
    for style in root.iter(f"{_W}style"):
        size = style.find(f"{_W}rPr/{_W}sz")
        if size is not None and int(size.get(f"{_W}val")) > 0:
            old = int(size.get(f"{_W}val"))
            growth[style.get(f"{_W}styleId")] = _scaled_size(old, factor, floor) / old
    return growth
