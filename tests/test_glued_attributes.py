"""An attribute line glued to the line above by a tag's trimmed line end: `lint` says so,
and `letterkit upgrade --write` never makes one. As an author meets it: a template folder,
`lint`, the upgrade, and the letter's HTML read back with lxml."""

from __future__ import annotations

import warnings
from pathlib import Path

import lxml.html
import pytest
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app
from letterkit.upgrade import plan

ROOT = Path(__file__).parent.parent
CASE = ROOT / "examples" / "imr-chiropractic-initial-trial.yaml"
ITEM = ROOT / "templates" / "imr" / "blocks" / "disputed-item.md.j2"


def _lint(*args: str) -> str:
    return CliRunner().invoke(app, ["lint", *args]).output


def test_an_attribute_line_after_a_closing_tag_is_a_lint_error(tmp_path):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "body.md.j2").write_text(
        "Call us.\n{% if recipient.organisation %}\nFax: {{ recipient.organisation }}{% endif %}\n{: .boxed }\n")
    output = _lint("--kit", "letter", "--templates", str(tmp_path))
    assert "error " in output
    assert "body.md.j2:3: the tag at the end of this line joins the next line to it" in output


def _guideline_paragraphs(folder: Path) -> list[tuple[str | None, str]]:
    letterkit.forget_kits()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the removed block's own warning, tested in test_upgrade
        html = letterkit.render(letterkit.read_case(CASE), formats=("html",), templates=[folder])["html"]
    return [(p.get("class"), p.text_content()) for p in lxml.html.fromstring(html).xpath("//p")
            if "guideline: Decision based on" in p.text_content()]


@pytest.mark.slow
def test_upgrade_mends_the_glue_of_an_include_before_an_attribute_line(tmp_path):
    block = tmp_path / "mine" / "blocks" / "disputed-item.md.j2"
    block.parent.mkdir(parents=True)
    block.write_text(ITEM.read_text().replace("{{ citation(item.guideline) }}\n",
                                              '{% include "blocks/guideline-citation.md.j2" %}\n'))
    assert "disputed-item.md.j2:8: the tag at the end of this line joins" in _lint("-t", str(block.parent.parent))
    plan(block.parent.parent, ROOT / "templates" / "imr" / "macros" / "letter.j2").write()
    assert "{{ citation(item.guideline) }}\n{: .guideline }\n" in block.read_text()
    paragraphs = _guideline_paragraphs(block.parent.parent)
    assert [cls for cls, _ in paragraphs] == ["guideline", "guideline"]
    assert not any("{:" in text for _, text in paragraphs)
    assert "joins the next line" not in _lint("-t", str(block.parent.parent))
