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


def changes(case: Path, folder: Path) -> list[list[str]]:
    kit, mine = text(case), text(case, (folder,))
    matcher = difflib.SequenceMatcher(None, kit, mine, autojunk=False)
    return [[kit[i1:i2], mine[j1:j2]] for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]


def all_changes(release: str) -> dict[str, dict[str, list[list[str]]]]:
    root = COMPAT / release
    return {folder.name: {case.stem: changes(case, folder) for case in sorted((root / "cases").glob("*.yaml"))}
            for folder in sorted((root / "folders").iterdir())}


if __name__ == "__main__":
    release = sys.argv[1]
    (COMPAT / release / "changes.json").write_text(json.dumps(all_changes(release), indent=1, ensure_ascii=False) + "\n")
