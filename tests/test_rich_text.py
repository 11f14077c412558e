"""Rich text is a closed subset of Markdown: what is outside it is shown exactly as typed."""

from __future__ import annotations

import io

import docx
import lxml.html
import pytest
from extract import EXTRACT, docx_text, pdf_body_text, pdf_text, words
from hypothesis import HealthCheck, given, settings, strategies as st

import letterkit

# Lines that full Markdown (with the extensions the kit's blocks use) would interpret,
# hide or move: none of them may do so in case data.
OUTSIDE_THE_SUBSET = [
    "[1]: Smith2010",                      # a reference definition: vanished
    '[ref]: http://example.com "Title"',
    "{: .running-header }",                # attr_list: moved the paragraph to the header
    "Text {: .item-title }",
    "# Heading",
    "### Third level",
    "Setext\n======",
    "---",
    "***",
    "`code span`",
    "    indented code",
    "```\nfenced\n```",
    "<div>raw html</div>",
    "&copy; &#169;",
    "[link](http://example.com)",
    "![image](images/letterhead.png)",
    "<http://example.com>",
    "Title: metadata?",
]
word = st.text(st.characters(min_codepoint=ord("a"), max_codepoint=ord("z")), min_size=1, max_size=6)
line = st.builds(lambda construct, before, after: f"{construct} {before} {after}" if "\n" not in construct
                 else construct, st.sampled_from(OUTSIDE_THE_SUBSET), word, word)


def _as_typed(text: str) -> list[str]:
    return words(text)


def _texts(files: dict[str, bytes]) -> dict[str, list[str]]:
    return {
        "html": words(EXTRACT["html"](files["html"])),
        "docx": words(EXTRACT["docx"](files["docx"])),
        "pdf": words(pdf_body_text(files["pdf"])),
    }


def _contains(haystack: list[str], needle: list[str]) -> bool:
    return any(haystack[i:i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1))


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(line, min_size=1, max_size=4))
def test_markdown_outside_the_subset_appears_verbatim_in_every_format(case_data, lines):
    rationale = "\n\n".join(lines)
    case_data["items"][0]["rationale"] = f"Before.\n\n{rationale}\n\nAfter."
    files = letterkit.render(case_data)
    for format, text in _texts(files).items():
        for typed in lines:
            assert _contains(text, _as_typed(typed)), (format, typed)
    page = lxml.html.document_fromstring(files["html"])
    assert not page.cssselect("main h1 ~ h3, main code, main hr, main a, main pre")
    assert len(page.cssselect(".running-header")) == 1, "case data never becomes the running header"


def test_attribute_lists_in_case_data_never_give_it_the_kits_styles(case_data):
    case_data["items"][0]["rationale"] = "Plain words.\n{: .item-title }\n\nMore.\n{: .running-header }"
    files = letterkit.render(case_data, formats=("html", "docx"))
    document = docx.Document(io.BytesIO(files["docx"]))
    styled = [p.text for p in document.paragraphs if p.style.name == "Item Title"]
    assert styled == ["Massage therapy, 6 sessions: Upheld"]
    page = lxml.html.document_fromstring(files["html"])
    assert ([e.text_content() for e in page.cssselect(".running-header")]
            == ["IMR Case CM15-0000001 · September 1, 2015"])


def test_the_subset_is_interpreted(case_data):
    case_data["items"][0]["rationale"] = (
        "Some *emphasis* and **strong**.\n\n- one\n- two\n\n1. first\n2. second\n\n> quoted\n\n"
        "| A | B |\n|---|---|\n| 1 | 2 |\n\nA literal \\*star\\* and \\[quote: x\\]."
    )
    page = lxml.html.document_fromstring(letterkit.render(case_data, formats=("html",))["html"])
    for selector in ("main em", "main strong", "main ul li", "main ol li", "main blockquote", "main td"):
        assert page.cssselect(selector), selector
    assert "A literal *star* and [quote: x]." in page.text_content()


def test_rich_text_keeps_a_line_of_the_kit_with_its_first_paragraph(case_data):
    case_data["items"][0]["rationale"] = "First paragraph.\n\nSecond paragraph."
    page = lxml.html.document_fromstring(letterkit.render(case_data, formats=("html",))["html"])
    texts = [p.text_content() for p in page.cssselect("main p")]
    assert "Decision rationale: First paragraph." in texts and "Second paragraph." in texts


def _block_folder(tmp_path, name: str, text: str):
    (tmp_path / name / "blocks").mkdir(parents=True)
    (tmp_path / name / "blocks" / "clinical-case-summary.md.j2").write_text(text)
    return tmp_path / name


def test_a_value_printed_into_an_attribute_is_filled_or_refused_never_a_placeholder(case_data, tmp_path):
    alt = _block_folder(tmp_path, "alt", '<img src="images/letterhead.png" alt="Logo of {{ organisation.name }}">\n')
    html = letterkit.render(case_data, formats=("html",), templates=[alt])["html"].decode()
    assert 'alt="Logo of MAXIMUS Federal Services"' in html
    cls = _block_folder(tmp_path, "class", '<span class="{{ organisation.short_name }}">x</span>\n')
    with pytest.raises(letterkit.TemplateError, match="class"):
        letterkit.render(case_data, formats=("html",), templates=[cls])
    other = _block_folder(tmp_path, "other", '<span class="code" title="{{ organisation.name }}">x</span>\n\n'
                                             '{{ organisation.name }}\n{: title="{{ organisation.name }}" }\n')
    for format, content in letterkit.render(case_data, templates=[other]).items():
        text = EXTRACT[format](content)
        assert "\ufdd0" not in text and "\ufdd1" not in text, format


@pytest.mark.parametrize("character", ["\u202e", "\u2066", "\u2069", "\u202a", "\ufdd0"])
def test_text_that_would_reorder_or_forge_the_letter_is_refused_naming_the_field(case_data, character):
    case_data["parties"] = {"employee": {"name": f"Ann{character}Lee"}}
    with pytest.raises(letterkit.CaseError) as error:
        letterkit.validate(case_data, letterkit.load_kit("imr"))
    (path, message), = error.value.problems
    assert path == "parties.employee.name" and f"U+{ord(character):04X}" in message


def test_right_to_left_names_are_welcome(case_data):
    case_data["parties"] = {"employee": {"name": "\u05d3\u05e0\u05d4 \u05dc\u05d5\u05d9\u200f"}}
    html = letterkit.render(case_data, formats=("html",))["html"].decode()
    assert "Dear \u05d3\u05e0\u05d4 \u05dc\u05d5\u05d9\u200f:" in html


@pytest.mark.parametrize("text", [
    "> " * 20 + "deepest quote",
    "1. " * 20 + "deepest item",
    "\n".join(" " * (4 * level) + "- item" for level in range(19)) + "\n" + " " * 76 + "- deepest item",
])
def test_the_deepest_nesting_a_case_may_hold_renders_in_every_format(case_data, text):
    data = dict(case_data, clinical_summary=text)
    files = letterkit.render(data, letterkit.load_kit("imr"), ("html", "pdf", "docx"))
    word = text.rsplit(" ", 1)[-1]
    assert word in files["html"].decode()
    assert word in pdf_text(files["pdf"]) and word in docx_text(files["docx"])


def test_the_longest_rich_text_a_case_may_hold_is_all_in_html_and_docx(case_data):
    # One paragraph at the limit, in 3-byte characters: libxml2 would drop a text node
    # over 10,000,000 bytes without a word; this one is 3,000,000 and must be whole.
    text = "\u20ac" * letterkit.model.text.MAX_RICH_TEXT
    files = letterkit.render(dict(case_data, clinical_summary=text), formats=("html", "docx"))
    assert text in files["html"].decode()
    assert text in docx_text(files["docx"])
