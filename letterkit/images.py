"""Pictures in a letter: a file of the kit, or a data: URI from the case — nothing else.

Composition reads a picture's bytes here and puts them in the tree, so every writer
shows the same picture and none of them reads a file.
"""

from __future__ import annotations

from functools import lru_cache

from .errors import KitError, TemplateError
from .model.pictures import decode_data_uri, drawable, media_type
from .resolver import Resolver


def picture(src: str, files: Resolver) -> tuple[bytes, str]:
    """The bytes and media type of a picture; a `TemplateError` for anything not allowed."""
    try:
        if src.startswith("data:"):
            content, kind = decode_data_uri(src)
            return drawable(content, kind), kind
        return _kit_picture(files.read_bytes(src), src)  # never a URL, nor a file outside the kit's folders
    except (KitError, ValueError) as error:  # not in the kit, or not a PNG or JPEG
        raise TemplateError(f"picture {src[:80]!r}: {error}") from None


@lru_cache(maxsize=32)  # a kit's pictures (the letterhead) are decoded once, not for every letter
def _kit_picture(content: bytes, src: str) -> tuple[bytes, str]:
    kind = media_type(content, src)
    return drawable(content, kind), kind
