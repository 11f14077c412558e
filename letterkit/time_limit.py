"""A time limit for one letter: a template folder's block may loop for ever.

`render` and `validate` give each case `--case-timeout` seconds (120 by default), as a
batch does; a case past it fails alone, in one line, with no file written.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import LetterkitError


class CaseTimeout(LetterkitError):
    """A case that took longer than its `--case-timeout`."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise `CaseTimeout` in this (the process's main) thread after `seconds`.

    A signal, so it stops a letter anywhere in Python code. Threads cannot take signals:
    on an executor that runs cases in threads (Dask's), a case has no limit.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise CaseTimeout(f"took longer than {seconds:g} s to render (--case-timeout); nothing written")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
