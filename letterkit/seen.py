"""Whether a reader sees the words a kit's rules require, in the letter as drawn.

`letterkit.rules` finds the words in the document tree (only the kit's count there);
this module requires that a reader can see every one of their occurrences — the kit's
and any a case typed alike, so that a visible copy in a case's text never stands in for
a hidden one in the kit's — in the PDF as laid out (`letterkit.drawn`: glyphs and
pixels) and in the DOCX as Word shows it (`letterkit.writers.docx_formatting`: runs
through their style chain). The stylesheets' reading (`letterkit.visibility`) only adds
a hint to a message; it never decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import tree
from .dates import DateForms
from .deadlines import HolidayCalendar
from .drawn import key, sightings
from .rules import LetterText, Rule, RuleFailure, required_words
from .visibility import Visibility
from .writers.docx_formatting import Run, runs


def unseen(letter: Any, document: tree.Document, rules: tuple[Rule, ...], calendars: Mapping[str, HolidayCalendar],
           drawn: Mapping[str, bytes], hints: Visibility = Visibility(frozenset()),
           dates: DateForms = DateForms()) -> list[RuleFailure]:
    """A failure for each rule whose words a reader cannot see, every time the letter
    has them, in each of the drawn files (`drawn["pdf"]`, `drawn["docx"]`); dates in the
    kit's forms, in the letter's language."""
    text = LetterText.read(document, Visibility(frozenset()), dates, getattr(letter, "language", "en-US"))
    wanted = required_words(letter, text, rules, calendars)
    if not wanted:
        return []
    whole = key(text.whole)
    found = sightings(drawn["pdf"], [words for _, _, words in wanted]) if "pdf" in drawn else {}
    word = _WordText(runs(drawn["docx"])) if "docx" in drawn else None
    failures = []
    for rule, where, words in wanted:
        times = whole.count(key(words))
        label = "the phrase" if where == "(letter text)" else "the value"
        if words in found and (why := _unseen_in_pdf(found[words], times)):
            failures.append(RuleFailure(rule, where, f"{label} {words!r} {why}{_hint(hints)}; {rule.statement}"))
        if word is not None and (why := word.unseen(key(words), times)):
            failures.append(RuleFailure(rule, where, f"{label} {words!r} {why}; {rule.statement}"))
    return failures


def _unseen_in_pdf(found: list, times: int) -> str | None:
    seen = [sighting for sighting in found if sighting.problem is None]
    if len(seen) >= times:
        return None
    if hidden := [sighting for sighting in found if sighting.problem is not None]:
        return f"is not visible on page {hidden[0].page} of the PDF: {hidden[0].problem}"
    return f"is in the letter {_times(times)} and drawn in the PDF {_times(len(found))}: the rest is not drawn"


class _WordText:
    """The DOCX's words as `key` gives them, with the run each letter is in."""

    def __init__(self, word_runs: list[Run]):
        self.runs = word_runs
        letters, self.owner = [], []
        for index, run in enumerate(word_runs):
            for char in key(run.text):
                letters.append(char)
                self.owner.append(index)
        self.text = "".join(letters)

    def unseen(self, wanted: str, times: int) -> str | None:
        """Why Word's reader sees `wanted` fewer than `times` times (None: not fewer)."""
        problems = []
        start = self.text.find(wanted)
        while start >= 0:
            problems.append(next((self.runs[i].problem for i in self.owner[start:start + len(wanted)]
                                  if self.runs[i].problem), None))
            start = self.text.find(wanted, start + len(wanted))
        if sum(problem is None for problem in problems) >= times:
            return None
        if hidden := [problem for problem in problems if problem]:
            return f"is not visible in the Word document: {hidden[0]}"
        return f"is in the letter {_times(times)} and in the Word document {_times(len(problems))}"


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def _hint(hints: Visibility) -> str:
    """What the stylesheets' reading suspects, when it suspects anything."""
    suspects = sorted(hints.hidden_classes)
    notes = [f"class {', '.join(suspects)}"] if suspects else []
    notes += list(hints.unclassed)
    return f" (the stylesheets hide {'; '.join(notes)})" if notes else ""
