"""The `letterkit` command: thin, it parses arguments and calls the library.

The app is here, with the table of its commands; each group of commands is a module
beside it (render, batch, check, kits, seal, translations, preview); the options
several commands take are defined once in `options`; `exits` turns every error into
lines and an exit status; `terminal` is what the command writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from .. import __version__, libraries
from . import batch, check, kits, preview, render, seal, terminal, translations
from .exits import EPILOG, CommandGroup

app = typer.Typer(
    cls=CommandGroup,
    help="Compose medical determination letters from blocks; render HTML, PDF and DOCX.",
    epilog=EPILOG,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's plain help: rich's shows Python types (<list[Path]>)
)

# The commands, in the order `letterkit --help` lists them.
COMMANDS: dict[str, Callable[..., None]] = {
    "render": render.render,
    "batch": batch.batch,
    "validate": check.validate_command,
    "rules": check.rules_command,
    "kits": kits.kits_command,
    "blocks": kits.blocks,
    "lint": check.lint_command,
    "upgrade": kits.upgrade_command,
    "new-kit": kits.new_kit_command,
    "preview": preview.preview,
    "vars": kits.variables,
    "schema": kits.schema,
    "extract": seal.extract,
    "verify": seal.verify_command,
}
for _name, _command in COMMANDS.items():
    app.command(_name)(_command)
app.add_typer(translations.app, name="translations")


def _print_version(asked: bool) -> None:
    if asked:
        terminal.answer(f"letterkit {__version__}\n")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Print letterkit's version and exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help=(
        "Show the log of the libraries letterkit uses (pyHanko, WeasyPrint, Dask, Ray) on stderr; "
        f"so does {libraries.DEBUG_VARIABLE}=1."))] = False,
) -> None:
    if verbose or libraries.debug_asked():
        libraries.show_debug_log()
    else:
        libraries.quiet_terminal()
