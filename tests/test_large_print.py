"""Large print (`--profile large-print`, a case's `alternate_format`): no text below the kit's floor."""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pikepdf
import pypdf
import pytest
import yaml
from conftest import EXAMPLES, ROOT
from fontTools.ttLib import TTFont
from lxml import etree
from typer.testing import CliRunner

import letterkit
from letterkit import profiles
from letterkit.cli import app

runner = CliRunner()
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SHOWING = {"Tj", "TJ", "'", '"'}


def _multiply(a, b):
    """The product of two PDF matrices [a b c d e f] (a first, as PDF concatenates)."""
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]


def drawn_text(pdf: bytes) -> list[tuple[int, float, float]]:
    """(page, size in points, y) of every text-showing operator on every page, read from the
    content streams (and the forms they draw): Tf's size × the text matrix × the CTM."""
    found = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, 1):
            found += [(number, size, y) for size, y in _shown(page.obj, page.Resources, [1, 0, 0, 1, 0, 0])]
    return found


def _shown(stream, resources, ctm):
    stack, size, tm, shown = [], 0.0, [1, 0, 0, 1, 0, 0], []
    for operands, operator in pikepdf.parse_content_stream(stream):
        op = str(operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop()
        elif op == "cm":
            ctm = _multiply([float(v) for v in operands], ctm)
        elif op == "BT":
            tm = [1, 0, 0, 1, 0, 0]
        elif op == "Tm":
            tm = [float(v) for v in operands]
        elif op in ("Td", "TD"):
            tm = _multiply([1, 0, 0, 1, float(operands[0]), float(operands[1])], tm)
        elif op == "Tf":
            size = float(operands[1])
        elif op in SHOWING:
            matrix = _multiply(tm, ctm)
            shown.append((size * (matrix[2] ** 2 + matrix[3] ** 2) ** 0.5, matrix[5]))
        elif op == "Do":
            form = resources.XObject[operands[0]]
            if form.Subtype == "/Form":
                matrix = [float(v) for v in form.get("/Matrix", [1, 0, 0, 1, 0, 0])]
                shown += _shown(form, form.get("/Resources", resources), _multiply(matrix, ctm))
    return shown


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """The seed letter, normal and in large print."""
    case = letterkit.read_case(EXAMPLES[0])
    normal = letterkit.render(case, formats=("pdf",))["pdf"]
    return normal, letterkit.render(case, formats=("pdf", "docx", "txt"), profile="large-print")


@pytest.mark.slow
def test_every_text_showing_operator_of_the_large_print_pdf_draws_at_18_pt_or_more(large):
    normal, files = large
    drawn = drawn_text(files["pdf"])
    pages = len(pypdf.PdfReader(io.BytesIO(files["pdf"])).pages)
    assert {page for page, _, _ in drawn} == set(range(1, pages + 1))
    assert min(size for _, size, _ in drawn) >= 18 - 1e-6
    assert min(size for _, size, _ in drawn_text(normal)) < 10  # the normal letter's footer: 9 pt
    # the margin boxes were read too: "Page N of M" at the foot of each page, the header at its head
    assert sum(1 for _, _, y in drawn if y < 72) >= pages and any(y > 792 - 72 for _, _, y in drawn)
    assert pages > len(pypdf.PdfReader(io.BytesIO(normal)).pages)


@pytest.mark.slow
def test_the_large_letter_keeps_its_frame_its_words_and_its_rules(large):
    _, files = large
    reader = pypdf.PdfReader(io.BytesIO(files["pdf"]))
    count = len(reader.pages)
    for number, page in enumerate(reader.pages, 1):
        text = page.extract_text()
        assert f"Page {number} of {count}" in text
        assert number == 1 or "IMR Case CM15-0171234" in text
    assert files["txt"] == letterkit.render(letterkit.read_case(EXAMPLES[0]), formats=("txt",))["txt"]
    case = letterkit.read_case(EXAMPLES[0])
    assert letterkit.check_rules(case, letterkit.load_kit("imr"), profile="large-print") == []


def docx_sizes(docx: bytes) -> dict[str, list[int]]:
    """Every w:sz and w:szCs value (half-points) in each part of the DOCX: styles, document
    defaults, runs of the body, header and footer."""
    found = {}
    with zipfile.ZipFile(io.BytesIO(docx)) as parts:
        for name in parts.namelist():
            if name.startswith("word/") and name.endswith(".xml"):
                root = etree.fromstring(parts.read(name))
                found[name] = [int(e.get(f"{W}val")) for e in root.iter(f"{W}sz", f"{W}szCs")]
    return found


@pytest.mark.slow
def test_every_size_in_the_large_print_docx_is_36_half_points_or_more(large):
    _, files = large
    sizes = docx_sizes(files["docx"])
    assert sizes["word/styles.xml"] and min(min(values) for values in sizes.values() if values) >= 36
    defaults = etree.fromstring(zipfile.ZipFile(io.BytesIO(files["docx"])).read("word/styles.xml"))
    assert defaults.find(f".//{W}docDefaults//{W}sz") is not None  # no style falls back on Word's own 10 pt
    normal = docx_sizes(letterkit.render(letterkit.read_case(EXAMPLES[0]), formats=("docx",))["docx"])
    assert min(min(values) for values in normal.values() if values) < 36


@pytest.fixture(scope="module")
def libreoffice_pdf(large, tmp_path_factory):
    """The large-print DOCX as LibreOffice lays it out, as a PDF file."""
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    _, files = large
    folder = tmp_path_factory.mktemp("libreoffice")
    (folder / "large.docx").write_bytes(files["docx"])
    subprocess.run([soffice, f"-env:UserInstallation=file:///tmp/lo-profile-{os.getpid()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(folder / "large.docx")],
                   check=True, capture_output=True, timeout=300)
    return folder / "large.pdf"


@pytest.mark.slow
def test_libreoffice_lays_the_large_print_docx_on_as_many_pages_as_the_pdf(large, libreoffice_pdf):
    _, files = large
    theirs = pypdf.PdfReader(libreoffice_pdf).pages
    assert len(theirs) == len(pypdf.PdfReader(io.BytesIO(files["pdf"])).pages)


def _style_chain(style):
    """A python-docx style and those it is based on, the style itself first."""
    while style is not None:
        yield style
        style = style.base_style


def _run_look(document, table, paragraph) -> tuple[float, str]:
    """The size (points) and font family Word draws a cell paragraph's text in: its runs',
    else its style chain's, else its table style chain's, else the document's defaults."""
    defaults = document.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    sizes = [run.font.size for run in paragraph.runs if run.font.size is not None]
    names = [run.font.name for run in paragraph.runs if run.font.name is not None]
    for style in (*_style_chain(paragraph.style), *_style_chain(table.style)):
        sizes.append(style.font.size)
        names.append(style.font.name)
    size = next((size.pt for size in sizes if size is not None), None)
    if size is None:
        size = int(defaults.find(f"{W}sz").get(f"{W}val")) / 2
    name = next((name for name in names if name), None) or defaults.find(f"{W}rFonts").get(f"{W}ascii")
    return size, name


def _cell_edges(table) -> float:
    """What a column holds besides its text, in points: a cell's left and right margins
    (the table's own, else its style chain's, else Word's 108 twips a side) and the
    widest vertical border its style draws (sz in eighths of a point)."""
    margins, borders = {"left": 108, "right": 108}, {}
    for properties in (*reversed([style.element.find(f"{W}tblPr") for style in _style_chain(table.style)]),
                       table._tbl.tblPr):
        for side in ("left", "right"):
            found = properties.find(f"{W}tblCellMar/{W}{side}") if properties is not None else None
            if found is not None:
                margins[side] = int(found.get(f"{W}w"))
        for side in ("left", "right", "insideV"):
            found = properties.find(f"{W}tblBorders/{W}{side}") if properties is not None else None
            if found is not None:
                borders[side] = 0 if found.get(f"{W}val") in ("nil", "none") else int(found.get(f"{W}sz", "4"))
    return sum(margins.values()) / 20 + max(borders.values(), default=0) / 8


def _advance(family: str, bold: bool):
    """A function giving a text's width in em, from the font file fontconfig finds for `family`."""
    path = subprocess.run(["fc-match", "-f", "%{file}", f"{family}:style={'Bold' if bold else 'Regular'}"],
                          check=True, capture_output=True, text=True).stdout
    found = subprocess.run(["fc-query", "-f", "%{family}", path], check=True, capture_output=True, text=True).stdout
    assert family in found.split(","), f"fontconfig has no {family} (found {found})"
    with TTFont(path) as font:
        cmap, metrics, units = font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm
        advances = {code: metrics[glyph][0] / units for code, glyph in cmap.items()}
    return lambda text: sum(advances[ord(character)] for character in text)


def words_wider_than_their_column(docx_bytes: bytes) -> list[str]:
    """Each word of a table cell (header rows bold) that is wider, at the size and in the
    font the DOCX names, than its column less its cell margins and border."""
    document = docx.Document(io.BytesIO(docx_bytes))
    measures: dict = {}
    too_wide = []
    for table in document.tables:
        columns = [int(column.get(f"{W}w")) / 20 for column in table._tbl.tblGrid.iterfind(f"{W}gridCol")]
        room = [width - _cell_edges(table) for width in columns]
        for row in table.rows:
            header = row._tr.find(f"{W}trPr/{W}tblHeader") is not None
            for cell, points in zip(row.cells, room):
                for paragraph in cell.paragraphs:
                    size, family = _run_look(document, table, paragraph)
                    bold = header or any(run.bold for run in paragraph.runs)
                    measure = measures.setdefault((family, bold), _advance(family, bold))
                    too_wide += [f"{word} ({measure(word) * size:.1f} pt in {points:.1f})"
                                 for word in paragraph.text.split() if measure(word) * size > points]
    return too_wide


@pytest.mark.slow
def test_no_word_of_a_large_print_docx_table_is_wider_than_its_column(large):
    _, files = large
    tables = docx.Document(io.BytesIO(files["docx"])).tables
    assert len(tables) >= 2  # the addressees and the decisions
    assert words_wider_than_their_column(files["docx"]) == []


@pytest.mark.parametrize("example", [*EXAMPLES, *sorted((ROOT / "examples").glob("*/*.yaml"))],
                         ids=lambda path: path.stem)
def test_no_table_word_is_wider_than_its_column_at_the_normal_size_either(example):
    """The measure that fits large print fits the kits' own sizes ("Modificado" in the
    Spanish UR letter's 11 pt decision column broke in LibreOffice when borders were left out)."""
    docx_bytes = letterkit.render(letterkit.read_case(example), formats=("docx",))["docx"]
    assert words_wider_than_their_column(docx_bytes) == []


def words_split_across_lines(pdf: Path, words: set[str]) -> list[str]:
    """Each of `words` that pdftotext finds begun at the end of one line of a block and
    ended at the start of the next: a word broken where it may not break. A break after
    a hyphen or a slash is a break a browser and Word may make, so the pieces between
    them are the words."""
    layout = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True).stdout
    root = etree.fromstring(layout)
    split = []
    for block in root.iter("{*}block"):
        lines = [[word.text for word in line.iter("{*}word")] for line in block.iter("{*}line")]
        split += [f"{above[-1]}|{below[0]}" for above, below in itertools.pairwise(lines)
                  if above and below and above[-1] + below[0] in words and above[-1] not in words]
    return split


def table_words(docx_bytes: bytes) -> set[str]:
    """The words of the DOCX's tables, cut after each hyphen and slash."""
    text = " ".join(cell.text for table in docx.Document(io.BytesIO(docx_bytes)).tables
                    for row in table.rows for cell in row.cells)
    return {piece for word in text.split() for piece in re.split(r"(?<=[-/])", word) if piece}


@pytest.mark.slow
def test_no_table_word_is_split_across_lines_in_either_large_print_pdf(large, libreoffice_pdf, tmp_path):
    _, files = large
    words = table_words(files["docx"])
    assert {"Employee", "Administrator", "Decision", "Upheld"} <= words
    (tmp_path / "large.pdf").write_bytes(files["pdf"])
    assert words_split_across_lines(tmp_path / "large.pdf", words) == []
    assert words_split_across_lines(libreoffice_pdf, words) == []


@pytest.mark.slow
def test_a_kit_may_ask_24_pt(tmp_path):
    kit = tmp_path / "imr-24"
    kit.mkdir()
    (kit / "kit.toml").write_text('extends = "imr"\n\n[large_print]\nfloor = 24\n')
    pdf = letterkit.render(letterkit.read_case(EXAMPLES[0]), kit=kit, formats=("pdf",), profile="large-print")["pdf"]
    assert min(size for _, size, _ in drawn_text(pdf)) >= 24 - 1e-6
    (kit / "kit.toml").write_text('extends = "imr"\n\n[large_print]\nfloor = 12\n')
    letterkit.forget_kits()
    with pytest.raises(letterkit.KitError, match="floor"):
        letterkit.load_kit(kit)


@pytest.mark.slow
def test_a_batch_honours_each_cases_standing_request_and_the_manifest_says_which(tmp_path):
    cases, outdir = tmp_path / "cases", tmp_path / "out"
    cases.mkdir()
    base = yaml.safe_load(EXAMPLES[0].read_text())
    for name, request in (("plain", None), ("large", "large-print"), ("braille", "braille"), ("text", "text")):
        data = dict(base, **({"alternate_format": request} if request else {}))
        (cases / f"{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    result = runner.invoke(app, ["batch", str(cases), "-o", str(outdir), "-f", "pdf", "-j", "2", "-q"])
    assert result.exit_code == 0, result.output
    written = sorted(path.name for path in outdir.iterdir() if not path.name.startswith((".", "manifest")))
    assert written == ["braille.brf", "braille.pdf", "large.pdf", "plain.pdf", "text.pdf", "text.txt"]
    smallest = {name: min(size for _, size, _ in drawn_text((outdir / f"{name}.pdf").read_bytes()))
                for name in ("plain", "large")}
    assert smallest["plain"] < 10 and smallest["large"] >= 18 - 1e-6
    manifest = {entry["id"]: entry for entry in map(json.loads, (outdir / "manifest.jsonl").read_text().splitlines())}
    assert {name: entry["alternate_format"] for name, entry in manifest.items()} == {
        "plain": "none", "large": "large-print", "braille": "braille", "text": "text"}
    assert [output["file"] for output in manifest["braille"]["outputs"]] == ["braille.pdf", "braille.brf"]


def test_an_unknown_alternate_format_is_refused_naming_the_field(case_data):
    case_data["alternate_format"] = "audio"
    with pytest.raises(letterkit.CaseError, match="alternate_format"):
        letterkit.render(case_data, formats=("html",))


def test_the_cli_takes_the_profile_and_names_the_choices(tmp_path):
    result = runner.invoke(app, ["render", str(EXAMPLES[0]), "-f", "html", "--profile", "huge", "-o", str(tmp_path)])
    assert result.exit_code == 2 and "large-print" in result.output
    result = runner.invoke(app, ["render", str(EXAMPLES[0]), "-f", "html", "--profile", "large-print",
                                 "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "18pt !important" in (tmp_path / f"{EXAMPLES[0].stem}.html").read_text()


def test_a_style_lifted_to_the_floor_keeps_its_line_height_to_its_size():
    """A 10 pt style lifted to 18 pt has its fixed line spacing lifted as much, as a
    stylesheet's unitless line height grows with its text (not by the kit's factor alone)."""
    kit = letterkit.load_kit("imr")
    normal = docx.Document(io.BytesIO(kit.presentation.reference_docx)).styles
    large = docx.Document(io.BytesIO(profiles.presentation(kit, "large-print").reference_docx)).styles
    checked = 0
    for style in normal:
        spacing = style.element.find(f"{W}pPr/{W}spacing")
        size = style.element.find(f"{W}rPr/{W}sz")
        if spacing is None or size is None or spacing.get(f"{W}lineRule") not in ("atLeast", "exact"):
            continue
        grown = large[style.name].element
        ratio = int(spacing.get(f"{W}line")) / int(size.get(f"{W}val"))
        grown_ratio = (int(grown.find(f"{W}pPr/{W}spacing").get(f"{W}line"))
                       / int(grown.find(f"{W}rPr/{W}sz").get(f"{W}val")))
        assert grown_ratio == pytest.approx(ratio, rel=0.01), style.name
        checked += 1
    assert checked  # "Addressees Text": 10 pt on 13.5 pt lines
