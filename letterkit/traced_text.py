"""Which fields a text made from case values still holds: through Jinja's string filters
and `~`, a value keeps its field path (letterkit.provenance) as long as what is printed
still holds it.

`{{ recipient.name | upper }}` prints the name (in capitals), `{{ "Toll free: " ~
plan.phone }}` prints the number: each counts as that field's value for a `printed` rule,
and never as the kit's words for a `phrase` rule. `{{ item.description | truncate(20) }}`
prints part of it: the text keeps the path with the cause it was lost by, so that the
rule's message can say "through the filter truncate".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.visitor import NodeTransformer

from . import provenance

# Jinja's filters that make a text from a text: their output keeps the fields it holds.
TEXT_FILTERS = ("capitalize", "center", "format", "indent", "lower", "replace", "striptags", "title",
                "trim", "truncate", "upper", "wordwrap")
JOIN = "letterkit_join"  # the environment attribute `~` is compiled to


def keeping_fields(function: Callable, name: str) -> Callable:
    """Filter `name`, its output carrying the fields of its input that it still holds."""
    passed = getattr(function, "jinja_pass_arg", None)  # pass_environment, pass_eval_context…
    cause = f"the filter {name}"
    if passed is None:
        def plain(value: Any, *args: Any, **kwargs: Any) -> Any:
            return derived((value,), function(value, *args, **kwargs), cause)
        return plain

    def with_first(first: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
        return derived((value,), function(first, value, *args, **kwargs), cause)
    with_first.jinja_pass_arg = passed  # type: ignore[attr-defined]  # how Jinja knows what to pass
    return with_first


def joined(parts: Sequence[Any], max_length: int) -> str:
    """`a ~ b ~ c`: the parts as one text, carrying the fields of each traced part."""
    texts = [str(part) for part in parts]
    if sum(map(len, texts)) > max_length:  # measured before it is made (letterkit.bounds)
        raise SecurityError("joining these texts with ~ makes a text too long for a letter")
    text = "".join(texts)
    return derived(parts, text, "~")


def derived(sources: Sequence[Any], result: Any, cause: str) -> Any:
    """`result`, made by `cause` from `sources`: carrying the path of each traced source it
    still holds (in any letter case, spaces as one), and of each other, the path and cause."""
    paths: list[str] = []
    for source in sources:
        for path in provenance.fields_of(source):
            kept = provenance.LOST in path or _holds(result, source)  # a lost path stays lost, with its cause
            paths.append(path if kept else provenance.lost(path, cause))
    return provenance.traced(result, provenance.FIELDS.join(dict.fromkeys(paths))) if paths else result


def _holds(result: Any, source: Any) -> bool:
    return " ".join(str(source).split()).casefold() in " ".join(str(result).split()).casefold()


class _JoinsKeepFields(NodeTransformer):
    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:  # noqa: N802 (jinja2's visitor names)
        parts = [self.visit(part) for part in node.nodes]
        return nodes.Call(nodes.EnvironmentAttribute(JOIN, lineno=node.lineno),
                          [nodes.Tuple(parts, "load", lineno=node.lineno)], [], None, None, lineno=node.lineno)


def joins_keep_fields(template: nodes.Template) -> nodes.Template:
    """The parsed block with each `~` made a call of the environment's `letterkit_join`."""
    return _JoinsKeepFields().visit(template)
