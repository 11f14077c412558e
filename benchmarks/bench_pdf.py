"""letterkit's PDF against plain WeasyPrint on the same HTML, in one run.

    python benchmarks/bench_pdf.py [--runs 20]

"plain" is what a careful user of WeasyPrint alone would write: the same HTML, with
the kit's stylesheets inlined, `HTML(string=...).write_pdf()` with one shared
FontConfiguration. "letterkit" is `write_pdf(document, kit)`, which also writes the
HTML. A child process repeats "plain" with HarfBuzz subsetting switched off, as on a
machine without libharfbuzz-subset0, where WeasyPrint falls back to fontTools.
Runs are interleaved; the figures are medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "imr-chiropractic-and-massage.yaml"


def setup():
    import letterkit
    from letterkit.writers.html import write_html

    kit = letterkit.load_kit("imr")
    document = letterkit.compose(letterkit.validate(letterkit.read_case(SEED), kit), kit)
    css = "".join(kit.path(n).read_text() for n in (*kit.stylesheets, *kit.pdf_stylesheets))
    html = write_html(document, kit, embed_css=False).replace("</head>", f"<style>{css}</style></head>")
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
    print(json.dumps([run() for _ in range(runs)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
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
        write_pdf(document, kit)
        return time.perf_counter() - started

    plain(), ours()  # warm-up: fonts loaded, stylesheets parsed
    timings = {"plain": [], "letterkit": []}
    for _ in range(args.runs):
        timings["plain"].append(plain())
        timings["letterkit"].append(ours())
    without = json.loads(subprocess.run(
        [sys.executable, __file__, "--child", "--runs", str(args.runs)],
        capture_output=True, text=True, check=True).stdout)
    medians = {name: statistics.median(values) * 1000 for name, values in timings.items()}
    slow = statistics.median(without) * 1000
    print(f"seed letter {SEED.name}, {args.runs} interleaved runs, medians")
    print(f"HarfBuzz subsetting on this machine: {'yes' if harfbuzz_subset else 'NO'}")
    print(f"plain WeasyPrint, HarfBuzz subsetting  {medians['plain']:7.1f} ms")
    print(f"plain WeasyPrint, fontTools subsetting {slow:7.1f} ms")
    print(f"letterkit write_pdf                    {medians['letterkit']:7.1f} ms")
    print(f"letterkit / plain (HarfBuzz):  {medians['letterkit'] / medians['plain']:.2f}x  (goal <= 1.10)")
    print(f"letterkit / plain (fontTools): {medians['letterkit'] / slow:.2f}x")


if __name__ == "__main__":
    main()
