"""What judging the drawn letter adds to `render --strict -f pdf`.

    python benchmarks/bench_strict.py [CASE] [--kit imr] [--runs 15]

In one warm process, interleaved run by run so that a noisy machine weighs on both
alike: `letterkit.render(case, formats=("pdf",))` against the same with `strict=True`,
which checks the rules on the tree, then requires every required word to be seen in
the PDF it wrote (PDFium: letter boxes, renderings around the words). Then the parts of
the judgement alone, with what judging a DOCX adds to `validate --strict` or to `render
--strict -f docx` (the runs through their style chain). Goal: strict ≤ 1.15x the plain
render (medians).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import letterkit
from letterkit.drawn import sightings
from letterkit.rules import LetterText, required_words
from letterkit.visibility import Visibility
from letterkit.writers.docx_formatting import runs

ROOT = Path(__file__).resolve().parent.parent


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("case", nargs="?", default=ROOT / "examples" / "imr-chiropractic-initial-trial.yaml")
    parser.add_argument("--kit", default="imr")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    kit = letterkit.load_kit(args.kit)
    case = letterkit.read_case(args.case)
    letterkit.render(case, kit, ("pdf",), strict=True)  # warm: fonts, stylesheets, reference DOCX
    plain, strict = [], []
    for _ in range(args.runs):
        plain.append(_timed(lambda: letterkit.render(case, kit, ("pdf",))))
        strict.append(_timed(lambda: letterkit.render(case, kit, ("pdf",), strict=True)))
    letter = letterkit.validate(case, kit)
    document = letterkit.compose(letter, kit)
    pdf, docx = letterkit.write(document, "pdf", kit), letterkit.write(document, "docx", kit)
    letter_text = LetterText.read(document, Visibility(frozenset()))
    words = [text for _, _, text in required_words(letter, letter_text, kit.rules, kit.calendars)]
    parts = {
        "PDF judged (PDFium: text, letter boxes, renderings around the words)": lambda: sightings(pdf, words),
        "DOCX written (validate --strict only: render judges the DOCX it writes)":
            lambda: letterkit.write(document, "docx", kit),
        "DOCX runs read through their style chain": lambda: runs(docx),
    }
    plain_ms, strict_ms = statistics.median(plain) * 1e3, statistics.median(strict) * 1e3
    print(f"{Path(args.case).name}, {args.runs} runs, medians:")
    print(f"  render -f pdf           {plain_ms:7.0f} ms")
    print(f"  render --strict -f pdf  {strict_ms:7.0f} ms  = {strict_ms / plain_ms:.2f}x (goal <= 1.15x)")
    for name, work in parts.items():
        print(f"    {name}: {statistics.median(_timed(work) for _ in range(args.runs)) * 1e3:.0f} ms")
    print(f"  ({len(words)} required words judged)")


if __name__ == "__main__":
    main()
