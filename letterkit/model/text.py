"""The two kinds of text a case holds: plain text, shown exactly as typed, and rich text.

Plain text is any `str` field. Rich text is a field typed `RichText`: Markdown
(paragraphs, emphasis, lists, block quotes, tables) without raw HTML, links or images.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

# XML 1.0 cannot hold these, so neither can DOCX, nor a PDF's XMP metadata.
# Tab, line feed and carriage return are allowed; so is everything printable.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def check_xml_safe(text: str) -> str:
    """Refuse text with characters that no XML document, and so no DOCX, can hold."""
    if match := _NOT_IN_XML.search(text):
        position = match.start()
        raise ValueError(
            f"contains the control character U+{ord(match.group()):04X} at position "
            f"{position}, which a letter cannot hold; remove it from the case data"
        )
    return text


class RichText(str):
    """Markdown text: the field's value is formatted, not shown verbatim.

    Raw HTML in it is shown as typed, never interpreted.
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler):
        return core_schema.no_info_after_validator_function(
            lambda value: cls(check_xml_safe(value)), core_schema.str_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: GetJsonSchemaHandler):
        json_schema = handler(schema)
        json_schema.update(contentMediaType="text/markdown")
        return json_schema
