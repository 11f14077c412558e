"""How a batch scales on a cluster: throughput on 1, 2 and 4 workers, against plain processes.

    python benchmarks/bench_scaling.py [--letters 40] [--formats pdf] [--engines dask,ray] [--repeat 3]

Worker processes on this machine stand in for nodes. For each engine and worker count it
starts a cluster, renders the letters once to warm every worker (kit, fonts, renderer),
then again (`force`) `--repeat` times and times each whole run, manifest and all, and
prints medians. Just before each timed run, the same letters are rendered with no engine
at all (`render_case` in a loop, warm) by one process, and by as many processes side by
side as the engine has workers: the first is the baseline of the ratios, the second the
most this machine gives N processes at that moment (the ceiling: with more workers than
cores it stops at the number of cores, and on a machine shared with other work it stops
lower). It prints letters per second and their ratio to one process; the engine's
overhead per letter as CPU time (the client's, the worker processes', and those of the
engine's own processes — Ray's raylet and GCS, Dask's nannies — not the renderers', which
do the letter's own work: a figure that a busy machine does not move, as it moves wall
time); and each worker's resident memory (the worker process and its renderer) after
the run. It ends with the ratios the scaling goal is about: 2 workers against 1, and 4
against 2, each run against the baseline just before it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import psutil
import yaml

import letterkit
from letterkit.batch.renderer import CHILD
from letterkit.batch.runner import render_batch
from letterkit.batch.sources import read_cases

WORKERS = (1, 2, 4)
REPEAT = 3  # timed runs of each engine and worker count, each against plain processes just before it
BASELINE_CPU: list[float] = []  # ms of CPU a letter, one plain process, each baseline run
SEED = Path(__file__).resolve().parent.parent / "examples" / "imr-chiropractic-and-massage.yaml"


def write_cases(folder: Path, count: int) -> Path:
    """The seed letter `count` times, as JSON Lines (bench_batch.py's needs docxtpl)."""
    line = yaml.safe_load(SEED.read_text())
    source = folder / "cases.jsonl"
    source.write_text("".join(json.dumps({**line, "id": f"case-{n:06d}"}, default=str) + "\n" for n in range(count)))
    return source


def side_by_side(source: Path, formats: tuple[str, ...], processes: int) -> float:
    """Letters per second of `processes` warm processes side by side, each rendering its
    share of the letters with no engine and no manifest."""
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(processes + 1), context.Queue()
    shares = [context.Process(target=_render_share, args=(source, formats, part, processes, start, results))
              for part in range(processes)]
    for share in shares:
        share.start()
    start.wait()
    started = time.perf_counter()
    ended = [results.get() for _ in shares]
    for share in shares:
        share.join()
    if processes == 1:
        BASELINE_CPU.append(ended[0][1])
    return len(list(read_cases(source))) / (max(end for end, _ in ended) - started)


def _render_share(source: Path, formats: tuple[str, ...], part: int, of: int, start, results) -> None:
    """In a process of its own: warm, wait for the others, render every `of`-th letter;
    puts when it ended and its CPU per letter in ms."""
    from letterkit.batch.job import Job, render_case
    from letterkit.kits import load_kit
    from letterkit.writers import WriterOptions

    cases = list(read_cases(source))[part::of]
    with tempfile.TemporaryDirectory() as outdir:
        job = Job(str(load_kit("imr").root), (), formats, WriterOptions(), outdir, "-", case_timeout=None)
        render_case(job, cases[0])  # warm: fonts, stylesheets
        start.wait()
        cpu = time.process_time()
        for case in cases:
            assert render_case(job, case)["status"] == "ok"
        results.put((time.perf_counter(), 1000 * (time.process_time() - cpu) / len(cases)))


def timed(source: Path, formats: tuple[str, ...], executor, workers: list[int]) -> tuple[float, ...]:
    """Medians over REPEAT runs of a warm cluster, each just after one process and N plain
    processes side by side: the ratio of its letters per second to one process's; the
    ratio of N processes' to one's (the ceiling); its letters per second, over the whole
    run, manifest and all; the engine's CPU per letter in ms (all but the renderers',
    which do the letters' own work); and all CPU per letter, renderers too."""
    runs = []
    with tempfile.TemporaryDirectory() as outdir:
        render_batch(source, outdir, formats=formats, executor=executor)  # warm every worker
        for _ in range(REPEAT):
            single = side_by_side(source, formats, 1)  # just before: the machine's speed moves
            ceiling = side_by_side(source, formats, len(workers)) if len(workers) > 1 else single
            before = _cpu()
            started = time.perf_counter()
            summary = render_batch(source, outdir, formats=formats, executor=executor, force=True)
            seconds = time.perf_counter() - started
            (engine, renderers) = (now - then for now, then in zip(_cpu(), before))
            assert summary.failed == 0, summary.failures
            rate = summary.rendered / seconds
            runs.append((rate / single, ceiling / single, rate, 1000 * engine / summary.rendered,
                         1000 * (engine + renderers) / summary.rendered))
    return tuple(statistics.median(run[i] for run in runs) for i in range(5))


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


def _cpu() -> tuple[float, float]:
    """CPU seconds used so far by this process and every process under it — the engine's
    (Ray's raylet, GCS and actors, Dask's nannies and workers) — but the renderers; and by
    the renderers. (The plain processes of `side_by_side` have ended when it is called.)"""
    engine, renderers = time.process_time(), 0.0
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            seconds = sum(process.cpu_times()[:2])
            if CHILD in process.cmdline():  # `python -c CHILD`: a renderer
                renderers += seconds
            else:
                engine += seconds
    return engine, renderers


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
        goals = []
        for engine in arguments.engines.split(","):
            ratios = {}
            for workers in WORKERS:
                BASELINE_CPU.clear()
                ratio, ceiling, rate, overhead, cpu, memory = ENGINES[engine](source, formats, workers)
                ratios[workers] = ratio
                print(f"{engine} {workers} worker(s), median of {REPEAT}: {rate:6.2f} letters/s = {ratio:.2f}x one "
                      f"process (each run against one just before; {workers} plain processes side by side: "
                      f"{ceiling:.2f}x); CPU a letter {cpu:.0f} ms "
                      f"(one process: {statistics.median(BASELINE_CPU):.0f} ms), "
                      f"of which the engine's {overhead:.1f} ms: {3600_000 / cpu:,.0f} letters per core-hour; "
                      f"{memory:.0f} MiB a worker", flush=True)
            goals.append(f"{engine}: 2 workers {ratios[2] / ratios[1]:.2f}x 1 worker (goal 1.7), "
                         f"4 workers {ratios[4] / ratios[2]:.2f}x 2 workers (goal 1.0)")
        print("\n".join(["scaling, from the medians above:", *goals]))

if __name__ == "__main__":
    main()
