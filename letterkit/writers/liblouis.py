"""liblouis, the braille translator, through its C library (Debian's liblouis20).

Called by ctypes, not through Debian's Python binding (which serves only Debian's own
Python) nor its `lou_translate` program (which cuts a long line into pieces, so that
lines in and out no longer match). liblouis logs to stderr; here its log is kept, and
its last error becomes the one line a `RenderError` says. Its tables are compiled once
and cached in the library, which is not safe on several threads: they take turns.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from functools import lru_cache

from ..errors import RenderError

MISSING = "braille needs liblouis: apt-get install liblouis20 liblouis-data"
_LOG_ERROR = 40000  # liblouis' LOU_LOG_ERROR
_lock = threading.Lock()
_errors: list[str] = []


@ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p)
def _log(level: int, message: bytes) -> None:
    if level >= _LOG_ERROR:
        _errors.append(message.decode("utf-8", "replace"))


@lru_cache(maxsize=1)
def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("louis")
    if name is None:
        raise RenderError(MISSING)
    library = ctypes.CDLL(name)
    library.lou_registerLogCallback(_log)
    return library


def translate(text: str, tables: str, backward: bool = False) -> str:
    """`text` in braille by the comma-separated `tables` (a display table first gives BRF
    ASCII); with `backward`, braille back into print."""
    library = _library()
    size = library.lou_charSize()
    # liblouis' widechar is 2 or 4 bytes, as it was built (Debian's: 4): its own encoding
    encoding = "utf-32-le" if size == 4 else "utf-16-le"
    source = text.encode(encoding)
    length = len(source) // size
    room = 4 * length + 64  # contractions shorten; a capital, a number sign, an escape lengthen
    with _lock:
        while True:
            given, made = ctypes.c_int(length), ctypes.c_int(room)
            output = ctypes.create_string_buffer(room * size)
            _errors.clear()
            function = library.lou_backTranslateString if backward else library.lou_translateString
            if not function(tables.encode(), source, ctypes.byref(given), output, ctypes.byref(made), None, None, 0):
                reason = _errors[-1] if _errors else f"cannot use the tables {tables}"
                raise RenderError(f"liblouis could not translate the letter to braille: {reason}")
            if given.value >= length:
                return output.raw[:made.value * size].decode(encoding)
            room *= 2  # the output filled the room before the text ended
