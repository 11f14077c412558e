"""What template authors are told: the blocks of a kit, and the fields blocks can print."""

from __future__ import annotations

from typer.testing import CliRunner

from letterkit.cli import app

runner = CliRunner()


def test_blocks_lists_each_block_its_origin_and_what_it_reads():
    result = runner.invoke(app, ["blocks"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    line = next(l for l in result.stdout.splitlines() if "blocks/disputed-item.md.j2" in l)
    assert " kit imr " in line
    # `item` is the loop variable of the block that includes it: what it reads is the list's.
    for name in ("items[].title", "items[].decision", "items[].rationale", "organisation.label"):
        assert name in line
    assert "item.title" not in line


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


def _rows(*arguments):
    """The command's output as a piped tool reads it: no COLUMNS, not a terminal."""
    result = runner.invoke(app, list(arguments))
    assert result.exit_code == 0, result.output
    return {l.split()[0]: l for l in result.stdout.splitlines() if l.strip()}


def test_blocks_lists_case_data_never_a_blocks_own_loop_variables():
    rows = _rows("blocks")
    documents = rows["blocks/documents-reviewed.md.j2"]
    assert "documents_reviewed[].document" in documents and "documents_reviewed[].date_to" in documents
    assert "record." not in documents
    assert "loop" not in rows["blocks/closing.md.j2"] and "party" not in rows["blocks/closing.md.j2"]
    assert "letter_date.isoformat" not in rows["letter.md.j2"] and "letter_date" in rows["letter.md.j2"]


def test_blocks_of_an_extended_kit_name_the_kit_each_comes_from():
    rows = _rows("blocks", "--kit", "ur")
    assert " kit ur " in rows["blocks/ur-opening.md.j2"]
    assert " kit letter " in rows["blocks/signature.md.j2"]  # ur extends imr, which extends letter
    # The kit's citation macro, called for each request, reads the requests' guidelines.
    assert "requests[].guideline.source" in rows["blocks/request-decision.md.j2"]


def test_vars_lists_computed_values_blocks_use_with_readable_types():
    rows = _rows("vars")
    assert "str (computed)" in rows["letter.overall"] and "derived from the items" in rows["letter.overall"]
    assert "str (computed)" in rows["items[].title"]
    assert "str (computed)" in rows["organisation.label"]
    assert "date (computed)" in rows["deadlines.wcab_appeal_by"]
    assert rows["signature.image"].split()[1:3] == ["str", "(optional)"]
    text = "\n".join(rows.values())
    assert "Annotated" not in text and " at 0x" not in text


def test_vars_and_blocks_are_not_cut_when_piped():
    rows = _rows("vars")
    # A long description stays whole, on its field's line.
    assert rows["deadlines.wcab_appeal_by"].rstrip().endswith("when it falls on a weekend or holiday.")
    blocks = _rows("blocks")
    assert blocks["blocks/cover-page.md.j2"].rstrip().endswith("parties.representative")
    assert all(len(line) > 80 for line in (rows["deadlines.wcab_appeal_by"], blocks["blocks/cover-page.md.j2"]))


def test_vars_takes_a_template_folder_and_its_declared_fields(tmp_path):
    (tmp_path / "fields.toml").write_text('[[field]]\nname = "notice_sent"\ntype = "date"\n'
                                          'description = "When the notice was sent."\n')
    rows = _rows("vars", "--templates", str(tmp_path))
    assert "date (optional)" in rows["notice_sent"] and "When the notice was sent." in rows["notice_sent"]
    assert "notice_sent" not in _rows("vars")
