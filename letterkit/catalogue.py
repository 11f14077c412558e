"""What a template author can use: the kit's blocks, and the data fields blocks can print.

Fields are the case model's, nested ones included; computed values are the `@property`s
its classes declare (`letter.overall`, `items[].title`, `organisation.label`) and the
deadlines the kit's rules compute (`deadlines.wcab_appeal_by`). Both are what a block
may print, and what `lint` checks a block's names against.
"""

from __future__ import annotations

import difflib
import inspect
import tomllib
import types
import typing
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment
from pydantic import BaseModel

from .block_names import NameRead, names_read
from .kits import VOCABULARY, Kit, used_templates


@dataclass(frozen=True)
class BlockInfo:
    name: str  # e.g. "blocks/disputed-item.md.j2"
    path: Path
    overridden: bool  # from a user's template folder rather than the kit
    variables: tuple[str, ...]  # dotted names it reads, e.g. "reviewer.licensure", "items[].title"
    origin: str = ""  # "kit imr", or "your folder: <path>"


@dataclass(frozen=True)
class FieldInfo:
    path: str  # e.g. "items[].decision"
    type: str
    description: str
    computed: bool = False  # a value the model or the kit computes, never typed in a case


def blocks(kit: Kit) -> list[BlockInfo]:
    """Every template the letter uses, where it comes from, and the case data it reads
    (a loop's variable as the list it walks: `items[].title`, never `item.title`)."""
    read: dict[str, set[str]] = {}
    for name in names(kit):
        path = _case_data(kit, name.path) if name.resolved else name.path
        read.setdefault(name.template, set()).add(path)
    for paths in read.values():  # a list's elements are read when the list is: `cc`, not `cc[]`
        paths -= {path for path in paths if path.endswith("[]") and path[:-2] in paths}
    found = []
    for template in sorted(used_templates(kit)):
        if (file := kit.files.locate(template)) is None:
            continue  # a removed block that an old folder includes, warned about (letterkit.deprecations)
        overridden = any(file.is_relative_to(f) for f in kit.overrides)
        found.append(BlockInfo(template, file, overridden, tuple(sorted(read.get(template, ()))), _origin(kit, file)))
    return found


def names(kit: Kit) -> list[NameRead]:
    """Every name the letter's templates read, as the letter runs them."""
    environment = Environment()

    def parsed(name: str):
        return environment.parse(kit.files.read_text(name)) if kit.files.locate(name) else None

    return names_read(parsed, kit.letter_template, set(kit.environment.globals) | {"deadlines", "letter", "piece"},
                      kit.files.names(VOCABULARY))


def _origin(kit: Kit, path: Path) -> str:
    for folder in kit.search_path:
        if path.is_relative_to(folder):
            return f"your folder: {folder}" if folder in kit.overrides else f"kit {_kit_name(folder)}"
    return str(path)


def _kit_name(folder: Path) -> str:
    """The name a kit folder's manifest gives it, else the folder's (as `load_kit` names it)."""
    return tomllib.loads((folder / "kit.toml").read_text(encoding="utf-8")).get("name") or folder.name


def fields(model: type[BaseModel], prefix: str = "") -> list[FieldInfo]:
    """Every field of a case model, nested ones included, with its type and description,
    and the computed values of each class (at the top, `letter.` names the letter)."""
    found = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        found.append(FieldInfo(path, _type_name(field.annotation), field.description or ""))
        for inner, suffix in _nested_models(field.annotation):
            found += fields(inner, f"{path}{suffix}.")
    for name, value in computed_values(model).items():
        found.append(FieldInfo(f"{prefix or 'letter.'}{name}", _return_type(value), _first_line(value.__doc__),
                               computed=True))
    return found


def kit_fields(kit: Kit) -> list[FieldInfo]:
    """The fields of the kit's model, its computed values, and the deadlines its rules compute."""
    deadlines = [FieldInfo(f"deadlines.{rule.name}", "date", rule.statement, computed=True)
                 for rule in kit.rules if rule.check == "deadline"]
    return fields(kit.model) + deadlines


def computed_values(model: type) -> dict[str, property]:
    """The `@property`s a model class declares, which blocks may read (not pydantic's own)."""
    return {name: value for name, value in inspect.getmembers(model, lambda v: isinstance(v, property))
            if not name.startswith("_") and not hasattr(BaseModel, name)}


def unknown_name(kit: Kit, path: str) -> str | None:
    """Why a dotted name a block reads is not in the case, or None when it is."""
    return _follow(kit, path)[1]


def _case_data(kit: Kit, path: str) -> str:
    """The part of a name that is case data: `letter_date` of `letter_date.isoformat`."""
    parts = path.split(".")
    return ".".join(parts[:_follow(kit, path)[0]])


def _follow(kit: Kit, path: str) -> tuple[int, str | None]:
    """How many parts of a dotted name the case answers for, and why the rest is wrong."""
    written = path.split(".")
    parts = [part.removesuffix("[]") for part in written]
    if parts[0] == "piece":  # the mail piece being addressed (letterkit.mail): recipient, is_copy…
        return len(parts), None
    if parts[0] == "deadlines":
        known = [rule.name for rule in kit.rules if rule.check == "deadline"]
        if len(parts) > 1 and parts[1] not in known:
            return 1, _no_such("deadline", parts[1], known)
        return 2, None
    model: type[BaseModel] = kit.model
    start = 1 if parts[0] == "letter" else 0
    for index in range(start, len(parts)):
        part = parts[index]
        if part in computed_values(model):
            return index + 1, None  # what a computed value holds is not declared to the field
        if part not in model.model_fields:
            where = ".".join(written[:index]) or "the case"
            known = [*model.model_fields, *computed_values(model)]
            return index, f"{where} has no field {part!r}" + _suggestion(part, known)
        inner = [m for m, _ in _nested_models(model.model_fields[part].annotation)]
        if not inner:
            return index + 1, None  # a text, a date, a list of texts: what follows is Jinja's
        model = inner[0]
    return len(parts), None


def _no_such(kind: str, name: str, known: list[str]) -> str:
    return f"no {kind} {name!r}" + _suggestion(name, known)


def _suggestion(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=2)
    return f"; did you mean {' or '.join(close)}?" if close else ""


def _return_type(value: property) -> str:
    try:
        return _type_name(typing.get_type_hints(value.fget).get("return", typing.Any))
    except (NameError, TypeError):  # an annotation naming what its module does not hold
        return "computed"


def _first_line(text: str | None) -> str:
    return inspect.cleandoc(text).split("\n\n")[0].replace("\n", " ") if text else ""


def _nested_models(annotation) -> list[tuple[type[BaseModel], str]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, "")]
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    suffix = "[]" if origin in (list, tuple) else ""
    return [(model, suffix + inner) for argument in arguments
            for model, inner in _nested_models(argument)]


def _type_name(annotation) -> str:
    """A type as a template author reads it: `date (optional)`, `list[str]`, `RichText`,
    `'mail' | 'email'`; validators and other metadata left out."""
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(arguments[0])
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in arguments if a is not type(None)]
        optional = type(None) in arguments
        return " | ".join(names) + (" (optional)" if optional else "")
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in arguments)
    if origin is not None:
        return f"{origin.__name__}[{', '.join(_type_name(a) for a in arguments)}]"
    if hasattr(annotation, "__members__"):  # an Enum: its values are what a case may hold
        return " | ".join(repr(member.value) for member in annotation)
    return getattr(annotation, "__name__", str(annotation))
