"""The PDF: variants, metadata, pages, fonts and what it may fetch — read back with pikepdf and pypdf."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess

import pikepdf
import pypdf
import pytest

import letterkit
from conftest import ROOT
from letterkit.writers.pdf_fetcher import KitFetcher, RefusedResource

XMP_PDFA = "{http://www.aiim.org/pdfa/ns/id/}"
XMP_PDFUA = "{http://www.aiim.org/pdfua/ns/id/}"


@pytest.fixture(scope="module")
def case():
    return letterkit.read_case(ROOT / "examples" / "imr-chiropractic-initial-trial.yaml")


def _pdf(case, variant=None) -> bytes:
    return letterkit.render(case, formats=("pdf",), options=letterkit.WriterOptions(pdf_variant=variant))["pdf"]


@pytest.mark.parametrize("variant, part, conformance", [("pdf/a-2b", "2", "B"), ("pdf/a-3b", "3", "B")])
def test_pdf_a_identifies_itself_and_embeds_every_font(case, variant, part, conformance):
    content = _pdf(case, variant)
    with pikepdf.open(io.BytesIO(content)) as pdf:
        xmp = pdf.open_metadata()
        assert (xmp[f"{XMP_PDFA}part"], xmp[f"{XMP_PDFA}conformance"]) == (part, conformance)
        assert "/OutputIntents" in pdf.Root
        _assert_common_metadata(pdf)
    assert content == _pdf(case, variant), "two renders differ"


def test_pdf_ua_is_tagged_with_title_and_language(case):
    content = _pdf(case, "pdf/ua-1")
    with pikepdf.open(io.BytesIO(content)) as pdf:
        assert pdf.open_metadata()[f"{XMP_PDFUA}part"] == "1"
        assert "/StructTreeRoot" in pdf.Root
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        _assert_common_metadata(pdf)
    assert content == _pdf(case, "pdf/ua-1"), "two renders differ"


def _assert_common_metadata(pdf: pikepdf.Pdf) -> None:
    assert str(pdf.Root.Lang) == "en-US"
    assert str(pdf.docinfo.Title) == "Final Determination, IMR Case CM13-0062815"
    assert str(pdf.docinfo.Author) == "MAXIMUS Federal Services"
    assert str(pdf.docinfo.CreationDate).startswith("D:20140127")  # the letter's date, not the clock
    xmp = pdf.open_metadata()
    assert xmp["{http://purl.org/dc/elements/1.1/}title"] == "Final Determination, IMR Case CM13-0062815"
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            descriptor = font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font else font.FontDescriptor
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), "font not embedded"


def test_identifier_is_derived_from_the_case(case):
    first = pikepdf.open(io.BytesIO(_pdf(case))).trailer.ID[0]
    other = dict(case, case=dict(case["case"], imr_number="CM13-0000001"))
    assert first != pikepdf.open(io.BytesIO(_pdf(other))).trailer.ID[0]


def test_unknown_variant_is_refused(case):
    with pytest.raises(letterkit.RenderError, match="unknown PDF variant 'pdf/x-4'"):
        _pdf(case, "pdf/x-4")


@pytest.mark.skipif(not shutil.which("qpdf"), reason="qpdf is not installed (apt-get install qpdf)")
def test_qpdf_finds_no_structural_errors(rendered, tmp_path):
    for stem, files in rendered.items():
        path = tmp_path / f"{stem}.pdf"
        path.write_bytes(files["pdf"])
        result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_header_after_the_cover_and_footer_on_every_page(rendered):
    pages = pypdf.PdfReader(io.BytesIO(rendered["imr-medications-mixed"]["pdf"])).pages
    for number, page in enumerate(pages, 1):
        text = page.extract_text()
        assert f"Page {number} of {len(pages)}" in text
        assert ("IMR Case CM16-0034417" in text) == (number > 1)


def test_item_title_stays_with_its_guideline_lines(case):
    """However far the summary pushes the item down, its title, decision and guidelines share a page."""
    for padding in range(0, 40, 4):
        padded = dict(case, clinical_summary=case["clinical_summary"] + "\n\nFiller sentence." * padding)
        for page in pypdf.PdfReader(io.BytesIO(_pdf(padded))).pages:
            lines = [line for line in page.extract_text().splitlines() if line.strip()]
            body = [line for line in lines if not line.startswith(("Page ", "IMR Case"))]
            for index, line in enumerate(body):
                if line.rstrip().endswith(("Upheld", "Overturned")) and "#12" in line:
                    rest = " ".join(body[index + 1:])
                    assert "Claims Administrator guideline" in rest and "MAXIMUS guideline" in rest, \
                        f"item title parted from its guideline lines, with padding {padding}"


def test_accented_names_have_every_glyph(case, caplog):
    named = dict(case, parties={"employee": {"name": "Zoë Brontë-Łukasz Nguyễn Ångström Ñúñez"}})
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        content = _pdf(named)
    assert not [r for r in caplog.records if "glyph" in r.getMessage()]
    assert "Zoë Brontë-Łukasz Nguyễn Ångström Ñúñez" in pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text()


@pytest.mark.parametrize("url", [
    "http://example.com/logo.png", "https://example.com/style.css", "file:///etc/passwd",
    "ftp://example.com/x.png",
])
def test_fetcher_refuses_anything_outside_the_kit(url):
    fetcher = KitFetcher((ROOT / "templates" / "imr",))
    with pytest.raises(RefusedResource, match="refused"):
        fetcher.fetch(url)


def test_fetcher_refuses_a_path_that_climbs_out_of_the_kit():
    kit = ROOT / "templates" / "imr"
    with pytest.raises(RefusedResource, match="not a file inside the kit"):
        KitFetcher((kit,)).fetch((kit / ".." / ".." / "pyproject.toml").as_uri().replace("templates/imr/", "templates/imr/../../"))


def test_fetcher_serves_kit_files_and_data_uris():
    kit = ROOT / "templates" / "imr"
    fetcher = KitFetcher((kit,))
    assert fetcher.fetch((kit / "fonts" / "LiberationSerif-Regular.ttf").as_uri()).read()[:4] == b"\x00\x01\x00\x00"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


@pytest.mark.parametrize("url", ["http://example.com/x.css", "file:///etc/passwd"])
def test_a_stylesheet_reaching_outside_stops_the_render_naming_the_url(tmp_path, case, url):
    kit = tmp_path / "imr"
    shutil.copytree(ROOT / "templates" / "imr", kit)
    with (kit / "print.css").open("a") as css:
        css.write(f'\nbody {{ background: url("{url}"); }}\n')
    with pytest.raises(letterkit.RenderError, match=f"refused .*{url}"):
        letterkit.render(case, kit=kit, formats=("pdf",))
