"""Mail pieces, the print file, mailpieces.csv and the IMb: real letters, read back."""

from __future__ import annotations

import copy
import csv
import subprocess
import sys
import warnings
from pathlib import Path

import pikepdf
import pytest
import yaml

import letterkit
from conftest import ROOT
from letterkit.mail.imb import bar_states
from letterkit.mail.pieces import Piece, pieces_of
from letterkit.mail.render import _piece_look
from letterkit.mail.window import first_page_lines, window_problems
from letterkit.model import CaseDeprecationWarning
from letterkit.writers import write_format

LETTERKIT = [sys.executable, "-m", "letterkit"]
EXAMPLE = ROOT / "examples" / "imr-chiropractic-and-massage.yaml"
MAIL_DATE = "2015-09-14"  # the example's letter date


def test_imb_of_the_usps_b_3200_example_input():
    assert bar_states("01234567094987654321", "01234567891") == \
        "AADTFFDFTDADTAADAATFDTDDAAADDTDTTDAFADADDDTFFFDDTTTADFAAADFTDAADA"


def _example() -> dict:
    return yaml.safe_load(EXAMPLE.read_text())


def _address(street: str, zip_code: str) -> dict:
    return {"lines": [street], "city": "Fresno", "region": "CA", "postal_code": zip_code}


def _cases(folder: Path, cases: dict[str, dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in cases.items():
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(data))
    return folder


def _batch(source: Path, outdir: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([*LETTERKIT, "batch", str(source), "-o", str(outdir), "-f", "pdf", "-j", "2", "-q",
                           "--print-file", str(outdir / "print.pdf"), "--mail-date", MAIL_DATE, *options],
                          capture_output=True, text=True, timeout=300)


def _rows(outdir: Path) -> list[dict]:
    with open(outdir / "mailpieces.csv", newline="") as rows:
        return list(csv.DictReader(rows))


def _leaves(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    root = pdf.Root.DPartRoot.DPartRootNode
    return [leaf for array in root.DParts for leaf in array]


def _page_index(pdf: pikepdf.Pdf, page_object) -> int:
    return next(i for i, page in enumerate(pdf.pages) if page.obj.objgen == page_object.objgen)


@pytest.fixture(scope="module")
def duplex_batch(tmp_path_factory):
    """Two letters (4 and 3 pieces) in one print file, duplex, sorted by ZIP."""
    folder = tmp_path_factory.mktemp("mail")
    three = _example()
    del three["parties"]["claims_administrator"]  # two copy recipients: representative, provider
    three["parties"]["provider"]["address"] = _address("10 Fulton Street", "93721")
    source = _cases(folder / "cases", {"four": _example(), "three": three})
    outdir = folder / "out"
    result = _batch(source, outdir, "--duplex", "--sort", "zip", "--strict")
    assert result.returncode == 0, result.stderr
    return outdir


@pytest.mark.slow
def test_duplex_print_file_has_one_document_part_per_piece_each_starting_on_an_odd_page(duplex_batch):
    rows = _rows(duplex_batch)
    assert len(rows) == 7
    check = subprocess.run(["qpdf", "--check", str(duplex_batch / "print.pdf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with pikepdf.open(duplex_batch / "print.pdf") as pdf:
        leaves = _leaves(pdf)
        assert len(leaves) == len(rows)
        assert pdf.Root.DPartRoot.Type == "/DPartRoot"
        for leaf in leaves:
            start, end = _page_index(pdf, leaf.Start), _page_index(pdf, leaf.End)
            assert start % 2 == 0, "a piece starts on an odd page (1-based)"
            assert (end - start + 1) % 2 == 0
            assert int(leaf.DPM.Sheets) == (end - start + 1) // 2
        assert len(pdf.pages) == sum(int(row["sheets"]) * 2 for row in rows)


@pytest.mark.slow
def test_zip_sort_gives_non_decreasing_zips_and_document_parts_in_csv_order(duplex_batch):
    rows = _rows(duplex_batch)
    zips = [row["zip"] for row in rows]
    assert zips == sorted(zips)
    assert list(rows[0])[:13] == ["piece_id", "case_id", "role", "recipient", "address", "zip", "pages", "sheets",
                                  "ounces", "first_page", "last_page", "imb", "imb_digits"]
    with pikepdf.open(duplex_batch / "print.pdf") as pdf:
        assert [str(leaf.DPM.PieceId) for leaf in _leaves(pdf)] == [row["piece_id"] for row in rows]
        assert [str(leaf.DPM.ZIP) for leaf in _leaves(pdf)] == zips


@pytest.mark.slow
def test_two_copy_recipients_give_three_pieces_each_addressed_in_the_window(duplex_batch):
    rows = [row for row in _rows(duplex_batch) if row["case_id"] == "three"]
    assert [row["role"] for row in sorted(rows, key=lambda r: r["piece_id"])] == ["original", "copy", "copy"]
    kit = letterkit.load_kit("imr")
    assert kit.mail is not None
    letter = letterkit.validate(yaml.safe_load((duplex_batch.parent / "cases" / "three.yaml").read_text()), kit)
    pieces = {piece.piece_id("three"): piece for piece in pieces_of(letter, kit.mail)[0]}
    with pikepdf.open(duplex_batch / "print.pdf") as pdf:
        for row in rows:
            single = pikepdf.new()
            single.pages.append(pdf.pages[int(row["first_page"]) - 1])
            path = duplex_batch / f"check-{row['piece_id']}.pdf"
            single.save(path)
            drawn = path.read_bytes()
            piece = pieces[row["piece_id"]]
            assert window_problems(drawn, piece, kit.mail) == []  # its own address, and nothing else, in the window
            left, top, right, bottom = kit.mail.window.points()
            in_window = [line.text for line in first_page_lines(drawn)
                         if left <= line.box[0] and line.box[2] <= right and top <= line.box[1] and line.box[3] <= bottom]
            assert in_window[-len(piece.address_lines()):] == piece.address_lines()
            assert ("Copy to:" in in_window) == (row["role"] == "copy")


def test_the_window_check_reads_the_drawn_pdf():
    """The original's piece shows the employee in the window: for the provider's copy it is wrong."""
    kit = letterkit.load_kit("imr")
    assert kit.mail is not None
    letter = letterkit.validate(_example(), kit)
    pieces, _ = pieces_of(letter, kit.mail)
    pdf = write_format(letterkit.compose(letter, kit, pieces[0]), "pdf", kit.presentation.derived(_piece_look))
    assert window_problems(pdf, pieces[0], kit.mail) == []
    problems = window_problems(pdf, pieces[2], kit.mail)
    assert "'Ronald Ferris' is inside the envelope window, which shows only the address" in problems
    assert "address line 'Daniel Okafor, MD' is not in the envelope window" in problems


@pytest.mark.slow
def test_two_runs_into_one_folder_never_reuse_a_serial(tmp_path):
    source = _cases(tmp_path / "cases", {"first": _example()})
    outdir = tmp_path / "out"
    imb = ["--imb", "--mailer-id", "123456", "--service-type", "040", "--imb-serials", str(tmp_path / "serials.json")]
    assert _batch(source, outdir, *imb).returncode == 0
    first = {row["piece_id"]: row["imb_digits"] for row in _rows(outdir)}
    second_case = _example()
    second_case["parties"]["employee"]["name"] = "Rhonda Ferris"
    _cases(source, {"second": second_case})
    result = _batch(source, outdir, *imb)  # a resume: "first" is skipped, "second" is new
    assert result.returncode == 0, result.stderr
    second = {row["piece_id"]: row["imb_digits"] for row in _rows(outdir)}
    assert {k: v for k, v in second.items() if k.startswith("first-")} == first  # kept on resume
    serials = [digits[:20] for digits in second.values()]
    assert len(serials) == len(set(serials)) == 8
    assert all(len(row["imb"]) == 65 for row in _rows(outdir))
    forced = _batch(source, outdir, *imb, "--force")
    assert forced.returncode == 0, forced.stderr
    third = [row["imb_digits"][:20] for row in _rows(outdir)]
    assert not set(third) & set(serials)  # --force: every piece a new serial


@pytest.mark.slow
def test_unparseable_address_is_a_manifest_warning_and_the_letter_still_renders(tmp_path):
    case = _example()
    case["parties"]["provider"]["address"] = {"lines": ["Behind the old mill"], "city": "Modesto",
                                              "region": "CA", "postal_code": "95356"}
    case["cc"] = [{"name": "Division of Workers' Compensation"}]  # no address: listed, no piece
    source = _cases(tmp_path / "cases", {"odd": case})
    outdir = tmp_path / "out"
    result = _batch(source, outdir)
    assert result.returncode == 0, result.stderr
    entry = [line for line in (outdir / "manifest.jsonl").read_text().splitlines() if '"odd"' in line][-1]
    assert "cannot be parsed as a USPS Pub 28 address" in entry
    assert "Division of Workers' Compensation has no address; listed on the letter, no mail piece" in entry
    assert (outdir / "odd.pdf").exists() and len(_rows(outdir)) == 4


def test_a_copy_recipient_given_as_a_name_alone_still_works_with_a_warning():
    case = copy.deepcopy(_example())
    case["cc"] = ["Division of Workers' Compensation"]
    kit = letterkit.load_kit("imr")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CaseDeprecationWarning)
        letter = letterkit.validate(case, kit)
    assert any("is a name alone" in str(w.message) for w in caught)
    assert kit.mail is not None
    pieces, found = pieces_of(letter, kit.mail)
    assert [p.field for p in pieces][-1] == "parties.claims_administrator"
    assert any(line.startswith("cc[0]: Division of Workers' Compensation has no address") for line in found)
    assert isinstance(pieces[0], Piece)


@pytest.mark.slow
def test_pdf_vt_print_file_says_so_in_its_xmp_and_has_an_output_intent(tmp_path):
    source = _cases(tmp_path / "cases", {"vt": _example()})
    outdir = tmp_path / "out"
    result = _batch(source, outdir, "--print-file-variant", "pdf/vt")
    assert result.returncode == 0, result.stderr
    with pikepdf.open(outdir / "print.pdf") as pdf:
        meta = pdf.open_metadata()
        assert meta["{http://www.npes.org/pdfvt/ns/id/}GTS_PDFVTVersion"] == "PDF/VT-1"
        assert meta["{http://www.npes.org/pdfx/ns/id/}GTS_PDFXVersion"] == "PDF/X-4"
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFX"
        assert len(_leaves(pdf)) == 4
    assert subprocess.run(["qpdf", "--check", str(outdir / "print.pdf")], capture_output=True).returncode == 0
