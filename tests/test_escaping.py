"""Text typed into a plain field comes out exactly as typed, in all three formats."""

from __future__ import annotations

import io

import docx
import lxml.html
import pytest
from extract import EXTRACT, words
from hypothesis import HealthCheck, given, settings, strategies as st

import letterkit

# Printable Latin text (not the soft hyphen, Cf, which is invisible by design), weighted
# towards what Markdown, HTML and Jinja would interpret.
SYNTAX = ["**", "*", "_", "#", "1. ", "- ", "> ", "<script>", "</p>", "<b>", "{{ 7*7 }}",
          "{% if x %}", "&amp;", "&", "`", "[x](http://example.com)", "![i](file:///etc/passwd)",
          "{: .x }", "|", "---", "\\", "é", "ß", "Æ"]
plain_text = st.lists(
    st.one_of(st.sampled_from(SYNTAX), st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF,
                                                              exclude_categories=("Cc", "Cf")), max_size=8)),
    min_size=1, max_size=8,
).map("".join).filter(lambda text: text.strip())


def _item_title_html(content: bytes):
    return lxml.html.document_fromstring(content).cssselect("h2.item-title")[0]


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=plain_text)
def test_plain_field_is_shown_verbatim_never_as_markup(case_data, text):
    case_data["items"][0]["description"] = text
    files = letterkit.render(case_data)
    expected = words(f"{text}: Upheld")

    title = _item_title_html(files["html"])
    assert len(title) == 0, "the field became HTML elements"
    assert words(title.text_content()) == expected

    paragraph = next(p for p in docx.Document(io.BytesIO(files["docx"])).paragraphs
                     if p.style.name == "Item Title")
    assert words(paragraph.text) == expected
    assert all(not run.bold and not run.italic for run in paragraph.runs)

    # a token wider than the line is broken across lines in the PDF (overflow-wrap), so the
    # PDF is read without its spaces: "[x](http://exa" + "mple.com)" is still the text typed
    assert "".join(expected) in "".join(words(EXTRACT["pdf"](files["pdf"])))


def test_rich_text_allows_markdown_but_shows_raw_html_as_typed(case_data):
    case_data["items"][0]["rationale"] = "Some *emphasis* and <script>alert(1)</script> &amp; [a](http://x)."
    files = letterkit.render(case_data, formats=("html",))
    page = lxml.html.document_fromstring(files["html"])
    assert not page.cssselect("script") and not page.cssselect("a")
    assert page.cssselect("p em")[0].text == "emphasis"
    assert "<script>alert(1)</script> &amp; [a](http://x)." in page.text_content()


def test_text_that_looks_like_a_placeholder_is_still_verbatim(case_data):
    # Composition marks plain values with private-use characters; data may hold them too.
    case_data["items"][0]["description"] = "\ue0000\ue001 and \ue000"
    case_data["items"][0]["rationale"] = "Rich \ue0001\ue001."
    # No font of the IMR kit draws them, so `validate` refuses this case (test_fonts); a kit
    # whose font has private-use glyphs accepts it, and composition must keep them verbatim.
    letter = letterkit.load_kit("imr").model.model_validate(case_data)
    files = letterkit.render(letter, formats=("html", "docx"))
    assert _item_title_html(files["html"]).text_content() == "\ue0000\ue001 and \ue000: Upheld"
    assert "Rich \ue0001\ue001." in EXTRACT["docx"](files["docx"])
