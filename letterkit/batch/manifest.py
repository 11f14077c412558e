"""manifest.jsonl: one line per case, written as each case finishes.

A line is appended only after the case's files are renamed into place, so however
a batch is stopped the manifest never names a file that is not complete. A re-run
appends to it; when a run completes, the manifest is compacted to the last line per
case. Between the two, the last line for an id is the one that counts.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

NAME = "manifest.jsonl"


class Manifest:
    def __init__(self, outdir: Path):
        self.path = outdir / NAME
        # id → (input digest, kit digest, {output name: size}) of its last successful render
        self.done: dict[str, tuple[str, str, dict[str, int]]] = {}
        if self.path.exists():
            for entry in self._entries():
                if entry.get("status") == "ok":
                    sizes = {o["file"]: o["bytes"] for o in entry.get("outputs", ())}
                    self.done[entry["id"]] = (entry["input_sha256"], entry["kit_sha256"], sizes)
                else:
                    self.done.pop(entry.get("id"), None)
        self._file = None

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
        path = self.path.parent / name
        return path.stat().st_size if path.is_file() else None

    def append(self, entry: dict[str, Any]) -> None:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        self._file.write(json.dumps(entry, sort_keys=True) + "\n")
        self._file.flush()

    def close(self, compact: bool) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if compact and self.path.exists():
            self._compact()

    def _entries(self):
        with self.path.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by a crash: its case is simply redone

    def _compact(self) -> None:
        last = {entry["id"]: number for number, entry in enumerate(self._entries())}
        keep = set(last.values())
        temporary = self.path.with_name(f".{NAME}.part")
        with temporary.open("w", encoding="utf-8") as out:
            for number, entry in enumerate(self._entries()):
                if number in keep:
                    out.write(json.dumps(entry, sort_keys=True) + "\n")
        os.replace(temporary, self.path)


def remove_partial_files(outdir: Path) -> None:
    """Temporary files left by a worker that was killed mid-write (see output.py)."""
    if outdir.is_dir():
        for leftover in outdir.glob(".*.part"):
            os.unlink(leftover)
