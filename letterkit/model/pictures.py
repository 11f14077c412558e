"""Pictures a case may carry, such as a signature: a data: URI, checked on arrival."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Annotated

from pydantic import AfterValidator, Field

_DATA_URI = re.compile(r"data:(image/(?:png|jpeg));base64,([A-Za-z0-9+/=\s]+)", re.ASCII)
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
MAX_BYTES = 2_000_000


def decode_data_uri(uri: str) -> tuple[bytes, str]:
    """The bytes and media type of a PNG or JPEG data: URI; ValueError says what is wrong."""
    match = _DATA_URI.fullmatch(uri.strip())
    if not match:
        raise ValueError("must be a data:image/png;base64,... or data:image/jpeg;base64,... URI")
    try:
        content = base64.b64decode(match.group(2), validate=False)
    except binascii.Error:
        raise ValueError("its base64 does not decode") from None
    if len(content) > MAX_BYTES:
        raise ValueError(f"is {len(content):,} bytes; a picture may have {MAX_BYTES:,} at most")
    return content, media_type(content, "the data: URI")


def media_type(content: bytes, name: str) -> str:
    for signature, kind in _SIGNATURES.items():
        if content.startswith(signature):
            return kind
    raise ValueError(f"{name} is not a PNG or JPEG picture")


def _check(uri: str) -> str:
    decode_data_uri(uri)
    return uri


Picture = Annotated[
    str,
    AfterValidator(_check),
    Field(description="A PNG or JPEG picture as a data: URI (data:image/png;base64,...)."),
]
