"""letterkit's DOCX against docxtpl and naive python-docx on the same letter, in one run.

    python benchmarks/bench_docx.py [--runs 30]

The letter is the seed examples/imr-chiropractic-and-massage.yaml, middle pages only
(how the determination was made, the case summary, the decisions), as the seed shows
it. docxtpl renders a template made at start from the kit's reference.docx with the
same paragraphs and styles; naive python-docx opens the reference and adds the
paragraphs; letterkit runs write_docx on the composed tree (and compose + write).
Runs are interleaved; the figures are medians.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

import docx
from docxtpl import DocxTemplate

import letterkit
from letterkit import tree
from letterkit.writers.docx import write_docx
from letterkit.writers.docx_ooxml import clear_body

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "imr-chiropractic-and-massage.yaml"
FIRST, LAST = "HOW THE IMR FINAL DETERMINATION WAS MADE", "APPEAL RIGHTS"


def middle(document: tree.Document) -> tree.Document:
    """The seed's own pages: from the first of its headings to the appeal rights."""
    titles = [tree.plain_text(b.children) if isinstance(b, tree.Heading) else "" for b in document.children]
    return tree.Document(document.meta, document.children[titles.index(FIRST):titles.index(LAST)])


def paragraphs(document: tree.Document) -> list[tuple[str, str]]:
    """(text, style) of each paragraph, for the docxtpl and python-docx versions."""
    styles = {"item-title": "Item Title", "guideline": "Guideline", "credential": "Credential",
              "lead-in": "Lead In", "citation": "Citation"}
    found = []

    def walk(blocks, quote=False):
        for block in blocks:
            if isinstance(block, tree.Heading):
                found.append((tree.plain_text(block.children), styles.get(block.cls, "Heading 1")))
            elif isinstance(block, tree.Paragraph):
                found.append((tree.plain_text(block.children), styles.get(block.cls, "Quote" if quote else "Normal")))
            elif isinstance(block, tree.BlockQuote):
                walk(block.children, quote=True)
            elif isinstance(block, tree.Div):
                walk(block.children, quote)
    walk(document.children)
    return found


def make_docxtpl_template(folder: Path, rows: list[tuple[str, str]]) -> tuple[Path, dict]:
    """A docxtpl template whose paragraphs print context variables, and that context."""
    template = docx.Document(str(ROOT / "templates" / "imr" / "reference.docx"))
    clear_body(template)
    context = {}
    for number, (text, style) in enumerate(rows):
        context[f"p{number}"] = text
        template.add_paragraph(f"{{{{ p{number} }}}}", style=style)
    path = folder / "docxtpl-template.docx"
    template.save(str(path))
    return path, context


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    kit = letterkit.load_kit("imr")
    letter = letterkit.validate(letterkit.read_case(SEED), kit)
    document = middle(letterkit.compose(letter, kit))
    rows = paragraphs(document)
    reference = str(ROOT / "templates" / "imr" / "reference.docx")

    with tempfile.TemporaryDirectory() as folder:
        template_path, context = make_docxtpl_template(Path(folder), rows)

        def with_docxtpl():
            template = DocxTemplate(str(template_path))
            template.render(context)
            template.save(io.BytesIO())

        def with_python_docx():
            naive = docx.Document(reference)
            for text, style in rows:
                naive.add_paragraph(text, style=style)
            naive.save(io.BytesIO())

        def with_letterkit():
            write_docx(document, kit.presentation.reference_docx)

        def compose_and_write():
            write_docx(middle(letterkit.compose(letter, kit)), kit.presentation.reference_docx)

        contenders = {"docxtpl": with_docxtpl, "naive python-docx": with_python_docx,
                      "letterkit write_docx": with_letterkit, "letterkit compose + write": compose_and_write}
        timings: dict[str, list[float]] = {name: [] for name in contenders}
        for run in contenders.values():
            run()  # warm-up
        for _ in range(args.runs):
            for name, run in contenders.items():
                started = time.perf_counter()
                run()
                timings[name].append(time.perf_counter() - started)

    medians = {name: statistics.median(values) * 1000 for name, values in timings.items()}
    print(f"seed letter {SEED.name} (middle pages, {len(rows)} paragraphs), {args.runs} interleaved runs, medians")
    for name, value in medians.items():
        print(f"  {name:<28}{value:7.2f} ms")
    ratio = medians["docxtpl"] / medians["letterkit write_docx"]
    print(f"letterkit write_docx is {ratio:.1f}x faster than docxtpl (goal >= 5x); "
          f"compose + write is {medians['docxtpl'] / medians['letterkit compose + write']:.1f}x")


if __name__ == "__main__":
    main()
