"""Marks that carry case data through the kit's Markdown without Markdown reading it.

When a block prints a value, composition writes a placeholder instead of the value:
two Unicode noncharacters around a kind letter, the value's UTF-8 in hex and, when
the value came from a field of the case, `-` and the field's path in hex (what the
kit's rules ask of the text a field printed: `letterkit.provenance`). Hex has
no meaning to Markdown or HTML, so the value cannot become markup, and because the
placeholder carries the value itself, the kit's macros (shared by every render) need
no table of printed values. Before Markdown, the render takes the values out into a
tuple of its own, numbering the placeholders (`take_values`); the reader turns each
back into the value (plain text), into blocks (rich text, a guideline quote), or
refuses it where it cannot go. Noncharacters are Unicode's own "for internal use"
code points; case data that holds one is refused at validation, so case data can
never forge a placeholder.
"""

from __future__ import annotations

import re

OPEN, CLOSE = "\ufdd0", "\ufdd1"
PLAIN, RICH, QUOTE = "v", "r", "q"

PATTERN = re.compile(f"{OPEN}([{PLAIN}{RICH}{QUOTE}])([0-9a-f]*)(?:-([0-9a-f]*))?{CLOSE}")
NUMBERED = re.compile(f"{OPEN}([{PLAIN}{RICH}{QUOTE}])([0-9]+){CLOSE}")  # see `take_values`
STRAY = re.compile(f"[{OPEN}{CLOSE}]")


class Composed(str):
    """What a kit macro returns: Markdown the kit wrote, data in it already placeholders,
    which the blocks' environment prints as it is."""


def composed(text: str) -> Composed:
    """Text a block rendered, given back as a macro's: printed as it is, not marked again."""
    return Composed(text)


def mark(kind: str, text: str, field: str = "") -> str:
    """A placeholder for `text`; `field` is the path of the case field it came from, if any."""
    path = f"-{field.encode('utf-8').hex()}" if field else ""
    return f"{OPEN}{kind}{text.encode('utf-8').hex()}{path}{CLOSE}"


def unmark(match: re.Match) -> tuple[str, str, str]:
    """(kind, text, field path or "") of a placeholder matched by `PATTERN`."""
    field = bytes.fromhex(match.group(3)).decode("utf-8") if match.group(3) else ""
    return match.group(1), bytes.fromhex(match.group(2)).decode("utf-8"), field


def take_values(source: str) -> tuple[str, tuple[tuple[str, str, str], ...]]:
    """`source` without its case data, and the (kind, text, field) of each value taken out.

    Each placeholder keeps its kind and gets, for its value, the value's number in the
    tuple (matched by `NUMBERED`). What is left depends on the kit and the letter's
    shape (which blocks, how many items), never on a value — unless a block changed a
    printed value (`{% filter upper %}`), leaving a mark that is no placeholder, which
    the caller must refuse — so the Markdown of one letter's skeleton serves every
    letter of that shape; the values stay with the render.
    """
    values: list[tuple[str, str, str]] = []

    def number(match: re.Match) -> str:
        values.append(unmark(match))
        return f"{OPEN}{match.group(1)}{len(values) - 1}{CLOSE}"

    return PATTERN.sub(number, source), tuple(values)
