"""A case names its kit (`kit: ur`), so rendering it needs no --kit; a case that names none
and fits another built-in kit says so, as an author meets it on the command line."""

from __future__ import annotations

import yaml
from conftest import ROOT
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app

UR_EXAMPLE = ROOT / "examples" / "ur" / "ur-chiropractic-modified.yaml"


def _validate(*arguments: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["validate", *arguments])
    return result.exit_code, [line for line in result.output.splitlines() if line.strip()]


def test_a_case_that_names_its_kit_needs_no_kit_option(tmp_path):
    assert letterkit.read_case(UR_EXAMPLE)["kit"] == "ur"
    status, lines = _validate("--strict", str(UR_EXAMPLE))  # with each rich-text field's reading grade
    assert (status, lines[-1]) == (0, f"{UR_EXAMPLE}: valid") and "within the kit's 12" in lines[0]
    html = letterkit.render(letterkit.read_case(UR_EXAMPLE), formats=("html",))["html"]
    assert b"UTILIZATION REVIEW" in html.upper()


def test_a_case_without_its_kit_is_told_which_kit_it_fits(tmp_path):
    case = letterkit.read_case(UR_EXAMPLE)
    del case["kit"]
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(case))
    status, lines = _validate(str(tmp_path / "case.yaml"))
    assert status == 1
    assert lines[-1].endswith("kit: this case fits kit 'ur': say `kit: ur` in it, or --kit ur")


def test_a_kit_option_that_is_not_the_cases_kit_is_one_line(tmp_path):
    status, lines = _validate("--kit", "imr", str(UR_EXAMPLE))
    assert (status, len(lines)) == (1, 1)
    assert lines[0].endswith("kit: the case is for kit 'ur', not 'imr': leave out --kit, or say --kit ur")
