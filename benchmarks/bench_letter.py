"""A user's cost of one more letter, from the case file to the file, against the raw libraries.

    python benchmarks/bench_letter.py [--runs 15] [--letter examples/....yaml] [--cpu]

letterkit: `letterkit.render_file(case, outdir, formats=(format,))` in a warm process
(kit loaded): reading the YAML, validating, composing, writing the format, writing the file.
Twice: for a letter of the shape of the one before (the kit's Markdown of that shape is
kept, see letterkit.compose), and for a letter of a shape never seen (that kept Markdown,
and the guideline passages read before, forgotten before each run; the Markdown of its
parts, cut at headings, is still kept from letters before, as it is for a new shape in
a batch). For DOCX also with nothing kept at all, as the kit's first letter is.
Raw libraries, on the same letter, writing a file too:
- PDF: plain WeasyPrint on letterkit's own HTML file (pictures inlined, as the file is)
  with the kit's print stylesheets, reusing what a careful user of WeasyPrint's public API
  reuses across letters: one FontConfiguration, the stylesheets parsed once, one image cache.
  Twice: asked for a file identifier (/ID) as letterkit's PDF has, so the same PDF; and
  without one, WeasyPrint's default.
- PDF by typst (`--pdf-engine typst`): `render_file` as above with the other engine,
  against the same plain WeasyPrint. Goal: <= 20 ms, >= 10x faster. Twice: the same case
  again, and another case each run (its first name numbered, a number typst's caches have
  not seen in the last 10 letters): typst keeps what it laid out before, and a letter
  identical to one before costs it much less than a nightly batch's next letter does.
  WeasyPrint keeps nothing: its figure is the same either way.
- DOCX: docxtpl rendering letterkit's own DOCX as a template with no tags to fill (the
  least docxtpl can spend on a letter that size).
Runs alternate, each after `gc.collect()`; the figures are medians. A breakdown of
letterkit's stages (read, validate, compose, each writer) follows.
"""

from __future__ import annotations

import argparse
import functools
import gc
import itertools
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "imr-chiropractic-and-massage.yaml"
Action = Callable[[], object]  # one timed step: writing a letter, composing it


CLOCK = time.perf_counter  # --cpu: time.process_time, steadier on a shared machine


def timed(action: Action) -> float:
    gc.collect()
    started = CLOCK()
    action()
    return CLOCK() - started


NEW_SHAPE = "letterkit, new shape"
NOTHING_KEPT = "letterkit, nothing kept"
TYPST = "letterkit, --pdf-engine typst"
TYPST_OTHER = "letterkit, --pdf-engine typst, another case"


OTHER_CASES = 13  # more than typst-py keeps (comemo.evict(10) after each compile)


def number_first_name(data: object, number: int) -> bool:
    """Number the first `name` in the case data (in place): a case of the same shape, other
    data. False if it has no name."""
    if isinstance(data, dict):
        if isinstance(data.get("name"), str):
            data["name"] += f" {number}"
            return True
        return any(number_first_name(inner, number) for inner in data.values())
    return isinstance(data, list) and any(number_first_name(inner, number) for inner in data)


def other_cases(case: Path, outdir: Path) -> list[Path]:
    """The case with its first `name` numbered, OTHER_CASES times: letters of the same
    shape, other data."""
    import json

    import letterkit

    paths = []
    for number in range(OTHER_CASES):
        data = letterkit.read_case(case)
        if not number_first_name(data, number):
            raise SystemExit(f"{case}: no name to change for the typst runs of other cases")
        paths.append(outdir / f"{case.stem}-{number}.json")
        paths[-1].write_text(json.dumps(data, default=str), encoding="utf-8")
    return paths


def contenders(case: Path, kit, outdir: Path) -> dict[str, dict[str, Action]]:
    """{format: {name: action}}: letterkit (as the letter before, and a new shape) and the
    raw library, each writing a file."""
    import io

    from docxtpl import DocxTemplate
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    import letterkit
    from letterkit.writers.html import write_html

    document = letterkit.compose(letterkit.validate(letterkit.read_case(case), kit), kit)
    html = write_html(document, kit.presentation, embed_css=False)
    docx_bytes = letterkit.write(document, "docx", kit)
    fonts = FontConfiguration()
    stylesheets = [CSS(string=text, base_url=path.as_uri(), font_config=fonts)
                   for path, text in kit.presentation.print_css]
    images: dict = {}
    base_url = kit.root.as_uri() + "/"
    from letterkit.compose import _kit_markdown, _part_markdown, _quotes

    def letterkit_file(fmt: str, new_shape: bool = False, engine: str = "weasyprint", cases=(case,),
                       nothing_kept: bool = False):
        options = letterkit.WriterOptions(pdf_engine=engine)
        turns = itertools.cycle(cases)

        def action():
            if new_shape or nothing_kept:  # the letter's skeleton and quotes, forgotten
                _kit_markdown.cache_clear()
                _quotes.clear()
            if nothing_kept:  # the parts of skeletons too: the kit's first letter of all
                _part_markdown.cache_clear()
            letterkit.render_file(next(turns), outdir, kit, formats=(fmt,), options=options)
        return action

    def weasyprint(identifier: bytes | None):
        return lambda: HTML(string=html, base_url=base_url).write_pdf(
            outdir / "plain.pdf", stylesheets=stylesheets, font_config=fonts, cache=images,
            pdf_identifier=identifier)

    def docxtpl() -> None:
        template = DocxTemplate(io.BytesIO(docx_bytes))
        template.render({})
        template.save(outdir / "docxtpl.docx")

    return {
        "pdf": {
            "letterkit": letterkit_file("pdf"),
            NEW_SHAPE: letterkit_file("pdf", new_shape=True),
            TYPST: letterkit_file("pdf", engine="typst"),
            TYPST_OTHER: letterkit_file("pdf", engine="typst", cases=other_cases(case, outdir)),
            "plain WeasyPrint, /ID": weasyprint(b"0123456789abcdef0123456789abcdef"),
            "plain WeasyPrint, no /ID": weasyprint(None),
        },
        "docx": {
            "letterkit": letterkit_file("docx"),
            NEW_SHAPE: letterkit_file("docx", new_shape=True),
            NOTHING_KEPT: letterkit_file("docx", nothing_kept=True),
            "docxtpl": docxtpl,
        },
    }


def stages(case: Path, kit) -> dict[str, Action]:
    import letterkit

    data = letterkit.read_case(case)
    letter = letterkit.validate(data, kit)
    document = letterkit.compose(letter, kit)
    return {
        "read": lambda: letterkit.read_case(case),
        "validate": lambda: letterkit.validate(data, kit),
        "compose": lambda: letterkit.compose(letter, kit),
        **{f"write {fmt}": functools.partial(letterkit.write, document, fmt, kit)
           for fmt in ("html", "pdf", "docx")},
    }


def medians(actions: dict[str, Action], runs: int) -> dict[str, float]:
    for action in actions.values():
        action()  # warm-up: fonts loaded, stylesheets parsed
    timings: dict[str, list[float]] = {name: [] for name in actions}
    for run in range(runs):
        for name in sorted(actions, reverse=run % 2 == 1):  # each goes first half the time
            timings[name].append(timed(actions[name]))
    return {name: statistics.median(values) * 1000 for name, values in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--letter", type=Path, default=SEED)
    parser.add_argument("--kit", default="imr")
    parser.add_argument("--cpu", action="store_true", help="CPU time rather than the clock's")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.cpu else time.perf_counter
    warnings.simplefilter("ignore")
    import letterkit

    kit = letterkit.load_kit(args.kit)
    print(f"{args.letter.name}: medians of {args.runs} interleaved runs, warm process, "
          f"{'CPU' if args.cpu else 'wall-clock'} time")
    with tempfile.TemporaryDirectory() as outdir:
        for fmt, actions in contenders(args.letter, kit, Path(outdir)).items():
            result = medians(actions, args.runs)
            ours, new_shape = result.pop("letterkit"), result.pop(NEW_SHAPE)
            typst, typst_other = result.pop(TYPST, None), result.pop(TYPST_OTHER, None)
            nothing_kept = result.pop(NOTHING_KEPT, None)
            goal = "letterkit <= 1.00x the time" if fmt == "pdf" else "letterkit >= 3x faster"
            print(f"{fmt:5} letterkit {ours:6.1f} ms, a new letter shape {new_shape:6.1f} ms   (goal: {goal})")
            if typst is not None and typst_other is not None:
                plain = result["plain WeasyPrint, /ID"]
                for label, ms in (("the same case", typst), ("another case", typst_other)):
                    print(f"      letterkit --pdf-engine typst, {label:13} {ms:6.1f} ms: {plain / ms:.1f}x faster than "
                          f"plain WeasyPrint, {ours / ms:.1f}x than letterkit's WeasyPrint   (goal: <= 20 ms, >= 10x)")
            for raw, theirs in result.items():
                print(f"      {raw:25} {theirs:6.1f} ms   letterkit: {_ratio(fmt, ours, theirs)}, "
                      f"a new shape {_ratio(fmt, new_shape, theirs)}")
                if nothing_kept is not None:
                    print(f"      letterkit with nothing kept (its kit's first letter) {nothing_kept:6.1f} ms: "
                          f"{_ratio(fmt, nothing_kept, theirs)}")
    print("stages of letterkit, one letter:")
    for name, ms in medians(stages(args.letter, kit), args.runs).items():
        print(f"  {name:12} {ms:6.1f} ms")


def _ratio(fmt: str, ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}x the time" if fmt == "pdf" else f"{theirs / ours:.1f}x faster"


if __name__ == "__main__":
    main()
