"""Reading case files (YAML or JSON) and validating them against a kit's model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pydantic
import yaml

from . import guidelines
from .errors import CaseError
from .kits import Kit
from .model import Letter


def read_case(path: str | Path) -> dict[str, Any]:
    """The data in a YAML (.yaml, .yml) or JSON (.json) case file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CaseError([("(file)", f"cannot read: {error}")], str(path)) from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as error:
        raise CaseError([(f"line {error.lineno}", error.msg)], str(path)) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise CaseError([(where, str(getattr(error, "problem", error)))], str(path)) from None
    if not isinstance(data, dict):
        raise CaseError([("(file)", "a case file holds one mapping of fields")], str(path))
    return data


def validate(data: dict[str, Any] | Letter, kit: Kit, source: str | None = None) -> Letter:
    """The case as the kit's model, or a `CaseError` naming every bad field."""
    if isinstance(data, kit.model):
        return data
    try:
        letter = kit.model.model_validate(data)
    except pydantic.ValidationError as error:
        problems = [(field_path(e["loc"]), _message(e)) for e in error.errors()]
        raise CaseError(problems, source) from None
    if problems := guidelines.unknown_keys(letter, kit.guidelines):
        raise CaseError(problems, source)
    return letter


def field_path(loc: tuple) -> str:
    """("items", 1, "decision") → "items[1].decision"."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(case)"


def _message(error: dict) -> str:
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "extra_forbidden":
        return "unknown field (not in the kit's model; see `letterkit schema`)"
    return error["msg"].removeprefix("Value error, ")
