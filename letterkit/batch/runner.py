"""Running a batch: cases streamed to workers, results streamed to the manifest.

At most a few cases per worker are in flight at once, and nothing is kept of a case
once its manifest line is written, so memory stays flat however long the batch.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from itertools import chain, islice
from pathlib import Path
from typing import Any

from .. import audit, version
from ..kits import Kit, load_kit
from ..mail.render import MailJob
from ..writers import DEFAULT_FORMATS, WriterOptions, file_name, first_file_key, reference_docx
from .job import Job, failed_entry, remove_files_of, render_case, render_cases
from .lock import exclusive, exclusive_in_store
from .manifest import Manifest, SpooledManifest, remove_partial_files
from .sources import Case, cases_from, read_cases
from .storage import Folder, folder_of, is_remote, local_path
from .workers import batch_folder, kill_overdue, start_pool, stop

IN_FLIGHT_PER_WORKER = 4  # hand-offs: enough that a worker never waits for the next
# Cases per hand-off. A PDF takes a worker about half a second, so one at a time keeps
# the load even; an HTML or DOCX letter takes it 10–40 ms, close enough to what a
# hand-off costs the parent process (about 1 ms, on the same cores) to group them.
CASES_PER_HANDOFF = {"pdf": 1, "other": 8}


@dataclass
class BatchSummary:
    rendered: int = 0
    failed: int = 0
    skipped: int = 0  # unchanged since an earlier run
    manifest: Path | str | None = None  # its path, or its URL in a store
    failures: list[str] = field(default_factory=list)  # the first few, for the summary
    warnings: list[str] = field(default_factory=list)  # about the manifest of an earlier run


def render_batch(
    cases: Iterable[Case | Mapping[str, Any]] | str | Path,
    outdir: str | Path,
    kit: str | Path = "imr",
    formats: Iterable[str] = DEFAULT_FORMATS,
    templates: Iterable[str | Path] = (),
    options: WriterOptions = WriterOptions(),
    jobs: int | None = None,
    executor: Executor | None = None,
    force: bool = False,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    case_timeout: float | None = 120.0,
    strict: bool = False,
    storage_options: Mapping[str, Any] | None = None,
    audit_log: str | Path | None = None,
    mail: MailJob | None = None,
    profile: str | None = None,
) -> BatchSummary:
    """Render many cases to `outdir/<id>.<format>`, with `outdir/manifest.jsonl`.

    `cases` is a folder of case files, a .jsonl file, or `Case` objects or mappings of
    case data (an "id" key names the files). The folder, the .jsonl file and `outdir` may
    be URLs fsspec reaches (`s3://bucket/letters/`), opened with `storage_options`; the
    workers must reach them too. Cases whose input and kit are unchanged
    since an earlier run, and whose files exist, are skipped unless `force`. Work runs
    on `executor` if given (any `concurrent.futures.Executor`, e.g. Dask's), else on
    `jobs` local processes. A case taking longer than `case_timeout` seconds fails;
    with `strict`, so does a letter that breaks one of its kit's rules. With `mail`, each
    letter's mail pieces are drawn too (letterkit.mail; `write_print_file` merges them).
    `profile` "large-print" renders every letter in large print (a case's own
    `alternate_format` is honoured either way).
    `on_result` is called with each case's manifest entry as it finishes; each entry
    carries its audit record (time, letterkit version, operator, options), and is appended
    to `audit_log` too (default: `LETTERKIT_AUDIT_LOG`'s file, if set). One batch at a time
    may write to `outdir`: a second raises `BatchLockedError` at once.
    """
    remote = isinstance(outdir, str) and is_remote(outdir)
    job = _loaded(Job(
        kit=str(kit), templates=tuple(str(Path(t).resolve()) for t in templates), formats=tuple(formats),
        options=options, outdir=str(outdir) if remote else _absolute(outdir), kit_digest="",
        case_timeout=case_timeout, strict=strict, storage=json.dumps(storage_options or {}, sort_keys=True),
        mail=mail, profile=profile))
    run = _Run(*_engine(executor, jobs), force=force, on_result=on_result, audit_log=audit_log)
    stream = _stream(cases, storage_options)
    return _render_to_store(job, stream, run) if remote else _render_to_folder(job, stream, run)


def _absolute(outdir: str | Path) -> str:
    """A local folder, given as a path or a file:// URL, as an absolute path."""
    return str(Path(local_path(outdir) if isinstance(outdir, str) else outdir).resolve())


@dataclass(frozen=True)
class _Run:
    """How a batch runs, besides what its cases share (the `Job`)."""

    executor: Executor | None  # None: the batch's own local processes
    workers: int  # how many render at once: hand-offs in flight are a few times that
    force: bool = False
    on_result: Callable[[dict[str, Any]], None] | None = None
    audit_log: str | Path | None = None


def _render_to_folder(job: Job, stream: Iterator[Case], run: _Run) -> BatchSummary:
    outdir = Path(job.outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with exclusive(outdir):
        remove_partial_files(outdir)
        return _render_all(job, stream, Manifest(outdir), run)


def _render_to_store(job: Job, stream: Iterator[Case], run: _Run) -> BatchSummary:
    """The same batch with its letters and manifest in an object store (storage.py)."""
    folder = Folder(job.outdir, json.loads(job.storage))
    with exclusive_in_store(folder) as lock, tempfile.TemporaryDirectory(prefix="letterkit-manifest-") as spool:
        folder.remove(folder.partial_files())
        return _render_all(replace(job, outdir=folder.url), stream, SpooledManifest(folder, Path(spool)), run,
                           guard=lock.check)


def _loaded(job: Job) -> Job:
    """`job` with its kit found and loaded (a bad kit fails here, before any worker
    starts) and named by its folder, and the digest of what decides its files."""
    loaded = load_kit(job.kit, job.templates)
    digest = _kit_digest(loaded, tuple(sorted(job.formats)), job.options, job.strict, job.profile)
    return replace(job, kit=str(loaded.root), kit_digest=digest + (f" mail {job.mail}" if job.mail else ""))


def _stream(cases, storage_options) -> Iterator[Case]:
    return read_cases(cases, storage_options) if isinstance(cases, (str, Path)) else cases_from(cases)


def _engine(executor, jobs: int | None) -> tuple[Executor | None, int]:
    executor = _on_cluster(executor)
    return executor, jobs or getattr(executor, "slots", None) or os.cpu_count() or 1


def _on_cluster(executor):
    """A Dask `Client` given as the executor runs the batch as a `DaskExecutor` (dask_cluster.py)."""
    if type(executor).__module__.startswith("distributed.") and type(executor).__name__ == "Client":
        # here, not at the top: Dask is an extra and takes 0.2 s to import, which every batch
        # and every renderer child (python -c CHILD imports this package) would pay
        from .dask_cluster import DaskExecutor
        return DaskExecutor(executor)
    return executor


def _render_all(job: Job, stream: Iterator[Case], manifest: Manifest, run: _Run,
                guard: Callable[[], None] | None = None) -> BatchSummary:
    """`guard` is called before each manifest line: it raises if the batch must stop."""
    summary = BatchSummary(manifest=manifest.location, warnings=manifest.warnings)
    options = {**job.options.described(), "formats": list(job.formats), "strict": job.strict}

    def record(entry: dict[str, Any]) -> None:
        if guard:
            guard()
        entry = audit.record(**entry, options=options)
        if entry["status"] == "failed":
            remove_files_of(job, entry["id"])
        manifest.append(entry)
        audit.append(run.audit_log, {"command": "batch", **entry})
        if entry["status"] == "ok":
            summary.rendered += 1
        else:
            summary.failed += 1
            if len(summary.failures) < 20:
                summary.failures.append(f"{entry['id']}: {entry.get('error')}")
        if run.on_result:
            run.on_result(entry)

    todo = _unchanged_skipped(stream, manifest, job, run, summary)
    completed = False
    try:
        if run.executor is not None:
            _run(run.executor, job, todo, record, window=IN_FLIGHT_PER_WORKER * run.workers)
        else:
            _run_on_own_pool(job, todo, record, run.workers)
        completed = True
    finally:
        manifest.close(compact=completed)
        # What a stopped worker was writing; or, when every hand-off has come back, what
        # a worker on a cluster was writing when it was killed (no worker writes now).
        _remove_partial_files(job)
    return summary


def _unchanged_skipped(stream: Iterator[Case], manifest: Manifest, job: Job, run: _Run,
                       summary: BatchSummary) -> Iterator[Case]:
    keys = tuple(first_file_key(fmt) for fmt in job.formats)
    for case in stream:
        if not run.force and case.error is None and manifest.is_current(
            case.id, case.digest, job.kit_digest, tuple(file_name(case.id, key) for key in keys)
        ):
            summary.skipped += 1
            if run.on_result:
                run.on_result({"id": case.id, "status": "skipped"})
            continue
        yield case


def _run(executor: Executor, job: Job, cases: Iterator[Case], record, window: int,
         pending: dict[Future, tuple[Case, ...]] | None = None, watch=None) -> None:
    """Keep `window` hand-offs of cases in flight on `executor`; record each case as it completes.

    `pending` (given by the caller to see what was in flight if the pool breaks)
    holds each hand-off from the moment it is taken from `cases` until its results
    are recorded. `watch` is called about once a second while nothing completes.
    """
    pending = {} if pending is None else pending
    size = CASES_PER_HANDOFF["pdf" if "pdf" in job.formats else "other"]
    # islice, not a generator over `cases`: closing a generator would close `cases` too.
    while chunk := tuple(islice(cases, size)):
        pending[_submit(executor, job, chunk)] = chunk
        while len(pending) >= window:
            _collect(pending, record, watch)
    while pending:
        _collect(pending, record, watch)


def _submit(executor: Executor, job: Job, chunk: tuple[Case, ...]) -> Future:
    """A hand-off's future; one the pool refused because it broke, failed the same way,
    so that its cases are tracked like every other in flight and none is lost."""
    try:
        return executor.submit(render_cases, job, chunk)
    except BrokenProcessPool as error:
        refused: Future = Future()
        refused.set_exception(error)
        return refused


def _collect(pending: dict[Future, tuple[Case, ...]], record, watch=None) -> None:
    done, _ = wait(pending, timeout=1.0 if watch else None, return_when=FIRST_COMPLETED)
    if not done and watch:
        watch()
    for future in done:
        entries = future.result()  # raises BrokenProcessPool if a worker died
        del pending[future]
        for entry in entries:
            record(entry)


def _run_on_own_pool(job: Job, cases: Iterator[Case], record, workers: int) -> None:
    """A local process pool that survives a worker's death.

    Each worker notes the case it is on in a marker file named after its pid. When a
    worker dies (killed, out of memory, or stopped by the watch for running far past
    the time limit), the pool breaks and stops all its workers. The cases that were
    being rendered are each tried once more on their own: one that kills its worker
    again fails. The cases that were only queued go to a fresh pool with the rest.
    """
    with batch_folder() as folder:
        job = replace(job, markers=str(folder / "markers"))
        overdue: set[str] = set()  # cases whose worker the watch killed

        def kill_overdue_workers() -> None:
            overdue.update(kill_overdue(folder / "markers", _hard_limit(job)))

        watch = kill_overdue_workers if job.case_timeout else None
        queued: list[Case] = []
        while True:
            pending: dict[Future, tuple[Case, ...]] = {}
            pool = start_pool(workers, folder)
            try:
                # itertools.chain, not a generator: closing a generator would close `cases` too.
                _run(pool, job, chain(queued, cases), record, IN_FLIGHT_PER_WORKER * workers, pending, watch)
                pool.shutdown()
                return
            except BrokenProcessPool:
                pool.shutdown()
                queued = _recover(pending, folder, job, record, overdue)
                # No worker is alive now: what the dead one (or one stopped with it) was
                # writing is a leftover, never a letter another worker will finish.
                _remove_partial_files(job)
            except BaseException:  # Ctrl-C, SIGTERM: stop now; the manifest is already consistent
                stop(pool)
                raise


def _recover(pending: dict[Future, tuple[Case, ...]], folder: Path, job: Job, record,
             overdue: set[str]) -> list[Case]:
    """After a worker died: record what finished, retry what was started, requeue the rest.

    A hand-off cut short by the death is requeued whole but for its started case: the
    cases before it are rendered again, to the same files.
    """
    markers = folder / "markers"
    started = {marker.read_text() for marker in markers.iterdir()}
    for marker in markers.iterdir():
        marker.unlink()
    queued = []
    for future, chunk in pending.items():
        if future.done() and not future.cancelled() and future.exception() is None:
            for entry in future.result():
                record(entry)
            continue
        for case in chunk:
            if case.id in overdue:
                record(failed_entry(job, case, f"still rendering after {_hard_limit(job):g} s, past its "
                                               "time limit (--case-timeout); its worker was stopped"))
            elif case.id in started:
                record(_alone(job, case, folder))
            else:
                queued.append(case)
    overdue.clear()
    return queued


def _remove_partial_files(job: Job) -> None:
    if is_remote(job.outdir):
        folder = folder_of(job.outdir, job.storage)
        folder.remove(folder.partial_files())
    else:
        remove_partial_files(Path(job.outdir))


def _hard_limit(job: Job) -> float:
    """When the watch stops a worker: far past the limit the worker keeps itself, so only
    a case stuck where that limit's signal cannot reach it (deep in C code) meets it."""
    return 2 * (job.case_timeout or 0) + 5


def _alone(job: Job, case: Case, folder: Path) -> dict:
    with start_pool(1, folder) as pool:
        try:
            return pool.submit(render_case, job, case).result()
        except BrokenProcessPool:
            return failed_entry(job, case, "the worker process died while rendering this case, twice")
        finally:
            for marker in (folder / "markers").iterdir():
                marker.unlink()


def _kit_digest(kit: Kit, formats: tuple[str, ...], options: WriterOptions, strict: bool, profile: str | None) -> str:
    """A fingerprint of everything besides the case that decides its files: letterkit's
    version, the kit's files, the formats, the options, whether rules are checked and
    the reference DOCX's contents."""
    digest = hashlib.sha256(f"{version.INSTALLED} {formats} {options.pdf_variant} {options.dpi} {strict} {profile} "
                            f"{kit.digest}".encode())
    if options.pdf_engine != "weasyprint":  # (the default adds nothing: earlier runs' digests stand)
        digest.update(f"laid out by {options.pdf_engine}".encode())
    if options.seal:  # a sealed run redoes letters an unsealed one wrote, and the other way round
        digest.update(f"sealed by {options.seal.name}".encode())
    digest.update(reference_docx(kit.presentation, options))
    return digest.hexdigest()
