"""letterkit's PDF against plain WeasyPrint on the same HTML, in one run.

    python benchmarks/bench_pdf.py [--runs 20] [--profile]

"plain" is what a careful user of WeasyPrint alone would write: the same HTML, with
the kit's stylesheets inlined, `HTML(string=...).write_pdf()` with one shared
FontConfiguration. "letterkit" is `write_pdf(document, kit.presentation)`, which also writes the
HTML. A child process repeats "plain" with HarfBuzz subsetting switched off, as on a
machine without libharfbuzz-subset0, where WeasyPrint falls back to fontTools.
Runs are interleaved, each after a garbage collection (otherwise each pays for the
garbage of the one before), and the figures are medians. `--profile` then shows, with
cProfile, the time letterkit spends in its own code around WeasyPrint.
"""

from __future__ import annotations

import argparse
import ctypes.util
import gc
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "imr-chiropractic-and-massage.yaml"


def setup(seed: Path = SEED, kit_name: str = "imr"):
    import letterkit
    from letterkit.writers.html import write_html

    kit = letterkit.load_kit(kit_name)
    document = letterkit.compose(letterkit.validate(letterkit.read_case(seed), kit), kit)
    css = "".join(text for _, text in kit.presentation.print_css)
    html = write_html(document, kit.presentation, embed_css=False).replace("</head>", f"<style>{css}</style></head>")
    return kit, document, html


def plain_timer(html: str, base_url: str):
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()

    def run() -> float:
        started = time.perf_counter()
        HTML(string=html, base_url=base_url).write_pdf(font_config=font_config)
        return time.perf_counter() - started
    return run


def child(runs: int) -> None:
    """Plain WeasyPrint with HarfBuzz subsetting off: prints the timings as JSON."""
    import weasyprint.pdf.fonts
    weasyprint.pdf.fonts.harfbuzz_subset = None
    kit, _, html = setup()
    run = plain_timer(html, kit.root.as_uri() + "/")
    run()
    timings = []
    for _ in range(runs):
        gc.collect()
        timings.append(run())
    print(json.dumps(timings))


def profile(document, kit, runs: int) -> None:
    """letterkit's own functions by cumulative time, over `runs` letters."""
    import cProfile
    import pstats

    from letterkit.writers.pdf import write_pdf

    profiler = cProfile.Profile()
    profiler.runcall(lambda: [write_pdf(document, kit.presentation) for _ in range(runs)])
    stats = pstats.Stats(profiler)
    total = stats.get_stats_profile().total_tt
    print(f"\ncProfile, {runs} letters: total {total:.2f} s; letterkit's own code:")
    stats.sort_stats("cumulative").print_stats(r"letterkit[/\\]", 8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="profile letterkit's own code too")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.runs)

    import warnings

    from weasyprint.text.ffi import harfbuzz_subset

    from letterkit.writers.pdf import write_pdf

    warnings.simplefilter("ignore")
    kit, document, html = setup()
    plain = plain_timer(html, kit.root.as_uri() + "/")

    def ours() -> float:
        started = time.perf_counter()
        write_pdf(document, kit.presentation)
        return time.perf_counter() - started

    runners = {"plain": plain, "letterkit": ours}
    plain(), ours()  # warm-up: fonts loaded, stylesheets parsed
    timings: dict[str, list[float]] = {name: [] for name in runners}
    for run in range(args.runs):
        # Each starts with no garbage of the other's to collect, and each goes first half the time.
        for name in sorted(runners, reverse=run % 2 == 1):
            gc.collect()
            timings[name].append(runners[name]())
    without = json.loads(subprocess.run(
        [sys.executable, __file__, "--child", "--runs", str(args.runs)],
        capture_output=True, text=True, check=True).stdout)
    medians = {name: statistics.median(values) * 1000 for name, values in timings.items()}
    slow = statistics.median(without) * 1000
    print(f"seed letter {SEED.name}, {args.runs} interleaved runs, medians")
    library = ctypes.util.find_library("harfbuzz-subset")
    print(f"HarfBuzz subsetting library: {library or 'NOT FOUND'}; "
          f"WeasyPrint uses it: {'yes' if harfbuzz_subset else 'NO (apt-get install libharfbuzz-subset0)'}")
    print(f"plain WeasyPrint, HarfBuzz subsetting  {medians['plain']:7.1f} ms")
    print(f"plain WeasyPrint, fontTools subsetting {slow:7.1f} ms")
    print(f"letterkit write_pdf                    {medians['letterkit']:7.1f} ms")
    print(f"letterkit / plain (HarfBuzz):  {medians['letterkit'] / medians['plain']:.2f}x  (goal <= 1.10)")
    print(f"letterkit / plain (fontTools): {medians['letterkit'] / slow:.2f}x")
    if args.profile:
        profile(document, kit, args.runs)


if __name__ == "__main__":
    main()
