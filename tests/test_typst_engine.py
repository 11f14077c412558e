"""The second PDF engine, typst (`--pdf-engine typst`): the same letter as WeasyPrint's,
word for word and page for page; case data shown as typed, never run as typst; an
archival letter that page-validation passes, with its case inside; sealed and verified.

Read back with tools letterkit does not write with: poppler's pdftotext and pdfinfo,
pikepdf (qpdf), page-validation, fontTools, and letterkit's own CLI in a subprocess.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import ROOT
from extract import pdf_page_count, pdf_reading, words
from fontTools.cffLib import CFFFontSet
from fontTools.misc.psCharStrings import T2WidthExtractor
from pki import PASSPHRASE, make_pki
from test_archival import LETTERKIT, LETTERS, failures

import letterkit
from letterkit.archive import case_record

TYPST = letterkit.WriterOptions(pdf_engine="typst")
TYPST_ARCHIVAL = letterkit.WriterOptions(pdf_engine="typst", pdf_variant="archival")
# typst syntax, and what would end a string, a content block or a comment around a value
HOSTILE = r'#set text(red) $x^2$ *b* _i_ @ref <lbl> ] \ // c /* d #{1+1} #import "x": * "q"'
# What would end a typst string literal, or begin an escape in one: the texts are literals
LITERAL = r'" + str(panic()) + " \u{41} \" \ end'
# In rich text, Markdown's own syntax means what it says (`*b*` is emphasis): these are not Markdown
HOSTILE_RICH = r'#set text(red) $x^2$ 2 * 3 a_b_c @ref <lbl> ] \ // c /* d #{1+1} #import "x"'


def _render(kit: str, data, options: letterkit.WriterOptions) -> bytes:
    return letterkit.render(data, kit, ("pdf",), options=options)["pdf"]


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Every example's PDF by WeasyPrint and by typst: {case stem: (weasyprint.pdf, typst.pdf)}."""
    folder = tmp_path_factory.mktemp("engines")
    made = {}
    for kit, path in LETTERS:
        data = letterkit.read_case(path)
        pair = (folder / f"{path.stem}.weasyprint.pdf", folder / f"{path.stem}.typst.pdf")
        pair[0].write_bytes(_render(kit, data, letterkit.WriterOptions()))
        pair[1].write_bytes(_render(kit, data, TYPST))
        made[path.stem] = pair
    return made


@pytest.mark.slow
def test_every_example_has_the_same_pages_and_words_by_both_engines(both):
    assert len(both) == 7  # every example: 3 IMR, 2 UR and 2 adverse-benefit (one of each in Spanish)
    for stem, (weasyprint, typst) in both.items():
        assert pdf_page_count(typst) == pdf_page_count(weasyprint), stem
        text, markers, frames = pdf_reading(typst)
        wanted_text, wanted_markers, wanted_frames = pdf_reading(weasyprint)
        assert len(text) > 500, stem
        assert text == wanted_text, stem
        assert markers == wanted_markers, stem
        assert frames == wanted_frames, stem  # each page's header and footer


@pytest.mark.slow  # a kit loaded with a folder
def test_the_print_stylesheets_spacing_moves_typsts_pages_as_it_moves_weasyprints(case_data, tmp_path):
    """typst takes each block's look from the kit's print CSS, as WeasyPrint draws it, not
    from Word's styles: a folder's extra.css that sets paragraphs larger, their lines and
    the space between them wider, makes both engines' letter longer, alike."""
    (tmp_path / "extra.css").write_text("p { font-size: 13pt; line-height: 1.7; margin-bottom: 1.4em; }\n",
                                        encoding="utf-8")
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(_render("imr", case_data, TYPST))
    pair = tmp_path / "weasyprint.pdf", tmp_path / "typst.pdf"
    for path, options in zip(pair, (letterkit.WriterOptions(), TYPST)):
        path.write_bytes(letterkit.render(case_data, "imr", ("pdf",), templates=(tmp_path,), options=options)["pdf"])
    assert pdf_page_count(pair[1]) == pdf_page_count(pair[0]) > pdf_page_count(plain)
    assert pdf_reading(pair[1]) == pdf_reading(pair[0])


def test_the_engine_is_chosen_by_option_and_an_unknown_one_is_refused(case_data):
    pdf = _render("imr", case_data, TYPST)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert "Typst" in str(document.docinfo["/Creator"])
    with pytest.raises(ValueError, match="unknown PDF engine 'tex'; choose from weasyprint, typst"):
        letterkit.render(case_data, "imr", ("pdf",), options=letterkit.WriterOptions(pdf_engine="tex"))


def test_the_same_letter_gives_the_same_bytes(case_data):
    assert _render("imr", case_data, TYPST) == _render("imr", case_data, TYPST)


def test_what_differs_between_two_cases_is_only_in_the_body_where_typst_can_reuse_the_rest():
    """typst lays out again every element after a set rule it has not seen, and every
    element when `sys.inputs` changes (it is part of typst's library): a new case's
    letter took twice the time of the one before. So the texts of a case (here its
    organisation, which signs the letter, its case number and date, which the running
    header and the title show) are neither in the set rules before the body nor in
    typst's inputs."""
    from letterkit.writers.typst_look import typst_look
    from letterkit.writers.typst_source import typst_letter

    kit = letterkit.load_kit("imr")
    seed = letterkit.read_case(ROOT / "examples" / "imr-chiropractic-and-massage.yaml")
    other = letterkit.read_case(ROOT / "examples" / "imr-chiropractic-and-massage.yaml")
    other["organisation"]["name"] = "Other Review Services"
    other["case"]["imr_number"] = "CM16-0000001"
    other["letter_date"] = "2015-10-02"
    first, second = (typst_letter(letterkit.compose(letterkit.validate(data, kit), kit),
                                  typst_look(kit.presentation), kit.presentation) for data in (seed, other))
    assert first.inputs() == second.inputs()
    before_body = [letter.source[:letter.source.index("\n#{\n")] for letter in (first, second)]
    assert before_body[0] == before_body[1]
    assert "CM15-0171234" not in before_body[0] and "MAXIMUS Federal Services" not in before_body[0]
    assert "CM16-0000001" in second.source and "CM16-0000001" not in first.source


def _shown(pdf: bytes) -> str:
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return " ".join(words(text.decode("utf-8")))


def test_typst_syntax_in_a_plain_field_a_table_cell_and_rich_text_is_shown_as_typed(case_data):
    case_data["items"][0]["description"] = HOSTILE  # the item's heading, and its cell in the summary table
    case_data["items"][0]["rationale"] = HOSTILE_RICH
    case_data["clinical_summary"] = f"First line.\n\n{HOSTILE_RICH}"
    case_data["items"].append({**case_data["items"][0], "description": LITERAL, "rationale": "Not necessary."})
    shown = _shown(_render("imr", case_data, TYPST))
    assert shown.count(" ".join(words(HOSTILE))) == 2  # heading and table cell
    assert shown.count(" ".join(words(HOSTILE_RICH))) == 2  # rationale and summary
    assert shown.count(" ".join(words(LITERAL))) == 2


@pytest.mark.parametrize("hostile",
                         [HOSTILE, LITERAL, "]) #panic() [", "\\", '"', "//", "#", "$", "@x", "<x>", "*", "_"])
def test_typst_syntax_in_the_page_frame_is_shown_as_typed(hostile):
    data = letterkit.read_case(ROOT / "examples" / "adverse-benefit" / "abd-lumbar-mri.yaml")
    data["plan"]["name"] = f"Plan {hostile} end"  # the footer of every page but the first, and the title
    pdf = _render("adverse-benefit", data, TYPST)
    footer = f"Plan {hostile} end · Notice of adverse benefit determination · Page 2 of 2"
    assert " ".join(words(footer)) in _shown(pdf)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert str(document.docinfo["/Title"]).startswith("Adverse Benefit Determination")


@pytest.fixture(scope="module")
def archival_typst() -> dict[str, tuple[bytes, bytes]]:
    """Every example's archival PDF by typst, and the case.json it should carry."""
    made = {}
    kits: dict = {}
    for kit, path in LETTERS:
        loaded = kits.setdefault(kit, letterkit.load_kit(kit))
        letter = letterkit.validate(letterkit.read_case(path), loaded)
        record = case_record(letter, loaded)
        made[path.stem] = (_render(kit, letter, TYPST_ARCHIVAL), record.case_json)
    return made


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["3a", "ua1"])
def test_every_archival_typst_example_is_pdf_a_3a_and_pdf_ua_1(archival_typst, profile):
    for stem, (pdf, _) in archival_typst.items():
        assert _real_failures(pdf, profile) == [], stem


def _real_failures(pdf: bytes, profile: str) -> list[str]:
    """page-validation's failures, less its reading of a CID-keyed CFF font's glyph widths.

    page 0.11 computes the width of a glyph of such a font (typst embeds Noto Serif CJK
    that way) without the glyph's own private dictionary (FDSelect), and finds 0 where
    the font says 1000. Each such finding is kept unless fontTools, reading the embedded
    font program with its FDSelect, finds the same widths as the font's /W array.
    """
    found = failures(pdf, profile)
    if any("GLYPH-WIDTH" in line for line in found) and _cff_widths_match(pdf):
        found = [line for line in found if "GLYPH-WIDTH" not in line]
    return found


def _cff_widths_match(pdf: bytes) -> bool:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for font in document.objects:
            if not (isinstance(font, pikepdf.Dictionary) and font.get("/Subtype") == "/CIDFontType0"):
                continue
            program = font.FontDescriptor.FontFile3.read_bytes()
            cff = CFFFontSet()
            cff.decompile(io.BytesIO(program), None)
            top = cff[cff.fontNames[0]]
            widths = _declared_widths(font)
            for cid, name in enumerate(top.charset):
                charstring, selector = top.CharStrings.getItemAndSelector(name)
                private = top.FDArray[selector].Private
                reader = T2WidthExtractor(getattr(private, "Subrs", []), cff.GlobalSubrs,
                                          private.nominalWidthX, private.defaultWidthX)
                reader.execute(charstring)
                if cid and widths.get(cid, float(font.get("/DW", 1000))) != reader.width:
                    return False
    return True


def _declared_widths(font) -> dict[int, float]:
    """A CIDFont's /W array: `c [w1 w2 …]` and `first last w`."""
    entries, index = list(font.get("/W", [])), 0
    widths: dict[int, float] = {}
    while index < len(entries):
        first, following = int(entries[index]), entries[index + 1]
        if isinstance(following, pikepdf.Array):
            widths |= {first + n: float(w) for n, w in enumerate(following)}
            index += 2
        else:
            widths |= {cid: float(entries[index + 2]) for cid in range(first, int(following) + 1)}
            index += 3
    return widths


@pytest.mark.slow
def test_every_archival_typst_example_carries_its_case_and_record(archival_typst):
    for stem, (pdf, case_json) in archival_typst.items():
        with pikepdf.open(io.BytesIO(pdf)) as document:
            (associated,) = list(document.Root.AF)
            assert associated.AFRelationship == "/Source" and str(associated.F) == "case.json", stem
            assert document.attachments["case.json"].get_file().read_bytes() == case_json, stem
            assert json.loads(case_json)  # the case as JSON, equal to the validated case
            meta = document.open_metadata()
            assert meta["pdfaid:part"] == "3" and meta["pdfaid:conformance"] == "A"
            assert meta["pdfuaid:part"] == "1"
            xmp = document.Root.Metadata.read_bytes().decode()
            assert document.Root.Lang == ("es-US" if stem.endswith("-es") else "en-US"), stem
        assert "<letterkit:engine>typst</letterkit:engine>" in xmp
        assert f"<letterkit:caseDigest>{hashlib.sha256(case_json).hexdigest()}" in xmp


def test_the_typst_engine_refuses_a_variant_it_does_not_write(case_data):
    options = letterkit.WriterOptions(pdf_engine="typst", pdf_variant="pdf/a-2b")
    with pytest.raises(letterkit.LetterkitError, match="plain or an archival PDF"):
        letterkit.render(case_data, "imr", ("pdf",), options=options)


@pytest.mark.slow
def test_a_sealed_typst_letter_passes_verify_with_the_kit_and_the_trust_root(tmp_path):
    pki = make_pki(tmp_path / "pki")
    case = ROOT / "examples" / "imr-chiropractic-initial-trial.yaml"
    rendered = subprocess.run([*LETTERKIT, "render", str(case), "-f", "pdf", "-o", str(tmp_path),
                               "--pdf-engine", "typst", "--pdf-variant", "archival",
                               "--seal", str(pki.key), "--seal-passphrase", PASSPHRASE],
                              capture_output=True, text=True)
    assert rendered.returncode == 0, rendered.stderr
    letter = tmp_path / "imr-chiropractic-initial-trial.pdf"
    result = subprocess.run([*LETTERKIT, "verify", str(letter), "--kit", "imr", "--trust", str(pki.ca_pem)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   letter: rendering the embedded case with kit imr (typst) gives the same bytes" in result.stdout
    assert "FAIL" not in result.stdout
    assert _real_failures(letter.read_bytes(), "3a") == [] and _real_failures(letter.read_bytes(), "ua1") == []


@pytest.mark.slow  # a kit loaded with a folder, its typst rules compiled afresh
def test_a_template_folders_style_typ_adds_to_the_kits_look(case_data, tmp_path):
    """A folder's style.typ comes after letterkit's rules, read through the kit's resolver:
    here it sets every paragraph in capitals, and the PDF shows them."""
    (tmp_path / "style.typ").write_text('#show par: upper\n', encoding="utf-8")
    pdf = letterkit.render(case_data, "imr", ("pdf",), templates=(tmp_path,), options=TYPST)["pdf"]
    assert "THE INJURED WORKER IS A 40-YEAR-OLD." in _shown(pdf)
    assert "The injured worker is a 40-year-old." in _shown(_render("imr", case_data, TYPST))


def test_letters_rendered_on_threads_are_the_bytes_of_one_thread(case_data):
    """Each thread its own compiler: a letter says what its own case says, on any thread."""
    from concurrent.futures import ThreadPoolExecutor

    cases = []
    for number in range(6):
        data = json.loads(json.dumps(case_data))
        data["case"]["imr_number"] = f"CM15-000000{number}"
        cases.append(data)
    alone = [_render("imr", data, TYPST) for data in cases]
    with ThreadPoolExecutor(3) as pool:
        assert list(pool.map(lambda data: _render("imr", data, TYPST), cases)) == alone


@pytest.mark.slow
def test_a_typst_batch_names_its_engine_in_the_manifest_leaves_no_folder_and_redoes_letters_of_the_other(
        tmp_path, case_data):
    cases = tmp_path / "cases"
    cases.mkdir()
    for number in range(3):
        (cases / f"case-{number}.json").write_text(json.dumps(case_data), encoding="utf-8")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    environment = {**os.environ, "TMPDIR": str(temporary)}

    def batch(*engine: str) -> list[dict]:
        subprocess.run([*LETTERKIT, "batch", str(cases), "-f", "pdf", "-j", "2", "-q", "-o", str(tmp_path / "out"),
                        *engine], check=True, capture_output=True, env=environment)
        assert list(temporary.iterdir()) == []  # typst's empty root goes with its worker
        return [json.loads(line) for line in (tmp_path / "out" / "manifest.jsonl").read_text().splitlines()]

    first = batch("--pdf-engine", "typst")
    assert [entry["pdf_engine"] for entry in first] == ["typst"] * 3
    with pikepdf.open(tmp_path / "out" / "case-0.pdf") as pdf:
        assert "Typst" in str(pdf.docinfo["/Creator"])
    again = batch()  # the default engine: every letter made again, by WeasyPrint
    assert [(entry["status"], entry["pdf_engine"]) for entry in again] == [("ok", "weasyprint")] * 3
    with pikepdf.open(tmp_path / "out" / "case-0.pdf") as pdf:
        assert "WeasyPrint" in str(pdf.docinfo["/Producer"])
