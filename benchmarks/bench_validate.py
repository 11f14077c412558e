"""What validating a case costs, and the share of its font check, in a warm process.

    python benchmarks/bench_validate.py [CASE...] [--runs 50]

The first validation of a process also finds the kit's fonts (fontconfig) and reads
their cmaps: a fallback font's only when a character needs it (Noto Serif CJK's takes
about 150 ms). After that, the font check is a set lookup per distinct character.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import letterkit
from letterkit import fonts

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("cases", nargs="*", default=sorted((ROOT / "examples").glob("*.yaml")))
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    kit = letterkit.load_kit("imr")
    letter_fonts = fonts.letter_fonts(kit.presentation)
    for path in args.cases:
        data = letterkit.read_case(path)
        started = time.perf_counter()
        letter = letterkit.validate(data, kit)
        first = time.perf_counter() - started
        validate, check = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            letterkit.validate(data, kit)
            validate.append(time.perf_counter() - started)
            started = time.perf_counter()
            fonts.undrawable_text(letter, letter_fonts)
            check.append(time.perf_counter() - started)
        print(f"{Path(path).name}: first {first * 1e3:.1f} ms, "
              f"then validate {statistics.median(validate) * 1e3:.2f} ms, "
              f"of which the font check {statistics.median(check) * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
