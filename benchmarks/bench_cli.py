"""One more PDF letter through `letterkit render`, against plain WeasyPrint, in one run.

    python benchmarks/bench_cli.py [--rounds 7] [--copies 11] [--letter examples/....yaml] [--before FOLDER]

letterkit: the marginal cost of a letter as a user meets it, `letterkit render CASE... -f pdf
-o OUTDIR` with default options, in a process of its own: the time of a render of
`--copies` copies of one case (under different names), less the time of a render of one,
divided by the letters it added. Start-up, imports and the kit's loading cancel out.
Plain WeasyPrint: `HTML(string=...).write_pdf(file)` on letterkit's own HTML page (its
pictures inlined) with the kit's print stylesheets, in a warm loop of as many letters in a
process of its own that imports WeasyPrint alone, reusing what its public API lets a
careful user keep: one FontConfiguration, the stylesheets parsed once into `CSS` objects,
one image cache; asked for a file identifier (/ID), as letterkit's PDF has one.
Its figure is the loop's time divided by its letters (the garbage collector's share
included, as it is in the CLI's). Each round runs the three, in turn, the order rotating;
the figures are medians over rounds, of wall-clock time and of CPU time (steadier on a
shared machine). Goal: letterkit <= 1.05x plain WeasyPrint.
`--before FOLDER` times an earlier letterkit too, in the same rounds: a folder holding
its `letterkit` package, e.g. from `git archive main letterkit templates | tar -x -C FOLDER`
then `ln -s ../templates FOLDER/letterkit/templates` (the built-in kits).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "imr-chiropractic-and-massage.yaml"

PLAIN = """
import json, sys, time
from pathlib import Path
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

page, base_url, letters, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
html = Path(page).read_text()
fonts = FontConfiguration()
stylesheets = [CSS(string=Path(path).read_text(), base_url=Path(path).as_uri(), font_config=fonts)
               for path in sys.argv[5:]]
images = {}

def letter():
    HTML(string=html, base_url=base_url).write_pdf(
        out, stylesheets=stylesheets, font_config=fonts, cache=images,
        pdf_identifier=b"0123456789abcdef0123456789abcdef")

letter()  # warm: fonts loaded, pictures decoded
started, cpu = time.perf_counter(), time.process_time()
for _ in range(letters):
    letter()
print(json.dumps([(time.perf_counter() - started) / letters, (time.process_time() - cpu) / letters]))
"""


def letterkit_command() -> list[str]:
    """The `letterkit` script beside this Python, as a user runs it."""
    script = Path(sys.executable).with_name("letterkit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "letterkit"]


def prepared(letter: Path, kit_name: str, copies: int, folder: Path) -> tuple[list[Path], list[str]]:
    """`copies` copies of the case, and the plain run's arguments: letterkit's HTML page
    written to a file, the kit's base URL, and its print stylesheets' files."""
    import letterkit
    from letterkit.writers.html import write_html

    cases = []
    for number in range(copies):
        cases.append(folder / f"case-{number:02}{letter.suffix}")
        shutil.copyfile(letter, cases[-1])
    kit = letterkit.load_kit(kit_name)
    document = letterkit.compose(letterkit.validate(letterkit.read_case(letter), kit), kit)
    page = folder / "letter.html"
    page.write_text(write_html(document, kit.presentation, embed_css=False))
    return cases, [str(page), kit.root.as_uri() + "/"] + [str(path) for path, _ in kit.presentation.print_css]


def timed_cli(cases: list[Path], outdir: Path, source: Path | None = None) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one `letterkit render`; of the letterkit in the
    `source` folder (a checkout's), if given, rather than the one installed."""
    command = [sys.executable, "-m", "letterkit"] if source else letterkit_command()
    environment = {**os.environ, "PYTHONPATH": str(source)} if source else None
    started, before = time.perf_counter(), _children_cpu()
    subprocess.run([*command, "render", *map(str, cases), "-f", "pdf", "-o", str(outdir)],
                   check=True, capture_output=True, env=environment)
    return time.perf_counter() - started, _children_cpu() - before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def plain_letter(arguments: list[str], letters: int, outdir: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of a letter in plain WeasyPrint's warm loop."""
    page, base_url, *stylesheets = arguments
    result = subprocess.run([sys.executable, "-c", PLAIN, page, base_url, str(letters), str(outdir / "plain.pdf"),
                             *stylesheets], check=True, capture_output=True, text=True)
    return tuple(json.loads(result.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--copies", type=int, default=11)
    parser.add_argument("--letter", type=Path, default=SEED)
    parser.add_argument("--kit", default="imr")
    parser.add_argument("--before", type=Path, metavar="FOLDER",
                        help="also an earlier letterkit: a folder holding its letterkit package (and templates)")
    args = parser.parse_args()
    added = args.copies - 1
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        cases, plain_arguments = prepared(args.letter, args.kit, args.copies, folder)
        runs: dict[str, Callable[[], tuple[float, float]]] = {
            "plain": functools.partial(plain_letter, plain_arguments, added, folder)}
        for label, source in (("letterkit", None), ("before", args.before)):
            if label == "letterkit" or source:
                runs[f"{label}, one"] = functools.partial(timed_cli, cases[:1], folder / "one", source)
                runs[f"{label}, many"] = functools.partial(timed_cli, cases, folder / "many", source)
        timings: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
        for round_number in range(args.rounds):
            turn = round_number % len(runs)
            for name in list(runs)[turn:] + list(runs)[:turn]:  # each goes first in turn
                timings[name].append(runs[name]())
    print(f"{args.letter.name}, -f pdf: medians of {args.rounds} rounds")
    for clock, index in (("wall-clock", 0), ("CPU", 1)):
        plain_seconds = statistics.median(t[index] for t in timings['plain'])
        print(f"{clock}:  plain WeasyPrint, warm, a letter  {plain_seconds * 1000:7.1f} ms")
        for name in ("letterkit", "before"):
            if f"{name}, one" in timings:
                report(name, {kind: [t[index] for t in timings[key]] for kind, key in
                              (("one", f"{name}, one"), ("many", f"{name}, many"), ("plain", "plain"))}, args.copies)


def report(name: str, timings: dict[str, list[float]], copies: int) -> None:
    marginal = [(many - one) / (copies - 1) for one, many in zip(timings["one"], timings["many"])]
    ratios = [ours / plain for ours, plain in zip(marginal, timings["plain"])]
    ours, plain = statistics.median(marginal) * 1000, statistics.median(timings["plain"]) * 1000
    print(f"  {name}: render of 1 case {statistics.median(timings['one']) * 1000:6.0f} ms, of {copies} "
          f"{statistics.median(timings['many']) * 1000:6.0f} ms; one more letter {ours:6.1f} ms, "
          f"{ours / plain:.2f}x plain (median of the rounds' ratios {statistics.median(ratios):.2f}x; goal <= 1.05x)")


if __name__ == "__main__":
    main()
