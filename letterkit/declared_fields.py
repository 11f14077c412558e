"""Case fields a kit declares in its `kit.toml`, without Python.

```toml
[[field]]
name = "notice_sent"
type = "date"                 # see TYPES; or "list of" one of them
required = false              # the default; an optional field a block prints needs {% if %}
description = "When the notice of the determination was sent."

[[field]]
name = "delivery"
type = "choice"
values = ["mail", "email"]
default = "mail"              # what a case that leaves the field out holds

[[field]]
name = "denied"
type = "list of group"        # a group has fields of its own, declared under it
required = true
[[field.field]]
name = "item"
type = "text"
required = true
[[field.field]]
name = "reason"
type = "rich text"
required = true
```

Declared fields become top-level fields of the kit's model (`extend_model`): validated
like any other, with their field path in errors (`denied[1].reason`), shown by
`letterkit schema` and `letterkit vars`, and printed by blocks as `{{ notice_sent | date }}`.
A `boolean` left out is false; rules read booleans and choices in their `when`.
"""

from __future__ import annotations

import datetime
import keyword
import math
import re
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    ValidationError,
    create_model,
    field_validator,
)

from .model import Address, CaseModel, CopyRecipient, Letter, Organisation, Party, RichText, Signature
from .pydantic_errors import first_problem


def _a_number(value: Any) -> Any:
    """A number as a letter prints it: typed as one (not "12", not true), finite, at most
    15 digits (1e21 would print as "1e+21"), and never -0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be a number, written without quotes")
    if math.isfinite(value) and abs(value) >= 1e15:  # not finite: the case model says so (model.base)
        raise ValueError("is too large a number for a letter (at most 15 digits)")
    if value == 0 and math.copysign(1, value) < 0:
        raise ValueError("is -0; write 0")
    return value


# What a `type` names, and what a case holds for it. `number` keeps whole numbers whole
# ("3", never "3.0") and takes decimals too.
_SCALARS: dict[str, Any] = {
    "text": str,
    "rich text": RichText,
    "date": datetime.date,
    "number": Annotated[StrictInt | StrictFloat, BeforeValidator(_a_number)],
    "boolean": bool,
    # The parts every letter has, as letterkit.model defines them (`letterkit vars` lists their fields).
    "address": Address,
    "party": Party,
    "copy recipient": CopyRecipient,  # a party; a name alone still works, with a warning (0.2.0)
    "organisation": Organisation,
    "signature": Signature,
}
TYPES = (*_SCALARS, "choice", "group")
_LIST = "list of "


class DeclaredField(BaseModel):
    """One `[[field]]` table of a `kit.toml`; any other key is a mistake, reported by name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    type: str
    required: bool = False
    description: str = ""
    values: tuple[str, ...] | None = None  # for a choice: what a case may hold
    default: Any = None  # what a case that leaves the field out holds (validated like a value)
    field: tuple[DeclaredField, ...] = ()  # for a group: its own fields

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

    @field_validator("field")
    @classmethod
    def _names_once(cls, fields: tuple[DeclaredField, ...]) -> tuple[DeclaredField, ...]:
        names = [field.name for field in fields]
        if twice := sorted({name for name in names if names.count(name) > 1}):
            raise ValueError(f"{twice[0]!r} is declared twice")
        return fields

    @property
    def is_list(self) -> bool:
        return self.type.startswith(_LIST)

    @property
    def element(self) -> str:
        """The type of the value, or of each element of a list: "date", "choice"…"""
        return self.type.removeprefix(_LIST)

    def annotation(self) -> Any:
        return self._annotation

    @cached_property
    def _annotation(self) -> Any:
        """Made once: a group is one model class, however often the kit's model is built."""
        element: Any
        if self.element == "choice":
            if not self.values:
                raise ValueError("a choice needs its values, e.g. values = [\"mail\", \"email\"]")
            element = Literal[self.values]  # type: ignore[name-defined]  # the kit's values, known at run time only
        elif self.values is not None:
            raise ValueError("only a choice has values")
        elif self.element == "group":
            if not self.field:
                raise ValueError("a group needs its fields, as [[field.field]] tables under it")
            fields: dict[str, Any] = {field.name: field.pydantic_field() for field in self.field}
            element = create_model("".join(part.capitalize() for part in self.name.split("_")),
                                   __base__=CaseModel, __module__=__name__, **fields)
            element.__doc__ = self.description or None
        else:
            element = _SCALARS[self.element]
        if self.field and self.element != "group":
            raise ValueError("only a group has fields of its own")
        return list[element] if self.is_list else element

    def pydantic_field(self) -> tuple[Any, Any]:
        """(annotation, FieldInfo): a required list holds at least one value; an optional
        list is empty, an optional value None, when the case leaves them out."""
        annotation = self.annotation()
        described: dict[str, Any] = {"description": self.description or None}
        if self.required:
            if self.default is not None:
                raise ValueError("a required field has no default: a case must give it")
            return annotation, Field(..., min_length=1, **described) if self.is_list else Field(..., **described)
        if self.default is not None:
            return annotation, Field(self.default, validate_default=True, **described)
        if self.is_list:
            return annotation, Field(default_factory=list, **described)
        if self.type == "boolean":  # a yes/no question left unanswered is a no
            return annotation, Field(False, **described)
        return annotation | None, Field(None, **described)


def read_declared(tables: list[dict], where: str) -> tuple[DeclaredField, ...]:
    """The `[[field]]` tables of a manifest, checked; a mistake is a ValueError naming the field."""
    declared, seen = [], set()
    for index, table in enumerate(tables):
        label = f"{where}: field[{index}]" + (f" {table['name']!r}"
                                              if isinstance(table, dict) and "name" in table else "")
        try:
            field = DeclaredField.model_validate(table)
            field.pydantic_field()
            _check_default(field)
        except ValueError as error:  # pydantic's ValidationError is one
            raise ValueError(f"{label}: {_first_problem(error)}") from None
        if field.name in seen:
            raise ValueError(f"{label}: declared twice")
        seen.add(field.name)
        declared.append(field)
    return tuple(declared)


def _check_default(field: DeclaredField) -> None:
    """A default a case could not hold is the kit's mistake, found when the kit loads."""
    if field.default is not None:
        probe = create_model("Default", __base__=CaseModel, value=field.pydantic_field())
        try:
            probe()
        except ValueError as error:
            raise ValueError(f"default: {_first_problem(error)}") from None
    for inner in field.field:
        _check_default(inner)


def _first_problem(error: ValueError) -> str:
    if not isinstance(error, ValidationError):
        return str(error)
    problem = first_problem(error)
    if problem.unknown:
        return f"unknown key {problem.key!r} (a field may have: {', '.join(DeclaredField.model_fields)})"
    return f"{problem.key}: {problem.msg.removeprefix('Value error, ')}" if problem.key else problem.msg


def extend_model(model: type[Letter], declared: tuple[DeclaredField, ...]) -> type[Letter]:
    """The kit's model with the declared fields added: a subclass, so that its computed
    values (`letter.overall`) and validators carry over."""
    if not declared:
        return model
    for field in declared:
        if field.name in model.model_fields or hasattr(model, field.name):
            raise ValueError(f"field {field.name!r} is already a field or computed value of "
                             f"{model.__name__}; choose another name")
    fields: dict[str, Any] = {field.name: field.pydantic_field() for field in declared}
    extended = create_model(model.__name__, __base__=model, __module__=model.__module__, **fields)
    extended.__doc__ = model.__doc__
    return extended
