"""The PDF: pages, fonts, variants, metadata and what it may fetch — read back with
pypdf, pikepdf and qpdf, which letterkit does not write with."""

from __future__ import annotations

import base64
import io
import logging
import re
import shutil
import subprocess
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

import lxml.html
import pikepdf
import pypdf
import pytest
from conftest import ROOT

import letterkit
from letterkit.resolver import Resolver
from letterkit.writers import pdf as pdf_writer
from letterkit.writers.pdf_fetcher import KitFetcher, RefusedResource

KIT = ROOT / "templates" / "imr"
INCH = 72  # PDF points
XMP_PDFA = "{http://www.aiim.org/pdfa/ns/id/}"
XMP_PDFUA = "{http://www.aiim.org/pdfua/ns/id/}"
DC = "{http://purl.org/dc/elements/1.1/}"
VARIANTS = (None, "pdf/a-2b", "pdf/a-3b", "pdf/ua-1")

# The seed letter imr-chiropractic-initial-trial, as its metadata should read.
TITLE = "Final Determination, IMR Case CM13-0062815"
ORGANISATION = "MAXIMUS Federal Services"
SUBJECT = "Independent Medical Review final determination"
LETTER_DATE = "2014-01-27"


@pytest.fixture(scope="module")
def case() -> dict:
    return letterkit.read_case(ROOT / "examples" / "imr-chiropractic-initial-trial.yaml")


@pytest.fixture(scope="module")
def pdfs(case) -> dict[str | None, bytes]:
    """The seed letter in every variant, rendered once."""
    return {variant: _pdf(case, variant) for variant in VARIANTS}


def _pdf(case, variant=None, kit="imr") -> bytes:
    options = letterkit.WriterOptions(pdf_variant=variant)
    return letterkit.render(case, kit=kit, formats=("pdf",), options=options)["pdf"]


def _kit_with(tmp_path, css: str):
    """A copy of the IMR kit whose print.css ends with `css`."""
    kit = tmp_path / "imr"
    shutil.copytree(KIT, kit)
    with (kit / "print.css").open("a", encoding="utf-8") as stylesheet:
        stylesheet.write(f"\n{css}\n")
    return kit


# Pages -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    """A line of text on a page: where its baseline sits (points from the top), where it starts."""

    baseline: float
    x: float
    text: str

    @property
    def band(self) -> str:
        """The top margin, the body between the margins, or the bottom margin."""
        if self.baseline < INCH:
            return "header"
        return "footer" if self.baseline > 10 * INCH else "body"


@lru_cache(maxsize=8)  # several tests read the same example letter, and reading takes a while
def _lines(content: bytes) -> tuple[tuple[Line, ...], ...]:
    """Each page's lines, top to bottom, from pypdf's text runs grouped by baseline."""
    pages = []
    for page in pypdf.PdfReader(io.BytesIO(content)).pages:
        runs = defaultdict(list)

        def visit(text, cm, tm, font, size, height=float(page.mediabox.height)):
            if text.strip():
                # The run starts at the text matrix's origin, placed on the page by `cm`.
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                runs[round(height - y)].append((x, text.replace("\n", "")))
        page.extract_text(visitor_text=visit)
        pages.append(tuple(_line(baseline, line) for baseline, line in sorted(runs.items())))
    return tuple(pages)


def _line(baseline: float, runs: list[tuple[float, str]]) -> Line:
    return Line(baseline, min(x for x, _ in runs), "".join(text for _, text in sorted(runs)).strip())


def _pictures(page: pikepdf.Page) -> list[pikepdf.Rectangle]:
    """Where the page's content draws each picture (XObject), in points from the bottom left."""
    matrix, saved, drawn = pikepdf.Matrix(), [], []
    for instruction in pikepdf.parse_content_stream(page):
        operands, operator = instruction.operands, instruction.operator
        if str(operator) == "q":
            saved.append(matrix)
        elif str(operator) == "Q":
            matrix = saved.pop()
        elif str(operator) == "cm":
            matrix = pikepdf.Matrix(*operands) @ matrix
        elif str(operator) == "Do":
            drawn.append(matrix.transform(pikepdf.Rectangle(0, 0, 1, 1)))
    return drawn


def test_pages_are_us_letter_with_one_inch_margins(rendered):
    content = rendered["imr-medications-mixed"]["pdf"]
    with pikepdf.open(io.BytesIO(content)) as pdf:
        assert {tuple(page.mediabox) for page in pdf.pages} == {(0, 0, 8.5 * INCH, 11 * INCH)}
        letterhead = _pictures(pdf.pages[0])[0]
    # The cover starts with the letterhead, in the top left corner of the page's content box.
    assert (letterhead.llx, letterhead.ury) == pytest.approx((INCH, 10 * INCH))
    for page in _lines(content):
        body = [line for line in page if line.band == "body"]
        assert body and all(INCH <= line.x < 7.5 * INCH for line in page)
        assert min(line.x for line in body) == pytest.approx(INCH)


def test_running_header_names_case_and_date_after_the_cover_and_footer_counts_pages(rendered):
    pages = _lines(rendered["imr-medications-mixed"]["pdf"])
    for number, page in enumerate(pages, 1):
        in_band = lambda band: [line.text for line in page if line.band == band]  # noqa: E731
        # Page 1 is the cover letter: print.css drops the header there with @page :first.
        assert in_band("header") == ([] if number == 1 else ["IMR Case CM16-0034417 · March 4, 2016"])
        assert in_band("footer") == [f"Page {number} of {len(pages)}"]


FILLER_WORD = "fillerword"  # the long paragraph's words; no real letter has them
QUOTE = "mtus-chronic-pain-2009/massage-therapy"


def _layout_faults(files: dict[str, bytes]) -> set[str]:
    """What the keep rules forbid, as found on the PDF's pages (the HTML names the headings)."""
    page = lxml.html.document_fromstring(files["html"])
    headings = {heading.text_content() for heading in page.cssselect("h1, h2")}
    titles = {heading.text_content() for heading in page.cssselect("h2.item-title")}
    lines = [(number, line.text) for number, page in enumerate(_lines(files["pdf"]), 1)
             for line in page if line.band == "body"]
    faults = set()
    for (number, text), (next_number, _) in zip(lines, lines[1:]):
        if text in headings and next_number != number:
            faults.add("a heading ends a page")
        if text.endswith(":") and next_number != number:
            faults.add("a line introducing a quotation ends a page")
    for index, (number, text) in enumerate(lines):
        if text in titles:
            end = next((i for i in range(index, len(lines)) if lines[i][1].startswith("Decision rationale:")),
                       len(lines))
            if {page for page, _ in lines[index:end]} != {number}:
                faults.add("an item title is parted from its guideline lines")
    pieces = Counter(number for number, text in lines if text.startswith(FILLER_WORD))
    if len(pieces) > 1 and 1 in pieces.values():
        faults.add("a paragraph leaves a single line on a page")
    return faults


def _padded(case_data: dict, padding: int, kit="imr") -> dict[str, bytes]:
    """The letter with `padding` one-line paragraphs and a long one closing its clinical
    summary; its item's rationale opens with a quotation, as in seed 000."""
    long_paragraph = " ".join(f"{FILLER_WORD}{index:02d}" for index in range(70))
    summary = "\n\n".join(["Filler sentence."] * padding + [long_paragraph])
    items = [dict(item, rationale=f"[quote: {QUOTE}]\n\n{item['rationale']}") for item in case_data["items"]]
    return letterkit.render(dict(case_data, clinical_summary=summary, items=items), kit=kit, formats=("html", "pdf"))


@pytest.mark.slow
def test_no_heading_item_title_or_single_line_is_stranded_at_a_page_end(case_data, tmp_path):
    """Padding moves the letter's end down the pages. A kit copy without the keep rules
    finds a padding for each fault; with the kit's rules, none of them happens."""
    loose = _kit_with(tmp_path, "h1, h2, p { break-after: auto !important;"
                                " orphans: 1 !important; widows: 1 !important; }"
                                " blockquote { break-before: auto !important; }")
    first_padding = {}
    for padding in range(40):
        for fault in _layout_faults(_padded(case_data, padding, kit=loose)):
            first_padding.setdefault(fault, padding)
        if len(first_padding) == 4:
            break
    assert len(first_padding) == 4, f"without the rules, padding provoked only {first_padding}"
    for fault, padding in first_padding.items():
        assert not _layout_faults(_padded(case_data, padding)), f"{fault} with padding {padding}"


def test_example_letters_keep_headings_and_item_titles_with_what_follows(rendered):
    for stem, files in rendered.items():
        assert not _layout_faults(files), stem


# Fonts -----------------------------------------------------------------------------

NAMES = {"employee": "Teresa Villaseñor", "representative": "Zoë Brontë-Łukasz",
         "provider": "Nguyễn Văn Thành"}


def _font_names(content: bytes) -> set[str]:
    with pikepdf.open(io.BytesIO(content)) as pdf:
        return {str(font.BaseFont).split("+", 1)[-1]
                for page in pdf.pages for font in page.Resources.Font.values()}


def _glyph_warnings(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if ".notdef glyph" in record.getMessage()]


def test_accented_names_render_in_the_kits_font_with_every_glyph(case, caplog):
    named = dict(case, parties={role: {"name": name} for role, name in NAMES.items()})
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        content = _pdf(named)
    assert _glyph_warnings(caplog) == []
    cover = _lines(content)[0]
    for name in NAMES.values():
        assert any(name in line.text for line in cover), name
    assert _font_names(content) <= {"Liberation-Serif", "Liberation-Serif-Bold", "Liberation-Serif-Italic"}


def test_a_character_no_font_has_is_reported(case, caplog):
    """The other side of the test above: a missing glyph does show in the log it reads.
    (`validate` refuses such a character, test_fonts; the model alone lets it through.)"""
    named = dict(case, parties={"employee": {"name": "Private \U000f0000 Use"}})
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        _pdf(letterkit.load_kit("imr").model.model_validate(named))
    assert any("U+F0000" in message for message in _glyph_warnings(caplog))


# Variants and metadata ---------------------------------------------------------------

@pytest.mark.parametrize("variant, part", [("pdf/a-2b", "2"), ("pdf/a-3b", "3")])
def test_pdf_a_names_its_part_and_conformance(pdfs, variant, part):
    with pikepdf.open(io.BytesIO(pdfs[variant])) as pdf:
        xmp = pdf.open_metadata()
        assert (xmp[f"{XMP_PDFA}part"], xmp[f"{XMP_PDFA}conformance"]) == (part, "B")
        assert "/OutputIntents" in pdf.Root


def test_pdf_ua_is_tagged_shows_its_title_and_describes_its_pictures(pdfs):
    with pikepdf.open(io.BytesIO(pdfs["pdf/ua-1"])) as pdf:
        assert pdf.open_metadata()[f"{XMP_PDFUA}part"] == "1"
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        figures = [node for node in _structure(pdf.Root.StructTreeRoot) if node.get("/S") == "/Figure"]
        assert [str(figure.Alt) for figure in figures] == ["Independent Medical Review"]  # the letterhead


def _structure(node):
    """Every element of a structure tree, depth first."""
    yield node
    kids = node.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield from _structure(kid)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_carries_the_letters_metadata_and_embeds_its_fonts(pdfs, variant):
    with pikepdf.open(io.BytesIO(pdfs[variant])) as pdf:
        assert str(pdf.Root.Lang) == "en-US"
        info = {key: str(value) for key, value in pdf.docinfo.items()}
        assert (info["/Title"], info["/Author"], info["/Subject"]) == (TITLE, ORGANISATION, SUBJECT)
        assert info["/CreationDate"] == "D:" + LETTER_DATE.replace("-", "")
        if variant:
            xmp = pdf.open_metadata()
            assert (xmp[f"{DC}title"], xmp[f"{DC}description"]) == (TITLE, SUBJECT)
            assert xmp[f"{DC}creator"] == [ORGANISATION]
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descriptor = (font.DescendantFonts[0] if "/DescendantFonts" in font else font).FontDescriptor
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), font.BaseFont


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_only_date_in_the_metadata_is_the_letters(pdfs, variant):
    """No clock time anywhere: the letter's date as CreationDate (and xmp:CreateDate), nothing else."""
    with pikepdf.open(io.BytesIO(pdfs[variant])) as pdf:
        info = " ".join(str(value) for value in pdf.docinfo.values())
        assert re.findall(r"D:\d+", info) == ["D:" + LETTER_DATE.replace("-", "")]
        xmp = pdf.Root.Metadata.read_bytes().decode() if variant else ""
    assert set(re.findall(r"\d{4}-\d\d-\d\d[T\d:.Z+-]*", xmp)) == ({LETTER_DATE} if variant else set())
    assert "ModifyDate" not in xmp and "MetadataDate" not in xmp


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_same_letter_gives_the_same_bytes(pdfs, case, variant):
    assert _pdf(case, variant) == pdfs[variant]


def _identifier(content: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(content)) as pdf:
        return bytes(pdf.trailer.ID[0])


def test_identifier_belongs_to_the_letter_not_the_variant(pdfs, case):
    identifiers = {_identifier(content) for content in pdfs.values()}
    assert len(identifiers) == 1
    other = dict(case, case=dict(case["case"], imr_number="CM13-0000001"))
    assert _identifier(_pdf(other)) not in identifiers


def test_qpdf_finds_no_errors_in_any_variant(pdfs, tmp_path):
    assert shutil.which("qpdf"), "qpdf is needed: apt-get install qpdf"
    for variant, content in pdfs.items():
        path = tmp_path / f"{variant or 'plain'}.pdf".replace("/", "-")
        path.write_bytes(content)
        result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, (variant, result.stdout + result.stderr)
        assert "No syntax or stream encoding errors found" in result.stdout, variant


def test_unknown_variant_is_refused(case):
    with pytest.raises(letterkit.RenderError, match="unknown PDF variant 'pdf/x-9'"):
        _pdf(case, "pdf/x-9")


# What the PDF may fetch ----------------------------------------------------------------

def test_fetcher_serves_kit_files_and_data_uris():
    fetcher = KitFetcher(Resolver((KIT.parent / "letter",)))
    font = fetcher.fetch((KIT.parent / "letter" / "fonts" / "LiberationSerif-Regular.ttf").as_uri())
    assert font.read()[:4] == b"\x00\x01\x00\x00"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


@pytest.mark.parametrize("url, reason", [
    ("http://example.com/logo.png", "only its kit's files and data: URIs"),
    ("https://example.com/style.css", "only its kit's files and data: URIs"),
    ("ftp://example.com/logo.png", "only its kit's files and data: URIs"),
    ("file:///etc/passwd", "outside the kit"),
    (KIT.as_uri() + "/../../pyproject.toml", "outside the kit"),  # a real file, reached with ../
    (KIT.as_uri() + "/images/missing.png", "no such file"),
])
def test_fetcher_refuses_anything_but_the_kit_naming_url_and_reason(url, reason):
    with pytest.raises(RefusedResource) as error:
        KitFetcher(Resolver((KIT,))).fetch(url)
    assert str(error.value).startswith(f"refused {url}: ") and reason in str(error.value)


def test_fetcher_refuses_a_link_that_leads_out_of_the_kit(tmp_path):
    (tmp_path / "kit").mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "kit" / "innocent.png").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(RefusedResource, match="outside the kit"):
        KitFetcher(Resolver((tmp_path / "kit",))).fetch((tmp_path / "kit" / "innocent.png").as_uri())


@pytest.mark.parametrize("reference", [
    "http://example.com/x.png", "https://example.com/x.png", "ftp://example.com/x.png",
    "file:///etc/passwd", "../outside.png",
])
def test_a_stylesheet_reaching_outside_stops_the_render_naming_the_url(tmp_path, case, reference):
    (tmp_path / "outside.png").write_bytes((KIT / "images" / "letterhead.png").read_bytes())
    kit = _kit_with(tmp_path, f'body {{ background: url("{reference}"); }}')
    url = (tmp_path / "outside.png").as_uri() if reference.startswith("..") else reference
    if reference.startswith(".."):  # a file outside the kit: refused as the PDF fetches it
        with pytest.raises(letterkit.RenderError, match=f"^refused {re.escape(url)}: "):
            _pdf(case, kit=kit)
    else:  # a place on the network: refused as the kit loads, for every format
        with pytest.raises(letterkit.KitError, match=f"url\\({re.escape(url)}\\) is refused"):
            _pdf(case, kit=kit)


# Speed ---------------------------------------------------------------------------------

def test_missing_harfbuzz_subsetting_is_warned_once_naming_the_fix(monkeypatch):
    monkeypatch.setattr(pdf_writer, "subsets_with_harfbuzz", lambda: False)
    pdf_writer._warn_if_subsetting_is_slow.cache_clear()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pdf_writer._warn_if_subsetting_is_slow()
            pdf_writer._warn_if_subsetting_is_slow()
    finally:
        pdf_writer._warn_if_subsetting_is_slow.cache_clear()
    assert len(caught) == 1 and str(caught[0].message).endswith("apt-get install libharfbuzz-subset0")


def _signature(shade: int) -> str:
    from PIL import Image
    out = io.BytesIO()
    Image.new("L", (40, 12), shade).save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@pytest.mark.slow  # a second or more each, on a quiet machine
def test_pictures_cached_across_letters_change_no_bytes_and_stay_bounded(case, monkeypatch):
    """The letterhead is decoded once per thread; a letter's bytes never depend on the ones before."""
    monkeypatch.setattr(pdf_writer, "IMAGE_CACHE_ENTRIES", 4)
    pdf_writer._thread.images = {}
    first = _pdf(case)
    per_picture = len(pdf_writer._image_cache())  # the letterhead: its URI, source and stream
    for shade in range(6):  # each its own signature: the cache must not keep them all
        _pdf(dict(case, signature={"name": "A. Reviewer", "image": _signature(shade)}))
        assert len(pdf_writer._thread.images) <= 4 + 2 * per_picture
    assert _pdf(case) == first


def test_list_numbers_ask_pango_for_no_font_feature(case):
    """WeasyPrint 70 leaks a Pango attribute list for each piece of text it lays out with an
    OpenType feature, and its own stylesheet asks for tabular figures in list numbers: a
    batch worker grew by kilobytes a letter. It keeps each feature it used in `font_features`."""
    features = pdf_writer._font_config().font_features
    features.clear()  # WeasyPrint only looks its attributes up there; it frees none of them
    _pdf(case)
    assert features == {}
