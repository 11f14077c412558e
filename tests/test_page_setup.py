"""The page and the base type from one `[page]` in the kit.toml, as an author writes it:
A4 paper, 20 mm and 25 mm margins and 12-point text reach the PDF (WeasyPrint's page and
text), the DOCX (Word's section and Normal style) and LibreOffice's layout of that DOCX.
And `[[style]] class = "normal"` never turns Word's Normal into a custom style."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile

import docx
import pikepdf
import pypdf
import pytest
from docx.shared import Mm, Pt
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app
from letterkit.errors import KitError

A4 = (595.28, 841.89)  # points
TOP, SIDE = 20 * 72 / 25.4, 25 * 72 / 25.4

KIT_TOML = '''extends = "letter"

[page]
size = "A4"
margin = "20mm 25mm"
font_size = 12
'''

CASE = {"letter_date": "2026-03-02", "organisation": {"name": "Example Health Plan"},
        "recipient": {"name": "Pat Member"},
        "body": "We received your request on February 2, 2026. " * 12}


@pytest.fixture
def a4_kit(tmp_path):
    (tmp_path / "kit.toml").write_text(KIT_TOML)
    return tmp_path


@pytest.fixture
def a4_letter(a4_kit):
    return letterkit.render(CASE, kit=a4_kit, formats=("html", "pdf", "docx"))


def _page_size(pdf: bytes) -> tuple[float, float]:
    """Page 1's width and height in points, as pikepdf reads its MediaBox."""
    with pikepdf.Pdf.open(io.BytesIO(pdf)) as document:
        box = document.pages[0].mediabox
        return float(box[2]) - float(box[0]), float(box[3]) - float(box[1])


def _text_sizes(pdf: bytes) -> dict[float, int]:
    """How many characters the PDF draws at each type size (the text matrix times Tf)."""
    sizes: dict[float, int] = {}

    def visit(text, cm, tm, font, size):
        scale = (tm[3] ** 2 + tm[2] ** 2) ** 0.5 * (cm[3] ** 2 + cm[2] ** 2) ** 0.5
        if text.strip():
            key = round(size * scale, 1)
            sizes[key] = sizes.get(key, 0) + len(text.strip())

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def _first_word_left(pdf: bytes, tmp_path) -> float:
    """Where poppler's pdftotext finds the leftmost word of page 1, in points."""
    (tmp_path / "letter.pdf").write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(tmp_path / "letter.pdf"), "-"],
                         check=True, capture_output=True, text=True).stdout
    return min(float(line.split('xMin="')[1].split('"')[0]) for line in out.splitlines() if "<word " in line)


def test_the_pdf_is_on_the_kits_paper_with_its_margins_and_type(a4_letter, tmp_path):
    assert _page_size(a4_letter["pdf"]) == pytest.approx(A4, abs=0.5)
    assert _first_word_left(a4_letter["pdf"], tmp_path) == pytest.approx(SIDE, abs=1)
    sizes = _text_sizes(a4_letter["pdf"])
    assert max(sizes, key=sizes.__getitem__) == 12  # the body text


def test_the_docx_is_on_the_same_page_with_normal_at_the_same_size(a4_letter):
    word = docx.Document(io.BytesIO(a4_letter["docx"]))
    for section in word.sections:
        assert (section.page_width, section.page_height) == (Mm(210), Mm(297)) or \
            (abs(section.page_width.pt - A4[0]) < 0.5 and abs(section.page_height.pt - A4[1]) < 0.5)
        assert section.top_margin.pt == pytest.approx(TOP, abs=0.1)
        assert section.bottom_margin.pt == pytest.approx(TOP, abs=0.1)
        assert section.left_margin.pt == pytest.approx(SIDE, abs=0.1)
        assert section.right_margin.pt == pytest.approx(SIDE, abs=0.1)
    normal = word.styles["Normal"]
    assert normal.font.size == Pt(12)
    assert normal.font.name == "Liberation Serif"
    assert word.styles["Heading 2"].font.size == Pt(12)  # as h2's 1em in the CSS
    styles = zipfile.ZipFile(io.BytesIO(a4_letter["docx"])).read("word/styles.xml").decode()
    assert '<w:sz w:val="24"/>' in styles.split("</w:docDefaults>")[0]  # tables and lists too


def test_the_html_page_says_the_same_numbers(a4_letter):
    html = a4_letter["html"].decode()
    assert "size: 595.28pt 841.89pt" in html
    assert "font-size: 12pt" in html


def test_a_kit_changes_one_key_and_keeps_the_others(tmp_path):
    (tmp_path / "kit.toml").write_text('extends = "letter"\n[page]\nfont_size = 14\n')
    kit = letterkit.load_kit(tmp_path)
    assert (kit.page.size, kit.page.margin, kit.page.font_size) == ("letter", "1in", 14)
    assert kit.page.font == "Liberation Serif"


@pytest.mark.parametrize("page, message", [
    ('size = "A9"', "[page] size: 'A9' is no page size"),
    ('margin = "1 in"', "[page] margin: '1' is not a length"),
    ('margins = "1in"', "[page] has no key 'margins'"),
    ("font_size = 0", "[page] font_size"),
])
def test_a_mistaken_page_is_refused_naming_the_key(tmp_path, page, message):
    (tmp_path / "kit.toml").write_text(f'extends = "letter"\n[page]\n{page}\n')
    with pytest.raises(KitError, match="kit.toml") as error:
        letterkit.load_kit(tmp_path)
    assert message in str(error.value)


def test_a_normal_style_with_a_size_is_an_error_lint_reports(tmp_path):
    (tmp_path / "kit.toml").write_text('extends = "letter"\n[[style]]\nclass = "normal"\nsize = 12\n')
    result = CliRunner().invoke(app, ["lint", "--kit", str(tmp_path)])
    assert result.exit_code == 1
    assert "size of Normal are the kit's [page] (font, font_size)" in result.output


def test_a_word_builtin_style_is_changed_in_place_not_made_custom(tmp_path):
    (tmp_path / "kit.toml").write_text(
        'extends = "letter"\n[[style]]\nclass = "normal"\nspace_after = 4\n'
        '[[style]]\nclass = "heading-2"\ncolor = "8B0000"\n')
    word = docx.Document(io.BytesIO(letterkit.load_kit(tmp_path).presentation.reference_docx))
    normal, heading = word.styles["Normal"], word.styles["Heading 2"]
    assert normal.builtin and heading.builtin  # no w:customStyle: Word's own Normal and Heading 2
    assert normal.paragraph_format.space_after == Pt(4)
    assert normal.font.size == Pt(11)  # the page's, untouched
    assert str(heading.font.color.rgb) == "8B0000"
    assert heading.font.bold  # what the table leaves out stays as the reference has it


@pytest.mark.slow
def test_libreoffice_lays_the_docx_out_on_the_kits_page(a4_letter, tmp_path):
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    (tmp_path / "letter.docx").write_bytes(a4_letter["docx"])
    subprocess.run([soffice, f"-env:UserInstallation=file:///tmp/lo-profile-{os.getpid()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path / "lo"), str(tmp_path / "letter.docx")],
                   check=True, capture_output=True, timeout=300)
    theirs = (tmp_path / "lo" / "letter.pdf").read_bytes()
    assert _page_size(theirs) == pytest.approx(A4, abs=0.5)
    assert _first_word_left(theirs, tmp_path) == pytest.approx(SIDE, abs=1)
    sizes = _text_sizes(theirs)
    assert max(sizes, key=sizes.__getitem__) == 12


def test_a_stylesheet_that_sets_the_page_itself_is_a_lint_warning(tmp_path):
    (tmp_path / "print-extra.css").write_text("p { orphans: 3 }\n@page { margin: 0.5in; }\nhtml { font-size: 13pt }\n")
    result = CliRunner().invoke(app, ["lint", "--kit", "letter", "--templates", str(tmp_path), "--strict"])
    assert result.exit_code == 1
    assert ("print-extra.css:2: @page { margin } reaches the PDF but not Word: "
            "set it in the kit.toml's [page] (margin)") in result.output
    assert "print-extra.css:3: html { font-size } reaches the PDF but not Word: set it in the kit.toml's [page] " \
        "(font_size)" in result.output
