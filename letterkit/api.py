"""The library's front door: render one case, from data or from a file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from . import bilingual, profiles
from .archive import case_record
from .cases import case_kit, read_case, validate
from .compose import compose
from .errors import CaseError, LetterkitError
from .kits import Kit, load_kit
from .model import Letter
from .output import remove_stale, write_all
from .presentation import Presentation
from .rules import RuleError, RuleFailure, check
from .seen import unseen
from .tree import Document
from .visibility import of_presentation
from .writers import DEFAULT_FORMATS, WRITERS, WriterOptions, file_name, files_of, write_format, write_formats, writer


def render(
    data: dict[str, Any] | Letter,
    kit: str | Path | Kit | None = None,
    formats: str | Iterable[str] = DEFAULT_FORMATS,
    templates: Iterable[str | Path] = (),
    options: WriterOptions = WriterOptions(),
    strict: bool = False,
    language: str | None = None,
    profile: str | None = None,
) -> dict[str, bytes]:
    """One letter in each of `formats`, as bytes keyed by format name.

    `kit`: the built-in kit's name, a kit folder or a loaded kit; None, the one the case
    names (`kit: ur`), else "imr".
    `formats` is format names, or one name ("pdf"), or several in one string ("html,pdf");
    `templates` are folders whose blocks override the kit's, first folder first;
    `options` choose a PDF variant, the PDF engine (WeasyPrint, or typst), another
    reference DOCX, and a key to seal the letter with (then the DOCX's signature comes
    back as "docx.p7s"); `strict` checks the letter against its kit's rules first;
    `profile` "large-print" draws no text below the kit's large-print floor. A case's
    `alternate_format` is honoured too: large print, or its braille ("brf") or plain text
    ("txt") beside the formats asked.
    Raises `CaseError` for bad data, `TemplateError` for a bad block, `RuleError`
    (a `CaseError`) for a strict letter that breaks a rule.
    `language` writes the letter in another language than the case's ("es"), or in
    several, one after the other in one file ("en+es"; letterkit.bilingual).
    """
    if not isinstance(kit, Kit):
        kit = load_kit(case_kit(data, kit), tuple(templates))
    formats = _format_names(formats)
    for format in formats:
        writer(format, options.pdf_engine)  # a ValueError naming the choices, before any work
    letters = [validate(case, kit) for case in in_languages(data, language)]
    profile, formats = profiles.honoured(letters[0].alternate_format, profile, formats)
    look = profiles.presentation(kit, profile)  # a ValueError naming the choices for an unknown one
    documents = [compose(letter, kit) for letter in letters]
    if strict and (failures := [f for letter, document in zip(letters, documents)
                                for f in check(letter, document, kit.rules, kit.calendars, dates=kit.dates)]):
        raise RuleError(failures)  # the words are not there: said before any layout
    letter, document = letters[0], documents[0] if len(documents) == 1 else bilingual.joined(documents)
    record = case_record(letter, kit) if options.archival and "pdf" in formats else None
    files = write_formats(document, formats, look, options, record)
    # Judged where a reader will look: the PDF (laid out for the HTML page too, which
    # has its stylesheets), and the DOCX when one is written.
    if strict and (failures := _unseen(letter, document, kit, look, files, options, ("pdf", *formats))):
        raise RuleError(failures)
    if options.seal is None:
        return files
    from .seal import seal_files  # pyHanko takes a second to import: only when sealing
    return seal_files(files, options.seal, kit.seal_appearance)


def _format_names(formats: str | Iterable[str]) -> tuple[str, ...]:
    """("pdf",) for "pdf", not ("p", "d", "f")."""
    if isinstance(formats, str):
        return tuple(name.strip() for name in formats.split(",") if name.strip())
    return tuple(formats)


def in_languages(data: dict[str, Any] | Letter, language: str | None) -> list[dict[str, Any] | Letter]:
    """The case once for each language asked for: itself when none is."""
    if language is None:
        return [data]
    case = data.model_dump(mode="json", exclude_defaults=True) if isinstance(data, Letter) else data
    try:
        tags = bilingual.tags(language, str(case.get("language") or "en-US"))
    except ValueError as error:
        raise CaseError([("language", str(error))]) from None
    return [bilingual.in_language(case, tag) for tag in tags]


def write(document: Document, format: str, kit: Kit, options: WriterOptions = WriterOptions()) -> bytes:
    """A composed letter in one format ("html", "pdf" or "docx"), as bytes, in the kit's look."""
    return write_format(document, format, kit.presentation, options)


def check_rules(data: dict[str, Any] | Letter, kit: Kit, document: Document | None = None,
                profile: str | None = None, files: Mapping[str, bytes] = {},
                options: WriterOptions = WriterOptions()) -> list[RuleFailure]:
    """Every rule of the kit the letter breaks, none if it meets them all; the letter is
    validated, and composed unless its `document` is given.

    Whether a reader sees the words a rule requires is judged on the letter as drawn, in
    its `profile` (large print draws the same words larger): its PDF and its DOCX
    (`files`, by format, when the caller has written them; else written here, the DOCX
    with `options.reference_docx` if given). As `render` does, a letter whose words are
    not all there fails on those first, before any layout."""
    letter = validate(data, kit)
    document = document or compose(letter, kit)
    look = profiles.presentation(kit, profile)
    return (check(letter, document, kit.rules, kit.calendars, dates=kit.dates)
            or _unseen(letter, document, kit, look, files, options))


def _unseen(letter: Letter, document: Document, kit: Kit, look: Presentation, files: Mapping[str, bytes],
            options: WriterOptions, formats: Iterable[str] = ("pdf", "docx")) -> list[RuleFailure]:
    """The rules whose words a reader cannot see in the PDF or the DOCX of `formats`
    (from `files`, or written here in the letter's look: a plain PDF, a DOCX in the
    options' reference)."""
    drawn = {format: files.get(format) or write_format(document, format, look,
                                                       WriterOptions(reference_docx=options.reference_docx))
             for format in ("pdf", "docx") if format in formats}
    return unseen(letter, document, kit.rules, kit.calendars, drawn, of_presentation(look), kit.dates)


def render_file(
    case: str | Path,
    outdir: str | Path,
    kit: str | Path | Kit | None = None,
    formats: str | Iterable[str] = DEFAULT_FORMATS,
    templates: Iterable[str | Path] = (),
    options: WriterOptions = WriterOptions(),
    strict: bool = False,
    language: str | None = None,
    profile: str | None = None,
) -> list[Path]:
    """Render a case file to `outdir/<case-stem>.<format>`; all formats or no file at all
    (with a seal, the DOCX's signature too: `<case-stem>.docx.p7s`; a format of one file
    per page, `<case-stem>-<page>.<format>`)."""
    case, outdir, formats = Path(case), Path(outdir), _format_names(formats)
    try:
        rendered = render(read_case(case), kit, formats, templates, options, strict, language, profile)
        paths = {key: outdir / file_name(case.stem, key) for key in rendered}
        write_all({paths[key]: content for key, content in rendered.items()})
    except LetterkitError as error:
        # Every format's file, not only those asked for: an .html of an earlier run must not
        # stand beside a failed PDF as if it were this case's letter.
        remove_stale(files_of(outdir, case.stem, WRITERS))
        if isinstance(error, CaseError):
            error.source = error.source or str(case)
        raise
    # The pictures of pages an earlier, longer letter had and this one has not
    remove_stale([path for path in files_of(outdir, case.stem, map(writer, formats)) if path not in paths.values()])
    return list(paths.values())
