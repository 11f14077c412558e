"""How a batch scales on a cluster: throughput on 1, 2 and 4 workers, against one process.

    python benchmarks/bench_scaling.py [--letters 40] [--formats pdf] [--engines dask,ray] [--repeat 3]

Worker processes on this machine stand in for nodes. For each engine and worker count it
starts a cluster, renders the letters once to warm every worker (kit, fonts, renderer),
then again (`force`) `--repeat` times and times each whole run, manifest and all, and
prints medians. The baseline, measured just before each timed run, is one process rendering the same letters one after another, warm
(`render_case` in a loop, no engine at all). It prints letters per second and their
ratio to the baseline; the engine's overhead per letter as CPU time (the client's and
the worker processes', not their renderers', which do the letter's own work: a figure
that a busy machine does not move, as it moves wall time); and each worker's resident
memory (the worker process and its renderer) after the run. With more workers than
cores the ratio stops at the number of cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import psutil
import yaml

import letterkit
from letterkit.batch.runner import render_batch
from letterkit.batch.sources import read_cases

WORKERS = (1, 2, 4)
REPEAT = 3  # timed runs of each engine and worker count, each against a baseline just before it
BASELINE_CPU: list[float] = []  # ms of CPU a letter, one process, each baseline run
SEED = Path(__file__).resolve().parent.parent / "examples" / "imr-chiropractic-and-massage.yaml"


def write_cases(folder: Path, count: int) -> Path:
    """The seed letter `count` times, as JSON Lines (bench_batch.py's needs docxtpl)."""
    line = yaml.safe_load(SEED.read_text())
    source = folder / "cases.jsonl"
    source.write_text("".join(json.dumps({**line, "id": f"case-{n:06d}"}, default=str) + "\n" for n in range(count)))
    return source


def baseline(source: Path, formats: tuple[str, ...]) -> float:
    """Letters per second of one warm process, rendering with no engine and no manifest."""
    from letterkit.batch.job import Job, render_case
    from letterkit.kits import load_kit
    from letterkit.writers import WriterOptions

    cases = list(read_cases(source))
    with tempfile.TemporaryDirectory() as outdir:
        job = Job(str(load_kit("imr").root), (), formats, WriterOptions(), outdir, "-", case_timeout=None)
        render_case(job, cases[0])  # warm: fonts, stylesheets
        started, cpu = time.perf_counter(), time.process_time()
        for case in cases:
            assert render_case(job, case)["status"] == "ok"
        BASELINE_CPU.append(1000 * (time.process_time() - cpu) / len(cases))
        return len(cases) / (time.perf_counter() - started)


def timed(source: Path, formats: tuple[str, ...], executor, workers: list[int]) -> tuple[float, float, float, float]:
    """Medians over REPEAT runs of a warm cluster, each just after a baseline run: the ratio
    of its letters per second to the baseline's; its letters per second, over the whole
    run, manifest and all; the engine's CPU per letter in ms (the client's and the worker
    processes', less their renderers', which do the letters' own work); and all CPU per
    letter, renderers too."""
    runs = []
    with tempfile.TemporaryDirectory() as outdir:
        render_batch(source, outdir, formats=formats, executor=executor)  # warm every worker
        for _ in range(REPEAT):
            single = baseline(source, formats)  # just before: the machine's speed moves
            before = _cpu(workers)
            started = time.perf_counter()
            summary = render_batch(source, outdir, formats=formats, executor=executor, force=True)
            seconds = time.perf_counter() - started
            (engine, renderers) = (now - then for now, then in zip(_cpu(workers), before))
            assert summary.failed == 0, summary.failures
            rate = summary.rendered / seconds
            runs.append((rate / single, rate, 1000 * engine / summary.rendered,
                         1000 * (engine + renderers) / summary.rendered))
    return tuple(statistics.median(run[i] for run in runs) for i in range(4))  # type: ignore[return-value]


def on_dask(source: Path, formats: tuple[str, ...], workers: int) -> tuple[float, ...]:
    import distributed

    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        pids = list(client.run(os.getpid).values())
        figures = timed(source, formats, client, pids)
        memory = max(_resident_mib(pid) for pid in pids)
    return (*figures, memory)


def on_ray(source: Path, formats: tuple[str, ...], workers: int) -> tuple[float, ...]:
    import ray
    from letterkit.batch.ray_cluster import RayExecutor

    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        with RayExecutor(workers) as executor:
            pids = ray.get([actor.pid.remote() for actor in executor.actors])
            figures = timed(source, formats, executor, pids)
            memory = max(_resident_mib(pid) for pid in pids)
    finally:
        ray.shutdown()
    return (*figures, memory)


def _cpu(workers: list[int]) -> tuple[float, float]:
    """CPU seconds used so far by this process and the worker processes, and by their
    children (the renderers)."""
    processes = [psutil.Process(pid) for pid in workers]
    children = [child for process in processes for child in process.children(recursive=True)]
    own = time.process_time() + sum(sum(process.cpu_times()[:2]) for process in processes)
    return own, sum(sum(child.cpu_times()[:2]) for child in children)


def _resident_mib(pid: int | None = None) -> float:
    """Resident memory of a worker process and its children (its renderer), in MiB."""
    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in (process, *process.children(recursive=True))) / 2**20


ENGINES = {"dask": on_dask, "ray": on_ray}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=40)
    parser.add_argument("--formats", default="pdf", help="comma-separated, e.g. pdf or html,pdf,docx")
    parser.add_argument("--engines", default="dask,ray")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per engine and worker count (medians)")
    arguments = parser.parse_args()
    global REPEAT
    REPEAT = arguments.repeat
    formats = tuple(arguments.formats.split(","))
    print(f"{platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
          f"letterkit {letterkit.__version__}, {arguments.letters} letters, {'+'.join(formats)}")
    with tempfile.TemporaryDirectory() as folder:
        source = write_cases(Path(folder), arguments.letters)
        for engine in arguments.engines.split(","):
            for workers in WORKERS:
                BASELINE_CPU.clear()
                ratio, rate, overhead, cpu, memory = ENGINES[engine](source, formats, workers)
                print(f"{engine} {workers} worker(s), median of {REPEAT}: {rate:6.2f} letters/s = {ratio:.2f}x one "
                      f"process (each run against one just before); CPU a letter {cpu:.0f} ms "
                      f"(one process: {statistics.median(BASELINE_CPU):.0f} ms), of which the engine's "
                      f"{overhead:.1f} ms: {3600_000 / cpu:,.0f} letters per core-hour; {memory:.0f} MiB a worker",
                      flush=True)


if __name__ == "__main__":
    main()
