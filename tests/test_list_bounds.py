"""A case's lists are bounded: a list longer than a letter can hold is refused at
validation, naming its field, rather than taking minutes and the machine's memory
to lay out (letterkit.model.base.MAX_LIST_ENTRIES)."""

from __future__ import annotations

import pytest

import letterkit
from letterkit.model.base import MAX_LIST_ENTRIES


@pytest.fixture(scope="module")
def kit():
    return letterkit.load_kit("imr")


def _record(number: int) -> dict:
    return {"document": f"Progress report {number}", "date": "2015-08-01"}


@pytest.mark.parametrize("path, lengthen", [
    ("documents_reviewed", lambda case, n: case.update(documents_reviewed=[_record(i) for i in range(n)])),
    ("items", lambda case, n: case.update(items=case["items"] * n)),
    ("reviewer.licensure", lambda case, n: case["reviewer"].update(licensure=["California"] * n)),
])
def test_a_list_past_the_bound_is_refused_naming_its_field(kit, case_data, path, lengthen):
    lengthen(case_data, MAX_LIST_ENTRIES + 1)
    with pytest.raises(letterkit.CaseError) as refused:
        letterkit.validate(case_data, kit)
    assert refused.value.problems == [(path, f"has {MAX_LIST_ENTRIES + 1:,} entries; a list in a case holds "
                                             f"{MAX_LIST_ENTRIES:,} at most")]


def test_a_list_at_the_bound_is_a_letter(kit, case_data):
    case_data["documents_reviewed"] = [_record(i) for i in range(MAX_LIST_ENTRIES)]
    assert len(letterkit.validate(case_data, kit).documents_reviewed) == MAX_LIST_ENTRIES
