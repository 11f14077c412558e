"""The seed letters, word for word, in every format; every example against its golden text."""

from __future__ import annotations

import difflib
import textwrap
from pathlib import Path

import pytest
from conftest import EXAMPLES
from extract import EXTRACT, in_order, pdf_body_text, words

TESTS = Path(__file__).parent
SEEDS = sorted((TESTS / "seeds").glob("*.txt"))
FORMATS = ("html", "pdf", "docx")


def test_every_seed_has_an_example():
    assert {seed.stem for seed in SEEDS} <= {example.stem for example in EXAMPLES}
    assert len(SEEDS) == 2


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_every_seed_word_appears_in_order(rendered, seed, format):
    wanted = words(seed.read_text(encoding="utf-8"))
    found = words(EXTRACT[format](rendered[seed.stem][format]))
    ok, where = in_order(wanted, found)
    assert ok, where


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_every_seed_reads_as_one_unbroken_run(rendered, seed, format):
    """The seed's text, word for word with nothing inserted: the letter reads as the real
    one did (the PDF's running header and page footers aside)."""
    wanted = words(seed.read_text(encoding="utf-8"))
    extract = pdf_body_text if format == "pdf" else EXTRACT[format]
    found = words(extract(rendered[seed.stem][format]))
    starts = [i for i, word in enumerate(found) if found[i:i + len(wanted)] == wanted]
    if not starts:
        match = difflib.SequenceMatcher(None, wanted, found, autojunk=False)
        inserted = [" ".join(found[j1:j2]) for tag, i1, i2, j1, j2 in match.get_opcodes()
                    if tag != "equal" and 0 < i1 < len(wanted)]
        pytest.fail(f"words inside the seed's run that the seed does not have: {inserted[:3]}")


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_letter_text_matches_golden_file(rendered, example, format, request):
    text = "\n".join(textwrap.wrap(" ".join(words(EXTRACT[format](rendered[example.stem][format]))), 100))
    golden = TESTS / "golden" / f"{example.stem}.{format}.txt"
    if request.config.getoption("--update-golden"):
        golden.write_text(text + "\n", encoding="utf-8")
    expected = golden.read_text(encoding="utf-8").rstrip("\n")
    if text != expected:
        diff = difflib.unified_diff(expected.split(), text.split(), "golden", "now", lineterm="", n=3)
        pytest.fail("text differs from golden file (run pytest --update-golden on purpose):\n"
                    + "\n".join(diff))
