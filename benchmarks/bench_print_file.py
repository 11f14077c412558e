"""The print file: its merge against the batch's render time, its memory, its size.

    python benchmarks/bench_print_file.py [--letters 20] [--memory 1000,5000]

1. Renders `--letters` copies of the IMR example (4 pieces each: the original and 3
   addressed copies) as a batch, once without mail pieces and once with them; the
   difference is what the copies' renders cost. Then times the merge
   (`write_print_file`, duplex) and gives it as a share of each (goal: ≤ 5 % of the
   batch's render time).
2. Peak memory of the merge alone, in a fresh process, at each count of `--memory`
   letters, and its time as a share of what rendering that many letters takes (the
   letters-only batch's time a letter, times the count). Rendering 5,000 letters takes
   hours on a loaded machine, so these letters are not rendered: the manifest names one
   rendered piece (the original) hard-linked once a letter, merged as a batch's would
   be. Goal: flat.
3. Size per page of the print file, and what fonts cost in it: each piece brings its
   own subset of each font (WeasyPrint subsets per document), so fonts are counted.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pikepdf
from bench_batch import write_cases

import letterkit
from letterkit.mail.print_file import PrintOptions, write_print_file
from letterkit.mail.render import MailJob


def batch_seconds(source: Path, outdir: Path, mail: bool) -> float:
    started = time.perf_counter()
    summary = letterkit.render_batch(source, outdir, "imr", ("pdf",), jobs=2, force=True,
                                     mail=MailJob() if mail else None)
    assert summary.failed == 0, summary.failures
    return time.perf_counter() - started


def merge_seconds(outdir: Path) -> tuple[float, Path]:
    path = outdir / "print.pdf"
    started = time.perf_counter()
    write_print_file(outdir, PrintOptions(path, duplex=True, mail_date=_date(outdir)))
    return time.perf_counter() - started, path


def _date(outdir: Path):
    import datetime
    first = json.loads((outdir / "manifest.jsonl").read_text().splitlines()[0])
    return datetime.date.fromisoformat(first["pieces"][0]["letter_date"])


def fonts(path: Path) -> tuple[int, int]:
    """(font programs, their bytes) in a PDF."""
    count = size = 0
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in obj:
                        count += 1
                        size += len(obj[key].read_raw_bytes())
    return count, size


def memory_of_merge(template: Path, letters: int, folder: Path) -> tuple[float, float]:
    """(seconds, peak MB above its start) of merging `letters` one-piece letters, in a fresh process."""
    outdir = folder / f"memory-{letters}"
    outdir.mkdir()
    entry = json.loads((template / "manifest.jsonl").read_text().splitlines()[0])
    piece = entry["pieces"][0]
    with open(outdir / "manifest.jsonl", "w") as manifest:
        for number in range(letters):
            name = f"letter-{number:06d}.pdf"
            (outdir / name).hardlink_to(template / piece["file"])  # a copy, without the disk
            manifest.write(json.dumps({**entry, "id": f"letter-{number:06d}",
                                       "pieces": [{**piece, "piece_id": f"letter-{number:06d}-1", "file": name}]})
                           + "\n")
    # The import's own peak (WeasyPrint, fonts) would hide the merge's: the peak is reset
    # after it (clear_refs 5: Linux resets VmHWM to the current RSS) and read after the merge.
    code = (f"import time, datetime; from pathlib import Path; "
            f"from letterkit.mail.print_file import PrintOptions, write_print_file; "
            f"status = lambda key: int(next(l.split()[1] for l in open('/proc/self/status') if l.startswith(key))); "
            f"open('/proc/self/clear_refs', 'w').write('5'); start = status('VmRSS:'); t=time.perf_counter(); "
            f"write_print_file(Path({str(outdir)!r}), PrintOptions(Path({str(outdir / 'print.pdf')!r}), duplex=True, "
            f"mail_date=datetime.date.fromisoformat({piece['letter_date']!r}))); "
            f"print(time.perf_counter()-t, (status('VmHWM:') - start) / 1024)")
    seconds, peak = map(float, subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                              check=True).stdout.split())
    shutil.rmtree(outdir)
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=20)
    parser.add_argument("--memory", default="1000,5000")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        source = write_cases(folder, arguments.letters)
        plain = batch_seconds(source, folder / "plain", mail=False)
        mailed = batch_seconds(source, folder / "mailed", mail=True)
        merge, path = merge_seconds(folder / "mailed")
        with pikepdf.open(path) as pdf:
            pages = len(pdf.pages)
        pieces = len(json.loads((folder / "mailed" / "manifest.jsonl").read_text().splitlines()[0])["pieces"])
        print(f"{arguments.letters} letters, {pieces} pieces each, 2 workers")
        print(f"  batch, letters only:         {plain:7.2f} s")
        print(f"  batch, letters and copies:   {mailed:7.2f} s  (copies' renders: {mailed - plain:.2f} s)")
        print(f"  merge ({pages} pages, duplex): {merge:7.2f} s  = {100 * merge / mailed:.1f} % of the batch with "
              f"copies, {100 * merge / plain:.1f} % of the letters-only batch")
        size = path.stat().st_size
        count, font_bytes = fonts(path)
        single = folder / "mailed" / "case-000000.pdf"
        one_count, one_bytes = fonts(single)
        print(f"  print file: {size / 1e6:.2f} MB, {size / pages / 1e3:.1f} kB a page; fonts: {count} programs, "
              f"{font_bytes / 1e6:.2f} MB ({100 * font_bytes / size:.0f} % of the file); one letter's PDF has "
              f"{one_count} ({one_bytes / 1e3:.0f} kB)")
        for letters in (int(n) for n in arguments.memory.split(",") if n):
            seconds, peak = memory_of_merge(folder / "mailed", letters, folder)
            rendering = plain / arguments.letters * letters
            print(f"  merge of {letters} one-piece letters: {seconds:.1f} s = {100 * seconds / rendering:.1f} % of "
                  f"rendering {letters} letters ({rendering:.0f} s at this batch's rate); "
                  f"peak memory {peak:.0f} MB above the RSS it started from")
        print(f"  (parent peak so far: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
