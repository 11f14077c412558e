"""A table cell reads the kit's Markdown, as a paragraph does: `labelled("Date", …)` in a
`table([[…]])` is bold in HTML, PDF and Word, while a case's value in a cell stays as typed.
Read back with lxml, pypdf (the font each word is drawn in) and python-docx."""

from __future__ import annotations

import io

import docx
import lxml.html
import pypdf
import pytest
from author_kit import body_kit
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app

BODY = '''{{ table([[labelled("Date", letter_date | date), labelled("Member", recipient.name)],
          [lines(bold("Kit words"), "a plain *string*"), recipient.name]], widths=[50, 50]) }}
'''

CASE = {"letter_date": "2026-03-02", "organisation": {"name": "Example Health Plan"},
        "recipient": {"name": "Pat **Member** <b>x</b>"}}


@pytest.fixture(scope="module")
def letter(tmp_path_factory):
    return letterkit.render(CASE, kit=body_kit(tmp_path_factory.mktemp("kit"), BODY), formats=("html", "pdf", "docx"))


def test_a_labelled_cell_is_bold_in_html(letter):
    cells = lxml.html.fromstring(letter["html"]).xpath("//table//td")
    assert [cell.xpath("string(./strong)") for cell in cells[:2]] == ["Date:", "Member:"]
    assert cells[2].xpath("string(./strong)") == "Kit words"
    assert "a plain *string*" in cells[2].text_content()  # a string in a block prints as typed
    assert cells[1].text_content() == "Member: Pat **Member** <b>x</b>"  # the value as typed
    assert cells[3].text_content() == "Pat **Member** <b>x</b>"


def test_a_labelled_cell_is_bold_in_word(letter):
    cells = docx.Document(io.BytesIO(letter["docx"])).tables[0]._cells
    runs = [(run.text, bool(run.bold)) for run in cells[0].paragraphs[0].runs]
    assert runs == [("Date:", True), (" March 2, 2026", False)]
    assert [(run.text, bool(run.bold)) for run in cells[2].paragraphs[0].runs][0] == ("Kit words", True)
    assert cells[3].text == "Pat **Member** <b>x</b>"


def test_a_labelled_cell_is_bold_in_the_pdf(letter):
    fonts: dict[str, str] = {}

    def visit(text, cm, tm, font, size):
        if text.strip() and font:
            fonts.setdefault(text.strip(), str(font.get("/BaseFont")))

    pypdf.PdfReader(io.BytesIO(letter["pdf"])).pages[0].extract_text(visitor_text=visit)
    drawn_in = {word: font for text, font in fonts.items() for word in text.split()}
    assert drawn_in["Date:"].endswith("Bold")
    assert not drawn_in["2026"].endswith("Bold")
    assert "**Member**" in drawn_in  # the case's asterisks, drawn as typed


def test_markdown_in_a_hand_written_cell_is_a_lint_warning(tmp_path):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "body.md.j2").write_text(
        '<table markdown="1">\n<tr markdown="1"><td markdown="1">**Fine**</td></tr>\n'
        "<tr><td>**Date:** {{ letter_date }}</td></tr>\n</table>\n")
    result = CliRunner().invoke(app, ["lint", "--kit", "letter", "--templates", str(tmp_path), "--strict"])
    assert result.exit_code == 1
    assert result.output.count("Markdown in a cell of an HTML table is shown as typed") == 1
    assert "body.md.j2:3: Markdown in a cell" in result.output
