"""`letterkit new-kit NAME`: a working kit to start from.

Two starts: a kit with a model of its own (a new kind of letter, with an example case),
or, with `--extends KIT`, a kit that builds on KIT's model and letter and adds a field
declared in its `kit.toml` and a block that prints it: no Python at all.
"""

from __future__ import annotations

import re
import shutil
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

{{% include "blocks/body.md.j2" %}}
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


EXTENDING_FILES = {
    "kit.toml": '''# The {name} kit: the {extends} kit's letter, case model and rules, and what this
# folder adds. A block here replaces the {extends} kit's block of the same name.
name = "{name}"
description = "{name} letter, built on the {extends} kit"
extends = "{extends}"
letter = "letter.md.j2"

# Case fields this kit adds to the {extends} kit's model, without Python. A type is
# text, rich text, date, number, choice (with values = [...]) or "list of" one of them.
[[field]]
name = "notice_sent"
type = "date"
required = false
description = "When the notice of this letter was sent."
''',
    "blocks/notice.md.j2": '''{{#- Prints the field declared in kit.toml; an optional field is printed under an if. -#}}
{{% if notice_sent %}}
This notice was sent on {{{{ notice_sent | date }}}}.
{{% endif %}}
''',
}


def new_kit(folder: Path, extends: str | None = None) -> list[Path]:
    """Write a new kit into `folder` (which must not exist yet); the files written.

    Without `extends`, a kit with a model of its own (styles from the IMR kit); with it,
    a kit that builds on that kit's model and letter."""
    if folder.exists():
        raise KitError(f"{folder} already exists; choose a new folder for the kit")
    name = folder.name
    if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        raise KitError(f"kit name {name!r}: use lowercase letters, digits and '-'")
    if extends is not None:
        # A kit folder is named by its absolute path, so the new kit finds it from anywhere.
        parent = str(Path(extends).resolve()) if (Path(extends) / "kit.toml").is_file() else extends
        return _write(folder, _extending_files(extends), name=name, extends=parent)
    model = "".join(part.capitalize() for part in name.split("-")) + "Letter"
    return _write(folder, FILES, name=name, extends="imr", model=model, folder=folder)


def _extending_files(extends: str) -> dict[str, str]:
    """The files of a kit that builds on `extends`: its letter template, with the new block."""
    from .kits import load_kit  # the scaffold needs a kit only when it extends one

    parent = load_kit(extends)
    letter = parent.files.read_text(parent.letter_template).rstrip("\n")
    letter = letter.replace("{", "{{").replace("}", "}}")  # kept as it is by str.format
    include = '{{% include "blocks/notice.md.j2" %}}'
    return {**EXTENDING_FILES, "letter.md.j2": f"{letter}\n\n{include}\n"}


def _write(into: Path, files: dict[str, str], **names) -> list[Path]:
    """Every file of the kit, or (a full disk, a folder it may not write) no kit folder at all."""
    written = []
    try:
        for relative, text in files.items():
            path = into / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text.format(**names), encoding="utf-8")
            written.append(path)
    except OSError as error:
        shutil.rmtree(into, ignore_errors=True)
        raise KitError(f"cannot write {path}: {error.strerror or error}") from None
    return written
