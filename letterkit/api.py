"""The library's front door: render one case, from data or from a file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .archive import case_record
from .cases import read_case, validate
from .compose import compose
from .errors import CaseError, LetterkitError
from .kits import Kit, load_kit
from .model import Letter
from .output import remove_stale, write_all
from .rules import RuleError, RuleFailure, check
from .tree import Document
from .visibility import of_presentation
from .writers import FORMATS, WRITERS, WriterOptions, write_format, write_formats, writer


def render(
    data: dict[str, Any] | Letter,
    kit: str | Path | Kit = "imr",
    formats: Iterable[str] = FORMATS,
    templates: Iterable[str | Path] = (),
    options: WriterOptions = WriterOptions(),
    strict: bool = False,
) -> dict[str, bytes]:
    """One letter in each of `formats`, as bytes keyed by format name.

    `templates` are folders whose blocks override the kit's, first folder first;
    `options` choose a PDF variant, the PDF engine (WeasyPrint, or typst), another
    reference DOCX, and a key to seal the letter with (then the DOCX's signature comes
    back as "docx.p7s"); `strict` checks the letter against its kit's rules first.
    Raises `CaseError` for bad data, `TemplateError` for a bad block, `RuleError`
    (a `CaseError`) for a strict letter that breaks a rule.
    """
    if not isinstance(kit, Kit):
        kit = load_kit(kit, tuple(templates))
    formats = tuple(formats)
    for format in formats:
        writer(format, options.pdf_engine)  # a ValueError naming the choices, before any work
    letter = validate(data, kit)
    document = compose(letter, kit)
    if strict and (failures := check_rules(letter, kit, document)):
        raise RuleError(failures)
    record = case_record(letter, kit) if options.archival and "pdf" in formats else None
    files = write_formats(document, formats, kit.presentation, options, record)
    if options.seal is None:
        return files
    from .seal import seal_files  # pyHanko takes a second to import: only when sealing
    return seal_files(files, options.seal)


def write(document: Document, format: str, kit: Kit, options: WriterOptions = WriterOptions()) -> bytes:
    """A composed letter in one format ("html", "pdf" or "docx"), as bytes, in the kit's look."""
    return write_format(document, format, kit.presentation, options)


def check_rules(data: dict[str, Any] | Letter, kit: Kit, document: Document | None = None) -> list[RuleFailure]:
    """Every rule of the kit the letter breaks, none if it meets them all; the letter is
    validated, and composed unless its `document` is given."""
    letter = validate(data, kit)
    seen = of_presentation(kit.presentation)
    return check(letter, document or compose(letter, kit), kit.rules, kit.calendars, seen)


def render_file(
    case: str | Path,
    outdir: str | Path,
    kit: str | Path | Kit = "imr",
    formats: Iterable[str] = FORMATS,
    templates: Iterable[str | Path] = (),
    options: WriterOptions = WriterOptions(),
    strict: bool = False,
) -> list[Path]:
    """Render a case file to `outdir/<case-stem>.<format>`; all formats or no file at all
    (with a seal, the DOCX's signature too: `<case-stem>.docx.p7s`)."""
    case = Path(case)
    paths = {format: Path(outdir) / f"{case.stem}.{format}" for format in formats}
    try:
        rendered = render(read_case(case), kit, tuple(paths), templates, options, strict)
        paths |= {format: Path(outdir) / f"{case.stem}.{format}" for format in rendered}  # a seal's .p7s
        write_all({paths[format]: content for format, content in rendered.items()})
    except LetterkitError as error:
        # Every format's file, not only those asked for: an .html of an earlier run must not
        # stand beside a failed PDF as if it were this case's letter.
        remove_stale([Path(outdir) / f"{case.stem}.{entry.extension}" for entry in WRITERS])
        if isinstance(error, CaseError):
            error.source = error.source or str(case)
        raise
    return list(paths.values())
