"""The author's contract: what a template folder or a kit may use, and since which release.

The names come from the code itself — the built-in kits' blocks and macros, the filters
and functions of the blocks' environment, the computed values of the kits' models and
rules, the keys a `kit.toml` and a `[[field]]` table accept — and this module adds the
release each appeared in (`SINCE`). A name the code has and `SINCE` lacks is a test
failure (tests/test_contract.py), and the documentation's contract page is made from
`parts()` at every build (docs/hooks.py): the contract cannot drift from the code. Renamed
and removed parts are in letterkit.upgrade, listed on that page too with the release that
removes them.

Versions are semantic: a minor release may deprecate a part, which keeps working, with a
warning, until the next minor release removes it.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

import jinja2.defaults
from jinja2.runtime import Macro
from pydantic import BaseModel

from . import catalogue
from .declared_fields import DeclaredField
from .kits import KitManifest, builtin_kits, builtin_kits_folder, load_kit
from .languages import is_translation

# The release each part first appeared in. 0.1.0 is the code of 2026-11-24 (7f8930a).
SINCE: dict[str, dict[str, str]] = {
    "block": {
        "adverse-benefit/blocks/abd-appeal.md.j2": "0.2.0",
        "adverse-benefit/blocks/abd-claim.md.j2": "0.2.0",
        "adverse-benefit/blocks/abd-decisions.md.j2": "0.2.0",
        "adverse-benefit/blocks/abd-information-needed.md.j2": "0.2.0",
        "adverse-benefit/blocks/taglines.md.j2": "0.2.0",
        "adverse-benefit/letter.md.j2": "0.2.0",
        "letter/blocks/addressee.md.j2": "0.2.0",
        "letter/blocks/body.md.j2": "0.2.0",
        "letter/blocks/closing.md.j2": "0.2.0",
        "letter/blocks/mail-window.md.j2": "0.2.0",
        "letter/blocks/letterhead.md.j2": "0.2.0",  # in imr/ before the letter kit
        "letter/blocks/signature.md.j2": "0.2.0",  # in imr/ before the letter kit
        "letter/letter.md.j2": "0.2.0",
        "letter/macros/letter.j2": "0.2.0",  # in imr/ before the letter kit
        "imr/blocks/appeal-rights.md.j2": "0.1.0",
        "imr/blocks/clinical-case-summary.md.j2": "0.1.0",
        "imr/blocks/closing.md.j2": "0.1.0",
        "imr/blocks/cover-page.md.j2": "0.1.0",
        "imr/blocks/credentials-list.md.j2": "0.1.0",
        "imr/blocks/credentials-sentence.md.j2": "0.1.0",
        "imr/blocks/decisions.md.j2": "0.1.0",
        "imr/blocks/determination-summary.md.j2": "0.1.0",
        "imr/blocks/disputed-item.md.j2": "0.1.0",
        "imr/blocks/documents-reviewed.md.j2": "0.1.0",
        "imr/blocks/how-determination-was-made.md.j2": "0.1.0",
        "imr/letter.md.j2": "0.1.0",
        "ur/blocks/imr-rights.md.j2": "0.1.0",
        "ur/blocks/information-assistance.md.j2": "0.2.0",
        "ur/blocks/internal-appeal.md.j2": "0.2.0",
        "ur/blocks/records-reviewed.md.j2": "0.2.0",
        "ur/blocks/request-decision.md.j2": "0.1.0",
        "ur/blocks/reviewer-contact.md.j2": "0.2.0",
        "ur/blocks/ur-closing.md.j2": "0.2.0",
        "ur/blocks/ur-opening.md.j2": "0.1.0",
        "ur/blocks/ur-summary.md.j2": "0.1.0",
        "ur/letter.md.j2": "0.1.0",
    },
    "macro": {name: "0.2.0" for name in (
        "address", "bold", "citation", "labelled", "lines", "lines_of", "long_date", "page_break",
        "party_line", "party_lines", "record_line", "short_date", "signature_picture", "table",
        "table_row", "table_rule")},
    "function": {"quote": "0.1.0"},
    # Parts marked 0.2.0 below with "unreleased" came after 0.2.0 was cut; RELEASE moves
    # to the next one when it is: then they take its number.
    "filter": {"and_list": "0.1.0", "date": "0.1.0", "numbered": "0.2.0", "sentence": "0.1.0",
               "money": "0.2.0", "number": "0.2.0"},  # money, number: unreleased
    "computed": {
        "adverse-benefit: deadlines.appeal_by": "0.2.0",
        "adverse-benefit: organisation.label": "0.2.0",
        "letter: organisation.label": "0.2.0",
        "imr: deadlines.wcab_appeal_by": "0.2.0",
        "imr: items[].title": "0.1.0",
        "imr: letter.overall": "0.1.0",
        "imr: organisation.label": "0.1.0",
        "ur: deadlines.imr_request_by": "0.2.0",
        "ur: letter.any_not_approved": "0.1.0",
        "ur: letter.modified_requests": "0.2.0",
        "ur: organisation.label": "0.1.0",
    },
    "kit.toml key": {
        "name": "0.1.0", "description": "0.1.0", "extends": "0.1.0", "model": "0.1.0", "letter": "0.1.0",
        "stylesheets": "0.1.0", "pdf_stylesheets": "0.1.0", "reference_docx": "0.1.0",
        "required_blocks": "0.1.0", "rules": "0.2.0", "holidays": "0.2.0", "calendars": "0.2.0",
        "reading_grade": "0.2.0",
        "cite_quotes": "0.2.0", "field": "0.2.0",
        "drop_rules": "0.2.0", "style": "0.2.0", "mail": "0.2.0", "page": "0.2.0", "dates": "0.2.0",
        "languages": "0.2.0", "fallback": "0.2.0", "untranslated_case_text": "0.2.0",  # unreleased: these take
        "reading_level": "0.2.0", "large_print": "0.2.0",  # the next release's number when it is cut
        "seal": "0.3.0", "before_letter": "0.3.0",  # not released yet: CHANGELOG.md's Unreleased section announces it
    },
    "field key": {name: "0.2.0" for name in ("name", "type", "required", "description", "values", "default",
                                             "field")},
    "template folder file": {  # what a folder adds to or overrides in the kit's search path
        "blocks/*.md.j2, letter.md.j2": "0.1.0", "guidelines/*.yaml": "0.1.0", "images/*": "0.1.0",
        "style.css, print.css (replacing the kit's)": "0.1.0", "macros/*.j2": "0.2.0",
        "extra.css, print-extra.css": "0.2.0", "fields.toml": "0.2.0",
    },
}

KINDS = {
    "block": "Blocks a kit promises (override one by name in a template folder)",
    "macro": "Macros every block can call without an import (`macros/*.j2`)",
    "function": "Functions every block can call",
    "filter": "Filters",
    "computed": "Computed values blocks print like fields (kit: name)",
    "kit.toml key": "`kit.toml` keys",
    "field key": "Keys of a `[[field]]` table (`kit.toml` or a template folder's `fields.toml`)",
    "template folder file": "Files a template folder may hold",
}


@dataclass(frozen=True)
class Part:
    kind: str
    name: str
    since: str | None  # None: the code has it, SINCE does not (a test failure)
    usage: str = ""  # how a block writes it, where that is more than its name


def parts() -> list[Part]:
    """Every part of the contract the code has now, with the release it appeared in."""
    found = _from_code()
    found["template folder file"] = {name: "" for name in SINCE["template folder file"]}
    return [Part(kind, name, SINCE.get(kind, {}).get(name), found[kind][name])
            for kind in KINDS for name in sorted(found[kind])]


def _from_code() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
    root = builtin_kits_folder()
    for name in builtin_kits():
        kit = load_kit(name)
        # A translation (blocks/es/x.md.j2) is the same block in another language, not another block.
        found["block"].update({path.relative_to(root).as_posix(): "" for path in (root / name).rglob("*.j2")
                               if not is_translation(path.relative_to(root / name).as_posix())})
        found["computed"].update({f"{name}: {field.path}": field.type
                                  for field in catalogue.kit_fields(kit) if field.computed})
        for key, value in kit.environment.globals.items():
            if key in jinja2.defaults.DEFAULT_NAMESPACE:
                continue
            if isinstance(value, Macro):
                arguments = ", ".join([*value.arguments, *(["..."] if value.catch_varargs else [])])
                found["macro"][key] = f"`{{{{ {key}({arguments}) }}}}`"
            else:
                found["function"][key] = f"`{{{{ {key}(...) }}}}`"
        for key, value in kit.environment.filters.items():
            if key not in jinja2.defaults.DEFAULT_FILTERS:
                found["filter"][key] = " ".join((value.__doc__ or "").split())
    found["kit.toml key"] = _commented(KitManifest)
    found["field key"] = _commented(DeclaredField)
    return found


def _commented(model: type[BaseModel]) -> dict[str, str]:
    """A pydantic model's fields, each with the comment on its line in the source."""
    comments = dict(re.findall(r"^    (\w+):[^#\n]*(?:#\s*(.*))?$", inspect.getsource(model), re.M))
    return {name: comments.get(name, "") for name in model.model_fields}
