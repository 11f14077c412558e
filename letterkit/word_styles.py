"""Word styles a kit declares in its `kit.toml`: the DOCX counterpart of its CSS, so that
a new class reaches Word with no Word and no Python.

```toml
[[style]]
class = "denied-item"        # the class a block gives ({: .denied-item }): style "Denied Item"
based_on = "Normal"          # the default; "Heading 2", another declared style…
size = 12                    # points
bold = true
color = "8B0000"             # RGB, as in CSS without the #
space_before = 6             # points
space_after = 3
left_indent = 0.25           # inches
keep_with_next = true
border = "box"               # box, or sides: ["top", "bottom"]; none
align = "left"               # left, center, right, justify

[[style]]
class = "plan"               # a table: {{ table(rows, cls="plan") }}
type = "table"
border = ["top", "bottom"]   # the table's sides, rows, columns, each cell's: see TABLE_BORDERS
```

When the kit loads, each is added to (or replaces) the style of that name in the kit's
reference DOCX, whose other styles stay as they are. A style Word itself defines
(`class = "normal"` is "Normal", `heading-2` "Heading 2") is changed in place, never
replaced: Word and a screen reader know it by what it is (a heading's outline level), and
what the table leaves out stays as the reference has it. Normal's font and size are the
kit's `[page]` (letterkit.page_setup), which the PDF follows too: not a style's to set.
"""

from __future__ import annotations

import difflib
from typing import Literal

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Inches, Pt, RGBColor
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import KitError
from .pydantic_errors import Problem, problems
from .writers import docx_ooxml
from .writers.docx_styles import open_reference, style_name

# A border is what CSS's `border` says, in words: a style's sides, or for a table also the
# rules between its rows and columns and each cell's own sides (`td { border-top }`: a
# line to sign on). "box" is the four sides; a table's "grid" is the box, rows and columns.
PARAGRAPH_BORDERS = ("none", "box", "top", "bottom", "left", "right")
TABLE_BORDERS = ("none", "grid", "box", "top", "bottom", "left", "right", "rows", "columns",
                 "cell-top", "cell-bottom", "cell-left", "cell-right")
_SIDES = ("top", "bottom", "left", "right")
_WORD_SIDE = {"top": "top", "bottom": "bottom", "left": "left", "right": "right", "rows": "insideH",
              "columns": "insideV"}

_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
          "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


class WordStyle(BaseModel):
    """One `[[style]]` table; any other key is a mistake, reported by name."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    cls: str = Field(alias="class", pattern=r"^[a-z][a-z0-9-]*$")
    type: Literal["paragraph", "table"] = "paragraph"
    based_on: str | None = None
    font: str | None = None
    size: float | None = Field(None, gt=0, le=96)
    bold: bool | None = None
    italic: bool | None = None
    color: str | None = Field(None, pattern=r"^[0-9A-Fa-f]{6}$")
    space_before: float | None = Field(None, ge=0)
    space_after: float | None = Field(None, ge=0)
    left_indent: float | None = Field(None, ge=0)
    keep_with_next: bool | None = None
    align: Literal["left", "center", "right", "justify"] | None = None
    border: tuple[str, ...] | None = None  # words of PARAGRAPH_BORDERS or TABLE_BORDERS

    @field_validator("border", mode="before")
    @classmethod
    def _words(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _known_border(self) -> WordStyle:
        known = TABLE_BORDERS if self.type == "table" else PARAGRAPH_BORDERS
        for word in self.border or ():
            if word not in known:
                raise ValueError(f"border {word!r} is no border of a {self.type} style; one or a list of: "
                                 + ", ".join(known))
        return self

    def sides(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The sides the border draws, as Word names them: the style's (a table's: its
        sides, insideH, insideV), and for a table each cell's."""
        words = set(self.border or ())
        words |= set(_SIDES) if words & {"box", "grid"} else set()
        words |= {"rows", "columns"} if "grid" in words else set()
        own = tuple(_WORD_SIDE[word] for word in _WORD_SIDE if word in words)
        return own, tuple(side for side in _SIDES if f"cell-{side}" in words)

    @property
    def name(self) -> str:
        return style_name(self.cls)


def read_styles(tables: list[dict], where: str) -> tuple[WordStyle, ...]:
    """The `[[style]]` tables of a manifest; mistakes are a KitError naming each style."""
    styles, mistakes = [], []
    for index, table in enumerate(tables):
        label = f"{where}: style[{index}]" + (f" {table['class']!r}"
                                              if isinstance(table, dict) and "class" in table else "")
        try:
            styles.append(WordStyle.model_validate(table))
            _check_normal(styles[-1], label)
        except ValidationError as error:
            mistakes += [_mistake(label, problem) for problem in problems(error)]
        except ValueError as error:
            mistakes.append(str(error))
    if mistakes:
        raise KitError(*mistakes)
    return tuple(styles)


def _mistake(label: str, problem: Problem) -> str:
    if problem.unknown:
        names = [field.alias or name for name, field in WordStyle.model_fields.items()]
        close = difflib.get_close_matches(problem.key, names, n=1)
        hint = f"; did you mean {close[0]}?" if close else f" (a style may have: {', '.join(names)})"
        return f"{label}: unknown key {problem.key!r}{hint}"
    return f"{label}: {problem.line()}"


def _check_normal(declared: WordStyle, label: str) -> None:
    """Normal is the text's style: its font and size are the page's, for every format."""
    if declared.name != "Normal":
        return
    if declared.type != "paragraph":
        raise ValueError(f"{label}: Normal is Word's paragraph style; a table style needs another class")
    if taken := [key for key in ("font", "size") if getattr(declared, key) is not None]:
        raise ValueError(f"{label}: {' and '.join(taken)} of Normal are the kit's [page] (font, font_size), "
                         "which the PDF follows too: set them there")


def with_styles(reference: bytes, styles: tuple[WordStyle, ...]) -> bytes:
    """The reference DOCX with `styles` added, each replacing a style of its name."""
    if not styles:
        return reference
    document = open_reference(reference)
    for declared in styles:
        _add(document, declared)
    return docx_ooxml.save_all(document)


def _add(document, declared: WordStyle) -> None:
    styles = document.styles
    kind = WD_STYLE_TYPE.TABLE if declared.type == "table" else WD_STYLE_TYPE.PARAGRAPH
    names = [style.name for style in styles]
    builtin = declared.name in names and styles[declared.name].builtin
    if builtin and styles[declared.name].type != kind:
        raise KitError(f"[[style]] {declared.cls!r}: {declared.name!r} is a Word style of another type; "
                       "give the class another name")
    if declared.name in names and not builtin:
        styles[declared.name].delete()
    style = styles[declared.name] if builtin else styles.add_style(declared.name, kind)
    base = declared.based_on or (None if builtin else "Normal Table" if declared.type == "table" else "Normal")
    if base is not None and base not in names:
        raise KitError(f"[[style]] {declared.cls!r}: based_on {base!r} is no style of the reference DOCX")
    if base is not None:
        style.base_style = styles[base]
    style.quick_style = True
    font = style.font
    if declared.font:
        docx_ooxml.set_font(style, declared.font)
    if declared.size:
        font.size = Pt(declared.size)
    if declared.bold is not None:
        font.bold = declared.bold
    if declared.italic is not None:
        font.italic = declared.italic
    if declared.color:
        font.color.rgb = RGBColor.from_string(declared.color.upper())
    own, cells = declared.sides()
    if declared.type == "table":
        if declared.border is not None:
            docx_ooxml.set_table_borders(style, own, cells)
        return
    paragraph = style.paragraph_format
    for key in ("space_before", "space_after"):
        if (points := getattr(declared, key)) is not None:
            setattr(paragraph, key, Pt(points))
    if declared.left_indent is not None:
        paragraph.left_indent = Inches(declared.left_indent)
    if declared.keep_with_next is not None:
        paragraph.keep_with_next = declared.keep_with_next
    if declared.align:
        paragraph.alignment = _ALIGN[declared.align]
    if own:
        docx_ooxml.set_box(style, sides=own)
