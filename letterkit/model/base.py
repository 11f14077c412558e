"""The base every case model builds on: strict fields, text every format can hold."""

from __future__ import annotations

import datetime
import math
import typing
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, field_validator
from pydantic.json_schema import DEFAULT_REF_TEMPLATE, GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import core_schema

from .text import check_text

# The most entries a list of a case holds (items, records reviewed, licences...). A real
# letter has a few, or a few hundred records; at 2,000 a letter is some 1,600 pages and
# takes minutes to lay out (benchmarks/bench_big.py). Refused before its entries are
# validated, naming the field, rather than taking the case's time and the machine's memory.
MAX_LIST_ENTRIES = 2_000


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


class _BoundedLists(GenerateJsonSchema):
    """pydantic's JSON Schema, with the bound every list of a case has (`maxItems`): the
    check is a validator of ours, which pydantic's schema cannot see, and an exporter
    that checks its cases against the schema should meet the bound there first."""

    def list_schema(self, schema: core_schema.ListSchema) -> JsonSchemaValue:
        return _bounded(super().list_schema(schema))

    def tuple_schema(self, schema: core_schema.TupleSchema) -> JsonSchemaValue:
        return _bounded(super().tuple_schema(schema))


def _bounded(array: JsonSchemaValue) -> JsonSchemaValue:
    return {**array, "maxItems": min(array.get("maxItems", MAX_LIST_ENTRIES), MAX_LIST_ENTRIES)}


class CaseModel(BaseModel):
    """A part of a case: unknown fields are errors, and no text is blank or breaks a writer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def model_json_schema(cls, by_alias: bool | None = None, ref_template: str = DEFAULT_REF_TEMPLATE,
                          schema_generator: type[GenerateJsonSchema] = _BoundedLists,
                          mode: JsonSchemaMode = "validation", **kwargs: Any) -> dict[str, Any]:
        """The JSON Schema of the case data, lists bounded (`_BoundedLists`)."""
        return super().model_json_schema(by_alias, ref_template, schema_generator, mode, **kwargs)

    @field_validator("*", mode="after")
    @classmethod
    def _text_is_printable(cls, value: Any) -> Any:
        return _check_strings(value)

    @field_validator("*", mode="before")
    @classmethod
    def _lists_are_bounded(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)) and len(value) > MAX_LIST_ENTRIES:
            raise ValueError(f"has {len(value):,} entries; a list in a case holds {MAX_LIST_ENTRIES:,} at most")
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _dates_are_written_as_dates(cls, value: Any, info: ValidationInfo) -> Any:
        # pydantic reads a number as seconds since 1970: `date_of_injury: 0` would be
        # January 1, 1970. A date in a case is written as one (2015-10-19), never a number.
        if isinstance(value, (int, float)) and info.field_name in _date_fields(cls):
            raise ValueError("a date is written as YYYY-MM-DD, not as a number")
        return value


def _date_fields(model: type[BaseModel]) -> frozenset[str]:
    fields = model.__dict__.get("_letterkit_date_fields")
    if fields is None:
        fields = frozenset(name for name, field in model.model_fields.items() if _is_date(field.annotation))
        setattr(model, "_letterkit_date_fields", fields)
    return fields


def _is_date(annotation: Any) -> bool:
    """A date, or a date that may be left out (`date | None`)."""
    return annotation is datetime.date or any(_is_date(arg) for arg in typing.get_args(annotation))


class CaseTranslation(CaseModel):
    """The case's text in another language, and who translated it, when."""

    translator: str = Field(description="Who translated the case text: name and qualification.")
    date: datetime.date = Field(description="When it was translated.")
    text: dict[str, str] = Field(description="Each field translated, by its path (clinical_summary, "
                                             "requests[0].rationale): its text in the language.")


class Letter(CaseModel):
    """The root of a kit's case model: one letter.

    `language` is a BCP 47 tag; writers put it on the HTML page, the PDF and the DOCX.
    `translations` holds the case's text in other languages (letterkit.letter_language).
    `alternate_format` is the addressee's standing request for another format: the letter
    then comes in large print, or with its braille or plain text too (letterkit.profiles).
    """

    language: str = "en-US"
    translations: dict[str, CaseTranslation] = Field(
        default_factory=dict, description="The case's text in other languages, by language code (es): "
        "a letter in that language prints it in place of the fields it names.")
    alternate_format: Literal["none", "large-print", "braille", "text"] = "none"
    # What validation computed for the letter once, for composing and checking it to read:
    # (the kit's rules, its calendars, the deadlines by name) — letterkit.rules.kept.
    _deadlines: tuple[Any, Any, dict[str, datetime.date]] | None = PrivateAttr(default=None)


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
