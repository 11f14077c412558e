"""Template folders and kits of earlier releases render with the current code: the same
text as their release rendered, after one warning line per removed part they use."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pytest

import letterkit
from compat_text import COMPAT, _differences, changes, text
from letterkit import deprecations
from letterkit.deprecations import TemplateDeprecationWarning
from letterkit.upgrade import plan

RELEASE = COMPAT / "0.1.0"
FOLDERS = RELEASE / "folders"
CASES = sorted((RELEASE / "cases").glob("*.yaml"))
VOCABULARY = Path("templates/imr/macros/letter.j2")
CITATION = 'the block "guideline-citation" is now the macro citation(guideline); this block will stop working in 0.3'
ADDRESS = 'the block "address" is now the macro address(address); this block will stop working in 0.3'
# Each folder's warnings: (file in the folder, line, what it says).
WARNINGS = {
    "address-wording": [("blocks/address.md.j2", 1, ADDRESS)],
    "citation-wording": [("blocks/guideline-citation.md.j2", 1, CITATION)],
    "old-blocks": [("blocks/cover-page.md.j2", 8, ADDRESS), ("blocks/cover-page.md.j2", 22, ADDRESS),
                   ("blocks/disputed-item.md.j2", 7, CITATION)],
    "old-credentials": [],
    "old-letter": [],
    "readme-override": [],
}


def _loaded_warnings(templates: tuple[Path, ...], kit: str | Path = "imr") -> list[str]:
    letterkit.forget_kits()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        letterkit.load_kit(kit, templates)
    return [str(w.message) for w in caught if issubclass(w.category, TemplateDeprecationWarning)]


def test_every_folder_of_the_release_is_in_the_table():
    assert sorted(path.name for path in FOLDERS.iterdir()) == sorted(WARNINGS)


@pytest.mark.parametrize("name", sorted(WARNINGS))
def test_a_folder_of_0_1_0_warns_once_per_removed_part_naming_file_and_line(name):
    folder = FOLDERS / name
    expected = [f"{deprecations.shown(folder / file)}:{line}: {says}" for file, line, says in WARNINGS[name]]
    assert _loaded_warnings((folder,)) == expected


@pytest.mark.parametrize("name", sorted(WARNINGS))
def test_a_folder_of_0_1_0_changes_the_letter_as_it_did_in_0_1_0(name):
    made_by_0_1_0 = json.loads((RELEASE / "changes.json").read_text())[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TemplateDeprecationWarning)
        assert {case.stem: changes(case, FOLDERS / name) for case in CASES} == made_by_0_1_0


@pytest.mark.parametrize("name", sorted(WARNINGS))
def test_an_upgraded_folder_renders_the_same_letter_without_a_warning(name, tmp_path):
    old, new = FOLDERS / name, tmp_path / name
    shutil.copytree(old, new)
    upgrade = plan(new, VOCABULARY)
    assert upgrade.by_hand == []
    assert bool(upgrade.files) == bool(WARNINGS[name])
    upgrade.write()
    assert _loaded_warnings((new,)) == []
    assert plan(new, VOCABULARY).files == {}  # nothing left to upgrade
    for case in CASES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TemplateDeprecationWarning)
            before = text(case, (old,))
        assert text(case, (new,)) == before


def test_a_kit_of_0_1_0_with_its_own_model_keeps_the_imr_rules_and_letter():
    kits = json.loads((RELEASE / "kits.json").read_text())
    notice = RELEASE / "kits" / "notice"
    assert [rule.id for rule in letterkit.load_kit(notice).rules] == [rule.id for rule in letterkit.load_kit("imr").rules]
    assert {case.stem: changes(case, kit=notice) for case in CASES} == kits["notice"]


def test_a_kit_of_0_1_0_with_a_letter_of_its_own_renders_as_it_did():
    kits = json.loads((RELEASE / "kits.json").read_text())
    scaffold = RELEASE / "kits" / "scaffold"
    assert _differences(kits["scaffold"], text(scaffold / "example.yaml", kit=scaffold)) == []
    assert _loaded_warnings((), scaffold) == []


def test_a_kit_that_inherits_rules_its_model_cannot_meet_is_refused_naming_rule_and_kit(tmp_path):
    kit = tmp_path / "thin"
    kit.mkdir()
    (kit / "kit.toml").write_text('extends = "imr"\nmodel = "model.py:Thin"\n')
    (kit / "model.py").write_text("from letterkit.model import Letter\n\n\nclass Thin(Letter):\n    pass\n")
    with pytest.raises(letterkit.KitError, match=r"kit 'thin' inherits rule \S+ \(Labor Code .*\) from kit 'imr', "
                                                 r"which reads .*; its model Thin has no field"):
        letterkit.load_kit(kit)


def test_once_the_release_that_removes_a_block_comes_the_warning_is_the_error(monkeypatch):
    folder = FOLDERS / "citation-wording"
    monkeypatch.setattr(deprecations, "RELEASE", "0.3.0")
    letterkit.forget_kits()
    try:
        with pytest.raises(letterkit.KitError) as refused:
            letterkit.load_kit("imr", (folder,))
    finally:
        letterkit.forget_kits()
    assert str(refused.value) == (f"{deprecations.shown(folder / 'blocks/guideline-citation.md.j2')}:1: the block "
                                  '"guideline-citation" is now the macro citation(guideline); '
                                  "this block stopped working in 0.3")
