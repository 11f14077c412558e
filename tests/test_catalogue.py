"""What template authors are told: the blocks of a kit, and the fields blocks can print."""

from __future__ import annotations

from typer.testing import CliRunner

from letterkit.cli import app

runner = CliRunner()


def test_blocks_lists_each_block_its_origin_and_what_it_reads():
    result = runner.invoke(app, ["blocks"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    line = next(l for l in result.stdout.splitlines() if "blocks/disputed-item.md.j2" in l)
    assert " kit " in line
    for name in ("item.title", "item.decision", "item.rationale", "organisation.label"):
        assert name in line


def test_blocks_shows_a_users_override(tmp_path):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "closing.md.j2").write_text("Yours faithfully,\n\n{{ signature.title }}\n")
    result = runner.invoke(app, ["blocks", "--templates", str(tmp_path)], env={"COLUMNS": "400"})
    line = next(l for l in result.stdout.splitlines() if "blocks/closing.md.j2" in l)
    assert f"your folder: {tmp_path}" in line and "signature.title" in line
    assert "signature.name" not in line


def test_vars_lists_nested_fields_with_types_and_descriptions():
    result = runner.invoke(app, ["vars"], env={"COLUMNS": "400"})
    assert result.exit_code == 0
    lines = {l.split()[0]: l for l in result.stdout.splitlines() if l.strip()}
    assert "'Upheld' | 'Overturned'" in lines["items[].decision"]
    assert "list[str]" in lines["reviewer.licensure"]
    assert "The decision rationale, in Markdown." in lines["items[].rationale"]
    assert "date (optional)" in lines["case.date_of_injury"]
