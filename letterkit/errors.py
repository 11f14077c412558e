"""The errors letterkit raises: each says where the problem is, in one line."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """A message for a terminal: control characters a user typed (an escape code, a line
    break in a key) written out as `\\x1b`, so they can neither act nor split the line."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


class LetterkitError(Exception):
    """Base of every error letterkit raises on purpose."""

    def lines(self) -> list[str]:
        """One line per mistake, as a terminal shows them."""
        return [str(self)]


class CaseError(LetterkitError):
    """Case data that does not fit the kit's model.

    `problems` holds one `(field_path, message)` pair per problem, with paths
    written the way a reader of the case file thinks of them: `items[1].decision`.
    """

    def __init__(self, problems: list[tuple[str, str]], source: str | None = None):
        self.problems = problems
        self.source = source
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))

    def lines(self) -> list[str]:
        prefix = f"{self.source}: " if self.source else ""
        return [f"{prefix}{path}: {message}" for path, message in self.problems]


class TemplateError(LetterkitError):
    """A block that cannot be rendered: syntax, an undefined name, a bad construct."""

    def __init__(self, message: str, template: str | None = None, line: int | None = None):
        self.message = message
        self.template = template
        self.line = line
        where = template if line is None else f"{template}:{line}"
        super().__init__(f"{where}: {message}" if template else message)


class KitError(LetterkitError):
    """A kit that cannot be found or loaded, or a template folder that does not fit it;
    one or several mistakes, each a line."""

    def __init__(self, *messages: str):
        self.messages = messages
        super().__init__("; ".join(messages))

    def lines(self) -> list[str]:
        return list(self.messages)


class RenderError(LetterkitError):
    """A writer that could not produce its format (a refused resource, a missing style)."""
