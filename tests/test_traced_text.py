"""A case's value printed through Jinja's string filters or `~` still counts as that field's
value for a `printed` rule — never as the kit's words for a `phrase` rule — and where the
printed text no longer holds the value, the rule's message says which filter lost it.
Written as an author meets it: a kit of TOML and Jinja, rendered with --strict."""

from __future__ import annotations

import pytest
from author_kit import PLAN_FIELD, write_kit

import letterkit
from letterkit.errors import LetterkitError

KIT_TOML = 'extends = "letter"\nrules = "rules.toml"\n\n' + PLAN_FIELD

RULES = '''[[rule]]
id = "parties-printed"
citation = "29 CFR 2560.503-1(g)"
statement = "The notice names the plan and its telephone number."
check = "field"
fields = ["plan.name", "plan.phone"]
printed = true

[[rule]]
id = "toll-free"
citation = "45 CFR 92.11"
statement = "The notice says the number is toll free."
check = "phrase"
phrase = "Toll free"
'''

CASE = {"letter_date": "2026-03-02", "organisation": {"name": "Example Health Plan"},
        "recipient": {"name": "Pat Member"},
        "plan": {"name": "Example Medicare Advantage Plan", "phone": "1-800-555-0100"}}


def _render(tmp_path, body: str) -> str:
    """The rule failures of a letter whose body block is `body` ("" when it passes)."""
    write_kit(tmp_path, {"kit.toml": KIT_TOML, "rules.toml": RULES, "blocks/body.md.j2": body})
    try:
        letterkit.render(CASE, kit=tmp_path, formats=("html",), strict=True)
    except LetterkitError as error:
        return str(error)
    return ""


def test_a_value_through_upper_and_joined_with_tilde_counts_as_printed(tmp_path):
    failures = _render(tmp_path, 'Welcome to {{ plan.name | upper }}: call {{ "Toll free: " ~ plan.phone }}.\n'
                                 "Toll free help.\n")
    assert failures == ""


def test_two_fields_joined_count_for_both(tmp_path):
    failures = _render(tmp_path, '{{ plan.name ~ ", " ~ plan.phone }}.\nToll free.\n')
    assert failures == ""


def test_a_filter_that_cuts_the_value_is_named_in_the_message(tmp_path):
    failures = _render(tmp_path, "{{ plan.name | truncate(12) }}, {{ plan.phone }}. Toll free.\n")
    assert "plan.name: 'Example Medicare Advantage Plan' is not printed in the letter by a block that prints " \
           "this field (it is printed through the filter truncate, whose output no longer holds the value)" \
           in failures
    assert "plan.phone" not in failures


def test_a_joined_value_is_never_the_kits_words(tmp_path):
    failures = _render(tmp_path, '{{ plan.name }}: {{ "Toll free " ~ plan.phone }}.\n')
    assert "toll-free" in failures and "plan.phone" not in failures
    assert "'Toll free' appears 0 times" in failures


def test_a_joined_text_too_long_for_a_letter_is_refused(tmp_path):
    failures = _render(tmp_path, '{% set x = "x" * 600000 %}{{ x ~ x }} {{ plan.name }} '
                                 "{{ plan.phone }} Toll free\n")
    assert "too long for a letter" in failures


@pytest.mark.parametrize("chain", ["plan.name | upper | lower", '(plan.name | upper) ~ "!"',
                                   'plan.name | replace("Plan", "Plan")', "plan.name | center(40)",
                                   "plan.name | title | trim"])
def test_chains_of_filters_keep_the_field(tmp_path, chain):
    failures = _render(tmp_path, f"{{{{ {chain} }}}}. {{{{ plan.phone }}}}. Toll free.\n")
    assert failures == ""
