"""What every writer shares: visiting the tree, one method per node kind."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from ..tree import Node

Result = TypeVar("Result")  # what a writer makes of one node: HTML text, typst code, reading units


class Writer(Generic[Result]):
    """A visitor over the document tree, in the manner of docutils' writers.

    A subclass has one `visit_<kind>` method for each node kind in `letterkit.tree`;
    a kind without its method is an error at once, never a silently missing part.
    """

    def visit(self, node: Node) -> Result:
        # a class is hashable; mypy does not see it for type[...] (python/mypy#11470)
        return _method(type(self), type(node))(self, node)  # type: ignore[arg-type]

    def visit_all(self, nodes: Iterable[Node]) -> list[Result]:
        return [self.visit(node) for node in nodes]


@functools.cache  # a letter visits some 300 nodes: the method is looked up once for each kind
def _method(writer: type, kind: type[Node]) -> Callable[..., Any]:
    """The `visit_<kind>` method of a writer class for nodes of a kind."""
    method = getattr(writer, f"visit_{kind.kind}", None)
    if method is None:
        raise NotImplementedError(f"{writer.__name__} has no visit_{kind.kind}")
    return method
