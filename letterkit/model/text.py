"""The two kinds of text a case holds: plain text, shown exactly as typed, and rich text.

Plain text is any `str` field. Rich text is a field typed `RichText`: Markdown
(paragraphs, emphasis, lists, block quotes, tables) without raw HTML, links or images.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

# Characters a letter refuses, with the reason a user is told.
_REFUSED = [
    # XML 1.0 cannot hold these, so neither can DOCX, nor a PDF's XMP metadata.
    # Tab, line feed and carriage return are allowed; so is everything printable.
    (re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]"),
     "the control character {} at position {}, which a letter cannot hold"),
    # Embeddings, overrides and isolates reorder the text around them: a value holding
    # one could turn the kit's own words back to front. (LRM and RLM, which only mark
    # a direction, are allowed.)
    (re.compile("[\u202a-\u202e\u2066-\u2069]"),
     "the bidirectional control {} at position {}, which would reorder the letter's text around it"),
    # Noncharacters are Unicode's internal-use code points; letterkit uses them itself.
    (re.compile("[\ufdd0-\ufdef]"), "the noncharacter {} at position {}, which is not text"),
]


# The longest rich text field: some 300 pages. Its HTML is parsed by libxml2, which drops
# a text node over 10,000,000 bytes without a word; a field this long (4 bytes a
# character at most) never makes one, and longer is refused rather than lost.
MAX_RICH_TEXT = 1_000_000
MAX_NESTING = 20  # quotes and lists inside one another; a rationale uses three or four
MAX_LIST_START = 32767  # the highest number Word starts a numbered list at
# The quote and list markers that open a line, each a level deeper than the last.
_MARKERS = re.compile(r"(?:(>)|[-*+](?=[ \t])|(\d+)\.(?=[ \t]))[ \t]*")


def check_rich_text(text: str) -> str:
    """Refuse rich text nested deeper than a letter can lay out, a list number Word cannot
    show, or more text than a letter can hold (MAX_RICH_TEXT)."""
    if len(text) > MAX_RICH_TEXT:
        raise ValueError(f"is {len(text):,} characters long; a letter's rich text field holds "
                         f"{MAX_RICH_TEXT:,} at most")
    for number, line in enumerate(text.splitlines(), 1):
        indent = len(line.expandtabs(4)) - len(line.lstrip(" \t").expandtabs(4))
        depth, position = indent // 4, len(line) - len(line.lstrip(" \t"))
        while marker := _MARKERS.match(line, position):
            if marker.group(2) and int(marker.group(2)) > MAX_LIST_START:
                raise ValueError(f"line {number} numbers a list from {marker.group(2)}; "
                                 f"a letter's list numbers go up to {MAX_LIST_START}")
            depth, position = depth + 1, marker.end()
        if depth > MAX_NESTING:
            raise ValueError(f"line {number} nests quotes or lists {depth} levels deep; "
                             f"a letter holds {MAX_NESTING} at most")
    return text


def check_text(text: str) -> str:
    """Refuse text with a character no letter may hold; the message names it and where."""
    if text.isprintable():  # none of them is printable: most text is found clean at once
        return text
    for pattern, reason in _REFUSED:
        if match := pattern.search(text):
            character = f"U+{ord(match.group()):04X}"
            raise ValueError(f"contains {reason.format(character, match.start())}; "
                             "remove it from the case data")
    return text


class RichText(str):
    """Markdown text: the field's value is formatted, not shown verbatim.

    Raw HTML in it is shown as typed, never interpreted.
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler):
        return core_schema.no_info_after_validator_function(
            lambda value: cls(check_rich_text(check_text(value))), core_schema.str_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: GetJsonSchemaHandler):
        json_schema = handler(schema)
        json_schema.update(contentMediaType="text/markdown")
        return json_schema
