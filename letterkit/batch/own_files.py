"""The files a batch keeps in its output folder (its lock, its manifest), opened as
themselves: never through a symbolic link, which would make the batch empty or append to
whatever file the link points to."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import IO

from ..errors import LetterkitError


def open_own(path: Path, flags: int, mode: str) -> IO:
    """`open(path, mode)` with `os.open` `flags`, refusing a symbolic link in `path`'s place."""
    try:
        handle = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise LetterkitError(f"{path} is a symbolic link; a batch keeps a file of its own there, "
                                 "so remove the link or choose another --outdir") from None
        raise
    if "b" in mode:
        return os.fdopen(handle, mode)
    return os.fdopen(handle, mode, encoding="utf-8", errors="replace")
