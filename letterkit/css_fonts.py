"""The fonts a stylesheet names: its `@font-face` files and the families of its font stacks.

Read by the font check (letterkit.fonts: which characters a letter can draw) and by the
typst PDF writer (which fonts to lay the letter out in), so that both count the same fonts.
"""

from __future__ import annotations

import tinycss2

GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui",
                    "math", "emoji", "fangsong", "ui-serif", "ui-sans-serif", "ui-monospace",
                    "ui-rounded", "inherit", "initial", "unset"}


def font_rules(css: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(family, url) of each `@font-face` source, and every family named in a font stack."""
    urls: list[tuple[str, str]] = []
    families: list[str] = []
    pending = list(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    while pending:
        node = pending.pop(0)
        if node.type == "at-rule" and node.lower_at_keyword == "font-face":
            face = {d.lower_name: d.value for d in _declarations(node.content)}
            family = "".join(_family_names(face.get("font-family", [])))
            urls += [(family, url) for token in face.get("src", []) if (url := _url(token))]
        elif node.type in ("at-rule", "qualified-rule") and node.content is not None:
            pending += tinycss2.parse_blocks_contents(node.content, skip_comments=True, skip_whitespace=True)
        elif node.type == "declaration" and node.lower_name in ("font", "font-family"):
            families += _family_names(node.value, shorthand=node.lower_name == "font")
    return urls, families


def _declarations(content) -> list:
    return [node for node in tinycss2.parse_blocks_contents(content or [], skip_whitespace=True)
            if node.type == "declaration"]


def _family_names(tokens, shorthand: bool = False) -> list[str]:
    """The families of a font stack: quoted names, and unquoted ones (`Noto Serif`) except
    generic families. In the `font` shorthand the words before the first comma are
    size, weight and style, so there only a quoted name counts."""
    names: list[str] = []
    words: list[str] = []
    first = True
    for token in [*tokens, None]:
        if token is None or (token.type == "literal" and token.value == ","):
            if words and " ".join(words).lower() not in GENERIC_FAMILIES:
                names.append(" ".join(words))
            words, first = [], False
        elif token.type == "string":
            names.append(token.value)
        elif token.type == "ident" and not (shorthand and first):
            words.append(token.value)
    return names


def _url(token) -> str | None:
    if token.type == "url":
        return token.value
    if token.type == "function" and token.lower_name == "url":
        strings = [t.value for t in token.arguments if t.type == "string"]
        return strings[0] if strings else None
    return None
