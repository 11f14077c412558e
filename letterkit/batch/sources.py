"""Where a batch's cases come from: a folder of case files, or a JSON Lines file.

Cases are read one at a time, as the batch needs them, so a file of a million lines
costs no more memory than a file of ten.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cases import parse_case, read_case
from ..errors import CaseError

CASE_SUFFIXES = (".yaml", ".yml", ".json")
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


@dataclass(frozen=True)
class Case:
    """One case of a batch: its id (which names its files), its data or why it has none."""

    id: str
    source: str  # file path, or "FILE:LINE" for JSON Lines
    data: dict[str, Any] | None
    error: str | None = None

    @property
    def digest(self) -> str:
        """A fingerprint of the input, to tell an unchanged case on a re-run."""
        text = json.dumps(self.data, sort_keys=True, default=str) if self.data else self.error
        return hashlib.sha256((text or "").encode()).hexdigest()


def read_cases(source: str | Path) -> Iterator[Case]:
    """The cases of a folder (one file each) or a .jsonl file (one line each)."""
    source = Path(source)
    if source.is_dir():
        return _folder_cases(source)
    if source.suffix in (".jsonl", ".ndjson"):
        return _json_lines_cases(source)
    raise CaseError([("(source)", "a batch reads a folder of case files or a .jsonl file")],
                    str(source))


def count_cases(source: str | Path) -> int:
    """How many cases `read_cases` will yield, counted without reading them."""
    source = Path(source)
    if not source.exists():
        raise CaseError([("(source)", "no such file or folder")], str(source))
    if source.is_dir():
        return sum(1 for p in source.iterdir() if p.suffix in CASE_SUFFIXES)
    with source.open("rb") as lines:
        return sum(1 for line in lines if line.strip())


def _folder_cases(folder: Path) -> Iterator[Case]:
    for path in sorted(p for p in folder.iterdir() if p.suffix in CASE_SUFFIXES):
        try:
            yield Case(path.stem, str(path), read_case(path))
        except CaseError as error:
            yield Case(path.stem, str(path), None, "; ".join(error.lines()))


def _json_lines_cases(path: Path) -> Iterator[Case]:
    """Each line a case; its "id" field, if any, names its files, else its line number.

    The "id" field is taken out of the case before validation: it names the output,
    it is not part of the letter.
    """
    with path.open("rb") as lines:  # bytes: a line that is not UTF-8 fails alone
        for number, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            source = f"{path}:{number}"
            fallback = f"line-{number:06d}"
            try:
                data = parse_case(_utf8(raw, source), "json", source)
            except CaseError as error:  # the source names the line: no "line 1" within it
                yield Case(fallback, source, None, "; ".join(f"{source}: {m}" for _, m in error.problems))
                continue
            case_id = str(data.pop("id", fallback))
            if not _SAFE_ID.fullmatch(case_id):
                yield Case(fallback, source, None,
                           f"{source}: id {case_id!r} cannot name a file (letters, digits, . _ -)")
                continue
            yield Case(case_id, source, data)


def _utf8(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CaseError([("(line)", f"not UTF-8 text ({error.reason} at byte {error.start})")], source) from None
