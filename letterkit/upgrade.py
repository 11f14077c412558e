"""`letterkit upgrade FOLDER`: the parts letterkit renamed or removed, where a folder
still uses them, and the rewrite of that folder for them.

The inventory: each `RemovedBlock` says what an old folder may still hold, what replaces
it and until which release it works (letterkit.deprecations keeps it working until then);
`uses` finds each use in a folder, which `letterkit lint` reports.

The rewrite: each use found becomes what replaced it, with the same text in the letter.

- An include of a removed block becomes the macro call (`{{ citation(item.guideline) }}`);
  an address included inside `{% with address = X %}` becomes `{{ address(X) }}`.
- A folder's own version of a removed block becomes its own version of the macro, in the
  folder's copy of the kit's `macros/letter.j2` (the documented way to change a macro).

Jinja's whitespace rules are kept: a tag that trimmed the line end after it still does.
What cannot be rewritten safely is reported with its file and line, to do by hand.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes

from . import version
from .output import write_all


@dataclass(frozen=True)
class RemovedBlock:
    """A block that became a macro: the old block's name, the macro's call, and the
    value the old block read (a dotted name), which the macro takes as its argument."""

    block: str  # "blocks/guideline-citation.md.j2"
    macro: str  # "citation"
    parameter: str  # the macro's parameter: "guideline"
    reads: str  # what the old block read that argument as: "item.guideline"
    deprecated_in: str
    removed_in: str
    source: str  # the block as the last release before `deprecated_in` shipped it
    # The old block took its value from `{% with address = X %}` around its include, and
    # was included only when X had one.
    passed_with: bool = False

    @property
    def short_name(self) -> str:
        return Path(self.block).name.removesuffix(".md.j2")

    @property
    def call(self) -> str:
        return f"{self.macro}({self.parameter})"

    def message(self, where: str) -> str:
        removed = version.reached(self.removed_in)
        until = "stopped" if removed else "will stop"
        return (f"{where}: the block \"{self.short_name}\" is now the macro {self.call}; "
                f"this block {until} working in {_minor(self.removed_in)}")

    def context(self, value: Any) -> dict[str, Any]:
        """What the old block saw: the macro's argument under the name it read it by."""
        *outer, last = self.reads.split(".")
        context: Any = {last: value}
        for name in reversed(outer):
            context = {name: context}
        return context


REMOVED_BLOCKS: tuple[RemovedBlock, ...] = (
    RemovedBlock(
        block="blocks/guideline-citation.md.j2", macro="citation", parameter="guideline",
        reads="item.guideline", deprecated_in="0.2.0", removed_in="0.3.0",
        source=(
            '{% set citation = item.guideline %}\n'
            '{{- citation.source }}{% if citation.edition %} {{ citation.edition }}{% endif %}\n'
            '{%- if citation.pages %}\n'
            '{%- if citation.sections %} {{ citation.sections | join(", ") }}{% endif %}'
            ' Page(s): {{ citation.pages }}.\n'
            '{%- elif citation.sections %}, Section(s): {{ citation.sections | join(", ") }}.\n'
            '{%- else %}.{% endif %}\n'),
    ),
    RemovedBlock(
        block="blocks/address.md.j2", macro="address", parameter="address",
        reads="address", deprecated_in="0.2.0", removed_in="0.3.0", passed_with=True,
        source=(
            '{% for line in address.lines %}{{ line }}<br>{% endfor %}{{ address.city }}, {{ address.region }} '
            '{{ address.postal_code }}{% if address.country %}<br>{{ address.country }}{% endif %}\n'),
    ),
)
_BY_NAME = {removed.block: removed for removed in REMOVED_BLOCKS}



def removed_block_named(name: str) -> RemovedBlock | None:
    """The removed block a template name (`blocks/address.md.j2`) is, if it is one."""
    return _BY_NAME.get(name)


@dataclass(frozen=True)
class Use:
    """One use of a removed part in an author's file: `line` 1 for a file that overrides it."""

    path: Path
    line: int
    removed: RemovedBlock
    kind: str  # "override" (the file is the old block) or "include"

    def message(self) -> str:
        return self.removed.message(f"{shown(self.path)}:{self.line}")


def shown(path: Path) -> str:
    """A path as the author wrote it: relative to the working folder when inside it."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def uses(folder: Path) -> list[Use]:
    """Every use of a removed part in the templates of one folder (a template folder or a kit)."""
    found = []
    for path in sorted(folder.rglob("*.j2")):
        if (name := path.relative_to(folder).as_posix()) in _BY_NAME:
            found.append(Use(path, 1, _BY_NAME[name], "override"))
        try:
            found += uses_in(path, path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            continue  # reported when the kit loads or lint runs
    return found


def uses_in(path: Path, source: str) -> list[Use]:
    """The includes of removed blocks in one template's source."""
    try:
        tree = jinja2.Environment().parse(source)
    except jinja2.TemplateSyntaxError:
        return []  # reported, with its line, when the kit loads or lint runs
    return [Use(path, include.lineno, _BY_NAME[include.template.value], "include")
            for include in tree.find_all(nodes.Include)
            if isinstance(include.template, nodes.Const) and include.template.value in _BY_NAME]


def authors_folders(folders: tuple[Path, ...]) -> Iterator[Path]:
    """The folders of a search path an author wrote: template folders and kits of their own."""
    builtin = Path(str(resources.files("letterkit.templates"))).resolve()
    return (folder for folder in folders if not folder.resolve().is_relative_to(builtin))



def macro_definition(name: str) -> re.Pattern:
    """`{% macro name(...) %} ... {% endmacro %}` in a macros file."""
    return re.compile(rf"\{{%-?\s*macro\s+{name}\(.*?endmacro\s*-?%\}}", re.S)



def _minor(version: str) -> str:
    """"0.3.0" → "0.3": a part stops working in a minor release."""
    return ".".join(version.split(".")[:2])



def lint_lines(folders: tuple[Path, ...]) -> list[str]:
    """What `letterkit lint` says of the removed parts an author's folders still use."""
    return [f"{use.message()} (letterkit upgrade {shown(folder)} rewrites it)"
            for folder in authors_folders(folders) for use in uses(folder)]


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
        """Every new file whole, or none (temporary files renamed into place: a kill leaves
        no cut file), through a link inside the folder to the file it names; then removals."""
        write_all({path.resolve(): new.encode("utf-8") for path, new in self.files.items() if new is not None})
        for path, new in self.files.items():
            if new is None:
                path.unlink()


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
    return _inside_only(upgrade)


def _inside_only(upgrade: Upgrade) -> Upgrade:
    """An upgrade that would change a file outside its folder (through a link, as the kit
    loader refuses too) changes nothing: the author is told which file, and why."""
    inside = upgrade.folder.resolve()
    outside = sorted(path for path in upgrade.files if not path.resolve().is_relative_to(inside))
    if outside:
        upgrade.by_hand += [f"{shown(path)}: a link out of {shown(upgrade.folder)}; letterkit upgrade changes files "
                            "inside the folder only, so it changed none: replace the link by a file"
                            for path in outside]
        upgrade.files = {}
    return upgrade


# What a line starts with that changes the letter when a tag's trimmed line end glues it to
# the line above: a list item, heading, quotation or table row of its own, an attribute
# line (`{: .guideline }`), or a word that runs into the last one ("a week1-800-MEDICARE").
STARTS_BLOCK_OR_WORD = re.compile(r"(?:[-*+]|\d+\.)[ \t]|[#>|]|\{:|\w")


def _rewrite_include(text: str, removed: RemovedBlock) -> str:
    name = re.escape(removed.block)
    # `glued`: the next line, which the tag's trimmed line end would glue to the call.
    include = (rf"\{{%(?P<left>-?)\s*include\s+[\"']{name}[\"']\s*(?P<right>[-+]?)%\}}(?P<after>\n?)"
               rf"(?P<glued>(?={STARTS_BLOCK_OR_WORD.pattern})?)")
    if removed.passed_with:  # `{% with address = X %}...{% include %}{% endwith %}`
        pattern = (rf"\{{%\s*with\s+{removed.reads}\s*=\s*(?P<value>[^%]+?)\s*%\}}(?P<before>[^{{]*)"
                   rf"\{{%\s*include\s+[\"']{name}[\"']\s*%\}}"
                   rf"\{{%(?P<left>)\s*endwith\s*(?P<right>[-+]?)%\}}(?P<after>\n?)"
                   rf"(?P<glued>(?={STARTS_BLOCK_OR_WORD.pattern})?)")
        return re.sub(pattern, lambda m: m["before"] + _call(removed.macro, m["value"], m), text)
    return re.sub(include, lambda m: _call(removed.macro, removed.reads, m), text)


def _call(macro: str, argument: str, tag: re.Match) -> str:
    """`{{ macro(argument) }}` in place of a block tag, trimming what the tag trimmed:
    `-` on the left the space before it, and after it the line end (trim_blocks) unless `+`
    — or unless that would glue the next line to the call (`{: .guideline }` shown as
    text): the old block's glue is mended, never written anew."""
    left = "-" if tag["left"] else ""
    glues = tag["after"] and tag["glued"] is not None and tag["right"] != "-"
    kept = tag["after"] if tag["right"] == "+" or glues else ""
    trailing = "-" if tag["right"] == "-" else ""
    return f"{{{{{left} {macro}({argument}) {trailing}}}}}{kept}"


def _to_macro(upgrade: Upgrade, use: Use, kit_vocabulary: Path) -> None:
    removed = use.removed
    body = use.path.read_text(encoding="utf-8").removesuffix("\n")  # as the old release read it
    if removed.reads != removed.parameter:
        body = re.sub(rf"\b{re.escape(removed.reads)}\b", removed.parameter, body)
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
