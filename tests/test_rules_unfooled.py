"""Rule checks that a letter cannot fool: only the kit's own words that a reader sees
meet a rule — never a case's text, never text a stylesheet hides — and every way a
rule check can go wrong is one line, not a traceback."""

from __future__ import annotations

import copy

import docx
import pytest
import yaml
from conftest import ROOT
from docx.enum.style import WD_STYLE_TYPE
from extract import EXTRACT, words
from test_rules import UR_EXAMPLE, _edited_block
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app
from letterkit.visibility import of_presentation

runner = CliRunner()
IMR_EXAMPLE = ROOT / "examples" / "imr-chiropractic-initial-trial.yaml"
CITATION = "California Labor Code section 4610.6(h)"


def _ids(failures) -> set[str]:
    return {failure.rule.id for failure in failures}


def _careless_appeal_rights(folder):
    """A template folder whose appeal rights drop the citation and print the letter's
    date where the last day to appeal should be."""
    _edited_block(folder, "imr", "blocks/appeal-rights.md.j2", "Under California Labor Code section 4610.6(h), it",
                  "It")
    target = folder / "blocks" / "appeal-rights.md.j2"
    target.write_text(target.read_text().replace("{{ deadlines.wcab_appeal_by | date }}", "{{ letter_date | date }}"))


def _forged(case: dict, kit) -> dict:
    """The case with the phrase and the true last day to appeal typed into its clinical summary."""
    due = letterkit.rules.deadlines(letterkit.validate(case, kit), kit.rules, kit.calendars)["wcab_appeal_by"]
    forged = copy.deepcopy(case)
    forged["clinical_summary"] += f"\n\nThe patient read {CITATION} on {due:%B %-d, %Y}."
    return forged


def test_case_text_does_not_meet_the_rules_a_block_left_unmet(tmp_path):
    _careless_appeal_rights(tmp_path)
    kit = letterkit.load_kit("imr", (str(tmp_path),))
    case = letterkit.read_case(IMR_EXAMPLE)
    assert _ids(letterkit.check_rules(case, kit)) == {"appeal-rights-citation", "wcab-appeal-deadline"}
    forged = _forged(case, kit)
    page = letterkit.render(forged, kit, formats=("html",))["html"].decode()
    assert CITATION in page, "the forged words are in the letter, where they must not count"
    assert _ids(letterkit.check_rules(forged, kit)) == {"appeal-rights-citation", "wcab-appeal-deadline"}
    # ...and the same words in a genuine letter break nothing.
    assert letterkit.check_rules(_forged(case, letterkit.load_kit("imr")), letterkit.load_kit("imr")) == []


def test_a_forged_case_fails_strict_at_the_shell_with_the_rule_ids_and_writes_nothing(tmp_path):
    folder = tmp_path / "mine"
    _careless_appeal_rights(folder)
    case = letterkit.read_case(IMR_EXAMPLE)
    path = tmp_path / "forged.yaml"
    path.write_text(yaml.safe_dump(_forged(case, letterkit.load_kit("imr", (str(folder),)))))
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(path), "--templates", str(folder), "-o", str(out), "--strict"])
    assert result.exit_code == 1, result.output
    assert "rule appeal-rights-citation" in result.stderr and "rule wcab-appeal-deadline" in result.stderr
    assert "Traceback" not in result.stderr and not list(out.glob("*"))


def test_a_short_value_is_printed_only_where_its_own_field_is(tmp_path):
    """claims_adjuster.phone "1", no longer printed by the block: a "1" elsewhere (a
    numbered list, the reviewer's phone) is not the adjuster's phone."""
    case = letterkit.read_case(UR_EXAMPLE)
    case["claims_adjuster"]["phone"] = case["reviewer"]["phone"]
    _edited_block(tmp_path, "ur", "blocks/information-assistance.md.j2", "{{ claims_adjuster.phone }}", "our office")
    kit = letterkit.load_kit("ur", (str(tmp_path),))
    page = letterkit.render(case, kit, formats=("html",))["html"].decode()
    assert case["reviewer"]["phone"] in page
    assert _ids(letterkit.check_rules(case, kit)) == {"claims-adjuster-named"}
    case["claims_adjuster"]["phone"] = "1"
    assert "1" in page and _ids(letterkit.check_rules(case, kit)) == {"claims-adjuster-named"}
    assert letterkit.check_rules(case, letterkit.load_kit("ur")) == []


HIDING = [
    "display: none",
    "visibility: hidden",
    "font-size: 0",
    "font-size: 1px",
    "opacity: 0",
    "color: white",
    "color: #fefefe; background-color: #fff",
    "color: rgba(0, 0, 0, 0)",
    "position: absolute; left: -9999px",
    "text-indent: -10000px",
    "height: 0; overflow: hidden",
    "position: absolute; clip: rect(0 0 0 0)",  # (clip-path: WeasyPrint draws the text: it shows)
    "transform: scale(0)",
]


@pytest.mark.slow  # the PDF and the DOCX are laid out to judge what a reader sees
@pytest.mark.parametrize("declarations", HIDING)
def test_a_phrase_in_a_class_the_stylesheet_hides_does_not_count(tmp_path, declarations):
    _edited_block(tmp_path, "imr", "blocks/appeal-rights.md.j2", "grounds:\n{: .lead-in }", "grounds:\n{: .x-hide }")
    (tmp_path / "extra.css").write_text(f".x-hide {{ {declarations} }}\n")
    kit = letterkit.load_kit("imr", (str(tmp_path),))
    failures = letterkit.check_rules(letterkit.read_case(IMR_EXAMPLE), kit)
    assert _ids(failures) == {"appeal-rights-citation"}
    assert "x-hide" in failures[0].line() and "hide" in failures[0].line()


@pytest.mark.parametrize("declarations", ["display: none", "visibility: hidden", "font-size: 0"])
def test_what_the_rules_call_hidden_the_pdf_does_not_show(tmp_path, declarations):
    """The check agrees with the page: WeasyPrint draws none of the hidden phrase."""
    _edited_block(tmp_path, "imr", "blocks/appeal-rights.md.j2", "grounds:\n{: .lead-in }", "grounds:\n{: .x-hide }")
    (tmp_path / "extra.css").write_text(f".x-hide {{ {declarations} }}\n")
    kit = letterkit.load_kit("imr", (str(tmp_path),))
    pdf = letterkit.render(letterkit.read_case(IMR_EXAMPLE), kit, formats=("pdf",))["pdf"]
    assert words(CITATION) not in words(EXTRACT["pdf"](pdf))


def test_a_style_that_a_kit_uses_to_show_text_is_not_taken_for_hiding():
    for kit in ("imr", "ur"):
        seen = of_presentation(letterkit.load_kit(kit).presentation)
        assert seen.hidden_classes == frozenset() and seen.unclassed == () and seen.word_styles == ()


@pytest.mark.slow
def test_a_phrase_in_a_word_style_marked_hidden_does_not_count(tmp_path):
    """Word hides what the reference DOCX's style hides, whatever the CSS says."""
    _edited_block(tmp_path, "imr", "blocks/appeal-rights.md.j2", "grounds:\n{: .lead-in }", "grounds:\n{: .x-hide }")
    (tmp_path / "extra.css").write_text(".x-hide { margin-top: 1em }\n")
    reference = docx.Document(str(letterkit.load_kit("imr").path("reference.docx")))
    reference.styles.add_style("X Hide", WD_STYLE_TYPE.PARAGRAPH).font.hidden = True
    reference.save(str(tmp_path / "reference.docx"))
    failures = letterkit.check_rules(letterkit.read_case(IMR_EXAMPLE), letterkit.load_kit("imr", (str(tmp_path),)))
    assert _ids(failures) == {"appeal-rights-citation"}
    assert "the Word style 'X Hide' is hidden" in failures[0].line()


@pytest.mark.parametrize("where", [
    '<span class="note" title="California Labor Code section 4610.6(h)">appeal</span>',
    '<img src="images/letterhead.png" alt="California Labor Code section 4610.6(h)">',
])
def test_a_phrase_in_an_attribute_does_not_count(tmp_path, where):
    _careless_appeal_rights(tmp_path)
    target = tmp_path / "blocks" / "appeal-rights.md.j2"
    target.write_text(target.read_text().replace("# APPEAL RIGHTS\n", f"# APPEAL RIGHTS\n\n{where}\n"))
    kit = letterkit.load_kit("imr", (str(tmp_path),))
    assert "appeal-rights-citation" in _ids(letterkit.check_rules(letterkit.read_case(IMR_EXAMPLE), kit))


@pytest.mark.slow
def test_a_stylesheet_that_hides_without_a_class_is_judged_on_what_it_hides(tmp_path):
    """A rule with no class fails the rules whose words it hides, and only those: what
    is drawn is the judge; the stylesheets' reading only names the suspect."""
    (tmp_path / "extra.css").write_text("p { color: black }\n\nblockquote + p:nth-child(3) { display: none }\n")
    assert letterkit.check_rules(letterkit.read_case(IMR_EXAMPLE), letterkit.load_kit("imr", (str(tmp_path),))) == []
    hiding = tmp_path / "hiding"
    hiding.mkdir()
    (hiding / "extra.css").write_text("p { color: black }\n\nh1 + p + p { display: none }\n")
    failures = letterkit.check_rules(letterkit.read_case(IMR_EXAMPLE), letterkit.load_kit("imr", (str(hiding),)))
    assert "appeal-rights-citation" in _ids(failures)
    assert any("extra.css:3: h1 + p + p (display: none)" in f.line() for f in failures)


def test_a_case_cannot_hide_or_forge_with_markup_in_its_rich_text(tmp_path):
    case = letterkit.read_case(IMR_EXAMPLE)
    case["clinical_summary"] += f'\n\n<div class="lead-in">{CITATION}</div>\n\n{{: .lead-in }}'
    _careless_appeal_rights(tmp_path)
    kit = letterkit.load_kit("imr", (str(tmp_path),))
    page = letterkit.render(case, kit, formats=("html",))["html"].decode()
    assert "&lt;div class=&quot;lead-in&quot;&gt;" in page or '&lt;div class="lead-in"&gt;' in page
    assert "appeal-rights-citation" in _ids(letterkit.check_rules(case, kit))


def _rich_rule_kit(tmp_path, summary_block: str | None = None):
    """A kit that asks for the clinical summary, rich text, to be printed."""
    kit = tmp_path / "kit"
    kit.mkdir(parents=True)
    (kit / "kit.toml").write_text('extends = "imr"\nrules = "rules.toml"\n')
    rules = (letterkit.load_kit("imr").root / "rules.toml").read_text()
    (kit / "rules.toml").write_text(rules + '''
[[rule]]
id = "summary-printed"
citation = "a test"
statement = "The letter prints the clinical summary."
check = "field"
fields = ["clinical_summary"]
printed = true
''')
    if summary_block is not None:
        (kit / "blocks").mkdir()
        (kit / "blocks" / "clinical-case-summary.md.j2").write_text(summary_block)
    return kit


def test_rich_text_with_markdown_counts_as_printed(tmp_path):
    case = letterkit.read_case(IMR_EXAMPLE)
    case["clinical_summary"] = "The worker has **severe** low back pain.\n\n- one\n- *two*"
    assert letterkit.check_rules(case, letterkit.load_kit(_rich_rule_kit(tmp_path))) == []
    unprinted = letterkit.load_kit(_rich_rule_kit(tmp_path / "b", "# CLINICAL CASE SUMMARY\n\nOn file.\n"))
    assert _ids(letterkit.check_rules(case, unprinted)) == {"summary-printed"}


def _deadline_kit(tmp_path, start: str, extra: str = ""):
    kit = tmp_path / "kit"
    kit.mkdir(exist_ok=True)
    (kit / "kit.toml").write_text('extends = "imr"\nrules = "rules.toml"\n')
    imr_rules = (letterkit.load_kit("imr").root / "rules.toml").read_text()
    (kit / "rules.toml").write_text(imr_rules + f'''
[[rule]]
id = "from-the-injury"
citation = "a test"
statement = "A deadline counted from the date of injury."
check = "deadline"
name = "from_injury"
start = "{start}"
days = 30
calendar = "courts"
{extra}''')
    return kit


def test_a_deadline_from_a_date_the_case_leaves_out_is_one_line_and_no_file(tmp_path):
    kit = _deadline_kit(tmp_path, "case.date_of_injury")
    case = letterkit.read_case(IMR_EXAMPLE)
    case["case"].pop("date_of_injury", None)
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(case))
    result = runner.invoke(app, ["render", str(path), "--kit", str(kit), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error ")]
    assert len(lines) == 1 and "case.date_of_injury" in lines[0] and "rule from-the-injury" in lines[0]
    assert "leaves empty" in lines[0] and not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


@pytest.mark.parametrize("path, value, message", [
    ("case.date_of_injury", 0, "a date is written as YYYY-MM-DD, not as a number"),
    ("case.date_of_injury", 1.5, "a date is written as YYYY-MM-DD, not as a number"),
    ("letter_date", 1445000000, "a date is written as YYYY-MM-DD, not as a number"),
    ("letter_date", "9999-12-31", "outside the California judicial holidays"),
    ("letter_date", "1900-01-02", "outside the California judicial holidays"),
])
def test_a_date_no_rule_can_count_from_is_one_line_exit_1_no_file(tmp_path, path, value, message):
    case = letterkit.read_case(IMR_EXAMPLE)
    parent, _, name = path.rpartition(".")
    (case[parent] if parent else case)[name] = value
    file = tmp_path / "case.yaml"
    file.write_text(yaml.safe_dump(case))
    for command in (["render", str(file), "-o", str(tmp_path / "out")], ["validate", str(file)]):
        result = runner.invoke(app, command)
        lines = [line for line in result.stderr.splitlines() if line.startswith("error ")]
        assert result.exit_code == 1 and len(lines) == 1, result.stderr
        assert path in lines[0] and message in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    with pytest.raises(letterkit.CaseError, match=message):
        letterkit.validate(case, letterkit.load_kit("imr"))


def test_a_misspelt_name_inside_a_filter_names_block_line_and_close_match_in_validate(tmp_path):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "clinical-case-summary.md.j2").write_text(
        "# SUMMARY\n\nLast day:\n\n{{ deadlines.wcab_appeal_byx | date }}\n")
    result = runner.invoke(app, ["validate", str(IMR_EXAMPLE), "--templates", str(tmp_path)])
    assert result.exit_code == 1
    assert "clinical-case-summary.md.j2:5" in result.stderr and "did you mean wcab_appeal_by" in result.stderr


# Calendars -------------------------------------------------------------------------

@pytest.mark.parametrize("letter_date, last_day", [
    ("2025-01-08", "February 13, 2025"),  # 35 days: Wednesday February 12, Lincoln Day, a court holiday
    ("2025-08-22", "September 29, 2025"),  # Friday September 26, Native American Day (courts, since 2022)
    ("2021-09-06", "October 12, 2021"),  # Monday October 11, Columbus Day: a court holiday until 2021
    ("2022-09-05", "October 10, 2022"),  # Monday October 10, 2022: no longer one
    ("2015-10-22", "November 30, 2015"),  # Thanksgiving, the day after, the weekend
])
def test_the_wcab_deadline_skips_judicial_holidays(case_data, letter_date, last_day):
    case_data["letter_date"] = letter_date
    page = letterkit.render(case_data, formats=("html",))["html"].decode()
    assert f"the last day to file the appeal is <strong>{last_day}</strong>" in page


def test_every_counting_rule_names_its_calendar_and_a_wrong_name_is_refused(tmp_path):
    for kit in ("imr", "ur"):
        for rule in letterkit.load_kit(kit).rules:
            if getattr(rule, "needs_calendar", lambda: False)():
                assert rule.calendar, f"{kit}: rule {rule.id} names no calendar"
    kit = _deadline_kit(tmp_path, "letter_date")
    (kit / "rules.toml").write_text((kit / "rules.toml").read_text().replace('"courts"', '"court"'))
    with pytest.raises(letterkit.KitError, match="counts over the calendar 'court', which the kit does not declare"):
        letterkit.load_kit(kit)


# Rules in force -----------------------------------------------------------------------

def test_the_letter_date_picks_the_rules_in_force(tmp_path):
    kit = _deadline_kit(tmp_path, "letter_date", 'from = 2016-01-01\nuntil = 2016-12-31\n')
    (kit / "rules.toml").write_text((kit / "rules.toml").read_text() + '''
[[rule]]
id = "amended-wording"
citation = "a test"
statement = "From 2017 the letter says so."
check = "phrase"
phrase = "Words the kit does not have."
from = 2017-01-01
''')
    loaded = letterkit.load_kit(kit)
    case = letterkit.read_case(IMR_EXAMPLE)
    case["letter_date"] = "2015-06-01"
    assert letterkit.check_rules(case, loaded) == []
    case["letter_date"] = "2016-06-01"
    assert _ids(letterkit.check_rules(case, loaded)) == {"from-the-injury"}  # in force; the letter lacks it
    case["letter_date"] = "2017-06-01"
    assert _ids(letterkit.check_rules(case, loaded)) == {"amended-wording"}
    listed = runner.invoke(app, ["rules", "--kit", str(kit), "--on", "2016-03-01", "--json"])
    # imr's rules: this kit's copy of its rules.toml replaces those, after its kit.toml's before_letter ones
    inherited = [rule.id for rule in letterkit.load_kit("imr").rules]
    imr = sorted(inherited, key=lambda rule_id: not rule_id.endswith("-before-letter"))
    assert [rule["id"] for rule in yaml.safe_load(listed.stdout)] == imr + ["from-the-injury"]
    everything = runner.invoke(app, ["rules", "--kit", str(kit), "--json"])
    assert [rule["id"] for rule in yaml.safe_load(everything.stdout)] == imr + ["from-the-injury", "amended-wording"]
    bad = runner.invoke(app, ["rules", "--kit", str(kit), "--on", "2016-13-01"])
    assert bad.exit_code != 0 and "2016-13-01" in bad.output


@pytest.mark.parametrize("key, path, wrong", [
    ("fields", '["items[*].guideline.sorce"]', "sorce"),
    ("fields", '["reviewer.specialties[*].x"]', "x"),
    ("when", '"any_denied"', "any_denied"),
])
def test_a_rule_naming_a_field_the_model_lacks_is_refused_when_the_kit_loads(tmp_path, key, path, wrong):
    kit = tmp_path / "kit"
    kit.mkdir()
    (kit / "kit.toml").write_text('extends = "imr"\nrules = "rules.toml"\n')
    imr_rules = (letterkit.load_kit("imr").root / "rules.toml").read_text()
    check = f'check = "field"\nfields = ["letter_date"]\n{key} = {path}' if key == "when" else \
        f'check = "field"\n{key} = {path}'
    (kit / "rules.toml").write_text(imr_rules + f'''
[[rule]]
id = "misnamed"
citation = "a test"
statement = "A rule with a typo."
{check}
''')
    with pytest.raises(letterkit.KitError, match=f"rule misnamed .*no field '{wrong}'"):
        letterkit.load_kit(kit)


def test_lint_names_a_class_that_hides_and_a_rule_that_hides_without_one(tmp_path):
    _edited_block(tmp_path, "imr", "blocks/appeal-rights.md.j2", "grounds:\n{: .lead-in }", "grounds:\n{: .x-hide }")
    (tmp_path / "extra.css").write_text(".x-hide { color: #fff }\n")
    result = runner.invoke(app, ["lint", "-t", str(tmp_path), "--strict"])
    assert result.exit_code == 1
    assert "appeal-rights.md.j2:13: class 'x-hide' hides its text from a reader" in result.stderr
    other = tmp_path / "other"  # a new folder: a loaded kit is kept for the process
    other.mkdir()
    (other / "extra.css").write_text("p + ol { font-size: 0 }\n")
    result = runner.invoke(app, ["lint", "-t", str(other)])
    assert "extra.css:1: p + ol (font-size: 0): hides text without a class" in result.stderr


def test_a_phrase_per_element_of_a_list_the_case_leaves_out_wants_none(tmp_path):
    """A kit's own model may let a list be left out (None): a phrase wanted once per
    element is then wanted no time, not a TypeError."""
    kit = tmp_path / "kit"
    kit.mkdir()
    (kit / "model.py").write_text(
        "from datetime import date\nfrom letterkit.model import Letter\n\n"
        "class Notice(Letter):\n    letter_date: date\n    enclosures: list[str] | None = None\n")
    (kit / "letter.md.j2").write_text("Title: Notice\n\nA notice.\n")
    (kit / "kit.toml").write_text('extends = "letter"\nmodel = "model.py:Notice"\nletter = "letter.md.j2"\n'
                                  'rules = "rules.toml"\n')
    (kit / "rules.toml").write_text('''
[[rule]]
id = "per-enclosure"
citation = "a test"
statement = "A line for each enclosure."
check = "phrase"
phrase = "Enclosed:"
per = "enclosures"
''')
    loaded = letterkit.load_kit(kit)
    assert letterkit.check_rules({"letter_date": "2026-01-05"}, loaded) == []
    assert _ids(letterkit.check_rules({"letter_date": "2026-01-05", "enclosures": ["a form"]}, loaded)) == {
        "per-enclosure"}
