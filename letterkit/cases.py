"""Reading case files (YAML or JSON) and validating them against a kit's model.

A case file is read strictly, so that what a user typed is what the letter says, and
a malformed export is one clear error rather than a traceback or a silent guess:
a key given twice, a key that is not text (`2015: x`), a number of more digits than
a case can mean, nesting deeper than any case has, aliases (`*name`) that multiply a few lines
into millions of values. Dates stay text until the model reads them,
so an impossible date (`2015-02-30`) is an error on its field, like any other.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pydantic
import pydantic_core
import yaml
from yaml.constructor import ConstructorError

from . import fonts, guidelines, letter_language, rules
from .errors import CaseError, LetterkitError
from .kits import Kit, builtin_kits, load_kit
from .model import Letter
from .model.paths import fields_at

MAX_DEPTH = 64  # levels of nesting; a real case has fewer than ten
MAX_DIGITS = 40  # in a number; an integer of 4,300 digits stops Python's own parser
MAX_REPEATED = 10_000  # values that YAML aliases repeat: a few lines can otherwise mean billions
MAX_CASE_BYTES = 16 * 2**20  # a case with every attachment inlined is well under 1 MB


def read_case(path: str | Path) -> dict[str, Any]:
    """The data in a YAML (.yaml, .yml) or JSON (.json) case file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        why = "a folder: give its case files, or render them all with letterkit batch" if path.is_dir() else error
        raise CaseError([("(file)", f"cannot read: {why}")], str(path)) from None
    return read_case_bytes(data, str(path), "json" if path.suffix == ".json" else "yaml")


def read_case_bytes(data: bytes, source: str, syntax: str | None = None) -> dict[str, Any]:
    """A case from bytes (a file's, standard input's): UTF-8, as a file must be; JSON or YAML
    as `syntax` says, else JSON when it starts with `{`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CaseError([("(file)", f"cannot read: {error}")], source) from None
    return parse_case(text, syntax or ("json" if text.lstrip().startswith("{") else "yaml"), source)


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


KIT = "kit"  # the key by which a case names its kit: `kit: ur`


def case_kit(data: dict[str, Any] | Letter, given: str | Path | None) -> str | Path:
    """The kit a case is rendered with: the one given, else the one it names, else imr."""
    named = data.get(KIT) if isinstance(data, dict) else None
    return given if given is not None else named if isinstance(named, str) and named else "imr"


def validate(data: dict[str, Any] | Letter, kit: Kit, source: str | None = None) -> Letter:
    """The case as the kit's model, or a `CaseError` naming every bad field."""
    if isinstance(data, kit.model):  # validated already, or made in Python: its deadlines, once
        return _with_deadlines(data, kit, source)
    if isinstance(data, dict) and KIT in data:
        if data[KIT] != kit.name:
            raise CaseError([(KIT, f"the case is for kit {data[KIT]!r}, not {kit.name!r}: leave out --kit, "
                                   f"or say --kit {data[KIT]}")], source)
        data = {key: value for key, value in data.items() if key != KIT}
    try:
        letter = kit.model.model_validate(data)
        if (translated := letter_language.translated(data, letter)) is not None:  # its text in its language
            letter = kit.model.model_validate(translated)
    except pydantic.ValidationError as error:
        problems = [(field_path(e["loc"]), _message(e, kit.model)) for e in error.errors()]
        if isinstance(data, dict) and len(problems) > 1 and (fits := _fitting_kit(data, kit)):
            problems.append((KIT, f"this case fits kit {fits!r}: say `kit: {fits}` in it, or --kit {fits}"))
        raise CaseError(problems, source) from None
    except CaseError as error:
        raise CaseError(error.problems, source) from None
    if problems := letter_language.problems(letter, kit):  # never an English letter tagged Spanish
        raise CaseError(problems, source)
    if problems := guidelines.unknown_keys(letter, kit.guidelines):
        raise CaseError(problems, source)
    # A character no font of the PDF has would be drawn as blank space: refused here,
    # so that `validate` refuses what `render` would lose.
    if problems := fonts.undrawable_text(letter, fonts.letter_fonts(kit.presentation)):
        raise CaseError(problems, source)
    return _with_deadlines(letter, kit, source)


def _with_deadlines(letter: Letter, kit: Kit, source: str | None) -> Letter:
    """The letter holding its deadlines, counted here once for composing and checking it
    to read: each one's date is there, and inside its calendar."""
    try:
        return rules.kept(letter, kit.rules, kit.calendars)
    except CaseError as error:
        raise CaseError(error.problems, source) from None


def _fitting_kit(data: dict[str, Any], kit: Kit) -> str | None:
    """Another built-in kit whose model takes the case as it is, if one does."""
    for name in builtin_kits():
        if name == kit.name:
            continue
        try:
            load_kit(name).model.model_validate(data)
        except (pydantic.ValidationError, LetterkitError):
            continue
        return name
    return None


def field_path(loc: tuple) -> str:
    """("items", 1, "decision") → "items[1].decision"."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(case)"


def _message(error: pydantic_core.ErrorDetails, model: type) -> str:
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "extra_forbidden":
        *where, name = error["loc"]
        close = difflib.get_close_matches(str(name), fields_at(model, tuple(where)), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        return f"unknown field (not in the kit's model; see `letterkit schema`){hint}"
    return error["msg"].removeprefix("Value error, ")
