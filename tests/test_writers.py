"""Every node kind reaches every format: headings, emphasis, lists, quotes, tables, breaks."""

from __future__ import annotations

import io

import docx
import lxml.html
import pypdf
import pytest

import letterkit
from letterkit import tree
from letterkit.writers.docx import DocxWriter
from letterkit.writers.html import HtmlWriter
from letterkit.writers.typst_source import TypstWriter

RICH = """First *emphasised* and **strong** words.

- bullet one
- bullet two

1. number one
2. number two

> A quoted guideline passage.

| Item | Decision |
|------|----------|
| Massage | Upheld |"""

# A page break is the kit's to make, never case data's: a block makes this one.
BREAKING_BLOCK = """# CLINICAL CASE SUMMARY

{{ clinical_summary }}

<div class="page-break"></div>

After the page break.
"""


@pytest.mark.parametrize("writer", [HtmlWriter, DocxWriter, TypstWriter])
def test_writer_has_a_method_for_every_node_kind(writer):
    missing = [kind.kind for kind in tree.NODE_KINDS if not hasattr(writer, f"visit_{kind.kind}")]
    assert not missing, f"{writer.__name__} lacks visit_ for {missing}"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    blocks = tmp_path_factory.mktemp("templates")
    (blocks / "blocks").mkdir()
    (blocks / "blocks" / "clinical-case-summary.md.j2").write_text(BREAKING_BLOCK)
    case = letterkit.read_case("examples/imr-chiropractic-and-massage.yaml")
    case["items"][0]["rationale"] = RICH
    return letterkit.render(case, templates=[blocks])


def test_html_has_every_element(files):
    page = lxml.html.document_fromstring(files["html"])
    assert page.get("lang") == "en-US"
    assert page.find(".//title").text.startswith("Final Determination")
    for selector in ("h1", "h2.item-title", "em", "strong", "ul li", "ol li", "blockquote p",
                     "table thead th", "table tbody td", "div.page-break", "main", "style"):
        assert page.cssselect(selector), selector


def test_docx_uses_named_styles_for_every_element(files):
    document = docx.Document(io.BytesIO(files["docx"]))
    styles = [p.style.name for p in document.paragraphs]
    for name in ("Heading 1", "Item Title", "Guideline", "List Bullet", "List Number", "Quote"):
        assert name in styles, name
    runs = [run for p in document.paragraphs for run in p.runs]
    assert any(run.italic and run.text == "emphasised" for run in runs)
    assert any(run.bold and run.text == "strong" for run in runs)
    rationale_table = next(t for t in document.tables if t.rows[0].cells[0].text == "Item")
    assert [c.text for c in rationale_table.rows[1].cells] == ["Massage", "Upheld"]
    # The page break is "page break before" on the paragraph after it, not a paragraph
    # of its own that could fall onto the next page and leave a blank one.
    after = next(p for p in document.paragraphs if p.text == "After the page break.")
    assert after.paragraph_format.page_break_before
    assert '<w:br w:type="page"/>' not in document.element.xml


def test_docx_is_us_letter_with_page_number_footer(files):
    document = docx.Document(io.BytesIO(files["docx"]))
    section = document.sections[0]
    assert (section.page_width.inches, section.page_height.inches) == (8.5, 11)
    assert section.left_margin.inches == 1
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert section.header.paragraphs[0].text.startswith("IMR Case ")


def test_pdf_is_us_letter_with_page_x_of_y_and_page_break(files):
    reader = pypdf.PdfReader(io.BytesIO(files["pdf"]))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    count = len(reader.pages)
    for number, page in enumerate(reader.pages, 1):
        assert f"Page {number} of {count}" in page.extract_text()
    page = next(p.extract_text() for p in reader.pages if "After the page break." in p.extract_text())
    lines = [line for line in page.splitlines() if line.strip() and not line.startswith("IMR Case")]
    assert lines[0].startswith("After the page break."), lines[:2]


def test_pdf_embeds_the_kits_font_not_a_system_one(files):
    reader = pypdf.PdfReader(io.BytesIO(files["pdf"]))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    assert fonts and all(name.startswith("Liberation-Serif") for name in fonts), fonts


def test_pdf_metadata_comes_from_the_letter(files):
    reader = pypdf.PdfReader(io.BytesIO(files["pdf"]))
    assert reader.metadata.title.startswith("Final Determination, IMR Case ")
    assert reader.metadata.author == "MAXIMUS Federal Services"
