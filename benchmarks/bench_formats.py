"""Each format beside the PDF, on the seed letter, in one run; large print's pages beside the normal letter's.

    python benchmarks/bench_formats.py [--runs 7]

In one warm process (kit loaded, fonts and stylesheets ready, every format written once
first), each run writes the composed seed letter in every format, one format at a time,
runs interleaved and each after a garbage collection. A format built on another (page
pictures on the PDF, audio on the text) is timed with what it needs, as a user asking
for it alone pays it. Medians, and each format's time as a share of the PDF's.
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "imr-chiropractic-and-massage.yaml"
FORMATS = ("pdf", "html", "docx", "txt", "brf", "png", "wav")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args()

    import pypdf

    import letterkit
    from letterkit import profiles
    from letterkit.writers import write_formats

    kit = letterkit.load_kit("imr")
    document = letterkit.compose(letterkit.validate(letterkit.read_case(SEED), kit), kit)
    times: dict[str, list[float]] = {name: [] for name in FORMATS}
    for run in range(arguments.runs + 1):  # the first run warms up, uncounted
        for name in FORMATS:
            gc.collect()
            started = time.perf_counter()
            write_formats(document, (name,), kit.presentation)
            if run:
                times[name].append(time.perf_counter() - started)
    pdf = statistics.median(times["pdf"])
    print(f"seed letter ({SEED.name}), medians of {arguments.runs} runs")
    for name in FORMATS:
        median = statistics.median(times[name])
        print(f"  {name:5} {median * 1000:8.1f} ms  {median / pdf:6.2f} × the PDF")

    def pages(look) -> int:
        return len(pypdf.PdfReader(io.BytesIO(write_formats(document, ("pdf",), look)["pdf"])).pages)

    large = profiles.presentation(kit, "large-print")
    print(f"pages: normal {pages(kit.presentation)}, large print ({kit.large_print_floor:g} pt floor) {pages(large)}")


if __name__ == "__main__":
    main()
