"""Table borders in Word as an author writes them in CSS: a box, ruled top and bottom, a
line to sign on drawn as each cell's top border. Read back as LibreOffice resolves each
cell's borders from the table style, and as python-docx reads the style."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess

import docx
import pytest

import letterkit
from letterkit.errors import KitError

KIT_TOML = '''extends = "letter"

[[style]]
class = "claim"
type = "table"
border = "box"                 # .claim table { border: 1px solid }

[[style]]
class = "totals"
type = "table"
border = ["top", "bottom"]     # .totals table { border-top: …; border-bottom: … }

[[style]]
class = "signatures"
type = "table"
border = "cell-top"            # .signatures td { border-top: 1px solid }

[[style]]
class = "lined"
type = "table"
border = "rows"                # .lined tr + tr td { border-top: … }

[[style]]
class = "notice"
border = ["top", "bottom"]     # p.notice { border-top: …; border-bottom: … }
'''

BODY = '''<div class="claim" markdown>

{{ table([["Claim", "C-1"], ["Member", "M-2"]]) }}

</div>

The amounts:

<div class="totals" markdown>

{{ table([["Billed", "$100"], ["Paid", "$0"]]) }}

</div>

Sign below.

<div class="signatures" markdown>

{{ table([["Member", "Date"]]) }}

</div>

Read this.
{: .notice }
'''

CASE = {"letter_date": "2026-03-02", "organisation": {"name": "Example Health Plan"},
        "recipient": {"name": "Pat Member"}}


@pytest.fixture
def kit(tmp_path):
    (tmp_path / "kit" / "blocks").mkdir(parents=True)
    (tmp_path / "kit" / "kit.toml").write_text(KIT_TOML)
    (tmp_path / "kit" / "blocks" / "body.md.j2").write_text(BODY)
    return tmp_path / "kit"


def _style_borders(style, tag: str) -> dict[str, str]:
    borders = style.element.find(f".//{{*}}{tag}")
    return {} if borders is None else {re.sub(r"{.*}", "", side.tag): side.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val") for side in borders}


def test_each_table_style_draws_the_sides_its_border_names(kit):
    word = docx.Document(io.BytesIO(letterkit.render(CASE, kit=kit, formats=("docx",))["docx"]))
    styles = [table.style.name for table in word.tables]
    assert styles == ["Claim", "Totals", "Signatures"]
    claim, totals, signatures = (word.styles[name] for name in styles)
    assert _style_borders(claim, "tblBorders") == {"top": "single", "left": "single", "bottom": "single",
                                                   "right": "single", "insideH": "nil", "insideV": "nil"}
    assert _style_borders(totals, "tblBorders") == {"top": "single", "left": "nil", "bottom": "single",
                                                    "right": "nil", "insideH": "nil", "insideV": "nil"}
    assert set(_style_borders(signatures, "tblBorders").values()) == {"nil"}
    assert _style_borders(signatures, "tcBorders") == {"top": "single", "left": "nil", "bottom": "nil",
                                                       "right": "nil"}
    assert _style_borders(word.styles["Lined"], "tblBorders")["insideH"] == "single"
    assert _style_borders(word.styles["Notice"], "pBdr") == {"top": "single", "bottom": "single"}


@pytest.mark.parametrize("style, message", [
    ('class = "x"\ntype = "table"\nborder = "dotted"', "border 'dotted' is no border of a table style; one or a list"),
    ('class = "x"\nborder = "grid"', "border 'grid' is no border of a paragraph style"),
    ('class = "x"\nborder = ["top", "cell-top"]', "border 'cell-top' is no border of a paragraph style"),
])
def test_a_border_word_cannot_draw_is_an_error(tmp_path, style, message):
    (tmp_path / "kit.toml").write_text(f'extends = "letter"\n[[style]]\n{style}\n')
    with pytest.raises(KitError, match=re.escape(message)):
        letterkit.load_kit(tmp_path)


def _cell_borders(html: str) -> dict[str, dict[str, set[str]]]:
    """Per table (Table1…), the sides LibreOffice draws on any of its cells' edges."""
    drawn: dict[str, dict[str, set[str]]] = {}
    for table, cell, rules in re.findall(r"\.(Table\d+)_([A-Z]\d+) \{([^}]*)\}", html):
        sides = {side for side in ("top", "bottom", "left", "right") if f"border-{side}-style:solid" in rules}
        drawn.setdefault(table, {})[cell] = sides
    return drawn


@pytest.mark.slow
def test_libreoffice_draws_each_cells_borders_as_the_css_does(kit, tmp_path):
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    (tmp_path / "letter.docx").write_bytes(letterkit.render(CASE, kit=kit, formats=("docx",))["docx"])
    subprocess.run([soffice, f"-env:UserInstallation=file:///tmp/lo-profile-{os.getpid()}", "--headless",
                    "--convert-to", "html:XHTML Writer File:UTF8", "--outdir", str(tmp_path / "lo"),
                    str(tmp_path / "letter.docx")], check=True, capture_output=True, timeout=300)
    tables = _cell_borders((tmp_path / "lo" / "letter.html").read_text())
    claim, totals, signatures = tables["Table1"], tables["Table2"], tables["Table3"]
    assert claim == {"A1": {"top", "left"}, "B1": {"top", "right"}, "A2": {"bottom", "left"},
                     "B2": {"bottom", "right"}}  # a box: the outside only
    assert totals == {"A1": {"top"}, "A2": {"bottom"}}  # one class per row: both cells alike
    assert signatures == {"A1": {"top"}}  # a line over each cell to sign on
