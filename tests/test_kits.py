"""Kits beyond the IMR one: the UR kit that extends it, and a kit scaffolded from nothing."""

from __future__ import annotations

import io
import shutil

import docx
import lxml.html
import pypdf
import pytest
from conftest import ROOT
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app
from letterkit.environment import LetterSandbox

runner = CliRunner()
UR_EXAMPLE = ROOT / "examples" / "ur" / "ur-chiropractic-modified.yaml"


def test_ur_kit_renders_its_example_in_every_format():
    files = letterkit.render(letterkit.read_case(UR_EXAMPLE), kit="ur")
    page = lxml.html.document_fromstring(files["html"])
    assert page.find(".//title").text == "Utilization Review Decision, Claim 2009-117730-LA"
    assert [h.text_content() for h in page.cssselect("h1")] == [
        "CLINICAL SUMMARY", "DECISIONS AND RATIONALES", "RECORDS REVIEWED", "THE REVIEWER",
        "YOUR RIGHT TO INDEPENDENT MEDICAL REVIEW", "INTERNAL APPEAL", "QUESTIONS ABOUT THIS NOTICE"]
    assert "Approved instead: Chiropractic treatment, 6 sessions" in page.text_content()
    pdf_text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(files["pdf"])).pages)
    assert "Modified" in pdf_text and "California Labor Code sections 4610.5 and 4610.6" in pdf_text
    document = docx.Document(io.BytesIO(files["docx"]))
    assert any(p.style.name == "Item Title" and p.text.endswith(": Modified") for p in document.paragraphs)


def test_ur_kit_uses_the_imr_kits_files_after_its_own():
    kit = letterkit.load_kit("ur")
    assert [folder.name for folder in kit.search_path] == ["ur", "imr", "letter"]
    assert kit.path("print.css").parent.name == "letter"
    assert kit.path("letter.md.j2").parent.name == "ur"


def test_imr_rights_only_when_something_was_not_approved():
    case = letterkit.read_case(UR_EXAMPLE)
    case["requests"][0].update(decision="Approved", modification=None)
    page = letterkit.render(case, kit="ur", formats=("html",))["html"].decode()
    assert "INDEPENDENT MEDICAL REVIEW" not in page


def test_ur_kit_is_lint_clean():
    result = runner.invoke(app, ["lint", "--kit", "ur"])
    assert result.exit_code == 0, result.stderr


def test_new_kit_scaffold_renders_and_lints(tmp_path):
    folder = tmp_path / "appeal-acknowledgement"
    result = runner.invoke(app, ["new-kit", str(folder)])
    assert result.exit_code == 0, result.output
    files = letterkit.render(letterkit.read_case(folder / "example.yaml"), kit=folder)
    assert b"Dear Jordan Example:" in files["html"]
    assert files["pdf"].startswith(b"%PDF") and files["docx"][:2] == b"PK"
    assert runner.invoke(app, ["lint", "--kit", str(folder)]).exit_code == 0
    assert runner.invoke(app, ["new-kit", str(folder)]).exit_code == 1  # never overwrites


def test_core_package_names_no_kit_of_its_own():
    """The core holds no IMR concepts: those live in the kit (the kit name as a default aside)."""
    for path in (ROOT / "letterkit").rglob("*.py"):
        text = path.read_text()
        for word in ("Upheld", "Overturned", "MAXIMUS", "FinalDetermination", "DisputedItem"):
            assert word not in text, f"{path.name} mentions {word}"


def test_forget_kits_makes_the_next_letter_read_the_kits_files_again(tmp_path):
    """A process keeps each kit it loads; a long-running one whose kit is edited forgets it."""
    kit = tmp_path / "imr"
    shutil.copytree(ROOT / "templates" / "imr", kit)
    case = letterkit.read_case(ROOT / "examples" / "imr-chiropractic-initial-trial.yaml")
    closing = kit / "blocks" / "closing.md.j2"

    def rendered() -> str:
        return letterkit.render(case, kit=kit, formats=("html",))["html"].decode()

    assert "Kind regards" not in rendered()
    closing.write_text("Kind regards\n" + closing.read_text())
    (kit / "style.css").write_text("/* edited */\n" + (kit / "style.css").read_text())
    kept = rendered()
    letterkit.forget_kits()
    fresh = rendered()
    assert "/* edited */" not in kept and "/* edited */" in fresh
    assert "Kind regards" in fresh


def test_a_kit_loaded_again_with_a_folder_in_front_compiles_only_the_folders_block(tmp_path, monkeypatch):
    """The preview, and the tests, load a kit again and again with a template folder in
    front: the kit's own templates are compiled, and its reference DOCX made, once per process."""
    first = letterkit.load_kit("ur")
    (tmp_path / "empty").mkdir()
    warm = letterkit.load_kit("ur", (tmp_path / "empty",))  # whatever the process kept before, the kit's are kept now
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "ur-closing.md.j2").write_text("Kind regards,\n")
    compiled = []
    compile_text = LetterSandbox.compile
    monkeypatch.setattr(LetterSandbox, "compile", lambda environment, source, name=None, *args, **kwargs: (
        compiled.append(name), compile_text(environment, source, name, *args, **kwargs))[1])
    again = letterkit.load_kit("ur", (tmp_path,))
    assert compiled == ["blocks/ur-closing.md.j2"]  # the Spanish letter has the kit's translation of it
    assert again.presentation.reference_docx is warm.presentation.reference_docx
    case = letterkit.read_case(UR_EXAMPLE)
    assert "Kind regards," in letterkit.render(case, again, formats=("html",))["html"].decode()
    assert "Kind regards," not in letterkit.render(case, first, formats=("html",))["html"].decode()


def test_a_relative_template_folder_is_another_folder_in_another_working_directory(case_data, tmp_path, monkeypatch):
    """The loaded kit is kept by absolute path: `mine` here is not `mine` there."""
    for place, words in (("one", "First folder's summary."), ("two", "Second folder's summary.")):
        blocks = tmp_path / place / "mine" / "blocks"
        blocks.mkdir(parents=True)
        (blocks / "clinical-case-summary.md.j2").write_text(f"# CLINICAL CASE SUMMARY\n\n{words}\n")
        monkeypatch.chdir(tmp_path / place)
        html = letterkit.render(case_data, formats=("html",), templates=["mine"])["html"].decode()
        assert words in html


@pytest.mark.parametrize("model, line, message", [
    ("import os\n\nraise RuntimeError('the plan table is missing')\n", 3, "RuntimeError: the plan table is missing"),
    ("class Letter(:\n", 1, "SyntaxError: invalid syntax"),
    ("import no_such_module_of_the_author\n", 1, "ModuleNotFoundError: No module named 'no_such_module_of_the_author'"),
])
def test_a_kit_model_that_does_not_import_is_one_line_naming_its_file_and_line(tmp_path, model, line, message):
    kit = tmp_path / "broken"
    kit.mkdir()
    (kit / "kit.toml").write_text('extends = "letter"\nmodel = "model.py:Letter"\n')
    (kit / "model.py").write_text(model)
    result = runner.invoke(app, ["schema", "--kit", str(kit)])
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr == f"error {kit / 'model.py'}:{line}: the kit's model does not load: {message}\n"
    case = runner.invoke(app, ["render", str(UR_EXAMPLE), "--kit", str(kit), "-o", str(tmp_path / "out")],
                         env={"COLUMNS": "300"})
    assert case.exit_code == 2 and f"model.py:{line}: the kit's model does not load" in case.stderr
    assert "Traceback" not in result.output + case.output
