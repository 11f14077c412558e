"""A kit's short phrases as a gettext catalogue, and what a language still lacks.

Whole legal paragraphs are translated as blocks (`blocks/es/x.md.j2`, letterkit.languages);
the short phrases a translator checks across them — headings, bold labels, table
headings, the closing, the phrases the kit's rules look for — go to a translator as a
gettext template (`.pot`) that their usual tools (Poedit, Weblate, Lokalize) open:
`letterkit translations extract --kit ur`. Each entry says where it stands
(`#: blocks/ur-opening.md.j2:9`). `letterkit translations status es --kit ur` lists
what the kit's Spanish lacks: templates with words and no translation, and phrase rules
that state no phrase in it.
"""

from __future__ import annotations

import datetime
import io
import os
import re
from dataclasses import dataclass

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from . import version
from .kits import Kit, used_templates
from .languages import JINJA_COMMENT, JINJA_EXPRESSION, LANGUAGE_CODE, TranslatingLoader, translated_name
from .locales import language_name
from .rules import PhraseRule

_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*(?:\{:[^}]*\})?\s*$")
_LABEL = re.compile(r"\*\*([^*{}<>]+?)\*\*")
_TABLE_ROW = re.compile(r"^\|(.+)\|\s*$")
_STRING = re.compile(r"\"([A-Z][^\"%/{}]*)\"")
_META = re.compile(r"^(Title|Subject|Footer):\s*(.+)$")
_JINJA = re.compile(r"\{[{%#]")


def phrases(kit: Kit) -> list[tuple[str, str, int, str]]:
    """(phrase, template, line, what it is) for each short phrase of the kit's letter, in
    the order the templates and their lines come."""
    found = []
    environment = kit.environment
    for name in sorted(used_templates(kit)):
        source = environment.loader.get_source(environment, name)[0]
        # Comments hold no phrase of the letter (a macro's example call neither); their lines stay counted.
        lines = JINJA_COMMENT.sub(lambda comment: "\n" * comment.group().count("\n"), source).splitlines()
        for number, line in enumerate(lines, 1):
            following = lines[number] if number < len(lines) else ""
            for phrase, kind in _in_line(line, following):
                found.append((phrase, name, number, kind))
    return found


def _in_line(line: str, following: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if (heading := _HEADING.match(line)) and not _JINJA.search(heading.group(1)):
        found.append((heading.group(1), "heading"))
    if (meta := _META.match(line)) and not _JINJA.search(meta.group(2)):
        found.append((meta.group(2), f"{meta.group(1).lower()} of the letter"))
    if following.strip() == "{: .closing }" and not _JINJA.search(line):
        found.append((line.strip(), "the closing"))
    found += [(label.strip(), "label") for label in _LABEL.findall(line) if not _JINJA.search(label)]
    if (row := _TABLE_ROW.match(line)) and not set(row.group(1)) <= set("-|: ") and not _JINJA.search(line):
        found += [(cell.strip(), "table heading") for cell in row.group(1).split("|") if cell.strip()]
    for expression in JINJA_EXPRESSION.findall(line):
        found += [(text, "label") for text in _STRING.findall(expression) if text.strip()]
    return found


def catalogue(kit: Kit) -> bytes:
    """The kit's short phrases and its rules' phrases as a gettext template (.pot)."""
    made = _made_on()
    catalog = Catalog(project=f"letterkit kit {kit.name}", version=version.RELEASE, charset="utf-8",
                      creation_date=made, revision_date=made, fuzzy=False)
    for phrase, template, line, kind in phrases(kit):
        _add(catalog, phrase, [(template, line)], kind)
    for rule in kit.rules:
        if isinstance(rule, PhraseRule):
            _add(catalog, rule.phrase_in("en"), [],
                 f"rule {rule.id} ({rule.citation}): a letter must hold this "
                 "phrase; give its translation as the rule's phrase in that language")
    out = io.BytesIO()
    write_po(out, catalog, width=100, sort_output=False)
    return out.getvalue()


def _add(catalog: Catalog, phrase: str, locations: list[tuple[str, int]], comment: str) -> None:
    """One entry per phrase, with every place it stands and every comment on it."""
    message = catalog.get(phrase)
    if message is None:
        catalog.add(phrase, locations=locations, auto_comments=[comment])
        return
    message.locations += [location for location in locations if location not in message.locations]
    message.auto_comments += [comment] if comment not in message.auto_comments else []


def _made_on() -> datetime.datetime:
    """SOURCE_DATE_EPOCH when set, so that a build makes the same bytes; else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc) if epoch else None
    return moment or datetime.datetime.now(datetime.timezone.utc)


@dataclass(frozen=True)
class Missing:
    """One thing a kit's letters in a language lack: where, and what follows from it."""

    where: str
    what: str


def status(kit: Kit, language: str) -> list[Missing]:
    """What the kit lacks to write its letters in `language` (a code: "es")."""
    if not LANGUAGE_CODE.match(language):
        raise ValueError(f"{language!r} is not a language code such as es")
    if language == kit.languages[0]:
        return []
    speech = kit.speeches.get(language)
    fallback = speech.fallback if speech else None
    if speech is not None:
        untranslated = speech.untranslated
    else:
        loader = TranslatingLoader(kit.files, language, None)
        untranslated = loader.untranslated(used_templates(kit))
    name = language_name(language)
    found = [] if speech else [Missing("kit.toml", f"does not list {language} in `languages`: the kit writes "
                                                   f"no letter in {name}")]
    for template in untranslated:
        effect = (f"printed in {language_name(fallback)}, tagged so" if fallback and template.startswith("blocks/")
                  else f"a letter in {name} is refused")
        found.append(Missing(template, f"no translation ({translated_name(template, language)}): {effect}"))
    for rule in kit.rules:
        if isinstance(rule, PhraseRule) and language not in rule.languages():
            found.append(Missing(f"rule {rule.id}", f"states no phrase in {name} "
                                                    f"([rule.phrase] {language} = \"…\" in the kit's rules)"))
    return found
