"""What a seal costs beside the render it follows, in one warm process.

    python benchmarks/bench_seal.py [--runs 15]

Times, interleaved and each after a garbage collection, on the 5-page seed letter:
the plain PDF render, the archival render (PDF/A-3a + PDF/UA-1, case inside), sealing
that PDF (PAdES-B-B, an incremental update; invisible, and visible as a kit's [seal]
draws it), a DOCX's detached CAdES signature, and what `verify` spends on the seal and its
signer against a trust root (without --kit).
The key is loaded once before timing, as a batch worker loads it once for all its
letters; the first load is reported apart. Medians in milliseconds. The key is made
here (an EC P-256 key under a throw-away root, as in the tests).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "imr-chiropractic-and-massage.yaml"
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs

    from pki import PASSPHRASE, make_pki

    import letterkit
    from letterkit.certificates import load_trust
    from letterkit.seal import SealKey, _signer, detached_signature, seal_pdf
    from letterkit.seal_appearance import DEFAULT_TEXT, SealAppearance
    from letterkit.verify import seal_findings

    pki = make_pki(Path(tempfile.mkdtemp(prefix="bench-seal-")))
    key = SealKey(pki.key, PASSPHRASE)
    trust = load_trust([pki.ca_pem])
    visible = SealAppearance(-1, (36, 4, 280, 44), DEFAULT_TEXT,
                             ROOT / "templates" / "letter" / "fonts" / "LiberationSerif-Regular.ttf", 7)
    started = time.perf_counter()
    _signer(key)
    key_load = time.perf_counter() - started

    case = letterkit.read_case(SEED)
    archival = letterkit.WriterOptions(pdf_variant="archival")
    pdf = letterkit.render(case, formats=("pdf",), options=archival)["pdf"]
    docx = letterkit.render(case, formats=("docx",))["docx"]
    sealed = seal_pdf(pdf, key)
    steps = {
        "render pdf (plain)": lambda: letterkit.render(case, formats=("pdf",)),
        "render pdf (archival)": lambda: letterkit.render(case, formats=("pdf",), options=archival),
        "seal pdf (PAdES-B-B)": lambda: seal_pdf(pdf, key),
        "seal pdf, visible": lambda: seal_pdf(pdf, key, visible),
        "sign docx (.p7s)": lambda: detached_signature(docx, key),
        "verify seal and signer": lambda: seal_findings(sealed, trust),
    }
    for step in steps.values():  # warm
        step()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(runs):
        for name, step in steps.items():
            gc.collect()
            started = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    print(f"{SEED.name}, {runs} runs, medians:")
    for name, value in medians.items():
        print(f"  {name:24} {value:7.1f} ms  {value / medians['render pdf (archival)']:.2f}x")
    print(f"  {'key load (once)':24} {key_load * 1000:7.1f} ms")
    seal, render = medians["seal pdf (PAdES-B-B)"], medians["render pdf (archival)"]
    print(f"a seal costs {seal / render:.2f}x of an archival render; "
          f"archival render {medians['render pdf (archival)'] / medians['render pdf (plain)']:.2f}x of a plain one")


if __name__ == "__main__":
    main()
