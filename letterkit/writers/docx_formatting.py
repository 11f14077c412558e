"""How Word shows each run of a written DOCX: its formatting through the whole style chain.

A run's look is decided, last word wins, by: the document's defaults (`w:docDefaults`),
its paragraph's style and the styles that style is based on (root first), its
character style (`w:rStyle`) and its chain, then the run's own properties. Whatever
reference DOCX a letter took its styles from (the kit's, a template folder's, one given
with `--reference-docx`), its styles are inside the written file: reading the file
reads what Word will show.

A run a reader cannot see says why: hidden (`w:vanish`, `w:specVanish`), too small, its
colour that of what is under it (the run's highlight or shading, the paragraph's
shading, the page's colour), squeezed or piled onto itself. A hidden toggle in both a
paragraph and a character style counts as hidden, though Word would toggle it back:
refusing such a letter is the safe mistake.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, partial

from lxml import etree

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LEGIBLE_SIZE = 6.0  # points: smaller type is no reading matter
SQUEEZED = 20  # per cent of its width (`w:w`): narrower letters cannot be read
CONTRAST = 64  # of 255 grey levels between text and what is under it
_HIGHLIGHT = {"black": "000000", "blue": "0000FF", "cyan": "00FFFF", "green": "00FF00", "magenta": "FF00FF",
              "red": "FF0000", "yellow": "FFFF00", "white": "FFFFFF", "darkBlue": "000080", "darkCyan": "008080",
              "darkGreen": "008000", "darkMagenta": "800080", "darkRed": "800000", "darkYellow": "808000",
              "darkGray": "808080", "lightGray": "C0C0C0"}


@dataclass
class Run:
    """The text of one run of the body, and why Word's reader cannot see it (None: can),
    worked out when first asked: most runs hold no words a rule wants."""

    text: str
    _why: Callable[[], str | None] = field(default=lambda: None, repr=False)

    @cached_property
    def problem(self) -> str | None:
        return self._why()


@dataclass(frozen=True)
class _Style:
    based_on: str | None
    run: etree._Element | None  # w:rPr
    paragraph: etree._Element | None  # w:pPr
    name: str
    table: etree._Element | None = None  # w:tblPr, of a table style


class StyleChain:
    """The styles of a DOCX by id, to resolve what a run's formatting comes to."""

    def __init__(self, styles: etree._Element | None):
        self.styles: dict[str, _Style] = {}
        self.defaults: dict[str, str | None] = {"paragraph": None, "character": None, "table": None}
        self.default_run = self.default_paragraph = None
        if styles is None:
            return
        self.default_run = styles.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
        self.default_paragraph = styles.find(f"{_W}docDefaults/{_W}pPrDefault/{_W}pPr")
        for style in styles.iterfind(f"{_W}style"):
            ident, kind = style.get(f"{_W}styleId"), style.get(f"{_W}type")
            if ident is None:
                continue
            name = style.find(f"{_W}name")
            self.styles[ident] = _Style(_val(style.find(f"{_W}basedOn")), style.find(f"{_W}rPr"),
                                        style.find(f"{_W}pPr"), _val(name) or ident, style.find(f"{_W}tblPr"))
            if style.get(f"{_W}default") in ("1", "true", "on") and kind in self.defaults:
                self.defaults[kind] = ident

    def chain(self, ident: str | None) -> list[_Style]:
        """A style and those it is based on, root first (a loop is cut where it closes)."""
        found: list[_Style] = []
        seen: set[str] = set()
        while ident is not None and ident in self.styles and ident not in seen:
            seen.add(ident)
            found.insert(0, self.styles[ident])
            ident = self.styles[ident].based_on
        return found


def runs(docx: bytes) -> list[Run]:
    """Every run of the letter's body, in reading order, with whether Word shows it."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
        names = set(archive.namelist())
        chain = StyleChain(etree.fromstring(archive.read("word/styles.xml")) if "word/styles.xml" in names else None)
    page = _val(body.find(f"{_W}background"), "color")
    found: list[Run] = []
    edited = next(body.iter(f"{_W}del", f"{_W}moveFrom"), None) is not None  # tracked changes: rare
    for paragraph in body.iter(f"{_W}p"):
        found += _paragraph_runs(paragraph, chain, page, edited)
        found.append(Run(" "))  # paragraphs are separate words
    return found


def _paragraph_runs(paragraph: etree._Element, chain: StyleChain, page: str | None,
                    edited: bool) -> Iterator[Run]:
    properties = paragraph.find(f"{_W}pPr")
    style = _val(properties.find(f"{_W}pStyle")) if properties is not None else None
    styles = chain.chain(style or chain.defaults["paragraph"])
    shading = _shading([chain.default_paragraph, *(s.paragraph for s in styles), properties])
    for run in paragraph.iter(f"{_W}r"):
        if edited and any(ancestor.tag in (f"{_W}del", f"{_W}moveFrom") for ancestor in run.iterancestors()):
            continue  # deleted text Word does not show
        text = "".join(node.text or "" if node.tag == f"{_W}t" else " " for node in run
                       if node.tag in (f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"))
        if text:
            yield Run(text, partial(_problem, run.find(f"{_W}rPr"), styles, chain, shading or page))


def _problem(own: etree._Element | None, paragraph: list[_Style], chain: StyleChain,
             under: str | None) -> str | None:
    """Why a run with properties `own`, in a paragraph of the styles `paragraph`, cannot be read."""
    character = chain.chain((_val(own.find(f"{_W}rStyle")) if own is not None else None)
                            or chain.defaults["character"])
    layers = [chain.default_run, *(s.run for s in paragraph), *(s.run for s in character), own]
    if why := _hidden(own, chain.default_run, [*paragraph, *character]):
        return why
    size = _last(layers, "sz")
    if size is not None and _number(size) / 2 < LEGIBLE_SIZE:
        return f"it is {_number(size) / 2:g} pt in Word, too small to read"
    if (scale := _last(layers, "w")) is not None and _number(scale) < SQUEEZED:
        return f"its letters are squeezed to {_number(scale):g}% of their width in Word"
    spacing = _last(layers, "spacing")
    if spacing is not None and _number(spacing) / 20 < -(_number(size or "20") / 2) / 2:
        return "its letters are piled onto one another in Word (negative spacing)"
    colour = _last(layers, "color")
    background = _highlight(_last(layers, "highlight")) or _shading(layers) or under or "FFFFFF"
    if colour is not None and colour.lower() != "auto" and _faint(colour, background):
        return f"its colour #{colour.upper()} has no contrast with #{background.upper()} under it in Word"
    return None


def _hidden(own: etree._Element | None, default: etree._Element | None, styles: list[_Style]) -> str | None:
    """Why Word hides a run: its own properties decide; else any style of its chains
    (or the defaults) that hides, named."""
    for name in ("vanish", "specVanish"):
        if (direct := _last([own], name)) is not None:
            if _on(direct):
                return f"it is hidden (w:{name})"
            continue
        if hiding := [style.name for style in styles if _on(_last([style.run], name))]:
            return f"the Word style {hiding[-1]!r} is hidden"
        if _on(_last([default], name)):
            return f"the document's default text is hidden (w:{name})"
    return None


def _last(layers: list[etree._Element | None], name: str) -> str | None:
    """The value the last layer to set property `name` gives it ("on" when it has no val)."""
    value = None
    for layer in layers:
        found = layer.find(f"{_W}{name}") if layer is not None else None
        if found is not None:
            value = _val(found) or "on"
    return value


def _shading(layers: list[etree._Element | None]) -> str | None:
    fill = None
    for layer in layers:
        found = layer.find(f"{_W}shd") if layer is not None else None
        if found is not None and (value := found.get(f"{_W}fill")) and value.lower() != "auto":
            fill = value
    return fill


def _highlight(value: str | None) -> str | None:
    return _HIGHLIGHT.get(value) if value else None


def _val(element: etree._Element | None, attribute: str = "val") -> str | None:
    return element.get(f"{_W}{attribute}") if element is not None else None


def _on(value: str | None) -> bool:
    return value is not None and value.lower() not in ("0", "false", "off")


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


def _faint(colour: str, background: str) -> bool:
    def grey(rgb: str) -> float:
        try:
            red, green, blue = (int(rgb[i:i + 2], 16) for i in (0, 2, 4))
        except ValueError:
            return 0.0
        return 0.299 * red + 0.587 * green + 0.114 * blue
    return abs(grey(colour) - grey(background)) < CONTRAST
