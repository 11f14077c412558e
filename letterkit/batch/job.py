"""Rendering one case of a batch, inside a worker process.

Everything a worker needs travels in a `Job` and a `Case`, both small and picklable,
so any `concurrent.futures.Executor` can run `render_cases` — a local process pool or
a Dask cluster. The kit, its parsed stylesheets, fonts and reference document are
loaded on a worker's first case and kept for the rest (they are cached per process).
"""

from __future__ import annotations

import glob
import hashlib
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import letter_language
from ..api import render
from ..cases import validate
from ..errors import CaseError, LetterkitError
from ..kits import load_kit
from ..mail.render import MailJob, render_pieces
from ..model import CaseDeprecationWarning
from ..output import remove_stale, write_all
from ..time_limit import time_limit
from ..writers import WRITERS, WriterOptions, file_name, files_of, writer
from .sources import Case
from .storage import folder_of, is_remote


@dataclass(frozen=True)
class Job:
    """What every case of a batch shares."""

    kit: str
    templates: tuple[str, ...]
    formats: tuple[str, ...]
    options: WriterOptions
    outdir: str
    kit_digest: str
    markers: str | None = None  # folder where a worker notes the case it is on
    case_timeout: float | None = 120.0  # seconds a case may take to read, check and render
    strict: bool = False  # check each letter against its kit's rules first
    storage: str = "{}"  # fsspec's options (JSON) for an `outdir` that is a URL (storage.py)
    mail: MailJob | None = None  # also draw each letter's mail pieces (letterkit.mail)
    profile: str | None = None  # "large-print" for every letter (letterkit.profiles)


def render_case(job: Job, case: Case) -> dict[str, Any]:
    """Read, render and write one case; the manifest entry says how it went. Never raises."""
    started = time.perf_counter()
    marker = Path(job.markers, str(os.getpid())) if job.markers else None
    if marker:
        marker.write_text(case.id)
    try:
        with time_limit(job.case_timeout):
            named, fields = _rendered(job, case)
        _write(job, case, named)
        entry = _entry(job, case, status="ok", outputs=[_output(name, content) for name, content in named.items()],
                       **fields)
    except Exception as error:  # a bug too must fail its case, not the batch
        entry = failed_entry(job, case, _message(error, case))
    finally:
        if marker:
            marker.unlink(missing_ok=True)
    entry["seconds"] = round(time.perf_counter() - started, 4)
    return entry


def _rendered(job: Job, case: Case) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The case's files by name (its mail pieces too), and what its manifest line says
    besides: the warnings of its deprecated forms and of its pieces, its language, the
    alternate format it got."""
    kit = load_kit(job.kit, job.templates)
    with warnings.catch_warnings(record=True) as caught:  # a case's deprecated forms: manifest warnings
        warnings.simplefilter("always", CaseDeprecationWarning)
        letter = validate(case.load(), kit)
    case_warnings = [str(w.message) for w in caught if issubclass(w.category, CaseDeprecationWarning)]
    files = render(letter, kit, job.formats, options=job.options, strict=job.strict, profile=job.profile)
    named = {file_name(case.id, key): content for key, content in files.items()}
    fields: dict[str, Any] = {"warnings": case_warnings} if case_warnings else {}
    if job.mail is not None:
        pieces, records, piece_warnings = render_pieces(letter, kit, case.id, job.options, job.mail,
                                                        Path(job.outdir), job.profile)
        named |= {path.name: content for path, content in pieces.items()}
        fields = {"pieces": records, "warnings": case_warnings + piece_warnings}
    return named, {**fields, **letter_language.manifest_fields(letter, kit),
                   "alternate_format": job.profile or letter.alternate_format}


def failed_entry(job: Job, case: Case, error: str) -> dict[str, Any]:
    """The manifest entry of a case that failed. Its files are removed when the batch
    records it (`remove_files_of`), not here: a worker's attempt that Dask cancelled and
    ran again elsewhere may fail after the other attempt wrote the case's letter."""
    return _entry(job, case, status="failed", error=error)


def remove_files_of(job: Job, case_id: str) -> None:
    """What an earlier run wrote for a case that failed now, so that no old letter stands
    beside the error as if it were current: each format's files, asked for or not, and
    its mail pieces."""
    if is_remote(job.outdir):
        folder_of(job.outdir, job.storage).remove([f"{case_id}.{entry.extension}" for entry in WRITERS])
    else:
        remove_stale(files_of(Path(job.outdir), case_id, WRITERS)
                     + sorted(Path(job.outdir).glob(f"{glob.escape(case_id)}.piece-*.pdf")))


def _entry(job: Job, case: Case, **fields) -> dict[str, Any]:
    engine = {"pdf_engine": job.options.pdf_engine} if "pdf" in job.formats else {}  # which engine made the PDF
    return {"id": case.id, "source": case.source, "input_sha256": case.digest,
            "kit_sha256": job.kit_digest, **engine, **fields}


def _message(error: Exception, case: Case) -> str:
    if isinstance(error, CaseError):
        error.source = error.source or case.source
        return " | ".join(error.lines())
    if isinstance(error, LetterkitError):
        return str(error)
    return f"internal error: {type(error).__name__}: {error}"


def render_cases(job: Job, cases: tuple[Case, ...]) -> list[dict[str, Any]]:
    """Several cases in one hand-off: for letters that take a worker only milliseconds."""
    return [render_case(job, case) for case in cases]


def _write(job: Job, case: Case, files: dict[str, bytes]) -> None:
    """All of a letter's files, each whole, in the batch's folder (local, or a URL)."""
    if is_remote(job.outdir):
        folder_of(job.outdir, job.storage).put_all(files)
        return
    paths = {Path(job.outdir) / name: content for name, content in files.items()}
    write_all(paths)
    # the pictures of pages an earlier, longer letter had and this one has not
    remove_stale([path for path in files_of(Path(job.outdir), case.id, map(writer, job.formats)) if path not in paths])


def _output(name: str, content: bytes) -> dict[str, Any]:
    return {"file": name, "bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
