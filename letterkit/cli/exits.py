"""The exit statuses of every command, and the one place where an error becomes lines and a status.

A command returns its status (None is 0) after saying what went wrong itself; a letterkit
error, an operating system's error (a file that cannot be read, a full disk) or Ctrl-C that
leaves a command is turned here into one line each and the status below. No command
calls `typer.Exit` for a failure of its own.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import ParamSpec

import typer

from ..errors import LetterkitError
from . import terminal

OK = 0
FAILED = 1  # a case, a letter or the command's own work failed; each said why in a line
USAGE = 2  # a bad option or argument (click's usage error); a batch that could not start
UNCHECKED = 3  # verify: nothing failed, but the signer was not checked against a trusted root
UNPRINTED = 3  # batch: the letters are done, the print file is not
INTERRUPTED = 130  # Ctrl-C (or SIGTERM for a batch), as a shell reports a process stopped by SIGINT

EPILOG = ("Exit status: 0 done; 1 something failed (one line each on stderr: a case, a file, "
          "a kit); 2 a usage error, or a batch that could not start; 3 verify could not check "
          "the signer, or a batch's letters are done and its print file is not; 130 interrupted.")

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
        terminal.error(_os_error_line(error))
        return FAILED
    except KeyboardInterrupt:
        terminal.errors.print("interrupted")
        return INTERRUPTED


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
