"""The DOCX as Word reads it: valid OOXML that Word opens without repair, and package
parts that say what the letter is and what made it.

openxml-audit (written by others, from the OOXML schemas and Word's observed repair
behaviour) checks every example letter and one letter with every node kind.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT
from openxml_audit import AppPrediction, OpenXmlValidator, predict
from openxml_audit.errors import FileFormat

import letterkit
from letterkit.writers.docx_reference import APPLICATION

pytestmark = pytest.mark.slow  # every DOCX audited against the OOXML schema

UR_EXAMPLES = sorted((ROOT / "examples" / "ur").glob("*.yaml"))
# A family on the letter kit: its own header and footer parts, Word styles from kit.toml, w:lang.
ABD_EXAMPLES = sorted((ROOT / "examples" / "adverse-benefit").glob("*.yaml"))
GOLDEN = Path(__file__).parent / "golden" / "docx-parts"

# Lists nested two deep, a numbered list, a quotation typed and one quoted by key, a
# table; the case's signature and the kit's letterhead are the pictures.
EVERY_NODE_KIND = """First *emphasised* and **strong** words.

- bullet one
    - nested one
    - nested two
        - nested deeper
- bullet two

1. number one
2. number two

> A quoted guideline passage.

[quote: mtus-chronic-pain-2009/massage-therapy]

| Item | Decision |
|------|----------|
| Massage | Upheld |"""


@pytest.fixture(scope="module")
def letters(rendered, tmp_path_factory) -> dict[str, Path]:
    """Every example's DOCX, and the letter with every node kind, as files."""
    folder = tmp_path_factory.mktemp("docx")
    contents = {stem: files["docx"] for stem, files in rendered.items()}
    for path in UR_EXAMPLES:
        contents[path.stem] = letterkit.render(letterkit.read_case(path), kit="ur", formats=("docx",))["docx"]
    for path in ABD_EXAMPLES:
        contents[path.stem] = letterkit.render(letterkit.read_case(path), kit="adverse-benefit",
                                               formats=("docx",))["docx"]
    case = letterkit.read_case(ROOT / "examples" / "imr-medications-mixed.yaml")
    case["items"][0]["rationale"] = EVERY_NODE_KIND
    citing = folder / "citing-kit"  # the IMR kit with a citation line under each quote
    citing.mkdir()
    (citing / "kit.toml").write_text('extends = "imr"\ncite_quotes = true\n')
    contents["every-node-kind"] = letterkit.render(case, letterkit.load_kit(citing), formats=("docx",))["docx"]
    for stem, content in contents.items():
        (folder / f"{stem}.docx").write_bytes(content)
    return {stem: folder / f"{stem}.docx" for stem in contents}


def test_the_every_node_kind_letter_has_every_node_kind(letters):
    archive = zipfile.ZipFile(letters["every-node-kind"])
    body = archive.read("word/document.xml").decode()
    for style in ("ListBullet", "ListBullet2", "ListBullet3", "ListNumber", "Quote", "Citation",
                  "TableGrid", "ItemTitle", "Heading1", "Signature"):
        assert f'w:val="{style}"' in body, style
    assert body.count("<w:drawing>") == 2  # letterhead and signature
    assert "<w:pageBreakBefore/>" in body


@pytest.mark.parametrize("stem", [p.stem for p in (*EXAMPLES, *UR_EXAMPLES, *ABD_EXAMPLES)] + ["every-node-kind"])
def test_word_opens_the_docx_without_repair(letters, stem):
    result = OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=0).validate(letters[stem])
    verdict = predict(result)
    assert [(e.part_uri, e.path, e.description) for e in result.errors] == []
    assert verdict.prediction is AppPrediction.OPENS_CLEAN, verdict.headline


def test_no_part_is_left_from_python_docxs_template(letters):
    names = zipfile.ZipFile(letters["imr-medications-mixed"]).namelist()
    for stale in ("word/stylesWithEffects.xml", "docProps/thumbnail.jpeg", "customXml/item1.xml"):
        assert stale not in names


def test_the_font_table_declares_the_kits_font_and_its_substitute(letters):
    fonts = zipfile.ZipFile(letters["imr-medications-mixed"]).read("word/fontTable.xml").decode()
    assert '<w:font w:name="Liberation Serif"><w:altName w:val="Times New Roman"/>' in fonts


@pytest.mark.parametrize("part", ["docProps/app.xml", "docProps/core.xml", "word/settings.xml"])
def test_package_part_matches_golden_file(letters, part, request):
    """What made the file (letterkit, not "Microsoft Macintosh Word"), the letter's own
    metadata, and Word's current compatibility mode (15) with nothing from the template."""
    text = zipfile.ZipFile(letters["imr-medications-mixed"]).read(part).decode()
    text = text.replace(APPLICATION, "letterkit {version}")
    golden = GOLDEN / Path(part).name
    if request.config.getoption("--update-golden"):
        golden.write_text(text + "\n", encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8").rstrip("\n")


def test_app_xml_names_letterkit_and_its_version():
    assert APPLICATION == f"letterkit {letterkit.__version__}"


def test_a_reference_without_app_xml_still_gets_one(case_data, tmp_path):
    """A reference made by a tool that writes no docProps/app.xml."""
    reference = tmp_path / "bare.docx"
    with zipfile.ZipFile(ROOT / "templates" / "letter" / "reference.docx") as source, \
            zipfile.ZipFile(reference, "w") as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "docProps/app.xml":
                continue
            if entry.filename == "_rels/.rels":
                content = re.sub(rb'<Relationship [^>]*extended-properties[^>]*/>', b"", content)
            target.writestr(entry, content)
    options = letterkit.WriterOptions(reference_docx=reference)
    docx = letterkit.render(case_data, formats=("docx",), options=options)["docx"]
    app = zipfile.ZipFile(io.BytesIO(docx)).read("docProps/app.xml").decode()
    assert f"<Application>{APPLICATION}</Application>" in app
