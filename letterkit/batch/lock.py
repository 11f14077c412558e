"""One batch at a time per output folder.

Two batches writing one folder would each compact the manifest under the other and
report success with cases missing from it. The lock is advisory (`flock`), held on a
file in the folder for the whole run, and released by the kernel however the batch ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from ..errors import LetterkitError
from .own_files import open_own

NAME = ".letterkit-batch.lock"


class BatchLockedError(LetterkitError):
    """Another batch is writing to the same output folder."""


@contextlib.contextmanager
def exclusive(outdir: Path):
    with open_own(outdir / NAME, os.O_RDWR | os.O_CREAT | os.O_APPEND, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            raise BatchLockedError(f"{outdir}: another batch ({holder}) is writing to this folder; "
                                   "wait for it to end, or choose another --outdir") from None
        lock.truncate(0)
        lock.write(f"pid {os.getpid()}\n")
        lock.flush()
        try:
            yield
        finally:
            lock.truncate(0)
