"""Batch throughput and worker memory.

    python benchmarks/bench_batch.py [--letters 60] [--memory-letters 2000]

Prints letters per second (steady state, worker start-up excluded) for each format
and for all three, at 1 and 2 worker processes (their ratio is the scaling), letters per hour for all three at 2 workers,
and each worker's peak resident memory after 100 letters and at the end of a long
batch. Run it on a quiet machine: it uses every core.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import yaml

import letterkit

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "imr-chiropractic-and-massage.yaml"


def write_cases(folder: Path, count: int) -> Path:
    data = yaml.safe_load(SEED.read_text())
    source = folder / "cases.jsonl"
    with source.open("w") as out:
        for number in range(count):
            data["case"]["imr_number"] = f"CM15-{number:07d}"
            out.write(json.dumps({"id": f"case-{number:06d}", **data}, default=str) + "\n")
    return source


def throughput(source: Path, formats: tuple[str, ...], jobs: int) -> float:
    """Letters per second in the steady state: from the first letter done to the last,
    so that starting the workers (imports, fonts) is not counted."""
    finished: list[float] = []
    with tempfile.TemporaryDirectory() as outdir:
        summary = letterkit.render_batch(source, outdir, formats=formats, jobs=jobs, force=True,
                                         on_result=lambda entry: finished.append(time.perf_counter()))
    assert summary.failed == 0, summary.failures
    return (len(finished) - 1) / (finished[-1] - finished[0])


def worker_peaks() -> dict[int, int]:
    """Peak resident memory (kB) of each child process of this one."""
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
    peaks = {}
    for pid in children:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            continue
        peaks[int(pid)] = int(next(l.split()[1] for l in status.splitlines() if l.startswith("VmHWM")))
    return peaks


def memory(source: Path, letters: int) -> tuple[dict[int, int], dict[int, int]]:
    seen = {"count": 0, "at_100": {}, "at_end": {}}

    def on_result(entry):
        seen["count"] += 1
        if seen["count"] == 100:
            seen["at_100"] = worker_peaks()
        if seen["count"] >= letters - 4:  # before the pool winds down
            seen["at_end"] = worker_peaks() or seen["at_end"]

    with tempfile.TemporaryDirectory() as outdir:
        letterkit.render_batch(source, outdir, jobs=2, force=True, on_result=on_result)
    return seen["at_100"], seen["at_end"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=60, help="letters per throughput run")
    parser.add_argument("--memory-letters", type=int, default=2000, help="letters in the memory run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = write_cases(Path(folder), args.letters)
        print(f"{args.letters} copies of {SEED.name}; medians of {args.repeat} runs; letters/second")
        print(f"{'formats':<16}{'-j 1':>8}{'-j 2':>8}{'scaling':>9}")
        for formats in (("html",), ("pdf",), ("docx",), ("html", "pdf", "docx")):
            rates = {
                jobs: statistics.median(throughput(source, formats, jobs) for _ in range(args.repeat))
                for jobs in (1, 2)
            }
            print(f"{','.join(formats):<16}{rates[1]:>8.1f}{rates[2]:>8.1f}{rates[2] / rates[1]:>8.2f}x")
        print(f"all three formats at -j 2: {rates[2] * 3600:,.0f} letters per hour")

        big = write_cases(Path(folder), args.memory_letters)
        at_100, at_end = memory(big, args.memory_letters)
        print(f"peak resident memory per worker (MB), all three formats, -j 2:")
        for pid in sorted(set(at_100) & set(at_end)):
            growth = at_end[pid] / at_100[pid] - 1
            print(f"  worker {pid}: {at_100[pid] / 1024:.1f} after 100 letters, "
                  f"{at_end[pid] / 1024:.1f} after {args.memory_letters} ({growth:+.1%})")


if __name__ == "__main__":
    main()
