"""Plain text (`-f txt`): the letter in reading order, as the HTML page shows it."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from conftest import EXAMPLES, ROOT

import letterkit
from letterkit.writers.text import WIDTH

LETTERS = [*EXAMPLES, ROOT / "examples" / "ur" / "ur-chiropractic-modified.yaml",
           ROOT / "examples" / "adverse-benefit" / "abd-lumbar-mri.yaml"]
KITS = {"ur": "ur", "adverse-benefit": "adverse-benefit"}
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "tr", "header", "footer",
           "main", "blockquote", "ul", "ol", "table", "br"}


def visible_text(page: bytes) -> str:
    """What a browser shows of the page, in order: the body's text, a list entry with the
    marker a browser draws, the elements the page's own CSS hides (page 1's frame) left
    out, and the running footer after the letter, where the page's CSS puts it on screen."""
    body = lxml.html.document_fromstring(page).body
    for hidden in body.xpath('//*[contains(@class, "first-page-")]'):
        hidden.getparent().remove(hidden)
    for footer in body.xpath('//footer[@class="running-footer"]'):
        body.remove(footer)
        body.append(footer)
    return " ".join(_text(body).split())


def _text(element) -> str:
    parts = []
    if element.tag == "li":
        parent = element.getparent()
        start = int(parent.get("start", "1"))
        parts.append("• " if parent.tag == "ul" else f"{start + parent.index(element)}. ")
    parts.append(element.text or "")
    for child in element:
        parts.append(_text(child))
        parts.append(child.tail or "")
    text = "".join(parts)
    return f" {text} " if element.tag in _BLOCKS else text


def _kit(path: Path) -> str:
    return KITS.get(path.parent.name, "imr")


@pytest.mark.parametrize("path", LETTERS, ids=lambda p: p.stem)
def test_the_text_is_the_html_pages_visible_text_in_order(path):
    files = letterkit.render(letterkit.read_case(path), kit=_kit(path), formats=("html", "txt"))
    text = files["txt"].decode("utf-8")
    assert " ".join(text.split()) == visible_text(files["html"])


@pytest.mark.parametrize("path", LETTERS, ids=lambda p: p.stem)
def test_the_text_is_wrapped_and_keeps_the_letters_structure(path):
    text = letterkit.render(letterkit.read_case(path), kit=_kit(path), formats=("txt",))["txt"].decode("utf-8")
    lines = text.splitlines()
    assert all(len(line) <= WIDTH or " " not in line.strip() for line in lines)
    assert text.endswith("\n") and "\n\n\n" not in text and "\r" not in text


def test_lists_quotations_and_a_frame_with_page_numbers_read_in_order(case_data):
    case_data["clinical_summary"] = (
        "Her history:\n\n1. low back pain since 2008\n2. a second entry, long enough that it wraps onto "
        "the next line of the text and shows its hanging indent\n\n- a bullet\n\n> A quoted line.\n\nAfter.")
    kit = letterkit.load_kit("adverse-benefit")
    case = letterkit.read_case(ROOT / "examples" / "adverse-benefit" / "abd-lumbar-mri.yaml")
    text = letterkit.render(case, kit=kit, formats=("txt",))["txt"].decode()
    footer = text.rstrip("\n").splitlines()[-1]
    assert "Page" in footer and "{page}" not in footer and "of" in footer  # the numbers left out, once
    assert text.count("Notice of adverse benefit determination · Page") == 1

    imr = letterkit.render(case_data, formats=("txt",))["txt"].decode()
    assert "1. low back pain since 2008\n2. a second entry" in imr
    assert "wraps onto the next line of the\n   text and shows its hanging indent" in imr  # under its words
    assert "• a bullet" in imr
    assert "\n    A quoted line." in imr
    assert imr.index("Her history") < imr.index("low back") < imr.index("A quoted line.") < imr.index("After.")


def test_the_cli_writes_the_text_beside_the_other_formats(tmp_path):
    from typer.testing import CliRunner

    from letterkit.cli import app

    result = CliRunner().invoke(app, ["render", str(EXAMPLES[0]), "-f", "txt,html", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = (tmp_path / f"{EXAMPLES[0].stem}.txt").read_text(encoding="utf-8")
    assert "FINAL DETERMINATION" in text
