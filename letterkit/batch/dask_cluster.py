"""A batch on a Dask cluster: every case gets its line, whatever happens to the workers.

    from distributed import Client
    render_batch(source, "/shared/letters", executor=DaskExecutor(Client("scheduler:8786")))

(`render_batch` wraps a `Client` given as its executor in a `DaskExecutor` itself.)

- Each worker holds one `Renderer` (a child process, see renderer.py) per thread, kept
  by a worker plugin for the worker's life: the kit, fonts and stylesheets are loaded
  once, and a case past its time limit is stopped there, on the worker.
- A worker's memory limit (`--memory-limit`) covers its renderers too: what the worker
  process does not hold of it when it starts is shared among its renderers, and a case
  whose renderer grows past its share fails, with that reason; its renderer is started
  again for the next case. (Dask itself watches the worker process alone.)
- A worker killed mid-case: the scheduler hands its tasks to another worker (or to the
  same one, restarted by its nanny). A hand-off whose workers died too often
  (`distributed.scheduler.allowed-failures`, 3) comes back as `KilledWorker`: its cases go
  again one at a time, so that only a case that kills workers fails, with that reason.
- No worker left: the batch waits `no_workers_timeout` seconds (120) for one to join, then
  fails the cases that wait, and those after them, each with that reason. A hand-off waits
  until its result is in hand: one that finished on a worker killed before the result was
  fetched is computed again by Dask, or fails by that wait.
- The client dies: the manifest holds a line for every case finished, written after its
  files; the same batch run again renders only what is missing.
- Files go to a folder every worker and the client can reach (a shared file system),
  each written whole under a temporary name and renamed.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import tempfile
import threading
import time
from concurrent.futures import CancelledError, Executor, Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, cast

import psutil
from distributed import Client, KilledWorker, get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from ..errors import LetterkitError
from .job import Job, failed_entry, render_cases
from .renderer import Renderer
from .sources import Case
from .workers import PREFIX, _sweep_folders_of_dead_batches

if TYPE_CHECKING:
    from dask.typing import Key

PLUGIN = "letterkit-renderers"
NO_WORKERS_SECONDS = 120.0  # how long a batch waits for a worker when none is left
FETCH_SECONDS = 10.0  # one wait for a finished hand-off's result, before it is looked at again
FETCH_TRIES = 4  # waits for a result, each after its worker was killed or was slow to send it


class WarmRenderers(WorkerPlugin):
    """On each worker, one renderer per worker thread, started on first use and kept."""

    name = PLUGIN

    def setup(self, worker) -> None:
        _sweep_folders_of_dead_batches()  # left by workers on this host that were killed
        # Named after this worker's process, so that the sweep removes it once it is gone.
        self.folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
        self.idle: queue.SimpleQueue[Renderer] = queue.SimpleQueue()
        threads = max(1, worker.state.nthreads)
        self.all = [Renderer(self.folder, _share_of_memory_limit(worker, threads)) for _ in range(threads)]
        for renderer in self.all:
            self.idle.put(renderer)

    def teardown(self, worker) -> None:
        for renderer in self.all:
            renderer.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    @contextlib.contextmanager
    def borrowed(self):
        renderer = self.idle.get()
        try:
            yield renderer
        finally:
            self.idle.put(renderer)


def render_on_worker(job: Job, cases: tuple[Case, ...]) -> list[dict[str, Any]]:
    """A hand-off of cases, on a Dask worker, each in one of the worker's renderers."""
    # Dask types a worker's plugins as the base class; the one under PLUGIN is ours.
    with cast(WarmRenderers, get_worker().plugins[PLUGIN]).borrowed() as renderer:
        renderer.warm(job.kit, job.templates)
        return [renderer.render(job, case) for case in cases]


class DaskExecutor(Executor):
    """Runs a batch's hand-offs on a Dask cluster; each completes with a manifest entry per
    case, failed entries when Dask gave up on it. Only `render_cases` can be submitted."""

    def __init__(self, client: Client, no_workers_timeout: float = NO_WORKERS_SECONDS):
        self.client = client
        self.no_workers_timeout = no_workers_timeout
        # Registered once per cluster, on restarted workers too: registering it again
        # would end every worker's renderers and start new ones, cold.
        if not client.run_on_scheduler(_has_renderers):
            client.register_plugin(WarmRenderers(), name=PLUGIN)
        self._running: dict[Key, Any] = {}  # Dask's futures, kept so that their tasks are kept
        self._given_up: dict[Key, str] = {}  # tasks cancelled here, with the reason their cases fail
        self._lock = threading.Lock()
        self._watch: threading.Thread | None = None  # runs while tasks do (_watch_workers)
        # Dask runs every future's done-callbacks on one thread: a result fetched there, which
        # can wait for Dask to compute it again, would hold up every other task's callback.
        self._settling = ThreadPoolExecutor(1, thread_name_prefix="letterkit-settle")

    @property
    def slots(self) -> int:
        """Threads on the cluster now: how many cases it renders at once."""
        workers = self.client.scheduler_info(n_workers=-1)["workers"].values()
        return sum(worker["nthreads"] for worker in workers) or 1

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if fn is not render_cases or kwargs:
            raise TypeError("a DaskExecutor runs a batch's render_cases hand-offs only")
        job, cases = args
        done: Future = Future()
        task = self.client.submit(render_on_worker, job, cases, pure=False)
        with self._lock:
            self._running[task.key] = task
            if self._watch is None:
                self._watch = threading.Thread(target=self._watch_workers, name="letterkit-no-workers", daemon=True)
                self._watch.start()
        self._settle_when_done(task, done, job, cases, FETCH_TRIES)
        return done

    def _settle_when_done(self, task, done: Future, job: Job, cases: tuple[Case, ...], tries: int) -> None:
        task.add_done_callback(lambda task: self._settling.submit(self._settle, task, done, job, cases, tries))

    def _settle(self, task, done: Future, job: Job, cases: tuple[Case, ...], tries: int) -> None:
        """Completes `done` with the task's entries. The task stays in `_running` until its
        result is in hand, so that the no-worker watch sees a result lost with every worker."""
        try:
            entries = task.result(timeout=FETCH_SECONDS)
        except TimeoutError:
            self._fetch_again(task, done, job, cases, tries)
        except Exception as error:  # cancelled, KilledWorker, a kit the workers cannot load...
            self._settle_failed(task, done, job, cases, error)
        else:
            self._forget(task)
            done.set_result(entries)

    def _fetch_again(self, task, done: Future, job: Job, cases: tuple[Case, ...], tries: int) -> None:
        """A result not in hand after FETCH_SECONDS: lost with its worker (Dask computes it
        again), or its worker is slow to send it. Each goes again a few times at most."""
        if tries <= 1:
            error = TimeoutError(f"its result was lost with its worker, or not sent, {FETCH_TRIES} times")
            self._settle_failed(task, done, job, cases, error)
        elif task.status == "finished":
            self._settling.submit(self._settle, task, done, job, cases, tries - 1)
        else:
            self._settle_when_done(task, done, job, cases, tries - 1)

    def _settle_failed(self, task, done: Future, job: Job, cases: tuple[Case, ...], error: Exception) -> None:
        given_up = self._forget(task)
        if isinstance(error, CancelledError) and not given_up:  # the client lost the scheduler: stop the batch
            done.set_exception(LetterkitError(f"the Dask scheduler cancelled the batch's work ({error}); "
                                              "run the same batch again to resume"))
        elif isinstance(error, KilledWorker) and len(cases) > 1 and not given_up:
            # Workers died under this hand-off again and again: one of its cases may be
            # killing them. Each case goes again on its own, so only that one fails.
            self._one_at_a_time(done, job, cases)
        else:
            reason = given_up or f"on Dask: {type(error).__name__}: {_first_sentence(error)}"
            done.set_result([failed_entry(job, case, reason) for case in cases])

    def _forget(self, task) -> str | None:
        """The task is settled: no longer watched. The reason it was given up for, if it was."""
        with self._lock:
            self._running.pop(task.key, None)
            return self._given_up.pop(task.key, None)

    def _one_at_a_time(self, done: Future, job: Job, cases: tuple[Case, ...]) -> None:
        parts = [self.submit(render_cases, job, (case,)) for case in cases]
        left = [len(parts)]

        def settled(_: Future) -> None:
            with self._lock:
                left[0] -= 1
                last = left[0] == 0
            if not last:
                return
            # a part that raised (the client lost the scheduler) ends the whole hand-off so;
            # a callback that raised instead would leave the batch waiting for it for ever
            error = next(filter(None, (part.exception() for part in parts)), None)
            if error is not None:
                done.set_exception(error)
            else:
                done.set_result([entry for part in parts for entry in part.result()])

        for part in parts:
            part.add_done_callback(settled)

    def _watch_workers(self) -> None:
        """While work is waiting and no worker is left, wait `no_workers_timeout`; then fail
        what is waiting, and what comes after, until a worker joins."""
        since = None
        while True:
            time.sleep(1.0)
            with self._lock:
                waiting = list(self._running.values())
                if not waiting:  # submit starts another when there is work again
                    self._watch = None
                    return
            try:
                workers = len(self.client.scheduler_info(n_workers=-1)["workers"])
            except Exception:  # the client is closing, or lost the scheduler: _settle says so
                continue
            if workers:
                since = None
                continue
            since = since or time.monotonic()
            if time.monotonic() - since >= self.no_workers_timeout:
                reason = (f"on Dask: no worker was left for {self.no_workers_timeout:g} s; "
                          "run the same batch again once the cluster has workers")
                with self._lock:
                    self._given_up.update((task.key, reason) for task in waiting)
                self.client.cancel(waiting)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            running = list(self._running.values())
        if cancel_futures:
            self.client.cancel(running)


def _share_of_memory_limit(worker, renderers: int) -> int | None:
    """Bytes each of a worker's renderers may hold: what the worker process does not hold
    of its memory limit, shared (None: the worker has no limit)."""
    limit = worker.memory_manager.memory_limit
    if not limit:
        return None
    return max(0, limit - psutil.Process().memory_info().rss) // renderers


def _has_renderers(dask_scheduler) -> bool:
    return PLUGIN in dask_scheduler.worker_plugins


def _first_sentence(error: Exception) -> str:
    """Dask's messages go on for a paragraph; a manifest line needs what happened."""
    return str(error).split(". ")[0].strip()
