"""A batch's own worker processes: started tied to the batch, watched, stopped, swept up.

A worker must never outlive its batch: if the batch process is killed outright, the
kernel ends its workers too (Linux's parent-death signal). Everything a worker puts in
the temporary directory goes into the batch's own folder there, which the batch
removes at its end, or the next batch removes if this one was killed.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

PREFIX = "letterkit-batch-"
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@contextlib.contextmanager
def batch_folder():
    """A temporary folder for this batch, named after its process so that a later batch
    can tell it was left by one that is gone, and remove it."""
    _sweep_folders_of_dead_batches()
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    (folder / "markers").mkdir()
    (folder / "tmp").mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def start_pool(workers: int, folder: Path) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(os.getpid(), str(folder / "tmp")))


def stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what is queued and end the workers at once, rather than let them finish."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        process.terminate()
    for process in workers:
        process.join(5)
        if process.is_alive():  # stuck where even SIGTERM waits
            process.kill()
            process.join()


def kill_overdue(markers: Path, limit: float) -> set[str]:
    """Kill each worker whose case (noted in `markers/<pid>`) has run longer than `limit`
    seconds: one stuck where its own time limit cannot reach it. The ids of its cases."""
    killed = set()
    for marker in markers.iterdir():
        with contextlib.suppress(OSError, ValueError):  # the case ended as we looked
            if time.time() - marker.stat().st_mtime > limit:
                case_id = marker.read_text()
                os.kill(int(marker.name), signal.SIGKILL)
                killed.add(case_id)
    return killed


def _start_worker(parent: int, temporary: str) -> None:
    # Ctrl-C goes to the whole process group: the parent handles it and stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The pool stops a worker with SIGTERM when another dies. A handler inherited from
    # the parent (the CLI turns SIGTERM into KeyboardInterrupt) would make the worker
    # carry on, or leave it in a lock mid-letter, and the pool's shutdown wait forever.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    os.environ["TMPDIR"] = tempfile.tempdir = temporary


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


def _sweep_folders_of_dead_batches() -> None:
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = folder.name.removeprefix(PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
