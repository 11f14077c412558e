"""Rendering one case of a batch, inside a worker process.

Everything a worker needs travels in a `Job` and a `Case`, both small and picklable,
so any `concurrent.futures.Executor` can run `render_cases` — a local process pool or
a Dask cluster. The kit, its parsed stylesheets, fonts and reference document are
loaded on a worker's first case and kept for the rest (they are cached per process).
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..api import render
from ..errors import CaseError, LetterkitError
from ..kits import load_kit
from ..output import remove_stale, write_all
from ..writers import WRITERS, WriterOptions
from .sources import Case


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


def render_case(job: Job, case: Case) -> dict[str, Any]:
    """Read, render and write one case; the manifest entry says how it went. Never raises."""
    started = time.perf_counter()
    marker = Path(job.markers, str(os.getpid())) if job.markers else None
    if marker:
        marker.write_text(case.id)
    try:
        with time_limit(job.case_timeout):
            files = render(case.load(), load_kit(job.kit, job.templates), job.formats, options=job.options,
                           strict=job.strict)
        write_all({_path(job, case, fmt): content for fmt, content in files.items()})
        entry = _entry(job, case, status="ok",
                       outputs=[_output(_path(job, case, fmt), content) for fmt, content in files.items()])
    except Exception as error:  # a bug too must fail its case, not the batch
        entry = failed_entry(job, case, _message(error, case))
    finally:
        if marker:
            marker.unlink(missing_ok=True)
    entry["seconds"] = round(time.perf_counter() - started, 4)
    return entry


def failed_entry(job: Job, case: Case, error: str) -> dict[str, Any]:
    """The manifest entry of a case that failed; what an earlier run wrote for it is removed,
    so that no old letter stands beside the error as if it were current."""
    remove_stale([_path(job, case, entry.extension) for entry in WRITERS])  # each format's, asked for or not
    return _entry(job, case, status="failed", error=error)


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


class CaseTimeout(LetterkitError):
    """A case that took longer than the batch's `--case-timeout`."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise `CaseTimeout` in this (the worker's main) thread after `seconds`.

    A signal, so it stops a letter anywhere in Python code. Threads cannot take signals:
    on an executor that runs cases in threads (Dask's), a case has no limit.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise CaseTimeout(f"took longer than {seconds:g} s to render (--case-timeout); nothing written")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_cases(job: Job, cases: tuple[Case, ...]) -> list[dict[str, Any]]:
    """Several cases in one hand-off: for letters that take a worker only milliseconds."""
    return [render_case(job, case) for case in cases]


def _path(job: Job, case: Case, format: str) -> Path:
    return Path(job.outdir) / f"{case.id}.{format}"


def _output(path: Path, content: bytes) -> dict[str, Any]:
    return {"file": path.name, "bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
