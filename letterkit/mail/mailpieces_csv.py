"""OUT/mailpieces.csv: one row per piece of the print file, for the mail house's presort
software; the same columns, sent back reordered, rebuild the print file (`--resequence`)."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from ..errors import LetterkitError

NAME = "mailpieces.csv"
COLUMNS = ("piece_id", "case_id", "role", "recipient", "address", "zip", "pages", "sheets", "ounces",
           "first_page", "last_page", "imb", "imb_digits")
# USPS: a sheet of 20 lb letter paper weighs about 0.16 oz; a #10 envelope about 0.2 oz.
SHEET_OUNCES = 0.16
ENVELOPE_OUNCES = 0.2


def ounces(sheets: int) -> float:
    return round(ENVELOPE_OUNCES + sheets * SHEET_OUNCES, 2)


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write the rows, atomically: a reader never sees half a file."""
    temporary = path.with_name(f".{path.name}.part")
    with open(temporary, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(temporary, path)


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a mailpieces.csv (ours, or the mail house's reordered copy)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as source:
            reader = csv.DictReader(source)
            if not reader.fieldnames or "piece_id" not in reader.fieldnames:
                raise LetterkitError(f"{path}: no piece_id column; a mailpieces.csv starts with {','.join(COLUMNS)}")
            return list(reader)
    except OSError as error:
        raise LetterkitError(f"cannot read {path}: {error.strerror or error}") from None
