"""Pictures in a letter: a file of the kit, or a data: URI from the case — nothing else.

Both the HTML page (which embeds its pictures, to stay one standalone file) and the
DOCX read picture bytes here, so the same rules hold in every format.
"""

from __future__ import annotations

import base64
import binascii
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import KitError, RenderError

if TYPE_CHECKING:
    from .kits import Kit

_DATA_URI = re.compile(r"data:(image/(?:png|jpeg));base64,([A-Za-z0-9+/=\s]+)", re.ASCII)
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
MAX_BYTES = 2_000_000


def picture(src: str, kit: Kit) -> tuple[bytes, str]:
    """The bytes and media type of a picture; a `RenderError` for anything not allowed."""
    try:
        if src.startswith("data:"):
            return decode_data_uri(src)
        if ":" in src.split("/")[0] or src.startswith(("/", "\\")) or ".." in src.split("/"):
            raise RenderError(f"refused picture {src[:80]!r}: a picture is a file of the kit or a data: URI")
        return _kit_picture(kit, src)
    except KitError as error:
        raise RenderError(f"no picture {src!r} in the kit ({error})") from None
    except ValueError as error:
        raise RenderError(f"picture {src[:80]!r}: {error}") from None


@lru_cache(maxsize=64)
def _kit_picture(kit: Kit, src: str) -> tuple[bytes, str]:
    content = kit.path(src).read_bytes()
    return content, media_type(content, src)


def decode_data_uri(uri: str) -> tuple[bytes, str]:
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


def as_data_uri(content: bytes, kind: str) -> str:
    return f"data:{kind};base64,{base64.b64encode(content).decode('ascii')}"
