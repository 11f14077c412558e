"""A kit.toml table whose keys a kit inherits one by one (`[page]`, `[dates]`): each key
from the nearest kit in the chain that gives it."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from .pydantic_errors import first_problem

M = TypeVar("M", bound=BaseModel)


def read_inherited(model: type[M], heading: str, tables: list[tuple[str, dict]]) -> M:
    """`model` from the `[heading]` tables of a kit's chain, `(where, table)` farthest
    first. A mistake is a ValueError naming the file, the table and the key."""
    merged: dict = {}
    for where, table in tables:
        try:
            model.model_validate({**merged, **table})
        except ValidationError as error:
            problem = first_problem(error)
            if problem.unknown:
                known = ", ".join(model.model_fields)
                raise ValueError(f"{where}: [{heading}] has no key {problem.key!r} (it may have: {known})") from None
            raise ValueError(f"{where}: [{heading}] {problem.key}: {problem.message}") from None
        merged.update(table)
    return model.model_validate(merged)
