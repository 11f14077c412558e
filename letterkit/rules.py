"""A kit's legal rules, as data, and checking one letter against them.

A kit declares its rules in a TOML file (`rules = "rules.toml"` in its `kit.toml`).
Each rule has an id, the citation of the law it comes from, a plain-language
statement, and one check of a closed set of kinds — data, never code:

- `field`: each field named has a value; with `printed = true` the letter prints it.
- `block`: the letter template includes each block named (checked when the kit loads).
- `phrase`: the letter's text holds the phrase; with `per = "items"`, once per item.
- `within`: the date at `end` is no more than `days` calendar or business days after
  the date at `start`.
- `deadline`: a date computed from the date at `start` (calendar or business days,
  over the holidays of the kit's calendar the rule names); blocks print it as
  `deadlines.<name>`, and the letter must print it.

Any rule may have `when`, a field or computed value of the case: the rule applies
only when it is true (`when = "any_not_approved"`), or when a choice is (`==`) or is
not (`!=`) one value (`when = "denial_kind == service"`); and `from`/`until`, the dates
between which it is in force: the letter's date picks the rules in force. A field path
is written as in error messages, `requests[*].description` standing for every request's.

Only the letter's own words meet a rule (`letterkit.provenance`): a phrase is found
in the kit's words alone, never in a value a case typed; a deadline and a printed
field in the text that prints that very value; and neither in text the kit's
stylesheets hide (`letterkit.visibility`).
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from . import locales, provenance, tree
from .dates import DateForms
from .deadlines import DateOutsideCalendar, HolidayCalendar, joined
from .errors import CaseError, KitError
from .model import Letter, RichText
from .model.paths import unwrap as _unwrap
from .visibility import Visibility

LETTER_DATE = "letter_date"  # the field whose date picks the rules in force (`from`, `until`)


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    citation: str = Field(min_length=1)
    statement: str = Field(min_length=1)
    when: str | None = None
    in_force_from: date | None = Field(default=None, alias="from")  # the first day the rule is in force
    until: date | None = None  # the last day it is in force

    def describe(self) -> dict[str, Any]:
        """The rule as plain data, for `letterkit rules --json`."""
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)

    def in_force(self, day: date | None) -> bool:
        """Whether the rule is in force on `day` (a letter of no date: every rule is)."""
        return day is None or ((self.in_force_from is None or self.in_force_from <= day)
                               and (self.until is None or day <= self.until))


class FieldRule(_Rule):
    check: Literal["field"]
    fields: tuple[str, ...] = Field(min_length=1)
    printed: bool = False


class BlockRule(_Rule):
    check: Literal["block"]
    blocks: tuple[str, ...] = Field(min_length=1)


class PhraseRule(_Rule):
    check: Literal["phrase"]
    # One phrase, or one in each language the kit speaks: [rule.phrase] en = "…" es = "…"
    phrase: str | dict[str, Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    per: str | None = None  # a list: the phrase appears at least once per element

    def phrase_in(self, language: str) -> str:
        """The phrase a letter in `language` (a code: "es") must hold. A rule that states
        none in it is met by its English one: only a kit with a fallback may have such a
        rule (`check_phrases`), and its untranslated block prints that phrase."""
        if isinstance(self.phrase, str):
            return self.phrase
        return self.phrase.get(language) or self.phrase.get("en") or next(iter(self.phrase.values()))

    def languages(self) -> tuple[str, ...]:
        return ("en",) if isinstance(self.phrase, str) else tuple(self.phrase)


class _Counting(_Rule):
    """A rule that counts days from a date: over the holidays of the kit's calendars it
    names (several: a day that is a holiday in any of them), or of its only one."""

    start: str
    counting: Literal["calendar", "business"] = "calendar"
    calendar: tuple[str, ...] = ()

    @field_validator("calendar", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    def needs_calendar(self) -> bool:
        return self.counting == "business" or getattr(self, "roll_forward", False)

    def holidays(self, calendars: Mapping[str, HolidayCalendar]) -> HolidayCalendar:
        """The calendar the rule counts over; a `KitError` if the kit has none that fits."""
        names = self.calendar or (tuple(calendars) if len(calendars) == 1 else ())
        if not names:
            raise KitError(f"rule {self.id} counts days, and names no calendar of the kit's "
                           f"({', '.join(calendars) or 'it declares none'}): say calendar = [...]")
        if unknown := [name for name in names if name not in calendars]:
            raise KitError(f"rule {self.id} counts over the calendar {unknown[0]!r}, which the kit does not "
                           f"declare ({', '.join(calendars) or 'it declares none'})")
        return joined([calendars[name] for name in names])


class WithinRule(_Counting):
    check: Literal["within"]
    end: str
    days: int = Field(ge=0)


class BeforeRule(_Counting):
    """The date at `end` is at least `days` before the date at `start` (0: no later than
    it): a notice delivered at least two days before the services end."""

    check: Literal["before"]
    end: str
    days: int = Field(ge=0)


class DeadlineRule(_Counting):
    check: Literal["deadline"]
    name: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    days: int = Field(ge=1)
    extension_days: int = Field(0, ge=0)  # e.g. 5 for service by mail
    roll_forward: bool = True  # a last day that is no business day moves to the next one

    def due(self, start: date, calendar: HolidayCalendar) -> date:
        if self.counting == "business":
            return calendar.add_business_days(start, self.days + self.extension_days)
        return calendar.add_calendar_days(start, self.days + self.extension_days, self.roll_forward)


Rule = Annotated[Union[FieldRule, BlockRule, PhraseRule, WithinRule, BeforeRule, DeadlineRule],
                 Field(discriminator="check")]
_RULES = TypeAdapter(list[Rule])


@dataclass(frozen=True)
class RuleFailure:
    """One rule a letter breaks: which, where (a field path, or the letter's text), and how."""

    rule: _Rule
    path: str
    message: str

    def line(self) -> str:
        return f"rule {self.rule.id} ({self.rule.citation}): {self.path}: {self.message}"


class RuleError(CaseError):
    """A letter that breaks rules of its kit: one line per failure, with rule id and citation."""

    def __init__(self, failures: list[RuleFailure], source: str | None = None):
        self.failures = failures
        super().__init__([(f.path, f"{f.message} [rule {f.rule.id}, {f.rule.citation}]") for f in failures], source)

    def lines(self) -> list[str]:
        prefix = f"{self.source}: " if self.source else ""
        return [prefix + failure.line() for failure in self.failures]


# Reading a kit's rules ---------------------------------------------------------------

def read_rules(text: str, where: str) -> tuple[_Rule, ...]:
    """The `[[rule]]` tables of a rules file; a `KitError` names the rule and key at fault."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise KitError(f"{where}: {error}") from None
    if set(data) - {"rule"}:
        raise KitError(f"{where}: a rules file holds only [[rule]] tables, not {sorted(set(data) - {'rule'})[0]!r}")
    try:
        rules = tuple(_RULES.validate_python(data.get("rule", [])))
    except ValidationError as error:
        problem = error.errors()[0]
        index, *key = problem["loc"]
        rule = data["rule"][index] if isinstance(index, int) else {}
        name = rule.get("id", f"number {index + 1}") if isinstance(index, int) else "?"
        field = ".".join(str(part) for part in key[1:] or key)
        hint = (" (a date some days before another: check = \"before\")"
                if rule.get("check") == "within" and field == "days" and problem["type"] == "greater_than_equal"
                else "")
        raise KitError(f"{where}: rule {name}: {field}: {problem['msg']}{hint}") from None
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise KitError(f"{where}: rule id {rule.id!r} is given twice")
        seen.add(rule.id)
        if rule.in_force_from and rule.until and rule.in_force_from > rule.until:  # a typo, or swapped dates
            raise KitError(f"{where}: rule {rule.id}: from {rule.in_force_from} is after until {rule.until}, "
                           "so the rule is never in force")
    return rules


def blocks_rules_from_manifest(blocks: tuple[str, ...]) -> tuple[_Rule, ...]:
    """A kit that still lists `required_blocks` in its kit.toml gets them as one block rule."""
    if not blocks:
        return ()
    return (BlockRule(check="block", id="required-blocks", citation="the kit's kit.toml (required_blocks)",
                      statement="Every letter of the kit includes these blocks.", blocks=blocks),)


def before_letter_rules(paths: tuple[str, ...]) -> tuple[_Rule, ...]:
    """A kit's `before_letter` dates (its kit.toml) as `before` rules from the letter's date:
    a letter reports an injury, a decision or a record, so none comes after it."""
    return tuple(BeforeRule(check="before",
                            id=re.sub(r"[^a-z0-9.-]+", "-", path.replace("[*]", "").lower()) + "-before-letter",
                            citation="the kit's kit.toml (before_letter)", start=LETTER_DATE, end=path, days=0,
                            statement=f"{path} is a date no later than the letter's: the letter reports it.")
                 for path in paths)


def missing_blocks(rules: tuple[_Rule, ...], used: set[str], kit_name: str) -> None:
    """Refuse a kit whose letter template leaves out a block a rule requires."""
    for rule in rules:
        if isinstance(rule, BlockRule) and (missing := [b for b in rule.blocks if b not in used]):
            raise KitError(f"rule {rule.id} ({rule.citation}): the letter leaves out {', '.join(missing)}, "
                           f"which kit {kit_name!r} requires in every letter")


# Checking a letter -------------------------------------------------------------------

def check_calendars(rules: tuple[_Rule, ...], calendars: Mapping[str, HolidayCalendar]) -> None:
    """Refuse a kit one of whose rules counts over a calendar it does not declare."""
    for rule in rules:
        if isinstance(rule, _Counting) and rule.needs_calendar():
            rule.holidays(calendars)


def check_phrases(rules: tuple[_Rule, ...], languages: tuple[str, ...], fallback: str | None, kit_name: str) -> None:
    """Refuse a kit that writes letters in a language with no fallback, one of whose phrase
    rules states no phrase in that language: its letters could meet the rule in no way."""
    for rule in rules:
        if isinstance(rule, PhraseRule) and fallback is None:
            if missing := [language for language in languages[1:] if language not in rule.languages()]:
                raise KitError(f"rule {rule.id} ({rule.citation}) states its phrase in {', '.join(rule.languages())} "
                               f"only, and kit {kit_name!r} writes letters in {missing[0]} with no fallback: give it "
                               f"in each ([rule.phrase] en = \"…\" {missing[0]} = \"…\")")


def check_paths(rules: tuple[_Rule, ...], model: type[BaseModel]) -> None:
    """Refuse a kit one of whose rules names a field its case model does not have: said
    once when the kit loads, not in every letter."""
    for rule in rules:
        for path in paths_named(rule):
            if problem := missing_part(model, path):
                raise KitError(f"rule {rule.id} ({rule.citation}) names {path!r}, and the case has "
                               f"no field {problem!r} there")


def paths_named(rule: _Rule) -> list[str]:
    when = _when_parts(rule.when)[0] if rule.when else None
    names = [when, getattr(rule, "per", None), getattr(rule, "start", None), getattr(rule, "end", None)]
    return [name for name in names if name] + list(getattr(rule, "fields", ()))


def missing_part(model: type[BaseModel], pattern: str) -> str | None:
    """The first part of a field path that `model` cannot have, or None. What a
    computed value (a property) holds is not known before a letter: accepted."""
    kind: Any = model
    for part in pattern.replace("[*]", ".[*]").split("."):
        kind = _unwrap(kind)
        if kind is None:
            return None
        if part == "[*]":
            arguments = typing.get_args(kind)
            kind = arguments[0] if arguments and typing.get_origin(kind) in (list, tuple) else None
        elif isinstance(kind, type) and issubclass(kind, BaseModel):
            if part in kind.model_fields:
                kind = kind.model_fields[part].annotation
            elif isinstance(getattr(kind, part, None), property):
                return None
            else:
                return part
        else:
            return part
    return None


def in_force(letter: Any, rules: tuple[_Rule, ...]) -> list[_Rule]:
    """The rules in force on the letter's date that apply to its case (`when`)."""
    day = getattr(letter, LETTER_DATE, None)
    return [rule for rule in rules if rule.in_force(day if isinstance(day, date) else None)
            and applies(letter, rule.when)]


def deadlines(letter: Any, rules: tuple[_Rule, ...],
              calendars: Mapping[str, HolidayCalendar]) -> dict[str, date]:
    """Every deadline the kit's rules in force compute for this letter, by name: what
    blocks print. Validation computes them once and the letter keeps them (`kept`), so
    that composing and checking it read the same dates; a letter that did not come
    through validation (or comes to other rules) has them computed here."""
    held = _held(letter, rules, calendars)
    return held if held is not None else _computed(letter, rules, calendars)


def kept(letter: Letter, rules: tuple[_Rule, ...], calendars: Mapping[str, HolidayCalendar]) -> Letter:
    """The letter, holding the deadlines the rules compute for it (a `CaseError` names the
    date one counts from when the case leaves it out, or when it lies outside the calendar)."""
    if _held(letter, rules, calendars) is None:
        letter._deadlines = (rules, calendars, _computed(letter, rules, calendars))
    return letter


def _held(letter: Any, rules: tuple[_Rule, ...], calendars: Mapping[str, HolidayCalendar]) -> dict[str, date] | None:
    held = getattr(letter, "_deadlines", None)
    return held[2] if held is not None and held[0] is rules and held[1] is calendars else None


def _computed(letter: Any, rules: tuple[_Rule, ...], calendars: Mapping[str, HolidayCalendar]) -> dict[str, date]:
    due: dict[str, date] = {}
    for rule in in_force(letter, rules):
        if isinstance(rule, DeadlineRule):
            start = _date_at(letter, rule.start)
            if start is None:
                raise CaseError([(rule.start, f"rule {rule.id} ({rule.citation}) counts its deadline from "
                                              "this date, which this case leaves empty")])
            try:
                due[rule.name] = rule.due(start, rule.holidays(calendars))
            except DateOutsideCalendar as error:
                raise CaseError([(rule.start, f"{error} [rule {rule.id}, {rule.citation}]")]) from None
    return due


def check(letter: Any, document: tree.Document, rules: tuple[_Rule, ...],
          calendars: Mapping[str, HolidayCalendar], visibility: Visibility = Visibility(frozenset()),
          dates: DateForms = DateForms()) -> list[RuleFailure]:
    """Every failure of the letter (its case and its composed text) against the rules in
    force; a date counts as printed in any of the kit's `dates` forms, in the letter's language."""
    text = LetterText.read(document, visibility, dates, getattr(letter, "language", "en-US"))
    due = deadlines(letter, rules, calendars)
    failures: list[RuleFailure] = []
    for rule in in_force(letter, rules):
        failures += _CHECKS[type(rule)](rule, letter, text, due, calendars)
    return failures


def _check_fields(rule: FieldRule, letter: Any, text: LetterText, due: Mapping[str, date],
                  calendars: Mapping[str, HolidayCalendar]) -> list[RuleFailure]:
    failures = []
    reported: set[str] = set()  # two fields of one missing group: its path, once
    for pattern in rule.fields:
        for path, value in values_at(letter, pattern):
            if path in reported:
                continue
            reported.add(path)
            if value is None or value == [] or value == ():
                failures.append(RuleFailure(rule, path, "has no value; " + rule.statement))
            elif rule.printed and (unprinted := text.unprinted(path, value)):
                failures.append(RuleFailure(rule, path, f"{unprinted} is not printed in the letter by a block "
                                                         f"that prints this field{text.why(path)}; " + rule.statement))
    return failures


def _check_blocks(rule: BlockRule, letter: Any, text: LetterText, due: Mapping[str, date],
                  calendars: Mapping[str, HolidayCalendar]) -> list[RuleFailure]:
    return []  # checked once, when the kit loads (`missing_blocks`): blocks do not vary by case


def _check_phrase(rule: PhraseRule, letter: Any, text: LetterText, due: Mapping[str, date],
                  calendars: Mapping[str, HolidayCalendar]) -> list[RuleFailure]:
    wanted = len(values_at(letter, rule.per)[0][1] or ()) if rule.per else 1  # a list left out: none wanted
    phrase = _normal(rule.phrase_in(locales.primary(text.language)))
    found = text.kit.count(phrase)
    if found >= wanted:
        return []
    times = f"{wanted} times (once per {rule.per} element)" if rule.per else "once"
    hidden = text.hidden_kit.count(phrase)
    why = (f" ({hidden} more in text the stylesheets hide: {text.visibility_note()})" if hidden
           else " (in the kit's words: text a case typed does not count)")
    return [RuleFailure(rule, "(letter text)", f"the phrase {phrase!r} appears {found} times, "
                                               f"not {times}{why}; " + rule.statement)]


def _check_dates(rule: WithinRule | BeforeRule, letter: Any, text: LetterText,
                 due: Mapping[str, date],
                 calendars: Mapping[str, HolidayCalendar]) -> list[RuleFailure]:
    """A `within` rule: `end` at most `days` after `start`; a `before` rule: `end` at least
    `days` before `start` (no later than it, with 0 days). With `[*]`, each `end` of a list."""
    start = _date_at(letter, rule.start)
    ends = [(path, end) for path, end in values_at(letter, rule.end) if end is not None]
    if start is None or not ends:
        return []  # a field rule says whether the dates must be there
    before = isinstance(rule, BeforeRule)
    try:
        if rule.counting == "business":
            holidays = rule.holidays(calendars)
            limit = (holidays.subtract_business_days if before else holidays.add_business_days)(start, rule.days)
        else:
            limit = date.fromordinal(start.toordinal() + (-rule.days if before else rule.days))
    except (DateOutsideCalendar, OverflowError, ValueError) as error:
        return [RuleFailure(rule, rule.start, str(error))]
    if before and not rule.days:
        return [RuleFailure(rule, path,
                            f"{end.isoformat()} is after {rule.start} {start.isoformat()}; " + rule.statement)
                for path, end in ends if end > start]
    span = (f"within {rule.days} {rule.counting} days of" if not before else
            f"at least {rule.days} {rule.counting} days before")
    return [RuleFailure(rule, path, f"{end.isoformat()} is not {span} {rule.start} {start.isoformat()} "
                                    f"(at the latest {limit.isoformat()}); " + rule.statement)
            for path, end in ends if not (end <= limit and (before or start <= end))]


def _check_deadline(rule: DeadlineRule, letter: Any, text: LetterText, due: Mapping[str, date],
                    calendars: Mapping[str, HolidayCalendar]) -> list[RuleFailure]:
    path = f"deadlines.{rule.name}"
    if text.unprinted(path, due[rule.name]) is None:
        return []
    return [RuleFailure(rule, path, f"the deadline {text.dates.format(due[rule.name])} is not printed in the letter "
                                    f"by a block that prints {path}{text.why(path)}; " + rule.statement)]


# Each check takes the rule of its own kind, so the table can say no more than `...`.
_CHECKS: dict[type[_Rule], Callable[..., list[RuleFailure]]] = {
    FieldRule: _check_fields, BlockRule: _check_blocks, PhraseRule: _check_phrase,
    WithinRule: _check_dates, BeforeRule: _check_dates, DeadlineRule: _check_deadline}


def required_words(letter: Any, text: LetterText, rules: tuple[_Rule, ...],
                   calendars: Mapping[str, HolidayCalendar]) -> list[tuple[_Rule, str, str]]:
    """(rule, where, words) for the words each rule in force requires the letter to show
    a reader: its phrase, the deadline it computes, the values of the fields it wants
    printed, as the letter (`text`) prints them; `where` is the field path, or "(letter text)"."""
    due = deadlines(letter, rules, calendars)
    wanted: list[tuple[_Rule, str, str]] = []
    for rule in in_force(letter, rules):
        if isinstance(rule, PhraseRule):
            wanted.append((rule, "(letter text)", rule.phrase_in(locales.primary(text.language))))
        elif isinstance(rule, DeadlineRule) and (form := text.printed_form(f"deadlines.{rule.name}", due[rule.name])):
            wanted.append((rule, f"deadlines.{rule.name}", form))
        elif isinstance(rule, FieldRule) and rule.printed:
            for pattern in rule.fields:
                for path, value in values_at(letter, pattern):
                    for index, element in enumerate(value) if isinstance(value, (list, tuple)) else [(None, value)]:
                        where = path if index is None else f"{path}[{index}]"
                        if form := text.printed_form(where, element) or text.printed_form(path, element):
                            wanted.append((rule, where, form))
    return wanted


# Reading values and text -------------------------------------------------------------

def values_at(letter: Any, pattern: str) -> list[tuple[str, Any]]:
    """(path, value) for each value at a field path; `[*]` stands for every element.

    A name the case model does not have is the kit's mistake: a `KitError`."""
    found: list[tuple[str, Any]] = [("", letter)]
    for part in pattern.replace("[*]", ".[*]").split("."):
        step: list[tuple[str, Any]] = []
        for path, value in found:
            if value is None:
                step.append((path, None))  # an absent parent: its fields have no value either
            elif part == "[*]":
                step += [(f"{path}[{index}]", element) for index, element in enumerate(value)]
            elif isinstance(value, BaseModel) and (part in type(value).model_fields
                                                   or isinstance(getattr(type(value), part, None), property)):
                step.append((f"{path}.{part}" if path else part, getattr(value, part)))
            else:
                raise KitError(f"a rule names {pattern!r}, and the case has no field {part!r} there")
        found = step
    return found


def applies(letter: Any, when: str | None) -> bool:
    """Whether a rule's `when` holds: a field or computed value that is true
    (`when = "expedited"`), or one that is (`==`) or is not (`!=`) a choice's value
    (`when = "denial.kind == service"`); with `[*]`, for every element."""
    if when is None:
        return True
    path, operator, wanted = _when_parts(when)
    values = [value for _, value in values_at(letter, path)]
    if not operator:
        return all(values)
    matches = [value is not None and str(value) == wanted for value in values]
    return all(matches) if operator == "==" else not any(matches)


def _when_parts(when: str) -> tuple[str, str, str]:
    """(field path, "==" or "!=" or "", value) of a rule's `when`."""
    path, operator, wanted = when.partition("!=") if "!=" in when else when.partition("==")
    return path.strip(), operator, wanted.strip()


def _date_at(letter: Any, path: str) -> date | None:
    values = values_at(letter, path)
    return values[0][1] if values else None


def _printed_forms(value: Any, dates: DateForms, language: str = "en-US") -> list[str]:
    """The ways a block may print a value: a date in any of the kit's forms, written in the
    letter's language (letterkit.locales: where the kit's date forms meet its languages)."""
    if isinstance(value, date):
        forms = dates.printed(value) + [locales.format_date(value, language, dates.pattern(form))
                                        for form in ("long", "short")]
        return list(dict.fromkeys(forms + locales.date_forms(value, language)))
    return [_normal(str(value))]


@dataclass(frozen=True)
class LetterText:
    """The words a reader sees in a composed letter, by whose they are.

    `kit`: the kit's own visible words, whitespace made single spaces; a value printed
    among them is a break no phrase spans. `printed`: the visible text each case field
    (or computed value: `deadlines.<name>`) printed, by its path. `hidden_kit`: the
    kit's words the stylesheets hide, for messages. `lost`: what made a field's printed
    text lose its value (a filter, `~`), by its path (letterkit.traced_text). `whole`:
    every word of the letter, the kit's and the case's, as the writers draw them."""

    kit: str
    hidden_kit: str
    printed: Mapping[str, str]
    visibility: Visibility
    lost: Mapping[str, str] = dataclasses.field(default_factory=dict)
    dates: DateForms = DateForms()  # the forms a date is printed in
    language: str = "en-US"  # the letter's: the phrases and date forms looked for are its
    whole: str = ""

    @classmethod
    def read(cls, document: tree.Document, visibility: Visibility, dates: DateForms = DateForms(),
             language: str = "en-US") -> LetterText:
        kit: list[str] = []
        hidden: list[str] = []
        whole: list[str] = []
        printed: dict[str, list[str]] = {}
        lost: dict[str, str] = {}

        def walk(node: tree.Node, hides: bool) -> None:
            hides = hides or visibility.hides(getattr(node, "cls", ""))
            if isinstance(node, tree.Text):
                whole.append(node.text)
                if node.field is None:
                    (hidden if hides else kit).append(node.text)
                else:
                    kit.append(_VALUE)
                    for path, cause in provenance.printed_fields(node.field) if not hides else ():
                        if cause:
                            lost.setdefault(path, cause)
                        else:
                            printed.setdefault(path, []).append(node.text)
            elif isinstance(node, tree.LineBreak):
                kit.append(" ")
                whole.append(" ")
            for child in tree.child_nodes(node):
                walk(child, hides)
            if not isinstance(node, _INLINES):
                kit.append(" ")  # blocks and cells are separate words
                whole.append(" ")

        walk(document, False)
        return cls(_normal("".join(kit)), _normal("".join(hidden)),
                   {path: _normal(" ".join(texts)) for path, texts in printed.items()}, visibility, lost, dates,
                   language, _normal("".join(whole)))

    def printed_form(self, path: str, value: Any) -> str | None:
        """The words by which the text its field printed shows `value` (a date in the
        form a block chose); None for rich text and records, whose words vary."""
        if isinstance(value, (BaseModel, RichText)) or value is None:
            return None
        shown = self.printed.get(path, "")
        return next((form for form in _printed_forms(value, self.dates, self.language)
                     if form.casefold() in shown.casefold()), None)

    def unprinted(self, path: str, value: Any) -> str | None:
        """The first of a value's elements (or the value) that no text printed by its own
        field shows, quoted for a message; None when all are shown. Rich text counts as
        shown when its field printed any visible text: Markdown changes its characters."""
        elements = list(enumerate(value)) if isinstance(value, (list, tuple)) else [(None, value)]
        for index, element in elements:
            if isinstance(element, BaseModel):
                continue  # a record, not a value: rules name the fields of it that are printed
            shown = " ".join(filter(None, (self.printed.get(path, ""),
                                           self.printed.get(f"{path}[{index}]", "") if index is not None else "")))
            if isinstance(element, RichText):
                if not shown:
                    return f"the text of {path}"
            elif not any(form.casefold() in shown.casefold()
                         for form in _printed_forms(element, self.dates, self.language)):
                return repr(_printed_forms(element, self.dates, self.language)[0])
        return None

    def why(self, path: str) -> str:
        """Why the field at `path` is not printed as itself, for a message; "" if no cause is known."""
        cause = self.lost.get(path)
        return f" (it is printed through {cause}, whose output no longer holds the value)" if cause else ""

    def visibility_note(self) -> str:
        hidden = ", ".join(sorted(self.visibility.hidden_classes))
        return "; ".join(filter(None, [f"class {hidden}" if hidden else "", *self.visibility.unclassed,
                                       *self.visibility.word_styles]))


_VALUE = "\x00"  # where a value stands among the kit's words: no phrase can span it
_INLINES = typing.get_args(tree.Inline)


def _normal(text: str) -> str:
    return " ".join(text.split())
