"""How a letter's cost grows with the length of its lists: time and memory, against plain WeasyPrint.

    python benchmarks/bench_big.py [--sizes 250,500,1000,2000] [--list documents_reviewed|items] [--rounds 3]

The seed letter with one of its lists made `size` entries long (copies of its own
entries): the records reviewed (a bulleted list), or the disputed items (a heading, a
decision and a guideline's quote each). For each size, each in a process of its own
(so its peak memory is its own): letterkit's PDF (`letterkit.render(case, formats="pdf")`,
with its stages: validate, compose, the PDF writer), and plain WeasyPrint's `write_pdf`
on letterkit's HTML page of that letter with the kit's print stylesheets. It prints the
medians of `--rounds` runs of CPU time (steadier than the clock on a shared machine), the
time per entry, and each process's peak resident memory; a cost that grows linearly has
the same time per entry at every size.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "imr-chiropractic-and-massage.yaml"

CHILD = """
import json, resource, sys, time, warnings
from pathlib import Path
warnings.simplefilter("ignore")
what, case_file, page_file = sys.argv[1:4]
if what == "plain":
    from weasyprint import CSS, HTML
    page, base_url, *stylesheets = json.loads(Path(page_file).read_text())
    started = time.process_time()
    HTML(string=page, base_url=base_url).write_pdf(
        stylesheets=[CSS(string=text, base_url=url) for url, text in stylesheets])
    stages = {"write_pdf": time.process_time() - started}
else:
    import letterkit
    from letterkit.writers.html import write_html
    case = letterkit.read_case(case_file)
    kit = letterkit.load_kit("imr")
    letterkit.render(letterkit.read_case(SEED), kit, formats="pdf")  # warm: fonts, stylesheets
    stages = {}
    started = time.process_time()
    letter = letterkit.validate(case, kit)
    stages["validate"] = time.process_time() - started
    document = letterkit.compose(letter, kit)
    stages["compose"] = time.process_time() - stages["validate"] - started
    letterkit.write(document, "pdf", kit)
    stages["write_pdf"] = time.process_time() - stages["compose"] - stages["validate"] - started
    css = [(path.as_uri(), text) for path, text in kit.presentation.print_css]
    Path(page_file).write_text(json.dumps([write_html(document, kit.presentation, embed_css=False),
                                           kit.root.as_uri() + "/", *css]))
print(json.dumps({"stages": stages, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
""".replace("SEED", repr(str(SEED)))


def big_case(size: int, list_name: str) -> dict:
    import letterkit

    case = letterkit.read_case(SEED)
    entries = case[list_name]
    case[list_name] = [entries[index % len(entries)] for index in range(size)]
    return case


def measured(what: str, case_file: Path, page_file: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", CHILD, what, str(case_file), str(page_file)],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="250,500,1000,2000")
    parser.add_argument("--list", default="documents_reviewed", choices=("documents_reviewed", "items"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"{SEED.name} with {args.list} of each size: CPU seconds, medians of {args.rounds} runs, "
          "each in a process of its own")
    print(f"{'size':>6} {'validate':>9} {'compose':>9} {'PDF writer':>11} {'plain WP':>9} "
          f"{'ours/entry':>11} {'plain/entry':>12} {'peak MB':>8} {'plain MB':>9}")
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            case_file, page_file = Path(folder) / f"big-{size}.json", Path(folder) / f"page-{size}.json"
            case_file.write_text(json.dumps(big_case(size, args.list), default=str))
            ours, plain = [], []
            for _ in range(args.rounds):  # letterkit first: it writes the page plain WeasyPrint reads
                ours.append(measured("letterkit", case_file, page_file))
                plain.append(measured("plain", case_file, page_file))
            print(_row(size, ours, plain))


def _row(size: int, ours: list[dict], plain: list[dict]) -> str:
    def median(runs: list[dict], stage: str) -> float:
        return statistics.median(run["stages"][stage] for run in runs)

    total = sum(median(ours, stage) for stage in ("validate", "compose", "write_pdf"))
    theirs = median(plain, "write_pdf")
    return (f"{size:6} {median(ours, 'validate'):8.2f}s {median(ours, 'compose'):8.2f}s "
            f"{median(ours, 'write_pdf'):10.2f}s {theirs:8.2f}s {total / size * 1000:9.1f}ms "
            f"{theirs / size * 1000:10.1f}ms {statistics.median(r['peak_mb'] for r in ours):8.0f} "
            f"{statistics.median(r['peak_mb'] for r in plain):9.0f}")


if __name__ == "__main__":
    main()
