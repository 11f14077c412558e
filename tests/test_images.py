"""Pictures: the kit's letterhead and a case's signature, in every format, and nothing else."""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib

import docx
import lxml.html
import pikepdf
import PIL.Image
import pytest
from conftest import ROOT
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app

SIGNATURE = letterkit.read_case(ROOT / "examples" / "imr-medications-mixed.yaml")["signature"]["image"]


@pytest.fixture(scope="module")
def files():
    return letterkit.render(letterkit.read_case(ROOT / "examples" / "imr-medications-mixed.yaml"))


def test_html_embeds_logo_and_signature_with_alt_text(files):
    images = lxml.html.document_fromstring(files["html"]).cssselect("img")
    assert [image.get("alt") for image in images] == ["Independent Medical Review", "Signature of Alan Whitcomb, MD"]
    assert all(image.get("src").startswith("data:image/png;base64,") for image in images)


def test_pdf_draws_logo_on_the_cover_and_signature_at_the_end(files):
    with pikepdf.open(io.BytesIO(files["pdf"])) as pdf:
        def drawn(page):
            """Widths of the images this page's content draws (pages share one resource dictionary)."""
            names = [str(operands[0]) for operands, operator in pikepdf.parse_content_stream(page)
                     if str(operator) == "Do"]
            return sorted(int(page.Resources.XObject[name].Width) for name in names)
        assert drawn(pdf.pages[0]) == [720]  # the letterhead
        assert drawn(pdf.pages[-1]) == [360]  # the signature
        assert all(not drawn(page) for page in pdf.pages[1:-1])


def test_docx_has_both_pictures_with_alt_text(files):
    document = docx.Document(io.BytesIO(files["docx"]))
    assert len(document.inline_shapes) == 2
    described = document.element.body.xpath(".//wp:docPr/@descr")
    assert described == ["Independent Medical Review", "Signature of Alan Whitcomb, MD"]


def test_pictures_leave_no_trace_in_the_next_letter(case_data):
    plain = letterkit.render(case_data, formats=("docx",))["docx"]
    signed = json.loads(json.dumps(case_data))
    signed["signature"] = {"name": "A. Reviewer", "image": SIGNATURE}
    letterkit.render(signed, formats=("docx",))
    assert letterkit.render(case_data, formats=("docx",))["docx"] == plain


@pytest.mark.parametrize("image, message", [
    ("https://example.com/signature.png", "must be a data:image/png;base64"),
    ("data:image/gif;base64,R0lGODlhAQABAAAAACw=", "must be a data:image/png;base64"),
    ("data:image/png;base64," + base64.b64encode(b"not a png").decode(), "not a PNG or JPEG picture"),
])
def test_a_signature_must_be_a_png_or_jpeg_data_uri(case_data, image, message):
    case_data["signature"] = {"image": image}
    with pytest.raises(letterkit.CaseError) as error:
        letterkit.validate(case_data, letterkit.load_kit("imr"))
    (path, text), = error.value.problems
    assert path == "signature.image" and message in text


@pytest.mark.parametrize("src", ["http://example.com/logo.png", "file:///etc/passwd", "../../pyproject.toml",
                                 "images/missing.png"])
def test_a_block_cannot_show_a_picture_from_outside_the_kit(case_data, tmp_path, src):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "clinical-case-summary.md.j2").write_text(f'<img src="{src}" alt="x">\n')
    # Pictures are read when the letter is composed, once for every format.
    with pytest.raises(letterkit.TemplateError, match=f"picture '{src}'"):
        letterkit.render(case_data, formats=("html",), templates=[tmp_path])


def test_a_picture_needs_alt_text(case_data, tmp_path):
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "clinical-case-summary.md.j2").write_text('<img src="images/letterhead.png">\n')
    with pytest.raises(letterkit.TemplateError, match="alt text"):
        letterkit.render(case_data, formats=("html",), templates=[tmp_path])


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _bomb() -> bytes:
    """A valid PNG of 30,000 by 30,000 one-bit pixels, about 110 KB: 112 MB once decoded."""
    width = height = 30_000
    compressor, row = zlib.compressobj(9), b"\0" * (1 + width // 8)  # filter byte, then pixels
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")


def _jpeg() -> bytes:
    picture = io.BytesIO()
    PIL.Image.effect_noise((300, 120), 64).convert("RGB").save(picture, "JPEG")
    return picture.getvalue()


_PNG = base64.b64decode(SIGNATURE.split(",", 1)[1])
# (what, media type, bytes, what the message says)
BAD_PICTURES = [
    ("truncated png", "png", _PNG[: len(_PNG) * 2 // 3], "PNG picture cut short"),
    ("truncated jpeg", "jpeg", _jpeg()[:3000], "JPEG picture cut short"),
    ("decompression bomb", "png", _bomb(), "30,000 by 30,000 pixels"),
]


@pytest.mark.parametrize("command", ["validate", "render"])
@pytest.mark.parametrize("what, kind, content, message", BAD_PICTURES, ids=[row[0] for row in BAD_PICTURES])
def test_a_signature_that_would_not_reach_every_format_is_refused(
        tmp_path, case_data, command, what, kind, content, message):
    case_data["signature"] = {"name": "A. Reviewer",
                              "image": f"data:image/{kind};base64," + base64.b64encode(content).decode()}
    case = tmp_path / "case.json"
    case.write_text(json.dumps(case_data))
    outdir = tmp_path / "out"
    result = CliRunner().invoke(app, [command, str(case)] + (["-o", str(outdir)] if command == "render" else []))
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error ")]
    assert len(errors) == 1 and "case.json: signature.image: " in errors[0] and message in errors[0], result.stderr
    assert "Traceback" not in result.output
    assert not outdir.exists() or not any(outdir.iterdir())


def test_the_jpeg_the_truncation_test_cuts_is_itself_a_good_signature(case_data):
    case_data["signature"] = {"image": "data:image/jpeg;base64," + base64.b64encode(_jpeg()).decode()}
    letterkit.validate(case_data, letterkit.load_kit("imr"))


def test_a_picture_width_that_is_not_inches_is_a_block_error_naming_the_block(case_data, tmp_path):
    (tmp_path / "blocks").mkdir()
    block = tmp_path / "blocks" / "clinical-case-summary.md.j2"
    block.write_text('Summary:\n\n<img src="images/letterhead.png" alt="Logo" width="wide">\n')
    with pytest.raises(letterkit.TemplateError) as error:
        letterkit.render(case_data, formats=("html",), templates=[tmp_path])
    assert str(error.value).startswith(f"{block}:3: <img width='wide'>: a picture's width is a length in inches")


RED_IN_CMYK = (0, 255, 255, 0)


def _without_adobe_marker(jpeg: bytes) -> bytes:
    """The JPEG less its APP14 (Adobe) segment: what a tool that writes plain CMYK makes."""
    kept, at = [jpeg[:2]], 2
    while jpeg[at + 1] != 0xDA:  # up to the start of scan, segment by segment
        length = struct.unpack(">H", jpeg[at + 2:at + 4])[0]
        if jpeg[at + 1] != 0xEE:
            kept.append(jpeg[at:at + 2 + length])
        at += 2 + length
    return b"".join(kept) + jpeg[at:]


def _cmyk_jpeg(adobe: bool) -> bytes:
    """A red signature as a CMYK JPEG: Pillow writes Adobe's inverted CMYK with its marker; a
    plain one holds the ink values as they are (Pillow, saving the inverse, then no marker)."""
    ink = RED_IN_CMYK if adobe else tuple(255 - value for value in RED_IN_CMYK)
    picture = io.BytesIO()
    PIL.Image.new("CMYK", (240, 80), ink).save(picture, "JPEG", quality=95)
    return picture.getvalue() if adobe else _without_adobe_marker(picture.getvalue())


def _reddish(pixel) -> bool:
    red, green, blue = pixel[:3]
    return red > 200 and green < 60 and blue < 60


@pytest.mark.parametrize("adobe", [True, False], ids=["adobe inverted cmyk", "plain cmyk"])
def test_a_cmyk_jpeg_signature_is_drawn_red_in_every_format(case_data, adobe):
    case_data["signature"] = {"name": "A. Reviewer",
                              "image": "data:image/jpeg;base64," + base64.b64encode(_cmyk_jpeg(adobe)).decode()}
    files = letterkit.render(case_data)
    signature = lxml.html.document_fromstring(files["html"]).cssselect("img")[-1].get("src")
    in_docx = [part.blob for part in docx.Document(io.BytesIO(files["docx"])).part.package.image_parts]
    for picture in (base64.b64decode(signature.split(",", 1)[1]), *in_docx[-1:]):
        with PIL.Image.open(io.BytesIO(picture)) as image:
            assert image.mode == "RGB" and _reddish(image.getpixel((120, 40)))
    import pypdfium2
    pdf = pypdfium2.PdfDocument(files["pdf"])
    page = pdf[len(pdf) - 1].render(scale=72 / 72).to_pil().convert("RGB")
    assert sum(map(_reddish, page.get_flattened_data())) > 1000  # the signature, 2.5 by 0.8 inches or so, in red
    pdf.close()
