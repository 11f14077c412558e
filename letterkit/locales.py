"""Dates, numbers and money as a letter's language writes them (Babel's CLDR data).

One function formats a date for a language — `format_date(day, language, form)` — and
everything that prints or looks for a date goes through it: the blocks' `date` filter and
the kit's rules, which find a printed deadline in any of the forms a block may print it
in (`date_forms`). A form is a strftime pattern ("%B %-d, %Y", the long date; "%m/%d/%Y")
or one of Babel's names ("long", "medium", "short", "full").

English is written with strftime, as it always was, so that English letters keep their
bytes; in another language the names of months and days are the language's, the
numbers and their order as the pattern says, and the long date is the language's own
(es_US: "7 de diciembre de 2026"). A language tag is BCP 47 (`es-US`); Babel's locale is
`es_US`, the United States' Spanish, whose money is `$1,234.50`.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import re
from contextvars import ContextVar
from decimal import Decimal
from typing import Iterator

import babel
import babel.dates
import babel.lists
import babel.numbers

LONG_DATE = "%B %-d, %Y"  # the `date` filter's default: "March 4, 2016", "4 de marzo de 2016"
SHORT_DATE = "%m/%d/%Y"
DATE_FORMS = (LONG_DATE, SHORT_DATE)  # how blocks print dates: what rules look for
BABEL_FORMS = ("full", "long", "medium", "short")


_writing: ContextVar[str] = ContextVar("letterkit_language", default="en-US")


@contextlib.contextmanager
def writing(language: str) -> Iterator[None]:
    """Filters write in `language` while the `with` body renders a letter: the render's own
    state, per thread, as its field paths are (letterkit.provenance)."""
    token = _writing.set(language)
    try:
        yield
    finally:
        _writing.reset(token)


def current() -> str:
    """The language of the letter being rendered (en-US outside a render)."""
    return _writing.get()


def primary(tag: str) -> str:
    """The language of a BCP 47 tag, without region or script: "es-US" → "es"."""
    return tag.split("-", 1)[0].lower()


def is_english(tag: str) -> bool:
    return primary(tag) == "en"


@functools.lru_cache(maxsize=64)
def locale(tag: str) -> babel.Locale:
    """Babel's locale for a language tag ("es-US" → es_US); a language Babel lacks is a ValueError."""
    try:
        return babel.Locale.parse(tag.replace("-", "_"))
    except (babel.UnknownLocaleError, ValueError):
        try:
            return babel.Locale.parse(primary(tag))
        except (babel.UnknownLocaleError, ValueError):
            raise ValueError(f"no dates or numbers are known for the language {tag!r}") from None


def language_name(code: str) -> str:
    """A language's name in English, for messages: "es" → "Spanish"."""
    try:
        return babel.Locale.parse(code).get_display_name("en") or code
    except (babel.UnknownLocaleError, ValueError):
        return code


def format_date(day: datetime.date, language: str, form: str = LONG_DATE) -> str:
    """`day` as `language` writes it in `form` (a strftime pattern or a Babel form name)."""
    if form in BABEL_FORMS:
        return babel.dates.format_date(day, form, locale=locale(language))
    if is_english(language) or not _NAMES.search(form):
        return day.strftime(form)
    if form == LONG_DATE:  # the language's own long date, not the English order of its words
        return babel.dates.format_date(day, "long", locale=locale(language))
    names = _NAMES.sub(lambda match: _name(day, match.group(), locale(language)).replace("%", "%%"), form)
    return day.strftime(names)


_NAMES = re.compile(r"%[BbAa]")


def _name(day: datetime.date, directive: str, where: babel.Locale) -> str:
    """A month's or weekday's name in the locale, as the directive asks (%B %b %A %a)."""
    width = "wide" if directive in ("%B", "%A") else "abbreviated"
    if directive in ("%B", "%b"):
        return where.months["format"][width][day.month]
    return where.days["format"][width][day.weekday()]


def date_forms(day: datetime.date, language: str) -> list[str]:
    """Every form a block may print `day` in, for a letter in `language`: what a rule looks
    for to know the letter printed that date. The English forms count in any letter (a
    block that falls back to English prints them)."""
    forms = [format_date(day, language, form) for form in DATE_FORMS]
    return list(dict.fromkeys(forms + [day.strftime(form) for form in DATE_FORMS]))


def format_money(amount: float | int | Decimal, language: str, currency: str = "USD") -> str:
    """`1234.5` → "$1,234.50" (en-US, es-US)."""
    return babel.numbers.format_currency(Decimal(str(amount)), currency, locale=locale(language))


def format_number(value: float | int | Decimal, language: str) -> str:
    """`1234.5` → "1,234.5" (en-US, es-US), "1.234,5" (es-ES)."""
    return babel.numbers.format_decimal(Decimal(str(value)), locale=locale(language))


def and_list(texts: list[str], language: str) -> str:
    """["A", "B", "C"] joined as the language joins a list: "A, B and C" in English (no
    serial comma, as letterkit always wrote it), "A, B y C" in Spanish."""
    if not texts:
        return ""
    if is_english(language):
        return " and ".join(filter(None, [", ".join(texts[:-1]), texts[-1]]))
    return babel.lists.format_list(texts, locale=locale(language))
