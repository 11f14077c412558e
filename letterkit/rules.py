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
  holidays from the kit's calendar); blocks print it as `deadlines.<name>`, and the
  letter must print it.

Any rule may have `when`, a field or computed value of the case: the rule applies
only when it is true (`when = "any_not_approved"`), or when a choice is (`==`) or is
not (`!=`) one value (`when = "denial_kind == service"`). A field path is written as in
error messages, `requests[*].description` standing for every request's.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from . import tree
from .deadlines import DateOutsideCalendar, HolidayCalendar
from .errors import CaseError, KitError

DATE_FORMATS = ("%B %-d, %Y", "%m/%d/%Y")  # how blocks print dates: the `date` filter's default, and short


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    citation: str = Field(min_length=1)
    statement: str = Field(min_length=1)
    when: str | None = None

    def describe(self) -> dict[str, Any]:
        """The rule as plain data, for `letterkit rules --json`."""
        return self.model_dump(exclude_none=True)


class FieldRule(_Rule):
    check: Literal["field"]
    fields: tuple[str, ...] = Field(min_length=1)
    printed: bool = False


class BlockRule(_Rule):
    check: Literal["block"]
    blocks: tuple[str, ...] = Field(min_length=1)


class PhraseRule(_Rule):
    check: Literal["phrase"]
    phrase: str = Field(min_length=1)
    per: str | None = None  # a list: the phrase appears at least once per element


class WithinRule(_Rule):
    check: Literal["within"]
    start: str
    end: str
    days: int = Field(ge=0)
    counting: Literal["calendar", "business"] = "calendar"


class DeadlineRule(_Rule):
    check: Literal["deadline"]
    name: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    start: str
    days: int = Field(ge=1)
    counting: Literal["calendar", "business"] = "calendar"
    extension_days: int = Field(0, ge=0)  # e.g. 5 for service by mail
    roll_forward: bool = True  # a last day that is no business day moves to the next one

    def due(self, letter: Any, calendar: HolidayCalendar) -> date:
        start = _date_at(letter, self.start)
        if self.counting == "business":
            return calendar.add_business_days(start, self.days + self.extension_days)
        return calendar.add_calendar_days(start, self.days + self.extension_days, self.roll_forward)


Rule = Annotated[Union[FieldRule, BlockRule, PhraseRule, WithinRule, DeadlineRule], Field(discriminator="check")]
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
        raise KitError(f"{where}: rule {name}: {field}: {problem['msg']}") from None
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise KitError(f"{where}: rule id {rule.id!r} is given twice")
        seen.add(rule.id)
    return rules


def blocks_rules_from_manifest(blocks: tuple[str, ...]) -> tuple[_Rule, ...]:
    """A kit that still lists `required_blocks` in its kit.toml gets them as one block rule."""
    if not blocks:
        return ()
    return (BlockRule(check="block", id="required-blocks", citation="the kit's kit.toml (required_blocks)",
                      statement="Every letter of the kit includes these blocks.", blocks=blocks),)


def missing_blocks(rules: tuple[_Rule, ...], used: set[str], kit_name: str) -> None:
    """Refuse a kit whose letter template leaves out a block a rule requires."""
    for rule in rules:
        if isinstance(rule, BlockRule) and (missing := [b for b in rule.blocks if b not in used]):
            raise KitError(f"rule {rule.id} ({rule.citation}): the letter leaves out {', '.join(missing)}, "
                           f"which kit {kit_name!r} requires in every letter")


# Checking a letter -------------------------------------------------------------------

def deadlines(letter: Any, rules: tuple[_Rule, ...], calendar: HolidayCalendar | None) -> dict[str, date]:
    """Every deadline the kit's rules compute for this letter, by name; what blocks print.

    A `CaseError` names the date field when it lies outside the kit's holiday calendar."""
    due: dict[str, date] = {}
    for rule in rules:
        if isinstance(rule, DeadlineRule):
            if calendar is None:
                raise KitError(f"rule {rule.id} computes a deadline, and the kit declares no holidays file")
            try:
                due[rule.name] = rule.due(letter, calendar)
            except DateOutsideCalendar as error:
                raise CaseError([(rule.start, f"{error} [rule {rule.id}, {rule.citation}]")]) from None
    return due


def check(letter: Any, document: tree.Document, rules: tuple[_Rule, ...],
          calendar: HolidayCalendar | None) -> list[RuleFailure]:
    """Every failure of the letter (its case and its composed text) against the rules."""
    text = letter_text(document)
    due = deadlines(letter, rules, calendar)
    failures: list[RuleFailure] = []
    for rule in rules:
        if applies(letter, rule.when):
            failures += _CHECKS[type(rule)](rule, letter, text, due, calendar)
    return failures


def _check_fields(rule: FieldRule, letter, text, due, calendar) -> list[RuleFailure]:
    failures = []
    for pattern in rule.fields:
        for path, value in values_at(letter, pattern):
            if value is None or value == [] or value == ():
                failures.append(RuleFailure(rule, path, "has no value; " + rule.statement))
            elif rule.printed and (unprinted := _unprinted(value, text)):
                failures.append(RuleFailure(rule, path, f"{unprinted!r} is not printed in the letter; "
                                                         + rule.statement))
    return failures


def _check_blocks(rule: BlockRule, letter, text, due, calendar) -> list[RuleFailure]:
    return []  # checked once, when the kit loads (`missing_blocks`): blocks do not vary by case


def _check_phrase(rule: PhraseRule, letter, text, due, calendar) -> list[RuleFailure]:
    wanted = len(values_at(letter, rule.per)[0][1]) if rule.per else 1
    found = text.count(_normal(rule.phrase))
    if found >= wanted:
        return []
    times = f"{wanted} times (once per {rule.per} element)" if rule.per else "once"
    return [RuleFailure(rule, "(letter text)", f"the phrase {rule.phrase!r} appears {found} times, "
                                               f"not {times}; " + rule.statement)]


def _check_within(rule: WithinRule, letter, text, due, calendar) -> list[RuleFailure]:
    start, end = _date_at(letter, rule.start), _date_at(letter, rule.end)
    if start is None or end is None:
        return []  # a field rule says whether the dates must be there
    if rule.counting == "business":
        if calendar is None:
            raise KitError(f"rule {rule.id} counts business days, and the kit declares no holidays file")
        try:
            latest = calendar.add_business_days(start, rule.days)
        except DateOutsideCalendar as error:
            return [RuleFailure(rule, rule.start, str(error))]
    else:
        latest = date.fromordinal(start.toordinal() + rule.days)
    if start <= end <= latest:
        return []
    return [RuleFailure(rule, rule.end, f"{end.isoformat()} is not within {rule.days} {rule.counting} days "
                                        f"of {rule.start} {start.isoformat()} (at the latest "
                                        f"{latest.isoformat()}); " + rule.statement)]


def _check_deadline(rule: DeadlineRule, letter, text, due, calendar) -> list[RuleFailure]:
    if any(_normal(form) in text for form in _printed_forms(due[rule.name])):
        return []
    return [RuleFailure(rule, f"deadlines.{rule.name}", f"the deadline {due[rule.name]:%B %-d, %Y} is not "
                                                        "printed in the letter; " + rule.statement)]


_CHECKS = {FieldRule: _check_fields, BlockRule: _check_blocks, PhraseRule: _check_phrase,
           WithinRule: _check_within, DeadlineRule: _check_deadline}


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
    path, operator, wanted = when.partition("!=") if "!=" in when else when.partition("==")
    values = [value for _, value in values_at(letter, path.strip())]
    if not operator:
        return all(values)
    matches = [value is not None and str(value) == wanted.strip() for value in values]
    return all(matches) if operator == "==" else not any(matches)


def _date_at(letter: Any, path: str) -> date | None:
    values = values_at(letter, path)
    return values[0][1] if values else None


def _printed_forms(value: Any) -> list[str]:
    """The ways a block may print a value: a date in either of the kit's formats."""
    if isinstance(value, date):
        return [value.strftime(form) for form in DATE_FORMATS]
    return [str(value)]


def _unprinted(value: Any, text: str) -> str | None:
    """The first of a value's elements (or the value) that the letter's text lacks."""
    for element in value if isinstance(value, (list, tuple)) else [value]:
        if isinstance(element, BaseModel):
            continue  # a record, not a value: rules name the fields of it that are printed
        forms = _printed_forms(element)
        if not any(_normal(form) in text for form in forms):
            return forms[0]
    return None


def letter_text(document: tree.Document) -> str:
    """The words of a composed letter, whitespace made single spaces: what phrases are sought in."""
    parts: list[str] = []

    def walk(node) -> None:
        if isinstance(node, tree.Text):
            parts.append(node.text)
        elif isinstance(node, tree.LineBreak):
            parts.append(" ")
        for part in dataclasses.fields(node):  # children, items, head, body, cells: any kind's parts
            value = getattr(node, part.name)
            for child in value if isinstance(value, tuple) else ():
                if isinstance(child, tree.Node):
                    walk(child)
        if not isinstance(node, tree.Inline.__args__):
            parts.append(" ")  # blocks and cells are separate words

    walk(document)
    return _normal("".join(parts))


def _normal(text: str) -> str:
    return " ".join(text.split())
