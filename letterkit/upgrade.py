"""`letterkit upgrade FOLDER`: rewrite a template folder for the renames letterkit knows.

The knowledge is letterkit.deprecations: each use of a removed block found there becomes
what replaced it, with the same text in the letter.

- An include of a removed block becomes the macro call (`{{ citation(item.guideline) }}`);
  an address included inside `{% with address = X %}` becomes `{{ address(X) }}`.
- A folder's own version of a removed block becomes its own version of the macro, in the
  folder's copy of the kit's `macros/letter.j2` (the documented way to change a macro).

Jinja's whitespace rules are kept: a tag that trimmed the line end after it still does.
What cannot be rewritten safely is reported with its file and line, to do by hand.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from jinja2 import meta

from .deprecations import RemovedBlock, Use, macro_definition, shown, uses, uses_in

VOCABULARY_FILE = "macros/letter.j2"


@dataclass
class Upgrade:
    """What upgrading one folder does: new text per file (None: the file goes), and
    the uses it leaves to the author, one line each."""

    folder: Path
    files: dict[Path, str | None] = field(default_factory=dict)
    by_hand: list[str] = field(default_factory=list)

    def diff(self) -> str:
        """A unified diff of every change, paths relative to the working folder."""
        out: list[str] = []
        for path, new in sorted(self.files.items()):
            old = path.read_text(encoding="utf-8") if path.is_file() else ""
            out += difflib.unified_diff(old.splitlines(keepends=True), (new or "").splitlines(keepends=True),
                                        f"a/{shown(path)}" if path.is_file() else "/dev/null",
                                        f"b/{shown(path)}" if new is not None else "/dev/null")
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out)

    def write(self) -> None:
        for path, new in self.files.items():
            if new is None:
                path.unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(new, encoding="utf-8")


def plan(folder: Path, kit_vocabulary: Path) -> Upgrade:
    """The upgrade of `folder`; `kit_vocabulary` is the kit's macros/letter.j2, which a
    folder's own version of a removed block goes into."""
    upgrade = Upgrade(folder)
    found = uses(folder)
    rewritten: dict[Path, str] = {}
    for use in (use for use in found if use.kind == "include"):
        text = rewritten.get(use.path) or use.path.read_text(encoding="utf-8")
        rewritten[use.path] = _rewrite_include(text, use.removed)
    for path, text in rewritten.items():
        upgrade.by_hand += [f"{use.message()}; write {{{{ {use.removed.macro}(...) }}}} here by hand"
                            for use in uses_in(path, text)]
    upgrade.files.update(rewritten)
    for use in (use for use in found if use.kind == "override"):
        _to_macro(upgrade, use, kit_vocabulary)
    upgrade.files = {path: text for path, text in upgrade.files.items()
                     if text is None or not path.is_file() or text != path.read_text(encoding="utf-8")}
    return upgrade


def _rewrite_include(text: str, removed: RemovedBlock) -> str:
    name = re.escape(removed.block)
    include = rf"\{{%(?P<left>-?)\s*include\s+[\"']{name}[\"']\s*(?P<right>[-+]?)%\}}(?P<after>\n?)"
    if removed.passed_with:  # `{% with address = X %}...{% include %}{% endwith %}`
        pattern = (rf"\{{%\s*with\s+{removed.reads}\s*=\s*(?P<value>[^%]+?)\s*%\}}(?P<before>[^{{]*)"
                   rf"\{{%\s*include\s+[\"']{name}[\"']\s*%\}}"
                   rf"\{{%(?P<left>)\s*endwith\s*(?P<right>[-+]?)%\}}(?P<after>\n?)")
        return re.sub(pattern, lambda m: m["before"] + _call(removed.macro, m["value"], m), text)
    return re.sub(include, lambda m: _call(removed.macro, removed.reads, m), text)


def _call(macro: str, argument: str, tag: re.Match) -> str:
    """`{{ macro(argument) }}` in place of a block tag, trimming what the tag trimmed:
    `-` on the left the space before it, and after it the line end (trim_blocks) unless `+`."""
    left = "-" if tag["left"] else ""
    kept = tag["after"] if tag["right"] == "+" else ""
    trailing = "-" if tag["right"] == "-" else ""
    return f"{{{{{left} {macro}({argument}) {trailing}}}}}{kept}"


def _to_macro(upgrade: Upgrade, use: Use, kit_vocabulary: Path) -> None:
    removed = use.removed
    body = use.path.read_text(encoding="utf-8").removesuffix("\n")  # as the old release read it
    body = re.sub(rf"\b{re.escape(removed.reads)}\b", removed.parameter, body) if removed.reads != removed.parameter else body
    reads = meta.find_undeclared_variables(jinja2.Environment().parse(body)) - {removed.parameter}
    vocabulary_file = upgrade.folder / VOCABULARY_FILE
    vocabulary = upgrade.files.get(vocabulary_file) or (
        vocabulary_file if vocabulary_file.is_file() else kit_vocabulary).read_text(encoding="utf-8")
    known = set(jinja2.defaults.DEFAULT_NAMESPACE) | set(re.findall(r"\{%-?\s*macro\s+(\w+)", vocabulary)) | {"quote"}
    if unknown := sorted(reads - known):
        upgrade.by_hand.append(f"{use.message()}; it reads {', '.join(unknown)}, which a macro cannot see: "
                               f"give it as an argument of {removed.macro}() by hand")
        return
    if removed.passed_with:  # the old block was included only when there was a value
        body = f"{{% if {removed.parameter} %}}\n{body}{{% endif %}}"
    macro = macro_definition(removed.macro)
    if not macro.search(vocabulary):
        upgrade.by_hand.append(f"{use.message()}; {shown(vocabulary_file)} has no macro {removed.macro} to replace")
        return
    replacement = (f"{{#- Made by letterkit upgrade from your {removed.block}. -#}}\n"
                   f"{{% macro {removed.call} %}}\n{body}{{% endmacro %}}")
    upgrade.files[vocabulary_file] = macro.sub(lambda _: replacement, vocabulary, count=1)
    upgrade.files[use.path] = None
