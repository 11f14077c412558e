"""Guideline passages stored once in the kit and quoted by key, the same in every format."""

from __future__ import annotations

import io

import docx
import lxml.html
import pytest
from extract import EXTRACT, pdf_body_text, words

import letterkit

KIT = letterkit.load_kit("imr")
KEYS = sorted(KIT.guidelines)


@pytest.fixture(scope="module")
def citing(tmp_path_factory) -> letterkit.Kit:
    """The IMR kit, except that it cites each quoted passage (the IMR letters do not)."""
    folder = tmp_path_factory.mktemp("citing")
    (folder / "kit.toml").write_text('extends = "imr"\ncite_quotes = true\n')
    return letterkit.load_kit(folder)


def test_the_seed_passages_are_in_the_library():
    assert KEYS == ["mtus-chronic-pain-2009/manual-therapy", "mtus-chronic-pain-2009/massage-therapy"]


def _cited(passage) -> str:
    """The kit's wording of a citation (its `citation` macro), as the README shows it."""
    return f"{passage.source} {passage.edition} {passage.section} Page(s): {passage.pages}."


@pytest.mark.parametrize("key", KEYS)
def test_each_key_round_trips_into_every_format_with_its_citation(case_data, key, citing):
    passage = KIT.guidelines[key]
    case_data["items"][0]["rationale"] = f"The guideline says:\n\n[quote: {key}]\n\nSo it is decided."
    files = letterkit.render(case_data, citing)
    expected = words(f"The guideline says: {passage.text} — {_cited(passage)} So it is decided.")
    for format in ("html", "pdf", "docx"):
        extract = pdf_body_text if format == "pdf" else EXTRACT[format]  # pages may turn mid-quote
        text = words(extract(files[format]))
        start = text.index("says:") - 2
        assert text[start:start + len(expected)] == expected, format
    page = lxml.html.document_fromstring(files["html"])
    assert words(page.cssselect("blockquote")[0].text_content()) == words(passage.text)
    assert page.cssselect("blockquote + p.citation")[0].text_content() == f"— {_cited(passage)}"
    document = docx.Document(io.BytesIO(files["docx"]))
    quoted = [p for p in document.paragraphs if p.style.name == "Quote"]
    assert words(quoted[0].text) == words(passage.text)


def test_the_imr_kit_quotes_without_a_citation_line_as_its_letters_do(case_data):
    case_data["items"][0]["rationale"] = f"The guideline says:\n\n[quote: {KEYS[0]}]\n\nSo it is decided."
    page = lxml.html.document_fromstring(letterkit.render(case_data, formats=("html",))["html"])
    assert page.cssselect("blockquote") and not page.cssselect("p.citation")


def test_a_quote_is_cited_as_the_decisions_guideline_is(case_data, citing):
    """One citation style: the kit's `citation` macro words both."""
    passage = KIT.guidelines[KEYS[0]]
    item = case_data["items"][0]
    item["rationale"] = f"The guideline says:\n\n[quote: {KEYS[0]}]"
    item["guideline"] = {"source": passage.source, "edition": passage.edition,
                         "sections": [passage.section], "pages": passage.pages}
    page = lxml.html.document_fromstring(letterkit.render(case_data, citing, formats=("html",))["html"])
    quoted = page.cssselect("blockquote + p.citation")[0].text_content().removeprefix("— ")
    decided = [p.text_content() for p in page.cssselect("p.guideline") if "Decision based on" in p.text_content()]
    assert any(line == f"MAXIMUS guideline: Decision based on {quoted}" for line in decided), (quoted, decided)


def test_a_block_can_quote_by_key(case_data, tmp_path):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "clinical-case-summary.md.j2").write_text(
        '# CLINICAL CASE SUMMARY\n\n{{ clinical_summary }}\n\n{{ quote("mtus-chronic-pain-2009/massage-therapy") }}\n')
    page = lxml.html.document_fromstring(letterkit.render(case_data, formats=("html",), templates=[tmp_path])["html"])
    assert "(Mitchinson, 2007)" in page.cssselect("blockquote")[0].text_content()


def test_unknown_key_in_case_data_names_the_field_and_the_nearest_keys(case_data):
    case_data["items"][0]["rationale"] = "[quote: mtus-chronic-pain-2009/massage]"
    with pytest.raises(letterkit.CaseError) as error:
        letterkit.validate(case_data, KIT)
    (path, message), = error.value.problems
    assert path == "items[0].rationale"
    assert "nearest: mtus-chronic-pain-2009/massage-therapy" in message


def test_unknown_key_in_a_block_names_the_block(case_data, tmp_path):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "clinical-case-summary.md.j2").write_text('{{ quote("acoem/knee") }}\n')
    with pytest.raises(letterkit.TemplateError,
                       match=r"clinical-case-summary.md.j2:1.*no guideline passage 'acoem/knee'"):
        letterkit.render(case_data, formats=("html",), templates=[tmp_path])


def test_quote_syntax_mid_sentence_is_plain_text(case_data):
    case_data["items"][0]["rationale"] = "See [quote: mtus-chronic-pain-2009/manual-therapy] here."
    page = lxml.html.document_fromstring(letterkit.render(case_data, formats=("html",))["html"])
    assert not page.cssselect("blockquote")
    assert "See [quote: mtus-chronic-pain-2009/manual-therapy] here." in page.text_content()
