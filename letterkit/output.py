"""Writing a letter's files so that a reader never sees half of one, nor half of a letter.

All of a letter's formats are written to temporary files first, and renamed into place
only once every one is complete: a full disk or a name too long for the file system
leaves no file of the letter at all. Files are created with the mode any file the
user writes has (0666 less the umask).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from .errors import RenderError


def write_all(files: dict[Path, bytes]) -> None:
    """Write every file, or none of them; a `RenderError` names the file that could not be."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, content in files.items():
            staged.append((_stage(path, content), path))
    except OSError as error:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise RenderError(f"cannot write {path}: {error.strerror or error}") from None
    for temporary, path in staged:
        os.replace(temporary, path)


def remove_stale(paths: list[Path]) -> None:
    """Remove what an earlier run wrote for a letter that now fails, so no old letter
    stands beside the error as if it were current."""
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:  # the folder is not one (the error being reported says so)
            pass


def _stage(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".{path.name}.{secrets.token_hex(4)}.part"
    # os.open with 0o666, not mkstemp (0600): the umask decides, as for any file the user writes.
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary
