"""Pictures in a letter: a file of the kit, or a data: URI from the case — nothing else.

Both the HTML page (which embeds its pictures, to stay one standalone file) and the
DOCX read picture bytes here, so the same rules hold in every format.
"""

from __future__ import annotations

import base64

from .errors import KitError, RenderError
from .kits import Kit, kit_cache
from .model.pictures import decode_data_uri, media_type


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


@kit_cache(maxsize=64)
def _kit_picture(kit: Kit, src: str) -> tuple[bytes, str]:
    content = kit.path(src).read_bytes()
    return content, media_type(content, src)


def as_data_uri(content: bytes, kind: str) -> str:
    return f"data:{kind};base64,{base64.b64encode(content).decode('ascii')}"
