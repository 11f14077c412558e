"""A batch on Ray: a pool of actors, each keeping a kit warm, behind an Executor.

    import ray
    ray.init(address="auto")                    # or nothing: a Ray on this machine
    with RayExecutor(workers=8) as executor:
        render_batch(source, "/shared/letters", executor=executor)

- Each actor holds one `Renderer` (a child process, see renderer.py): the kit, fonts and
  stylesheets are loaded once, and a case past its time limit is stopped there.
- Each actor reserves one of the cluster's CPUs, and the actors are spread over its nodes.
  (Ray's default actor reserves a CPU only to be placed, none while it runs, so every
  actor of a batch would be placed on the driver's node.) So there are at most as many
  actors as the cluster has CPUs, and only those that start within `START_SECONDS` (the
  others' CPUs are held by other work) take cases.
- An actor whose process is killed is started again by Ray, which runs its hand-offs
  again (`max_restarts`, `max_task_retries`). An actor that is gone for good takes its
  hand-offs with it: each goes once more to an actor still there; when none is left, or
  it fails there too, its cases fail with the reason.
- Files go to a folder that every node and the client can reach, each written whole
  under a temporary name and renamed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from concurrent.futures import Executor, Future
from typing import Any

import ray
from ray.exceptions import ActorDiedError, RayError

from ..errors import LetterkitError
from .job import Job, failed_entry, render_cases
from .renderer import Renderer
from .sources import Case
from .workers import PREFIX, _sweep_folders_of_dead_batches

RESTARTS = 3  # of one actor's process, and runs of a hand-off whose actor died under it
START_SECONDS = 60.0  # how long the pool waits for its actors to start


@ray.remote(num_cpus=1, scheduling_strategy="SPREAD", max_restarts=RESTARTS, max_task_retries=RESTARTS)
class LetterWorker:
    """A Ray actor that renders hand-offs of cases, in a renderer it keeps."""

    def __init__(self):
        _sweep_folders_of_dead_batches()  # left by actors on this node that were killed
        self.folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
        self.renderer = Renderer(self.folder)

    def pid(self) -> int:
        return os.getpid()

    def render(self, job: Job, cases: tuple[Case, ...]) -> list[dict[str, Any]]:
        self.renderer.warm(job.kit, job.templates)
        return [self.renderer.render(job, case) for case in cases]

    def stop(self) -> None:
        self.renderer.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class RayExecutor(Executor):
    """Runs a batch's hand-offs on `workers` Ray actors (default and at most: one per CPU of
    the cluster), each to the actor with the fewest in flight. Only `render_cases` can be
    submitted."""

    def __init__(self, workers: int | None = None):
        cpus = int(ray.cluster_resources().get("CPU", 0))
        if cpus < 1:
            raise LetterkitError("the Ray cluster has no CPU for letterkit's workers")
        # mypy keeps a decorated class's own type, not ray's ActorClass (python/mypy#3135)
        started = [LetterWorker.remote() for _ in range(min(workers or cpus, cpus))]  # type: ignore[attr-defined]
        self.actors = _those_started(started)
        self._in_flight = {actor: 0 for actor in self.actors}
        self._lock = threading.Lock()

    @property
    def slots(self) -> int:
        return max(1, len(self._in_flight))

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if fn is not render_cases or kwargs:
            raise TypeError("a RayExecutor runs a batch's render_cases hand-offs only")
        job, cases = args
        done: Future = Future()
        self._send(done, job, cases, tries=2)
        return done

    def _send(self, done: Future, job: Job, cases: tuple[Case, ...], tries: int) -> None:
        with self._lock:
            actor = min(self._in_flight, key=self._in_flight.__getitem__, default=None)
            if actor is not None:
                self._in_flight[actor] += 1
        if actor is None:
            done.set_result([failed_entry(job, case, "on Ray: no worker is left") for case in cases])
            return
        reply = actor.render.remote(job, cases).future()
        reply.add_done_callback(lambda reply: self._settle(reply, actor, done, job, cases, tries))

    def _settle(self, reply: Future, actor, done: Future, job: Job, cases: tuple[Case, ...], tries: int) -> None:
        error = reply.exception()
        with self._lock:
            if actor in self._in_flight:
                self._in_flight[actor] -= 1
                if isinstance(error, ActorDiedError):  # gone for good, past its restarts
                    del self._in_flight[actor]
        if error is None:
            done.set_result(reply.result())
        elif isinstance(error, RayError) and tries > 1:
            self._send(done, job, cases, tries - 1)
        else:
            reason = f"on Ray: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
            done.set_result([failed_entry(job, case, reason) for case in cases])

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop the actors (and their renderers)."""
        with self._lock:
            actors, self._in_flight = list(self._in_flight), {}
        stopping = [actor.stop.remote() for actor in actors] if wait else []
        for reply in stopping:
            with contextlib.suppress(RayError):  # an actor that is gone has nothing to stop
                ray.get(reply)
        for actor in actors:
            ray.kill(actor, no_restart=True)


def _those_started(actors: list) -> list:
    """The actors that start within START_SECONDS; the others are given up."""
    replies = {actor.pid.remote(): actor for actor in actors}
    ready, _ = ray.wait(list(replies), num_returns=len(replies), timeout=START_SECONDS)
    started = [replies[reply] for reply in ready]
    for actor in set(actors) - set(started):
        ray.kill(actor, no_restart=True)
    if not started:
        raise LetterkitError(f"no Ray worker started within {START_SECONDS:g} s: the cluster's CPUs are busy")
    return started
