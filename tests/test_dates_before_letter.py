"""Dates a letter reports come before it: a date of injury of 9999-12-31, or a UR decision
dated after the letter, is refused by `--strict`, naming the field. A kit says which
dates in its kit.toml (`before_letter`); the built-in kits say it for theirs."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import ROOT
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app

IMR = ROOT / "examples" / "imr-medications-mixed.yaml"  # letter_date: 2016-03-04
UR = ROOT / "examples" / "ur" / "ur-chiropractic-modified.yaml"  # letter_date: 2013-11-21
ADVERSE = ROOT / "examples" / "adverse-benefit" / "abd-lumbar-mri.yaml"  # letter_date: 2026-03-02


def _set(case: dict, path: str, value: str) -> dict:
    *parents, name = path.replace("[", ".").replace("]", "").split(".")
    holder = case
    for part in parents:
        holder = holder[int(part)] if part.isdigit() else holder[part]
    holder[name] = value
    return case


IMPOSSIBLE = [  # (example, field path, date, the letter's date)
    (IMR, "case.date_of_injury", "9999-12-31", "2016-03-04"),
    (IMR, "case.ur_determination_date", "2016-03-05", "2016-03-04"),
    (IMR, "documents_reviewed[2].date_to", "2017-01-08", "2016-03-04"),
    (UR, "decision_date", "2013-11-22", "2013-11-21"),
    (UR, "claim.date_of_injury", "9999-12-31", "2013-11-21"),
    (ADVERSE, "claim.date_of_service", "9999-12-31", "2026-03-02"),
]


@pytest.mark.parametrize("command", ["validate", "render"])
@pytest.mark.parametrize("example, path, day, letter_date", IMPOSSIBLE, ids=[row[1] for row in IMPOSSIBLE])
def test_strict_refuses_a_reported_date_after_the_letter_naming_the_field(
        tmp_path, command, example, path, day, letter_date):
    case = tmp_path / "case.json"
    case.write_text(json.dumps(_set(yaml.safe_load(example.read_text()), path, day), default=str))
    options = ["-f", "html", "-o", str(tmp_path / "out")] if command == "render" else []
    result = CliRunner().invoke(app, [command, str(case), "--strict", *options])
    assert result.exit_code == 1, result.output
    assert f"{path}: {day} is after letter_date {letter_date}" in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    assert CliRunner().invoke(app, ["validate", str(case)]).exit_code == 0  # without --strict, as before


def test_a_kit_of_its_own_says_which_dates_come_before_its_letters(tmp_path):
    (tmp_path / "kit.toml").write_text('''extends = "letter"
before_letter = ["notice_sent"]

[[field]]
name = "notice_sent"
type = "date"
''')
    case = {"letter_date": "2026-05-20", "organisation": {"name": "Example Health Plan"},
            "recipient": {"name": "Pat Member"}, "notice_sent": "2026-05-21"}
    letterkit.forget_kits()
    with pytest.raises(letterkit.CaseError, match="notice_sent: 2026-05-21 is after letter_date 2026-05-20"):
        letterkit.render(case, kit=tmp_path, formats=("html",), strict=True)
    assert letterkit.render({**case, "notice_sent": "2026-05-20"}, kit=tmp_path, formats=("html",), strict=True)


def test_a_date_the_kit_names_that_its_case_lacks_is_refused_at_kit_load(tmp_path):
    (tmp_path / "kit.toml").write_text('extends = "letter"\nbefore_letter = ["notice_sent"]\n')
    letterkit.forget_kits()
    with pytest.raises(letterkit.KitError, match="notice_sent"):
        letterkit.load_kit(tmp_path)
