"""The author's contract is the code's: every part listed, each with the release it came in."""

from __future__ import annotations

import importlib.util
import re
import tomllib

from conftest import ROOT

from letterkit import contract, version
from letterkit.upgrade import REMOVED_BLOCKS


def test_every_part_the_code_has_says_the_release_it_appeared_in():
    missing = [f"{part.kind} {part.name}" for part in contract.parts() if part.since is None]
    assert missing == [], "add these to letterkit/contract.py SINCE, with the release they appear in"


def test_the_contract_lists_nothing_the_code_no_longer_has():
    listed = {(part.kind, part.name) for part in contract.parts()}
    stale = [(kind, name) for kind, names in contract.SINCE.items() for name in names if (kind, name) not in listed]
    assert stale == [], "removed from the code: deprecate them first (letterkit/upgrade.py)"


def test_no_part_appeared_after_this_release_but_those_the_changelog_announces():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    unreleased = changelog.split("## Unreleased\n", 1)[1].split("\n## ", 1)[0] if "## Unreleased\n" in changelog else ""
    authors = (unreleased.split("### For template authors", 1)[1].split("\n### ", 1)[0]
               if "### For template authors" in unreleased else "")
    for part in contract.parts():
        if version.release_key(part.since) > version.release_key(version.RELEASE):
            assert f"`[{part.name}]`" in authors or f"`{part.name}`" in authors, part  # coming in the next release


def test_the_contract_page_shows_every_part_and_every_deprecation():
    page = _docs_hooks().contract_page()
    for part in contract.parts():
        assert f"| `{part.name}` | {part.since} |" in page
    for removed in REMOVED_BLOCKS:
        assert (f"block `{removed.block}` | macro `{removed.call}` | {removed.deprecated_in} | {removed.removed_in}"
                in page)
    assert "| `citation` | 0.2.0 | `{{ citation(guideline) }}` |" in page


def test_the_release_is_pyprojects_version_and_every_release_has_a_changelog_section_for_authors():
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"] == version.RELEASE
    changelog = (ROOT / "CHANGELOG.md").read_text()
    releases = re.findall(r"^## (\d+\.\d+\.\d+) ", changelog, re.M)
    assert releases[0] == version.RELEASE
    for release in releases:
        section = changelog.split(f"## {release} ", 1)[1].split("\n## ", 1)[0]
        assert "### For template authors" in section, release


def test_every_deprecation_is_in_the_changelog_of_the_release_that_made_it():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    for removed in REMOVED_BLOCKS:
        section = changelog.split(f"## {removed.deprecated_in} ", 1)[1].split("\n## ", 1)[0]
        assert f"`{removed.short_name}`" in section and f"{removed.macro}(" in section


def _docs_hooks():
    """docs/hooks.py, which makes the contract page at every build of the site."""
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    return hooks
