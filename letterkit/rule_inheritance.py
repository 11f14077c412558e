"""Which legal rules a kit takes from the kit it extends, and whether they fit its model.

A kit that extends another and keeps its letter (or its model) keeps that letter's rules:
the blocks it inherits print the deadlines those rules compute, and answer to the same
law. Only a kit with both a letter and a model of its own starts afresh. A kit with a
model of its own that inherits rules must hold every field they read; if it does not,
the kit is refused naming the rule and the kit, not a block the author never touched.
"""

from __future__ import annotations

from typing import Any

from . import rules as kit_rules
from .errors import KitError


def starts_afresh(manifest: Any) -> bool:
    """A kit with a letter and a model of its own: no rules from the kits it extends."""
    return manifest.model is not None and manifest.letter is not None


def check_fit(rules: tuple, model: type, kit: str, source: str) -> None:
    """Refuse inherited `rules` (from kit `source`) that read a field `model` lacks."""
    for rule in rules:
        for path in kit_rules.paths_named(rule):
            if missing := kit_rules.missing_part(model, path):
                raise KitError(f"kit {kit!r} inherits rule {rule.id} ({rule.citation}) from kit {source!r}, "
                               f"which reads {path}; its model {model.__name__} has no field {missing!r}: "
                               f"add the field, or give kit {kit!r} rules of its own (rules = \"rules.toml\")")
