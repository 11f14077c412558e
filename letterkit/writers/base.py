"""What every writer shares: visiting the tree, one method per node kind."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from ..tree import Node

Result = TypeVar("Result")  # what a writer makes of one node: HTML text, typst code, reading units


class Writer(Generic[Result]):
    """A visitor over the document tree, in the manner of docutils' writers.

    A subclass has one `visit_<kind>` method for each node kind in `letterkit.tree`;
    a kind without its method is an error at once, never a silently missing part.
    """

    def visit(self, node: Node) -> Result:
        method = getattr(self, f"visit_{node.kind}", None)
        if method is None:
            raise NotImplementedError(f"{type(self).__name__} has no visit_{node.kind}")
        return method(node)

    def visit_all(self, nodes: Iterable[Node]) -> list[Result]:
        return [self.visit(node) for node in nodes]
