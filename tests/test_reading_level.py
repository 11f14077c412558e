"""Reading level per language: a kit's limit for each, every score reported, a warning past it."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from conftest import EXAMPLES, ROOT
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app
from letterkit.readability import fernandez_huerta_ease, flesch_kincaid_grade

runner = CliRunner()
PLAIN_SPANISH = ("El médico lo vio el lunes. Usted tiene dolor de espalda. La terapia le ayuda. "
                 "Puede caminar más cada día. Llame si tiene una duda.")
DENSE_SPANISH = ("La determinación administrativa correspondiente a la utilización de los servicios médicos "
                 "especializados requiere documentación longitudinal exhaustiva, interdisciplinaria y "
                 "objetivamente verificable antes de cualquier autorización adicional.")


def test_the_spanish_ease_falls_with_long_words_and_long_sentences():
    assert fernandez_huerta_ease(DENSE_SPANISH) < 40 < 80 < fernandez_huerta_ease(PLAIN_SPANISH)
    assert fernandez_huerta_ease("corazón") == fernandez_huerta_ease("corazon")  # accented letters are letters


@pytest.fixture
def kit(tmp_path):
    """A copy of the IMR kit with Spanish blocks (translations sit beside what they translate)."""
    copy = tmp_path / "imr"
    shutil.copytree(ROOT / "templates" / "imr", copy)
    (copy / "blocks" / "es").mkdir()
    (copy / "blocks" / "es" / "plain.md.j2").write_text(PLAIN_SPANISH + "\n")
    dense = DENSE_SPANISH.replace(" documentación", "\ndocumentación")
    (copy / "blocks" / "es" / "dense.md.j2").write_text("# {{ title }}\n\n" + dense + "\n")
    return copy


def _with_spanish_limit(kit):
    text = (kit / "kit.toml").read_text()
    head, _, tail = text.partition("[calendars]")
    (kit / "kit.toml").write_text(head + "[reading_level]\nes = { ease = 60 }\n\n[calendars]" + tail)
    return kit


def test_lint_scores_each_block_in_its_own_language_and_warns_past_the_kits_limit(kit):
    result = runner.invoke(app, ["lint", "--kit", str(_with_spanish_limit(kit))])
    lines = result.stderr.splitlines()
    dense = next(line for line in lines if "blocks/es/dense.md.j2: reading" in line)
    plain = next(line for line in lines if "blocks/es/plain.md.j2: reading" in line)
    assert dense.startswith("warning") and "reading ease" in dense and "(Fernández-Huerta), below the kit's 60" in dense
    assert plain.startswith("advice") and "within the kit's 60" in plain
    # `reading_grade`, the older key, limits the case's text only, as it did: a block's grade is advice
    english = [line for line in lines if "imr/blocks/" in line and "(Flesch-Kincaid)" in line]
    assert english and all(line.startswith("advice") for line in english)
    assert runner.invoke(app, ["lint", "--kit", str(kit), "--strict"]).exit_code == 1


def test_a_block_too_short_to_measure_is_not_scored(kit):
    """A heading alone scores "very hard" (RESUMEN CLÍNICO, 24.8): a formula of sentence and word
    lengths says nothing of a few words, so a block under BLOCK_WORDS_SCORED is left out."""
    (kit / "blocks" / "es" / "heading.md.j2").write_text("# RESUMEN CLÍNICO\n")
    lines = runner.invoke(app, ["lint", "--kit", str(_with_spanish_limit(kit))]).stderr.splitlines()
    assert not [line for line in lines if "heading.md.j2: reading" in line]
    assert [line for line in lines if "dense.md.j2: reading" in line]  # a block of twenty words is


def test_a_limit_for_a_language_letterkit_cannot_score_or_in_the_wrong_measure_is_refused(kit):
    toml = kit / "kit.toml"
    original = toml.read_text()
    toml.write_text(original.replace("[calendars]", "[reading_level]\nfr = { grade = 8 }\n\n[calendars]"))
    with pytest.raises(letterkit.KitError,
                       match=r"reading_level.fr: no measure for this language; letterkit scores en, es"):
        letterkit.load_kit(kit)
    toml.write_text(original.replace("[calendars]", "[reading_level]\nes = { grade = 8 }\n\n[calendars]"))
    letterkit.forget_kits()
    with pytest.raises(letterkit.KitError, match=r"reading_level.es: give ease = N \(Fernández-Huerta\)"):
        letterkit.load_kit(kit)


def test_validate_strict_reports_every_fields_score_and_warns_past_the_limit():
    result = runner.invoke(app, ["validate", "--strict", str(EXAMPLES[0])])
    assert result.exit_code == 0
    assert f"{EXAMPLES[0]}: clinical_summary: reading grade 10.8 (Flesch-Kincaid), within the kit's 12" in result.stdout
    assert "items[0].rationale: reading grade 13.7 (Flesch-Kincaid), above the kit's 12" in result.stderr
    report = json.loads(runner.invoke(app, ["validate", "--strict", "--json", str(EXAMPLES[0])]).stdout)
    reading = {entry["field"]: entry for entry in report[0]["reading"]}
    assert set(reading) == {"clinical_summary", "items[0].rationale", "items[1].rationale"}
    assert reading["items[0].rationale"] == {"field": "items[0].rationale", "language": "en",
                                             "measure": "Flesch-Kincaid grade", "score": 13.7, "limit": 12.0,
                                             "past": True}
    assert flesch_kincaid_grade("The pain is better.") < 12


SPANISH_UR = ROOT / "examples" / "ur" / "ur-chiropractic-modified-es.yaml"
SPANISH_ABD = ROOT / "examples" / "adverse-benefit" / "abd-lumbar-mri-es.yaml"


@pytest.mark.slow  # a second or more each, on a quiet machine
def test_the_spanish_kits_state_a_fernandez_huerta_floor_and_validate_scores_against_it():
    for kit in ("ur", "adverse-benefit"):
        assert letterkit.load_kit(kit).reading_limits.fields["es"] == 60  # "normal (para adulto)"
    result = runner.invoke(app, ["validate", "--strict", str(SPANISH_UR)])
    assert result.exit_code == 0
    assert f"{SPANISH_UR}: clinical_summary: reading ease 66.4 (Fernández-Huerta), within the kit's 60" in result.stdout
    assert "requests[0].rationale: reading ease 59.0 (Fernández-Huerta), below the kit's 60" in result.stderr
    report = json.loads(runner.invoke(app, ["validate", "--strict", "--json", str(SPANISH_ABD)]).stdout)
    reading = {entry["field"]: entry for entry in report[0]["reading"]}
    assert reading["denied[0].reason"] == {"field": "denied[0].reason", "language": "es",
                                           "measure": "Fernández-Huerta ease", "score": 64.9, "limit": 60.0,
                                           "past": False}


def test_a_hard_spanish_field_warns_below_the_kits_floor(tmp_path):
    case = yaml.safe_load(SPANISH_ABD.read_text())
    case["translations"]["es"]["text"]["denied[0].reason"] = DENSE_SPANISH  # the Spanish the letter prints
    (tmp_path / "hard.yaml").write_text(yaml.safe_dump(case, allow_unicode=True))
    result = runner.invoke(app, ["validate", "--strict", str(tmp_path / "hard.yaml")])
    warning = next(line for line in result.stderr.splitlines() if "denied[0].reason" in line)
    assert warning.startswith("warning") and "(Fernández-Huerta), below the kit's 60" in warning
    assert fernandez_huerta_ease(DENSE_SPANISH) < 60
