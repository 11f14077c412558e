"""Which field of the case each value a block prints came from.

A kit's rules are met by the kit's own words and by the node that prints a field,
never by the same words typed into another field (`letterkit.rules`). So while a
letter renders, every value a block reads from the case carries its field path:
`item.guideline.source` in a loop over items reads as `items[1].guideline.source`.
The path travels with the value (a `str`, `date`, `int` or `float` subclass that
behaves exactly like the value) through the kit's filters into the placeholder
(`letterkit.placeholders`), and from there onto the text node the reader makes.

Which objects sit where is the render's own state: a `Trace` made for its letter and
set, for the duration of the render, in a context variable — per thread, so renders
on any number of threads never see each other's letter.
"""

from __future__ import annotations

import contextlib
import datetime
import enum
from contextvars import ContextVar
from typing import Any, Iterator

from pydantic import BaseModel


class Trace:
    """The field path of every case object (model) of one letter."""

    def __init__(self, letter: BaseModel):
        self.paths: dict[int, str] = {}
        self._walk(letter, "")

    def _walk(self, value: Any, path: str) -> None:
        if isinstance(value, BaseModel):
            self.paths[id(value)] = path
            for name in type(value).model_fields:
                self._walk(getattr(value, name), f"{path}.{name}" if path else name)
        elif isinstance(value, (list, tuple)):
            for index, element in enumerate(value):
                if isinstance(element, BaseModel):
                    self._walk(element, f"{path}[{index}]")


_current: ContextVar[Trace | None] = ContextVar("letterkit_trace", default=None)


@contextlib.contextmanager
def tracing(letter: BaseModel) -> Iterator[None]:
    """Trace the fields of `letter` while the `with` body renders it."""
    token = _current.set(Trace(letter))
    try:
        yield
    finally:
        _current.reset(token)


def attribute(obj: Any, name: str, value: Any) -> Any:
    """`value`, read as `obj.name`, carrying its field path when `obj` is a case object."""
    trace = _current.get()
    if trace is None or not isinstance(obj, BaseModel):
        return value
    base = trace.paths.get(id(obj))
    return value if base is None else traced(value, f"{base}.{name}" if base else name)


def element(obj: Any, index: Any, value: Any) -> Any:
    """`value`, read as `obj[index]`, carrying its path when `obj` is a traced list."""
    path = field_of(obj)
    return traced(value, f"{path}[{index}]") if path and isinstance(index, int) else value


def traced(value: Any, path: str) -> Any:
    """`value` carrying `path`; case objects keep theirs in the trace; True, False, None,
    the members of an enumeration and times of day stay themselves (no subclass of theirs
    can stand for them)."""
    if isinstance(value, (str, datetime.date, int, float)) and not isinstance(
            value, (bool, enum.Enum, datetime.datetime)):
        return _copy(value, path)
    if isinstance(value, (list, tuple)) and not isinstance(value, _TracedList):
        return _TracedList(path, [traced(item, f"{path}[{index}]") for index, item in enumerate(value)])
    return value


def field_of(value: Any) -> str:
    """The field path a value carries, "" for a value of no field (one a block made)."""
    return getattr(value, "_letterkit_field", "") if isinstance(value, _Traced) else ""


# A text made from several values (`a ~ " " ~ b`) carries each one's path, joined by
# FIELDS; a path whose value the text no longer holds (`| truncate`) is followed by LOST
# and what lost it, for the rules' messages (letterkit.traced_text).
FIELDS, LOST = "\x1e", "\x1f"


def fields_of(value: Any) -> list[str]:
    """Each path a value carries (most carry one; none for a value of no field)."""
    field = field_of(value)
    return field.split(FIELDS) if field else []


def lost(path: str, cause: str) -> str:
    return f"{path}{LOST}{cause}"


def printed_fields(field: str) -> list[tuple[str, str]]:
    """(path, cause) for each path a printed text's field names; cause "" where it holds the value."""
    return [tuple(part.partition(LOST)[::2]) for part in field.split(FIELDS)] if field else []  # type: ignore[misc]


def carry(source: Any, result: Any) -> Any:
    """`result` of a filter applied to `source`, carrying the path `source` carries."""
    path = field_of(source)
    return traced(result, path) if path else result


_classes: dict[type, type] = {}


def _copy(value: Any, path: str) -> Any:
    kind = type(value)
    if isinstance(value, _Traced):
        kind = kind.__mro__[1]  # re-traced (a list element read by index): the value's own type
    traced_kind = _classes.get(kind)
    if traced_kind is None:
        # A subclass of the value's own type (a str, a RichText, a date…), so that
        # blocks, filters and the placeholder see the value exactly as it is.
        traced_kind = _classes[kind] = type(f"Traced{kind.__name__}", (kind, _Traced), {})
    try:
        if isinstance(value, datetime.date):
            copy = traced_kind(value.year, value.month, value.day)
        else:
            copy = traced_kind(value)
    except TypeError:  # a type of a kit's own whose constructor takes more: printed untraced
        return value
    copy._letterkit_field = path
    return copy


class _Traced:
    """Marks a value that carries the path of the field it came from."""

    _letterkit_field: str


class _TracedList(list, _Traced):
    def __init__(self, path: str, items: list):
        super().__init__(items)
        self._letterkit_field = path

