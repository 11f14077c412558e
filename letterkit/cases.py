"""Reading case files (YAML or JSON) and validating them against a kit's model.

A case file is read strictly, so that what a user typed is what the letter says, and
a malformed export is one clear error rather than a traceback or a silent guess:
a key given twice, a key that is not text (`2015: x`), a number of more digits than
a case can mean, nesting deeper than any case has, aliases (`*name`) that multiply a few lines
into millions of values. Dates stay text until the model reads them,
so an impossible date (`2015-02-30`) is an error on its field, like any other.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pydantic
import pydantic_core
import yaml
from yaml.constructor import ConstructorError

from . import fonts, guidelines, rules
from .errors import CaseError
from .kits import Kit
from .model import Letter

MAX_DEPTH = 64  # levels of nesting; a real case has fewer than ten
MAX_DIGITS = 40  # in a number; an integer of 4,300 digits stops Python's own parser
MAX_REPEATED = 10_000  # values that YAML aliases repeat: a few lines can otherwise mean billions
MAX_CASE_BYTES = 16 * 2**20  # a case with every attachment inlined is well under 1 MB


def read_case(path: str | Path) -> dict[str, Any]:
    """The data in a YAML (.yaml, .yml) or JSON (.json) case file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CaseError([("(file)", f"cannot read: {error}")], str(path)) from None
    return parse_case(text, "json" if path.suffix == ".json" else "yaml", str(path))


def parse_case(text: str, syntax: str, source: str) -> dict[str, Any]:
    """One case's data from JSON or YAML text; a `CaseError` names the line and the mistake."""
    try:
        data = _json(text) if syntax == "json" else yaml.load(text, Loader=_CaseLoader)
        _check_depth(data)
    except json.JSONDecodeError as error:
        raise CaseError([(f"line {error.lineno}", f"invalid JSON: {error.msg}")], source) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise CaseError([(where, str(getattr(error, "problem", None) or error))], source) from None
    except (ValueError, RecursionError) as error:
        message = str(error) if isinstance(error, ValueError) else f"nested more than {MAX_DEPTH} levels deep"
        raise CaseError([("(file)", message)], source) from None
    if not isinstance(data, dict):
        raise CaseError([("(file)", "a case file holds one mapping of fields")], source)
    return data


def _json(text: str) -> Any:
    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping = dict(pairs)
        if len(mapping) < len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    raise ValueError(f"the key {key!r} is given twice in one object; keep one")
                seen.add(key)
        return mapping

    def number(text: str) -> int:
        if len(text.lstrip("-")) > MAX_DIGITS:
            raise ValueError(f"a number of {len(text)} digits; a case holds numbers of {MAX_DIGITS} at most")
        return int(text)

    return json.loads(text, object_pairs_hook=unique, parse_int=number)


def _check_depth(data: Any) -> None:
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise RecursionError
        if isinstance(value, dict):
            pending += [(child, depth + 1) for child in value.values()]
        elif isinstance(value, list):
            pending += [(child, depth + 1) for child in value]


def _size(node, sizes: dict) -> int:
    """How many values a YAML node holds, itself included; `sizes` remembers each node's."""
    if id(node) not in sizes:
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = node.value if isinstance(node, yaml.SequenceNode) else []
        sizes[id(node)] = 1 + sum(_size(child, sizes) for child in children)
    return sizes[id(node)]


_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser, when installed


class _CaseLoader(_SafeLoader):
    """PyYAML's safe loader, stricter: see the module's docstring."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.repeated = 0  # values that aliases have repeated so far
        self.sizes: dict[int, int] = {}

    def construct_object(self, node, deep=False):
        if node in self.recursive_objects:
            raise ConstructorError(None, None, "an alias (*name) inside the value it names", node.start_mark)
        if node in self.constructed_objects:  # an alias: what it repeats counts again
            self.repeated += _size(node, self.sizes)
            if self.repeated > MAX_REPEATED:
                raise ConstructorError(None, None, f"aliases (*name) repeat more than {MAX_REPEATED:,} "
                                       "values; write the case out without them", node.start_mark)
        return super().construct_object(node, deep)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag != "tag:yaml.org,2002:str":
                raise ConstructorError(None, None, f"the key {key_node.value!r} is not text; "
                                       "put it in quotes", key_node.start_mark)
            if key_node.value in seen:
                raise ConstructorError(None, None, f"the key {key_node.value!r} is given twice "
                                       "in one mapping; keep one", key_node.start_mark)
            seen.add(key_node.value)
        return super().construct_mapping(node, deep)

    def construct_yaml_int(self, node):
        if len(node.value.lstrip("+-").replace("_", "")) > MAX_DIGITS:
            raise ConstructorError(None, None, f"a number of {len(node.value)} digits; a case holds "
                                   f"numbers of {MAX_DIGITS} at most", node.start_mark)
        return super().construct_yaml_int(node)


_CaseLoader.add_constructor("tag:yaml.org,2002:int", _CaseLoader.construct_yaml_int)
# Dates stay text: the model parses them, naming the field when one is impossible.
_CaseLoader.add_constructor("tag:yaml.org,2002:timestamp", _CaseLoader.construct_yaml_str)


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
    # A character no font of the PDF has would be drawn as blank space: refused here,
    # so that `validate` refuses what `render` would lose.
    if problems := fonts.undrawable_text(letter, fonts.letter_fonts(kit.presentation)):
        raise CaseError(problems, source)
    try:  # a date the kit's deadlines count from: there, and inside their calendar
        rules.deadlines(letter, kit.rules, kit.calendars)
    except CaseError as error:
        raise CaseError(error.problems, source) from None
    return letter


def field_path(loc: tuple) -> str:
    """("items", 1, "decision") → "items[1].decision"."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(case)"


def _message(error: pydantic_core.ErrorDetails) -> str:
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "extra_forbidden":
        return "unknown field (not in the kit's model; see `letterkit schema`)"
    return error["msg"].removeprefix("Value error, ")
