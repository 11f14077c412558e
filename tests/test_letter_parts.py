"""The whole letter: cover page, derived determination summary, documents, appeal rights."""

from __future__ import annotations

import io

import docx
import lxml.html
import pypdf
import pytest
from extract import EXTRACT, words

import letterkit

KIT = letterkit.load_kit("imr")


def _html(case: dict):
    return lxml.html.document_fromstring(letterkit.render(case, formats=("html",))["html"])


def _with_decisions(case: dict, *decisions: str) -> dict:
    item = case["items"][0]
    case["items"] = [dict(item, description=f"Item {n}", decision=d) for n, d in enumerate(decisions)]
    return case


@pytest.mark.parametrize("decisions, overall", [
    (("Upheld", "Upheld"), "decision is upheld."),
    (("Overturned", "Overturned"), "decision is overturned."),
    (("Upheld", "Overturned"), "upheld in part and overturned in part."),
])
def test_overall_determination_is_derived_from_the_items(case_data, decisions, overall):
    page = _html(_with_decisions(case_data, *decisions))
    assert overall in page.cssselect("p.overall-determination")[0].text_content()
    rows = [[cell.text_content() for cell in row] for row in page.cssselect("table tbody tr")][-len(decisions):]
    assert rows == [[f"Item {n}", d] for n, d in enumerate(decisions)]


def test_overturned_item_changes_overall_decision(case_data):
    before = _html(_with_decisions(case_data, "Upheld", "Upheld"))
    after = _html(_with_decisions(case_data, "Upheld", "Overturned"))
    assert before.cssselect("p.overall-determination")[0].text_content() != \
        after.cssselect("p.overall-determination")[0].text_content()
    assert letterkit.validate(case_data, KIT).overall == "mixed"


def test_cover_page_is_alone_on_page_one_of_the_pdf(rendered):
    pages = pypdf.PdfReader(io.BytesIO(rendered["imr-medications-mixed"]["pdf"])).pages
    first, second = pages[0].extract_text(), pages[1].extract_text()
    assert "Dear Teresa Villaseñor:" in first and "FINAL DETERMINATION" in first
    assert "HOW THE IMR FINAL DETERMINATION WAS MADE" not in first
    body = [line for line in second.splitlines() if line.strip() and not line.startswith("IMR Case")]
    assert body[0] == "HOW THE IMR FINAL DETERMINATION WAS MADE"


def test_cover_page_ends_with_a_page_break_in_the_docx(rendered):
    document = docx.Document(io.BytesIO(rendered["imr-medications-mixed"]["docx"]))
    texts = [p.text for p in document.paragraphs]
    heading = texts.index("HOW THE IMR FINAL DETERMINATION WAS MADE")
    assert document.paragraphs[heading].paragraph_format.page_break_before
    assert "Dear Teresa Villaseñor:" in texts[:heading]


@pytest.mark.parametrize("format", ["html", "pdf", "docx"])
def test_every_part_reaches_every_format(rendered, format):
    text = " ".join(words(EXTRACT[format](rendered["imr-medications-mixed"][format])))
    for part in ("IMR Case Number: CM16-0034417", "Claim Number: WC-7781-2290-03",
                 "DOCUMENTS REVIEWED", "Lumbar spine MRI report, Fresno Imaging Center, 11/18/2014",
                 "APPEAL RIGHTS", "California Labor Code section 4610.6(h)", "within 30 days",
                 "Sincerely,", "Alan Whitcomb, MD", "cc: Gregory Tanaka, Esq.",
                 "Priya Raman, MD, Central California Pain Institute",
                 "Division of Workers' Compensation, Medical Unit"):
        assert part in text, part


def test_no_documents_reviewed_heading_without_documents(case_data):
    assert "DOCUMENTS REVIEWED" not in _html(case_data).text_content()


def test_leaving_out_documents_reviewed_leaves_no_empty_heading(tmp_path, case_data):
    case_data["documents_reviewed"] = [{"document": "Progress report", "date": "2015-06-09"}]
    letter = (KIT.root / "letter.md.j2").read_text()
    (tmp_path / "letter.md.j2").write_text(letter.replace('{% include "blocks/documents-reviewed.md.j2" %}', ""))
    page = lxml.html.document_fromstring(
        letterkit.render(case_data, formats=("html",), templates=[tmp_path])["html"])
    assert "DOCUMENTS REVIEWED" not in page.text_content()
    assert [h.text_content() for h in page.cssselect("h1")][-1] == "APPEAL RIGHTS"


def test_letter_without_a_required_part_is_refused(tmp_path, case_data):
    letter = (KIT.root / "letter.md.j2").read_text()
    (tmp_path / "letter.md.j2").write_text(letter.replace('{% include "blocks/appeal-rights.md.j2" %}', ""))
    with pytest.raises(letterkit.KitError, match="leaves out blocks/appeal-rights.md.j2"):
        letterkit.render(case_data, templates=[tmp_path])


@pytest.mark.parametrize("change, path", [
    (lambda c: c.update(items=[]), "items"),
    (lambda c: c["items"][0].pop("rationale"), "items[0].rationale"),
    (lambda c: c["items"][0].update(rationale="  "), "items[0].rationale"),
    (lambda c: c["items"][0].pop("guideline"), "items[0].guideline"),
    (lambda c: c["reviewer"].update(licensure=[]), "reviewer.licensure"),
])
def test_completeness_names_what_is_missing(case_data, change, path):
    change(case_data)
    with pytest.raises(letterkit.CaseError) as error:
        letterkit.validate(case_data, KIT)
    assert path in [p for p, _ in error.value.problems]
