"""How a kit's letters look: what the writers take besides the document tree.

The stylesheets (for HTML and PDF) and the reference DOCX (for Word), read once
through the kit's resolver when the kit loads. Writers never see the kit itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .resolver import Resolver


@dataclass(frozen=True, eq=False)
class Presentation:
    files: Resolver  # for what a stylesheet names: fonts, pictures
    css: str  # the stylesheets every format shares, as one text
    print_css: tuple[tuple[Path, str], ...]  # (file, text) of each stylesheet the PDF uses
    reference_docx: bytes
    reference_file: Path  # where `reference_docx` was read from, for messages
    _derived: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def read(cls, files: Resolver, stylesheets: tuple[str, ...], pdf_stylesheets: tuple[str, ...],
             reference_docx: str, added: tuple[Resolver, ...] = (), word_styles: tuple = ()) -> Presentation:
        """The kit's stylesheets, each found on the search path, then the rules each folder
        of `added` adds: its `extra.css` after the shared ones, its `print-extra.css` after
        the PDF's, the first folder last so that its rules win, as its blocks do. The
        reference DOCX with the kit's declared `word_styles` (letterkit.word_styles) added."""
        from .word_styles import with_styles  # here: it needs the DOCX writer, which needs this module

        shared = [_read(files, name) for name in stylesheets]
        printed = [_read(files, name) for name in pdf_stylesheets]
        for folder in reversed(added):
            shared += [_read(folder, "extra.css")] if folder.locate("extra.css") else []
            printed += [_read(folder, "print-extra.css")] if folder.locate("print-extra.css") else []
        return cls(
            files=files,
            css="".join(text for _, text in shared),
            print_css=tuple(shared + printed),
            reference_docx=with_styles(files.read_bytes(reference_docx), word_styles),
            reference_file=files.find(reference_docx),
        )

    def derived(self, key: str, make: Callable[[Presentation], Any]) -> Any:
        """What a writer makes once from these files (WeasyPrint's parsed stylesheets)
        and keeps as long as the kit: made by the first thread that asks."""
        with self._lock:
            if key not in self._derived:
                self._derived[key] = make(self)
            return self._derived[key]


def _read(files: Resolver, name: str) -> tuple[Path, str]:
    return files.find(name), files.read_text(name)
