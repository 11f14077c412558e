"""Keeping an old template folder working a release longer than the parts it uses.

A template folder is kept for years; an upgrade must not break it silently. What was
renamed or removed, and until which release it works, is the inventory in
letterkit.upgrade (`REMOVED_BLOCKS`). Until then, a folder that uses such a part renders
as it did, with one warning line per use naming the author's file, line and the
replacement; from then on the same line is the error. `letterkit upgrade` rewrites the
uses, and `letterkit lint` reports them.

How an old folder keeps working:
- a template that includes a removed block gets the block as the release before had it;
- a folder that overrides a removed block gets its block called where the kit now calls
  the macro that replaced it (`citation(item.guideline)` renders the author's
  `blocks/guideline-citation.md.j2`).
Removed blocks are read as that release read every block: without their last line end.
"""

from __future__ import annotations

import warnings
from typing import Any

import jinja2

from . import version
from .errors import KitError
from .placeholders import composed
from .resolver import Resolver
from .upgrade import RemovedBlock, authors_folders, macro_definition, removed_block_named, uses


class TemplateDeprecationWarning(UserWarning):
    """A template folder or kit uses a part of the contract that will stop working."""


def adopt(environment: jinja2.Environment, files: Resolver) -> set[str]:
    """Warn about each use of a removed part in the author's folders, or refuse it once its
    release has come; make the author's own removed blocks what the macros replacing them
    print. The names of those blocks, which the letter now uses through the macros."""
    found = [use for folder in authors_folders(files.folders) for use in uses(folder)]
    if past := [use for use in found if version.reached(use.removed.removed_in)]:
        raise KitError(past[0].message())
    for use in found:
        warnings.warn(use.message(), TemplateDeprecationWarning, stacklevel=2)
    adopted = set()
    for use in found:
        if use.kind == "override" and use.removed.block not in adopted:
            environment.globals[use.removed.macro] = _OldBlock(environment, use.removed)
            _without_macro(environment, files, use.removed.macro)
            adopted.add(use.removed.block)
    return adopted


def _without_macro(environment: jinja2.Environment, files: Resolver, macro: str) -> None:
    """The kit's macros again, without the one an old block replaces: the macros that call
    it (`party_lines` calls `address`) then call the old block too, which must be a global
    already: a module reads the globals once. Lines keep their numbers."""
    for name in files.names("macros/*.j2"):
        source, filename = files.read_text(name), str(files.find(name))
        cut = macro_definition(macro).sub(lambda match: "\n" * match.group().count("\n"), source)
        if cut != source:
            code = environment.compile(cut, name, filename)
            module = environment.template_class.from_code(environment, code, environment.make_globals(None)).module
            environment.globals.update({export: getattr(module, export) for export in dir(module)
                                        if not export.startswith("_")})


def still_works(name: str) -> bool:
    """A removed block that a folder may still include, until the release that removes it."""
    return _still_working(name) is not None


def _still_working(name: str) -> RemovedBlock | None:
    removed = removed_block_named(name)
    return removed if removed is not None and not version.reached(removed.removed_in) else None


def removed_block(name: str) -> tuple[str, str, Any]:
    """For the loader: a removed block that a folder still includes, as it was; else not found."""
    removed = _still_working(name)
    if removed is None:
        raise jinja2.TemplateNotFound(name)
    shown_as = f"<{name}, as letterkit had it before {removed.deprecated_in}>"
    return removed.source.removesuffix("\n"), shown_as, lambda: True


def as_read(name: str, source: str) -> str:
    """A block's source as letterkit reads it: a removed block without its last line end,
    as the release that had it read every block."""
    if removed_block_named(name):
        return source.removesuffix("\n").removesuffix("\r")
    return source


class _OldBlock:
    """The macro that replaced a removed block, printing the author's version of that block."""

    def __init__(self, environment: jinja2.Environment, removed: RemovedBlock):
        self.environment, self.removed = environment, removed

    def __call__(self, value: Any = None) -> str:
        if self.removed.passed_with and not value:
            return composed("")
        template = self.environment.get_template(self.removed.block)
        return composed(template.render(self.removed.context(value)))
