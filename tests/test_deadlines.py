"""Deadlines counted over weekends, California holidays, month and year ends."""

from __future__ import annotations

from datetime import date

import holidays
import pytest

import letterkit
from letterkit.deadlines import DateOutsideCalendar, read_calendar


@pytest.fixture(scope="module")
def calendar():
    return letterkit.load_kit("imr").calendars["state-offices"]


def test_a_last_day_on_a_saturday_moves_to_monday(calendar):
    assert calendar.add_calendar_days(date(2013, 11, 21), 30) == date(2013, 12, 23)  # Sat 21st
    assert calendar.add_calendar_days(date(2013, 11, 21), 30, roll_forward=False) == date(2013, 12, 21)


def test_a_last_day_on_thanksgiving_moves_past_the_day_after_and_the_weekend(calendar):
    assert calendar.add_calendar_days(date(2015, 10, 27), 30) == date(2015, 11, 30)


def test_business_days_skip_a_state_holiday(calendar):
    assert calendar.add_business_days(date(2016, 3, 30), 1) == date(2016, 4, 1)  # Cesar Chavez Day, 31st
    assert calendar.add_business_days(date(2016, 3, 29), 1) == date(2016, 3, 30)


def test_a_holiday_on_a_sunday_is_kept_on_the_monday(calendar):
    assert not calendar.is_business_day(date(2016, 12, 26))
    assert calendar.is_business_day(date(2016, 12, 27))


def test_counting_across_a_month_end_in_a_leap_year(calendar):
    assert calendar.add_calendar_days(date(2016, 1, 31), 30) == date(2016, 3, 1)


def test_business_days_across_the_year_end_skip_christmas_and_new_year(calendar):
    assert calendar.add_business_days(date(2014, 12, 24), 5) == date(2015, 1, 2)


def test_a_deadline_outside_the_listed_years_is_an_error_naming_the_year(calendar):
    with pytest.raises(DateOutsideCalendar, match="2031"):
        calendar.add_calendar_days(date(2030, 12, 20), 30)


def test_a_calendar_missing_a_year_it_claims_is_refused():
    text = 'name = "x"\nsource = "y"\nyears = [2013, 2014]\n[dates]\n"2013" = [2013-01-01]\n'
    with pytest.raises(ValueError, match="nothing for 2014"):
        read_calendar(text, "holidays.toml")
    with pytest.raises(ValueError, match="not a date of 2013"):
        read_calendar(text.replace("[2013-01-01]", "[2014-01-01]").replace("2014]", "2013]"), "holidays.toml")


def test_a_letter_dated_outside_the_calendar_is_refused_naming_its_date(case_data):
    case_data["letter_date"] = "2031-01-06"
    with pytest.raises(letterkit.CaseError) as raised:
        letterkit.render(case_data, formats=("html",))
    assert "letter_date" in str(raised.value) and "wcab-appeal-deadline" in str(raised.value)


# The kit's calendars against an independent source ------------------------------------
#
# The `holidays` package's California list (public holidays, observed days included) is
# not the law; each difference from it must be one this table explains, and each
# explanation must still explain something. Weekends are left out: no calendar counts
# a Saturday or a Sunday as a business day.

def _lincoln_day(day, name):  # February 12, or the Friday before / Monday after
    return day.month == 2 and 11 <= day.day <= 13


def _columbus_day(day, name):  # second Monday in October
    return day.month == 10 and day.weekday() == 0 and 8 <= day.day <= 14


def _native_american_day(day, name):  # fourth Friday in September
    return day.month == 9 and day.weekday() == 4 and 22 <= day.day <= 28


def _friday_before_a_saturday_holiday(day, name):
    return day.weekday() == 4 and "(observed)" in name


ONLY_IN_THE_KIT = {
    "courts": {
        "Lincoln Day, February 12: a holiday of Government Code §6700 and so of CCP §135; the "
        "package dropped it for California": _lincoln_day,
        "Columbus Day: a judicial holiday until AB 855 took it out of CCP §135 in 2022":
            lambda day, name: _columbus_day(day, name) and day.year <= 2021,
        "Native American Day: a judicial holiday from 2022 (AB 855)":
            lambda day, name: _native_american_day(day, name) and day.year >= 2022,
        "Cesar Chavez Day on a Saturday (2018, 2029): CCP §135 keeps it on Friday March 30; the "
        "package does not move it": lambda day, name: day in (date(2018, 3, 30), date(2029, 3, 30)),
    },
    "state-offices": {},
}
ONLY_IN_THE_PACKAGE = {
    "courts": {
        "Susan B. Anthony Day (February 15): a day of commemoration; no court or office closes":
            lambda day, name: name == "Susan B. Anthony Day",
        "Juneteenth in 2021-2022: a federal holiday then; California's courts keep it from 2023 (AB 1655)":
            lambda day, name: "Juneteenth" in name and day.year <= 2022,
        "Diwali: added to Government Code §6700 (AB 268, 2025) after this calendar's sources were "
        "read; whether courts and offices close on it is unchecked, so the kit leaves it out (2027-2030)":
            lambda day, name: name == "Diwali",
    },
    "state-offices": {
        "Susan B. Anthony Day: a day of commemoration; no office closes":
            lambda day, name: name == "Susan B. Anthony Day",
        "Juneteenth: state offices stay open (the kit's authors' reading of the state calendar)":
            lambda day, name: "Juneteenth" in name,
        "a holiday on a Saturday: state offices do not close the Friday before (employees get "
        "holiday credit instead); the package observes it on the Friday":
            lambda day, name: _friday_before_a_saturday_holiday(day, name) and "Veterans" not in name,
        "Diwali: see courts": lambda day, name: name == "Diwali",
    },
}


@pytest.mark.parametrize("name", ["courts", "state-offices"])
def test_each_calendar_differs_from_an_independent_list_only_where_the_law_says_why(name):
    calendar = letterkit.load_kit("imr").calendars[name]
    years = range(calendar.first_year, calendar.last_year + 1)
    independent = holidays.US(subdiv="CA", years=years)
    ours = {day for day in calendar.holidays if day.weekday() < 5}
    theirs = {day for day in independent if day.weekday() < 5}
    for differences, explanations, label in ((ours - theirs, ONLY_IN_THE_KIT[name], "only in the kit"),
                                             (theirs - ours, ONLY_IN_THE_PACKAGE[name], "only in the package")):
        used = set()
        for day in sorted(differences):
            reasons = [why for why, test in explanations.items() if test(day, independent.get(day, ""))]
            assert reasons, f"{name}: {day} ({independent.get(day, '')}) is {label}, and nothing explains it"
            used.update(reasons)
        assert used == set(explanations), f"{name}: explained but never seen: {set(explanations) - used}"


# The federal calendar (the adverse-benefit kit's), 5 U.S.C. 6103: the package's federal list
# agrees on every weekday of every year, so no difference needs explaining.
def test_the_federal_calendar_matches_the_package_through_2030_and_observes_new_years_day_2028():
    calendar = letterkit.load_kit("adverse-benefit").calendars["holidays"]
    assert (calendar.first_year, calendar.last_year) == (2025, 2030)
    assert date(2027, 12, 31) in calendar.holidays  # New Year's Day 2028 is a Saturday
    independent = holidays.US(years=range(calendar.first_year, calendar.last_year + 1))
    ours = {day for day in calendar.holidays if day.weekday() < 5}
    theirs = {day for day in independent if day.weekday() < 5 and calendar.first_year <= day.year <= calendar.last_year}
    assert sorted(ours ^ theirs) == []


def test_the_california_calendars_run_through_2030():
    calendars = letterkit.load_kit("imr").calendars
    assert {name: calendar.last_year for name, calendar in calendars.items()} == {"courts": 2030, "state-offices": 2030}


@pytest.mark.parametrize("how", ["render", "validate"])
def test_a_strict_letter_counts_its_deadlines_once(monkeypatch, how):
    """Validation counts them and the letter keeps them: composing it and checking its rules
    (in its text and in its drawn PDF and DOCX) read the same dates, not three more counts."""
    from conftest import ROOT
    from typer.testing import CliRunner

    from letterkit.cli import app
    from letterkit.rules import DeadlineRule

    counted: list[str] = []
    due = DeadlineRule.due
    monkeypatch.setattr(DeadlineRule, "due", lambda self, *args: counted.append(self.name) or due(self, *args))
    case = ROOT / "examples" / "imr-chiropractic-initial-trial.yaml"
    if how == "render":
        letterkit.render(letterkit.read_case(case), formats=("pdf", "docx"), strict=True)
    else:
        assert CliRunner().invoke(app, ["validate", "--strict", str(case)]).exit_code == 0
    assert counted == ["wcab_appeal_by"]
