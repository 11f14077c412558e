"""Plain language: a reading score for each rich-text field of a case and each block.

The IMR statute asks for a determination in layperson's terms, Medi-Cal plans a sixth
grade reading level. Each language has its measure (`MEASURES`): English the
Flesch-Kincaid grade, a ceiling; Spanish the Fernández-Huerta ease, a floor. A kit
states its limit per language in kit.toml,

    [reading_level]
    en = { grade = 12 }   # `reading_grade = 12`, the older key, says the same
    es = { ease = 60 }

and `letterkit validate --strict` and `letterkit lint` report every score and warn
about each past the limit. A warning, not a failure: a score is a hint about long
sentences and long words, not a measure of whether a reader understands.

Syllables are counted with Pyphen's hyphenation dictionary (WeasyPrint already depends
on Pyphen), as textstat did before it began downloading a pronouncing dictionary at
run time, which a letter check must never do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyphen
from pydantic import BaseModel

from .errors import KitError
from .guidelines import QUOTE_LINE
from .model import RichText

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_ANY_WORD = re.compile(r"[^\W\d_]+")  # letters of any script: "corazón" is one word
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n\s*\n|^\s*(?:[-*]|\d+\.)\s", re.MULTILINE)


def flesch_kincaid_grade(text: str) -> float:
    """0.39 × words per sentence + 11.8 × syllables per word − 15.59; 0 for no words."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len([m for m in _SENTENCE_END.finditer(text.strip())]))
    syllables = sum(_syllables(word.lower()) for word in words)
    return round(0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59, 1)


def fernandez_huerta_ease(text: str) -> float:
    """206.84 − 60 × syllables per word − 1.02 × words per sentence, as textstat computes
    it (Fernández Huerta's 1959 formula, its sentence term read as the sentence length
    Flesch's has); 100 for no words. Higher is easier: 60–70 is plain Spanish."""
    words = _ANY_WORD.findall(text)
    if not words:
        return 100.0
    sentences = max(1, len([m for m in _SENTENCE_END.finditer(text.strip())]))
    syllables = sum(_syllables(word.lower(), "es") for word in words)
    return round(206.84 - 60 * syllables / len(words) - 1.02 * len(words) / sentences, 1)


@lru_cache(maxsize=4)
def _dictionary(language: str) -> pyphen.Pyphen:
    # Spanish hyphenation is by syllable, down to one letter ("a-mi-go"); English keeps Pyphen's defaults
    return pyphen.Pyphen(lang="en_US") if language == "en" else pyphen.Pyphen(lang=language, left=1, right=1)


def _syllables(word: str, language: str = "en") -> int:
    return len(_dictionary(language).positions(word)) + 1


@dataclass(frozen=True)
class Measure:
    """How a language's text is scored."""

    key: str  # what it measures, its kit.toml key: "grade"
    author: str  # whose formula: "Flesch-Kincaid"
    score: Callable[[str], float]
    ceiling: bool  # the limit is the highest score wanted (a grade), else the lowest (an ease)

    def past(self, score: float, limit: float) -> bool:
        return score > limit if self.ceiling else score < limit


MEASURES: Mapping[str, Measure] = {
    "en": Measure("grade", "Flesch-Kincaid", flesch_kincaid_grade, ceiling=True),
    "es": Measure("ease", "Fernández-Huerta", fernandez_huerta_ease, ceiling=False),
}


def language_of(tag: str) -> str:
    """The language of a BCP 47 tag, as MEASURES keys it: "en-US" → "en"."""
    return tag.split("-")[0].lower()


@dataclass(frozen=True)
class ReadingLimits:
    """A kit's limits, by language ("en", "es"): for the case's rich text, and for its blocks' own words."""

    fields: Mapping[str, float]
    blocks: Mapping[str, float]


def reading_limits(grade: float | None, levels: Mapping[str, Mapping[str, float]], where: str) -> ReadingLimits:
    """A kit's limits from its `[reading_level]`, for case text and blocks alike, and its older
    `reading_grade`, which (as in 0.2) limits the English of case text only; a `KitError`
    naming `where` for a language without a measure, or a limit not its measure's."""
    stated: dict[str, float] = {}
    for language, limit in levels.items():
        measure = MEASURES.get(language)
        if measure is None:
            raise KitError(f"{where}: reading_level.{language}: no measure for this language; "
                           f"letterkit scores {', '.join(sorted(MEASURES))}")
        if set(limit) != {measure.key}:
            raise KitError(f"{where}: reading_level.{language}: give {measure.key} = N ({measure.author})")
        stated[language] = float(limit[measure.key])
    return ReadingLimits(({"en": float(grade)} if grade is not None else {}) | stated, stated)


@dataclass(frozen=True)
class ReadingScore:
    where: str  # a field path ("items[0].rationale") or a block's file
    language: str
    score: float

    @property
    def measure(self) -> Measure:
        return MEASURES[self.language]

    def past(self, limits: Mapping[str, float]) -> bool:
        """Whether the score is past the kit's limit for its language (never, without one)."""
        return self.language in limits and self.measure.past(self.score, limits[self.language])

    def describe(self, limits: Mapping[str, float]) -> dict[str, Any]:
        """For JSON: where, language, measure, score, the kit's limit (None) and whether past it."""
        return {"field": self.where, "language": self.language, "measure": f"{self.measure.author} {self.measure.key}",
                "score": self.score, "limit": limits.get(self.language), "past": self.past(limits)}

    def line(self, limits: Mapping[str, float]) -> str:
        """"items[0].rationale: reading grade 13.2 (Flesch-Kincaid), above the kit's 12", or
        "within the kit's 12"."""
        measure = self.measure
        text = f"{self.where}: reading {measure.key} {self.score:.1f} ({measure.author})"
        if self.language not in limits:
            return text
        side = ("above" if measure.ceiling else "below") if self.past(limits) else "within"
        return f"{text}, {side} the kit's {limits[self.language]:g}"


def rich_text_scores(letter: BaseModel, language: str) -> list[ReadingScore]:
    """The score of every rich-text field of the case in `language` (a tag), by field path;
    none for a language without a measure. Quoted guideline passages are left out."""
    measure = MEASURES.get(language_of(language))
    if measure is None:
        return []
    return [ReadingScore(path, language_of(language), measure.score(QUOTE_LINE.sub("", text)))
            for path, text in _rich_texts(letter, "")]


# A block's own words: what it prints ({{ }}), its tags and comments, and Markdown's marks left out
_TEMPLATE_PARTS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\{:[^}]*\}|<[^>]+>", re.DOTALL)
_MARKDOWN_MARKS = re.compile(r"^\s*>\s?|[*_`]", re.MULTILINE)
_HEADING = re.compile(r"^\s*#+\s*(.*?)\s*$", re.MULTILINE)  # a heading is a sentence of its own
# Fewer words than this are not scored: a formula of sentence and word lengths says nothing of
# a heading alone ("RESUMEN CLÍNICO" scores 24.8, "very hard") or of a line of labels.
BLOCK_WORDS_SCORED = 20
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)  # lines of labels read as lines, not one sentence


def block_score(where: str, name: str, source: str, language: str = "en") -> ReadingScore | None:
    """The score of the words a block (`name` on the search path) writes itself, in the
    language of its folder (`blocks/es/x.md.j2`, a translation) or else `language`; None
    for a block of fewer than BLOCK_WORDS_SCORED words or of a language without a measure."""
    language = next((part for part in name.split("/")[:-1] if part in MEASURES), language_of(language))
    prose = _HEADING.sub(r"\1.", _MARKDOWN_MARKS.sub("", _TEMPLATE_PARTS.sub("", _LINE_BREAK.sub(".\n", source))))
    if language not in MEASURES or len(_ANY_WORD.findall(prose)) < BLOCK_WORDS_SCORED:
        return None
    return ReadingScore(where, language, MEASURES[language].score(prose))


def _rich_texts(value: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(value, RichText):
        return [(path, value)]
    if isinstance(value, BaseModel):
        return [found for name in type(value).model_fields
                for found in _rich_texts(getattr(value, name), f"{path}.{name}" if path else name)]
    if isinstance(value, (list, tuple)):
        return [found for index, element in enumerate(value) for found in _rich_texts(element, f"{path}[{index}]")]
    return []
