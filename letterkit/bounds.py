"""How much a block may build: every way a template can grow a number, a text or a list.

A letter prints dates, counts and money, so a block never needs a number of more than
`MAX_BITS` bits nor a text or list of more than `MAX_LENGTH` elements. Each way to make
one is checked *before* it is made — `**`, `*`, `+`, `%`, `str.format`, the filters that
take a width or a count (`center`, `indent`, `format`, `replace`, `join`), and `~`
(letterkit.traced_text.joined, given `MAX_LENGTH`) —
because making a 7 GB string first and measuring it after is the harm itself: the letter
would take a minute and the machine's memory, and the writers would then drop the value.
A refusal is a `SecurityError`, which the composition reports as the block's file:line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import jinja2.filters
from jinja2.exceptions import SecurityError

MAX_BITS = 4096
MAX_LENGTH = 1_000_000

# A width or precision in a printf-style conversion (`%-999s`, `%.5f`, `%*d`) ...
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\d+|\*)?(?:\.(\d+|\*))?[a-zA-Z%]")
# ... and in a str.format field's spec (`{:>999}`, `{0:{1}}`: nested fields take it from an argument)
_BRACE_SPEC = re.compile(r"\{[^{}:]*:((?:[^{}]|\{[^{}]*\})*)\}")


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse an operator whose result would be too large to make in time."""
    if operator == "**" and _is_int(left) and _is_int(right) and abs(left) > 1 and right > 0:
        if right * abs(left).bit_length() > MAX_BITS:
            raise SecurityError(f"{left} ** {right} is too large a number for a letter")
    elif operator == "*":
        for sequence, times in ((left, right), (right, left)):
            if _is_sized(sequence) and _is_int(times):
                _check_length(len(sequence) * times, f"repeating a text or list {times} times")
    elif operator == "+" and _is_sized(left) and _is_sized(right):
        _check_length(len(left) + len(right), "joining these")
    elif operator == "%" and isinstance(left, str):
        check_format(left, right if isinstance(right, tuple) else (right,))


def check_format(template: str, arguments: Iterable[Any] = ()) -> None:
    """Refuse a format string whose widths or precisions would make a text too long."""
    widths = [part for spec in _PERCENT_SPEC.findall(template) for part in spec]
    specs = _BRACE_SPEC.findall(template)
    widths += [number for spec in specs for number in re.findall(r"\d+", spec)]
    from_arguments = "*" in widths or any("{" in spec for spec in specs)
    numbers = [int(width) for width in widths if width.isdigit()]
    numbers += [value for value in arguments if _is_int(value)] if from_arguments else []
    if any(number > MAX_LENGTH for number in numbers):
        raise SecurityError(f"a width of {max(numbers)} makes the text too long for a letter")


def bounded_filters() -> dict[str, Callable[..., Any]]:
    """Jinja's filters that take a width or a count, each checked before it runs."""
    return {"center": _center, "indent": _indent, "format": _format, "replace": _replace, "join": _join}


def _center(value: Any, width: int = 80) -> str:
    _check_length(width, f"centring in {width} characters")
    return jinja2.filters.do_center(value, width)


def _indent(value: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    lines = str(value).count("\n") + 1
    per_line = width if isinstance(width, int) else len(str(width))
    _check_length(len(str(value)) + lines * per_line, "indenting by so much")
    return jinja2.filters.do_indent(value, width, first, blank)


def _format(value: str, *args: Any, **kwargs: Any) -> str:
    check_format(value, args)
    return jinja2.filters.do_format(value, *args, **kwargs)


@jinja2.pass_eval_context
def _replace(context: Any, value: str, old: str, new: str, count: int | None = None) -> str:
    found = str(value).count(str(old)) if count is None else count
    _check_length(len(str(value)) + found * max(len(str(new)) - len(str(old)), 0), "replacing so much")
    return jinja2.filters.do_replace(context, value, old, new, count)


@jinja2.pass_eval_context
def _join(context: Any, value: Iterable[Any], separator: str = "", attribute: str | int | None = None) -> str:
    items = list(value)
    size = sum(len(str(item)) for item in items) + len(separator) * max(len(items) - 1, 0)
    _check_length(size if attribute is None else 0, "joining so much")
    return jinja2.filters.do_join(context, items, separator, attribute)


def _check_length(length: int, what: str) -> None:
    if length > MAX_LENGTH:
        raise SecurityError(f"{what} makes a text or list of {length:,} elements, too long for a letter")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_sized(value: Any) -> bool:
    return isinstance(value, (str, list, tuple))
