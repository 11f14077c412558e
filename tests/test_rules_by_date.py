"""Rules by date, as an author or a compliance reader meets them: `letterkit rules --on`
lists the rules a letter of that date answers to, and the table says when each is in force.
The UR kit's rules on Independent Medical Review start with SB 863 (July 1, 2013)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from letterkit.cli import app

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
