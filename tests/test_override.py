"""A user's folder replaces one block, in all three formats, and nothing else."""

from __future__ import annotations

import io
import re

import docx
import pytest
from conftest import ROOT
from extract import EXTRACT, pdf_body_text, words

import letterkit

FORMATS = ("html", "pdf", "docx")


@pytest.fixture(scope="module")
def before_and_after(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    (folder / "blocks").mkdir()
    (folder / "blocks" / "clinical-case-summary.md.j2").write_text(
        "# SUMMARY OF THE CASE FILE\n\nOur own introduction to the summary:\n\n{{ clinical_summary }}\n"
    )
    case = letterkit.read_case("examples/imr-chiropractic-initial-trial.yaml")
    return letterkit.render(case), letterkit.render(case, templates=[folder])


@pytest.mark.parametrize("format", FORMATS)
def test_override_changes_that_block_and_nothing_else(before_and_after, format):
    # The PDF's page furniture moves as the text reflows, so compare its body only; and
    # pypdf reads a page's list markers after its text, so where a page turns moves them.
    extract = pdf_body_text if format == "pdf" else EXTRACT[format]
    before, after = ([word for word in words(extract(files[format]))
                      if format != "pdf" or not _LIST_MARKER.fullmatch(word)] for files in before_and_after)
    old_block = "CLINICAL CASE SUMMARY The expert reviewer developed the following clinical case " \
                "summary based on a review of the case file, including all medical records:".split()
    new_block = "SUMMARY OF THE CASE FILE Our own introduction to the summary:".split()
    start = _find(before, old_block)
    assert _find(after, new_block) == start
    assert after[:start] == before[:start]
    assert after[start + len(new_block):] == before[start + len(old_block):]


_LIST_MARKER = re.compile(r"•|\d+\.")


def _find(haystack: list[str], needle: list[str]) -> int:
    for index in range(len(haystack)):
        if haystack[index:index + len(needle)] == needle:
            return index
    raise AssertionError(f"{' '.join(needle)!r} not found")


def test_override_folder_comes_first_on_the_search_path(tmp_path):
    kit = letterkit.load_kit("imr", templates=(tmp_path,))
    assert kit.search_path[0] == tmp_path.resolve()
    assert [folder.name for folder in kit.search_path[1:]] == ["imr", "letter"]


def test_extra_css_in_a_template_folder_adds_rules_after_the_kits(tmp_path):
    """A folder's style.css replaces the kit's stylesheet; its extra.css adds to it."""
    (tmp_path / "extra.css").write_text("p.letter-date { color: #123456; }\n")
    (tmp_path / "print-extra.css").write_text("@page { margin-top: 1.7in; }\n")
    kit = letterkit.load_kit("imr", templates=(tmp_path,))
    builtin = letterkit.load_kit("imr").presentation
    assert kit.presentation.css == builtin.css + "p.letter-date { color: #123456; }\n"
    names = [path.name for path, _ in kit.presentation.print_css]
    # First the CSS the kit.toml's [page] makes (letterkit.page_setup).
    assert names == ["kit.toml", "letter.css", "style.css", "extra.css", "print.css", "print-extra.css"]
    case = letterkit.read_case(ROOT / "examples" / "imr-chiropractic-initial-trial.yaml")
    page = letterkit.render(case, templates=(tmp_path,), formats=("html",))["html"].decode()
    assert "#123456" in page and "p.letterhead {" in page  # the kit's rules are all still there


def test_a_users_block_calls_the_kits_macros_and_numbers_items_without_loop(tmp_path):
    """The kit's vocabulary (macros/letter.j2) is there in every block, with no import;
    what a macro prints of the case stays plain text, however it is written."""
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "disputed-item.md.j2").write_text(
        "## Item {{ number }}: {{ item.title }} {: .item-title }\n\n"
        "Based on {{ citation(item.guideline) }}\n{: .guideline }\n\n"
        "From {{ lines(bold(organisation.name), address(organisation.address)) }}\n")
    case = letterkit.read_case(ROOT / "examples" / "imr-medications-mixed.yaml")
    case["organisation"]["name"] = "**Not bold** <b>nor this</b>"
    page = letterkit.render(case, templates=(tmp_path,), formats=("html",))["html"].decode()
    titles = re.findall(r"<h2[^>]*>Item (\d+):", page)
    assert titles == [str(n) for n in range(1, len(case["items"]) + 1)]
    assert "<strong>**Not bold** &lt;b&gt;nor this&lt;/b&gt;</strong><br>" in page
    assert case["organisation"]["address"]["city"] in page
    assert "Page(s):" in page or "Section(s):" in page


def test_labelled_prints_a_bold_label_and_nothing_for_an_empty_value(tmp_path):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "clinical-case-summary.md.j2").write_text(
        "# CLINICAL CASE SUMMARY\n\n"
        "{{ labelled('Claim Number', case.claim_number) }}\n\n"
        "{{ labelled('Nothing Here', none) }}\n\n{{ clinical_summary }}\n")
    case = letterkit.read_case(ROOT / "examples" / "imr-medications-mixed.yaml")
    files = letterkit.render(case, templates=(tmp_path,), formats=("html", "docx"))
    page = files["html"].decode()
    assert f"<p><strong>Claim Number:</strong> {case['case']['claim_number']}</p>" in page
    assert "Nothing Here" not in page
    word = docx.Document(io.BytesIO(files["docx"]))
    paragraph = next(p for p in word.paragraphs if p.text.startswith("Claim Number:"))
    assert [run.bold for run in paragraph.runs if run.text.strip()][:1] == [True]
    assert paragraph.text == f"Claim Number: {case['case']['claim_number']}"


@pytest.mark.parametrize("rule", ['@import url(http://example.com/track.css);', '@import "https://example.com/x.css";',
                                  '@import url("file:///etc/passwd");', '@import "/etc/hosts";',
                                  '@import "../outside.css";', '@import "missing.css";',
                                  '@import "more.css" print;', '@import "style.css";',
                                  '@\\69mport url(http://example.com/track.css);'])
def test_a_stylesheet_may_import_only_a_file_of_its_kit(tmp_path, rule):
    (tmp_path / "outside.css").write_text("p { color: red; }\n")
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "more.css").write_text("p { color: red; }\n")
    (folder / "style.css").write_text((ROOT / "templates" / "imr" / "style.css").read_text() + f"\n{rule}\n")
    with pytest.raises(letterkit.KitError, match=r"style\.css:\d+: @import") as error:
        letterkit.load_kit("imr", templates=(folder,))
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("rule", ["p { background: url(http://example.com/track.png); }",
                                  '@font-face { font-family: Tracked; src: url("https://example.com/f.woff2"); }',
                                  "p { background: url(//example.com/a.png); }",
                                  'p { background: image-set("http://example.com/a.png" 1x); }',
                                  "p { background: u\\72l(http://example.com/a.png); }",
                                  "@media screen { p { cursor: url(ftp://example.com/c.cur), auto; } }"])
def test_a_stylesheet_may_name_no_place_on_the_network(tmp_path, rule):
    """The PDF refuses to fetch it; a reader's browser would fetch it from the HTML letter."""
    (tmp_path / "extra.css").write_text(f"p {{ color: black; }}\n{rule}\n")
    with pytest.raises(letterkit.KitError, match=r"extra\.css:2: url\(.*\) is refused"):
        letterkit.load_kit("imr", templates=(tmp_path,))


def test_a_stylesheet_may_name_its_kits_files_and_data_uris(tmp_path):
    (tmp_path / "extra.css").write_text("p.x { background: url(images/none.png); }\n"
                                        "p.y { background: url(data:image/png;base64,AAAA); }\n")
    letterkit.load_kit("imr", templates=(tmp_path,))


def test_a_stylesheet_importing_a_kit_file_gets_its_rules_in_every_format(tmp_path):
    (tmp_path / "extra.css").write_text('@import "look/colours.css";\np.letter-date { font-weight: bold; }\n')
    (tmp_path / "look").mkdir()
    (tmp_path / "look" / "colours.css").write_text("p.letter-date { color: #123456; }\n")
    case = letterkit.read_case(ROOT / "examples" / "imr-chiropractic-initial-trial.yaml")
    files = letterkit.render(case, templates=(tmp_path,), formats=("html", "pdf"))
    page = files["html"].decode()
    assert "@import" not in page and "p.letter-date { color: #123456; }" in page
    assert "@import" not in "".join(text for _, text in letterkit.load_kit("imr", templates=(tmp_path,))
                                    .presentation.print_css)
