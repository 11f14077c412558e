"""Names in other scripts reach every format, drawn in the PDF by a font that has their
glyphs; a character that no font of the letter has is refused before any file is written."""

from __future__ import annotations

import io
import re
import shutil
import time
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
import yaml
from conftest import ROOT, small_case
from extract import EXTRACT
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from typer.testing import CliRunner

import letterkit
from letterkit import fonts
from letterkit.cli import app

runner = CliRunner()

# (script, name, the font that must draw it in the PDF); the kit's Liberation Serif has
# Cyrillic, Hebrew, Greek and Vietnamese itself.
NAMES = [
    ("chinese", "张伟", "Noto-Serif-CJK-SC"),
    ("japanese", "佐藤 さくら", "Noto-Serif-CJK-SC"),
    ("korean", "김민준", "Noto-Serif-CJK-SC"),
    ("arabic", "محمد عبد الله", "Noto-Naskh-Arabic"),
    ("hebrew", "שרה כהן", "Liberation-Serif"),
    ("cyrillic", "Иван Петров", "Liberation-Serif"),
    ("greek", "Ελένη Παπαδοπούλου", "Liberation-Serif"),
    ("devanagari", "प्रिया रमन", "Noto-Serif-Devanagari"),
    ("vietnamese", "Nguyễn Thị Phương", "Liberation-Serif"),
    ("armenian", "Արամ Պետրոսյան", "Noto-Serif-Armenian"),
]
RIGHT_TO_LEFT = {"arabic", "hebrew"}


def _case(case_data: dict, name: str) -> dict:
    case_data["parties"] = {"employee": {"name": name}}  # the addressee, and the "Dear ..." line
    return case_data


@pytest.fixture(scope="module", params=NAMES, ids=[script for script, _, _ in NAMES])
def rendered(request, tmp_path_factory):
    """(script, name, font, {format: bytes}) of a letter to a person of that name, rendered by the CLI."""
    script, name, font = request.param
    folder = tmp_path_factory.mktemp(script)
    case = folder / "case.yaml"
    case.write_text(yaml.safe_dump(_case(small_case(), name), allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["render", str(case), "-o", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return script, name, font, {f: (folder / "out" / f"case.{f}").read_bytes() for f in ("html", "pdf", "docx")}


def test_a_name_in_any_covered_script_is_in_the_text_of_every_format(rendered):
    script, name, _, files = rendered
    for format, content in files.items():
        text = EXTRACT[format](content)
        if format == "pdf" and script in RIGHT_TO_LEFT:
            # PDF text extractors put a right-to-left run's glyphs (and the letters of a
            # ligature) back in differing orders; every letter must still be on the line.
            line = next(line for line in text.splitlines() if line.startswith("Dear "))
            assert not Counter(name.replace(" ", "")) - Counter(line), (line, name)
        else:
            assert f"Dear {name}:" in text, (format, name)


def test_the_pdf_draws_a_name_with_a_font_that_has_its_glyphs(rendered):
    script, name, font, files = rendered
    drawn = _inked_characters(files["pdf"])
    assert font in drawn, (name, sorted(drawn))
    assert set(name) - {" "} <= drawn[font], f"{script}: {set(name) - drawn[font]} not drawn by {font}"


def test_a_latin_letter_embeds_none_of_the_fallback_fonts(case_data):
    pdf = letterkit.render(_case(case_data, "Teresa Villaseñor"), formats=("pdf",))["pdf"]
    assert set(_inked_characters(pdf)) <= {"Liberation-Serif", "Liberation-Serif-Bold", "Liberation-Serif-Italic"}


def _inked_characters(pdf: bytes) -> dict[str, set[str]]:
    """For each font the PDF embeds (by name, subset tag removed), the characters it draws
    with a glyph that has an outline: not .notdef (a box), not an empty glyph (a blank)."""
    drawn: dict[str, set[str]] = {}
    with pikepdf.open(io.BytesIO(pdf)) as document:
        embedded = {font.objgen: font for page in document.pages for font in page.Resources.Font.values()}
        for font in embedded.values():
            descriptor = font.DescendantFonts[0].FontDescriptor
            program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
            assert program is not None, f"{font.BaseFont} is not embedded"
            glyph_font = TTFont(io.BytesIO(program.read_bytes()))
            order, glyphs = glyph_font.getGlyphOrder(), glyph_font.getGlyphSet()
            to_unicode = font.ToUnicode.read_bytes().decode("latin-1")
            for section in re.findall(r"beginbfchar(.*?)endbfchar", to_unicode, re.S):
                # WeasyPrint's codes are glyph ids of the font (Identity CIDToGIDMap)
                for code, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", section):
                    gid = int(code, 16)
                    if not 0 < gid < len(order):  # .notdef, or a glyph the font lacks (drawn blank)
                        continue
                    pen = BoundsPen(glyphs)
                    glyphs[order[gid]].draw(pen)
                    if pen.bounds is not None:
                        name = str(font.BaseFont).split("+")[-1]
                        drawn.setdefault(name, set()).update(bytes.fromhex(text).decode("utf-16-be"))
    return drawn


# (what, field path, how to put it in a case, the character)
UNDRAWABLE = [
    ("private use", "parties.employee.name", lambda case, c: _case(case, f"Teresa {c}"), "\ue000"),
    ("unassigned", "items[0].description", lambda case, c: case["items"][0].update(description=f"Massage {c}"),
     "\u0378"),
    # Debian's fonts-noto-core has a Cherokee font, but the kit's font stack does not name
    # it: a letter depends on the fonts it names, not on what else a machine has.
    ("script the kit does not name", "clinical_summary",
     lambda case, c: case.update(clinical_summary=f"Seen by Dr. {c}Ꮃ."), "Ꮳ"),
    ("emoji", "reviewer.specialties[0]",
     lambda case, c: case["reviewer"].update(specialties=[f"Family Practice {c}"]), "\U0001f600"),
]


@pytest.mark.parametrize("command", ["validate", "render"])
@pytest.mark.parametrize("what, path, put, character", UNDRAWABLE, ids=[row[0] for row in UNDRAWABLE])
def test_a_character_no_font_has_is_refused_naming_field_and_character(
        tmp_path, case_data, command, what, path, put, character):
    put(case_data, character)
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(case_data, allow_unicode=True), encoding="utf-8")
    outdir = tmp_path / "out"
    result = runner.invoke(app, [command, str(case)] + (["-o", str(outdir)] if command == "render" else []))
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error ")]
    assert len(errors) == 1, result.stderr
    assert f"case.yaml: {path}: " in errors[0] and f"(U+{ord(character):04X}) is in no font" in errors[0], errors[0]
    assert "Traceback" not in result.output
    assert not outdir.exists() or not any(outdir.iterdir())


def test_a_font_added_in_a_template_folder_draws_what_the_kit_cannot(tmp_path, case_data):
    """How a user adds a script: a font file, an @font-face rule and the family in a font stack."""
    cherokee = next(Path("/usr/share/fonts").rglob("NotoSansCherokee-Regular.ttf"), None)
    if cherokee is None:
        pytest.skip("Debian's fonts-noto-core is not installed; tasks.py installs it")
    (tmp_path / "mine" / "fonts").mkdir(parents=True)
    shutil.copy(cherokee, tmp_path / "mine" / "fonts" / "cherokee.ttf")
    kit_print = (ROOT / "templates" / "letter" / "print.css").read_text()
    (tmp_path / "mine" / "print.css").write_text(kit_print + (
        '\n@font-face { font-family: "House Cherokee"; src: url("fonts/cherokee.ttf"); }\n'
        'html { font-family: "Liberation Serif", "House Cherokee"; }\n'))
    case = _case(case_data, "ᏣᎳᎩ Teresa")
    pdf = letterkit.render(case, formats=("pdf",), templates=[tmp_path / "mine"])["pdf"]
    assert set("ᏣᎳᎩ") <= _inked_characters(pdf)["House-Cherokee"]
    with pytest.raises(letterkit.CaseError, match=r"parties.employee.name: 'Ꮳ' \(U\+13E3\)"):
        letterkit.validate(case, letterkit.load_kit("imr"))  # the kit alone has no such font


def test_checking_a_case_for_undrawable_text_takes_well_under_a_millisecond():
    kit = letterkit.load_kit("imr")
    letter = letterkit.validate(letterkit.read_case(ROOT / "examples" / "imr-medications-mixed.yaml"), kit)
    letter_fonts = fonts.letter_fonts(kit.presentation)
    fonts.undrawable_text(letter, letter_fonts)  # fonts read once per process, before timing
    started = time.perf_counter()
    for _ in range(100):
        assert fonts.undrawable_text(letter, letter_fonts) == []
    assert (time.perf_counter() - started) / 100 < 0.002  # about 0.1 ms here; 2 ms on a slow, shared machine
