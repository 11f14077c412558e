"""Template folders and kits of earlier releases render with the current code: the same
text as their release rendered, after one warning line per removed part they use."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pytest
from compat_text import COMPAT, _differences, changes, text
from extract import docx_text, pdf_body_text

import letterkit
from letterkit import version
from letterkit.deprecations import TemplateDeprecationWarning
from letterkit.upgrade import plan, shown

# Their cases name copy recipients by name alone, as 0.1 did: that warns (test_mail checks the
# warning); here, what the letter says.
pytestmark = pytest.mark.filterwarnings("ignore::letterkit.model.CaseDeprecationWarning")

RELEASES = sorted(path.name for path in COMPAT.iterdir() if path.is_dir())
VOCABULARY = Path("templates/letter/macros/letter.j2")
CITATION = 'the block "guideline-citation" is now the macro citation(guideline); this block will stop working in 0.3'
ADDRESS = 'the block "address" is now the macro address(address); this block will stop working in 0.3'
# Each old folder, "release/folder", and its warnings: (file in the folder, line, what it says).
WARNINGS = {
    "0.1.0/address-wording": [("blocks/address.md.j2", 1, ADDRESS)],
    "0.1.0/citation-wording": [("blocks/guideline-citation.md.j2", 1, CITATION)],
    "0.1.0/old-blocks": [("blocks/cover-page.md.j2", 8, ADDRESS), ("blocks/cover-page.md.j2", 22, ADDRESS),
                         ("blocks/disputed-item.md.j2", 7, CITATION)],
    "0.1.0/old-credentials": [],
    "0.1.0/old-letter": [],
    "0.1.0/readme-override": [],
    "0.2.0/relayout": [],
}
KITS = [f"{release}/{kit.name}" for release in RELEASES for kit in sorted((COMPAT / release / "kits").iterdir())]


def _cases(release: str) -> list[Path]:
    return sorted((COMPAT / release / "cases").glob("*.yaml"))


def _loaded_warnings(templates: tuple[Path, ...], kit: str | Path = "imr") -> list[str]:
    letterkit.forget_kits()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        letterkit.load_kit(kit, templates)
    return [str(w.message) for w in caught if issubclass(w.category, TemplateDeprecationWarning)]


def _quietly(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TemplateDeprecationWarning)
        return function(*args, **kwargs)


def test_every_folder_of_every_release_is_in_the_table():
    folders = [f"{release}/{path.name}" for release in RELEASES for path in (COMPAT / release / "folders").iterdir()]
    assert sorted(folders) == sorted(WARNINGS)


@pytest.mark.parametrize("name", sorted(WARNINGS))
def test_an_old_folder_warns_once_per_removed_part_naming_file_and_line(name):
    release, folder = name.split("/")
    folder = COMPAT / release / "folders" / folder
    expected = [f"{shown(folder / file)}:{line}: {says}" for file, line, says in WARNINGS[name]]
    assert _loaded_warnings((folder,)) == expected


@pytest.mark.slow  # a second or more each, on a quiet machine
@pytest.mark.parametrize("name", sorted(WARNINGS))
def test_an_old_folder_changes_the_letter_as_it_did_in_its_release(name):
    release, folder = name.split("/")
    made_by_its_release = json.loads((COMPAT / release / "changes.json").read_text())[folder]
    found = {case.stem: _quietly(changes, case, COMPAT / release / "folders" / folder) for case in _cases(release)}
    assert found == made_by_its_release


@pytest.mark.parametrize("name", sorted(WARNINGS))
def test_an_upgraded_folder_renders_the_same_letter_without_a_warning(name, tmp_path):
    release, folder = name.split("/")
    old, new = COMPAT / release / "folders" / folder, tmp_path / folder
    shutil.copytree(old, new)
    upgrade = plan(new, VOCABULARY)
    assert upgrade.by_hand == []
    assert bool(upgrade.files) == bool(WARNINGS[name])
    upgrade.write()
    assert _loaded_warnings((new,)) == []
    assert plan(new, VOCABULARY).files == {}  # nothing left to upgrade
    for case in _cases(release):
        assert text(case, (new,)) == _quietly(text, case, (old,))


@pytest.mark.slow  # a second or more each, on a quiet machine
@pytest.mark.parametrize("folder", ["old-blocks", "old-credentials", "old-letter"])
def test_the_blocks_0_1_0_shipped_still_say_in_every_format_exactly_what_the_kit_says(folder):
    case = letterkit.read_case(COMPAT / "0.1.0" / "cases" / "imr-medications-mixed.yaml")
    kit = letterkit.render(case)
    old = _quietly(letterkit.render, case, templates=[COMPAT / "0.1.0" / "folders" / folder])
    assert old["html"] == kit["html"]
    assert docx_text(old["docx"]) == docx_text(kit["docx"])
    assert pdf_body_text(old["pdf"]) == pdf_body_text(kit["pdf"])


@pytest.mark.parametrize("name", KITS)
def test_an_old_kit_renders_the_letter_it_did_in_its_release(name):
    release, kit = name.split("/")
    folder = COMPAT / release / "kits" / kit
    made_by_its_release = json.loads((COMPAT / release / "kits.json").read_text())[kit]
    assert _loaded_warnings((), folder) == []
    if isinstance(made_by_its_release, str):  # a letter of its own, from its example case
        assert _differences(made_by_its_release, text(folder / "example.yaml", kit=folder)) == []
    else:  # the imr letter, changed as it was
        assert {case.stem: changes(case, kit=folder) for case in _cases(release)} == made_by_its_release


def test_a_kit_of_0_1_0_with_its_own_model_keeps_the_imr_rules():
    notice = COMPAT / "0.1.0" / "kits" / "notice"
    assert ([rule.id for rule in letterkit.load_kit(notice).rules]
            == [rule.id for rule in letterkit.load_kit("imr").rules])


def test_a_kit_that_inherits_rules_its_model_cannot_meet_is_refused_naming_rule_and_kit(tmp_path):
    kit = tmp_path / "thin"
    kit.mkdir()
    (kit / "kit.toml").write_text('extends = "imr"\nmodel = "model.py:Thin"\n')
    (kit / "model.py").write_text("from letterkit.model import Letter\n\n\nclass Thin(Letter):\n    pass\n")
    with pytest.raises(letterkit.KitError, match=r"kit 'thin' inherits rule \S+ \(Labor Code .*\) from kit 'imr', "
                                                 r"which reads .*; its model Thin has no field"):
        letterkit.load_kit(kit)


def test_once_the_release_that_removes_a_block_comes_the_warning_is_the_error(monkeypatch):
    folder = COMPAT / "0.1.0" / "folders" / "citation-wording"
    monkeypatch.setattr(version, "RELEASE", "0.3.0")
    letterkit.forget_kits()
    try:
        with pytest.raises(letterkit.KitError) as refused:
            letterkit.load_kit("imr", (folder,))
    finally:
        letterkit.forget_kits()
    assert str(refused.value) == (f"{shown(folder / 'blocks/guideline-citation.md.j2')}:1: the block "
                                  '"guideline-citation" is now the macro citation(guideline); '
                                  "this block stopped working in 0.3")
