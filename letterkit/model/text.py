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


def check_text(text: str) -> str:
    """Refuse text with a character no letter may hold; the message names it and where."""
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
            lambda value: cls(check_text(value)), core_schema.str_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: GetJsonSchemaHandler):
        json_schema = handler(schema)
        json_schema.update(contentMediaType="text/markdown")
        return json_schema
