"""`letterkit validate`, `lint` and `rules`: checking cases and kits without writing a letter."""

from __future__ import annotations

import datetime
import functools
import json
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from .. import LetterkitError, api, compose, letter_language, load_kit, read_case, validate
from ..api import check_rules
from ..batch.sources import read_cases
from ..cases import case_kit, read_case_bytes
from ..deprecations import TemplateDeprecationWarning
from ..errors import CaseError, printable
from ..kits import Kit
from ..lint import Problem, lint
from ..readability import ReadingScore, rich_text_scores
from ..rules import RuleError
from ..time_limit import time_limit
from . import options as o
from .exits import FAILED, reporting_errors
from .terminal import answer, errors, out, print_table, report, warning


@reporting_errors()
def validate_command(cases: o.Cases, kit: o.CaseKit = None, templates: o.Templates = None, strict: o.Strict = False,
                     as_json: o.AsJson = False, case_timeout: o.CaseTimeout = 120.0,
                     language: o.Language = None) -> int | None:
    """Check case files against the kit's data model, and compose each letter with the
    kit's blocks, without writing a file: what passes here renders.

    With --strict, also check each letter against the kit's legal rules, give each
    rich-text field's reading score, and warn about a field past the kit's reading level
    for the letter's language. A letter in another language than the kit's blocks' own
    gets a warning for each block and field it prints untranslated. With --json, one
    object per case: {"case", "valid", "problems": [{"field", "message"}]}, with --strict
    "reading" too."""
    results = []
    for case, read in _each_case(cases):
        try:
            with time_limit(case_timeout or None):
                loaded, reading = _validated(case, read(), kit, tuple(templates or ()), strict, language, as_json)
        except LetterkitError as error:
            results.append({"case": str(case), "valid": False, "problems": _problems(error)})
            if not as_json:
                report(case, error)
            continue
        results.append({"case": str(case), "valid": True, "problems": []}
                       | ({"reading": [score.describe(loaded.reading_limits.fields) for score in reading]}
                          if strict else {}))
        if not as_json:
            _say_valid(case, loaded, reading)
    if as_json:
        answer(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return FAILED if any(not result["valid"] for result in results) else None


def _validated(case: str, case_data: dict, kit: str | None, templates: tuple[Path, ...], strict: bool,
               language: str | None, quiet: bool) -> tuple[Kit, list[ReadingScore]]:
    """The case's kit, and with `strict` the reading scores of its rich-text fields, once
    each of its letters (one per language asked for) validated, composed and checked."""
    loaded = load_kit(case_kit(case_data, kit), templates)
    reading: list[ReadingScore] = []
    for data in api.in_languages(case_data, language):
        letter = validate(data, loaded, case)
        document = compose(letter, loaded)
        reading = _check_strictly(case, letter, loaded, document) if strict else []
        for where, note in [] if quiet else letter_language.notes(letter, loaded):
            warning(f"{case}: {letter.language}: {where}: {note}")
    return loaded, reading


def _say_valid(case: str, loaded: Kit, reading: list[ReadingScore]) -> None:
    for score in reading:  # those past the limit are warnings, on stderr
        if not score.past(loaded.reading_limits.fields):
            out.print(f"{case}: {score.line(loaded.reading_limits.fields)}")
    out.print(f"{case}: valid")


def _each_case(arguments: list[Path]) -> Iterator[tuple[str, Callable[[], dict]]]:
    """(where, how to read it) for each case the arguments name: a file, - (standard
    input), or every line of a JSON Lines export, as `batch` reads them."""
    for argument in arguments:
        if str(argument) == o.STREAM:
            yield "(standard input)", lambda: read_case_bytes(sys.stdin.buffer.read(), "(standard input)")
        elif argument.suffix == ".jsonl" and argument.is_file():
            yield from ((case.source, case.load) for case in read_cases(argument))
        else:
            yield str(argument), functools.partial(read_case, argument)


def _problems(error: LetterkitError) -> list[dict[str, str | None]]:
    if isinstance(error, CaseError):
        return [{"field": path, "message": message} for path, message in error.problems]
    return [{"field": None, "message": str(error)}]


def _check_strictly(case: str, letter: Any, loaded: Kit, document) -> list[ReadingScore]:
    """Raise the letter's rule failures; print a warning per rich-text field past the kit's
    reading level for the letter's language, and give every field's score."""
    if failures := check_rules(letter, loaded, document):
        raise RuleError(failures, case)
    scores = rich_text_scores(letter, document.meta.language)
    for score in scores:
        if score.past(loaded.reading_limits.fields):
            warning(f"{case}: {score.line(loaded.reading_limits.fields)}; plain words and shorter sentences help")
    return scores


@reporting_errors()
def lint_command(
    kit: o.Kit = "imr",
    templates: o.Templates = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too, not only on errors.")] = False,
    as_json: o.AsJson = False,
) -> int | None:
    """Check a kit and your template folder without rendering a case.

    Every block parses, every included block exists, every name a block prints is in the
    case, no block tag glues two lines (errors); every class a block uses is styled in the
    stylesheets and the reference DOCX (warnings); lines read on a screen (advice).
    Exits 1 on an error, or with --strict on a warning. With --json, a list of
    {"severity", "message"} on standard output.
    """
    try:
        with warnings.catch_warnings():  # lint reports them itself, as problems
            warnings.simplefilter("ignore", TemplateDeprecationWarning)
            problems = lint(load_kit(kit, tuple(templates or ())))
    except LetterkitError as error:
        problems = [Problem(line) for line in error.lines()]
    failed = any(problem.severity in ({"error", "warning"} if strict else {"error"}) for problem in problems)
    if as_json:
        answer(json.dumps([{"severity": p.severity, "message": str(p)} for p in problems],
                          indent=2, ensure_ascii=False) + "\n")
    else:
        _say_problems(problems, failed)
    return FAILED if failed else None


_COLOURS = {"error": "red", "warning": "yellow", "advice": "cyan"}


def _say_problems(problems: list[Problem], failed: bool) -> None:
    for problem in problems:
        colour = _COLOURS[problem.severity]
        errors.print(f"[{colour}]{problem.severity}[/{colour}] {escape(printable(problem))}", markup=True)
    if not failed:
        out.print("no problems found" if not problems else f"{len(problems)} to look at, none failing")


@reporting_errors()
def rules_command(
    kit: o.Kit = "imr",
    as_json: Annotated[bool, typer.Option("--json", help="The rules as JSON, for other tools.")] = False,
    on: Annotated[Optional[datetime.datetime], typer.Option(
        "--on", formats=["%Y-%m-%d"], metavar="DATE",
        help="Only the rules in force on this date, YYYY-MM-DD (a letter of this date answers to them).")] = None,
) -> None:
    """List the legal rules the kit's letters answer to: id, citation, check, statement,
    and the dates they are in force."""
    found = load_kit(kit).rules
    if on is not None:
        found = tuple(rule for rule in found if rule.in_force(on.date()))
    if as_json:
        answer(json.dumps([rule.describe() for rule in found], indent=2, ensure_ascii=False) + "\n")
        return
    table = Table(box=None, header_style="bold")
    table.add_column("rule", no_wrap=True)
    for column in ("citation", "check", "statement"):
        table.add_column(column)
    table.add_column("in force", no_wrap=True)
    for rule in found:
        table.add_row(rule.id, rule.citation, rule.check + (f" (when {rule.when})" if rule.when else ""),
                      rule.statement, _in_force(rule))
    print_table(table)


def _in_force(rule) -> str:
    """When a rule is in force: "always", "from 2013-07-01", "to 2020-08-17", or both."""
    if rule.in_force_from is None and rule.until is None:
        return "always"
    return " ".join(part for part in (f"from {rule.in_force_from}" if rule.in_force_from else "",
                                      f"to {rule.until}" if rule.until else "") if part)
