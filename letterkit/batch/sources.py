"""Where a batch's cases come from: a folder of case files, a JSON Lines file, or data.

The parent process only takes each case's bytes and id from its source; the worker
that renders a case also parses it, so a file that is malformed, huge or hostile
fails its own case and never stops the batch. Cases are read one at a time, as the
batch needs them: a file of a million lines costs no more memory than one of ten.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cases import MAX_CASE_BYTES, parse_case
from ..errors import CaseError, LetterkitError
from .storage import Folder, is_remote, local_path

CASE_SUFFIXES = (".yaml", ".yml", ".json")
REMOTE_READS = 32  # case files fetched at once from a store
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


@dataclass(frozen=True)
class Case:
    """One case of a batch: its id (which names its files), where it came from, and
    its data — parsed (`data`), still to parse (`raw`, read as `syntax`) — or why it
    has none (`error`)."""

    id: str
    source: str  # file path, or "FILE:LINE" for JSON Lines
    data: dict[str, Any] | None = None
    error: str | None = None
    raw: bytes | None = None
    syntax: str = "json"  # of `raw`: "yaml", "json", or "jsonl" (a line whose "id" names the case)

    @property
    def digest(self) -> str:
        """A fingerprint of the input, to tell an unchanged case on a re-run."""
        if self.raw is not None:
            return hashlib.sha256(self.syntax.encode() + b"\0" + self.raw).hexdigest()
        try:
            text = json.dumps(self.data, sort_keys=True, default=str) if self.data else self.error
        except (TypeError, ValueError):  # keys that are not text: the model refuses the case
            text = repr(self.data)
        return hashlib.sha256((text or "").encode()).hexdigest()

    def load(self) -> dict[str, Any]:
        """The case's data, parsed here (in the worker); a `CaseError` says what is wrong."""
        if self.error:
            raise LetterkitError(self.error)
        if self.raw is None:
            return self.data or {}
        data = parse_case(_utf8(self.raw, self.source), "yaml" if self.syntax == "yaml" else "json", self.source)
        if self.syntax == "jsonl":
            data.pop("id", None)  # it names the output; it is not part of the letter
        return data


def read_cases(source: str | Path, storage_options: Mapping[str, Any] | None = None) -> Iterator[Case]:
    """The cases of a folder (one file each) or a .jsonl file (one line each); either local,
    or at a URL fsspec reaches (`s3://bucket/cases/`), opened with `storage_options`.

    Inputs that would write the same files — `a.yaml` beside `a.json`, two lines with
    one "id" — are found before the first case is read, and each fails naming the others.
    """
    if isinstance(source, str) and is_remote(source):
        return _remote_cases(*_remote(source, storage_options))
    source = _checked(source)
    if source.is_dir():
        return _with_twins_failed(_folder_cases(source), _twins(_folder_ids(source)))
    return _with_twins_failed(_json_lines_cases(source), _twins(_json_lines_ids(source)))


def cases_from(items: Iterable[Case | Mapping[str, Any]]) -> Iterator[Case]:
    """`Case` objects as given; a plain mapping becomes a case as a JSON Lines line would.

    The items are read whole first, to find twins before any case renders: a stream
    of millions is better given as a JSON Lines file.
    """
    cases = [item if isinstance(item, Case) else _mapping_case(item, n) for n, item in enumerate(items, 1)]
    return _with_twins_failed(iter(cases), _twins((case.id, case.source) for case in cases))


def count_cases(source: str | Path, storage_options: Mapping[str, Any] | None = None) -> int:
    """How many cases `read_cases` will yield, counted without reading them."""
    if isinstance(source, str) and is_remote(source):
        folder, sizes, name = _remote(source, storage_options)
        if name is None:
            return len(_remote_case_names(sizes))
        with folder.fs.open(folder.path(name), "rb") as lines:
            return sum(1 for line in lines if line.strip())
    source = _checked(source)
    if source.is_dir():
        return sum(1 for _ in _case_files(source))
    with source.open("rb") as lines:
        return sum(1 for line in lines if line.strip())


def _checked(source: str | Path) -> Path:
    """The source, if it is one a batch reads: a folder, or a .jsonl (.ndjson) file."""
    source = Path(local_path(source) if isinstance(source, str) else source)
    if source.is_dir() or (source.suffix in (".jsonl", ".ndjson") and source.is_file()):
        return source
    problem = "a batch reads a folder of case files or a .jsonl file" if source.exists() else "no such file or folder"
    raise CaseError([("(source)", problem)], str(source))


def _case_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in CASE_SUFFIXES)


def _folder_ids(folder: Path) -> Iterator[tuple[str, str]]:
    return ((path.stem, str(path)) for path in _case_files(folder))


def _folder_cases(folder: Path) -> Iterator[Case]:
    for path in _case_files(folder):
        syntax = "json" if path.suffix == ".json" else "yaml"
        try:
            if path.stat().st_size > MAX_CASE_BYTES:
                raise OSError(f"larger than {MAX_CASE_BYTES // 2**20} MB; no case is")
            yield Case(path.stem, str(path), raw=path.read_bytes(), syntax=syntax)
        except OSError as error:
            yield Case(path.stem, str(path), error=f"{path}: cannot read: {error.strerror or error}")


def _json_lines(path: Path) -> Iterator[tuple[str, bytes]]:
    with path.open("rb") as lines:  # bytes: a line that is not UTF-8 fails alone
        yield from _numbered(lines, str(path))


def _numbered(lines: Iterable[bytes], name: str) -> Iterator[tuple[str, bytes]]:
    for number, raw in enumerate(lines, 1):
        if raw.strip():
            yield f"{name}:{number}", raw


def _json_lines_ids(path: Path) -> Iterator[tuple[str, str]]:
    return ((_line_id(source, raw)[0], source) for source, raw in _json_lines(path))


def _json_lines_cases(path: Path) -> Iterator[Case]:
    return _cases_of_lines(_json_lines(path))


def _cases_of_lines(lines: Iterator[tuple[str, bytes]]) -> Iterator[Case]:
    for source, raw in lines:
        case_id, error = _line_id(source, raw)
        yield Case(case_id, source, error=error) if error else Case(case_id, source, raw=raw, syntax="jsonl")


def _line_id(source: str, raw: bytes) -> tuple[str, str | None]:
    """A JSON Lines case's id — its "id" field, else its line number — or why it has none."""
    fallback = f"line-{int(source.rsplit(':', 1)[1]):06d}"
    if len(raw) > MAX_CASE_BYTES:
        return fallback, f"{source}: a line of {len(raw):,} bytes; no case is that long"
    try:
        data = parse_case(_utf8(raw, source), "json", source)
    except CaseError as error:  # the source names the line: no "line 1" within it
        return fallback, "; ".join(f"{source}: {message}" for _, message in error.problems)
    case_id = data.get("id", fallback)
    if isinstance(case_id, int) and not isinstance(case_id, bool):
        case_id = str(case_id)
    if not (isinstance(case_id, str) and _SAFE_ID.fullmatch(case_id)):
        return fallback, f"{source}: id {case_id!r} cannot name a file (letters, digits, . _ -)"
    return case_id, None


def _mapping_case(item: Mapping[str, Any], number: int) -> Case:
    source = f"(case {number})"
    if not isinstance(item, Mapping):
        return Case(f"case-{number:06d}", source,
                    error=f"{source}: a case is a mapping of fields, not {type(item).__name__}")
    data = dict(item)
    case_id = data.pop("id", f"case-{number:06d}")
    if not (isinstance(case_id, str) and _SAFE_ID.fullmatch(case_id)):
        return Case(f"case-{number:06d}", source,
                    error=f"{source}: id {case_id!r} cannot name a file (letters, digits, . _ -)")
    return Case(case_id, source, data=data)


def _remote(source: str, options: Mapping[str, Any] | None) -> tuple[Folder, dict[str, int], str | None]:
    """A remote source's folder, the sizes of the files in it, and the name of the .jsonl
    file to read there (None: the folder's case files)."""
    name = source.rstrip("/").rsplit("/", 1)[-1]
    if Path(name).suffix in (".jsonl", ".ndjson"):
        folder = Folder(source.rstrip("/").rsplit("/", 1)[0], options)
        sizes = folder.sizes()
        if name in sizes:
            return folder, sizes, name
    else:
        folder = Folder(source, options)
        sizes = folder.sizes()
        if _remote_case_names(sizes):
            return folder, sizes, None
    raise CaseError([("(source)", "no case files (.yaml, .yml, .json) there, nor a .jsonl file")], source)


def _remote_case_names(sizes: dict[str, int]) -> list[str]:
    return sorted(name for name in sizes if Path(name).suffix in CASE_SUFFIXES)


def _remote_cases(folder: Folder, sizes: dict[str, int], name: str | None) -> Iterator[Case]:
    if name is not None:
        def lines() -> Iterator[tuple[str, bytes]]:
            with folder.fs.open(folder.path(name), "rb") as opened:
                yield from _numbered(opened, folder.url_of(name))
        return _with_twins_failed(_cases_of_lines(lines()), _twins((_line_id(s, r)[0], s) for s, r in lines()))
    names = _remote_case_names(sizes)
    ids = ((Path(name).stem, folder.url_of(name)) for name in names)
    return _with_twins_failed(_remote_folder_cases(folder, names, sizes), _twins(ids))


def _remote_folder_cases(folder: Folder, names: list[str], sizes: dict[str, int]) -> Iterator[Case]:
    """Each case file's bytes, fetched REMOTE_READS at a time (concurrently, where the store's
    library can), so a folder of a million cases is not a million round trips in a row."""
    for start in range(0, len(names), REMOTE_READS):
        chunk = names[start:start + REMOTE_READS]
        wanted = [folder.path(name) for name in chunk if sizes[name] <= MAX_CASE_BYTES]
        contents = folder.fs.cat(wanted, on_error="return") if wanted else {}
        for name in chunk:
            url, stem = folder.url_of(name), Path(name).stem
            content = contents.get(folder.path(name))
            if sizes[name] > MAX_CASE_BYTES:
                yield Case(stem, url, error=f"{url}: cannot read: larger than {MAX_CASE_BYTES // 2**20} MB; no case is")
            elif isinstance(content, bytes):
                yield Case(stem, url, raw=content, syntax="json" if name.endswith(".json") else "yaml")
            else:
                yield Case(stem, url, error=f"{url}: cannot read: {content or 'not returned by the store'}")


def _twins(ids: Iterator[tuple[str, str]]) -> dict[str, list[str]]:
    """Each id (as `_file_key` has it) that more than one input maps to, with the sources
    of all of them."""
    first: dict[str, str] = {}
    twins: dict[str, list[str]] = defaultdict(list)
    for case_id, source in ids:
        case_id = _file_key(case_id)
        if case_id in first:
            twins[case_id].append(source)
        else:
            first[case_id] = source
    return {case_id: [first[case_id], *others] for case_id, others in twins.items()}


def _with_twins_failed(cases: Iterator[Case], twins: dict[str, list[str]]) -> Iterator[Case]:
    for case in cases:
        if _file_key(case.id) in twins and not case.error:
            others = [source for source in twins[_file_key(case.id)] if source != case.source]
            case = Case(case.id, case.source, error=f"{case.source}: {_twin_message(others)}")
        yield case


def _file_key(case_id: str) -> str:
    """What an id's files are on any disk: `A` and `a` are one file where case does not
    count (macOS, Windows), `café` composed and decomposed one where Unicode forms do not."""
    return unicodedata.normalize("NFC", case_id).casefold()


def _twin_message(others: list[str]) -> str:
    return f"the same id, so the same files, as {', '.join(others)}: rename one"


def _utf8(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CaseError([("(file)", f"not UTF-8 text ({error.reason} at byte {error.start})")], source) from None
