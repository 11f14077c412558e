"""Dates in the kit's own form, as an author declares them: a kit that prints "4 March 2016"
says so once, in `[dates]`, and the `date` filter, the long_date/short_date macros and the
rules (a printed date field, a deadline) all use that form."""

from __future__ import annotations

import lxml.html
import pytest
from author_kit import RULED_KIT_TOML, calendar_toml, write_kit

import letterkit
from letterkit.errors import KitError

KIT_TOML = RULED_KIT_TOML + '''
[dates]
long = "%-d %B %Y"
short = "%d/%m/%Y"

[[field]]
name = "notice_sent"
type = "date"
required = true
'''

HOLIDAYS = calendar_toml("Holidays", "none", 2016, "2016-03-28")

RULES = '''[[rule]]
id = "notice-date"
citation = "test"
statement = "The letter prints the date the notice was sent."
check = "field"
fields = ["notice_sent"]
printed = true

[[rule]]
id = "appeal-by"
citation = "test"
statement = "The letter prints the last day to appeal."
check = "deadline"
name = "appeal_by"
start = "letter_date"
days = 30
'''

BODY = '''The notice was sent on {{ notice_sent | date }}; your letter is dated {{ short_date(letter_date) }}.

Appeal by {{ long_date(deadlines.appeal_by) }}.
'''

CASE = {"letter_date": "2016-03-04", "notice_sent": "2016-03-01", "organisation": {"name": "Example Plan"},
        "recipient": {"name": "Pat Member"}}


@pytest.fixture
def kit(tmp_path):
    return write_kit(tmp_path, {"kit.toml": KIT_TOML, "holidays.toml": HOLIDAYS, "rules.toml": RULES,
                                "blocks/body.md.j2": BODY})


def test_a_kit_that_prints_4_march_2016_meets_its_rules(kit):
    html = letterkit.render(CASE, kit=kit, formats=("html",), strict=True)["html"]
    text = lxml.html.fromstring(html).text_content()
    assert "4 March 2016" in text  # the letter kit's own date line, in the kit's form
    assert "The notice was sent on 1 March 2016; your letter is dated 04/03/2016." in text
    assert "Appeal by 4 April 2016." in text  # 30 days: 3 April is a Sunday


def test_the_rules_messages_print_dates_in_the_kits_form(kit):
    (kit / "blocks" / "body.md.j2").write_text("Nothing dated.\n")
    failures = [failure.message for failure in letterkit.check_rules(CASE, letterkit.load_kit(kit))]
    assert any("'1 March 2016' is not printed" in message for message in failures)
    assert any("the deadline 4 April 2016 is not printed" in message for message in failures)


def test_a_form_that_is_no_pattern_is_refused(tmp_path):
    (tmp_path / "kit.toml").write_text('extends = "letter"\n[dates]\nlong = "4 March 2016"\n')
    with pytest.raises(KitError, match=r"\[dates\] long: '4 March 2016' is no date form"):
        letterkit.load_kit(tmp_path)
