"""`letterkit new-kit NAME`: a working kit to start from, with no Python.

Two starts: a new family of letters on the neutral `letter` kit (fields declared in its
`kit.toml`, a block that prints them, an example case), or, with `--extends KIT`, a kit
that builds on KIT's model and letter and adds a field and a block that prints it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from .errors import KitError
from .kits import load_kit

FILES = {
    "kit.toml": '''# The {name} kit: a family of letters made of TOML, Jinja and CSS, no Python. It extends
# the `letter` kit, which gives the letterhead, date, recipient, closing and signature,
# the styles, fonts and page frame, and the fields they print (letterkit vars --kit {folder}).
# blocks/body.md.j2 here takes the place of the letter kit's; add blocks, fields and rules.
name = "{name}"
description = "{name} letter"
extends = "letter"

# Case fields: text, rich text, date, number, boolean, choice (values = [...]), group
# (fields of its own, as [[field.field]] tables under it), or "list of" any of them.
[[field]]
name = "decision"
type = "choice"
values = ["approved", "denied"]
required = true
description = "What was decided."

[[field]]
name = "expedited"
type = "boolean"
description = "Whether the request was decided on the fast track."

[[field]]
name = "items"
type = "list of group"
required = true
description = "What the letter decides, one entry each."

  [[field.field]]
  name = "description"
  type = "text"
  required = true

  [[field.field]]
  name = "reason"
  type = "rich text"
  description = "Why, in Markdown."
''',
    "blocks/body.md.j2": '''{{#- The letter's own text, between the salutation and the closing. -#}}
{{% if expedited %}}
We decided your request on the fast track, as you asked.

{{% endif %}}
Your request has been {{{{ decision }}}}:

{{% for item in items %}}
### {{{{ item.description }}}}

{{% if item.reason %}}
{{{{ item.reason }}}}

{{% endif %}}
{{% endfor %}}
''',
    "example.yaml": '''# An example case for the {name} kit: letterkit render example.yaml --kit {folder}
letter_date: 2026-01-15
organisation:
  name: Example Review Organisation
recipient:
  name: Jordan Example
subject: Your request for review
decision: denied
items:
  - description: Physical therapy, 12 visits
    reason: |
      The records do not show **functional improvement** after the first 6 visits.
signature:
  name: Alex Reviewer
  title: Medical Director
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

    Without `extends`, a new family on the `letter` kit; with it, a kit that builds on
    that kit's model and letter."""
    if folder.exists():
        raise KitError(f"{folder} already exists; choose a new folder for the kit")
    name = folder.name
    if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        raise KitError(f"kit name {name!r}: use lowercase letters, digits and '-'")
    if extends is not None:
        # A kit folder is named by its absolute path, so the new kit finds it from anywhere.
        parent = str(Path(extends).resolve()) if (Path(extends) / "kit.toml").is_file() else extends
        return _write(folder, _extending_files(extends), name=name, extends=parent)
    return _write(folder, FILES, name=name, folder=folder)


def _extending_files(extends: str) -> dict[str, str]:
    """The files of a kit that builds on `extends`: its letter template, with the new block."""
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
