"""The exit statuses of every command, and the one place where an error becomes lines and a status.

A command returns its status (None is 0) after saying what went wrong itself; a letterkit
error, an operating system's error (a file that cannot be read, a full disk) or Ctrl-C that
leaves a command is turned here into one line each and the status below. No command
calls `typer.Exit` for a failure of its own. A reader of standard output that stops early
(`letterkit rules | head`) is no failure: the command ends without a word, see READER_GONE.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, NoReturn, ParamSpec

import typer
from typer._click import Context  # typer's own copy of click, which its group subclasses
from typer.core import TyperGroup

from ..errors import LetterkitError
from . import terminal

OK = 0
FAILED = 1  # a case, a letter or the command's own work failed; each said why in a line
USAGE = 2  # a bad option or argument (click's usage error); a batch that could not start
UNCHECKED = 3  # verify: nothing failed, but the signer was not checked against a trusted root
UNPRINTED = 3  # batch: the letters are done, the print file is not
INTERRUPTED = 130  # Ctrl-C (or SIGTERM for a batch), as a shell reports a process stopped by SIGINT
# Standard output's reader stopped reading (`| head`, a pager quit): the command stops, silent,
# with the status a shell reports for git, grep or cat, which die of SIGPIPE (128 + 13). Not 1,
# which says something failed (click's and Python's documented choice), nor the signal itself:
# Python ignores SIGPIPE so that a closed socket is an error, not a death (preview, Dask, Ray),
# and the command may run inside a caller's process, which a signal would kill.
READER_GONE = 141

EPILOG = ("Exit status: 0 done; 1 something failed (one line each on stderr: a case, a file, "
          "a kit); 2 a usage error, or a batch that could not start; 3 verify could not check "
          "the signer, or a batch's letters are done and its print file is not; 130 interrupted; "
          "141 the reader of standard output stopped early (| head), said by no line.")

P = ParamSpec("P")


def reporting_errors(letterkit_error: int = FAILED) -> Callable[[Callable[P, int | None]], Callable[P, None]]:
    """A command whose errors end it with one line each and a status: `letterkit_error`
    for a letterkit error (a batch that could not start says USAGE), FAILED for an
    operating system's error, INTERRUPTED for Ctrl-C."""
    def decorate(command: Callable[P, int | None]) -> Callable[P, None]:
        @functools.wraps(command)  # typer reads the options from the wrapped signature
        def run(*args: P.args, **kwargs: P.kwargs) -> None:
            status = _status_of(command, letterkit_error, *args, **kwargs)
            if status:
                raise typer.Exit(status)
        return run
    return decorate


def _status_of(command: Callable[..., int | None], letterkit_error: int, *args, **kwargs) -> int:
    try:
        return command(*args, **kwargs) or OK
    except LetterkitError as error:
        for line in error.lines():
            terminal.error(line)
        return letterkit_error
    except OSError as error:
        if error.errno == errno.EPIPE and error.filename == terminal.STANDARD_OUTPUT:
            _end_for_a_gone_reader()
        terminal.error(_os_error_line(error))
        return FAILED
    except KeyboardInterrupt:
        terminal.errors.print("interrupted")
        return INTERRUPTED


class CommandGroup(TyperGroup):
    """The app's group: click's own answers (help, --version) that meet a gone reader end as
    the commands' answers do, with READER_GONE and not a word, where click would exit 1.
    A command's own errors never get here: `reporting_errors` has said them already."""

    def make_context(self, info_name: str | None, args: list[str], parent: Context | None = None,
                     **extra: Any) -> Context:  # the app's help, --version
        with _ending_quietly_if_the_reader_goes():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Context) -> Any:  # a command's help, then the command
        with _ending_quietly_if_the_reader_goes():
            return super().invoke(ctx)


@contextlib.contextmanager
def _ending_quietly_if_the_reader_goes() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        _end_for_a_gone_reader()


def _end_for_a_gone_reader() -> NoReturn:
    _drop_standard_output()
    raise typer.Exit(READER_GONE) from None


def _os_error_line(error: OSError) -> str:
    """"FILE: No such file or directory"; "standard output: No space left on device"."""
    if error.filename == terminal.STANDARD_OUTPUT:
        _drop_standard_output()
    reason = error.strerror or str(error)
    return reason if error.filename is None else f"{error.filename}: {reason}"


def _drop_standard_output() -> None:
    """Standard output pointed at the null device: what it could not take is dropped, so
    that Python's last flush at exit does not print a traceback of its own."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # not a file (a test's runner captures it)
        pass
