"""letterkit lint catches each kind of kit mistake, naming the file and line."""

from __future__ import annotations

import shutil

import pytest
from conftest import ROOT, lint_problems
from typer.testing import CliRunner

from letterkit.cli import app

runner = CliRunner()


def _lint(*arguments):
    return runner.invoke(app, ["lint", *arguments], env={"COLUMNS": "400"})


def test_the_builtin_kit_is_clean_and_gives_each_blocks_reading_grade():
    result = _lint("--strict")
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("advice") and (": reading grade " in line or ": reading ease " in line)
                         for line in lines)  # a Spanish block's score is its reading ease (Fernández-Huerta)
    assert any("imr/blocks/how-determination-was-made.md.j2: reading grade 12.3 (Flesch-Kincaid)" in line
               for line in lines)  # every block of BLOCK_WORDS_SCORED words or more


@pytest.fixture
def kit(tmp_path):
    copy = tmp_path / "kit"
    shutil.copytree(ROOT / "templates" / "imr", copy)
    return copy


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_syntax_error_in_a_users_block(tmp_path):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "closing.md.j2").write_text("Sincerely,\n\n{% if signature.name %}\n")
    result = _lint("--templates", str(tmp_path))
    assert result.exit_code == 1
    assert "closing.md.j2:3" in result.stderr


def test_include_of_a_missing_block(kit):
    _edit(kit / "blocks" / "decisions.md.j2", '"blocks/disputed-item.md.j2"', '"blocks/disputed-items.md.j2"')
    result = _lint("--kit", str(kit))
    assert result.exit_code == 1
    assert "disputed-items.md.j2" in result.stderr


def test_class_without_a_style(kit):
    _edit(kit / "blocks" / "closing.md.j2", "{: .closing }", "{: .valediction }")
    assert _lint("--kit", str(kit)).exit_code == 0  # the letter renders: a warning, not an error
    result = _lint("--kit", str(kit), "--strict")
    assert result.exit_code == 1
    assert "warning " in result.stderr and "error " not in result.stderr
    assert "closing.md.j2:3: class 'valediction' has no rule in the stylesheets" in result.stderr
    assert "closing.md.j2:3: class 'valediction' has no style 'Valediction' in reference.docx" in result.stderr


def test_unknown_guideline_key_in_a_block(kit):
    _edit(kit / "blocks" / "clinical-case-summary.md.j2", "{{ clinical_summary }}",
          '{{ clinical_summary }}\n\n{{ quote("mtus-chronic-pain-2009/manual-therapie") }}')
    result = _lint("--kit", str(kit))
    assert result.exit_code == 1
    assert ("clinical-case-summary.md.j2:9: no guideline passage 'mtus-chronic-pain-2009/manual-therapie'"
            in result.stderr)
    assert "nearest: mtus-chronic-pain-2009/manual-therapy" in result.stderr


def test_broken_guideline_file(kit):
    (kit / "guidelines" / "acoem.yaml").write_text("source: ACOEM\n")
    result = _lint("--kit", str(kit))
    assert result.exit_code == 1
    assert "acoem.yaml: not a guideline file" in result.stderr


def test_a_block_printing_a_field_the_case_lacks(tmp_path):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "closing.md.j2").write_text(
        "Sincerely,\n\n{{ signature.titel }}\n\nSent {{ notice_sent | date }}.\n\n{{ letter.overal }}\n")
    result = _lint("--templates", str(tmp_path))
    assert result.exit_code == 1
    block = tmp_path / "blocks" / "closing.md.j2"
    assert f"{block}:3: prints 'signature.titel': signature has no field 'titel'; did you mean title?" in result.stderr
    assert f"{block}:5: prints 'notice_sent': the case has no field 'notice_sent'" in result.stderr
    assert f"{block}:7: prints 'letter.overal': letter has no field 'overal'; did you mean overall?" in result.stderr


def test_an_included_block_is_checked_with_its_includers_loop_variable(kit):
    _edit(kit / "blocks" / "disputed-item.md.j2", "{{ item.rationale }}",
          "{{ item.rationale }} {{ item.guideline.pagez }}")
    result = _lint("--kit", str(kit))
    assert result.exit_code == 1
    assert ("disputed-item.md.j2:11: prints 'items[].guideline.pagez': items[].guideline has no field 'pagez'; "
            "did you mean pages?") in result.stderr


def test_a_declared_field_is_a_name_blocks_may_print(tmp_path):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "fields.toml").write_text('[[field]]\nname = "notice_sent"\ntype = "date"\n')
    (tmp_path / "blocks" / "closing.md.j2").write_text(
        "Sincerely,\n{: .closing }\n\n{% if notice_sent %}Sent {{ notice_sent | date }}.{% endif %}\n")
    result = _lint("--templates", str(tmp_path))
    assert result.exit_code == 0, result.stderr


def test_a_class_on_an_element_the_stylesheet_does_not_style_it_on(kit):
    # The stylesheet styles `p.closing`; on a heading the class would do nothing.
    _edit(kit / "blocks" / "closing.md.j2", "Sincerely,\n{: .closing }", "## Sincerely, {: .closing }")
    result = _lint("--kit", str(kit), "--strict")
    assert result.exit_code == 1
    assert ("closing.md.j2:2: class 'closing' is on a h2 element, "
            "but the stylesheets (letter.css, style.css, print.css) style it only on p") in result.stderr


def test_jinja_whitespace_mechanics_and_long_lines_are_flagged(tmp_path):
    (tmp_path / "blocks").mkdir()
    long_line = "The expert reviewer read every record. " * 4
    (tmp_path / "blocks" / "closing.md.j2").write_text(
        "Sincerely,\n{: .closing }\n\n"
        "{% if signature.name %}{{ signature.name }}{% endif +%}\n{: .signature }\n\n"
        "Signed by {% if signature.name %}{{ signature.name }}{% endif %}\n and sealed.\n\n"
        f"{long_line.strip()}\n")
    result = _lint("--templates", str(tmp_path), "--strict")
    assert result.exit_code == 1
    block = tmp_path / "blocks" / "closing.md.j2"
    assert f"{block}:4: '+%}}' keeps a line end Jinja would trim" in result.stderr
    assert f"{block}:8: the leading space joins this text to the line above" in result.stderr
    assert f"advice {block}:10: {len(long_line.strip())} characters; break the line (at most 120" in result.stderr
    assert _lint("--templates", str(tmp_path)).exit_code == 0  # warnings and advice fail only --strict


@pytest.mark.parametrize("line, following", [
    ("- Call us 8 a.m. to 8 p.m., seven days a week{% if signature.name %}.{% endif %}", "- 1-800-MEDICARE"),
    ("Call {% if signature.name %}{{ signature.name }}{% endif %}", "today."),
])
def test_a_block_tag_ending_a_text_line_that_glues_the_next_is_an_error(tmp_path, line, following):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "closing.md.j2").write_text(f"Sincerely,\n{{: .closing }}\n\n{line}\n{following}\n")
    result = _lint("--templates", str(tmp_path))
    assert result.exit_code == 1
    assert (f"error {tmp_path / 'blocks' / 'closing.md.j2'}:4: the tag at the end of this line joins the next"
            in result.stderr)


def test_a_tag_on_a_line_of_its_own_or_before_a_line_break_glues_nothing(tmp_path):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "closing.md.j2").write_text(
        "Sincerely,\n{: .closing }\n\n{% if signature.name %}\n- one\n{% endif %}\n"
        "A{% if signature.name %} B{% endif %}\n<br>C\n")
    assert _lint("--templates", str(tmp_path), "--strict").exit_code == 0


@pytest.mark.parametrize("kit_name", ["letter", "imr", "ur"])
def test_the_builtin_kits_need_no_whitespace_tricks(kit_name):
    folder = ROOT / "templates" / kit_name
    for path in folder.rglob("*.j2"):
        text = path.read_text()
        assert "+%}" not in text, path
        assert max(len(line) for line in text.splitlines()) <= 120, path
    result = _lint("--kit", kit_name, "--strict")
    assert lint_problems(result.stderr) == []
