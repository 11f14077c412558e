"""The base every case model builds on: strict fields, text every format can hold."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from .text import check_text


def _check_strings(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):  # YAML's .nan and .inf, JSON's NaN
        raise ValueError(f"is {value}, not a number a letter can print; give a finite number")
    if isinstance(value, str):
        check_text(value)
        if not value.strip():
            raise ValueError("is blank; leave the field out instead, or give it text")
    elif isinstance(value, (list, tuple)):
        for index, element in enumerate(value):
            try:
                _check_strings(element)
            except ValueError as error:
                raise ValueError(f"[{index}] {error}") from None
    return value


class CaseModel(BaseModel):
    """A part of a case: unknown fields are errors, and no text is blank or breaks a writer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _text_is_printable(cls, value: Any) -> Any:
        return _check_strings(value)


class Letter(CaseModel):
    """The root of a kit's case model: one letter.

    `language` is a BCP 47 tag; writers put it on the HTML page, the PDF and the DOCX.
    """

    language: str = "en-US"


def text_fields(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, text) for every string in a validated case, in field order:
    what checks that look at the text of a whole case walk."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from text_fields(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from text_fields(item, f"{path}[{index}]")
