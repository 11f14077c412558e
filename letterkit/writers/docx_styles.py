"""Word styles: which style a class is written in, and what the reference DOCX has.

The one place that knows how a block's class becomes a Word style (`style_name`) and
that opens a reference DOCX (`open_reference`). The DOCX writer writes in those styles;
a kit's `[[style]]` tables add to them (letterkit.word_styles); `letterkit lint` asks
which exist and the rules which are hidden (letterkit.visibility), both from one
parsed view (`ReferenceStyles`), made once per kit.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from docx import Document as _open_docx
from lxml import etree

from ..presentation import Presentation

if TYPE_CHECKING:
    from docx.document import Document

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def style_name(cls: str) -> str:
    """The Word style for a class: `item-title` → "Item Title"."""
    return cls.replace("-", " ").replace("_", " ").title()


def open_reference(blob: bytes) -> Document:
    """A reference DOCX as python-docx reads it, to write in or add styles to."""
    return _open_docx(io.BytesIO(blob))


@dataclass(frozen=True)
class ReferenceStyles:
    """The styles of a reference DOCX, by name."""

    names: frozenset[str]
    hidden: frozenset[str]  # whose text Word hides (`w:vanish`)

    @classmethod
    def read(cls, blob: bytes) -> ReferenceStyles:
        styles = open_reference(blob).styles
        return cls(frozenset(style.name for style in styles), frozenset(_hidden(styles.element)))


def reference_styles(presentation: Presentation) -> ReferenceStyles:
    """The styles of a kit's reference DOCX, parsed once per loaded kit."""
    return presentation.derived(_read_styles)


def _read_styles(presentation: Presentation) -> ReferenceStyles:
    return ReferenceStyles.read(presentation.reference_docx)


def _hidden(styles: etree._Element) -> list[str]:
    """The names, as styles.xml writes them, of the styles marked `w:vanish`."""
    hidden = []
    for style in styles.iterfind(f"{_W}style"):
        vanish = style.find(f"{_W}rPr/{_W}vanish")
        name = style.find(f"{_W}name")
        if vanish is not None and name is not None and vanish.get(f"{_W}val", "true") not in ("0", "false", "off"):
            hidden.append(name.get(f"{_W}val"))
    return hidden
