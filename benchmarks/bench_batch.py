"""Batch throughput against the raw libraries, and worker memory.

    python benchmarks/bench_batch.py [--letters 60] [--repeat 3] [--memory-letters 2000] [--no-engines]

Prints letters per second (steady state, worker start-up excluded) for each format
and for all three, at 1 and 2 worker processes (their ratio is the scaling), for
`letterkit.render_batch` and for the raw libraries on the same letter in a plain
process pool: the HTML written out as it is, plain WeasyPrint on that HTML, docxtpl
on the letter's paragraphs. The raw pool is the ceiling: letterkit / raw says what
letterkit's own work (reading and checking each case, composing, the writers, the
manifest) costs. Runs alternate between the two; figures are medians. Then each
worker's peak resident memory after 100 letters and at the end of a long batch.
Then the PDF batch by each engine, WeasyPrint and typst (`--pdf-engine typst`), in
letters per hour at -j 2. Run it on a quiet machine: it uses every core.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import yaml
from bench_docx import make_docxtpl_template, paragraphs
from bench_letter import number_first_name
from bench_pdf import setup

import letterkit

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "imr-chiropractic-and-massage.yaml"


def write_cases(folder: Path, count: int, seed: Path = SEED) -> Path:
    """`count` cases of the seed's shape as JSON Lines, told apart by their id and their
    first name, numbered: a letter typst has not laid out before, as a batch's next one is."""
    shape = yaml.safe_load(seed.read_text())
    source = folder / "cases.jsonl"
    with source.open("w") as out:
        for number in range(count):
            data = copy.deepcopy(shape)  # numbered in place
            number_first_name(data, number)
            out.write(json.dumps({"id": f"case-{number:06d}", **data}, default=str) + "\n")
    return source


PARENT_CPU: list[float] = []  # ms of the parent process's CPU per letter, each letterkit run


def throughput(source: Path, kit: str, formats: tuple[str, ...], jobs: int, engine: str = "weasyprint") -> float:
    """Letters per second in the steady state: from the first letter done to the last,
    so that starting the workers (imports, fonts) is not counted."""
    finished: list[float] = []
    cpu = time.process_time()
    options = letterkit.WriterOptions(pdf_engine=engine)
    with tempfile.TemporaryDirectory() as outdir:
        summary = letterkit.render_batch(source, outdir, kit=kit, formats=formats, jobs=jobs, force=True,
                                         options=options,
                                         on_result=lambda entry: finished.append(time.perf_counter()))
    assert summary.failed == 0, summary.failures
    PARENT_CPU.append((time.process_time() - cpu) * 1000 / len(finished))
    return (len(finished) - 1) / (finished[-1] - finished[0])


def raw_throughput(letter: dict, formats: tuple[str, ...], jobs: int, count: int) -> float:
    """Letters per second, steady state, of the raw libraries in a plain process pool."""
    finished: list[float] = []
    with tempfile.TemporaryDirectory() as outdir, \
            ProcessPoolExecutor(jobs, initializer=_raw_worker, initargs=(letter,)) as pool:
        futures = [pool.submit(_raw_letter, number, formats, outdir) for number in range(count)]
        for future in as_completed(futures):
            future.result()
            finished.append(time.perf_counter())
    return (len(finished) - 1) / (finished[-1] - finished[0])


def raw_letter(folder: Path, seed: Path, kit_name: str) -> dict:
    """What the raw pool renders: the seed's HTML and a docxtpl template of its paragraphs."""
    kit, document, html = setup(seed, kit_name)
    template, context = make_docxtpl_template(folder, paragraphs(document))
    return {"html": html, "base_url": kit.root.as_uri() + "/", "template": str(template), "context": context}


_RAW: dict = {}


def _raw_worker(letter: dict) -> None:
    from weasyprint.text.fonts import FontConfiguration

    _RAW.update(letter, font_config=FontConfiguration())  # one per process, as letterkit does


def _raw_letter(number: int, formats: tuple[str, ...], outdir: str) -> None:
    from docxtpl import DocxTemplate
    from weasyprint import HTML

    stem = Path(outdir, f"case-{number:06d}")
    if "html" in formats:
        stem.with_suffix(".html").write_text(_RAW["html"], encoding="utf-8")
    if "pdf" in formats:
        HTML(string=_RAW["html"], base_url=_RAW["base_url"]).write_pdf(
            stem.with_suffix(".pdf"), font_config=_RAW["font_config"])
    if "docx" in formats:
        template = DocxTemplate(_RAW["template"])
        template.render(_RAW["context"])
        template.save(stem.with_suffix(".docx"))


def machine_scaling(repeat: int) -> float:
    """What two processes get here on pure-Python work that shares nothing: the best
    scaling any batch can hope for on this machine."""
    def seconds(jobs: int) -> float:
        with ProcessPoolExecutor(jobs) as pool:
            return max(pool.map(_spin, [10_000_000] * jobs))
    return statistics.median(2 * seconds(1) / seconds(2) for _ in range(repeat))


def _spin(count: int) -> float:
    started = time.perf_counter()
    total = 0
    for number in range(count):
        total += number * number % 7
    return time.perf_counter() - started


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


def memory(source: Path, kit: str, letters: int) -> tuple[dict[int, int], dict[int, int]]:
    count = 0
    at_100: dict[int, int] = {}
    at_end: dict[int, int] = {}

    def on_result(entry):
        nonlocal count, at_100, at_end
        count += 1
        if count == 100:
            at_100 = worker_peaks()
        if count >= letters - 4:  # before the pool winds down
            at_end = worker_peaks() or at_end

    with tempfile.TemporaryDirectory() as outdir:
        letterkit.render_batch(source, outdir, kit=kit, jobs=2, force=True, on_result=on_result)
    return at_100, at_end


def compare(source: Path, kit: str, letter: dict, formats: tuple[str, ...], repeat: int, count: int) -> None:
    """letterkit and the raw pool, alternating, at -j 1 and -j 2: a table row each."""
    rates: dict[tuple[str, int], list[float]] = {
        (who, jobs): [] for who in ("letterkit", "raw") for jobs in (1, 2)}
    PARENT_CPU.clear()
    for _ in range(repeat):
        for jobs in (1, 2):
            rates["letterkit", jobs].append(throughput(source, kit, formats, jobs))
            rates["raw", jobs].append(raw_throughput(letter, formats, jobs, count))
    rate = {key: statistics.median(values) for key, values in rates.items()}
    for who in ("letterkit", "raw"):
        ratio = f"{rate['letterkit', 2] / rate['raw', 2]:>16.2f}x" if who == "letterkit" else ""
        print(f"{','.join(formats) if who == 'letterkit' else '':<16}{who:>10}{rate[who, 1]:>8.2f}"
              f"{rate[who, 2]:>8.2f}{rate[who, 2] / rate[who, 1]:>8.2f}x{ratio}")
    print(f"{'':<26}at -j 2: {rate['letterkit', 2] * 3600:,.0f} letters/hour with letterkit, "
          f"{rate['raw', 2] * 3600:,.0f} raw; letterkit's parent process: "
          f"{statistics.median(PARENT_CPU):.2f} ms CPU a letter")


def compare_engines(source: Path, kit: str, repeat: int) -> None:
    """PDF letters per hour at -j 2 by each engine, alternating (goal: typst >= 5x WeasyPrint)."""
    rates: dict[str, list[float]] = {"weasyprint": [], "typst": []}
    for _ in range(repeat):
        for engine in rates:
            rates[engine].append(throughput(source, kit, ("pdf",), 2, engine))
    rate = {engine: statistics.median(values) * 3600 for engine, values in rates.items()}
    print(f"pdf at -j 2: {rate['weasyprint']:,.0f} letters/hour by WeasyPrint, {rate['typst']:,.0f} by typst: "
          f"{rate['typst'] / rate['weasyprint']:.1f}x   (goal: >= 5x)")


def report_memory(source: Path, kit: str, letters: int) -> None:
    at_100, at_end = memory(source, kit, letters)
    print("peak resident memory per worker (MB), all three formats, -j 2:")
    for pid in sorted(set(at_100) & set(at_end)):
        growth = at_end[pid] / at_100[pid] - 1
        print(f"  worker {pid}: {at_100[pid] / 1024:.1f} after 100 letters, "
              f"{at_end[pid] / 1024:.1f} after {letters} ({growth:+.1%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=60, help="letters per throughput run")
    parser.add_argument("--memory-letters", type=int, default=2000, help="letters in the memory run (0: none)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration (median)")
    parser.add_argument("--formats", default="html;pdf;docx;html,pdf,docx",
                        help="format sets to measure, separated by ';' (\"\" for none)")
    parser.add_argument("--letter", type=Path, default=SEED, help="the case every letter is made from")
    parser.add_argument("--engines", action=argparse.BooleanOptionalAction, default=True,
                        help="compare the PDF engines' batches (--pdf-engine weasyprint and typst)")
    parser.add_argument("--kit", default="imr", help="the kit that renders it")
    args = parser.parse_args()
    groups = [tuple(group.split(",")) for group in args.formats.split(";") if group]
    with tempfile.TemporaryDirectory() as folder:
        if groups:
            source = write_cases(Path(folder), args.letters, args.letter)
            letter = raw_letter(Path(folder), args.letter, args.kit)
            print(f"this machine: a pure-Python loop scales {machine_scaling(args.repeat):.2f}x at 2 processes")
            print(f"{args.letters} cases of {args.letter.name}'s shape; medians of {args.repeat} alternating runs; "
                  f"letters/second")
            print(f"{'formats':<16}{'':>10}{'-j 1':>8}{'-j 2':>8}{'scaling':>9}{'letterkit / raw':>17}")
            for formats in groups:
                compare(source, args.kit, letter, formats, args.repeat, args.letters)
        if args.engines:
            compare_engines(write_cases(Path(folder), args.letters, args.letter), args.kit, args.repeat)
        if args.memory_letters:
            report_memory(write_cases(Path(folder), args.memory_letters, args.letter), args.kit,
                          args.memory_letters)


if __name__ == "__main__":
    main()
