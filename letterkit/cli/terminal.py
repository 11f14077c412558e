"""What the `letterkit` command writes on a terminal: one line per finding, letterkit's voice only."""

from __future__ import annotations

import errno
import io
import os
import sys
import warnings
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .. import libraries
from ..deprecations import TemplateDeprecationWarning
from ..errors import CaseError, LetterkitError, printable

STANDARD_OUTPUT = "standard output"  # the file an error writing the command's answer names


class _AnswerConsole(Console):
    """Standard output's console: a reader gone is an error naming standard output, as in
    `answer`, so that the command ends quietly (rich's own way exits 1 on the spot)."""

    def on_broken_pipe(self) -> None:
        raise OSError(errno.EPIPE, os.strerror(errno.EPIPE), STANDARD_OUTPUT)


# No markup unless asked for, and no emoji codes: paths and messages hold what users
# typed, `[/]` included, and a key's fingerprint holds `:CD:`, which rich would draw as a disc.
errors = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)
out = _AnswerConsole(highlight=False, soft_wrap=True, markup=False, emoji=False)


def answer(content: str | bytes) -> None:
    """Write the command's answer (JSON, a table, a letter, a diff) to standard output as it
    is; a failure to write it (a full disk under `> file`) names standard output."""
    try:
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            sys.stdout.write(content)
        sys.stdout.flush()
    except OSError as error:
        raise OSError(error.errno, error.strerror, STANDARD_OUTPUT) from None


def error(message: str) -> None:
    """One line on stderr, "error" in red, the message exactly as it is (escaped for the terminal)."""
    errors.print(f"[red]error[/red] {escape(printable(message))}", markup=True)


def warning(message: str) -> None:
    """One line on stderr, "warning" in yellow, the message exactly as it is."""
    errors.print(f"[yellow]warning[/yellow] {escape(printable(message))}", markup=True)


def print_table(table: Table) -> None:
    """On a terminal, fitted to its width; piped or redirected, never cut nor wrapped, so
    that each row is one line for grep and other tools (rich would assume 80 columns)."""
    if out.is_terminal:
        out.print(table)
        return
    drawn = io.StringIO()
    Console(file=drawn, highlight=False, soft_wrap=True, markup=False, emoji=False, width=1_000_000).print(table)
    answer("".join(line.rstrip() + "\n" for line in drawn.getvalue().splitlines()))


_PACKAGE = Path(__file__).resolve().parent.parent  # letterkit/


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """letterkit's warnings are one line each (a template folder's deprecation names the
    author's file:line, not letterkit's); another library's reach only the debug log."""
    if issubclass(category, TemplateDeprecationWarning) or Path(filename).is_relative_to(_PACKAGE):
        warning(str(message))
    elif libraries.debug_asked():
        _python_show_warning(message, category, filename, lineno, file, line)


_python_show_warning, warnings.showwarning = warnings.showwarning, _show_warning


def report(case: Path | str, failure: LetterkitError) -> None:
    """A case's error, one line per mistake, each naming the case (a JSON Lines case's own
    error names its line already)."""
    lines = failure.lines() if isinstance(failure, CaseError) else [
        line if line.startswith(f"{case}:") else f"{case}: {line}" for line in failure.lines()]
    for line in lines:
        error(line)
