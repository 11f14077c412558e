"""Rules by date, as an author or a compliance reader meets them: `letterkit rules --on`
lists the rules a letter of that date answers to, and the table says when each is in force.
The UR kit's rules on Independent Medical Review start with SB 863 (July 1, 2013)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app
from letterkit.errors import KitError

IMR_RIGHTS = {"imr-application-enclosed", "imr-statement", "imr-request-30-days"}


def _ids(*arguments: str) -> set[str]:
    result = CliRunner().invoke(app, ["rules", "--kit", "ur", "--json", *arguments])
    return {rule["id"] for rule in json.loads(result.output)}


def test_a_letter_before_july_2013_answers_to_no_imr_rights_rule():
    before, after = _ids("--on", "2013-06-01"), _ids("--on", "2026-06-01")
    assert IMR_RIGHTS <= after
    assert after - before == IMR_RIGHTS
    assert {rule["from"] for rule in json.loads(CliRunner().invoke(app, ["rules", "--kit", "ur", "--json"]).output)
            if rule["id"] in IMR_RIGHTS} == {"2013-07-01"}


def test_the_table_has_an_in_force_column():
    result = CliRunner().invoke(app, ["rules", "--kit", "ur"], env={"COLUMNS": "300"})
    header = result.output.splitlines()[0]
    assert "in force" in header
    line = next(line for line in result.output.splitlines() if line.lstrip().startswith("imr-statement"))
    assert line.rstrip().endswith("from 2013-07-01")
    assert next(line for line in result.output.splitlines()
                if line.lstrip().startswith("records-reviewed")).rstrip().endswith("always")


def test_a_rule_in_force_from_a_day_after_its_last_is_refused_at_kit_load(tmp_path):
    (tmp_path / "kit.toml").write_text('extends = "letter"\nrules = "rules.toml"\n')
    (tmp_path / "rules.toml").write_text('''[[rule]]
id = "names-the-recipient"
citation = "Example Act §1"
statement = "The letter names its recipient."
check = "field"
fields = ["recipient.name"]
from = 2026-07-01
until = 2025-06-30
''')
    letterkit.forget_kits()
    with pytest.raises(KitError) as refused:
        letterkit.load_kit(tmp_path)
    message = str(refused.value)
    assert "rule names-the-recipient" in message and "2026-07-01" in message and "2025-06-30" in message
