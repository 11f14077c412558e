"""Case fields a kit declares in its `kit.toml`, without Python.

```toml
[[field]]
name = "notice_sent"
type = "date"                 # text, rich text, date, number, choice, or "list of" one of them
required = false              # the default; an optional field a block prints needs {% if %}
description = "When the notice of the determination was sent."

[[field]]
name = "delivery"
type = "choice"
values = ["mail", "email"]
```

Declared fields become top-level fields of the kit's model (`extend_model`): validated
like any other, with their field path in errors, shown by `letterkit schema` and
`letterkit vars`, and printed by blocks as `{{ notice_sent | date }}`.
"""

from __future__ import annotations

import datetime
import keyword
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from .model import Letter, RichText

# What a `type` names, and what a case holds for it. `number` keeps whole numbers whole
# ("3", never "3.0") and takes decimals too.
_SCALARS: dict[str, Any] = {
    "text": str,
    "rich text": RichText,
    "date": datetime.date,
    "number": int | float,
}
TYPES = (*_SCALARS, "choice")
_LIST = "list of "


class DeclaredField(BaseModel):
    """One `[[field]]` table of a `kit.toml`; any other key is a mistake, reported by name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    type: str
    required: bool = False
    description: str = ""
    values: tuple[str, ...] | None = None  # for a choice: what a case may hold

    @field_validator("name")
    @classmethod
    def _a_name_blocks_can_print(cls, name: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or keyword.iskeyword(name):
            raise ValueError(f"{name!r}: use lowercase letters, digits and '_', starting with a letter")
        return name

    @field_validator("type")
    @classmethod
    def _a_known_type(cls, type: str) -> str:
        if type.removeprefix(_LIST) not in TYPES:
            known = ", ".join(TYPES)
            raise ValueError(f"{type!r}: choose one of {known}, or 'list of' one of them")
        return type

    @property
    def is_list(self) -> bool:
        return self.type.startswith(_LIST)

    @property
    def element(self) -> str:
        """The type of the value, or of each element of a list: "date", "choice"…"""
        return self.type.removeprefix(_LIST)

    def annotation(self) -> Any:
        if self.element == "choice":
            if not self.values:
                raise ValueError("a choice needs its values, e.g. values = [\"mail\", \"email\"]")
            element = Literal[self.values]
        elif self.values is not None:
            raise ValueError("only a choice has values")
        else:
            element = _SCALARS[self.element]
        return list[element] if self.is_list else element

    def pydantic_field(self) -> tuple[Any, Any]:
        """(annotation, FieldInfo): a required list holds at least one value; an optional
        list is empty, an optional value None, when the case leaves them out."""
        annotation, described = self.annotation(), {"description": self.description or None}
        if self.required:
            return annotation, Field(..., min_length=1, **described) if self.is_list else Field(..., **described)
        if self.is_list:
            return annotation, Field(default_factory=list, **described)
        return annotation | None, Field(None, **described)


def read_declared(tables: list[dict], where: str) -> tuple[DeclaredField, ...]:
    """The `[[field]]` tables of a manifest, checked; a mistake is a ValueError naming the field."""
    declared, seen = [], set()
    for index, table in enumerate(tables):
        label = f"{where}: field[{index}]" + (f" {table['name']!r}" if isinstance(table, dict) and "name" in table else "")
        try:
            field = DeclaredField.model_validate(table)
            field.annotation()
        except ValueError as error:  # pydantic's ValidationError is one
            raise ValueError(f"{label}: {_first_problem(error)}") from None
        if field.name in seen:
            raise ValueError(f"{label}: declared twice")
        seen.add(field.name)
        declared.append(field)
    return tuple(declared)


def _first_problem(error: ValueError) -> str:
    problems = getattr(error, "errors", None)
    if problems is None:
        return str(error)
    problem = problems()[0]
    key = ".".join(str(part) for part in problem["loc"])
    if problem["type"] == "extra_forbidden":
        return f"unknown key {key!r} (a field may have: {', '.join(DeclaredField.model_fields)})"
    return f"{key}: {problem['msg'].removeprefix('Value error, ')}" if key else problem["msg"]


def extend_model(model: type[Letter], declared: tuple[DeclaredField, ...]) -> type[Letter]:
    """The kit's model with the declared fields added: a subclass, so that its computed
    values (`letter.overall`) and validators carry over."""
    if not declared:
        return model
    for field in declared:
        if field.name in model.model_fields or hasattr(model, field.name):
            raise ValueError(f"field {field.name!r} is already a field or computed value of "
                             f"{model.__name__}; choose another name")
    extended = create_model(model.__name__, __base__=model, __module__=model.__module__,
                            **{field.name: field.pydantic_field() for field in declared})
    extended.__doc__ = model.__doc__
    return extended
