"""How long one case may take: a template folder's block may loop for ever.

`render`, `validate` and `preview` give each case `--case-timeout` seconds (120 by default), as a
batch does; a case past it fails alone, in one line, with no file written; `verify --kit`
limits so the rendering of a case a letter carries (it may be anyone's).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import LetterkitError

CASE_TIMEOUT = 120.0  # seconds: the batch's default


class CaseTimeout(LetterkitError):
    """A case that took longer than its time limit."""


@contextmanager
def time_limit(seconds: float | None, after: str = "to render (--case-timeout); nothing written") -> Iterator[None]:
    """Raise `CaseTimeout` in this (the worker's main) thread after `seconds`: it took longer than
    so many seconds `after`.

    A signal, so it stops a letter anywhere in Python code. Threads cannot take signals:
    on an executor that runs cases in threads (Dask's), a case has no limit.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise CaseTimeout(f"took longer than {seconds:g} s {after}")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
