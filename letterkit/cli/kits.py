"""`letterkit kits`, `blocks`, `vars`, `schema`, `new-kit` and `upgrade`: what a kit holds,
and making or upgrading one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from .. import catalogue, load_kit
from ..kits import builtin_kits
from ..scaffold import new_kit
from ..upgrade import VOCABULARY_FILE, plan
from . import options as o
from .exits import FAILED, reporting_errors
from .terminal import answer, error, errors, out, print_table


@reporting_errors()
def kits_command(as_json: o.AsJson = False) -> None:
    """List the built-in kits, each with what it is for (give one to --kit)."""
    listed = [{"kit": name, "description": load_kit(name).description} for name in builtin_kits()]
    if as_json:
        answer(json.dumps(listed, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table("kit", "what it is for", box=None, header_style="bold")
    for kit in listed:
        table.add_row(kit["kit"], kit["description"])
    print_table(table)


@reporting_errors()
def blocks(kit: o.Kit = "imr", templates: o.Templates = None, as_json: o.AsJson = False) -> None:
    """List the letter's blocks: the file each comes from, and the data each reads."""
    found = catalogue.blocks(load_kit(kit, tuple(templates or ())))
    if as_json:
        answer(json.dumps([{"block": block.name, "file": str(block.path), "from": block.origin,
                            "reads": list(block.variables)} for block in found], indent=2, ensure_ascii=False) + "\n")
        return
    table = Table("block", "from", "reads", box=None, header_style="bold")
    for block in found:
        table.add_row(block.name, block.origin, ", ".join(block.variables))
    print_table(table)


@reporting_errors()
def variables(kit: o.Kit = "imr", templates: o.Templates = None, as_json: o.AsJson = False) -> None:
    """List what blocks can print: the case's fields (those a kit.toml or fields.toml
    declares too) and computed values, with their types."""
    found = catalogue.kit_fields(load_kit(kit, tuple(templates or ())))
    if as_json:
        answer(json.dumps([{"field": field.path, "type": field.type, "computed": field.computed,
                            "description": field.description} for field in found], indent=2, ensure_ascii=False) + "\n")
        return
    table = Table("field", "type", "description", box=None, header_style="bold")
    for field in found:
        table.add_row(field.path, field.type + (" (computed)" if field.computed else ""), field.description)
    print_table(table)


@reporting_errors()
def schema(kit: o.Kit = "imr") -> None:
    """Print the JSON Schema of the kit's case data."""
    answer(json.dumps(load_kit(kit).model.model_json_schema(), indent=2) + "\n")


@reporting_errors()
def new_kit_command(
    folder: Annotated[Path, typer.Argument(
        help="Folder for the new kit; its name is the kit's name.", show_default=False, metavar="DIR")],
    extends: Annotated[Optional[str], typer.Option(
        "--extends", help="Build on this kit's model, letter and rules, adding fields in kit.toml.",
        metavar="KIT")] = None,
) -> None:
    """Start a kit: a new family of letters on the neutral `letter` kit (fields in
    kit.toml, a block, an example case; no Python); or, with --extends, a kit that builds
    on another kit's letter and adds a field."""
    for path in new_kit(folder, extends):
        out.print(f"wrote {path}")
    if extends is None:
        out.print(f"try it: letterkit render {folder / 'example.yaml'} --kit {folder}")
    else:
        out.print(f"try it: add notice_sent: 2026-01-15 to a case of the {extends} kit, then "
                  f"letterkit render CASE --kit {folder}; letterkit vars --kit {folder} lists its fields")


@reporting_errors()
def upgrade_command(
    folders: Annotated[list[Path], typer.Argument(help="Template folders (or kits) to upgrade.", show_default=False,
                                                  metavar="DIR")],
    kit: o.Kit = "imr",
    write: Annotated[bool, typer.Option("--write", help="Apply the changes; without it, only show them.")] = False,
) -> int | None:
    """Rewrite template folders for the parts of the author's contract letterkit renamed
    or removed: a diff of what would change, or with --write, the change made.
    Exit status 1 if something is left to rewrite by hand."""
    vocabulary = load_kit(kit).files.find(VOCABULARY_FILE)
    left = changed = 0
    for folder in folders:
        if not folder.is_dir():
            error(f"{folder}: not a folder")
            left += 1
            continue
        upgrade = plan(folder, vocabulary)
        for line in upgrade.by_hand:
            error(line)
        left += len(upgrade.by_hand)
        changed += len(upgrade.files)
        _apply(upgrade, write)
        if not upgrade.files and not upgrade.by_hand:
            out.print(f"{folder}: nothing to upgrade")
    if changed and not write:
        errors.print(f"a dry run: {changed} file(s) would change; --write changes them")
    return FAILED if left else None


def _apply(upgrade, write: bool) -> None:
    """The change made, each file named; or, without --write, its diff."""
    if not write:
        answer(upgrade.diff())
        return
    upgrade.write()
    for path in sorted(upgrade.files):
        out.print(f"{'removed' if upgrade.files[path] is None else 'wrote'} {path}")
