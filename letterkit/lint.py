"""Checking a kit without rendering a case: `letterkit lint`.

Finds what would otherwise surface only when some letter happens to need it: a
block that does not parse, an include of a block that does not exist, a name a block
prints that no case field nor computed value answers to, a class that neither the
stylesheet (for the element it is on) nor the reference DOCX styles, a guideline key
that resolves to no passage.

Each problem has a severity: an `error` changes or breaks what a letter says (a block
that does not parse, a name the case lacks, two lines a block tag glues together); a
`warning` is a letter that renders but not as meant (a class nothing styles); `advice`
is about reading the blocks (a line too long). `letterkit lint` fails on errors, and on
warnings too with `--strict`.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import TemplateSyntaxError, nodes

from . import catalogue, deprecations, guidelines, page_setup, readability, upgrade
from .kits import Kit
from .visibility import of_presentation
from .writers.docx_styles import reference_styles, style_name

# `{: .class }` on a line of its own (the paragraph above), or at the end of a heading;
# `<tag class="...">`. The element matters: `p.guideline` in a stylesheet styles no heading.
_ATTRIBUTES = re.compile(r"\{:([^}]*)\}")
_TAG_CLASS = re.compile(r"<([A-Za-z][\w-]*)\b[^>]*?\bclass=\"([^\"]+)\"")
_HEADING = re.compile(r"\s*(#{1,6})\s")
# Classes the writers give meaning to themselves, not styled by name.
_STRUCTURAL = {"page-break", "running-header"}
SEVERITIES = ("error", "warning", "advice")


class Problem(str):
    """One line of the report, and its severity (one of SEVERITIES)."""

    severity: str

    def __new__(cls, text: str, severity: str = "error") -> Problem:
        problem = super().__new__(cls, text)
        problem.severity = severity
        return problem


def lint(kit: Kit) -> list[Problem]:
    """One line per problem, each naming its file (and line, where there is one)."""
    problems: list[str] = []
    environment = kit.environment
    templates = kit.files.names("**/*.j2")
    classes: dict[tuple[str, str], str] = {}  # (class, element) → where first used
    for name, path in templates.items():
        source = kit.files.read_text(name)
        try:
            tree = environment.parse(source, name, str(path))
        except TemplateSyntaxError as error:
            problems.append(Problem(f"{path}:{error.lineno}: {error.message}"))
            continue
        problems += _layout(source, path)
        problems += _missing_includes(tree, templates, path)
        problems += _unknown_quotes(tree, kit, path)
        for number, line in enumerate(source.splitlines(), 1):
            for cls, element in _classes(line):
                classes.setdefault((cls, element), f"{path}:{number}")
    problems += _unknown_names(kit)
    problems += _unstyled(kit, classes)
    problems += _hidden(kit, classes)
    problems += [Problem(line, "warning") for line in page_setup.overridden(kit.presentation.print_css)]
    problems += [Problem(line, "warning") for line in upgrade.lint_lines(kit.search_path)]
    problems += _reading_levels(kit)
    return [problem if isinstance(problem, Problem) else Problem(problem) for problem in problems]


def _reading_levels(kit: Kit) -> list[Problem]:
    """Each block's reading score (advice), a warning where it is past the kit's
    `[reading_level]` for its language (letterkit.readability)."""
    scores = (readability.block_score(str(path), name, kit.files.read_text(name))
              for name, path in kit.files.names("blocks/**/*.md.j2").items())
    limits = kit.reading_limits.blocks
    return [Problem(score.line(limits), "warning" if score.past(limits) else "advice")
            for score in scores if score is not None]


def _hidden(kit: Kit, classes: dict[tuple[str, str], str]) -> list[Problem]:
    """Classes the stylesheets (or Word styles) hide: a reader never sees their words, so
    the kit's rules never count them (letterkit.visibility)."""
    seen = of_presentation(kit.presentation)
    found = [Problem(f"{where}: class {cls!r} hides its text from a reader; the kit's rules do not "
                     "count words in it", "warning")
             for (cls, _), where in sorted(classes.items(), key=lambda item: item[1]) if seen.hides(cls)
             and not seen.unclassed]
    return found + [Problem(f"{line}: hides text without a class, so no words of the letter can meet the "
                            "kit's rules; hide by a class", "warning") for line in seen.unclassed]


MAX_LINE = 120  # a block reads on a screen; Markdown joins a paragraph's lines with a space
_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.S)
# What a glued line starts with that changes the letter (an attribute line `{: .x }` too).
_STARTS_BLOCK_OR_WORD = upgrade.STARTS_BLOCK_OR_WORD


def _layout(source: str, path: Path) -> list[Problem]:
    """Jinja whitespace mechanics a reader of the block cannot see: a `+%}` that keeps a
    line end, text whose leading space joins it to the line above, a line too long to read."""
    problems = []
    lines = source.splitlines()
    # Tags and comments blanked, line ends kept: what is left on a line is text or values.
    text = _TAG.sub(lambda tag: "\0" + "\n" * tag.group().count("\n"), source).splitlines()
    for number, line in enumerate(lines, 1):
        if "+%}" in line:
            problems.append(Problem(f"{path}:{number}: '+%}}' keeps a line end Jinja would trim; end the line "
                                    "with text or a value, or put the tag on a line of its own", "warning"))
        if len(line) > MAX_LINE:
            problems.append(Problem(f"{path}:{number}: {len(line)} characters; break the line (at most {MAX_LINE}: "
                                    "a paragraph's lines are joined with a space)", "advice"))
        if problem := _glued(lines, text, number, path):
            problems.append(problem)
        if _RAW_CELL_MARKDOWN.search(line):
            problems.append(Problem(f"{path}:{number}: Markdown in a cell of an HTML table is shown as typed; give "
                                    '<table>, <tr> and the cell markdown="1", or use table()', "warning"))
        previous = lines[number - 2].rstrip() if number > 1 else ""
        if (previous.endswith("%}") and not previous.endswith("+%}") and re.match(r"[ \t]+[^\s\0]", text[number - 1])
                and not line.lstrip().startswith(("{%", "{#"))):
            problems.append(Problem(f"{path}:{number}: the leading space joins this text to the line above (Jinja "
                                    "trims the line end after a tag); move it into the line above", "warning"))
    return problems


# A cell of a hand-written HTML table, without `markdown`, whose text has Markdown emphasis.
_RAW_CELL_MARKDOWN = re.compile(r"<t[dh](?![^>]*\bmarkdown=)[^>]*>[^<]*(\*\*|__|\*[^*\s][^*<]*\*)")


def _glued(lines: list[str], text: list[str], number: int, path: Path) -> Problem | None:
    """Text, then a block tag ending the line (`…a week{% endif %}`): Jinja trims the line
    end after the tag, so the next line of text joins this one, a list item to the item
    above, a word to the word before."""
    line, following = lines[number - 1].rstrip(), lines[number] if number < len(lines) else ""
    if not (line.endswith("%}") and not line.endswith("+%}") and text[number - 1].replace("\0", "").strip()):
        return None
    if following.lstrip().startswith(("{%", "{#")) or not _STARTS_BLOCK_OR_WORD.match(following):
        return None
    return Problem(f"{path}:{number}: the tag at the end of this line joins the next line to it (Jinja trims "
                   "the line end after a tag); put the tag on a line of its own, or end the line with '+%}'")


def _classes(line: str) -> list[tuple[str, str]]:
    """(class, element) for each class a line gives an element."""
    # A class a macro prints from its argument (`class="{{ cls }}"`) is named where it is called.
    found = [(cls, tag.lower()) for tag, classes in _TAG_CLASS.findall(line) if "{{" not in classes
             for cls in classes.split()]
    heading = _HEADING.match(line)
    element = f"h{len(heading.group(1))}" if heading else "p"
    for attributes in _ATTRIBUTES.findall(line):
        found += [(word[1:], element) for word in attributes.split() if word.startswith(".")]
    return found


def _unknown_names(kit: Kit) -> list[str]:
    """A name a block prints that the case lacks: found now, not when a letter renders."""
    problems = []
    for name in catalogue.names(kit):
        if name.resolved and (problem := catalogue.unknown_name(kit, name.path)):
            problems.append(Problem(f"{kit.files.find(name.template)}:{name.line}: prints {name.path!r}: {problem}"))
    return list(dict.fromkeys(problems))  # a block included in two places is told once


def _missing_includes(tree, templates: dict[str, Path], path: Path) -> list[str]:
    return [
        f"{path}:{node.lineno}: includes {node.template.value!r}, which is not a block of the kit"
        for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport))
        if isinstance(node.template, nodes.Const) and node.template.value not in templates
        and not deprecations.still_works(node.template.value)  # said below, with its replacement
    ]


def _unknown_quotes(tree, kit: Kit, path: Path) -> list[str]:
    passages = kit.guidelines
    return [
        f"{path}:{call.lineno}: {guidelines.unknown_key_message(call.args[0].value, passages)}"
        for call in tree.find_all(nodes.Call)
        if isinstance(call.node, nodes.Name) and call.node.name == "quote"
        and call.args and isinstance(call.args[0], nodes.Const)
        and call.args[0].value not in passages
    ]


def _unstyled(kit: Kit, classes: dict[tuple[str, str], str]) -> list[str]:
    css = "".join(text for _, text in kit.presentation.print_css)
    # Named as the author knows them: the kit.toml's [page] styles no class.
    stylesheets = ", ".join(path.name for path, _ in kit.presentation.print_css if path.suffix == ".css")
    word_styles = reference_styles(kit.presentation).names
    selectors = _selectors(css)
    problems = []
    for (cls, element), where in sorted(classes.items(), key=lambda found: found[1]):
        if cls in _STRUCTURAL:
            continue
        styled_for = _elements_styled(selectors, cls)
        if not styled_for:
            problems.append(Problem(f"{where}: class {cls!r} has no rule in the stylesheets ({stylesheets})",
                                    "warning"))
        elif None not in styled_for and element not in styled_for:
            problems.append(Problem(f"{where}: class {cls!r} is on a {element} element, but the stylesheets "
                                    f"({stylesheets}) style it only on {', '.join(sorted(filter(None, styled_for)))}",
                                    "warning"))
        if style_name(cls) not in word_styles:
            problems.append(Problem(f"{where}: class {cls!r} has no style {style_name(cls)!r} in "
                                    f"{kit.presentation.reference_file.name}", "warning"))
    return list(dict.fromkeys(problems))


def _selectors(css: str) -> list[str]:
    """Every selector of every rule, nested ones (@media) included; comments left out."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return [selector.strip() for prelude in re.findall(r"([^{};]+)\{", css) if not prelude.strip().startswith("@")
            for selector in prelude.split(",")]


def _elements_styled(selectors: list[str], cls: str) -> set[str | None]:
    """The elements a class is styled on: a tag name, or None for any (`.cls`, `*.cls`)."""
    compound = re.compile(rf"(?:^|[\s>+~])([A-Za-z][\w-]*|\*)?[\w.#:\[\]=\"'-]*?\.{re.escape(cls)}(?![\w-])")
    found: set[str | None] = set()
    for selector in selectors:
        for match in compound.finditer(selector):
            tag = match.group(1)
            found.add(None if tag in (None, "*") else tag.lower())
    return found
