"""Rich text: the Markdown a case's rich-text fields may hold — a closed subset.

The subset:
- paragraphs, separated by a blank line; a line ending in two spaces breaks the line;
- `*emphasis*` and `**strong**` (or `_` and `__`);
- bullet lists (`- `, `* `, `+ `) and numbered lists (`1. `), nested by indenting;
- block quotes (`> `);
- pipe tables (`| a | b |` with a `|---|---|` line under the header);
- a backslash before one of \\ * _ > - + . | [ ] shows that character as typed;
- a line `[quote: key]`, which quotes a passage of the kit's guideline library.

Everything else is shown exactly as typed, never interpreted and never dropped:
headings (`# x`, underlined lines), horizontal rules, code (indented or in
backticks), links, images, HTML and entities, reference definitions (`[1]: x`),
attribute lists (`{: .class }`). The kit's own blocks use full Markdown; case data
gets this parser only, so a rationale cannot restyle, retitle or hide the letter.
"""

from __future__ import annotations

import markdown

_BLOCKS = ("empty", "indent", "olist", "ulist", "quote", "table", "paragraph")
_INLINES = ("escape", "linebreak", "em_strong")
_ESCAPABLE = ["\\", "*", "_", ">", "+", "-", ".", "|", "[", "]"]


def rich_markdown() -> markdown.Markdown:
    """A Markdown parser for the subset. Not thread-safe: one per composition."""
    md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    _keep_only(md.preprocessors, ("normalize_whitespace",))
    _keep_only(md.parser.blockprocessors, _BLOCKS)
    _keep_only(md.inlinePatterns, _INLINES)
    md.ESCAPED_CHARS = list(_ESCAPABLE)
    return md


def _keep_only(registry, names: tuple[str, ...]) -> None:
    for name in [item.name for item in registry._priority if item.name not in names]:
        registry.deregister(name)


def to_html(md: markdown.Markdown, text: str) -> str:
    """Rich text as HTML; `&` and `<` are escaped first, so they come out as typed."""
    md.reset()
    return md.convert(text.replace("&", "&amp;").replace("<", "&lt;"))
