"""`letterkit new-kit NAME`: a working kit to start from, with an example case."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import KitError

FILES = {
    "kit.toml": '''# The {name} kit. Blocks, stylesheets, fonts, the reference DOCX and guidelines
# that this folder lacks come from the kit it extends.
name = "{name}"
description = "{name} letter"
extends = "{extends}"
model = "model.py:{model}"
letter = "letter.md.j2"
required_blocks = ["blocks/body.md.j2"]
''',
    "model.py": '''"""Case data for a {name} letter: add the fields your blocks print."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from letterkit.model import Letter, Organisation, Party, RichText


class {model}(Letter):
    letter_date: date
    organisation: Organisation = Field(description="Who sends the letter.")
    recipient: Party
    body: RichText = Field(description="The letter's text, in Markdown.")
''',
    "letter.md.j2": '''{{#- The {name} letter: metadata, then its blocks in reading order. -#}}
Title: {{{{ organisation.name }}}} letter to {{{{ recipient.name }}}}
Language: {{{{ language }}}}
Author: {{{{ organisation.name }}}}
Date: {{{{ letter_date.isoformat() }}}}
Header: {{{{ recipient.name }}}} · {{{{ letter_date | date }}}}

{{% include "blocks/body.md.j2" +%}}
''',
    "blocks/body.md.j2": '''{{#- Letterhead, date, salutation, the text, the closing. -#}}
**{{{{ organisation.name }}}}**
{{: .letterhead }}

{{{{ letter_date | date }}}}
{{: .letter-date }}

Dear {{{{ recipient.name }}}}:

{{{{ body }}}}

Sincerely,
{{: .closing }}

{{{{ organisation.name }}}}
{{: .signature }}
''',
    "example.yaml": '''# An example case for the {name} kit: letterkit render example.yaml --kit {folder}
letter_date: 2026-01-15
organisation:
  name: Example Review Organisation
recipient:
  name: Jordan Example
body: |
  This is the **{name}** letter. Write it in Markdown:

  - lists,
  - *emphasis*,

  > and quoted passages.
''',
}


def new_kit(folder: Path, extends: str) -> list[Path]:
    """Write a new kit into `folder` (which must not exist yet); the files written."""
    if folder.exists():
        raise KitError(f"{folder} already exists; choose a new folder for the kit")
    name = folder.name
    if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        raise KitError(f"kit name {name!r}: use lowercase letters, digits and '-'")
    model = "".join(part.capitalize() for part in name.split("-")) + "Letter"
    written = []
    for relative, text in FILES.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(name=name, extends=extends, model=model, folder=folder),
                        encoding="utf-8")
        written.append(path)
    return written
