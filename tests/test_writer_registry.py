"""One writer contract: the formats are the registry's, and a new one is one entry in it."""

from __future__ import annotations

import io

import pypdf
import pytest
from conftest import small_case

import letterkit
from letterkit import writers
from letterkit.writers import DEFAULT_FORMATS, FORMATS, WRITERS, Format, WriterInput, file_name


def test_the_library_the_cli_and_the_registry_name_the_same_formats():
    from letterkit.cli.options import FORMATS_HELP as _FORMATS_HELP

    assert FORMATS == tuple(entry.name for entry in WRITERS) == letterkit.FORMATS
    assert FORMATS[:3] == DEFAULT_FORMATS == ("html", "pdf", "docx")  # the letter; alternate formats on request
    assert all(name in _FORMATS_HELP for name in FORMATS)
    assert set(letterkit.render(small_case())) == set(DEFAULT_FORMATS)


def test_a_file_is_named_by_its_key_after_the_case_stem_a_page_by_its_number():
    assert file_name("case-1", "pdf") == "case-1.pdf"
    assert file_name("case-1", "docx.p7s") == "case-1.docx.p7s"
    assert file_name("case-1", "2.png") == "case-1-2.png"


def test_every_format_needs_only_formats_listed_before_it():
    for index, entry in enumerate(WRITERS):
        assert set(entry.needs) <= {earlier.name for earlier in WRITERS[:index]}, entry.name


def _one_file_per_page(letter: WriterInput) -> dict[str, bytes]:
    pdf = pypdf.PdfReader(io.BytesIO(letter.written["pdf"]["pdf"]))
    return {f"{number}.txt": page.extract_text().encode("utf-8") for number, page in enumerate(pdf.pages, 1)}


def test_a_new_format_is_one_entry_and_may_build_on_another_format_and_write_several_files(monkeypatch, case_data):
    pages = Format("pages", "txt", _one_file_per_page, "each page's text", needs=("pdf",))
    monkeypatch.setitem(writers._BY_NAME, "pages", pages)
    kit = letterkit.load_kit("imr")
    document = letterkit.compose(letterkit.validate(case_data, kit), kit)
    written = writers.write_files(document, ("pages",), kit.presentation)
    assert list(written) == ["pages"]  # the PDF it needed is not a file the caller asked for
    assert len(written["pages"]) > 1 and "1.txt" in written["pages"]
    assert "Independent Medical Review" in written["pages"]["1.txt"].decode()
    with pytest.raises(ValueError, match="writes .* files: use write_formats"):
        writers.write_format(document, "pages", kit.presentation)


def test_an_unknown_format_names_the_choices():
    with pytest.raises(ValueError, match=r"unknown format 'odt'; choose from html, pdf, docx"):
        writers.writer("odt")
