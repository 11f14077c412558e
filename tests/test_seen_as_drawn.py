"""`--strict` judges whether a reader sees the words a rule requires on what was drawn —
the laid-out PDF, the Word runs through their style chain — never on a reading of the
CSS: every way below hides the Labor Code 4610.6(h) citation or the appeal deadline in
one line of a template folder's `extra.css` (issue 35), and each fails naming its rule."""

from __future__ import annotations

import copy

import docx
import pytest
import weasyprint
from author_kit import LETTER_CASE
from conftest import ROOT
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt, RGBColor
from test_languages import _copies_named, _ur_case_of_the_kit
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app
from letterkit.drawn import sightings
from letterkit.rules import RuleError
from letterkit.writers import WriterOptions

pytestmark = pytest.mark.slow  # a PDF and a DOCX laid out per case: about a second each

IMR_EXAMPLE = ROOT / "examples" / "imr-chiropractic-initial-trial.yaml"
UR_EXAMPLE = ROOT / "examples" / "ur" / "ur-chiropractic-modified.yaml"
CITATION, DEADLINE = "appeal-rights-citation", "wcab-appeal-deadline"
CITING = ".lead-in"  # the paragraph that cites Labor Code section 4610.6(h)
DUE = "ol + p:not(.x)"  # the paragraph printing the last day to appeal (:not: a class the old scan took)

HIDING = {
    # selectors the pattern reading took for another class, or for none
    "not-selector": (CITATION, "h1 + p + p:not(.closing) { display: none }"),
    "sibling-selector": (DEADLINE, ".lead-in + ol + p strong { visibility: hidden }"),
    "selector-list": (DEADLINE, ".x, ol + p { display: none }"),
    # numbers and units it did not read
    "exponent-size": (CITATION, f"{CITING} {{ font-size: 1e-3pt }}"),
    "calc-size": (CITATION, f"{CITING} {{ font-size: calc(1px / 50) }}"),
    "unlisted-unit-size": (CITATION, f"{CITING} {{ font-size: 0.1vmin }}"),
    "percent-opacity": (CITATION, f"{CITING} {{ opacity: 5% }}"),
    "small-scale": (CITATION, f"{CITING} {{ transform: scale(0.02) }}"),
    "flat-scale": (DEADLINE, f"{DUE} {{ transform: scaleX(0.01) }}"),
    "matrix-scale": (CITATION, f"{CITING} {{ transform: matrix(0.01, 0, 0, 0.01, 0, 0) }}"),
    "short-overflow": (CITATION, f"{CITING} {{ height: 1px; overflow: hidden }}"),
    "short-max-height": (CITATION, f"{CITING} {{ max-height: 0.2em; overflow: hidden }}"),
    "narrow-overflow": (DEADLINE, f"{DUE} {{ width: 2px; overflow: hidden }}"),
    # offsets off the page, any way and in any unit
    "offset-right": (CITATION, f"{CITING} {{ position: relative; left: 2000px }}"),
    "offset-down": (DEADLINE, f"{DUE} {{ position: relative; top: 3000px }}"),
    "offset-unlisted-unit": (CITATION, f"{CITING} {{ position: relative; left: -200pc }}"),
    "translate": (CITATION, f"{CITING} {{ transform: translateX(-2000px) }}"),
    "indent-right-clipped": (CITATION, f"{CITING} {{ text-indent: 200vw; white-space: nowrap; overflow: hidden }}"),
    # colours it could not read, and backgrounds set elsewhere
    "custom-property-colour": (CITATION, f"{CITING} {{ --ink: #fff; color: var(--ink) }}"),
    "color4-space-syntax": (CITATION, f"{CITING} {{ color: rgb(255 255 255) }}"),
    "color4-hsl": (DEADLINE, f"{DUE} {{ color: hsl(0 0% 100%) }}"),
    "hex-alpha": (CITATION, f"{CITING} {{ color: #00000008 }}"),
    "background-in-another-rule": (CITATION, f"p {{ background: #123456 }} {CITING} {{ color: #123456 }}"),
    "background-image": (CITATION, f"{CITING} {{ color: #000; background-image: linear-gradient(#000, #000) }}"),
    # boxes drawn over the text
    "pseudo-element-cover": (CITATION, f"{CITING} {{ position: relative }} {CITING}::after {{ content: ''; "
                                       "position: absolute; left: 0; right: 0; top: 0; bottom: 0; background: white }"),
    "next-paragraph-pulled-up": (CITATION, f"{CITING} + ol {{ position: relative; margin-top: -12em; "
                                           "background: white; padding-top: 12em }"),
    "behind-a-background": (CITATION, f"main {{ background: white }} {CITING} {{ position: relative; z-index: -1 }}"),
    # text piled onto itself
    "letter-spacing": (CITATION, f"{CITING} {{ letter-spacing: -0.6em }}"),
    "line-height": (CITATION, f"{CITING} {{ line-height: 0 }}"),
}

HARMLESS = {
    "another-colour": f"{CITING} {{ color: #1a3c8b }}",
    "bigger-font": f"{CITING} {{ font-size: 13pt }}",
    "border": f"{CITING} {{ border: 1px solid #888; padding: 4pt }}",
    "grey-on-tint": f"{CITING} {{ color: #666; background: #fffbe6 }}",
    "roomy-lines": "p { line-height: 1.6; letter-spacing: 0.01em }",
}


def _ids(failures) -> set[str]:
    return {failure.rule.id for failure in failures}


def _folder(tmp_path, css: str):
    (tmp_path / "extra.css").write_text(css + "\n")
    return letterkit.load_kit("imr", (str(tmp_path),))


@pytest.mark.parametrize("rule, css", HIDING.values(), ids=HIDING.keys())
def test_words_a_stylesheet_hides_fail_strict_naming_the_rule(tmp_path, rule, css):
    failures = letterkit.check_rules(letterkit.read_case(IMR_EXAMPLE), _folder(tmp_path, css))
    assert rule in _ids(failures), css
    line = next(failure.line() for failure in failures if failure.rule.id == rule)
    assert "PDF" in line and ("not visible" in line or "not drawn" in line), line


@pytest.mark.parametrize("css", HARMLESS.values(), ids=HARMLESS.keys())
def test_a_stylesheet_that_only_restyles_passes(tmp_path, css):
    assert letterkit.check_rules(letterkit.read_case(IMR_EXAMPLE), _folder(tmp_path, css)) == []


def test_the_message_says_where_and_what_hides_the_words(tmp_path):
    failures = letterkit.check_rules(letterkit.read_case(IMR_EXAMPLE),
                                     _folder(tmp_path, f"{CITING} {{ color: rgb(255 255 255) }}"))
    assert [failure.line() for failure in failures] == [
        "rule appeal-rights-citation (Labor Code §4610.6(h)): (letter text): the phrase "
        "'California Labor Code section 4610.6(h)' is not visible on page 3 of the PDF: its text has no "
        "contrast with what is drawn under it; The appeal rights cite Labor Code section 4610.6(h)."]


def test_a_visible_copy_in_case_text_does_not_stand_in_for_a_hidden_one(tmp_path):
    case = copy.deepcopy(letterkit.read_case(IMR_EXAMPLE))
    case["clinical_summary"] += "\n\nThe patient read California Labor Code section 4610.6(h)."
    failures = letterkit.check_rules(case, _folder(tmp_path, f"{CITING} {{ color: rgb(255 255 255) }}"))
    assert CITATION in _ids(failures)


def test_validate_strict_at_the_shell_says_the_rule_and_page(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "extra.css").write_text(f"{CITING} {{ opacity: 5% }}\n")
    result = CliRunner().invoke(app, ["validate", str(IMR_EXAMPLE), "--templates", str(folder), "--strict"])
    assert result.exit_code == 1, result.output
    assert "rule appeal-rights-citation" in result.stderr and "is not visible on page 3" in result.stderr
    assert "Traceback" not in result.stderr


def test_render_strict_judges_the_pdf_it_writes_and_writes_no_file(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "extra.css").write_text(f"{CITING} {{ transform: scale(0.02) }}\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["render", str(IMR_EXAMPLE), "--templates", str(folder), "-f", "pdf",
                                      "-o", str(out), "--strict"])
    assert result.exit_code == 1 and "rule appeal-rights-citation" in result.stderr, result.output
    assert not list(out.glob("*"))


# Word: the runs of the DOCX, through the style chain of the reference actually used

def _reference(path, style: str = "Lead In", **look) -> None:
    """The kit's reference DOCX with a paragraph style `style` that looks as `look` says."""
    reference = docx.Document(str(letterkit.load_kit("imr").path("reference.docx")))
    base = None
    if "based_on_hidden" in look:
        base = reference.styles.add_style("Quiet Base", WD_STYLE_TYPE.PARAGRAPH)
        base.font.hidden = True
    styles = reference.styles
    added = styles[style] if style in [s.name for s in styles] else styles.add_style(style, WD_STYLE_TYPE.PARAGRAPH)
    if base is not None:
        added.base_style = base
    if look.get("hidden"):
        added.font.hidden = True
    if "color" in look:
        added.font.color.rgb = RGBColor.from_string(look["color"])
    if "size" in look:
        added.font.size = Pt(look["size"])
    reference.save(str(path))


def _word_failures(failures) -> list[str]:
    return [failure.line() for failure in failures if "Word document" in failure.line()]


@pytest.mark.parametrize("look", [{"hidden": True}, {"based_on_hidden": True}, {"color": "FFFFFF"}, {"size": 0.5}],
                         ids=["hidden", "based-on-hidden", "white", "half-point"])
def test_a_template_folders_reference_style_that_hides_fails_strict(tmp_path, look):
    _reference(tmp_path / "reference.docx", **look)
    failures = letterkit.check_rules(letterkit.read_case(IMR_EXAMPLE), letterkit.load_kit("imr", (str(tmp_path),)))
    assert CITATION in _ids(failures) and _word_failures(failures), [f.line() for f in failures]


def test_a_hidden_word_style_for_a_class_no_stylesheet_names_fails_strict(tmp_path):
    source = letterkit.load_kit("imr").files.read_text("blocks/appeal-rights.md.j2")
    block = tmp_path / "blocks" / "appeal-rights.md.j2"
    block.parent.mkdir()
    block.write_text(source.replace("grounds:\n{: .lead-in }", "grounds:\n{: .quiet-note }"))
    _reference(tmp_path / "reference.docx", "Quiet Note", hidden=True)
    failures = letterkit.check_rules(letterkit.read_case(IMR_EXAMPLE), letterkit.load_kit("imr", (str(tmp_path),)))
    assert _ids(failures) == {CITATION}
    assert "the Word style 'Quiet Note' is hidden" in _word_failures(failures)[0]


@pytest.mark.parametrize("style, message", [('color = "FFFFFF"', "no contrast"), ("size = 0.5", "too small")],
                         ids=["white", "half-point"])
def test_a_kit_toml_word_style_that_hides_fails_strict(tmp_path, style, message):
    (tmp_path / "kit.toml").write_text(f'extends = "imr"\n\n[[style]]\nclass = "lead-in"\n{style}\n')
    failures = letterkit.check_rules(letterkit.read_case(IMR_EXAMPLE), letterkit.load_kit(str(tmp_path)))
    assert CITATION in _ids(failures)
    assert message in _word_failures(failures)[0]


@pytest.mark.parametrize("look", [{"hidden": True}, {"color": "FFFFFF"}, {"size": 0.5}],
                         ids=["hidden", "white", "half-point"])
def test_a_reference_docx_option_that_hides_fails_strict_render(tmp_path, look):
    _reference(tmp_path / "other.docx", **look)
    options = WriterOptions(reference_docx=tmp_path / "other.docx")
    with pytest.raises(RuleError) as raised:
        letterkit.render(letterkit.read_case(IMR_EXAMPLE), "imr", ("pdf", "docx"), options=options, strict=True)
    assert CITATION in _ids(raised.value.failures) and _word_failures(raised.value.failures)


# Thin letters: an apostrophe, "l", "|", "."… are a pixel or two wide at 9 and 10 pt

COPIES = {  # whether a thin letter met its pixels depended on where it fell: each of these met one
    "two": [{"name": "Mary O'Brien-Ilić", "organisation": "O'Neil & Lil' Ilić, LLP"},
            {"name": "I. l; i: |! ’ı", "organisation": "Workers' Compensation Claims"}],
    "one": [{"name": "I. l; i: |! ’ı", "organisation": "O'Neil & Lil' Ilić, LLP"}],
    "ur-example": [{"name": "Workers' Compensation Claims", "organisation": "Pacific Coast Risk Services"}]}
THIN = "Mary O'Brien-Ilić I. l; i: |! ’ı Lil' Ilić"  # each on its own line, at many sub-pixel places


@pytest.mark.parametrize("copies", COPIES.values(), ids=COPIES.keys())
@pytest.mark.parametrize("engine", ["weasyprint", "typst"])
@pytest.mark.parametrize("extends", ["letter", "ur"])
def test_a_name_of_thin_letters_is_seen_by_strict(tmp_path, extends, engine, copies):
    """A rule requires each copy's recipient printed; the 10 pt copy line names Mary
    O'Brien, or the UR example's "Workers' Compensation Claims": `--strict` refused the
    letter, "no contrast", because the apostrophe's ink was sought up to a pixel right of
    and below where it was drawn (PDFium rounds a rendering's crop up to whole pixels)."""
    case = LETTER_CASE if extends == "letter" else _ur_case_of_the_kit(UR_EXAMPLE)
    letterkit.render(case | {"cc": copies}, _copies_named(tmp_path, extends), ("pdf",),
                     options=WriterOptions(pdf_engine=engine), strict=True)


def _lines(html: str, size: str, font: str = "Liberation Serif") -> bytes:
    """A PDF of `html` on 40 lines, each moved right and down by a fraction of a point more
    than the last, so that its letters fall on every place within a pixel."""
    lines = "".join(f'<p style="margin: {line * 0.03:.2f}pt 0 0 {line * 0.025:.3f}pt">{html}</p>'
                    for line in range(40))
    return weasyprint.HTML(string=f"<body style=\"font: {size} '{font}'\">{lines}</body>").write_pdf()


@pytest.mark.parametrize("size", ["8pt", "9pt", "10pt"])
def test_thin_letters_are_seen_wherever_they_fall_on_the_pixels(size):
    found = sightings(_lines(THIN, size), [THIN])[THIN]
    assert len(found) == 40 and [sighting.problem for sighting in found] == [None] * 40


HIDDEN_THIN = {  # words, and the same words with one thin letter white on the white page
    "apostrophe": ("O'Brien", "O<span style='color: #fff'>'</span>Brien"),
    "l": ("Ilić", "I<span style='color: #fff'>l</span>ić"),
    "l-between-l": ("fill", "fi<span style='color: #fff'>l</span>l"),
    "bar": ("i|i", "i<span style='color: #fff'>|</span>i"),
    "kerned": ("AVA", "A<span style='color: #fff'>V</span>A"),
}


@pytest.mark.parametrize("size", ["8pt", "9pt", "10pt", "12pt"])
@pytest.mark.parametrize("words, html", HIDDEN_THIN.values(), ids=HIDDEN_THIN.keys())
def test_one_thin_letter_hidden_among_seen_ones_is_caught_wherever_it_falls(words, html, size):
    """The ink of a letter is what its own text changes: the ink of the letters beside it,
    which spills into its box's edge pixels (or into its box, kerned), was counted as its
    own, and a white "l" in "Ilić" passed on most of the lines."""
    found = sightings(_lines(html, size), [words])[words]
    assert len(found) == 40 and [sighting.problem for sighting in found] == ["its text has no contrast with what is "
                                                                             "drawn under it"] * 40


@pytest.mark.parametrize("font", ["Liberation Serif", "Liberation Sans", "DejaVu Sans"])
@pytest.mark.parametrize("words", ["'", "|", "l", "il", "Ill."])
def test_a_word_of_narrow_letters_is_not_taken_for_squeezed(words, font):
    """A letter is squeezed when it is drawn narrower than its font made it, not when its
    font made it narrow: "il" in Liberation Sans, or an apostrophe alone, were refused as
    "squeezed together past reading" (their advance under a fifth of their line's height)."""
    found = sightings(_lines(words, "10pt", font), [words])[words]
    assert len(found) >= 40 and {sighting.problem for sighting in found} == {None}
