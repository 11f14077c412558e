"""One batch at a time per output folder.

Two batches writing one folder would each compact the manifest under the other and
report success with cases missing from it. In a local folder the lock is advisory
(`flock`), held on a file in the folder for the whole run, and released by the kernel
however the batch ends. In an object store it is an object (`ObjectLock`, below).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import secrets
import socket
import threading
import time
from pathlib import Path

from ..errors import LetterkitError
from .own_files import open_own
from .storage import Folder

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


LEASE_SECONDS = 120.0  # a lock not renewed for this long is a dead batch's (clocks may differ a little)
RENEW_SECONDS = 20.0


@contextlib.contextmanager
def exclusive_in_store(folder: Folder):
    """The same promise in an object store, which has no `flock`: the lock is an object,
    created only if there is none (S3's conditional put, `If-None-Match: *`), renewed by
    the batch while it runs, and deleted at its end. Yields the `ObjectLock`, whose
    `check()` raises if another batch has taken it over."""
    lock = ObjectLock(folder)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()


class ObjectLock:
    """`.letterkit-batch.lock` in a store: who holds it (host, pid, a token of its own), renewed
    every RENEW_SECONDS by a thread of the batch.

    A batch that finds the lock taken by another takes it over — with a conditional put
    naming the very lock it found (`If-Match: <ETag>`), so that of two batches doing so only
    one succeeds — when the holder is gone: a process on this machine that no longer
    exists, or a lock not renewed for LEASE_SECONDS (its client killed on another machine).
    Deleting the lock object clears it at once.
    """

    def __init__(self, folder: Folder):
        self.folder = folder
        self.url = folder.url_of(NAME)
        self.holder = {"host": socket.gethostname(), "pid": os.getpid(), "token": secrets.token_hex(8)}
        self.lost: str | None = None  # why the lock is no longer ours
        self._etag: str | None = None
        self._stop = threading.Event()
        self._renewing: threading.Thread | None = None

    def acquire(self) -> None:
        for _ in range(5):  # each time round, the lock found was just deleted or taken over
            try:
                self._etag = self._put(None)
                break
            except FileExistsError:
                pass
            found = self._found()
            if found is None:
                continue
            held, etag, age = found
            gone = _why_gone(held, age)
            if gone is None:
                raise BatchLockedError(
                    f"{self.folder.url}: another batch ({_who(held)}, lock renewed {age:.0f} s ago) is writing "
                    f"to this folder; wait for it to end, or choose another --outdir. If that batch is gone, "
                    f"its lock is taken over {max(0, LEASE_SECONDS - age):.0f} s from now, or at once once "
                    f"{self.url} is deleted")
            try:
                self._etag = self._put(etag)
                break
            except FileExistsError:  # another batch took it over first
                continue
        else:
            raise BatchLockedError(f"{self.folder.url}: other batches keep taking this folder's lock; "
                                   "run one batch at a time on it")
        self._renewing = threading.Thread(target=self._renew, name="letterkit-lock", daemon=True)
        self._renewing.start()

    def check(self) -> None:
        """Raise if the lock is no longer this batch's."""
        if self.lost:
            raise BatchLockedError(f"{self.folder.url}: {self.lost}; this batch stopped, so that two do not "
                                   "write one manifest")

    def release(self) -> None:
        self._stop.set()
        if self._renewing:
            self._renewing.join()
        if self.lost is None:
            with contextlib.suppress(OSError):
                found = self._found()
                if found and found[0].get("token") == self.holder["token"]:
                    self.folder.remove([NAME])

    def _renew(self) -> None:
        while not self._stop.wait(RENEW_SECONDS):
            try:
                self._etag = self._put(self._etag)
            except FileExistsError:
                found = self._found()
                self.lost = f"its lock was taken over by {_who(found[0]) if found else 'another batch'}"
                return
            except OSError:  # the store is unreachable for now: the next round tries again
                continue

    def _put(self, replacing: str | None) -> str | None:
        """Write the lock if there is none (`replacing` None), or in place of the version
        `replacing` names; FileExistsError if the store holds something else. The new ETag."""
        content = json.dumps({**self.holder, "renewed": time.time()}).encode()
        path = self.folder.path(NAME)
        fs = self.folder.fs
        if self.folder.protocol in ("s3", "s3a"):
            condition = {"IfMatch": replacing} if replacing else {"IfNoneMatch": "*"}
            try:
                answer = fs.pipe_file(path, content, **condition)
            except OSError as error:  # s3fs says FileExistsError for If-None-Match; If-Match's 412 is EINVAL
                if isinstance(error, FileExistsError) or error.errno == errno.EINVAL or "Precondition" in str(error):
                    raise FileExistsError(self.url) from None
                raise
            return (answer or {}).get("ETag") or self._etag_now()
        # Stores letterkit has no conditional put for: check, then write — a race of a few ms.
        current = self._etag_now()
        if current != replacing:
            raise FileExistsError(self.url)
        fs.pipe_file(path, content)
        return self._etag_now()

    def _etag_now(self) -> str | None:
        try:
            info = self.folder.fs.info(self.folder.path(NAME), refresh=True)
        except FileNotFoundError:
            return None
        return str(info.get("ETag") or info.get("etag") or info.get("mtime") or info.get("LastModified") or "") or "?"

    def _found(self) -> tuple[dict, str | None, float] | None:
        """The lock as it is now: its holder, its ETag and how long ago it was renewed."""
        etag = self._etag_now()
        content = self.folder.read(NAME)
        if etag is None or content is None:
            return None
        try:
            held = json.loads(content)
            age = time.time() - float(held["renewed"])
        except (ValueError, KeyError, TypeError):
            held, age = {}, LEASE_SECONDS  # not a lock letterkit wrote: nobody renews it
        return held, etag, age


def _who(held: dict) -> str:
    return f"pid {held.get('pid', '?')} on {held.get('host', '?')}"


def _why_gone(held: dict, age: float) -> str | None:
    if held.get("host") == socket.gethostname() and isinstance(held.get("pid"), int) and not _alive(held["pid"]):
        return "its process is gone"
    if age >= LEASE_SECONDS:
        return f"not renewed for {age:.0f} s"
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
