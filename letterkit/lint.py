"""Checking a kit without rendering a case: `letterkit lint`.

Finds what would otherwise surface only when some letter happens to need it: a
block that does not parse, an include of a block that does not exist, a class
that neither the stylesheet nor the reference DOCX styles, a guideline key that
resolves to no passage.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
from jinja2 import TemplateSyntaxError, nodes

from . import guidelines
from .kits import Kit
from .writers.docx import style_name

_CLASSES = re.compile(r"\{:[^}]*?\.([A-Za-z][\w-]*)[^}]*\}|class=\"([^\"]+)\"")
# Classes the writers give meaning to themselves, not styled by name.
_STRUCTURAL = {"page-break", "running-header"}


def lint(kit: Kit) -> list[str]:
    """One line per problem, each naming its file (and line, where there is one)."""
    problems: list[str] = []
    environment = kit.environment
    templates = kit.files.names("**/*.j2")
    classes: dict[str, str] = {}
    for name, path in templates.items():
        source = kit.files.read_text(name)
        try:
            tree = environment.parse(source, name, str(path))
        except TemplateSyntaxError as error:
            problems.append(f"{path}:{error.lineno}: {error.message}")
            continue
        problems += _missing_includes(tree, templates, path)
        problems += _unknown_quotes(tree, kit, path)
        for number, line in enumerate(source.splitlines(), 1):
            for match in _CLASSES.finditer(line):
                for cls in (match.group(1) or match.group(2)).split():
                    classes.setdefault(cls, f"{path}:{number}")
    problems += _unstyled(kit, classes)
    return problems


def _missing_includes(tree, templates: dict[str, Path], path: Path) -> list[str]:
    return [
        f"{path}:{node.lineno}: includes {node.template.value!r}, which is not a block of the kit"
        for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport))
        if isinstance(node.template, nodes.Const) and node.template.value not in templates
    ]


def _unknown_quotes(tree, kit: Kit, path: Path) -> list[str]:
    passages = kit.guidelines
    return [
        f"{path}:{call.lineno}: {guidelines.unknown_key_message(call.args[0].value, passages)}"
        for call in tree.find_all(nodes.Call)
        if isinstance(call.node, nodes.Name) and call.node.name == "quote"
        and call.args and isinstance(call.args[0], nodes.Const)
        and call.args[0].value not in passages
    ]


def _unstyled(kit: Kit, classes: dict[str, str]) -> list[str]:
    css = "".join(text for _, text in kit.presentation.print_css)
    stylesheets = ", ".join(path.name for path, _ in kit.presentation.print_css)
    reference = docx.Document(io.BytesIO(kit.presentation.reference_docx))
    word_styles = {style.name for style in reference.styles}
    problems = []
    for cls, where in sorted(classes.items()):
        if cls in _STRUCTURAL:
            continue
        if not re.search(rf"\.{re.escape(cls)}(?![\w-])", css):
            problems.append(f"{where}: class {cls!r} has no rule in the stylesheets ({stylesheets})")
        if style_name(cls) not in word_styles:
            problems.append(f"{where}: class {cls!r} has no style {style_name(cls)!r} in {kit.presentation.reference_file.name}")
    return problems
