"""Plain language: the Flesch-Kincaid grade of each rich-text field of a case.

The IMR statute asks for a determination in layperson's terms; a kit sets the highest
grade it wants (`reading_grade` in its kit.toml) and `letterkit validate --strict`
warns about each field above it. A warning, not a failure: a grade is a hint about
long sentences and long words, not a measure of whether a reader understands.

Syllables are counted with Pyphen's hyphenation dictionary (WeasyPrint already depends
on Pyphen), as textstat did before it began downloading a pronouncing dictionary at
run time, which a letter check must never do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyphen
from pydantic import BaseModel

from .guidelines import QUOTE_LINE
from .model import RichText

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n\s*\n|^\s*(?:[-*]|\d+\.)\s", re.MULTILINE)


@dataclass(frozen=True)
class ReadingGrade:
    path: str  # the field, e.g. "items[0].rationale"
    grade: float


def flesch_kincaid_grade(text: str) -> float:
    """0.39 × words per sentence + 11.8 × syllables per word − 15.59; 0 for no words."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len([m for m in _SENTENCE_END.finditer(text.strip())]))
    syllables = sum(_syllables(word.lower()) for word in words)
    return round(0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59, 1)


@lru_cache(maxsize=1)
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US")


def _syllables(word: str) -> int:
    return len(_dictionary().positions(word)) + 1


def rich_text_grades(letter: BaseModel) -> list[ReadingGrade]:
    """The grade of every rich-text field of the case, by field path. Quoted guideline
    passages (`[quote: key]` lines) are left out: the letter must quote them as they are."""
    return [ReadingGrade(path, flesch_kincaid_grade(QUOTE_LINE.sub("", text)))
            for path, text in _rich_texts(letter, "")]


def _rich_texts(value: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(value, RichText):
        return [(path, value)]
    if isinstance(value, BaseModel):
        return [found for name in type(value).model_fields
                for found in _rich_texts(getattr(value, name), f"{path}.{name}" if path else name)]
    if isinstance(value, (list, tuple)):
        return [found for index, element in enumerate(value) for found in _rich_texts(element, f"{path}[{index}]")]
    return []
