"""Case fields declared in a kit.toml (or a template folder's fields.toml), without Python."""

from __future__ import annotations

import io
import json

import docx
import pytest
from conftest import ROOT
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app

runner = CliRunner()
IMR_CASE = ROOT / "examples" / "imr-medications-mixed.yaml"

KIT_TOML = '''extends = "imr"

[[field]]
name = "notice_sent"
type = "date"
required = true
description = "When the notice of the determination was sent."

[[field]]
name = "delivery"
type = "choice"
values = ["mail", "email"]
required = true

[[field]]
name = "hearing_dates"
type = "list of date"
description = "Days of the hearings."
'''

CLOSING = '''{#- The closing, and how and when the notice was sent. -#}
Sincerely,
{: .closing }

This notice was sent by {{ delivery }} on {{ notice_sent | date }}.

{% for day in hearing_dates %}
Hearing on {{ day | date("%m/%d/%Y") }}.

{% endfor %}
'''


@pytest.fixture
def kit(tmp_path):
    folder = tmp_path / "notice"
    (folder / "blocks").mkdir(parents=True)
    (folder / "kit.toml").write_text(KIT_TOML)
    (folder / "blocks" / "closing.md.j2").write_text(CLOSING)
    return folder


def _case(**fields):
    return {**letterkit.read_case(IMR_CASE), **fields}


def test_declared_fields_are_printed_in_every_format_by_a_kit_without_python(kit):
    assert not list(kit.rglob("*.py"))
    case = _case(notice_sent="2016-03-01", delivery="email", hearing_dates=["2016-04-05", "2016-05-06"])
    files = letterkit.render(case, kit=kit, formats=("html", "docx"))
    html = files["html"].decode()
    assert "This notice was sent by email on March 1, 2016." in html
    assert "Hearing on 04/05/2016." in html and "Hearing on 05/06/2016." in html
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(files["docx"])).paragraphs)
    assert "This notice was sent by email on March 1, 2016." in text


def test_a_missing_or_wrong_declared_field_is_an_error_naming_its_path(kit, tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps(_case(delivery="fax", hearing_dates=["2016-04-05", "soon"])))
    result = runner.invoke(app, ["validate", "--kit", str(kit), str(case)])
    assert result.exit_code == 1
    assert "notice_sent: required field is missing" in result.stderr
    assert "delivery: Input should be 'mail' or 'email'" in result.stderr
    assert "hearing_dates[1]: Input should be a valid date" in result.stderr
    assert not list(tmp_path.glob("*.html"))


def test_declared_fields_are_in_the_schema_and_vars(kit):
    schema = json.loads(runner.invoke(app, ["schema", "--kit", str(kit)]).stdout)
    assert schema["properties"]["notice_sent"]["format"] == "date"
    assert schema["properties"]["notice_sent"]["description"] == "When the notice of the determination was sent."
    assert {"notice_sent", "delivery"} <= set(schema["required"])
    assert "hearing_dates" not in schema["required"]
    lines = {l.split()[0]: l for l in runner.invoke(app, ["vars", "--kit", str(kit)]).stdout.splitlines() if l.strip()}
    assert "date" in lines["notice_sent"] and "When the notice of the determination was sent." in lines["notice_sent"]
    assert "'mail' | 'email'" in lines["delivery"]
    assert "list[date]" in lines["hearing_dates"]


def test_the_extended_model_keeps_the_kits_computed_values(kit):
    letter = letterkit.validate(_case(notice_sent="2016-03-01", delivery="mail"), letterkit.load_kit(kit))
    assert letter.overall == "mixed"
    assert letter.hearing_dates == []


@pytest.mark.parametrize("declaration, message", [
    ('name = "sent"\ntype = "datum"', "field[0] 'sent': type: 'datum': choose one of text, rich text, date"),
    ('name = "delivery"\ntype = "choice"', "field[0] 'delivery': a choice needs its values"),
    ('name = "sent"\ntype = "date"\nrequird = true', "field[0] 'sent': unknown key 'requird'"),
    ('name = "Sent Date"\ntype = "date"', "field[0] 'Sent Date': name: 'Sent Date': use lowercase letters"),
    ('name = "letter_date"\ntype = "date"', "field 'letter_date' is already a field or computed value"),
    ('name = "overall"\ntype = "text"', "field 'overall' is already a field or computed value"),
])
def test_a_mistaken_declaration_is_one_line_naming_the_kit_file(tmp_path, declaration, message):
    (tmp_path / "kit.toml").write_text(f'extends = "imr"\n\n[[field]]\n{declaration}\n')
    result = runner.invoke(app, ["vars", "--kit", str(tmp_path)])
    assert result.exit_code == 1
    assert message in result.stderr and "kit.toml" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_template_folder_declares_fields_for_its_blocks(tmp_path):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "fields.toml").write_text('[[field]]\nname = "notice_sent"\ntype = "date"\nrequired = true\n')
    (tmp_path / "blocks" / "closing.md.j2").write_text(CLOSING.replace("by {{ delivery }} ", "").split("{% for")[0])
    html = letterkit.render(_case(notice_sent="2016-03-01"), templates=(tmp_path,), formats=("html",))["html"]
    assert b"This notice was sent on March 1, 2016." in html
    with pytest.raises(letterkit.LetterkitError, match="notice_sent: required field is missing"):
        letterkit.validate(_case(), letterkit.load_kit("imr", templates=(tmp_path,)))
    # The kit alone is unchanged: the folder's field belongs to letters rendered with it.
    assert "notice_sent" not in letterkit.load_kit("imr").model.model_fields


def test_new_kit_extends_the_imr_model_with_a_declared_field(tmp_path):
    folder = tmp_path / "imr-notice"
    result = runner.invoke(app, ["new-kit", str(folder), "--extends", "imr"])
    assert result.exit_code == 0, result.output
    assert not list(folder.rglob("*.py"))
    assert runner.invoke(app, ["lint", "--kit", str(folder)]).exit_code == 0
    html = letterkit.render(_case(notice_sent="2026-01-15"), kit=folder, formats=("html",))["html"].decode()
    assert "This notice was sent on January 15, 2026." in html
    assert "IMR Case Number:" in html  # the IMR letter, whole: its blocks, rules and deadlines
    without = letterkit.render(_case(), kit=folder, formats=("html",))["html"].decode()
    assert "This notice was sent" not in without


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "[1, .nan]"])
def test_a_number_that_is_not_finite_is_refused_with_its_field_path(tmp_path, value):
    field, result = _validate_number(tmp_path, value)
    assert result.exit_code == 1
    assert f"{field}: {'[1] ' if field == 'doses' else ''}is " in result.stderr and "finite number" in result.stderr


@pytest.mark.parametrize("name", ["letter", "self", "deadlines", "address", "table", "range", "loop", "kit"])
def test_a_field_that_would_hide_a_name_the_blocks_use_is_refused_at_kit_load(tmp_path, name):
    # Each broke every letter of the kit with a TypeError or "'NoneType' object is not callable".
    (tmp_path / "kit.toml").write_text(f'extends = "imr"\n\n[[field]]\nname = "{name}"\ntype = "text"\n')
    with pytest.raises(letterkit.KitError, match=rf"kit\.toml: field '{name}' would hide .*choose another name"):
        letterkit.load_kit(str(tmp_path))


@pytest.mark.parametrize("value, why", [("true", "must be a number"), ('"12"', "must be a number"),
                                        ("-0.0", "is -0"), ("1.0e+21", "too large a number"),
                                        ("[1, '2']", "must be a number")])
def test_a_number_field_takes_numbers_only(tmp_path, value, why):
    field, result = _validate_number(tmp_path, value)
    assert result.exit_code == 1
    assert f"{field}{'[1]' if field == 'doses' else ''}: " in result.stderr and why in result.stderr


def test_ordinary_numbers_still_validate(tmp_path):
    (tmp_path / "fields.toml").write_text('[[field]]\nname = "doses"\ntype = "list of number"\n')
    case = tmp_path / "case.yaml"
    case.write_text(IMR_CASE.read_text() + "doses: [0, 3, 2.5, -4, 123456789012345]\n")
    result = runner.invoke(app, ["validate", str(case), "--templates", str(tmp_path)])
    assert result.exit_code == 0, result.stderr


def _validate_number(tmp_path, value: str):
    """`letterkit validate` of the IMR case with a declared number field ("dose"), or a list
    of them ("doses", when `value` is a YAML list), holding `value`: (the field, the result)."""
    (tmp_path / "fields.toml").write_text('[[field]]\nname = "dose"\ntype = "number"\n'
                                          '[[field]]\nname = "doses"\ntype = "list of number"\n')
    case = tmp_path / "case.yaml"
    field = "doses" if value.startswith("[") else "dose"
    case.write_text(IMR_CASE.read_text() + f"{field}: {value}\n")
    return field, runner.invoke(app, ["validate", str(case), "--templates", str(tmp_path)])
