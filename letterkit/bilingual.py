"""Which languages to write a case's letter in, and one letter made of several.

`--language es` writes the case's letter in Spanish; `--language en+es` writes it in
English and in Spanish, one file with the English letter and then the Spanish one, each
starting on a new page and each part tagged with its language. A language is named by
its code (`es`, taking the region of the case's own tag: `es-US`) or a whole tag (`es-MX`).
"""

from __future__ import annotations

import re
from typing import Any

from . import tree

_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", re.ASCII)


def tags(choice: str | None, case_language: str) -> list[str]:
    """The language tags a choice such as "es" or "en+es" asks for; the case's own for none."""
    if choice is None:
        return [case_language]
    _, _, region = case_language.partition("-")
    wanted = []
    for part in choice.split("+"):
        part = part.strip()
        if not _TAG.fullmatch(part):
            raise ValueError(f"--language {choice!r}: {part!r} is not a language such as en, es or es-US; "
                             "join two with + (en+es)")
        wanted.append(part if "-" in part or not region else f"{part}-{region}")
    if len(set(wanted)) < len(wanted):
        raise ValueError(f"--language {choice!r} names a language twice")
    return wanted


def in_language(data: dict[str, Any], tag: str) -> dict[str, Any]:
    """The case data for its letter in `tag`."""
    return {**data, "language": tag}


def joined(documents: list[tree.Document]) -> tree.Document:
    """One letter of several, each a part in its own language, each from a new page. The
    title and page frame are the first part's."""
    children: list[tree.Block] = []
    for document in documents:
        children += [tree.PageBreak()] if children else []
        children.append(tree.Div(document.children, lang=document.meta.language))
    return tree.Document(documents[0].meta, tuple(children))
