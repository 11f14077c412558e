"""A kit on the letter kit, made in a test as an author makes one: a kit.toml and the
block that holds the letter's text, and a case for it."""

from __future__ import annotations

from pathlib import Path

LETTER_CASE = {"letter_date": "2026-03-02", "organisation": {"name": "Example Health Plan"},
               "recipient": {"name": "Pat Member"}}


def body_kit(folder: Path, body: str, kit_toml: str = 'extends = "letter"\n') -> Path:
    """`folder` made a kit whose letter's text is the block `body`."""
    (folder / "blocks").mkdir(parents=True, exist_ok=True)
    (folder / "kit.toml").write_text(kit_toml)
    (folder / "blocks" / "body.md.j2").write_text(body)
    return folder
