"""Pictures a case may carry, such as a signature: a data: URI, checked on arrival."""

from __future__ import annotations

import base64
import binascii
import io
import re
from typing import Annotated

import PIL.Image
import PIL.ImageChops
from docx.image.exceptions import UnrecognizedImageError
from docx.image.image import Image as DocxImage
from pydantic import AfterValidator, Field

_DATA_URI = re.compile(r"data:(image/(?:png|jpeg));base64,([A-Za-z0-9+/=\s]+)", re.ASCII)
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
# How a whole file of each kind ends (PNG's IEND chunk, JPEG's EOI marker). Pillow draws
# a JPEG cut short as if whole, padded with grey, so a missing end is checked here.
_ENDINGS = {"image/png": b"IEND\xaeB`\x82", "image/jpeg": b"\xff\xd9"}
MAX_BYTES = 2_000_000
MAX_PIXELS = 16_000_000  # 4,000 by 4,000: far more than a signature or a letterhead needs


def decode_data_uri(uri: str) -> tuple[bytes, str]:
    """The bytes and media type of a PNG or JPEG data: URI; ValueError says what is wrong."""
    match = _DATA_URI.fullmatch(uri.strip())
    if not match:
        raise ValueError("must be a data:image/png;base64,... or data:image/jpeg;base64,... URI")
    try:
        content = base64.b64decode(match.group(2), validate=False)
    except binascii.Error:
        raise ValueError("its base64 does not decode") from None
    return content, media_type(content, "the data: URI")


def media_type(content: bytes, name: str) -> str:
    """The media type of a PNG or JPEG picture that decodes whole, within the bounds
    above; a ValueError says what is wrong with it.

    WeasyPrint decodes a picture only when it draws the PDF, and leaves out one that
    fails (cut short, or too big to decode safely) while HTML and DOCX carry its bytes
    as they are; decoding it here, with the same Pillow, makes that a case error.
    """
    if len(content) > MAX_BYTES:
        raise ValueError(f"{name} is {len(content):,} bytes; a picture may have {MAX_BYTES:,} at most")
    kind = next((kind for signature, kind in _SIGNATURES.items() if content.startswith(signature)), None)
    if kind is None:
        raise ValueError(f"{name} is not a PNG or JPEG picture")
    if not content.rstrip(b"\0\r\n ").endswith(_ENDINGS[kind]):
        raise ValueError(f"{name} is a {kind[6:].upper()} picture cut short: it lacks its end")
    try:
        width, height = _size(content)
    except Exception:  # noqa: BLE001 - any failure to parse untrusted bytes means the same
        raise ValueError(f"{name} is a damaged {kind[6:].upper()} picture: its header does not read") from None
    if width * height > MAX_PIXELS:  # a decompression bomb, or just too large
        raise ValueError(f"{name} is {width:,} by {height:,} pixels; a picture may have {MAX_PIXELS:,} pixels at most")
    try:
        with PIL.Image.open(io.BytesIO(content)) as picture:
            picture.load()
    except Exception as error:  # noqa: BLE001 - Pillow raises OSError, SyntaxError, ValueError...
        raise ValueError(f"{name} is a damaged {kind[6:].upper()} picture ({error})") from None
    return kind


def _size(content: bytes) -> tuple[int, int]:
    """Width and height from the header alone: no pixels are decoded yet. python-docx reads
    what the DOCX writer takes; a JPEG it does not (Adobe's CMYK one, with no JFIF or Exif
    header), Pillow reads, and `drawable` makes one it takes."""
    try:
        header = DocxImage.from_blob(content)
        return header.px_width, header.px_height
    except UnrecognizedImageError:
        with PIL.Image.open(io.BytesIO(content), formats=["JPEG"]) as picture:
            return picture.size


def drawable(content: bytes, kind: str) -> bytes:
    """The picture as every writer draws it alike: a CMYK JPEG becomes an sRGB one, and so
    does a JPEG python-docx cannot read.

    Word (through python-docx) cannot take a CMYK JPEG, PDF/A wants no device CMYK beside
    an sRGB output intent, and viewers disagree on Adobe's inverted CMYK. Pillow reads every
    CMYK JPEG as Adobe's (inverted); one without Adobe's marker holds its inks as they are.
    """
    if kind != "image/jpeg":
        return content
    with PIL.Image.open(io.BytesIO(content)) as picture:
        if picture.mode != "CMYK" and _docx_reads(content):
            return content
        inks = picture if picture.mode != "CMYK" or "adobe" in picture.info else PIL.ImageChops.invert(picture)
        rgb = inks.convert("RGB")  # Pillow's plain formula: enough for a signature's inks
    converted = io.BytesIO()
    rgb.save(converted, "JPEG", quality=95)
    return converted.getvalue()


def _docx_reads(content: bytes) -> bool:
    try:
        DocxImage.from_blob(content)
    except UnrecognizedImageError:
        return False
    return True


def _check(uri: str) -> str:
    decode_data_uri(uri)
    return uri


Picture = Annotated[
    str,
    AfterValidator(_check),
    Field(description="A PNG or JPEG picture as a data: URI (data:image/png;base64,...)."),
]
