"""How a kit's letters look: what the writers take besides the document tree.

The stylesheets (for HTML and PDF) and the reference DOCX (for Word), read once
through the kit's resolver when the kit loads. Writers never see the kit itself.
"""

from __future__ import annotations

import posixpath
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import tinycss2

from .errors import KitError
from .resolver import Resolver

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Presentation:
    files: Resolver  # for what a stylesheet names: fonts, pictures
    css: str  # the stylesheets every format shares, as one text
    print_css: tuple[tuple[Path, str], ...]  # (file, text) of each stylesheet the PDF uses
    reference_docx: bytes
    reference_file: Path  # where `reference_docx` was read from, for messages
    _derived: dict[Callable, object] = field(default_factory=dict, repr=False)
    # Reentrant: what is derived may derive from another (visibility from the Word styles).
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @classmethod
    def read(cls, files: Resolver, stylesheets: tuple[str, ...], pdf_stylesheets: tuple[str, ...],
             reference_file: str, reference_docx: bytes, added: tuple[Resolver, ...] = (),
             page_css: str = "") -> Presentation:
        """The kit's stylesheets, each found on the search path, then the rules each folder
        of `added` adds: its `extra.css` after the shared ones, its `print-extra.css` after
        the PDF's, the first folder last so that its rules win, as its blocks do.
        `reference_docx` is the reference DOCX read from `reference_file`, with the kit's
        Word styles added (the kit loader adds them: letterkit.word_styles). `page_css`, the
        kit's `[page]` as CSS (letterkit.page_setup), goes first: the kit's rules build on it."""
        shared = [(files.folders[-1] / "kit.toml", page_css)] if page_css else []
        shared += [_read(files, name) for name in stylesheets]
        printed = [_read(files, name) for name in pdf_stylesheets]
        for folder in reversed(added):
            shared += [_read(folder, "extra.css")] if folder.locate("extra.css") else []
            printed += [_read(folder, "print-extra.css")] if folder.locate("print-extra.css") else []
        return cls(
            files=files,
            css="".join(text for _, text in shared),
            print_css=tuple(shared + printed),
            reference_docx=reference_docx,
            reference_file=files.find(reference_file),
        )

    def derived(self, make: Callable[[Presentation], T]) -> T:
        """What `make` (a module's function, its key) makes from these files, once, kept as
        long as the kit: WeasyPrint's parsed stylesheets, the fonts, what is hidden. Made by
        the first thread that asks."""
        with self._lock:
            if make not in self._derived:
                self._derived[make] = make(self)
            return self._derived[make]  # type: ignore[return-value]  # what make(self) made


def _read(files: Resolver, name: str, importers: tuple[str, ...] = ()) -> tuple[Path, str]:
    path, text = files.find(name), files.read_text(name)
    return path, _imports_inlined(files, name, path, text, importers) if "@import" in text.lower() else text


def _imports_inlined(files: Resolver, name: str, path: Path, text: str, importers: tuple[str, ...]) -> str:
    """The stylesheet with each `@import` of a kit file replaced by that file's rules, so
    that the one-file HTML page and the PDF get the same; any other `@import` (a URL, a
    file outside the kit) is refused here, for every format."""
    rules = tinycss2.parse_stylesheet(text, skip_comments=False, skip_whitespace=False)
    parts = []
    for rule in rules:
        if rule.type != "at-rule" or rule.lower_at_keyword != "import":
            parts.append(rule.serialize())
            continue
        where, target = f"{path}:{rule.source_line}", _import_target(rule.prelude)
        if target is None or urlsplit(target).scheme or target.startswith("/"):
            raise KitError(f"{where}: @import{tinycss2.serialize(rule.prelude)} is refused: "
                           "a stylesheet may import only a file of its kit, by a relative name and nothing else")
        imported = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
        if imported in (name, *importers):
            raise KitError(f"{where}: @import {target!r} imports itself")
        try:
            parts.append(_read(files, imported, (*importers, name))[1])
        except KitError as error:
            raise KitError(f"{where}: @import {target!r}: {error}") from None
    return "".join(parts)


def _import_target(prelude: list) -> str | None:
    """The URL of `@import "x.css"` or `@import url(x.css)`; None if anything else follows."""
    tokens = [token for token in prelude if token.type not in ("whitespace", "comment")]
    if len(tokens) != 1:
        return None
    token = tokens[0]
    if token.type in ("url", "string"):
        return token.value
    if token.type == "function" and token.lower_name == "url":
        arguments = [a for a in token.arguments if a.type not in ("whitespace", "comment")]
        return arguments[0].value if len(arguments) == 1 and arguments[0].type == "string" else None
    return None
