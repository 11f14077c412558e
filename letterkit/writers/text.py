"""Document tree → plain text: the letter in reading order, UTF-8, wrapped.

The base for email, screen readers and audio (letterkit.writers.audio reads it). Each
unit of `reading_order` is a paragraph of lines wrapped at `WIDTH` characters; lists and
quotations indent by `INDENT`; a blank line between units, none within a list or a row.
Words are never broken nor hyphenated: a word longer than a line stands on its own.
"""

from __future__ import annotations

import textwrap

from .. import tree
from .format import Files, Format, WriterInput
from .reading_order import Unit, reading_order

WIDTH = 72
INDENT = "    "


def write_text(document: tree.Document) -> str:
    """The letter as plain text, lines of at most `WIDTH` characters (but for a longer word)."""
    parts: list[str] = []
    for unit in reading_order(document):
        if parts and not unit.tight:
            parts.append("")
        parts += _layout(unit)
    return "\n".join(parts) + "\n"


def _layout(unit: Unit) -> list[str]:
    if unit.role == "heading":
        return _wrapped(unit.lines[0], "", "")
    indent = INDENT * max(unit.depth - (1 if unit.marker else 0), 0)
    if unit.role == "frame":
        return [line.center(WIDTH).rstrip() for line in _wrapped(unit.lines[0], "", "")]
    first = indent + (f"{unit.marker} " if unit.marker else "")
    later = indent + " " * (len(first) - len(indent))
    lines = _wrapped(unit.lines[0], first, later)
    for line in unit.lines[1:]:  # the letter's own line breaks (an address) stay
        lines += _wrapped(line, later, later)
    return lines


def _wrapped(text: str, first: str, later: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=later,
                         break_long_words=False, break_on_hyphens=False) or [first.rstrip()]


def _write_file(letter: WriterInput) -> Files:
    return {"txt": write_text(letter.document).encode("utf-8")}


FORMAT = Format("txt", "txt", _write_file, "plain text in reading order, UTF-8, wrapped at 72 characters")
