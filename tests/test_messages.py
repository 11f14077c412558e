"""Messages as an author meets them on the terminal: an unknown field says which one was
meant, a rule on two fields of a missing group says so once, and every bad Word style of a
kit is reported, not only the first."""

from __future__ import annotations

import yaml
from typer.testing import CliRunner

from letterkit.cli import app

KIT_TOML = '''extends = "letter"
rules = "rules.toml"

[[field]]
name = "plan"
type = "group"
  [[field.field]]
  name = "name"
  type = "text"
  [[field.field]]
  name = "phone"
  type = "text"

[[field]]
name = "denied"
type = "list of group"
  [[field.field]]
  name = "reason"
  type = "text"
'''

RULES = '''[[rule]]
id = "plan-named"
citation = "29 CFR 2560.503-1(g)(1)"
statement = "The notice names the plan and its telephone number."
check = "field"
fields = ["plan.name", "plan.phone"]
'''

CASE = {"letter_date": "2026-03-02", "organisation": {"name": "Example Health Plan"},
        "recipient": {"name": "Pat Member"}}


def _validate(tmp_path, case: dict, *options: str) -> list[str]:
    (tmp_path / "kit.toml").write_text(KIT_TOML)
    (tmp_path / "rules.toml").write_text(RULES)
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(case))
    result = CliRunner().invoke(app, ["validate", "--kit", str(tmp_path), *options, str(tmp_path / "case.yaml")])
    return [line for line in result.output.splitlines() if line.startswith("error")]


def test_an_unknown_field_says_which_was_meant(tmp_path):
    lines = _validate(tmp_path, {**CASE, "denied": [{"reason": "x"}, {"reson": "y"}]})
    assert len(lines) == 1
    assert lines[0].endswith("denied[1].reson: unknown field (not in the kit's model; see `letterkit schema`); "
                             "did you mean reason?")


def test_a_rule_on_two_fields_of_a_missing_group_says_so_once(tmp_path):
    lines = _validate(tmp_path, CASE, "--strict")
    assert len(lines) == 1, lines
    assert "plan: has no value" in lines[0]


def test_every_bad_word_style_is_reported(tmp_path):
    (tmp_path / "kit.toml").write_text('extends = "letter"\n[[style]]\nclass = "a"\nsize = 200\n'
                                       '[[style]]\nclass = "b"\ncolour = "FF0000"\n'
                                       '[[style]]\nclass = "c"\nborder = "dotted"\n')
    result = CliRunner().invoke(app, ["lint", "--kit", str(tmp_path)])
    lines = [line for line in result.output.splitlines() if line.startswith("error")]
    assert result.exit_code == 1
    assert [line.split(": ")[1] for line in lines] == ["style[0] 'a'", "style[1] 'b'", "style[2] 'c'"]
    assert "unknown key 'colour'; did you mean color?" in lines[1]
