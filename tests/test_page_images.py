"""Page pictures (`-f png`): one PNG per page of the PDF, `<case-stem>-<page>.png`, at the asked resolution."""

from __future__ import annotations

import io
import json

import pypdf
import pytest
import yaml
from conftest import EXAMPLES, small_case
from PIL import Image
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app

runner = CliRunner()


def _pictures(folder, stem):
    return sorted(folder.glob(f"{stem}-*.png"), key=lambda path: int(path.stem.rsplit("-", 1)[1]))


@pytest.mark.slow
@pytest.mark.parametrize("dpi", [40, 100])
def test_one_picture_per_pdf_page_at_the_asked_resolution(tmp_path, dpi):
    result = runner.invoke(app, ["render", str(EXAMPLES[0]), "-f", "pdf,png", "--dpi", str(dpi), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    stem = EXAMPLES[0].stem
    pages = pypdf.PdfReader(tmp_path / f"{stem}.pdf").pages
    pictures = _pictures(tmp_path, stem)
    assert [path.name for path in pictures] == [f"{stem}-{number}.png" for number in range(1, len(pages) + 1)]
    for page, path in zip(pages, pictures):
        with Image.open(path) as picture:
            assert picture.format == "PNG"
            width, height = (float(side) * dpi / 72 for side in (page.mediabox.width, page.mediabox.height))
            assert abs(picture.width - width) <= 1 and abs(picture.height - height) <= 1
            assert tuple(round(d) for d in picture.info["dpi"]) == (dpi, dpi)
            assert picture.convert("L").getextrema()[0] < 100  # something drawn in black, not a blank page


def _case(tmp_path, summary_paragraphs: int):
    data = small_case()
    data["clinical_summary"] = "\n\n".join(["The injured worker reports pain in the lower back."] * summary_paragraphs)
    path = tmp_path / "letter.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.slow
def test_a_shorter_letter_leaves_no_picture_of_the_longer_ones_last_pages(tmp_path):
    outdir = tmp_path / "out"
    letterkit.render_file(_case(tmp_path, 120), outdir, formats=("png",), options=letterkit.WriterOptions(dpi=20))
    longer = len(_pictures(outdir, "letter"))
    written = letterkit.render_file(_case(tmp_path, 1), outdir, formats=("png",),
                                    options=letterkit.WriterOptions(dpi=20))
    assert len(written) < longer
    assert _pictures(outdir, "letter") == written

    (tmp_path / "letter.yaml").write_text("letter_date: not a date\n")  # a case that fails: no picture stays
    with pytest.raises(letterkit.CaseError):
        letterkit.render_file(tmp_path / "letter.yaml", outdir, formats=("png",))
    assert _pictures(outdir, "letter") == []


@pytest.mark.slow
def test_a_batch_writes_each_page_and_a_rerun_with_fewer_pages_removes_the_rest(tmp_path):
    cases, outdir = tmp_path / "cases", tmp_path / "out"
    cases.mkdir()
    options = letterkit.WriterOptions(dpi=20)
    (cases / "a.yaml").write_text(_case(tmp_path, 120).read_text())
    letterkit.render_batch(cases, outdir, formats=("png",), options=options, jobs=1)
    longer = _pictures(outdir, "a")
    (cases / "a.yaml").write_text(_case(tmp_path, 1).read_text())
    summary = letterkit.render_batch(cases, outdir, formats=("png",), options=options, jobs=1)
    assert summary.rendered == 1
    shorter = _pictures(outdir, "a")
    assert 0 < len(shorter) < len(longer)
    entry = [json.loads(line) for line in (outdir / "manifest.jsonl").read_text().splitlines()][-1]
    assert [output["file"] for output in entry["outputs"]] == [path.name for path in shorter]
    again = letterkit.render_batch(cases, outdir, formats=("png",), options=options, jobs=1)
    assert again.skipped == 1  # unchanged, its pictures there


def test_pictures_of_the_same_letter_are_the_same_bytes(case_data):
    first = letterkit.render(case_data, formats=("png",), options=letterkit.WriterOptions(dpi=30))
    assert first == letterkit.render(case_data, formats=("png",), options=letterkit.WriterOptions(dpi=30))
    assert set(first) == {f"{n}.png" for n in range(1, len(first) + 1)}
    assert Image.open(io.BytesIO(first["1.png"])).size[0] == round(8.5 * 30)
