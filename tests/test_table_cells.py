"""Table cells that hold paragraphs and lists, in every format."""

from __future__ import annotations

import letterkit
from conftest import ROOT


def _case(rationale: str) -> dict:
    case = letterkit.read_case(ROOT / "examples" / "imr-chiropractic-and-massage.yaml")
    case["items"][0]["rationale"] = rationale
    return case


def test_a_space_between_two_formatted_words_stays_in_a_cell_and_a_list_item():
    rich = "| Words | More |\n|---|---|\n| *one* **two** | x |\n\n- *three* **four**"
    html = letterkit.render(_case(rich), formats=("html",))["html"].decode()
    assert "<td><em>one</em> <strong>two</strong></td>" in html
    assert "<em>three</em> <strong>four</strong>" in html
