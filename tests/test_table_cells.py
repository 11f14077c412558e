"""Table cells that hold paragraphs and lists, in every format.

A case's rich text (two paragraphs, a bullet list, a numbered list) printed into a
cell by the `table` macro, and a cell the kit writes with paragraphs and a list:
rendered for real, and read back from the HTML, the PDF (pypdf) and the DOCX
(python-docx, openxml-audit).
"""

from __future__ import annotations

import io
import re

import docx
import lxml.html
import pytest
from conftest import ROOT
from docx.oxml.ns import qn
from extract import pdf_text
from openxml_audit import AppPrediction, OpenXmlValidator, predict
from openxml_audit.errors import FileFormat

import letterkit
from letterkit import tree
from letterkit.rules import LetterText
from letterkit.visibility import of_presentation

RATIONALE = """The first paragraph of the rationale.

The second paragraph, with *emphasis*.

- a first reason
- a second reason, **strong**

1. step one
2. step two"""

RATIONALE_LINES = ["The first paragraph of the rationale.", "The second paragraph, with emphasis.",
                   "a first reason", "a second reason, strong", "step one", "step two"]
KIT_LINES = ["First kit paragraph.", "Second kit paragraph.", "kit item one", "kit item two"]

# The case's rich text in a cell by the `table` macro; a cell of the kit's own
# paragraphs and list, in a table of its own.
TABLE_CALL = ('{{ table([["Item", "Rationale"], [items[0].description, items[0].rationale], ["Plain", "one line"]], '
              'header=true, widths=[30, 70]) }}')
KIT_TABLE = ("<table>\n"
             "<tr><td>Kit</td><td><p>First kit paragraph.</p><p>Second kit paragraph.</p>"
             "<ul><li>kit item one</li><li>kit item two</li></ul></td></tr>\n"
             "</table>")
SUMMARY_BLOCK = ("# CLINICAL CASE SUMMARY\n\n" + TABLE_CALL + "\n\nBetween the tables.\n\n" + KIT_TABLE
                 + "\n\n{{ clinical_summary }}\n")


def _case(rationale: str = RATIONALE) -> dict:
    case = letterkit.read_case(ROOT / "examples" / "imr-chiropractic-and-massage.yaml")
    case["items"][0]["rationale"] = rationale
    return case


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cells")
    (folder / "blocks").mkdir()
    (folder / "blocks" / "clinical-case-summary.md.j2").write_text(SUMMARY_BLOCK)
    return letterkit.load_kit("imr", (folder,))


@pytest.fixture(scope="module")
def files(kit):
    return letterkit.render(_case(), kit)


def _cells(html: bytes):
    page = lxml.html.document_fromstring(html)
    return {cell.text_content().split()[0]: cell for cell in page.iter("td", "th") if cell.text_content().split()}


def test_a_cell_of_paragraphs_and_lists_keeps_them_in_html(files):
    cells = _cells(files["html"])
    rich, own, plain = cells["The"], cells["First"], cells["one"]
    assert [child.tag for child in rich] == ["p", "p", "ul", "ol"]
    assert [" ".join(item.text_content().split()) for item in rich.iter("p")] == RATIONALE_LINES
    assert rich.find("p/em").text == "emphasis" and rich.find("ul/li/p/strong").text == "strong"
    assert [child.tag for child in own] == ["p", "p", "ul"]
    # A cell of one line is written as before: its text alone, no paragraph around it.
    assert lxml.html.tostring(plain, encoding="unicode") == "<td>one line</td>"


def test_a_cell_of_paragraphs_and_lists_shows_each_on_its_own_line_in_the_pdf(files):
    lines = [" ".join(line.split()) for line in pdf_text(files["pdf"]).splitlines()]
    start = lines.index("The first paragraph of the rationale.")
    assert lines[start:start + 6] == RATIONALE_LINES
    assert lines[start + 6] == "Plain one line"
    start = lines.index("Kit First kit paragraph.")
    assert lines[start + 1:start + 4] == KIT_LINES[1:]


def _word_cell(document, first_words: str):
    return next(cell for table in document.tables for row in table.rows for cell in row.cells
                if cell.text.startswith(first_words))


def test_a_cell_of_paragraphs_and_lists_holds_a_word_paragraph_for_each(files):
    document = docx.Document(io.BytesIO(files["docx"]))
    rich = _word_cell(document, "The first paragraph")
    assert [paragraph.text for paragraph in rich.paragraphs] == RATIONALE_LINES
    # Styled as paragraphs and lists are anywhere in the letter, as the stylesheet styles them.
    assert [paragraph.style.name for paragraph in rich.paragraphs] == \
        ["Normal", "Normal", "List Bullet", "List Bullet", "List Number", "List Number"]
    numbered = [paragraph._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}") for paragraph in rich.paragraphs[4:]]
    assert all(number is not None for number in numbered)  # a list of its own, counting from 1
    assert [run.italic for run in rich.paragraphs[1].runs] == [None, True, None]
    own = _word_cell(document, "First kit paragraph.")
    assert [paragraph.text for paragraph in own.paragraphs] == KIT_LINES
    plain = _word_cell(document, "one line")
    assert [paragraph.style.name for paragraph in plain.paragraphs] == ["Table Text"]
    assert _word_cell(document, "Rationale").paragraphs[0].runs[0].bold  # the header row


def test_the_docx_with_paragraphs_in_cells_opens_in_word_without_repair(files, tmp_path):
    path = tmp_path / "cells.docx"
    path.write_bytes(files["docx"])
    result = OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=0).validate(path)
    assert [(e.part_uri, e.path, e.description) for e in result.errors] == []
    assert predict(result).prediction is AppPrediction.OPENS_CLEAN


def test_rich_text_in_a_cell_keeps_whose_words_they_are(kit):
    letter = letterkit.validate(_case(), kit)
    document = letterkit.compose(letter, kit)
    table = next(block for block in _blocks(document) if isinstance(block, tree.Table)
                 and block.head and tree.cell_text(block.head[0].cells[0]) == "Item")
    rich = table.body[0].cells[1]
    texts = [node for node in _nodes(rich) if isinstance(node, tree.Text)]
    assert {node.field for node in texts} == {"items[0].rationale"}
    assert {node.field for node in table.body[0].cells[0].line} == {"items[0].description"}
    assert table.body[1].cells[1].line == (tree.Text("one line", ""),)  # a value of no field
    own = next(block for block in _blocks(document) if isinstance(block, tree.Table)
               and tree.cell_text(block.body[0].cells[0]) == "Kit")
    assert {node.field for node in _nodes(own) if isinstance(node, tree.Text)} == {None}  # the kit's words
    # The kit's rules read the cells: the value's words as the field's, the kit's as the kit's.
    text = LetterText.read(document, of_presentation(kit.presentation))
    assert "a first reason a second reason, strong step one step two" in text.printed["items[0].rationale"]
    assert "First kit paragraph. Second kit paragraph. kit item one kit item two" in text.kit


def test_a_cell_refuses_what_is_not_a_paragraph_or_a_list(kit):
    with pytest.raises(letterkit.TemplateError,
                       match=re.escape("the rich text of items[0].rationale holds a block quote; "
                                       "a table cell holds paragraphs and lists only")):
        letterkit.render(_case("A paragraph.\n\n> A quotation."), kit, formats=("html",))


def test_a_space_between_two_formatted_words_stays_in_a_cell_and_a_list_item():
    rich = "| Words | More |\n|---|---|\n| *one* **two** | x |\n\n- *three* **four**"
    html = letterkit.render(_case(rich), formats=("html",))["html"].decode()
    assert "<td><em>one</em> <strong>two</strong></td>" in html
    assert "<em>three</em> <strong>four</strong>" in html


def _blocks(node):
    for child in getattr(node, "children", ()):
        yield child
        yield from _blocks(child)


def _nodes(node):
    yield node
    for child in tree.child_nodes(node):
        yield from _nodes(child)
