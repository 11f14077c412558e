"""What an old template folder changes in a letter, as text: the same under every release.

`changes(case, folder)` is the list of (text the kit prints, text the folder prints
instead) between the letter without the folder and with it, whitespace left out (where
a release breaks lines is not what a folder says). tests/compat/<release>/changes.json
holds it as that release rendered it; run this file with that release's letterkit
first on the path to make it again (tests/compat/README.md).
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from pathlib import Path

import lxml.html

import letterkit

COMPAT = Path(__file__).parent / "compat"


def text(case: Path, templates: tuple[Path, ...] = (), kit: str | Path = "imr") -> str:
    html = letterkit.render(letterkit.read_case(case), kit=str(kit), formats=("html",), templates=templates)["html"]
    return re.sub(r"\s", "", lxml.html.document_fromstring(html).body.text_content())


def changes(case: Path, folder: Path | None = None, kit: Path | None = None) -> list[list[str]]:
    """What a template folder, or a kit that extends imr, changes in the imr kit's letter."""
    theirs, mine = text(case), text(case, (folder,) if folder else (), kit or "imr")
    return _differences(theirs, mine)


def _differences(kit: str, mine: str) -> list[list[str]]:
    matcher = difflib.SequenceMatcher(None, kit, mine, autojunk=False)
    return [[kit[i1:i2], mine[j1:j2]] for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]


def all_changes(release: str) -> dict[str, dict[str, list[list[str]]]]:
    root = COMPAT / release
    return {folder.name: {case.stem: changes(case, folder) for case in sorted((root / "cases").glob("*.yaml"))}
            for folder in sorted((root / "folders").iterdir())}


def kit_letters(release: str) -> dict[str, object]:
    """Each old kit's letter: what it changes in the imr kit's (one that keeps the imr
    letter), or its whole text (one with a letter of its own, from its example case)."""
    root = COMPAT / release
    letters: dict[str, object] = {}
    for kit in sorted((root / "kits").iterdir()):
        example = kit / "example.yaml"
        letters[kit.name] = (text(example, kit=kit) if example.is_file() else
                             {case.stem: changes(case, kit=kit) for case in sorted((root / "cases").glob("*.yaml"))})
    return letters


if __name__ == "__main__":
    release = sys.argv[1]
    for name, made in (("changes.json", all_changes(release)), ("kits.json", kit_letters(release))):
        (COMPAT / release / name).write_text(json.dumps(made, indent=1, ensure_ascii=False) + "\n")
