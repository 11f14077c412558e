"""Parts of the author's contract that were renamed or removed, kept working a release longer.

A template folder is kept for years; an upgrade must not break it silently. Each
`RemovedBlock` says what an old folder may still hold, what replaces it, and until when
it works. Until then, a folder that uses it renders as it did, with one warning line per
use naming the author's file, line and the replacement; from then on the same line is
the error. `letterkit upgrade` (letterkit.upgrade) rewrites the uses it finds here, and
`letterkit lint` reports them.

How an old folder keeps working:
- a template that includes a removed block gets the block as the release before had it;
- a folder that overrides a removed block gets its block called where the kit now calls
  the macro that replaced it (`citation(item.guideline)` renders the author's
  `blocks/guideline-citation.md.j2`).
Removed blocks are read as that release read every block: without their last line end.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import nodes

from .contract import RELEASE, release_key
from .errors import KitError

if TYPE_CHECKING:  # environment.py imports this module
    from .environment import LetterSandbox


class TemplateDeprecationWarning(UserWarning):
    """A template folder or kit uses a part of the contract that will stop working."""


@dataclass(frozen=True)
class RemovedBlock:
    """A block that became a macro: the old block's name, the macro's call, and the
    value the old block read (a dotted name), which the macro takes as its argument."""

    block: str  # "blocks/guideline-citation.md.j2"
    macro: str  # "citation"
    parameter: str  # the macro's parameter: "guideline"
    reads: str  # what the old block read that argument as: "item.guideline"
    deprecated_in: str
    removed_in: str
    source: str  # the block as the last release before `deprecated_in` shipped it
    # The old block took its value from `{% with address = X %}` around its include, and
    # was included only when X had one.
    passed_with: bool = False

    @property
    def short_name(self) -> str:
        return Path(self.block).name.removesuffix(".md.j2")

    @property
    def call(self) -> str:
        return f"{self.macro}({self.parameter})"

    def message(self, where: str) -> str:
        removed = release_key(RELEASE) >= release_key(self.removed_in)
        until = "stopped" if removed else "will stop"
        return (f"{where}: the block \"{self.short_name}\" is now the macro {self.call}; "
                f"this block {until} working in {_minor(self.removed_in)}")

    def context(self, value: Any) -> dict[str, Any]:
        """What the old block saw: the macro's argument under the name it read it by."""
        *outer, last = self.reads.split(".")
        context: Any = {last: value}
        for name in reversed(outer):
            context = {name: context}
        return context


REMOVED_BLOCKS: tuple[RemovedBlock, ...] = (
    RemovedBlock(
        block="blocks/guideline-citation.md.j2", macro="citation", parameter="guideline",
        reads="item.guideline", deprecated_in="0.2.0", removed_in="0.3.0",
        source=(
            '{% set citation = item.guideline %}\n'
            '{{- citation.source }}{% if citation.edition %} {{ citation.edition }}{% endif %}\n'
            '{%- if citation.pages %}\n'
            '{%- if citation.sections %} {{ citation.sections | join(", ") }}{% endif %} Page(s): {{ citation.pages }}.\n'
            '{%- elif citation.sections %}, Section(s): {{ citation.sections | join(", ") }}.\n'
            '{%- else %}.{% endif %}\n'),
    ),
    RemovedBlock(
        block="blocks/address.md.j2", macro="address", parameter="address",
        reads="address", deprecated_in="0.2.0", removed_in="0.3.0", passed_with=True,
        source=(
            '{% for line in address.lines %}{{ line }}<br>{% endfor %}{{ address.city }}, {{ address.region }} '
            '{{ address.postal_code }}{% if address.country %}<br>{{ address.country }}{% endif %}\n'),
    ),
)
_BY_BLOCK = {removed.block: removed for removed in REMOVED_BLOCKS}


@dataclass(frozen=True)
class Use:
    """One use of a removed part in an author's file: `line` 1 for a file that overrides it."""

    path: Path
    line: int
    removed: RemovedBlock
    kind: str  # "override" (the file is the old block) or "include"

    def message(self) -> str:
        return self.removed.message(f"{shown(self.path)}:{self.line}")


def shown(path: Path) -> str:
    """A path as the author wrote it: relative to the working folder when inside it."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def uses(folder: Path) -> list[Use]:
    """Every use of a removed part in the templates of one folder (a template folder or a kit)."""
    found = []
    for path in sorted(folder.rglob("*.j2")):
        if (name := path.relative_to(folder).as_posix()) in _BY_BLOCK:
            found.append(Use(path, 1, _BY_BLOCK[name], "override"))
        try:
            found += uses_in(path, path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            continue  # reported when the kit loads or lint runs
    return found


def uses_in(path: Path, source: str) -> list[Use]:
    """The includes of removed blocks in one template's source."""
    try:
        tree = jinja2.Environment().parse(source)
    except jinja2.TemplateSyntaxError:
        return []  # reported, with its line, when the kit loads or lint runs
    return [Use(path, include.lineno, _BY_BLOCK[include.template.value], "include")
            for include in tree.find_all(nodes.Include)
            if isinstance(include.template, nodes.Const) and include.template.value in _BY_BLOCK]


def authors_folders(folders: tuple[Path, ...]) -> Iterator[Path]:
    """The folders of a search path an author wrote: template folders and kits of their own."""
    builtin = Path(str(resources.files("letterkit.templates"))).resolve()
    return (folder for folder in folders if not folder.resolve().is_relative_to(builtin))


def adopt(environment: LetterSandbox, folders: tuple[Path, ...]) -> set[str]:
    """Warn about each use of a removed part in the author's folders, or refuse it once its
    release has come; make the author's own removed blocks what the macros replacing them
    print. The names of those blocks, which the letter now uses through the macros."""
    found = [use for folder in authors_folders(folders) for use in uses(folder)]
    if past := [use for use in found if release_key(RELEASE) >= release_key(use.removed.removed_in)]:
        raise KitError(past[0].message())
    for use in found:
        warnings.warn(use.message(), TemplateDeprecationWarning, stacklevel=2)
    adopted = set()
    for use in found:
        if use.kind == "override" and use.removed.block not in adopted:
            environment.globals[use.removed.macro] = _OldBlock(environment, use.removed)
            _without_macro(environment, use.removed.macro)
            adopted.add(use.removed.block)
    return adopted


def macro_definition(name: str) -> re.Pattern:
    """`{% macro name(...) %} ... {% endmacro %}` in a macros file."""
    return re.compile(rf"\{{%-?\s*macro\s+{name}\(.*?endmacro\s*-?%\}}", re.S)


def _without_macro(environment: LetterSandbox, macro: str) -> None:
    """The kit's macros again, without the one an old block replaces: the macros that call
    it (`party_lines` calls `address`) then call the old block too, which must be a global
    already: a module reads the globals once. Lines keep their numbers."""
    for name in environment.loader.files.names("macros/*.j2"):
        source, filename, _ = environment.loader.get_source(environment, name)
        cut = macro_definition(macro).sub(lambda match: "\n" * match.group().count("\n"), source)
        if cut != source:
            code = environment.compile(cut, name, filename)
            module = environment.template_class.from_code(environment, code, environment.make_globals(None)).module
            environment.globals.update({export: getattr(module, export) for export in dir(module)
                                        if not export.startswith("_")})


def still_works(name: str) -> bool:
    """A removed block that a folder may still include, until the release that removes it."""
    removed = _BY_BLOCK.get(name)
    return removed is not None and release_key(RELEASE) < release_key(removed.removed_in)


def removed_block(name: str) -> tuple[str, str, Any]:
    """For the loader: a removed block that a folder still includes, as it was; else not found."""
    if not still_works(name):
        raise jinja2.TemplateNotFound(name)
    removed = _BY_BLOCK[name]
    return removed.source.removesuffix("\n"), f"<{name}, as letterkit had it before {removed.deprecated_in}>", lambda: True


def as_read(name: str, source: str) -> str:
    """A block's source as letterkit reads it: a removed block without its last line end,
    as the release that had it read every block."""
    if name in _BY_BLOCK:
        return source.removesuffix("\n").removesuffix("\r")
    return source


class _OldBlock:
    """The macro that replaced a removed block, printing the author's version of that block."""

    def __init__(self, environment: jinja2.Environment, removed: RemovedBlock):
        self.environment, self.removed = environment, removed

    def __call__(self, value: Any = None) -> str:
        from .environment import composed  # the environment module imports this one

        if self.removed.passed_with and not value:
            return composed("")
        template = self.environment.get_template(self.removed.block)
        return composed(template.render(self.removed.context(value)))


def _minor(version: str) -> str:
    """"0.3.0" → "0.3": a part stops working in a minor release."""
    return ".".join(version.split(".")[:2])


def lint_lines(folders: tuple[Path, ...]) -> list[str]:
    """What `letterkit lint` says of the removed parts an author's folders still use."""
    return [f"{use.message()} (letterkit upgrade {shown(folder)} rewrites it)"
            for folder in authors_folders(folders) for use in uses(folder)]
