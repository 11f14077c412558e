"""A kit.toml table whose keys a kit inherits one by one (`[page]`, `[dates]`): each key
from the nearest kit in the chain that gives it."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def read_inherited(model: type[M], heading: str, tables: list[tuple[str, dict]]) -> M:
    """`model` from the `[heading]` tables of a kit's chain, `(where, table)` farthest
    first. A mistake is a ValueError naming the file, the table and the key."""
    merged: dict = {}
    for where, table in tables:
        try:
            model.model_validate({**merged, **table})
        except ValidationError as error:
            problem = error.errors()[0]
            key = ".".join(str(part) for part in problem["loc"])
            if problem["type"] == "extra_forbidden":
                known = ", ".join(model.model_fields)
                raise ValueError(f"{where}: [{heading}] has no key {key!r} (it may have: {known})") from None
            message = str(problem.get("ctx", {}).get("error") or problem["msg"])
            raise ValueError(f"{where}: [{heading}] {key}: {message}") from None
        merged.update(table)
    return model.model_validate(merged)
