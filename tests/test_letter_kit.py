"""The neutral `letter` kit: what every family builds on, with no Python and no rules."""

from __future__ import annotations

import io

import docx
import pytest
from conftest import ROOT
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app

runner = CliRunner()


def _case(**more) -> dict:
    return {"letter_date": "2026-01-15", "organisation": {"name": "Example Health Plan"},
            "recipient": {"name": "Jordan Example"}, **more}


def test_the_letter_kit_has_no_python_and_no_rules():
    kit = letterkit.load_kit("letter")
    assert not list((ROOT / "templates" / "letter").rglob("*.py"))
    assert kit.rules == ()
    assert ({"letter_date", "organisation", "recipient", "subject", "body", "signature", "cc"}
            <= set(kit.model.model_fields))


def test_a_letter_of_the_letter_kit_renders_in_every_format():
    files = letterkit.render(_case(subject="Your request", body="We have **received** it.", cc=[{"name": "File"}]),
                             kit="letter")
    page = files["html"].decode()
    assert "Dear Jordan Example:" in page and "<strong>received</strong>" in page and "Sincerely," in page
    text = [p.text for p in docx.Document(io.BytesIO(files["docx"])).paragraphs]
    assert "Your request" in text and "Example Health Plan" in "\n".join(text)


def test_imr_and_ur_are_families_on_the_letter_kit():
    assert [folder.name for folder in letterkit.load_kit("imr").search_path] == ["imr", "letter"]
    assert letterkit.load_kit("ur").path("blocks/letterhead.md.j2").parent.parent.name == "letter"


def _kit_on_ur(tmp_path, kit_toml: str, rules: str | None = None):
    kit = tmp_path / "ur-local"
    kit.mkdir()
    (kit / "kit.toml").write_text('extends = "ur"\n' + kit_toml)
    if rules is not None:
        (kit / "rules.toml").write_text(rules)
    return kit


def test_a_kit_inherits_the_rules_of_the_kit_it_extends(tmp_path):
    kit = letterkit.load_kit(_kit_on_ur(tmp_path, ""))
    assert [rule.id for rule in kit.rules] == [rule.id for rule in letterkit.load_kit("ur").rules]


def test_a_kit_drops_and_replaces_inherited_rules_by_id(tmp_path):
    replaced = ('[[rule]]\nid = "reviewer-available"\ncitation = "Local policy 7"\n'
                'statement = "The reviewer\'s telephone number is printed."\ncheck = "field"\n'
                'fields = ["reviewer.phone"]\nprinted = true\n')
    kit = letterkit.load_kit(_kit_on_ur(tmp_path, 'rules = "rules.toml"\ndrop_rules = ["imr-request-30-days"]\n',
                                        replaced))
    ids = [rule.id for rule in kit.rules]
    assert "imr-request-30-days" not in ids and ids.count("reviewer-available") == 1
    assert next(rule for rule in kit.rules if rule.id == "reviewer-available").citation == "Local policy 7"
    assert len(ids) == len(letterkit.load_kit("ur").rules) - 1


def test_dropping_a_rule_that_is_not_inherited_is_refused_naming_it(tmp_path):
    with pytest.raises(letterkit.KitError, match=r"kit.toml: drop_rules names 'no-such-rule', which is no rule"):
        letterkit.load_kit(_kit_on_ur(tmp_path, 'drop_rules = ["no-such-rule"]\n'))


def test_new_kit_writes_a_family_on_the_letter_kit_with_no_python(tmp_path):
    folder = tmp_path / "coverage-notice"
    assert runner.invoke(app, ["new-kit", str(folder)]).exit_code == 0
    assert not list(folder.rglob("*.py"))
    kit = letterkit.load_kit(folder)
    assert [path.name for path in kit.search_path] == ["coverage-notice", "letter"]
    page = letterkit.render(letterkit.read_case(folder / "example.yaml"), kit=folder, formats=("html",))["html"]
    assert b"Your request has been denied:" in page and b"Physical therapy, 12 visits" in page


def test_a_declared_field_that_the_letter_has_already_is_refused_naming_the_kit(tmp_path):
    (tmp_path / "kit.toml").write_text('extends = "letter"\n[[field]]\nname = "language"\ntype = "text"\n')
    with pytest.raises(letterkit.KitError, match=rf"{tmp_path / 'kit.toml'}: field 'language' is already a field"):
        letterkit.load_kit(tmp_path)


def test_a_block_rule_a_kit_inherits_names_its_kit_and_how_to_drop_it(tmp_path):
    kit = _kit_on_ur(tmp_path, 'letter = "letter.md.j2"\n')
    (kit / "letter.md.j2").write_text("Title: A short UR letter\n\n{% include \"blocks/ur-opening.md.j2\" %}\n")
    with pytest.raises(letterkit.KitError) as error:
        letterkit.load_kit(kit)
    message = str(error.value)
    assert "rule letter-parts (8 CCR §9792.9.1(e)(5)) of kit 'ur': the letter of kit 'ur-local' leaves out" in message
    assert f'drop_rules = ["letter-parts"] in {kit / "kit.toml"}' in message
    (kit / "kit.toml").write_text((kit / "kit.toml").read_text() + 'drop_rules = ["letter-parts"]\n')
    letterkit.forget_kits()
    assert "letter-parts" not in [rule.id for rule in letterkit.load_kit(kit).rules]
