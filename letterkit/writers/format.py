"""The one contract every writer keeps, as pandoc's `writers :: [(Text, Writer)]`.

A writer is a function from `WriterInput` (the letter's tree, the kit's look, the
options, and the files of the formats it builds on) to `Files` (the files it wrote).
A `Format` names it: what `-f` calls it, the extension of its file, what it needs.
The registry, letterkit.writers.WRITERS, lists one `Format` per output format; the
library's formats, the CLI's choices and its help are read from there.

A new output format is one module with its writer and its `Format`, and one line in
WRITERS. It may build on another format's files (`needs=("pdf",)`: page images from
the PDF, audio from the text), which are written first, once, and may write several
files (one picture per page).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .. import tree
from ..presentation import Presentation
from .pdf_archival import ARCHIVAL_ALIASES, CaseRecord

if TYPE_CHECKING:
    from ..seal import SealKey

T = TypeVar("T")

Files = dict[str, bytes]
"""The files a writer wrote for one letter: each file's name after `<case-stem>.` → its
bytes. "pdf" for most formats; "1.png", "2.png" for one picture per page (which go to
`<case-stem>-1.png`: letterkit.writers.naming)."""


@dataclass(frozen=True)
class WriterOptions:
    """Choices a writer takes beyond the kit's defaults."""

    pdf_variant: str | None = None  # "pdf/a-2b", "pdf/a-3b" or "pdf/ua-1"; None: plain PDF
    pdf_engine: str = "weasyprint"  # or "typst" (letterkit.writers.PDF_ENGINES)
    reference_docx: Path | None = None  # Word styles to use instead of the kit's
    seal: "SealKey | None" = None  # sign the PDF (PAdES) and the DOCX (a .p7s beside it) with this key
    dpi: int = 150  # the resolution of the page pictures (-f png)

    @property
    def archival(self) -> bool:
        """Whether the PDF is to be PDF/A-3 and PDF/UA-1 at once, with its case inside."""
        return self.pdf_variant in ARCHIVAL_ALIASES

    def described(self) -> dict[str, Any]:
        """Each choice as an audit record shows it: a path as text, a key as whether it sealed."""
        return {choice.name: (self._shown(getattr(self, choice.name)) if choice.name != "seal"
                              else self.seal is not None) for choice in fields(self)}

    @staticmethod
    def _shown(value: Any) -> Any:
        return str(value) if isinstance(value, Path) else value


@dataclass(frozen=True, eq=False)
class WriterInput:
    """What a writer is given: one letter, the kit's look, the options, and the files of
    the formats its `Format` needs (`written["pdf"]`)."""

    document: tree.Document
    presentation: Presentation
    options: WriterOptions = WriterOptions()
    record: CaseRecord | None = None  # the case an archival PDF carries inside
    written: Mapping[str, Files] = field(default_factory=dict)
    # What `shared` made of the document, by the function that made it.
    made: dict[Callable, object] = field(default_factory=dict, repr=False)

    def shared(self, make: Callable[[tree.Document], T]) -> T:
        """What `make` makes of the document, once for all the formats of this letter:
        the HTML file and the PDF share one HTML page."""
        if make not in self.made:
            self.made[make] = make(self.document)
        return self.made[make]  # type: ignore[return-value]  # what make(document) made


@dataclass(frozen=True)
class Format:
    """One output format, as the registry lists it."""

    name: str  # what `-f` and `formats=` call it
    extension: str  # of its one file, `<case-stem>.<extension>`, or of each of its files
    write: Callable[[WriterInput], Files]
    summary: str  # what the CLI's help says of it
    needs: tuple[str, ...] = ()  # formats whose files it builds on, written first
    per_page: bool = False  # one file a page, `<case-stem>-<page>.<extension>` (letterkit.writers.naming)
