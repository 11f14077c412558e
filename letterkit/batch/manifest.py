"""manifest.jsonl: one line per case, written as each case finishes.

A line is appended only after the case's files are renamed into place, so however
a batch is stopped the manifest never names a file that is not complete. A re-run
appends to it; when a run completes, the manifest is compacted to this run's lines and
the last earlier line of each case this run did not render. Between the two, the last
line for an id is the one that counts.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import LetterkitError
from .own_files import open_own
from .storage import Folder

NAME = "manifest.jsonl"
SYNC_SECONDS = 2.0  # the most a killed client's store manifest lags behind its letters, at first


class Manifest:
    def __init__(self, outdir: Path, location: str | None = None):
        self.path = outdir / NAME
        self.location: Path | str = location or self.path  # what messages call it
        # id → (input digest, kit digest, {output name: size}) of its last successful render
        self.done: dict[str, tuple[str, str, dict[str, int]]] = {}
        self.warnings: list[str] = []  # lines of an earlier run that cannot be read
        self._earlier = 0  # lines written by earlier runs
        if os.path.lexists(self.path):
            for number, entry in self._entries(warn=True):
                self._earlier = number
                if entry["status"] == "ok":
                    sizes = {o["file"]: o["bytes"] for o in entry["outputs"]}
                    self.done[entry["id"]] = (entry["input_sha256"], entry["kit_sha256"], sizes)
                else:
                    self.done.pop(entry["id"], None)
        self._file: IO[str] | None = None

    def is_current(self, case_id: str, input_digest: str, kit_digest: str, names: tuple[str, ...]) -> bool:
        """Whether this case was rendered from the same input and kit, and its files are there.

        A file must also have the size it was written with: after a power cut, a file
        renamed into place but never flushed to disk can be there and empty.
        """
        previous = self.done.get(case_id)
        return (
            previous is not None
            and previous[:2] == (input_digest, kit_digest)
            and all(name in previous[2] and self._size(name) == previous[2][name] for name in names)
        )

    def _size(self, name: str) -> int | None:
        try:  # lstat: a link where a letter was is not that letter
            status = os.lstat(self.path.parent / name)
        except OSError:
            return None
        return status.st_size if stat.S_ISREG(status.st_mode) else None

    def append(self, entry: dict[str, Any]) -> None:
        try:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = open_own(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, "a")
                if self._file.tell() and not self._ends_with_newline():
                    self._file.write("\n")  # after a line cut short by a crash, never on it
            self._file.write(json.dumps(entry, sort_keys=True) + "\n")
            self._file.flush()
        except OSError as error:  # a full disk: the batch stops, saying so in one line
            with contextlib.suppress(OSError):  # closing flushes the line that failed again
                if self._file is not None:
                    self._file.close()
            self._file = None
            raise LetterkitError(f"cannot write {self.location}: {error.strerror or error}") from None

    def _ends_with_newline(self) -> bool:
        with open_own(self.path, os.O_RDONLY, "rb") as file:
            file.seek(-1, os.SEEK_END)
            return file.read(1) == b"\n"

    def close(self, compact: bool) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if compact and os.path.lexists(self.path):
            try:
                self._compact()
            except OSError as error:  # the manifest as appended stays: it reads the same
                raise LetterkitError(f"cannot write {self.location}: {error.strerror or error}") from None

    def _entries(self, warn: bool = False) -> Iterator[tuple[int, dict[str, Any]]]:
        """(line number, entry) for each line that is a manifest entry; the others are
        ignored — their cases are simply rendered again — and, if `warn`, reported."""
        with open_own(self.path, os.O_RDONLY, "r") as lines:
            for number, line in enumerate(lines, 1):
                try:
                    entry = json.loads(line)
                    _check_shape(entry)
                except (json.JSONDecodeError, ValueError) as error:
                    if warn:
                        self.warnings.append(f"{self.location}:{number}: ignored, not a manifest entry ({error})")
                    continue
                yield number, entry

    def _compact(self) -> None:
        """Keep every line of this run, and the last earlier line of each case it has none for
        (skipped as unchanged, or no longer in the source)."""
        entries = list(self._entries())
        now = {entry["id"] for number, entry in entries if number > self._earlier}
        last = {entry["id"]: number for number, entry in entries if number <= self._earlier}
        keep = {number for case_id, number in last.items() if case_id not in now}
        temporary = self.path.with_name(f".{NAME}.part")
        temporary.unlink(missing_ok=True)  # a new file, not one (or a link) left in its place
        with open_own(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, "w") as out:
            for number, entry in entries:
                if number > self._earlier or number in keep:
                    out.write(json.dumps(entry, sort_keys=True) + "\n")
        os.replace(temporary, self.path)


class SpooledManifest(Manifest):
    """The manifest of a folder in an object store, which cannot append to an object.

    The lines are appended to a local copy (the spool), and the spool is put to the store
    whole — one atomic put, so the store's manifest is always a whole one — at most every
    few seconds while the batch runs, and at its end (completed, interrupted, or failed).
    A client killed outright loses the lines of its last few seconds: those cases are
    rendered again on resume, to the same bytes. Whether a case's files are there is
    read from one listing of the folder, taken when the batch starts.
    """

    def __init__(self, folder: Folder, spool: Path):
        self.folder = folder
        earlier = folder.read(NAME)
        if earlier is not None:
            (spool / NAME).write_bytes(earlier)
        self._sizes = folder.sizes()
        super().__init__(spool, location=folder.url_of(NAME))
        self._interval = SYNC_SECONDS
        self._next_sync = time.monotonic() + self._interval
        self._unsent = False

    def _size(self, name: str) -> int | None:
        return self._sizes.get(name)

    def append(self, entry: dict[str, Any]) -> None:
        super().append(entry)
        self._unsent = True
        if time.monotonic() >= self._next_sync:
            self.sync()

    def sync(self) -> None:
        """Put the spool to the store now, if it has lines the store lacks."""
        if not self._unsent:
            return
        if self._file is not None:
            self._file.flush()
        started = time.monotonic()
        try:
            self.folder.put_file(NAME, self.path)
        except OSError as error:
            raise LetterkitError(f"cannot write {self.location}: {error.strerror or error}") from None
        self._unsent = False
        # A long manifest takes long to put: never more than a tenth of the client's time.
        took = time.monotonic() - started
        self._interval = max(SYNC_SECONDS, 10 * took)
        self._next_sync = time.monotonic() + self._interval

    def close(self, compact: bool) -> None:
        try:
            super().close(compact)
        finally:
            self._unsent = self._unsent or (compact and os.path.lexists(self.path))
            self.sync()


def _check_shape(entry: Any) -> None:
    if not (isinstance(entry, dict) and isinstance(entry.get("id"), str)
            and entry.get("status") in ("ok", "failed")):
        raise ValueError("needs an id and a status of ok or failed")
    if entry["status"] == "ok":
        outputs = entry.get("outputs")
        if not (isinstance(entry.get("input_sha256"), str) and isinstance(entry.get("kit_sha256"), str)
                and isinstance(outputs, list)
                and all(isinstance(o, dict) and isinstance(o.get("file"), str) and isinstance(o.get("bytes"), int)
                        for o in outputs)):
            raise ValueError("an ok entry needs input_sha256, kit_sha256 and outputs")


def remove_partial_files(outdir: Path) -> None:
    """Temporary files left by a worker that was killed mid-write (see output.py). One may
    go as it is read: a batch whose client was killed is resumed while the cluster's
    workers still finish its last letters, each renaming its temporary file."""
    if outdir.is_dir():
        for leftover in outdir.glob(".*.part"):
            leftover.unlink(missing_ok=True)
