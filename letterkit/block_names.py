"""What a letter's blocks read, found statically through Jinja's syntax tree.

Walks the letter template and every block it includes, in the order they run, keeping
the names each scope binds: a loop variable stands for one element of the list it walks
(`{% for item in items %}` makes `item.title` read `items[].title`), and a `set` or
`with` name for the value it was given. So a block included inside a loop is read with
the loop's names, as it is when the letter renders; a call of one of the kit's macros
reads what the macro reads of its arguments (`record_line(record)`).

Used by `letterkit blocks` (the data each block reads) and `letterkit lint` (a name
no case field nor computed value answers to).
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import nodes

# Names Jinja gives every template, and the ones compose adds beside the case's fields.
_JINJA_NAMES = {"range", "dict", "lipsum", "cycler", "joiner", "namespace", "loop", "caller",
                "true", "false", "none", "True", "False", "None", "self", "varargs", "kwargs"}


@dataclass(frozen=True)
class NameRead:
    """One dotted name a block reads: `items[].guideline.source`, at its file and line."""

    path: str  # from a case field, a computed value or a kit name: what a reader looks up
    template: str  # the block's name, e.g. "blocks/disputed-item.md.j2"
    line: int
    own: bool  # False when the block reads a name its includer bound (`item`, `address`)
    resolved: bool  # False for a name bound to something the walk cannot follow (a filter's result)


@dataclass(frozen=True)
class _Binding:
    path: str | None  # None: a value the walk cannot follow, e.g. `x | select | list`
    template: str  # where it was bound


def names_read(source_of, letter_template: str, globals_: set[str], macro_files=()) -> list[NameRead]:
    """Every name read by the letter template and the blocks it includes.

    `source_of(name)` gives a parsed template (a `nodes.Template`) or None if there is none;
    `macro_files` name the templates whose macros every block may call.
    """
    walker = _Walker(source_of, globals_)
    for name in macro_files:
        tree = source_of(name)
        walker.macros.update({macro.name: macro for macro in tree.find_all(nodes.Macro)} if tree else {})
    walker.template(letter_template, {})
    return walker.found


class _Walker:
    def __init__(self, source_of, globals_: set[str]):
        self.source_of = source_of
        self.globals = globals_ | _JINJA_NAMES
        self.found: list[NameRead] = []
        self.stack: list[str] = []  # includes being walked: a block including itself stops
        self.macros: dict[str, nodes.Macro] = {}  # the kit's macros, by name
        self.calling: list[str] = []  # macros being walked: one calling itself stops
        self.call_line: int | None = None  # inside a macro, what it reads is told at the block's call

    def template(self, name: str, scope: dict[str, _Binding]) -> None:
        tree = self.source_of(name)
        if tree is None or name in self.stack:
            return
        self.stack.append(name)
        self.body(tree.body, dict(scope), name)
        self.stack.pop()

    def body(self, statements, scope: dict[str, _Binding], name: str) -> None:
        for node in statements:
            self.statement(node, scope, name)

    def statement(self, node: nodes.Node, scope: dict[str, _Binding], name: str) -> None:
        if isinstance(node, nodes.For):
            self.expression(node.iter, scope, name)
            inner = {**scope, **self.loop_targets(node, scope, name)}
            if node.test is not None:
                self.expression(node.test, inner, name)
            self.body(node.body, inner, name)
            self.body(node.else_, scope, name)
        elif isinstance(node, nodes.Assign):
            self.expression(node.node, scope, name)
            scope.update(self.targets(node.target, self.path_of(node.node, scope), name))
        elif isinstance(node, nodes.AssignBlock):
            self.body(node.body, scope, name)
            scope.update(self.targets(node.target, None, name))
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values):
                self.expression(value, scope, name)
                inner.update(self.targets(target, self.path_of(value, scope), name))
            self.body(node.body, inner, name)
        elif isinstance(node, (nodes.Macro, nodes.CallBlock)):
            if isinstance(node, nodes.Macro):
                scope[node.name] = _Binding(None, name)
            else:
                self.expression(node.call, scope, name)
            inner = {**scope, **{arg.name: _Binding(None, name) for arg in node.args}}
            self.expression_list(node.defaults, scope, name)
            self.body(node.body, inner, name)
        elif isinstance(node, (nodes.Import, nodes.FromImport)):
            targets = [node.target] if isinstance(node, nodes.Import) else \
                [n if isinstance(n, str) else n[-1] for n in node.names]
            scope.update({target: _Binding(None, name) for target in targets})
        elif isinstance(node, nodes.Include):
            if isinstance(node.template, nodes.Const):
                self.template(node.template.value, scope)
        elif isinstance(node, nodes.If):
            self.expression(node.test, scope, name)
            self.body(node.body, scope, name)
            for elif_ in node.elif_:
                self.statement(elif_, scope, name)
            self.body(node.else_, scope, name)
        elif isinstance(node, nodes.Output):
            self.expression_list(node.nodes, scope, name)
        elif isinstance(node, nodes.Stmt):  # any other statement: its expressions, then its body
            for child in node.iter_child_nodes():
                if isinstance(child, nodes.Stmt):
                    self.statement(child, scope, name)
                else:
                    self.expression(child, scope, name)

    def expression_list(self, expressions, scope, name) -> None:
        for expression in expressions:
            self.expression(expression, scope, name)

    def loop_targets(self, node: nodes.For, scope: dict[str, _Binding], name: str) -> dict[str, _Binding]:
        iterated = node.iter
        if isinstance(iterated, nodes.Filter) and iterated.name == "numbered" and isinstance(node.target, nodes.Tuple) \
                and len(node.target.items) == 2:  # `for number, item in items | numbered`
            number, element = node.target.items
            return {**self.targets(number, None, name),
                    **self.targets(element, self.path_of(iterated.node, scope, suffix="[]"), name)}
        return self.targets(node.target, self.path_of(iterated, scope, suffix="[]"), name)

    def call(self, node: nodes.Call, scope: dict[str, _Binding], name: str) -> None:
        """A call of a kit macro: its body, read with its parameters bound to the arguments."""
        assert isinstance(node.node, nodes.Name)  # as `expression` found it
        macro = self.macros[node.node.name]
        self.expression_list([*node.args, *(keyword.value for keyword in node.kwargs)], scope, name)
        if macro.name in self.calling:
            return
        given = dict(zip((arg.name for arg in macro.args), node.args))
        given.update({keyword.key: keyword.value for keyword in node.kwargs})
        # Bound as the caller's own: what the walk cannot follow stays out of its list.
        inner = {arg.name: _Binding(self.path_of(given[arg.name], scope) if arg.name in given else None, name)
                 for arg in macro.args}
        outer_line, self.call_line = self.call_line, self.call_line or node.lineno
        self.calling.append(macro.name)
        self.body(macro.body, inner, name)
        self.calling.pop()
        self.call_line = outer_line

    def expression(self, node: nodes.Node, scope: dict[str, _Binding], name: str) -> None:
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name in self.macros \
                and node.node.name not in scope:
            self.call(node, scope, name)
            return
        if isinstance(node, (nodes.Name, nodes.Getattr)):
            root, attributes = _chain(node)
            if root is None:  # the chain starts at a call, a filter or a subscript
                self.expression(_base(node), scope, name)
                return
            if root.ctx == "load":
                self.read(root, attributes, scope, name)
            return
        for child in node.iter_child_nodes():
            self.expression(child, scope, name)

    def read(self, root: nodes.Name, attributes: list[str], scope, name: str) -> None:
        binding = scope.get(root.name)
        if binding is None:
            if root.name in self.globals:
                if root.name not in ("deadlines", "letter"):
                    return
            path, own, resolved = ".".join([root.name, *attributes]), True, True
        else:
            own = binding.template == name
            if binding.path is None:
                if own:  # the block's own variable, bound to something it computed
                    return
                path, resolved = ".".join([root.name, *attributes]), False
            else:
                path, resolved = ".".join([binding.path, *attributes]), True
        self.found.append(NameRead(path, name, self.call_line or root.lineno, own, resolved))

    def path_of(self, node: nodes.Node | None, scope: dict[str, _Binding], suffix: str = "") -> str | None:
        """The dotted path a value stands for, when it is a plain name or attribute."""
        if not isinstance(node, (nodes.Name, nodes.Getattr)):
            return None
        root, attributes = _chain(node)
        if root is None:
            return None
        binding = scope.get(root.name)
        if binding is not None:
            base = binding.path
        else:
            base = root.name if root.name not in self.globals or root.name in ("deadlines", "letter") else None
        return None if base is None else ".".join([base, *attributes]) + suffix

    def targets(self, target: nodes.Node, path: str | None, name: str) -> dict[str, _Binding]:
        if isinstance(target, nodes.Name):
            return {target.name: _Binding(path, name)}
        # A tuple target (`for role, party in roles`): its parts cannot be followed.
        return {n.name: _Binding(None, name) for n in target.find_all(nodes.Name)}


def _chain(node: nodes.Node) -> tuple[nodes.Name | None, list[str]]:
    attributes = []
    while isinstance(node, nodes.Getattr):
        attributes.append(node.attr)
        node = node.node
    return (node if isinstance(node, nodes.Name) else None), list(reversed(attributes))


def _base(node: nodes.Node) -> nodes.Node:
    while isinstance(node, nodes.Getattr):
        node = node.node
    return node
