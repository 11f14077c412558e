"""Counting days to a legal deadline: calendar days, business days, and the holidays
that stop business days.

A deadline is never typed into a case: a kit's rules compute it from a date the case
holds (`letterkit.rules`). The holidays are data in the kit, listed year by year; a
date outside the years listed is an error, never a guess, because a deadline counted
across a missing holiday would be a day early and look right.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta


class Deadlines(dict):
    """The deadlines a kit's rules compute for one letter, by name: `deadlines.<name>`."""


class DateOutsideCalendar(ValueError):
    """A date in a year whose holidays the kit does not list."""


@dataclass(frozen=True)
class HolidayCalendar:
    """The holidays of some years, and day counting over them."""

    name: str  # e.g. "California state holidays"
    source: str  # the law that makes them holidays
    first_year: int
    last_year: int
    holidays: frozenset[date]

    def covers(self, day: date) -> bool:
        return self.first_year <= day.year <= self.last_year

    def check(self, day: date) -> date:
        if not self.first_year <= day.year <= self.last_year:
            raise DateOutsideCalendar(
                f"{day.isoformat()} is outside the {self.name} the kit lists "
                f"({self.first_year}-{self.last_year}); add the holidays of {day.year} to count days there")
        return day

    def is_business_day(self, day: date) -> bool:
        return self.check(day).weekday() < 5 and day not in self.holidays

    def next_business_day(self, day: date) -> date:
        """`day` itself if it is a business day, else the first one after it."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add_calendar_days(self, start: date, days: int, roll_forward: bool = True) -> date:
        """`days` calendar days after `start`; a last day that is not a business day moves
        to the next one when `roll_forward` (as Code of Civil Procedure section 12a does)."""
        end = self.check(self.check(start) + timedelta(days=days))
        return self.next_business_day(end) if roll_forward else end

    def add_business_days(self, start: date, days: int) -> date:
        """The `days`-th business day after `start` (`start` itself is not counted)."""
        day = self.check(start)
        for _ in range(days):
            day = self.next_business_day(day + timedelta(days=1))
        return day


    def subtract_business_days(self, start: date, days: int) -> date:
        """The `days`-th business day before `start` (`start` itself is not counted)."""
        day = self.check(start)
        for _ in range(days):
            day -= timedelta(days=1)
            while not self.is_business_day(day):
                day -= timedelta(days=1)
        return day


def joined(calendars: list[HolidayCalendar]) -> HolidayCalendar:
    """One calendar whose holidays are those of any of `calendars`, over the years all list."""
    if len(calendars) == 1:
        return calendars[0]
    return HolidayCalendar(" and ".join(c.name for c in calendars), "; ".join(c.source for c in calendars),
                           max(c.first_year for c in calendars), min(c.last_year for c in calendars),
                           frozenset().union(*(c.holidays for c in calendars)))


def read_calendar(text: str, where: str) -> HolidayCalendar:
    """A holiday calendar from TOML: `name`, `source`, `years = [first, last]` and a
    `[dates]` table of one list of dates per year; ValueError names what is wrong."""
    try:
        data = tomllib.loads(text)
        first, last = data["years"]
        by_year = data["dates"]
        name, source = data["name"], data["source"]
    except (tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as error:
        raise ValueError(f"{where}: needs name, source, years = [first, last] and [dates]: {error}") from None
    holidays: set[date] = set()
    for year in range(first, last + 1):
        listed = by_year.get(str(year))
        if not listed:
            raise ValueError(f"{where}: years says {first}-{last}, yet [dates] lists nothing for {year}")
        if stray := [d for d in listed if not isinstance(d, date) or d.year != year]:
            raise ValueError(f"{where}: {year} lists {stray[0]!r}, which is not a date of {year}")
        holidays.update(listed)
    return HolidayCalendar(name, source, first, last, frozenset(holidays))
