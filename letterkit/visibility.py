"""Which text of a letter its stylesheets hide from a reader.

A kit's rules count only what a reader sees (`letterkit.rules`). The tree has no
styles of its own; it takes its look from the kit's stylesheets through the classes
its blocks give. So a class whose rules hide text — `display: none`, `visibility:
hidden`, no size, no opacity, text the colour of its background, pushed off the
page or clipped away — makes its text invisible to the rules too, in every format,
whatever the writers of the other formats do with it.

A stylesheet that hides text without naming a class (`p:nth-child(3)`, `blockquote`)
could hide any node: the rules then trust no text of the letter, and say why. Word
takes its look from the reference DOCX instead: a paragraph or character style there
marked hidden (`w:vanish`) hides the classes written in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import tinycss2
import tinycss2.color3

from .presentation import Presentation
from .writers.docx_styles import reference_styles, style_name

_CLASS = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")
_LENGTH = re.compile(r"(-?[0-9]*\.?[0-9]+)([a-z%]*)")
_TINY = {"": 1e-9, "px": 4, "pt": 3, "pc": 0.25, "mm": 1, "cm": 0.1, "in": 0.04, "em": 0.3, "rem": 0.3, "%": 30,
         "ex": 0.6, "ch": 0.6, "vw": 0.3, "vh": 0.3}  # below these, a font size shows nothing legible
_FAR = {"px": 500, "pt": 400, "em": 30, "rem": 30, "in": 5, "cm": 12, "mm": 120}  # offsets that leave the page


@dataclass(frozen=True)
class Visibility:
    """What a kit's stylesheets hide: classes, and rules that hide without a class."""

    hidden_classes: frozenset[str]
    unclassed: tuple[str, ...] = ()  # "style.css:12: p:nth-child(3) (display: none)"
    word_styles: tuple[str, ...] = ()  # "reference.docx: the Word style 'Notice' is hidden"

    def hides(self, cls: str) -> bool:
        return bool(self.unclassed) or any(name in self.hidden_classes for name in cls.split())


def of_presentation(presentation: Presentation) -> Visibility:
    """What a kit's look hides: its stylesheets' rules, and its reference DOCX's hidden
    styles; worked out once per loaded kit."""
    return presentation.derived(_of_presentation)


def _of_presentation(presentation: Presentation) -> Visibility:
    css = of_stylesheets(presentation.print_css)
    word = reference_styles(presentation).hidden
    classes = {cls for cls in _classes(presentation.print_css) if style_name(cls) in word}
    return Visibility(css.hidden_classes | classes, css.unclassed,
                      tuple(f"{presentation.reference_file.name}: the Word style {name!r} is hidden"
                            for name in sorted(word)))


def of_stylesheets(sheets: tuple[tuple[Path, str], ...]) -> Visibility:
    """The classes each of `sheets` ((file, CSS text), in every medium) hides."""
    hidden: set[str] = set()
    unclassed: list[str] = []
    for path, css in sheets:
        for selector, line, why in _hiding_rules(tinycss2.parse_stylesheet(css, True, True)):
            classes = _CLASS.findall(selector)
            if classes:
                hidden.update(classes)
            else:
                unclassed.append(f"{path.name}:{line}: {selector} ({why})")
    return Visibility(frozenset(hidden), tuple(unclassed))


def _classes(sheets: tuple[tuple[Path, str], ...]) -> set[str]:
    """Every class a stylesheet names: those a kit's blocks may give."""
    return {cls for _, css in sheets for cls in _CLASS.findall(css)}


def _hiding_rules(rules) -> list[tuple[str, int, str]]:
    """(selector, line, the declaration that hides) of each style rule that hides text,
    inside `@media` and `@supports` too."""
    found = []
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports") and rule.content:
            found += _hiding_rules(tinycss2.parse_rule_list(rule.content, True, True))
        elif rule.type == "qualified-rule":
            declarations = {d.lower_name: d.value for d in tinycss2.parse_declaration_list(rule.content, True, True)
                            if d.type == "declaration"}
            if why := hiding(declarations):
                found.append((tinycss2.serialize(rule.prelude).strip(), rule.source_line, why))
    return found


def hiding(declarations: dict[str, list]) -> str | None:
    """The declaration (as text) by which a rule hides its text from a reader, if any."""
    text = {name: tinycss2.serialize(value).strip().lower() for name, value in declarations.items()}
    for name, value in text.items():
        if ((name == "display" and value.startswith("none"))
                or (name in ("visibility", "content-visibility") and value.split()[0] in ("hidden", "collapse"))
                or (name == "opacity" and (opacity := _number(value)) is not None and opacity < 0.2)
                or (name == "font-size" and _tiny(value))
                or (name in ("clip", "clip-path") and value not in ("auto", "none"))
                or (name == "transform" and re.search(r"scale[xy]?\(\s*0*\.?0*\s*[,)]", value))
                or (name in ("text-indent", "left", "top", "right", "margin-left", "margin-top") and _far(value))):
            return f"{name}: {value}"
    if _unreadable(declarations):
        return f"color: {text['color']}"
    if text.get("overflow", "").startswith(("hidden", "clip")):
        for name in ("height", "max-height", "width", "max-width"):
            if name in text and _number(text[name]) == 0:
                return f"{name}: {text[name]} with overflow: {text['overflow']}"
    return None


def _unreadable(declarations: dict[str, list]) -> bool:
    """Text whose colour is transparent, or (nearly) that of its background, white if none."""
    color = _color(declarations.get("color"))
    if color is None:
        return False
    background = _color(declarations.get("background-color") or declarations.get("background"))
    if color.alpha < 0.2:
        return True
    if background is None or background.alpha < 0.2:
        background = tinycss2.color3.parse_color("white")
    return _contrast(color, background) < 1.5


def _color(value: list | None):
    tokens = [token for token in value or () if token.type != "whitespace"]
    if not tokens:
        return None
    color = tinycss2.color3.parse_color(tokens[0])
    return color if isinstance(color, tinycss2.color3.RGBA) else None


def _contrast(a, b) -> float:
    """WCAG contrast ratio of two colours."""
    def luminance(c):
        def channel(v):
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(c.red) + 0.7152 * channel(c.green) + 0.0722 * channel(c.blue)
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _number(value: str) -> float | None:
    match = _LENGTH.match(value)
    return float(match.group(1)) if match else None


def _tiny(value: str) -> bool:
    match = _LENGTH.match(value)
    return match is not None and match.group(2) in _TINY and float(match.group(1)) < _TINY[match.group(2)]


def _far(value: str) -> bool:
    match = _LENGTH.match(value)
    return match is not None and match.group(2) in _FAR and float(match.group(1)) <= -_FAR[match.group(2)]
