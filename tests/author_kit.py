"""A kit on the letter kit, made in a test as an author makes one: a kit.toml and the
block that holds the letter's text, and a case for it."""

from __future__ import annotations

from pathlib import Path

import letterkit

LETTER_CASE = {"letter_date": "2026-03-02", "organisation": {"name": "Example Health Plan"},
               "recipient": {"name": "Pat Member"}}


def body_kit(folder: Path, body: str, kit_toml: str = 'extends = "letter"\n') -> Path:
    """`folder` made a kit whose letter's text is the block `body`."""
    return write_kit(folder, {"kit.toml": kit_toml, "blocks/body.md.j2": body})


def write_kit(folder: Path, files: dict[str, str]) -> Path:
    """`folder` made a kit of `files` (each path in the kit, and its text), and the kits
    letterkit has loaded forgotten, so that the next load reads these."""
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    letterkit.forget_kits()
    return folder


# The start of the kit.toml of a kit on the letter kit with rules and a holiday calendar of its own
RULED_KIT_TOML = '''extends = "letter"
rules = "rules.toml"
holidays = "holidays.toml"
'''

# A declared field: the plan, by its name and telephone number (its `[[field.field]]`s may go on)
PLAN_FIELD = '''[[field]]
name = "plan"
type = "group"
required = true
  [[field.field]]
  name = "name"
  type = "text"
  required = true
  [[field.field]]
  name = "phone"
  type = "text"
  required = true
'''


def calendar_toml(name: str, source: str, year: int, *holidays: str) -> str:
    """A holiday calendar of one year, as a kit's holidays.toml holds it."""
    return (f'name = "{name}"\nsource = "{source}"\nyears = [{year}, {year}]\n\n'
            f'[dates]\n"{year}" = [{", ".join(holidays)}]\n')
