"""Where a letter's files go: the one place that turns a writer's file keys into names.

A writer's `Files` are keyed by what follows the case's stem: "pdf" is `<stem>.pdf`,
"docx.p7s" is `<stem>.docx.p7s`. A format of one file per page (`Format.per_page`)
keys its files "1.png", "2.png", which go to `<stem>-1.png`, `<stem>-2.png`: the page
numbered from 1, as a reader counts.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Iterable
from pathlib import Path

from .format import Format

_PAGE_KEY = re.compile(r"(\d+)\.([A-Za-z0-9]+)")


def page_key(page: int, extension: str) -> str:
    """The key of page `page`'s file (from 1)."""
    return f"{page}.{extension}"


def first_file_key(entry: Format) -> str:
    """The key of the file every letter in this format has: its only one, or its page 1's."""
    return page_key(1, entry.extension) if entry.per_page else entry.extension


def file_name(stem: str, key: str) -> str:
    """The name of the file a writer keyed `key`, for a case of this stem."""
    return f"{stem}-{key}" if _PAGE_KEY.fullmatch(key) else f"{stem}.{key}"


def files_of(folder: Path, stem: str, formats: Iterable[Format]) -> list[Path]:
    """The files `formats` may have written for `stem` in `folder`: each one-file format's
    name, and every page file there is of a format of one file per page (a letter of an
    earlier run may have had more pages)."""
    found: list[Path] = []
    for entry in formats:
        if not entry.per_page:
            found.append(folder / file_name(stem, entry.extension))
            continue
        pattern = re.compile(re.escape(f"{stem}-") + r"\d+" + re.escape(f".{entry.extension}"))
        pages = folder.glob(f"{glob.escape(stem)}-*.{entry.extension}")
        found += sorted(path for path in pages if pattern.fullmatch(path.name))
    return found
