"""Rendering one case of a batch, inside a worker process.

Everything a worker needs travels in a `Job` and a `Case`, both small and picklable,
so any `concurrent.futures.Executor` can run `render_cases` — a local process pool or
a Dask cluster. The kit, its parsed stylesheets, fonts and reference document are
loaded on a worker's first case and kept for the rest (they are cached per process).
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..api import render
from ..errors import CaseError, LetterkitError
from ..kits import load_kit
from ..output import remove_stale, write_all
from ..writers import WriterOptions
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


def render_case(job: Job, case: Case) -> dict[str, Any]:
    """Render one case to its files; the manifest entry says how it went. Never raises."""
    started = time.perf_counter()
    entry: dict[str, Any] = {"id": case.id, "source": case.source,
                             "input_sha256": case.digest, "kit_sha256": job.kit_digest}
    marker = Path(job.markers, str(os.getpid())) if job.markers else None
    if marker:
        marker.write_text(case.id)
    try:
        if case.error:
            raise LetterkitError(case.error)
        files = render(case.data, load_kit(job.kit, job.templates), job.formats, options=job.options)
        write_all({_path(job, case, fmt): content for fmt, content in files.items()})
        entry["outputs"] = [_output(_path(job, case, fmt), content) for fmt, content in files.items()]
        entry["status"] = "ok"
    except CaseError as error:
        error.source = case.source
        entry.update(status="failed", error=" | ".join(error.lines()))
    except LetterkitError as error:
        entry.update(status="failed", error=str(error))
    except Exception as error:  # a bug must fail its case, not the batch
        entry.update(status="failed", error=f"internal error: {type(error).__name__}: {error}")
    finally:
        if entry.get("status") != "ok":
            remove_stale([_path(job, case, fmt) for fmt in job.formats])
        if marker:
            marker.unlink(missing_ok=True)
    entry["seconds"] = round(time.perf_counter() - started, 4)
    return entry


def render_cases(job: Job, cases: tuple[Case, ...]) -> list[dict[str, Any]]:
    """Several cases in one hand-off: for letters that take a worker only milliseconds."""
    return [render_case(job, case) for case in cases]


def _path(job: Job, case: Case, format: str) -> Path:
    return Path(job.outdir) / f"{case.id}.{format}"


def _output(path: Path, content: bytes) -> dict[str, Any]:
    return {"file": path.name, "bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
