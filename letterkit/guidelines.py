"""The guideline library: exact passages stored once in the kit, quoted by key.

A kit's `guidelines/*.yaml` files each hold one guideline's source, edition and
passages. A passage's key is `<file stem>/<passage>`, e.g.
`mtus-chronic-pain-2009/manual-therapy`. Rich text quotes one with a line of its own,

    [quote: mtus-chronic-pain-2009/manual-therapy]

and a block with `{{ quote("mtus-chronic-pain-2009/manual-therapy") }}`. Either way it
becomes a block quote followed by its citation, the same in every format.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import yaml
from pydantic import BaseModel

from .errors import KitError
from .kits import Kit, kit_cache
from .model import RichText

QUOTE_LINE = re.compile(r"^[ \t]*\[quote:[ \t]*([^\]\s]+)[ \t]*\][ \t]*$", re.MULTILINE)


class UnknownPassage(LookupError):
    """A quote key that names no passage of the kit; the message lists the nearest keys."""


@dataclass(frozen=True)
class Passage:
    key: str
    source: str
    edition: str | None
    section: str
    pages: str | None
    text: str

    @property
    def citation(self) -> str:
        source = f"{self.source} ({self.edition})" if self.edition else self.source
        pages = ""
        if self.pages:
            pages = f", {'pp.' if '-' in self.pages else 'p.'} {self.pages}"
        return f"{source}, {self.section}{pages}"

    def markdown(self) -> str:
        """The passage as a block quote, then its citation; text shown as stored."""
        text = _escape(self.text.strip())
        quoted = "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
        return f"\n\n{quoted}\n\n— {_escape(self.citation)}\n{{: .citation }}\n\n"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


@kit_cache()
def library(kit: Kit) -> dict[str, Passage]:
    """Every passage of the kit's guidelines (a user folder's file overrides the kit's)."""
    files = {}
    for folder in reversed(kit.search_path):  # the kit first, so user folders win
        for path in sorted((folder / "guidelines").glob("*.yaml")):
            files[path.stem] = path
    passages = {}
    for stem, path in files.items():
        try:
            guideline = yaml.safe_load(path.read_text(encoding="utf-8"))
            for name, passage in guideline["passages"].items():
                key = f"{stem}/{name}"
                passages[key] = Passage(key, guideline["source"], guideline.get("edition"),
                                        passage["section"], passage.get("pages"), passage["text"])
        except (yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
            raise KitError(f"{path}: not a guideline file ({error})") from None
    return passages


def lookup(kit: Kit, key: str) -> Passage:
    passages = library(kit)
    if key not in passages:
        raise UnknownPassage(unknown_key_message(key, passages))
    return passages[key]


def unknown_key_message(key: str, passages: dict[str, Passage]) -> str:
    close = difflib.get_close_matches(key, list(passages), n=3, cutoff=0.4)
    hint = f"; nearest: {', '.join(close)}" if close else f"; known: {', '.join(sorted(passages)) or 'none'}"
    return f"no guideline passage {key!r}{hint}"


def expand(text: str, kit: Kit) -> str:
    """Replace each `[quote: key]` line with the passage's Markdown."""
    return QUOTE_LINE.sub(lambda match: lookup(kit, match.group(1)).markdown(), text)


def unknown_keys(value, kit: Kit, path: str = "") -> list[tuple[str, str]]:
    """(field path, message) for each quote key in the case's rich text that the kit lacks."""
    if isinstance(value, RichText):
        passages = library(kit)
        return [(path, unknown_key_message(key, passages))
                for key in QUOTE_LINE.findall(value) if key not in passages]
    if isinstance(value, BaseModel):
        return [problem for name in type(value).model_fields
                for problem in unknown_keys(getattr(value, name), kit, f"{path}.{name}" if path else name)]
    if isinstance(value, (list, tuple)):
        return [problem for index, item in enumerate(value)
                for problem in unknown_keys(item, kit, f"{path}[{index}]")]
    return []
