"""The library's front door: render one case, from data or from a file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .cases import read_case, validate
from .compose import compose
from .errors import CaseError
from .kits import Kit, load_kit
from .model import Letter
from .output import write_atomically
from .tree import Document
from .writers import FORMATS, WriterOptions, write_format


def render(
    data: dict[str, Any] | Letter,
    kit: str | Path | Kit = "imr",
    formats: Iterable[str] = FORMATS,
    templates: Iterable[str | Path] = (),
    options: WriterOptions = WriterOptions(),
) -> dict[str, bytes]:
    """One letter in each of `formats`, as bytes keyed by format name.

    `templates` are folders whose blocks override the kit's, first folder first;
    `options` choose a PDF variant or another reference DOCX.
    Raises `CaseError` for bad data, `TemplateError` for a bad block.
    """
    if not isinstance(kit, Kit):
        kit = load_kit(kit, tuple(templates))
    formats = tuple(formats)
    for format in formats:
        if format not in FORMATS:
            raise ValueError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}")
    document = compose(validate(data, kit), kit)
    return {format: write(document, format, kit, options) for format in formats}


def write(document: Document, format: str, kit: Kit, options: WriterOptions = WriterOptions()) -> bytes:
    """A composed letter in one format ("html", "pdf" or "docx"), as bytes, in the kit's look."""
    return write_format(document, format, kit.presentation, options)


def render_file(
    case: str | Path,
    outdir: str | Path,
    kit: str | Path | Kit = "imr",
    formats: Iterable[str] = FORMATS,
    templates: Iterable[str | Path] = (),
    options: WriterOptions = WriterOptions(),
) -> list[Path]:
    """Render a case file to `outdir/<case-stem>.<format>`; all formats or no file at all."""
    case = Path(case)
    try:
        rendered = render(read_case(case), kit, formats, templates, options)
    except CaseError as error:
        error.source = error.source or str(case)
        raise
    paths = []
    for format, content in rendered.items():
        path = Path(outdir) / f"{case.stem}.{format}"
        write_atomically(path, content)
        paths.append(path)
    return paths
