"""Bad input: one clear line naming the field or template line, exit 1, no output file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app

runner = CliRunner()


def _render(tmp_path: Path, data: dict, *options: str):
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data))
    outdir = tmp_path / "out"
    result = runner.invoke(app, ["render", str(case), "-o", str(outdir), *options])
    return result, outdir


def _render_with_block(tmp_path: Path, data: dict, name: str, text: str):
    """Render with a template folder holding one block, `blocks/<name>`."""
    blocks = tmp_path / "mine" / "blocks"
    blocks.mkdir(parents=True)
    (blocks / name).write_text(text)
    return _render(tmp_path, data, "--templates", str(tmp_path / "mine"))


def _assert_failed_cleanly(result, outdir: Path, *expected: str):
    assert result.exit_code == 1, result.output
    for text in expected:
        assert text in result.stderr, result.stderr
    assert not outdir.exists() or not any(outdir.iterdir()), "a failed case left a file"


def test_missing_required_field_is_named(tmp_path, case_data):
    del case_data["reviewer"]
    result, outdir = _render(tmp_path, case_data)
    _assert_failed_cleanly(result, outdir, "case.yaml: reviewer: required field is missing")


def test_wrong_decision_value_names_the_item(tmp_path, case_data):
    case_data["items"].append(dict(case_data["items"][0], decision="Denied"))
    result, outdir = _render(tmp_path, case_data)
    _assert_failed_cleanly(result, outdir, "items[1].decision: Input should be 'Upheld' or 'Overturned'")


def test_wrong_type_is_named(tmp_path, case_data):
    case_data["items"][0]["quantity"] = "lots"
    result, outdir = _render(tmp_path, case_data)
    _assert_failed_cleanly(result, outdir, "items[0].quantity: Input should be a valid integer")


def test_unknown_field_is_refused(tmp_path, case_data):
    case_data["reviewer"]["speciality"] = ["Family Practice"]
    result, outdir = _render(tmp_path, case_data)
    _assert_failed_cleanly(result, outdir, "reviewer.speciality: unknown field")


def test_control_character_that_xml_cannot_hold_is_refused(tmp_path, case_data):
    case_data["clinical_summary"] = "Pain\x0b 8/10"
    result, outdir = _render(tmp_path, case_data)
    _assert_failed_cleanly(result, outdir, "clinical_summary: contains the control character U+000B")


def test_unknown_block_in_user_folder_suggests_the_real_name(tmp_path, case_data):
    result, outdir = _render_with_block(tmp_path, case_data, "credentails-list.md.j2", "Credentials.\n")
    _assert_failed_cleanly(result, outdir, "overrides no block of kit 'imr'",
                           "did you mean 'blocks/credentials-list.md.j2'?")


def test_undefined_variable_in_user_block_names_file_and_line(tmp_path, case_data):
    result, outdir = _render_with_block(tmp_path, case_data, "clinical-case-summary.md.j2",
                                        "# SUMMARY\n\n{{ clinical_sumary }}\n")
    _assert_failed_cleanly(result, outdir, "clinical-case-summary.md.j2:3",
                           "'clinical_sumary' is undefined", "did you mean clinical_summary?")


# A block line, and what the one error line must say about it.
MISTAKES_IN_A_BLOCK = {
    "{{ letter_date | date(5) }}": "the format 5 is not text",
    "{{ 1/0 }}": "an expression failed: division by zero",
    "{{ none | date }}": "date: the field has no value",
    "{{ 'yesterday' | date }}": "date: 'yesterday' is not a date",
    "{{ reviewer.nam }}": "a Reviewer has no field 'nam'; did you mean name",
    "{{ items[0].rationle }}": "a DisputedItem has no field 'rationle'; did you mean rationale",
    "{{ case.imr_numbr }}": "a CaseNumbers has no field 'imr_numbr'; did you mean imr_number",
    "{{ organisaton }}": "'organisaton' is undefined; did you mean organisation?",
    "{{ deadlines.wcab_appeal_byx | date }}":
        "no rule of the kit computes the deadline 'wcab_appeal_byx'; did you mean wcab_appeal_by?",
    "{{ reviewer.specialtys | and_list }}": "a Reviewer has no field 'specialtys'; did you mean specialties",
    "<!-- a note for reviewers -->": "an HTML comment or <?…?> has no place in a letter",
}


@pytest.mark.parametrize("line", sorted(MISTAKES_IN_A_BLOCK))
def test_a_mistake_in_a_block_is_one_line_naming_the_block_and_line(tmp_path, case_data, line):
    result, outdir = _render_with_block(tmp_path, case_data, "clinical-case-summary.md.j2",
                                        f"# SUMMARY\n\nThe summary:\n\n{line}\n")
    _assert_failed_cleanly(result, outdir, "clinical-case-summary.md.j2:5", MISTAKES_IN_A_BLOCK[line])
    errors = [text for text in result.stderr.splitlines() if text.startswith("error ")]
    assert len(errors) == 1 and "Traceback" not in result.stderr and "letterkit_kit_" not in result.stderr


def test_a_new_block_nothing_includes_says_so(tmp_path, case_data):
    result, outdir = _render_with_block(tmp_path, case_data, "notice-sent.md.j2", "Notice sent.\n")
    _assert_failed_cleanly(result, outdir, "a new block that no template of kit 'imr' includes",
                           '{% include "blocks/notice-sent.md.j2" %}')
    assert "did you mean" not in result.stderr


@pytest.mark.parametrize("command", ["vars", "blocks", "schema", "lint"])
def test_an_unknown_kit_is_one_line(command):
    result = runner.invoke(app, [command, "--kit", "nope"])
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("error no kit 'nope'") and result.stderr.count("\n") == 1


def test_template_syntax_error_names_file_and_line(tmp_path, case_data):
    result, outdir = _render_with_block(tmp_path, case_data, "clinical-case-summary.md.j2",
                                        "# SUMMARY\n\n{% if clinical_summary %}\n")
    _assert_failed_cleanly(result, outdir, "clinical-case-summary.md.j2:3")


@pytest.mark.parametrize("line, message", [
    ('<iframe src="file:///etc/passwd"></iframe>', "<iframe> has no place in a letter"),
    ('<img src="images/letterhead.png" width="1in">', "an <img> needs alt text"),
    ('<img src="images/nosuch.png" alt="x">', "nosuch.png"),
])
def test_a_mistake_the_reader_finds_names_the_block_and_line(case_data, tmp_path, line, message):
    blocks = tmp_path / "blocks"
    blocks.mkdir()
    (blocks / "clinical-case-summary.md.j2").write_text(f"# SUMMARY\n\n{{{{ clinical_summary }}}}\n\n{line}\n")
    with pytest.raises(letterkit.TemplateError, match=message) as raised:
        letterkit.render(case_data, templates=[tmp_path])
    assert raised.value.template == str(blocks / "clinical-case-summary.md.j2") and raised.value.line == 5


def test_sandbox_refuses_unsafe_attribute(case_data, tmp_path):
    blocks = tmp_path / "blocks"
    blocks.mkdir()
    (blocks / "clinical-case-summary.md.j2").write_text("{{ letter.__class__.__mro__ }}\n")
    with pytest.raises(letterkit.TemplateError):
        letterkit.render(case_data, templates=[tmp_path], formats=("html",))


def test_bad_case_does_not_stop_the_good_ones(tmp_path, case_data):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(yaml.safe_dump(case_data))
    bad.write_text("items: [\n")
    outdir = tmp_path / "out"
    result = runner.invoke(app, ["render", str(bad), str(good), "-o", str(outdir), "-f", "html,docx"])
    assert result.exit_code == 1
    assert "bad.yaml: line" in result.stderr
    assert sorted(p.name for p in outdir.iterdir()) == ["good.docx", "good.html"]


def test_validate_command_reports_each_file(tmp_path, case_data):
    good = tmp_path / "good.json"
    good.write_text(__import__("json").dumps(case_data))
    del case_data["items"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(case_data))
    result = runner.invoke(app, ["validate", str(good), str(bad)])
    assert result.exit_code == 1
    assert "good.json: valid" in result.stdout
    assert "bad.yaml: items: required field is missing" in result.stderr
