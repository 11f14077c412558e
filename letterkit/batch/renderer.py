"""A child process that renders cases for a cluster worker, which can stop it at any time.

A cluster's workers (Dask's, Ray's) run tasks in threads, or in processes they own and
restart their own way: a signal cannot stop a case there, and a case stuck in C code
would hold the worker for ever. So a worker renders each case in a `Renderer`: a child
process of its own, started once and kept, so the kit, its fonts and its stylesheets
stay loaded from one case to the next. The case's own time limit runs in the child
(its main thread takes signals); past the hard limit, or if the child dies, the worker
ends it and starts another. A case that kills its renderer twice fails.

A worker's memory limit (Dask's `--memory-limit`) is watched over the worker process
alone, not its children: so a renderer given `memory_limit` is watched by the worker
itself while it renders, and a case whose renderer grows past it is stopped and fails.

The child is a plain `python -c CHILD`, not a multiprocessing
process: a Dask worker is a daemonic process, which multiprocessing forbids to have
children, and forking a process full of threads is unsafe.
"""

from __future__ import annotations

import multiprocessing.connection
import os
import signal
import subprocess
import sys
import time
from typing import Any

from ..kits import load_kit
from .job import Job, failed_entry, render_case
from .sources import Case
from .workers import _die_with_parent

MEMORY_CHECKS_PER_SECOND = 10  # while a renderer with a memory limit renders


class OverMemoryLimit(Exception):
    """The renderer's resident memory grew past its limit."""


def hard_limit(job: Job) -> float | None:
    """When a renderer is stopped: far past the limit the child keeps itself, so only a
    case stuck where that limit's signal cannot reach it (deep in C code) meets it."""
    return 2 * job.case_timeout + 5 if job.case_timeout else None


class Renderer:
    """One child process rendering one case at a time, for the thread that holds it."""

    def __init__(self, temporary: str | None = None, memory_limit: int | None = None):
        self.temporary = temporary  # the child's TMPDIR (WeasyPrint copies fonts there)
        self.memory_limit = memory_limit  # bytes the child may hold resident; past them it is stopped
        self._process: subprocess.Popen | None = None
        self._connection: multiprocessing.connection.Connection | None = None
        self._warm: set[tuple[str, tuple[str, ...]]] = set()

    def warm(self, kit: str, templates: tuple[str, ...] = ()) -> None:
        """Load a kit in the child now, so its first case does not pay for it."""
        if (kit, templates) not in self._warm:
            self._call(_warm_kit, (kit, templates), timeout=None)
            self._warm.add((kit, templates))

    def render(self, job: Job, case: Case) -> dict[str, Any]:
        """The case's manifest entry, whatever happens to the child. Never raises."""
        for attempt in (1, 2):
            try:
                return self._call(render_case, (job, case), timeout=hard_limit(job))
            except TimeoutError:
                self.stop()
                return failed_entry(job, case, f"still rendering after {hard_limit(job):g} s, past its time "
                                               "limit (--case-timeout); its renderer process was stopped")
            except OverMemoryLimit as error:
                self.stop()
                return failed_entry(job, case, f"{error}; the renderer was stopped")
            except (EOFError, OSError):  # the child died under the case
                self.stop()
        return failed_entry(job, case, "the renderer process died while rendering this case, twice")

    def _call(self, function, arguments: tuple, timeout: float | None):
        connection = self._started()
        connection.send((function, arguments))
        if not self._answered(connection, timeout):
            raise TimeoutError
        kind, value = connection.recv()
        if kind == "error":
            raise value
        return value

    def _answered(self, connection: multiprocessing.connection.Connection, timeout: float | None) -> bool:
        """Whether the child answers within `timeout` seconds; meanwhile, its memory is
        checked against the limit, if it has one (raises OverMemoryLimit)."""
        if self.memory_limit is None:
            return connection.poll(timeout)
        import psutil  # with the engines that set a limit (Dask's distributed depends on it)

        child = psutil.Process(self._process.pid)  # type: ignore[union-attr]  # started by _call
        deadline = None if timeout is None else time.monotonic() + timeout
        while not connection.poll(1 / MEMORY_CHECKS_PER_SECOND):
            try:
                resident = child.memory_info().rss
            except psutil.NoSuchProcess:  # died: poll sees its end of the pipe closed next
                continue
            if resident > self.memory_limit:
                raise OverMemoryLimit(f"its renderer process grew to {resident / 2**20:,.0f} MB, past the "
                                      f"{self.memory_limit / 2**20:,.0f} MB the worker's memory limit leaves it")
            if deadline is not None and time.monotonic() > deadline:
                return False
        return True

    def _started(self) -> multiprocessing.connection.Connection:
        if self._process is None or self._process.poll() is not None:
            self.stop()
            ours, theirs = multiprocessing.Pipe()
            environment = dict(os.environ, TMPDIR=self.temporary) if self.temporary else None
            self._process = subprocess.Popen(
                [sys.executable, "-c", CHILD, str(theirs.fileno()), str(os.getpid())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=environment)
            theirs.close()
            self._connection = ours
            self._warm.clear()
        assert self._connection is not None  # opened with the process, closed with it (stop)
        return self._connection

    def stop(self) -> None:
        """End the child at once (a case it was on is lost with it)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait()
            self._process = None


def _warm_kit(kit: str, templates: tuple[str, ...]) -> None:
    load_kit(kit, templates)


def _serve(fd: int, parent: int) -> None:
    """The child: run each (function, arguments) it is sent, in its main thread, and answer."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides when it ends
    _die_with_parent(parent)
    connection = multiprocessing.connection.Connection(fd)
    while True:
        try:
            function, arguments = connection.recv()
        except EOFError:  # the worker closed its end: it is done with us
            return
        try:
            answer = ("ok", function(*arguments))
        except Exception as error:
            answer = ("error", error)
        connection.send(answer)


# The child's program. Not `-m letterkit.batch.renderer`: importing the package imports
# this module first, and runpy warns on stderr that it would run it a second time.
CHILD = "import sys; from letterkit.batch.renderer import _serve; _serve(int(sys.argv[1]), int(sys.argv[2]))"
