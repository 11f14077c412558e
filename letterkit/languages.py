"""The languages a kit writes its letters in, and where each block's translation is.

A kit says in its `kit.toml` which languages its letters may be in, its blocks' own
first — `languages = ["en", "es"]` (a kit that says nothing writes English only) — and
may declare a fallback, `fallback = "en"`. A translation lives beside what it
translates, in a folder named for its language: `blocks/es/appeal-rights.md.j2`
translates `blocks/appeal-rights.md.j2`, `es/letter.md.j2` the letter template,
`macros/es/letter.j2` the macros. It is read through the kit's resolver like any file,
so a template folder overrides a translation as it overrides a block.

A template with no words of its own (values and markup only: the letterhead) serves
every language. Any other template the letter uses needs a translation in each language
the kit speaks. Without one, a letter in that language is refused, naming the template
and the language; with a fallback, a *block* without one is printed in the fallback
language, tagged with it where it stands (`<div lang="en">` around it), and listed
as untranslated. The letter template and the macros have no fallback: a letter whose
frame, headings and vocabulary were in another language would be that language's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from .environment import LetterSandbox, ResolverLoader
from .errors import KitError
from .locales import primary
from .resolver import Resolver

OWN = "en"  # the language of a kit's blocks when its kit.toml names none
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")  # ISO 639: what a translation's folder is named


def translated_name(name: str, language: str) -> str:
    """Where the translation of a template is: "blocks/x.md.j2", "es" → "blocks/es/x.md.j2"."""
    path = PurePosixPath(name)
    return (path.parent / language / path.name).as_posix()


def is_translation(name: str) -> bool:
    """Whether a template's path names a translation (its folder is a language code)."""
    parent = PurePosixPath(name).parent.name
    return bool(LANGUAGE_CODE.match(parent)) and parent not in _NOT_LANGUAGES


_NOT_LANGUAGES = {"css", "img", "pdf"}  # folder names a kit may use that look like a code


@dataclass(frozen=True)
class Speech:
    """A language a kit writes its letters in, other than its blocks' own."""

    language: str  # "es"
    environment: LetterSandbox  # its blocks: translations, and the fallback's
    untranslated: tuple[str, ...]  # templates the letter uses with no translation in it
    fallback: str | None

    def missing(self) -> tuple[str, ...]:
        """The untranslated templates that no fallback covers: a letter in this language is refused."""
        return tuple(name for name in self.untranslated if self.fallback is None or not _falls_back(name))


def _falls_back(name: str) -> bool:
    return name.startswith("blocks/")


def check_declared(languages: tuple[str, ...], fallback: str | None, where: str) -> None:
    """Refuse a kit.toml whose `languages` or `fallback` cannot be meant."""
    for language in languages:
        if not LANGUAGE_CODE.match(language):
            raise KitError(f"{where}: languages: {language!r} is not a language code such as \"en\" or \"es\"")
    if fallback is not None and fallback not in languages:
        raise KitError(f"{where}: fallback = {fallback!r} is not one of its languages ({', '.join(languages)})")


class TranslatingLoader(ResolverLoader):
    """Blocks in one language: each template's translation where the search path has one,
    else the template itself — a block wrapped in the fallback's language, when the kit
    has a fallback. A letter that would need the latter without one is refused before it
    renders (`Speech.missing`)."""

    def __init__(self, files: Resolver, language: str, fallback: str | None):
        super().__init__(files)
        self.language, self.fallback = language, fallback

    def get_source(self, environment, template: str):
        translation = translated_name(template, self.language)
        if self.files.locate(translation) is not None:
            return super().get_source(environment, translation)
        source, filename, uptodate = super().get_source(environment, template)
        if self.fallback and _falls_back(template) and has_words(source):
            # The block's text is in the fallback language: said where it stands.
            source = f'<div lang="{self.fallback}" markdown>\n\n{source}\n\n</div>\n'
        return source, filename, uptodate

    def untranslated(self, used: set[str]) -> tuple[str, ...]:
        """The templates of `used` that have words and no translation on the search path."""
        return tuple(sorted(name for name in used if self.files.locate(translated_name(name, self.language)) is None
                            and has_words(ResolverLoader.get_source(self, None, name)[0])))


JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_STATEMENT = re.compile(r"\{%.*?%\}", re.S)
JINJA_EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)  # what it prints: values, and the text strings in them
_STRING = re.compile(r"\"([^\"]*)\"|'([^']*)'")
_ATTRIBUTE_LIST = re.compile(r"\{:[^}]*\}")
_ELEMENT = re.compile(r"<[^>]*>")
_SPOKEN_ATTRIBUTE = re.compile(r"\b(?:alt|title)=\"([^\"]*)\"")
_ENTITY = re.compile(r"&#?\w+;")
_LETTER = re.compile(r"[^\W\d_]")


def has_words(source: str) -> bool:
    """Whether a template has words of its own: text outside Jinja's tags, text strings an
    expression prints, an image's `alt` — anything but values, markup and comments."""
    text = _STATEMENT.sub(" ", JINJA_COMMENT.sub(" ", source))
    text = JINJA_EXPRESSION.sub(lambda match: " ".join(a or b for a, b in _STRING.findall(match.group(1))), text)
    text = _ELEMENT.sub(lambda match: " ".join(_SPOKEN_ATTRIBUTE.findall(match.group())),
                        _ATTRIBUTE_LIST.sub(" ", text))
    return bool(_LETTER.search(_ENTITY.sub(" ", text)))


def letter_language(tag: str) -> str:
    """The language a letter's tag asks for, as a kit names it: "es-US" → "es"."""
    return primary(tag)
