"""Where a field path leads in a case model: which fields a part of the case may have."""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, Union

from pydantic import BaseModel


def unwrap(kind: Any) -> Any:
    """`X` of `X | None` and of `Annotated[X, …]` (a field read through a validator: a copy
    recipient); None for a union of several kinds (not followed further)."""
    kind = _bare(kind)
    if typing.get_origin(kind) in (Union, types.UnionType):
        arguments = [argument for argument in typing.get_args(kind) if argument is not type(None)]
        return _bare(arguments[0]) if len(arguments) == 1 else None
    return kind


def _bare(kind: Any) -> Any:
    return typing.get_args(kind)[0] if typing.get_origin(kind) is Annotated else kind


def fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names of the part of the case at `loc` (("denied", 1) → a denied item's
    fields); none where the path leads to no model."""
    kind: Any = model
    for part in loc:
        kind = unwrap(kind)
        if isinstance(part, int):
            arguments = typing.get_args(kind)
            kind = arguments[0] if arguments and typing.get_origin(kind) in (list, tuple) else None
        elif isinstance(kind, type) and issubclass(kind, BaseModel) and part in kind.model_fields:
            kind = kind.model_fields[part].annotation
        else:
            return []
    kind = unwrap(kind)
    return list(kind.model_fields) if isinstance(kind, type) and issubclass(kind, BaseModel) else []
