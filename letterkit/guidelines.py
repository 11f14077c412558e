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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import MappingProxyType

import yaml

from .errors import KitError
from .model import RichText, text_fields
from .resolver import Resolver

QUOTE_LINE = re.compile(r"^[ \t]*\[quote:[ \t]*([^\]\s]+)[ \t]*\][ \t]*$", re.MULTILINE)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, when installed


class UnknownPassage(LookupError):
    """A quote key that names no passage of the kit; the message lists the nearest keys."""


@dataclass(frozen=True)
class Passage:
    key: str
    source: str
    edition: str | None
    section: str
    pages: str | None
    text: str  # cited by the kit's `citation` macro, as every guideline of the letter is


def read_library(files: Resolver) -> Mapping[str, Passage]:
    """Every passage of the guidelines on the search path (a user folder's file wins)."""
    passages = {}
    for name, path in files.names("guidelines/*.yaml").items():
        stem = PurePosixPath(name).stem
        try:
            guideline = yaml.load(files.read_text(name), Loader=_YAML_LOADER)
            for passage_name, passage in guideline["passages"].items():
                key = f"{stem}/{passage_name}"
                passages[key] = Passage(key, guideline["source"], guideline.get("edition"),
                                        passage["section"], passage.get("pages"), passage["text"])
        except (yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
            raise KitError(f"{path}: not a guideline file ({error})") from None
    return MappingProxyType(passages)


def lookup(passages: Mapping[str, Passage], key: str) -> Passage:
    if key not in passages:
        raise UnknownPassage(unknown_key_message(key, passages))
    return passages[key]


def unknown_key_message(key: str, passages: Mapping[str, Passage]) -> str:
    close = difflib.get_close_matches(key, list(passages), n=3, cutoff=0.4)
    hint = f"; nearest: {', '.join(close)}" if close else f"; known: {', '.join(sorted(passages)) or 'none'}"
    return f"no guideline passage {key!r}{hint}"


def unknown_keys(letter, passages: Mapping[str, Passage]) -> list[tuple[str, str]]:
    """(field path, message) for each quote key in the case's rich text that the kit lacks."""
    return [(path, unknown_key_message(key, passages))
            for path, text in text_fields(letter) if isinstance(text, RichText)
            for key in QUOTE_LINE.findall(text) if key not in passages]
