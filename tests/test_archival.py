"""The archival PDF (--pdf-variant archival): PDF/A-3a and PDF/UA-1 at once, checked
with page-validation, with the case inside, read back with pikepdf."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import page
import pikepdf
import pytest
from conftest import EXAMPLES, ROOT

import letterkit

pytestmark = pytest.mark.slow  # every example checked as PDF/A and PDF/UA

ARCHIVAL = letterkit.WriterOptions(pdf_variant="archival")
# (kit, case file) of every example letter
LETTERS = [("imr", path) for path in EXAMPLES] + [
    (kit, path) for kit, folder in (("ur", "ur"), ("adverse-benefit", "adverse-benefit"))
    for path in sorted((ROOT / "examples" / folder).glob("*.yaml"))]
LETTERKIT = [str(Path(sys.executable).parent / "letterkit")]


@pytest.fixture(scope="session")
def archival() -> dict[str, bytes]:
    """Every example's archival PDF, rendered once: {case stem: PDF bytes}."""
    return {path.stem: letterkit.render(letterkit.read_case(path), kit, ("pdf",), options=ARCHIVAL)["pdf"]
            for kit, path in LETTERS}


def failures(pdf: bytes, profile: str) -> list[str]:
    report = page.validate_pdf_bytes(pdf, profile=profile)
    return [f"{failure.rule_id}: {failure.message}" for failure in report.failures]


@pytest.mark.parametrize("profile", ["3a", "ua1"])
def test_every_example_is_pdf_a_3a_and_pdf_ua_1(archival, profile):
    assert len(archival) == 7  # 3 IMR, 2 UR and 2 adverse-benefit (one of each in Spanish)
    for stem, pdf in archival.items():
        assert failures(pdf, profile) == [], stem


def test_each_tagline_says_its_language_in_the_pdf_structure(archival):
    """A screen reader reads the Spanish tagline in a Spanish voice: its structure
    element carries /Lang, in the archival PDF as in a tagged one."""
    languages = []

    def walk(element):
        if isinstance(element, pikepdf.Dictionary):
            if "/Lang" in element:
                languages.append(str(element.Lang))
            kids = element.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

    with pikepdf.open(io.BytesIO(archival["abd-lumbar-mri"])) as pdf:
        walk(pdf.Root.StructTreeRoot)
        assert pdf.Root.Lang == "en-US"
    assert languages == ["es", "tl", "zh-Hans", "nv"]


def test_the_xmp_names_both_standards_and_the_letters_record(archival):
    with pikepdf.open(io.BytesIO(archival["imr-chiropractic-initial-trial"])) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "3" and meta["pdfaid:conformance"] == "A"
        assert meta["pdfuaid:part"] == "1"
        assert "Filter" not in pdf.Root.Metadata  # every checker and signer reads it
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert pdf.Root.Lang == "en-US"
    kit = letterkit.load_kit("imr")
    assert "<letterkit:kit>imr</letterkit:kit>" in xmp
    assert f"<letterkit:kitDigest>{kit.digest}</letterkit:kitDigest>" in xmp
    assert f"<letterkit:version>{letterkit.__version__}</letterkit:version>" in xmp


@pytest.mark.parametrize("kit, path", LETTERS, ids=[path.stem for _, path in LETTERS])
def test_pikepdf_reads_the_embedded_case_back_equal_to_the_input(archival, kit, path):
    with pikepdf.open(io.BytesIO(archival[path.stem])) as pdf:
        (filespec,) = list(pdf.Root.AF)
        assert filespec.AFRelationship == "/Source"
        assert filespec.F == "case.json"
        stream = filespec.EF.F
        assert stream.Subtype == "/application/json"
        embedded = json.loads(stream.read_bytes())
        assert pdf.attachments["case.json"].get_file().read_bytes() == stream.read_bytes()
    loaded = letterkit.load_kit(kit)
    case = letterkit.read_case(path)
    assert embedded == letterkit.validate(case, loaded).model_dump(mode="json")
    assert letterkit.validate(embedded, loaded) == letterkit.validate(case, loaded)


def test_the_same_case_gives_the_same_archival_bytes(archival):
    path = EXAMPLES[0]
    again = letterkit.render(letterkit.read_case(path), "imr", ("pdf",), options=ARCHIVAL)["pdf"]
    assert again == archival[path.stem]


def test_the_archival_letter_has_the_plain_ones_pages(archival, rendered):
    stem = "imr-chiropractic-initial-trial"
    plain, kept = (pikepdf.open(io.BytesIO(pdf)) for pdf in (rendered[stem]["pdf"], archival[stem]))
    assert len(plain.pages) == len(kept.pages)
    for ours, theirs in zip(plain.pages, kept.pages):
        assert ours.MediaBox == theirs.MediaBox


def test_extract_prints_the_case_and_refuses_a_plain_pdf(tmp_path, archival, rendered):
    stem = "imr-medications-mixed"
    (tmp_path / "a.pdf").write_bytes(archival[stem])
    (tmp_path / "plain.pdf").write_bytes(rendered[stem]["pdf"])
    result = subprocess.run([*LETTERKIT, "extract", str(tmp_path / "a.pdf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    case = letterkit.read_case(ROOT / "examples" / f"{stem}.yaml")
    assert json.loads(result.stdout) == letterkit.validate(case, letterkit.load_kit("imr")).model_dump(mode="json")
    result = subprocess.run([*LETTERKIT, "extract", str(tmp_path / "plain.pdf")], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error {tmp_path / 'plain.pdf'}: holds no case.json (render it with --pdf-variant archival)"]
