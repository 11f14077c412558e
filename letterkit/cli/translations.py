"""`letterkit translations extract` and `status`: a kit's phrases for translators, and what a language lacks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import load_kit, phrasebook
from ..output import write_all
from . import options as o
from .exits import FAILED, USAGE, reporting_errors
from .terminal import answer, out

app = typer.Typer(help="A kit's translations: its short phrases for translators, what a language lacks.",
                   no_args_is_help=True, rich_markup_mode=None)


@app.command("extract")
@reporting_errors()
def translations_extract(
    kit: o.Kit = "imr",
    templates: o.Templates = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE",
                                                   help="Write the catalogue here (default: standard output).")] = None,
) -> None:
    """Write the kit's short phrases (headings, labels, the closing, its rules' phrases) as a
    gettext catalogue template (.pot) for translators; whole paragraphs are translated as blocks."""
    pot = phrasebook.catalogue(load_kit(kit, tuple(templates or ())))
    if output is None:
        answer(pot)
    else:
        write_all({output: pot})


@app.command("status")
@reporting_errors(letterkit_error=USAGE)  # 1 says something is missing: a kit that does not load is not that
def translations_status(
    language: Annotated[str, typer.Argument(help="A language code: es.", metavar="LANG", show_default=False)],
    kit: o.Kit = "imr",
    templates: o.Templates = None,
) -> int | None:
    """Print what the kit lacks to write its letters in LANG, one line each; exit status 1
    if anything is missing."""
    try:
        missing = phrasebook.status(load_kit(kit, tuple(templates or ())), language)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="LANG") from None
    for item in missing:
        out.print(f"{item.where}: {item.what}")
    if missing:
        return FAILED
    out.print(f"kit {kit}: every template and phrase rule has its {language}")
    return None
