"""A case's lists are bounded: a list longer than a letter can hold is refused at
validation, naming its field, rather than taking minutes and the machine's memory
to lay out (letterkit.model.base.MAX_LIST_ENTRIES)."""

from __future__ import annotations

import json
from collections.abc import Iterator

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


def test_the_schema_states_the_bound_so_an_exporter_checking_against_it_meets_it_first(kit, case_data):
    """`letterkit schema` gives every list its `maxItems`, read here by jsonschema (a
    validator letterkit did not write): the case at the bound passes, one past it fails
    at the same field as letterkit's validation."""
    from jsonschema import Draft202012Validator
    from typer.testing import CliRunner

    from letterkit.cli import app

    printed = CliRunner().invoke(app, ["schema", "--kit", "imr"])
    schema = json.loads(printed.stdout)
    arrays = [node for node in _nodes(schema) if node.get("type") == "array"]
    assert arrays and all(node["maxItems"] == MAX_LIST_ENTRIES for node in arrays)
    checker = Draft202012Validator(schema)
    case_data["documents_reviewed"] = [_record(i) for i in range(MAX_LIST_ENTRIES)]
    assert not list(checker.iter_errors(case_data))
    case_data["documents_reviewed"].append(_record(MAX_LIST_ENTRIES))
    assert [list(error.path) for error in checker.iter_errors(case_data)] == [["documents_reviewed"]]


def _nodes(schema: object) -> Iterator[dict]:
    """Every object in a JSON Schema, depth first."""
    if isinstance(schema, dict):
        yield schema
        for value in schema.values():
            yield from _nodes(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _nodes(value)
