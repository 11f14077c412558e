"""The DOCX, read back with python-docx, and compared with the PDF through LibreOffice."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import zipfile

import docx
import lxml.etree
import pypdf
import pytest
from conftest import EXAMPLES, ROOT
from docx.oxml.ns import nsdecls, qn
from docx.shared import Inches, Pt

import letterkit
from letterkit import tree
from letterkit.kits import builtin_kits
from letterkit.writers import docx_ooxml
from letterkit.writers.docx import DocxWriter, column_widths, write_docx
from letterkit.writers.docx_reference import reference_document

KIT = letterkit.load_kit("imr")


def _docx(content: bytes):
    return docx.Document(io.BytesIO(content))


def test_footer_is_page_x_of_y_made_of_real_fields(rendered):
    section = _docx(rendered["imr-medications-mixed"]["docx"]).sections[0]
    for footer in (section.footer, section.first_page_footer):
        xml = footer.paragraphs[0]._p.xml
        codes = [t.text.strip() for t in footer.paragraphs[0]._p.iter(qn("w:instrText"))]
        assert codes == ["PAGE", "NUMPAGES"]
        assert xml.count('w:fldCharType="begin"') == xml.count('w:fldCharType="end"') == 2
        assert footer.paragraphs[0].text.startswith("Page ")


def test_running_header_has_the_case_number_and_the_cover_has_none(rendered):
    section = _docx(rendered["imr-medications-mixed"]["docx"]).sections[0]
    assert section.header.paragraphs[0].text == "IMR Case CM16-0034417 · March 4, 2016"
    assert section.different_first_page_header_footer
    assert not any(p.text for p in section.first_page_header.paragraphs)


def test_item_titles_are_headings_in_the_navigation_pane(rendered):
    document = _docx(rendered["imr-medications-mixed"]["docx"])
    titles = [p for p in document.paragraphs if p.style.name == "Item Title"]
    assert [p.text for p in titles][0] == "Hydrocodone/APAP 10/325 mg #120: Overturned"
    assert titles[0].style.base_style.name == "Heading 2"  # hence outline level 2
    assert titles[0].style.paragraph_format.keep_with_next
    assert document.styles["Guideline"].paragraph_format.keep_with_next


def test_each_numbered_list_restarts(case_data):
    case_data["items"][0]["rationale"] = "One:\n\n1. a\n2. b\n\nTwo:\n\n1. c\n\nThree:\n\n4. d\n\nFour:\n\n0. e"
    document = _docx(letterkit.render(case_data, formats=("docx",))["docx"])
    numbering = document.part.numbering_part.element
    lists = {}
    for paragraph in document.paragraphs:
        if paragraph.text in ("a", "b", "c", "d", "e"):
            lists.setdefault(paragraph._p.pPr.numPr.numId.val, []).append(paragraph.text)
    assert list(lists.values()) == [["a", "b"], ["c"], ["d"], ["e"]]
    starts = [numbering.num_having_numId(num_id).xpath("./w:lvlOverride/w:startOverride/@w:val")
              for num_id in lists]
    assert starts == [["1"], ["1"], ["4"], ["0"]]  # a list from 0 too (0 is no "no start")


def test_table_header_rows_repeat_and_are_marked(rendered):
    for table in _docx(rendered["imr-medications-mixed"]["docx"]).tables:
        assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")
        assert not table.rows[-1]._tr.xpath("./w:trPr/w:tblHeader")


def test_a_table_takes_the_style_of_its_class_else_table_grid(tmp_path, rendered):
    tables = _docx(rendered["imr-medications-mixed"]["docx"]).tables
    assert [table.style.name for table in tables] == ["Addressees", "Table Grid"]
    reference = docx.Document(str(KIT.path("reference.docx")))
    style = reference.styles["Addressees"].element
    style.getparent().remove(style)
    path = tmp_path / "no-addressees.docx"
    reference.save(str(path))
    case = letterkit.read_case(ROOT / "examples" / "imr-medications-mixed.yaml")
    tables = _docx(letterkit.render(case, formats=("docx",),
                                    options=letterkit.WriterOptions(reference_docx=path))["docx"]).tables
    assert [table.style.name for table in tables] == ["Table Grid", "Table Grid"]


def test_core_properties_and_language(rendered):
    document = _docx(rendered["imr-medications-mixed"]["docx"])
    properties = document.core_properties
    assert properties.title == "Final Determination, IMR Case CM16-0034417"
    assert properties.author == "MAXIMUS Federal Services"
    assert properties.subject == "Independent Medical Review final determination"
    assert properties.language == "en-US"
    assert properties.created.date().isoformat() == "2016-03-04"
    assert document.styles["Normal"].element.xpath("./w:rPr/w:lang/@w:val") == ["en-US"]


def test_zip_entries_carry_a_fixed_date_not_the_clock(rendered):
    archive = zipfile.ZipFile(io.BytesIO(rendered["imr-medications-mixed"]["docx"]))
    assert {entry.date_time for entry in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert archive.testzip() is None
    names = archive.namelist()
    assert len(names) == len(set(names)), "an entry is written twice"


def test_styles_come_from_the_reference_document_only(rendered):
    document = _docx(rendered["imr-chiropractic-and-massage"]["docx"])
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            assert run.font.name is None and run.font.size is None


def test_a_users_reference_docx_restyles_the_letter(tmp_path, case_data):
    reference = docx.Document(str(KIT.path("reference.docx")))
    reference.styles["Heading 1"].font.size = Pt(20)
    del_style = reference.styles["Guideline"].element
    del_style.getparent().remove(del_style)
    path = tmp_path / "house-style.docx"
    reference.save(str(path))
    document = _docx(letterkit.render(case_data, formats=("docx",),
                                      options=letterkit.WriterOptions(reference_docx=path))["docx"])
    assert document.styles["Heading 1"].font.size == Pt(20)
    guideline = next(p for p in document.paragraphs if p.text.startswith("Claims Administrator guideline"))
    assert guideline.style.name == "Normal"  # the class has no style there: the base style


def test_text_xml_cannot_hold_is_a_clear_error_not_a_crash():
    document = tree.Document(tree.Meta(title="t"), (tree.Paragraph((tree.Text("bad\x0b text"),)),))
    with pytest.raises(letterkit.RenderError, match="text a DOCX cannot hold"):
        write_docx(document, KIT.presentation.reference_docx)


@pytest.mark.parametrize("value", ["plain", " edge spaces ", "a & b < c > d ]]>", "quotes \" and '",
                                   "tab\tand\rreturn", "José 山田 محمد", "\u00a0", "", "&amp; as typed"])
def test_the_body_written_as_xml_text_reads_back_exactly(value):
    """The writer makes the body's XML as text (docx_ooxml): a parser must read back each
    value as it was, in character data and in an attribute."""
    run = docx_ooxml.text_run(value, bold=True, italic=False)
    namespaces = reference_document(KIT.presentation.reference_docx).picture_namespaces
    picture = docx_ooxml.picture_run(7, "rId7", "image.png", 10, 20, value, namespaces)
    cell = docx_ooxml.paragraph("Style&1", [run, picture], keep_next=True, num_id=3)
    xml = docx_ooxml.table(None, [914400], 1, [[cell], []])
    body = lxml.etree.fromstring(f'<w:body {nsdecls("w", "wp", "r")}>{xml}</w:body>')
    assert (body.find(".//" + qn("w:t")).text or "") == value
    assert body.find(".//" + qn("wp:docPr")).get("descr") == value
    assert body.find(".//" + qn("w:pStyle")).get(qn("w:val")) == "Style&1"
    assert len(body.findall(".//" + qn("w:tc"))) == 2  # the short row gets its cell


def _reference_edited(tmp_path, part: str, edit) -> letterkit.WriterOptions:
    """The kit's reference DOCX with one part's XML edited, as a user's reference might be."""
    path = tmp_path / "reference.docx"
    with zipfile.ZipFile(io.BytesIO(KIT.presentation.reference_docx)) as source, \
            zipfile.ZipFile(path, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            copy.writestr(item, edit(data.decode()).encode() if item.filename == part else data)
    return letterkit.WriterOptions(reference_docx=path)


REFERENCES_UNLIKE_THE_KITS = {
    "no running header": ("word/document.xml", lambda xml: re.sub(r"<w:headerReference [^>]*/>", "", xml)),
    "no xmlns:wp on the root": ("word/document.xml", lambda xml: re.sub(r'\s+xmlns:wp="[^"]*"', "", xml)),
    "no page setup": ("word/document.xml", lambda xml: re.sub(r"<w:sectPr.*?</w:sectPr>", "", xml, flags=re.S)),
    "no page size or margins in the last section": ("word/document.xml", lambda xml: re.sub(
        r"<w:pg(Sz|Mar) [^>]*/>", "", xml)),
    "a style with numbering off (numId 0)": ("word/styles.xml", lambda xml: re.sub(
        r'(<w:style [^>]*w:styleId="Quote"[^>]*>.*?<w:pPr>)',
        r'\1<w:numPr><w:ilvl w:val="0"/><w:numId w:val="0"/></w:numPr>', xml, count=1, flags=re.S)),
}


@pytest.mark.parametrize("unlike", REFERENCES_UNLIKE_THE_KITS)
def test_a_reference_unlike_the_kits_still_gives_a_whole_letter(tmp_path, unlike):
    """The body goes into the reference's own document.xml as text: whatever that file
    declares or lacks, the letter (with its tables, lists and pictures) is well-formed,
    has its running header, and opens in python-docx."""
    options = _reference_edited(tmp_path, *REFERENCES_UNLIKE_THE_KITS[unlike])
    case = letterkit.read_case(ROOT / "examples" / "imr-medications-mixed.yaml")
    content = letterkit.render(case, formats=("docx",), options=options)["docx"]
    lxml.etree.fromstring(zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml"))
    document = docx.Document(io.BytesIO(content))
    assert document.inline_shapes, "the letter's pictures"
    if unlike == "no page setup":  # Word's default page, and nowhere for a running header
        assert len(document.sections) == 0
    else:
        assert document.sections[0].header.paragraphs[0].text.startswith("IMR Case CM16-0034417")


# Every other built-in kit's examples, in examples/<kit>/ (the IMR kit's are examples/*.yaml).
KIT_EXAMPLES = {path: kit for kit in builtin_kits() if kit != "imr"
                for path in sorted((ROOT / "examples" / kit).glob("*.yaml"))}


@pytest.fixture(scope="module")
def letters(rendered) -> dict[str, dict[str, bytes]]:
    """Every example's PDF and DOCX, of every built-in kit."""
    others = {path.stem: letterkit.render(letterkit.read_case(path), kit=kit, formats=("pdf", "docx"))
              for path, kit in KIT_EXAMPLES.items()}
    return {**rendered, **others}


@pytest.fixture(scope="module")
def libreoffice_pdfs(letters, tmp_path_factory):
    """Every example's DOCX laid out by LibreOffice, all in one soffice run."""
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    folder = tmp_path_factory.mktemp("libreoffice")
    for stem, files in letters.items():
        (folder / f"{stem}.docx").write_bytes(files["docx"])
    subprocess.run([soffice, f"-env:UserInstallation=file:///tmp/lo-profile-{os.getpid()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(folder),
                    *sorted(str(p) for p in folder.glob("*.docx"))],
                   check=True, capture_output=True, timeout=300)
    return {stem: (folder / f"{stem}.pdf").read_bytes() for stem in letters}


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_docx_in_libreoffice_looks_like_letterkits_pdf(rendered, libreoffice_pdfs, example):
    theirs = pypdf.PdfReader(io.BytesIO(libreoffice_pdfs[example.stem])).pages
    text = [page.extract_text() for page in theirs]
    for heading in ("FINAL DETERMINATION", "HOW THE IMR FINAL DETERMINATION WAS MADE",
                    "CLINICAL CASE SUMMARY", "IMR ISSUES, DECISIONS AND RATIONALES", "APPEAL RIGHTS"):
        assert any(heading in page for page in text), heading
    assert "HOW THE IMR FINAL DETERMINATION WAS MADE" in text[1], "the cover page spills onto page 2"
    for number, page in enumerate(text, 1):
        assert f"Page {number} of {len(theirs)}" in page
        assert ("IMR Case CM" in page) == (number > 1)  # the running header, not on the cover


def _pages(pdf: bytes) -> list[str]:
    """Each page's words without its running header, its "Page X of Y" footer, list markers."""
    pages = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        lines = [line for line in page.extract_text().splitlines()
                 if not re.fullmatch(r"\s*(Page \d+ of \d+|(IMR Case|Claim) .* · .*)\s*", line)]
        # List markers: pypdf reads WeasyPrint's apart from their items, so neither counts.
        pages.append(" ".join(word for word in " ".join(lines).split()
                              if not re.fullmatch(r"\d+\.|•", word)))
    return pages


# How far apart the two engines may break a page, in words: about three lines. Their
# line metrics differ by a few points a page (README, "Same pages as the PDF"), so a
# paragraph at a page's foot may split in one and move whole in the other; a heading,
# an item or a half page moving is far more.
BREAK_TOLERANCE = 45


@pytest.mark.slow
@pytest.mark.parametrize("stem", [p.stem for p in (*EXAMPLES, *KIT_EXAMPLES)])
def test_docx_and_pdf_break_into_the_same_pages(letters, libreoffice_pdfs, stem):
    """The same page count, each page starting within a few lines of the same word, and
    a last page that holds more than the closing and signature (which keep with what
    precedes them)."""
    ours, theirs = _pages(letters[stem]["pdf"]), _pages(libreoffice_pdfs[stem])
    assert len(ours) == len(theirs)
    starts = [(sum(len(p.split()) for p in ours[:n]), sum(len(p.split()) for p in theirs[:n]))
              for n in range(1, len(ours))]
    assert all(abs(a - b) <= BREAK_TOLERANCE for a, b in starts), (starts, [p[:40] for p in ours],
                                                                     [p[:40] for p in theirs])
    for last in (ours[-1], theirs[-1]):
        before_closing = last.split("Sincerely,")[0]
        assert len(before_closing.split()) >= 5, f"the last page holds only the signature block: {last[:80]}"


def test_reusing_the_parsed_reference_leaks_nothing_between_letters(case_data):
    """The reference is parsed once and reset per letter: a letter's bytes never depend on the one before."""
    first = letterkit.render(case_data, formats=("docx",))["docx"]
    other = json.loads(json.dumps(case_data))
    other["items"][0]["rationale"] = "1. a\n2. b\n\nthen\n\n1. c"
    other["case"]["imr_number"] = "CM99-9999999"
    letterkit.render(other, formats=("docx",))
    assert letterkit.render(case_data, formats=("docx",))["docx"] == first


def test_an_edited_reference_docx_is_read_again(tmp_path, case_data):
    """The parsed reference is kept per thread, but not past a change to its file."""
    path = tmp_path / "house-style.docx"
    shutil.copy(KIT.path("reference.docx"), path)
    options = letterkit.WriterOptions(reference_docx=path)
    letterkit.render(case_data, formats=("docx",), options=options)
    reference = docx.Document(str(path))
    reference.styles["Heading 1"].font.size = Pt(20)
    reference.save(str(path))
    document = _docx(letterkit.render(case_data, formats=("docx",), options=options)["docx"])
    assert document.styles["Heading 1"].font.size == Pt(20)


def test_a_quotation_stays_with_the_line_that_introduces_it(rendered):
    paragraphs = _docx(rendered["imr-chiropractic-and-massage"]["docx"]).paragraphs
    introductions = [before for before, quote in zip(paragraphs, paragraphs[1:])
                     if quote.style.name == "Quote" and before.style.name != "Quote"]
    assert [p.text for p in introductions][:2] == [
        "Decision rationale: The California chronic pain medical guidelines section on manual manipulation states:",
        "Decision rationale:"]
    assert all(p.paragraph_format.keep_with_next for p in introductions)


def test_table_columns_are_as_wide_as_their_text_wants():
    """Not python-docx's equal columns: a long item's name gets the room, a one-word
    column its word, and columns of alike text share alike."""
    width = Inches(6.5)
    item = "Chiropractic therapy, Hip, Lower Back area, Lumbar/Sacral Vertebrae, 1 time wkly for 6 wks"
    name, decision = column_widths([["Disputed item/service", "Decision"], [item, "Overturned"]], width)
    assert decision < Inches(1) < Inches(5) < name
    assert decision >= len("Overturned") * Pt(5.5)
    assert column_widths([["a", "b"], ["c", "d"]], width) == [width // 2] * 2
    assert sum(column_widths([["x" * 60] * 4], width)) <= width


def test_a_row_longer_than_the_header_still_fits_the_page():
    widths = column_widths([["Item", "Decision"], ["A long item name", "Upheld", "a note"]], Inches(6.5))
    assert len(widths) == 3 and sum(widths) <= Inches(6.5)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_no_line_in_word_starts_or_ends_with_a_space(rendered, example):
    """Template whitespace ('cc: A<br> B') is not text: a browser drops it at a line's
    edges, and Word would show it."""
    body = _docx(rendered[example.stem]["docx"]).element.body
    for paragraph in body.iter(qn("w:p")):
        lines = [""]
        for element in paragraph.iter(qn("w:t"), qn("w:br")):
            if element.tag == qn("w:br"):
                lines.append("")
            else:
                lines[-1] += element.text or ""
        for line in lines:
            assert line == line.strip(), repr(line)


def test_a_tab_or_line_break_in_a_header_value_is_one_line_in_every_format(case_data):
    case_data["case"]["imr_number"] = "CM15-\t00\n01"
    files = letterkit.render(case_data, formats=("html", "docx"))
    header = _docx(files["docx"]).sections[0].header
    assert header.paragraphs[0].text == "IMR Case CM15- 00 01 · September 1, 2015"
    assert "<w:tab/>" not in header._element.xml and "<w:br/>" not in header._element.xml
    assert "<title>Final Determination, IMR Case CM15- 00 01</title>" in files["html"].decode()


def test_what_a_node_changes_for_its_children_is_undone_even_when_writing_them_fails():
    writer = DocxWriter(reference_document(letterkit.load_kit("imr").presentation.reference_docx))
    outside = writer.scope
    with pytest.raises(RuntimeError), writer._local(bold=True, list_depth=2, div_cls="denied"):
        assert writer.scope.run_format[0] is True
        raise RuntimeError("a node that cannot be written")
    assert writer.scope is outside
