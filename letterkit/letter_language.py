"""A letter's language: whether its kit writes it, and its case's text in it.

A letter is never tagged with a language its text is not in. So a letter in a language
is refused when its kit does not speak it (kit.toml `languages`), or lacks a translation
of a template it uses and has no fallback (letterkit.languages) — one line each, naming
the language and the template.

The case's own text may be translated too, in a `translations` section of the case:

    translations:
      es:
        translator: Ana Ruiz, certified medical translator
        date: 2026-12-01
        text:
          clinical_summary: El trabajador lesionado refiere ...
          requests[0].rationale: ...

A letter in `es` prints each field the section names in its Spanish (validated as the
field is); the English letter of the same case prints the English. A rich-text field
with no translation stays in the case's language, the kit's blocks' own, and is tagged
with it where it stands — or the letter is refused, if the kit says
`untranslated_case_text = "refuse"`.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from typing import Any

from . import locales, tree
from .errors import CaseError
from .kits import Kit
from .languages import letter_language, translated_name
from .model import Letter, RichText, text_fields

TRANSLATIONS = "translations"


def translated(data: Any, letter: Letter) -> Any | None:
    """The case data with the text of its language's translation in place of the fields
    it names, or None when it has none; `letter` is the case as given, whose text fields
    a translation may name. A `CaseError` names a path that is no text field of it."""
    code = letter_language(letter.language)
    entry = letter.translations.get(code)
    if entry is None or not entry.text or not isinstance(data, dict):
        return None
    fields = {path for path, _ in text_fields(letter)} - {"language"}
    data = copy.deepcopy(data)
    problems = [(f"{TRANSLATIONS}.{code}.text.{path}", "names no text field of the case; give the path of a "
                                                      "field that holds text, as in clinical_summary or "
                                                      "requests[0].rationale")
                for path, value in entry.text.items() if path not in fields or not _replace(data, path, value)]
    if problems:
        raise CaseError(problems)
    return data


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _replace(data: Any, path: str, value: Any) -> bool:
    """Put `value` at the field path in the case data, where text already is."""
    parts = [int(index) if index else name for name, index in _PART.findall(path)]
    if not parts or "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".") != path:
        return False
    *parents, last = parts
    for part in parents:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return False
    try:
        if not isinstance(data[last], str):
            return False
    except (KeyError, IndexError, TypeError):
        return False
    data[last] = value
    return True


def problems(letter: Letter, kit: Kit) -> list[tuple[str, str]]:
    """Why the letter cannot be written in its language by this kit; none when it can."""
    code = letter_language(letter.language)
    if code == kit.languages[0]:
        return []
    speech = kit.speeches.get(code)
    if speech is None:
        spoken = ", ".join(f"{locales.language_name(c)} ({c})" for c in kit.languages)
        return [("language", f"kit {kit.name!r} writes its letters in {spoken} only, not in "
                             f"{locales.language_name(code)} ({letter.language}); a letter is never tagged "
                             "with a language its text is not in")]
    found = [("language", f"kit {kit.name!r} has no {locales.language_name(code)} ({code}) translation of {name} "
                          f"and no fallback language: add {translated_name(name, code)}, "
                          "or fallback = \"en\" in its kit.toml")
             for name in speech.missing()]
    if kit.untranslated_case_text == "refuse":
        found += [(path, f"has no {locales.language_name(code)} translation ({TRANSLATIONS}.{code}.text), and kit "
                         f"{kit.name!r} prints no case text in another language (untranslated_case_text = \"refuse\")")
                  for path in untranslated_text(letter, kit)]
    return found


def untranslated_text(letter: Letter, kit: Kit) -> list[str]:
    """The rich-text fields a letter prints in the case's language, not its own: none in
    a letter in the kit's blocks' own language."""
    code = letter_language(letter.language)
    if code == kit.languages[0]:
        return []
    entry = letter.translations.get(code)
    done = set(entry.text) if entry else set()
    return [path for path, value in text_fields(letter) if isinstance(value, RichText) and path not in done]


def untranslated_blocks(letter: Letter, kit: Kit) -> list[str]:
    """The blocks a letter prints in the kit's fallback language, having no translation."""
    speech = kit.speeches.get(letter_language(letter.language))
    return list(speech.untranslated) if speech else []


def notes(letter: Letter, kit: Kit) -> list[tuple[str, str]]:
    """What a letter prints in another language than its own, one (where, what) each:
    `validate` warns of them."""
    code = letter_language(letter.language)
    fallback = kit.speeches[code].fallback if code in kit.speeches else None
    name = locales.language_name(code)
    return ([(block, f"has no {name} translation; printed in {locales.language_name(fallback or '')} "
                     f"({fallback}), tagged so") for block in untranslated_blocks(letter, kit)]
            + [(path, f"has no {name} translation ({TRANSLATIONS}.{code}.text); printed as the case gives it, "
                      f"tagged {kit.languages[0]}") for path in untranslated_text(letter, kit)])


def manifest_fields(letter: Letter, kit: Kit) -> dict[str, Any]:
    """A batch manifest line's account of a letter in another language than its kit's
    blocks' own: its language, who translated its case text and when, and what it prints
    untranslated. Nothing for a letter in the kit's own language."""
    code = letter_language(letter.language)
    if code == kit.languages[0]:
        return {}
    entry = letter.translations.get(code)
    return {"language": letter.language,
            "translated_by": entry.translator if entry else None,
            "translated_on": entry.date.isoformat() if entry else None,
            "untranslated": [where for where, _ in notes(letter, kit)]}


def in_language(blocks: list[tree.Block], lang: str) -> list[tree.Block]:
    """Blocks tagged as written in `lang`: each paragraph and heading says it, and a
    paragraph's words say it again inside it, for when they join the kit's paragraph
    ("**Reasons:** {{ rationale }}")."""
    return [_tagged(block, lang) for block in blocks]


def _tagged(node: Any, lang: str) -> Any:
    if isinstance(node, tree.Paragraph):
        return dataclasses.replace(node, lang=lang, children=(tree.Span(node.children, lang=lang),))
    if isinstance(node, tree.Heading):
        return dataclasses.replace(node, lang=lang)
    changes = {part.name: tuple(_tagged(child, lang) for child in getattr(node, part.name))
               for part in dataclasses.fields(node) if part.name in ("children", "items", "head", "body", "cells")}
    return dataclasses.replace(node, **changes)
