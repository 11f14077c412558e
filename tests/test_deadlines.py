"""Deadlines counted over weekends, California holidays, month and year ends."""

from __future__ import annotations

from datetime import date

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
    with pytest.raises(DateOutsideCalendar, match="2028"):
        calendar.add_calendar_days(date(2027, 12, 20), 30)


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
