"""Kits' legal rules: each rule of the UR and IMR kits broken once (by a case or a
block without the element) and met by the kits' own examples, in every format."""

from __future__ import annotations

import json

import pytest
from author_kit import LETTER_CASE, write_kit
from conftest import EXAMPLES, ROOT
from extract import EXTRACT, words
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app
from letterkit.readability import flesch_kincaid_grade

runner = CliRunner()
UR_EXAMPLE = ROOT / "examples" / "ur" / "ur-chiropractic-modified.yaml"
IMR_EXAMPLE = ROOT / "examples" / "imr-medications-mixed.yaml"


def _edited_block(folder, kit, name, old, new):
    """A template folder holding the kit's block `name` with `old` replaced by `new`."""
    source = letterkit.load_kit(kit).files.read_text(name)
    assert old in source, f"{name} no longer holds {old!r}: the test would not break anything"
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source.replace(old, new))


def _set(case, path, value):
    *parents, last = path.split(".")
    for part in parents:
        case = case[part]
    if callable(value):
        value(case[last])
    elif value is None:
        case.pop(last)
    else:
        case[last] = value


# rule id: (case edits {path: value, None to remove, or a function that edits it},
#           block edits [(block, old, new)])
UR_BREAKS = {
    "decision-within-5-business-days": ({"claim.request_received": "2013-11-01"}, []),
    # Dates the letter reports, after it (kit.toml's before_letter); the decision still within 5 days
    "claim.date-of-injury-before-letter": ({"claim.date_of_injury": "9999-12-31"}, []),
    "decision-date-before-letter": ({"claim.request_received": "2013-11-20", "decision_date": "2013-11-22"}, []),
    "documents-reviewed.date-before-letter": ({"documents_reviewed": lambda records: records[1].update(
        date="2013-11-22")}, []),
    "documents-reviewed.date-to-before-letter": ({"documents_reviewed": lambda records: records[1].update(
        date_to="2014-01-01")}, []),
    "dates-received-and-decided": ({"decision_date": "2013-11-20"}, [
        ("blocks/ur-opening.md.j2", '<br>**Date of Decision:** {{ decision_date | date("short") }}', ""),
        ("blocks/ur-opening.md.j2", ", and decided it on {{ decision_date | date }}", "")]),
    "treatment-requested": ({}, [
        ("blocks/request-decision.md.j2", "## {{ request.description }}: ", "## "),
        ("blocks/ur-opening.md.j2", "| {{ request.description }} |", "| a treatment |")]),
    "approved-if-modified": ({}, [("blocks/request-decision.md.j2", "Approved instead: ", "")]),
    "records-reviewed": ({"documents_reviewed": []}, []),
    "reasons-per-request": ({}, [("blocks/request-decision.md.j2", "**Reasons for the decision:** ", "")]),
    "criteria-per-request": ({}, [("blocks/request-decision.md.j2", "Criteria or guideline used: ", "Guideline: ")]),
    "imr-application-enclosed": ({}, [("blocks/ur-closing.md.j2", "Enclosure: Application", "Application")]),
    "imr-statement": ({}, [("blocks/imr-rights.md.j2", "under California Labor Code sections 4610.5 and 4610.6",
                            "under state law")]),
    "imr-request-30-days": ({}, [("blocks/imr-rights.md.j2", "within 30 days of service of this decision", "soon")]),
    "imr-request-deadline": ({}, [("blocks/imr-rights.md.j2", "{{ deadlines.imr_request_by | date }}", "soon")]),
    "information-and-assistance": ({}, [("blocks/information-assistance.md.j2", "call toll-free 1-800-736-7401",
                                         "call the DWC")]),
    "attorney-language": ({}, [("blocks/information-assistance.md.j2", "please contact your attorney instead of me",
                                "call us")]),
    "claims-adjuster-named": ({"claims_adjuster": None}, []),
    "internal-appeal-voluntary": ({}, [("blocks/internal-appeal.md.j2", "This internal appeal is voluntary",
                                        "Use it")]),
    "reviewer-named": ({"reviewer.name": None}, []),
    "reviewer-available": ({"reviewer.phone": None}, []),
    "signed-closing": ({"signature.name": None}, []),
}
IMR_BREAKS = {
    "rationale-per-item": ({}, [("blocks/disputed-item.md.j2", "**Decision rationale:** ", "")]),
    "standards-relied-on": ({"items": lambda items: [item["guideline"].update(source="Unprinted Guidelines")
                                                     for item in items]},
                            [("blocks/disputed-item.md.j2", 'Decision based on {{ citation(item.guideline) }}',
                              "see the file")]),
    "documents-reviewed": ({"documents_reviewed": []}, []),
    "appeal-rights-citation": ({}, [("blocks/appeal-rights.md.j2", "California Labor Code section 4610.6(h)",
                                     "state law")]),
    "wcab-appeal-deadline": ({}, [("blocks/appeal-rights.md.j2", "{{ deadlines.wcab_appeal_by | date }}", "soon")]),
    "case.date-of-injury-before-letter": ({"case.date_of_injury": "9999-12-31"}, []),
    "case.ur-determination-date-before-letter": ({"case.ur_determination_date": "2016-03-05"}, []),
    "case.application-received-before-letter": ({"case.application_received": "2016-03-05"}, []),
    "documents-reviewed.date-before-letter": ({"documents_reviewed": lambda records: records[0].update(
        date="2016-03-05")}, []),
    "documents-reviewed.date-to-before-letter": ({"documents_reviewed": lambda records: records[2].update(
        date_to="2016-03-05")}, []),
}
# Block rules: the letter template (or the block that includes it) leaves the block out.
BLOCK_BREAKS = {
    ("ur", "letter-parts"): ("letter.md.j2", '{% include "blocks/reviewer-contact.md.j2" %}', ""),
    ("imr", "how-determination-was-made"): ("letter.md.j2", '{% include "blocks/how-determination-was-made.md.j2" %}',
                                            ""),
    ("imr", "decision-per-item"): ("blocks/decisions.md.j2", '{% include "blocks/disputed-item.md.j2" %}', ""),
    ("imr", "appeal-rights"): ("letter.md.j2", '{% include "blocks/appeal-rights.md.j2" %}', ""),
}


def _case_rules(kit):
    return {rule.id for rule in letterkit.load_kit(kit).rules if rule.check != "block"}


def test_every_rule_of_the_built_in_kits_has_a_test_that_breaks_it():
    assert set(UR_BREAKS) == _case_rules("ur")
    assert set(IMR_BREAKS) == _case_rules("imr")
    block_rules = {(kit, rule.id) for kit in ("ur", "imr") for rule in letterkit.load_kit(kit).rules
                   if rule.check == "block"}
    assert set(BLOCK_BREAKS) == block_rules


@pytest.mark.parametrize("kit, example, rule_id, case_edits, block_edits", [
    *(("ur", UR_EXAMPLE, rule_id, *edits) for rule_id, edits in UR_BREAKS.items()),
    *(("imr", IMR_EXAMPLE, rule_id, *edits) for rule_id, edits in IMR_BREAKS.items()),
], ids=lambda value: value if isinstance(value, str) else None)
def test_a_letter_without_the_element_breaks_the_rule(tmp_path, kit, example, rule_id, case_edits, block_edits):
    case = letterkit.read_case(example)
    for path, value in case_edits.items():
        _set(case, path, value)
    for name, old, new in block_edits:
        target = tmp_path / name
        if target.exists():  # a second edit of the same block
            target.write_text(target.read_text().replace(old, new))
        else:
            _edited_block(tmp_path, kit, name, old, new)
    loaded = letterkit.load_kit(kit, (str(tmp_path),) if block_edits else ())
    broken = {failure.rule.id for failure in letterkit.check_rules(case, loaded)}
    assert broken == {rule_id}
    with pytest.raises(letterkit.RuleError) as raised:
        letterkit.render(case, loaded, formats=("html",), strict=True)
    rule = next(r for r in loaded.rules if r.id == rule_id)
    assert all(f"rule {rule_id} ({rule.citation})" in line for line in raised.value.lines())


@pytest.mark.parametrize("kit, rule_id", sorted(BLOCK_BREAKS))
def test_a_letter_template_without_a_required_block_is_refused_naming_the_rule(tmp_path, kit, rule_id):
    name, old, new = BLOCK_BREAKS[(kit, rule_id)]
    _edited_block(tmp_path, kit, name, old, new)
    with pytest.raises(letterkit.KitError, match=f"rule {rule_id} \\("):
        letterkit.load_kit(kit, (str(tmp_path),))


def test_imr_rules_about_the_imr_do_not_apply_when_everything_is_approved():
    case = letterkit.read_case(UR_EXAMPLE)
    case["requests"][0].update(decision="Approved", modification=None)
    assert letterkit.check_rules(case, letterkit.load_kit("ur")) == []
    page = letterkit.render(case, kit="ur", formats=("html",), strict=True)["html"].decode()
    assert "Enclosure" not in page and "INDEPENDENT MEDICAL REVIEW" not in page


def test_a_decision_on_the_fifth_business_day_across_a_holiday_is_timely():
    case = letterkit.read_case(UR_EXAMPLE)
    # Received Wednesday before Thanksgiving 2015: Thursday and Friday are holidays.
    case["claim"]["request_received"] = "2015-11-25"
    case["decision_date"] = case["letter_date"] = "2015-12-04"
    kit = letterkit.load_kit("ur")
    assert [f.rule.id for f in letterkit.check_rules(case, kit)] == []
    case["decision_date"] = case["letter_date"] = "2015-12-07"
    assert [f.rule.id for f in letterkit.check_rules(case, kit)] == ["decision-within-5-business-days"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_imr_examples_meet_every_rule(example):
    assert letterkit.check_rules(letterkit.read_case(example), letterkit.load_kit("imr")) == []


UR_MANDATORY = [
    "Request Received: 11/14/2013", "Date of Decision: 11/21/2013",
    "Approved instead: Chiropractic treatment, 6 sessions over 2 weeks (initial trial)",
    "Criteria or guideline used:", "Reasons for the decision:", "RECORDS REVIEWED",
    "This decision was made by Miriam Kessler, DC, specialty Chiropractic.",
    "at (626) 555-0188, Mondays to Fridays, 9 a.m. to 11 a.m. Pacific time",
    "Independent Medical Review under California Labor Code sections 4610.5 and 4610.6",
    "within 30 days of service of this decision", "the last day is December 23, 2013",
    "This internal appeal is voluntary",
    "please call me (Dana Whitfield) at (626) 555-0150. However, if you are represented by an "
    "attorney, please contact your attorney instead of me.",
    "For recorded information and a list of offices, call toll-free 1-800-736-7401.",
    "Robert Alvarez, MD", "Enclosure: Application for Independent Medical Review (DWC Form IMR)",
    "cc: Luis Orozco",
]


@pytest.fixture(scope="module")
def ur_letter():
    return letterkit.render(letterkit.read_case(UR_EXAMPLE), kit="ur", strict=True)


@pytest.mark.parametrize("format", ("html", "pdf", "docx"))
def test_the_ur_example_passes_strict_and_says_every_mandatory_phrase(ur_letter, format):
    text = " ".join(words(EXTRACT[format](ur_letter[format])))
    missing = [phrase for phrase in UR_MANDATORY if " ".join(phrase.split()) not in text]
    assert missing == []


def test_strict_render_writes_no_file_and_reports_one_line_per_failure(tmp_path):
    case = letterkit.read_case(UR_EXAMPLE)
    del case["reviewer"]["name"], case["signature"]["name"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(case, default=str))
    result = runner.invoke(app, ["render", str(bad), "--kit", "ur", "--strict", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert lines == [
        f"error {bad}: rule reviewer-named (8 CCR §9792.9.1(e)(5)): reviewer.name: has no value; "
        "The letter gives the reviewer's name and specialty.",
        f"error {bad}: rule signed-closing (8 CCR §9792.9.1(e)(5)): signature.name: has no value; "
        "The letter closes with the name and title of the person who signs it for the organisation.",
    ]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    # Without --strict the same case renders: the rules are what --strict adds.
    lenient = runner.invoke(app, ["render", str(bad), "--kit", "ur", "-f", "html", "-o", str(tmp_path / "out")])
    assert lenient.exit_code == 0


@pytest.mark.slow  # lays out every example's PDF and DOCX, to judge what a reader sees
def test_validate_strict_passes_the_examples_and_warns_about_reading_grade():
    result = runner.invoke(app, ["validate", "--strict", *map(str, EXAMPLES)])
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning")]
    assert warnings and all("reading grade" in line and "above the kit's 12" in line for line in warnings)
    assert runner.invoke(app, ["validate", "--strict", "--kit", "ur", str(UR_EXAMPLE)]).exit_code == 0


def test_reading_grade_rises_with_long_words_and_long_sentences():
    plain = "The pain is better. You can walk. The visits help you."
    dense = ("Comprehensive multidisciplinary rehabilitation necessitates documented objective "
             "functional improvement, demonstrated longitudinally, before additional authorization.")
    assert flesch_kincaid_grade(plain) < 4 < 12 < flesch_kincaid_grade(dense)


def test_rules_command_lists_every_rule_as_a_table_and_as_json():
    table = runner.invoke(app, ["rules", "--kit", "ur"])
    assert table.exit_code == 0
    listed = runner.invoke(app, ["rules", "--kit", "ur", "--json"])
    rules = json.loads(listed.stdout)
    assert {rule["id"] for rule in rules} == {rule.id for rule in letterkit.load_kit("ur").rules}
    assert all(rule["id"] in table.stdout for rule in rules)
    assert {"id", "citation", "statement", "check"} <= set(rules[0])


@pytest.mark.parametrize("text, message", [
    ('[[rule]]\nid = "x"\ncitation = "c"\nstatement = "s"\ncheck = "python"\n', "rule x: "),
    ('[[rule]]\nid = "x"\ncitation = "c"\nstatement = "s"\ncheck = "phrase"\n', "rule x: phrase"),
    ('[[rule]]\nid = "x"\ncitation = "c"\nstatement = "s"\ncheck = "field"\nfields = ["a"]\ncode = "1"\n',
     "rule x: code"),
])
def test_a_bad_rules_file_is_refused_naming_the_rule_and_key(tmp_path, text, message):
    kit = tmp_path / "kit"
    runner.invoke(app, ["new-kit", str(kit)])
    (kit / "rules.toml").write_text(text)
    (kit / "kit.toml").write_text('rules = "rules.toml"\n' + (kit / "kit.toml").read_text())
    with pytest.raises(letterkit.KitError, match=message):
        letterkit.load_kit(kit)


def test_a_rule_naming_a_field_the_case_lacks_is_the_kits_mistake(tmp_path):
    kit = tmp_path / "kit"
    runner.invoke(app, ["new-kit", str(kit)])
    (kit / "rules.toml").write_text('[[rule]]\nid = "x"\ncitation = "c"\nstatement = "s"\n'
                                    'check = "field"\nfields = ["no_such_field"]\n')
    (kit / "kit.toml").write_text('rules = "rules.toml"\n' + (kit / "kit.toml").read_text())
    with pytest.raises(letterkit.KitError, match="no_such_field"):
        letterkit.check_rules(letterkit.read_case(kit / "example.yaml"), letterkit.load_kit(kit))


def test_required_blocks_in_an_older_kit_still_works_as_a_block_rule(tmp_path):
    kit = tmp_path / "kit"
    runner.invoke(app, ["new-kit", str(kit)])
    (kit / "kit.toml").write_text('required_blocks = ["blocks/body.md.j2"]\n' + (kit / "kit.toml").read_text())
    loaded = letterkit.load_kit(kit)
    assert [rule.id for rule in loaded.rules] == ["required-blocks"]
    assert letterkit.check_rules(letterkit.read_case(kit / "example.yaml"), loaded) == []
    letter = (ROOT / "templates" / "letter" / "letter.md.j2").read_text()
    (kit / "letter.md.j2").write_text(letter.replace("blocks/body.md.j2", "blocks/other.md.j2"))
    (kit / "blocks" / "other.md.j2").write_text("Other.\n")
    letterkit.forget_kits()
    with pytest.raises(letterkit.KitError, match="rule required-blocks .*blocks/body.md.j2"):
        letterkit.load_kit(kit)


def test_a_rule_may_name_the_fields_of_a_copy_recipient(tmp_path):
    """`cc` is a list of parties each read through a validator (`Annotated[Party, …]`):
    a rule naming `cc[*].name` was refused as naming no field, and a case's misspelt
    field there had no "did you mean"."""
    kit = write_kit(tmp_path / "kit", {
        "kit.toml": 'extends = "letter"\nrules = "rules.toml"\n',
        "rules.toml": '[[rule]]\nid = "copies-named"\ncitation = "Local policy 3"\n'
                      'statement = "The letter names who gets a copy."\ncheck = "field"\n'
                      'fields = ["cc[*].name", "cc[*].organisation"]\nprinted = true\n'})
    case = LETTER_CASE | {"cc": [{"name": "Dana Lee", "organisation": "Lee Law"}]}
    assert letterkit.check_rules(case, letterkit.load_kit(kit)) == []
    with pytest.raises(letterkit.CaseError) as refused:
        letterkit.validate(LETTER_CASE | {"cc": [{"nmae": "Dana Lee"}]}, letterkit.load_kit(kit))
    assert ("cc[0].nmae", "unknown field (not in the kit's model; see `letterkit schema`); did you mean name?") \
        in refused.value.problems
