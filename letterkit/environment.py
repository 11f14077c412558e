"""The Jinja environment a kit's blocks run in: sandboxed, strict, and stateless.

- Blocks are read through the kit's `Resolver`, never from outside its folders.
- Undefined names are errors (`StrictUndefined`), never a silent blank.
- The sandbox lets a block read data, not run code: on a case object only its fields
  and the computed values its model declares (`item.title`, `letter.overall`); on
  other values only the methods listed in `_SAFE_METHODS`. pydantic's own methods
  (`parse_raw`, `model_validate_json`, `copy`…) are refused, as is anything `_`-named.
- What a block prints is not text yet: `_finalize` turns it into a placeholder (see
  `letterkit.placeholders`), so one environment serves every render at once. What a
  kit macro returns is template text with placeholders already in it: printed as it is.
- A block's last line end is part of what it gives (`keep_trailing_newline`): blocks
  included one per line come out as paragraphs of their own, with no `+%}`.
- Nothing in a block runs while it is compiled: Jinja would fold `{{ 10**(10**8) }}` into a
  constant then, before any time limit, so the optimizer is off; the operators, `~`,
  `str.format` and the filters that grow a text refuse a result no letter needs
  (`letterkit.bounds`).
"""

from __future__ import annotations

import datetime
import difflib
import functools
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import CodeType
from typing import Any

import jinja2
from jinja2.bccache import Bucket
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing
from pydantic import BaseModel

from . import bounds, deprecations, locales, placeholders, provenance, traced_text
from .dates import DateForms
from .deadlines import Deadlines
from .guidelines import Passage, lookup
from .kept import Kept
from .model import RichText
from .resolver import Resolver

_SAFE_METHODS: dict[type, frozenset[str]] = {
    str: frozenset({"capitalize", "endswith", "join", "lower", "lstrip", "replace", "rstrip",
                    "split", "splitlines", "startswith", "strip", "title", "upper"}),
    datetime.date: frozenset({"isoformat", "isoweekday", "strftime", "weekday"}),
    dict: frozenset({"get", "items", "keys", "values"}),
    list: frozenset({"count", "index"}),
    tuple: frozenset({"count", "index"}),
}



# Names a block reads that are not the case's fields: what composition passes (`letter`,
# `deadlines`), Jinja's own, and names letterkit reserves for what it reads from every case.
# A case field of one of these names, or of a global (a macro, `range`), would hide it.
RESERVED_NAMES = frozenset({"letter", "deadlines", "self", "loop", "caller", "varargs", "kwargs", "super",
                            "kit", "translations", "alternate_format"})


class LetterSandbox(ImmutableSandboxedEnvironment):
    """A sandbox whose blocks can read a case but call nothing on it."""

    # Intercepted operators are never folded at compile time (jinja2.nodes.BinExpr.as_const).
    intercepted_binops = frozenset({"**", "*", "+", "%"})
    loader: ResolverLoader  # make_environment gives it the kit's: blocks are read through its resolver

    def hidden_by(self, field: str) -> str | None:
        """What a case field of this name would hide from the blocks, or None."""
        if field in RESERVED_NAMES:
            return f"a name letterkit gives every block ({', '.join(sorted(RESERVED_NAMES))})"
        if field in self.globals:
            kind = "macro" if isinstance(self.globals[field], jinja2.runtime.Macro) else "name"
            return f"the {kind} {field!r} every block can call"
        return None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._safe_attributes: dict[tuple[type, str, bool], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # Every test below reads only the object's type and whether the value is
        # callable, so each answer is kept: a letter asks some 150 times, mostly alike.
        key = (type(obj), attr, callable(value))
        safe = self._safe_attributes.get(key)
        if safe is None:
            safe = self._safe_attributes[key] = self._is_safe_attribute(obj, attr, value)
        return safe

    def _is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if isinstance(obj, BaseModel):
            return attr in type(obj).model_fields or _is_computed(type(obj), attr)
        if isinstance(obj, (LoopContext, jinja2.runtime.Macro, jinja2.utils.Cycler,
                            jinja2.utils.Joiner, jinja2.utils.Namespace)):
            return True
        if callable(value):
            return any(isinstance(obj, kind) and attr in names for kind, names in _SAFE_METHODS.items())
        return True

    def getattr(self, obj: Any, attribute: str) -> Any:
        # A field of a case object is what a block reads most (some 150 times a letter),
        # and what the sandbox always allows (is_safe_attribute): its value, unless it is
        # callable, is returned as the sandbox would, without its checks.
        # a class is hashable; mypy does not see it for type[...] (python/mypy#11470)
        value = getattr(obj, attribute) if attribute in _fields(type(obj)) else missing  # type: ignore[arg-type]
        if value is missing or callable(value):
            value = super().getattr(obj, attribute)
        # Every value read from the case carries its field path (letterkit.provenance).
        return provenance.attribute(obj, attribute, value)

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        if isinstance(argument, str):
            return provenance.attribute(obj, argument, value)
        return provenance.element(obj, argument, value)

    def _parse(self, source: str, name: str | None, filename: str | None) -> jinja2.nodes.Template:
        # `~` keeps the fields its parts came from (letterkit.traced_text).
        return traced_text.joins_keep_fields(super()._parse(source, name, filename))

    def letterkit_join(self, parts: tuple) -> str:
        return traced_text.joined(parts, bounds.MAX_LENGTH)

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        bounds.check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Any:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None

        def bounded(*args: Any, **kwargs: Any) -> str:
            bounds.check_format(value.__self__, (*args, *kwargs.values()))
            return wrapper(*args, **kwargs)
        return bounded

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (jinja2's own signature)
        result = super().call(__context, __obj, *args, **kwargs)
        # A macro's text is the kit's Markdown around placeholders, never data: a block
        # printing it gets the markup the macro wrote (see _finalize).
        return placeholders.Composed(result) if isinstance(__obj, jinja2.runtime.Macro) else result


@functools.cache
def _fields(kind: type) -> frozenset[str]:
    """The fields of a case model's class; none for any other class."""
    return frozenset(kind.model_fields) if issubclass(kind, BaseModel) else frozenset()


def _is_computed(model: type, attr: str) -> bool:
    """A `@property` the kit's model declares (not one pydantic's BaseModel has)."""
    return isinstance(getattr(model, attr, None), property) and not hasattr(BaseModel, attr)


class ResolverLoader(jinja2.BaseLoader):
    """Blocks by name from a kit's search path, through its resolver."""

    def __init__(self, files: Resolver):
        self.files = files

    def get_source(self, environment, template: str):
        path = self.files.locate(template)
        if path is None:  # a block an older release had, if an old folder includes it
            return deprecations.removed_block(template)
        source = deprecations.as_read(template, self.files.read_text(template))
        return source, str(path), lambda: True  # a loaded kit never changes


class CompiledBlocks(jinja2.BytecodeCache):
    """The compiled code of each template text, by its name, file and text: shared by every
    kit this process loads (all made by `make_environment`, so a text compiles to the same
    code in each). A kit loaded again with a template folder in front compiles only the
    folder's own blocks; a changed file is a new text, compiled anew."""

    def __init__(self, size: int) -> None:
        self.code: Kept[tuple[str, str], CodeType] = Kept(size)

    def load_bytecode(self, bucket: Bucket) -> None:
        bucket.code = self.code.get((bucket.key, bucket.checksum))

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is not None:
            self.code.put((bucket.key, bucket.checksum), bucket.code)

    def clear(self) -> None:
        self.code.clear()


COMPILED = CompiledBlocks(size=500)  # the built-in kits compile 54 texts, some 5 KB of code each


def make_environment(files: Resolver, passages: Mapping[str, Passage], dates: DateForms = DateForms(),
                     loader: ResolverLoader | None = None) -> LetterSandbox:
    """The sandbox a kit's blocks run in, printing dates in the kit's forms (letterkit.dates);
    `loader` finds the blocks of one language (letterkit.languages). Its filters write dates,
    lists and money in the language of the letter being rendered (letterkit.locales.writing)."""
    environment = LetterSandbox(
        loader=loader or ResolverLoader(files),
        undefined=_Undefined,
        finalize=_finalize,
        trim_blocks=True,
        keep_trailing_newline=True,  # see the module's docstring
        lstrip_blocks=True,
        autoescape=False,
        auto_reload=False,
        optimized=False,  # see the module's docstring
        bytecode_cache=COMPILED,
    )
    environment.filters.update(bounds.bounded_filters())
    environment.filters["date"] = _date_filter(dates)
    environment.filters["sentence"] = _sentence
    environment.filters["and_list"] = _and_list
    environment.filters["money"] = _money
    environment.filters["number"] = _number
    environment.filters["numbered"] = _numbered
    for name in traced_text.TEXT_FILTERS:  # what they print keeps the fields it holds
        environment.filters[name] = traced_text.keeping_fields(environment.filters[name], name)
    environment.globals["quote"] = lambda key: _Quote(lookup(passages, key).key)
    return environment


class FilterError(ValueError):
    """A kit filter given what it cannot format; the message says what to do."""


class _Undefined(jinja2.StrictUndefined):
    """A missing attribute is named with its object's own kind and fields, never with the
    Python module a kit's model was loaded as."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        obj, name = self._undefined_obj, self._undefined_name
        if self._undefined_hint or obj is missing or not isinstance(name, str):
            return super()._undefined_message
        fields = _fields_of(obj)
        close = difflib.get_close_matches(name, fields, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; it has {', '.join(fields)}" if fields else ""
        if isinstance(obj, Deadlines):
            return (f"no rule of the kit computes the deadline {name!r}{hint or ''} (a deadline comes "
                    "from a `deadline` rule of the kit's rules file; `letterkit rules` lists them)")
        return f"{_kind(obj)} has no field {name!r}{hint}"


def _fields_of(obj: Any) -> list[str]:
    if isinstance(obj, BaseModel):
        kind = type(obj)
        return [*kind.model_fields, *(n for n in dir(kind) if not n.startswith("_") and _is_computed(kind, n))]
    if isinstance(obj, Mapping):
        return [str(key) for key in obj]
    return []


def _kind(obj: Any) -> str:
    if isinstance(obj, BaseModel):
        return f"a {type(obj).__name__}"
    return {dict: "a mapping", list: "a list", str: "a text", int: "a number"}.get(type(obj), "a value")


class _Quote(str):
    """What `quote(key)` gives a block: the key of a passage known to exist."""


@jinja2.pass_eval_context  # so that Jinja cannot call it, and what it prints, at compile time
def _finalize(eval_context: jinja2.nodes.EvalContext, value: Any) -> str:
    if isinstance(value, placeholders.Composed):
        return value
    if isinstance(value, _Quote):
        return placeholders.mark(placeholders.QUOTE, value)
    if isinstance(value, RichText):
        return placeholders.mark(placeholders.RICH, value, provenance.field_of(value))
    if value is None:
        raise jinja2.UndefinedError("a block printed a field that has no value; wrap it in {% if ... %}")
    return placeholders.mark(placeholders.PLAIN, str(value), provenance.field_of(value))


def _defined(value: Any) -> Any:
    """`value`, or the undefined name's own error ("a mapping has no field 'x'; did you
    mean y?"), which composition reports with its block and line."""
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()
    return value


def _date_filter(forms: DateForms) -> Callable[..., str]:
    """The `date` filter in the kit's forms (letterkit.dates)."""
    def date(value: datetime.date, format: str = "long") -> str:
        return _format_date(value, format, forms)
    return date


def _format_date(value: datetime.date, format: str, forms: DateForms) -> str:
    """`{{ letter_date | date }}` → the kit's long form ("September 1, 2015"; in a Spanish
    letter "1 de septiembre de 2015"); `date("short")`, or any strftime format, its month
    and day names in the letter's language."""
    if _defined(value) is None:
        raise FilterError("date: the field has no value; wrap it in {% if ... %}")
    if not isinstance(value, datetime.date):
        raise FilterError(f"date: {value!r} is not a date")
    if not isinstance(format, str):
        raise FilterError(f"date: the format {format!r} is not text like \"%B %-d, %Y\"")
    return provenance.carry(value, locales.format_date(value, locales.current(), forms.pattern(format)))


def _sentence(value: str) -> str:
    """End a value with a full stop unless it already ends with punctuation."""
    if _defined(value).rstrip().endswith((".", "!", "?")):
        return value
    return provenance.carry(value, value + ".")


def _and_list(values: list[str]) -> str:
    """`["California", "Oregon", "Nevada"]` → "California, Oregon and Nevada" ("… y Nevada" in Spanish)."""
    texts = [str(value) for value in _defined(values)]
    return provenance.carry(values, locales.and_list(texts, locales.current()))


def _money(value: float | int | str, currency: str = "USD") -> str:
    """`{{ 1234.5 | money }}` → "$1,234.50", as the letter's language writes an amount."""
    return provenance.carry(value, locales.format_money(_amount(value, "money"), locales.current(), currency))


def _number(value: float | int | str) -> str:
    """`{{ 1234.5 | number }}` → "1,234.5", grouped as the letter's language groups digits."""
    return provenance.carry(value, locales.format_number(_amount(value, "number"), locales.current()))


def _amount(value, name: str) -> Decimal:
    if _defined(value) is None or isinstance(value, bool):
        raise FilterError(f"{name}: {value!r} is not an amount; wrap a field that may be empty in {{% if ... %}}")
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise FilterError(f"{name}: {value!r} is not a number") from None


def _numbered(values: list) -> list[tuple[int, Any]]:
    """`{% for number, item in items | numbered %}`: each element with its number from 1,
    which a block the loop includes can print (it cannot see the loop's `loop`)."""
    return list(enumerate(_defined(values), 1))
