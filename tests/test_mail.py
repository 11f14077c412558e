"""Mail pieces, the print file, mailpieces.csv and the IMb: real letters, read back."""

from __future__ import annotations

import copy
import csv
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pikepdf
import pytest
import yaml
from author_kit import LETTER_CASE, write_kit
from conftest import ROOT

import letterkit
from letterkit.mail.imb import bar_states
from letterkit.mail.pieces import Piece, pieces_of
from letterkit.mail.render import MailJob, piece_look, render_pieces
from letterkit.mail.window import first_page_lines, window_lines, window_problems
from letterkit.model import CaseDeprecationWarning
from letterkit.writers import WriterOptions, write_format

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


def _batch(source: Path, outdir: Path, *options: str, mail_date: str = MAIL_DATE,
           print_file: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*LETTERKIT, "batch", str(source), "-o", str(outdir), "-f", "pdf", "-j", "2", "-q",
                           "--print-file", str(print_file or outdir / "print.pdf"), "--mail-date", mail_date, *options],
                          capture_output=True, text=True, timeout=300)


def _rows(outdir: Path) -> list[dict]:
    with open(outdir / "mailpieces.csv", newline="") as rows:
        return list(csv.DictReader(rows))


def _leaves(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
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
            printed = window_lines(letterkit.compose(letter, kit, piece))
            assert window_problems(drawn, piece, kit.mail.window, printed) == []  # its own address, and nothing else
            left, top, right, bottom = kit.mail.window.points()
            in_window = [line.text for line in first_page_lines(drawn)
                         if left <= line.box[0] and line.box[2] <= right
                         and top <= line.box[1] and line.box[3] <= bottom]
            assert in_window[-len(piece.address_lines()):] == piece.address_lines()
            assert ("Copy to:" in in_window) == (row["role"] == "copy")


def test_the_window_check_reads_the_drawn_pdf():
    """The original's piece shows the employee in the window: for the provider's copy it is wrong."""
    kit = letterkit.load_kit("imr")
    assert kit.mail is not None
    letter = letterkit.validate(_example(), kit)
    pieces, _ = pieces_of(letter, kit.mail)
    document = letterkit.compose(letter, kit, pieces[0])
    pdf = write_format(document, "pdf", piece_look(kit))
    assert window_problems(pdf, pieces[0], kit.mail.window, window_lines(document)) == []
    problems = window_problems(pdf, pieces[2], kit.mail.window)
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


def _page_text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def _spanish_case(example: Path, cc: list[dict] | None = None) -> dict:
    data = yaml.safe_load(example.read_text())
    if cc is not None:
        data["cc"] = cc
    return data


@pytest.fixture(scope="module")
def spanish_batches(tmp_path_factory):
    """The Spanish UR and adverse-benefit examples (the latter with an addressed copy) and
    the English adverse-benefit notice, each kit's batch with --duplex --strict."""
    folder = tmp_path_factory.mktemp("spanish")
    lawyer = {"name": "Ana Ruiz", "organisation": "Ruiz Legal", "address": _address("5 Van Ness Avenue", "93721")}
    batches = {}
    for kit, examples, date in (
            ("ur", {"ur-es": _spanish_case(ROOT / "examples/ur/ur-chiropractic-modified-es.yaml")}, "2013-11-21"),
            ("adverse-benefit", {"abd-es": _spanish_case(ROOT / "examples/adverse-benefit/abd-lumbar-mri-es.yaml",
                                                         [lawyer]),
                                 "abd-en": _spanish_case(ROOT / "examples/adverse-benefit/abd-lumbar-mri.yaml")},
             "2026-03-02")):
        outdir = folder / kit
        result = _batch(_cases(folder / f"{kit}-cases", examples), outdir, "-k", kit, "--duplex", "--strict",
                        mail_date=date)
        assert result.returncode == 0, result.stderr
        batches[kit] = outdir
    return batches


@pytest.mark.slow
def test_a_spanish_letters_copies_say_copy_to_in_spanish(spanish_batches):
    copies = [(outdir, row) for outdir in spanish_batches.values() for row in _rows(outdir)
              if row["role"] == "copy" and row["case_id"].endswith("-es")]
    assert {row["case_id"] for _, row in copies} == {"ur-es", "abd-es"}
    for outdir, row in copies:
        first_page = _page_text(outdir / "print.pdf", int(row["first_page"]))
        assert "Copia para:" in first_page and "Copy to" not in first_page, row["piece_id"]


@pytest.mark.slow
def test_duplex_padding_pages_say_they_are_blank_in_the_letters_language(spanish_batches, duplex_batch):
    sentences = {"ur-es": "Esta página se dejó en blanco intencionalmente.",
                 "abd-es": "Esta página se dejó en blanco intencionalmente.",
                 "four": "This page intentionally left blank.", "three": "This page intentionally left blank."}
    padded = [(outdir, row) for outdir in (*spanish_batches.values(), duplex_batch) for row in _rows(outdir)
              if int(row["pages"]) % 2]
    assert {row["case_id"] for _, row in padded} == set(sentences)
    for outdir, row in padded:
        padding = " ".join(_page_text(outdir / "print.pdf", int(row["last_page"])).split())
        assert padding == sentences[row["case_id"]], row["piece_id"]
    with pikepdf.open(spanish_batches["adverse-benefit"] / "print.pdf") as pdf:  # drawn once a language
        padding_pages = [pdf.pages[int(row["last_page"]) - 1] for outdir, row in padded
                         if outdir == spanish_batches["adverse-benefit"] and row["case_id"] == "abd-es"]
        assert len({page.obj.Contents.objgen for page in padding_pages}) == 1 < len(padding_pages)


@pytest.mark.slow
def test_when_only_the_print_file_fails_the_batch_says_the_letters_are_done_and_exits_3(tmp_path):
    source = _cases(tmp_path / "cases", {"one": _example()})
    outdir = tmp_path / "out"
    (tmp_path / "not-a-folder").write_text("")
    result = _batch(source, outdir, print_file=tmp_path / "not-a-folder" / "print.pdf")
    assert result.returncode == 3, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "the letters are done, the print file is not" in errors[0], result.stderr
    assert "run the same command again" in errors[0] and "Traceback" not in result.stderr
    assert (outdir / "one.pdf").exists() and (outdir / "one.piece-1.pdf").exists()
    assert not list(tmp_path.glob("**/.print.pdf.part"))


# The merge's peak memory above where it started, in kB: the peak is reset after the
# imports (clear_refs 5 resets VmHWM to the RSS of now), whose own peak would hide it.
_MERGE_PEAK = """
import datetime, sys
from pathlib import Path
from letterkit.mail.print_file import PrintOptions, write_print_file
def status(key):
    return int(next(line.split()[1] for line in open("/proc/self/status") if line.startswith(key)))
outdir = Path(sys.argv[1])
open("/proc/self/clear_refs", "w").write("5")
start = status("VmRSS:")
write_print_file(outdir, PrintOptions(outdir / "print.pdf", duplex=True, mail_date=datetime.date(2015, 9, 14)))
print(status("VmHWM:") - start)
"""


@pytest.mark.slow
def test_the_merges_memory_does_not_grow_with_the_number_of_letters(duplex_batch, tmp_path):
    """One rendered piece, named by 100 and by 700 letters: the merge of the second
    holds no more memory than that of the first, give or take 25 MB (it held 0.3 MB a letter)."""
    entry = [json.loads(line) for line in (duplex_batch / "manifest.jsonl").read_text().splitlines()][0]
    piece = entry["pieces"][0]
    peaks = []
    for letters in (100, 700):
        outdir = tmp_path / str(letters)
        outdir.mkdir()
        with open(outdir / "manifest.jsonl", "w") as manifest:
            for number in range(letters):
                name = f"letter-{number}.pdf"
                (outdir / name).hardlink_to(duplex_batch / piece["file"])
                manifest.write(json.dumps({**entry, "id": f"letter-{number}", "pieces": [
                    {**piece, "piece_id": f"letter-{number}-1", "file": name}]}) + "\n")
        merged = subprocess.run([sys.executable, "-c", _MERGE_PEAK, str(outdir)], capture_output=True, text=True,
                                timeout=600)
        assert merged.returncode == 0, merged.stderr
        peaks.append(int(merged.stdout) / 1024)
        with pikepdf.open(outdir / "print.pdf") as pdf:
            assert len(_leaves(pdf)) == letters
    assert peaks[1] - peaks[0] < 25, (f"peak memory above start: {peaks[0]:.0f} MB for 100 letters, "
                                      f"{peaks[1]:.0f} MB for 700")


@pytest.mark.slow
def test_a_large_print_piece_prints_its_address_large_in_the_large_envelopes_window(tmp_path):
    case = _example()
    case["alternate_format"] = "large-print"  # the employee's standing request
    source = _cases(tmp_path / "cases", {"large": case})
    outdir = tmp_path / "out"
    imb = ["--imb", "--mailer-id", "123456", "--service-type", "040", "--imb-serials", str(tmp_path / "serials.json")]
    result = _batch(source, outdir, "--strict", *imb)
    assert result.returncode == 0, result.stderr
    kit = letterkit.load_kit("imr")
    assert kit.mail is not None and kit.mail.large_print is not None
    large, usual = kit.mail.large_print.window, kit.mail.window
    entry = json.loads((outdir / "manifest.jsonl").read_text().splitlines()[-1])
    assert [piece["window"] for piece in entry["pieces"]] == [large.model_dump()] * 4
    letter = letterkit.validate(case, kit)
    pieces = {piece.piece_id("large"): piece for piece in pieces_of(letter, kit.mail)[0]}
    with pikepdf.open(outdir / "print.pdf") as pdf:
        for row in _rows(outdir):
            single = pikepdf.new()
            single.pages.append(pdf.pages[int(row["first_page"]) - 1])
            path = tmp_path / f"{row['piece_id']}.pdf"
            single.save(path)
            piece = pieces[row["piece_id"]]
            printed = window_lines(letterkit.compose(letter, kit, piece))
            assert window_problems(path.read_bytes(), piece, large, printed, with_imb=True) == []
            assert window_problems(path.read_bytes(), piece, usual, printed) != []  # not where a #10 shows it
            left, top, right, bottom = large.points()
            heights = [line.box[3] - line.box[1] for line in first_page_lines(path.read_bytes())
                       if top <= line.box[1] and line.box[3] <= bottom and left <= line.box[0]]
            assert len(heights) >= len(piece.address_lines()) and min(heights) >= 18, heights


MOVED_WINDOWS = '''extends = "letter"

[mail.window]
left = 1.875
top = 3.125
width = 4.0
height = 1.125

[mail.large_print]
envelope = "9 x 12 flat window envelope"
window = { left = 1.875, top = 3.875, width = 4.5, height = 2.25 }
'''


@pytest.mark.parametrize("profile", [None, "large-print"])
def test_kit_toml_alone_places_the_address_a_window_moved_an_inch_moves_it(tmp_path, profile):
    """The window's numbers are written once, in kit.toml: a kit whose windows are an inch
    right and an inch lower prints the address an inch right and an inch lower, and
    `--strict`'s check of the drawn piece passes; a kit with other page margins prints it
    where the window is all the same. (print.css and print-piece-large-print.css placed the
    window with numbers of their own, from the page area's corner: the address stayed.)"""
    case = LETTER_CASE | {"recipient": {"name": "Pat Member", "address": _address("1 Main Street", "93721")}}
    drawn = {}
    for name, kit in (("letter", letterkit.load_kit("letter")),
                      ("moved", letterkit.load_kit(write_kit(tmp_path / "moved", {"kit.toml": MOVED_WINDOWS}))),
                      ("margins", letterkit.load_kit(write_kit(tmp_path / "margins", {
                          "kit.toml": 'extends = "letter"\n\n[page]\nmargin = "0.75in 1.25in"\n'})))):
        files, records, _ = render_pieces(letterkit.validate(case, kit), kit, "case", WriterOptions(),
                                          MailJob(strict=True), tmp_path / name, profile)  # WindowError if outside
        assert kit.mail is not None and records[0]["window"] == kit.mail.envelope_for(profile)[1].model_dump()
        lines = first_page_lines(next(iter(files.values())))
        drawn[name] = next(line.box for line in lines if line.text == "Pat Member")
    assert drawn["moved"] == pytest.approx(tuple(corner + 72 for corner in drawn["letter"]), abs=0.5)
    assert drawn["margins"] == pytest.approx(drawn["letter"], abs=0.5)
