"""What checking a letter against its kit's rules costs, as a share of its PDF.

    python benchmarks/bench_rules.py [CASE...] [--kit imr] [--runs 30]

In one warm process: the rule check of `--strict` (`letterkit.check_rules` on a letter
already composed: reading its visible text by whose words they are, the deadlines, every
rule) against writing the same letter's PDF. Goal: the check under 1 % of the PDF.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import letterkit

ROOT = Path(__file__).resolve().parent.parent


def _median_ms(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("cases", nargs="*", default=sorted((ROOT / "examples").glob("*.yaml")))
    parser.add_argument("--kit", default="imr")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    kit = letterkit.load_kit(args.kit)
    for path in args.cases:
        letter = letterkit.validate(letterkit.read_case(path), kit)
        document = letterkit.compose(letter, kit)
        letterkit.write(document, "pdf", kit)  # warm: fonts, stylesheets
        check = _median_ms(lambda: letterkit.check_rules(letter, kit, document), args.runs)
        pdf = _median_ms(lambda: letterkit.write(document, "pdf", kit), max(5, args.runs // 3))
        print(f"{Path(path).name}: rules {check:.2f} ms, PDF {pdf:.0f} ms: "
              f"the check is {check / pdf:.2%} of the PDF (goal < 1 %)")


if __name__ == "__main__":
    main()
