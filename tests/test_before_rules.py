"""A deadline the other way, as an author writes it: a notice delivered at least two
(business) days before the services end, or no later than a date — a `before` rule in
the kit's rules.toml, checked by `validate --strict`."""

from __future__ import annotations

import pytest
from author_kit import RULED_KIT_TOML, calendar_toml, write_kit

import letterkit
from letterkit.errors import KitError, LetterkitError

KIT_TOML = RULED_KIT_TOML + '''
[[field]]
name = "notice_delivered"
type = "date"
required = true

[[field]]
name = "services_end"
type = "date"
required = true
'''

HOLIDAYS = calendar_toml("Federal holidays", "5 U.S.C. 6103", 2026, "2026-05-25")

RULE = '''[[rule]]
id = "notice-before-end"
citation = "42 CFR 405.1200(b)"
statement = "The notice is delivered at least two days before the services end."
check = "before"
start = "services_end"
end = "notice_delivered"
days = {days}
counting = "{counting}"
'''

CASE = {"letter_date": "2026-05-20", "organisation": {"name": "Example Home Health"},
        "recipient": {"name": "Pat Member"}}


def _check(tmp_path, delivered: str, services_end: str, days: int = 2, counting: str = "calendar") -> str:
    write_kit(tmp_path, {"kit.toml": KIT_TOML, "holidays.toml": HOLIDAYS,
                         "rules.toml": RULE.format(days=days, counting=counting)})
    case = {**CASE, "notice_delivered": delivered, "services_end": services_end}
    try:
        letterkit.render(case, kit=tmp_path, formats=("html",), strict=True)
    except LetterkitError as error:
        return str(error)
    return ""


@pytest.mark.parametrize("delivered, ok", [("2026-05-18", True), ("2026-05-19", True), ("2026-05-20", False)])
def test_at_least_two_calendar_days_before(tmp_path, delivered, ok):
    failure = _check(tmp_path, delivered, "2026-05-21")
    assert (failure == "") == ok
    if not ok:
        assert ("notice_delivered: 2026-05-20 is not at least 2 calendar days before services_end 2026-05-21 "
                "(at the latest 2026-05-19)") in failure


def test_business_days_before_skip_the_weekend_and_holidays(tmp_path):
    # Services end Wednesday 27 May; Monday 25 May is Memorial Day: the second business
    # day before is Friday 22 May (Tuesday 26, then Friday 22), so Saturday is too late.
    assert _check(tmp_path, "2026-05-22", "2026-05-27", counting="business") == ""
    assert "at the latest 2026-05-22" in _check(tmp_path, "2026-05-23", "2026-05-27", counting="business")


def test_no_later_than(tmp_path):
    assert _check(tmp_path, "2026-05-21", "2026-05-21", days=0) == ""
    assert "notice_delivered: 2026-05-22 is after services_end 2026-05-21" in _check(tmp_path, "2026-05-22",
                                                                                     "2026-05-21", days=0)


def test_a_within_rule_with_negative_days_points_to_before(tmp_path):
    write_kit(tmp_path, {"kit.toml": KIT_TOML, "holidays.toml": HOLIDAYS,
                         "rules.toml": RULE.format(days=-2, counting="calendar").replace('"before"', '"within"')})
    with pytest.raises(KitError, match='days: Input should be greater than or equal to 0 .a date some days before '
                                       'another: check = "before".'):
        letterkit.load_kit(tmp_path)
