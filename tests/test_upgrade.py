"""An author's folder written for 0.1.0, as the author meets it: `letterkit render` warns,
`letterkit upgrade` shows and then makes the change, and the letter stays the same."""

from __future__ import annotations

import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from extract import pdf_text

import letterkit
from letterkit.deprecations import TemplateDeprecationWarning
from letterkit.upgrade import plan

pytestmark = pytest.mark.slow  # template folders upgraded and rendered again

ROOT = Path(__file__).parent.parent
CASE = ROOT / "examples" / "imr-chiropractic-initial-trial.yaml"
OLD_FOLDER = ROOT / "tests" / "compat" / "0.1.0" / "folders" / "citation-wording"
WARNING = ('warning mine/blocks/guideline-citation.md.j2:1: the block "guideline-citation" is now the macro '
           'citation(guideline); this block will stop working in 0.3')


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "letterkit", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"}, timeout=300)


@pytest.fixture
def mine(tmp_path) -> Path:
    shutil.copytree(OLD_FOLDER, tmp_path / "mine")
    return tmp_path


def test_a_folder_that_overrides_guideline_citation_renders_with_one_warning_naming_file_line_and_macro(mine):
    rendered = cli("render", str(CASE), "-t", "mine", "-f", "html", "-o", "out", cwd=mine)
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stderr.splitlines() == [WARNING]
    assert "Decision based on MTUS Chronic Pain Treatment Guidelines, Manual therapy &amp; manipulation, pp. 58-60." \
        in (mine / "out" / f"{CASE.stem}.html").read_text()


def test_upgrade_shows_a_diff_then_writes_a_folder_that_renders_the_same_letter_without_warning(mine):
    before = cli("render", str(CASE), "-t", "mine", "-o", "before", cwd=mine)
    assert before.returncode == 0, before.stderr

    dry_run = cli("upgrade", "mine", cwd=mine)
    assert dry_run.returncode == 0, dry_run.stderr
    assert "--- a/mine/blocks/guideline-citation.md.j2\n+++ /dev/null\n" in dry_run.stdout
    assert "+++ b/mine/macros/letter.j2\n" in dry_run.stdout
    assert "+{% macro citation(guideline) %}\n" in dry_run.stdout
    assert (mine / "mine" / "blocks" / "guideline-citation.md.j2").is_file()  # a dry run changes nothing
    assert not (mine / "mine" / "macros").exists()

    written = cli("upgrade", "mine", "--write", cwd=mine)
    assert written.returncode == 0, written.stderr
    assert not (mine / "mine" / "blocks" / "guideline-citation.md.j2").exists()
    after = cli("render", str(CASE), "-t", "mine", "-o", "after", cwd=mine)
    assert after.returncode == 0, after.stderr
    assert after.stderr == ""
    for format in ("html", "docx"):
        assert ((mine / "after" / f"{CASE.stem}.{format}").read_bytes()
                == (mine / "before" / f"{CASE.stem}.{format}").read_bytes())
    assert (pdf_text((mine / "after" / f"{CASE.stem}.pdf").read_bytes())
            == pdf_text((mine / "before" / f"{CASE.stem}.pdf").read_bytes()))
    assert cli("upgrade", "mine", cwd=mine).stdout == "mine: nothing to upgrade\n"


def test_lint_names_each_removed_block_a_folder_uses_and_the_upgrade(mine):
    shutil.copytree(OLD_FOLDER.parent / "old-blocks", mine / "old")
    # A warning: the folder still renders; `--strict` fails on it, as on every warning.
    assert cli("lint", "-t", "old", cwd=mine).returncode == 0
    linted = cli("lint", "-t", "old", "--strict", cwd=mine)
    assert linted.returncode == 1
    lines = [line for line in linted.stderr.splitlines() if "is now the macro" in line]
    assert lines == [  # each said once, by lint (not again by loading the kit)
        'warning old/blocks/cover-page.md.j2:8: the block "address" is now the macro address(address); this block '
        'will stop working in 0.3 (letterkit upgrade old rewrites it)',
        'warning old/blocks/cover-page.md.j2:22: the block "address" is now the macro address(address); this block '
        'will stop working in 0.3 (letterkit upgrade old rewrites it)',
        'warning old/blocks/disputed-item.md.j2:7: the block "guideline-citation" is now the macro '
        'citation(guideline); this block will stop working in 0.3 (letterkit upgrade old rewrites it)',
    ]


def test_what_upgrade_cannot_rewrite_is_left_to_the_author_with_file_and_line(mine):
    block = mine / "mine" / "blocks" / "guideline-citation.md.j2"
    block.write_text("{{ organisation.label }}: {{ item.guideline.source }}\n")
    upgraded = cli("upgrade", "mine", "--write", cwd=mine)
    assert upgraded.returncode == 1
    assert upgraded.stderr.splitlines()[0] == (
        'error mine/blocks/guideline-citation.md.j2:1: the block "guideline-citation" is now the macro '
        "citation(guideline); this block will stop working in 0.3; it reads organisation, which a macro "
        "cannot see: give it as an argument of citation() by hand")
    assert block.is_file()


@pytest.mark.parametrize("tag", ['{% include "blocks/guideline-citation.md.j2" %}',
                                 '{% include "blocks/guideline-citation.md.j2" +%}',
                                 '{%- include "blocks/guideline-citation.md.j2" -%}',
                                 "{% include 'blocks/guideline-citation.md.j2' %}"])
def test_an_include_becomes_the_macro_call_trimming_what_the_tag_trimmed(tag, tmp_path):
    block = tmp_path / "mine" / "blocks" / "disputed-item.md.j2"
    block.parent.mkdir(parents=True)
    kit_block = (ROOT / "templates" / "imr" / "blocks" / "disputed-item.md.j2").read_text()
    block.write_text(kit_block.replace("{{ citation(item.guideline) }}\n", f"\n  {tag}\n  (cited)\n"))
    case = letterkit.read_case(CASE)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        letterkit.forget_kits()
        before = letterkit.render(case, formats=("html",), templates=[block.parent.parent])["html"]
    assert len([w for w in caught if w.category is TemplateDeprecationWarning]) == 1
    plan(block.parent.parent, ROOT / "templates" / "imr" / "macros" / "letter.j2").write()
    assert "citation(item.guideline)" in block.read_text()
    letterkit.forget_kits()
    with warnings.catch_warnings():
        warnings.simplefilter("error", TemplateDeprecationWarning)
        assert letterkit.render(case, formats=("html",), templates=[block.parent.parent])["html"] == before


@pytest.mark.parametrize("linked", ["block", "macros folder"])
def test_upgrade_never_writes_outside_the_folder_through_a_link(mine, linked):
    """A block file, or the macros/ folder, linked to a file outside: the kit loader refuses
    such links, and upgrade --write neither writes nor removes anything, naming the link."""
    elsewhere = mine / "elsewhere"
    elsewhere.mkdir()
    folder = mine / "mine"
    if linked == "block":
        block = folder / "blocks" / "guideline-citation.md.j2"
        shutil.move(block, elsewhere / "block.md.j2")
        block.symlink_to(elsewhere / "block.md.j2")
    else:
        (elsewhere / "letter.j2").write_text((ROOT / "templates" / "letter" / "macros" / "letter.j2").read_text())
        (folder / "macros").symlink_to(elsewhere)
    before = {path: path.read_bytes() for path in elsewhere.iterdir()}
    written = cli("upgrade", "mine", "--write", cwd=mine)
    assert written.returncode == 1
    assert "a link out of mine" in written.stderr
    assert {path: path.read_bytes() for path in elsewhere.iterdir()} == before
    assert (folder / "blocks" / "guideline-citation.md.j2").exists()


def test_upgrade_writes_each_file_whole_through_a_rename(mine):
    """No file is written in place: a kill mid-write would leave a cut block."""
    including = mine / "mine" / "blocks" / "decision-item.md.j2"
    including.write_text('{% include "blocks/guideline-citation.md.j2" %}\n')
    upgrade = plan(mine / "mine", ROOT / "templates" / "letter" / "macros" / "letter.j2")
    assert upgrade.files.get(including) == "{{ citation(item.guideline) }}\n"
    inodes = {path: path.stat().st_ino for path in upgrade.files if path.exists()}
    upgrade.write()
    for path, new in upgrade.files.items():
        if new is not None:
            assert path.read_text() == new
            assert path.stat().st_ino != inodes.get(path)  # a new file renamed over the old
    assert not list((mine / "mine").rglob("*.part"))
