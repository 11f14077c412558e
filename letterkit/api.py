"""The library's front door: render one case, from data or from a file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .cases import read_case, validate
from .compose import compose
from .errors import CaseError, LetterkitError
from .kits import Kit, load_kit
from .model import Letter
from .output import remove_stale, write_all
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
    paths = {format: Path(outdir) / f"{case.stem}.{format}" for format in formats}
    try:
        rendered = render(read_case(case), kit, tuple(paths), templates, options)
        write_all({paths[format]: content for format, content in rendered.items()})
    except LetterkitError as error:
        remove_stale(list(paths.values()))
        if isinstance(error, CaseError):
            error.source = error.source or str(case)
        raise
    return list(paths.values())
