"""A pydantic validation error as the parts of a one-line message: which key, whether the
key is unknown to the model, and what is wrong with its value.

Every reader of a kit.toml table (the manifest, `[page]`, `[dates]`, `[[style]]`, a
declared field) says its mistake in its own words ("unknown key 'x' (a kit.toml may
have: ...)", "style[2] 'note': size: ...") around these parts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


@dataclass(frozen=True)
class Problem:
    """One of a ValidationError's errors."""

    key: str  # the value's place, dotted ("font.size"); "" for the model as a whole
    unknown: bool  # a key the model does not have (`extra="forbid"`)
    msg: str  # pydantic's message: "Value error, size must be positive"
    message: str  # the validator's own words when it raised one ("size must be positive"), else msg

    def line(self) -> str:
        """"key: message", or the message alone for the model as a whole."""
        return f"{self.key}: {self.message}" if self.key else self.message


def problems(error: ValidationError) -> list[Problem]:
    """Each of the error's problems, in pydantic's order."""
    return [_problem(found) for found in error.errors()]


def first_problem(error: ValidationError) -> Problem:
    """The error's first problem: a table is told one mistake at a time."""
    return _problem(error.errors()[0])


def _problem(found: Mapping[str, Any]) -> Problem:
    own = found.get("ctx", {}).get("error")
    return Problem(".".join(str(part) for part in found["loc"]), found["type"] == "extra_forbidden",
                   found["msg"], str(own or found["msg"]))
