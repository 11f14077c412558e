"""What a template author can use: the kit's blocks, and the data fields blocks can print."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, nodes
from pydantic import BaseModel

from .kits import Kit, used_templates


@dataclass(frozen=True)
class BlockInfo:
    name: str  # e.g. "blocks/disputed-item.md.j2"
    path: Path
    overridden: bool  # from a user's template folder rather than the kit
    variables: tuple[str, ...]  # dotted names it reads, e.g. "reviewer.licensure"


@dataclass(frozen=True)
class FieldInfo:
    path: str  # e.g. "items[].decision"
    type: str
    description: str


def blocks(kit: Kit) -> list[BlockInfo]:
    """Every template the letter uses, where it comes from, and what it reads."""
    environment = Environment()
    found = []
    for name in sorted(used_templates(kit)):
        path = kit.files.find(name)
        tree = environment.parse(kit.files.read_text(name))
        found.append(BlockInfo(name, path, any(path.is_relative_to(f) for f in kit.overrides),
                               tuple(sorted(_variables(tree)))))
    return found


def _variables(tree: nodes.Template) -> set[str]:
    """Dotted names read in a template: `reviewer.licensure`, `item.title`, `letter_date`."""
    names = set()
    inner = set()  # Name and Getattr nodes that are part of a longer dotted name
    for node in tree.find_all((nodes.Getattr, nodes.Name)):
        if node in inner:
            continue
        parts, current = [], node
        while isinstance(current, nodes.Getattr):
            parts.append(current.attr)
            current = current.node
            inner.add(current)
        if isinstance(current, nodes.Name) and current.ctx == "load":
            names.add(".".join([current.name, *reversed(parts)]))
    return names


def fields(model: type[BaseModel], prefix: str = "") -> list[FieldInfo]:
    """Every field of a case model, nested ones included, with its type and description."""
    found = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        found.append(FieldInfo(path, _type_name(field.annotation), field.description or ""))
        for inner, suffix in _nested_models(field.annotation):
            found += fields(inner, f"{path}{suffix}.")
    return found


def _nested_models(annotation) -> list[tuple[type[BaseModel], str]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, "")]
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    suffix = "[]" if origin in (list, tuple) else ""
    return [(model, suffix + inner) for argument in arguments
            for model, inner in _nested_models(argument)]


def _type_name(annotation) -> str:
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
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
