"""The library's front door: render one case, from data or from a file."""

from __future__ import annotations

from collections.abc import Iterable
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
from .rules import RuleError, RuleFailure, check
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
    `options` choose a PDF variant or another reference DOCX, and a key to seal the
    letter with (then the DOCX's signature comes back as "docx.p7s"); `strict` checks the
    letter against its kit's rules first; `profile` "large-print" draws no text below the
    kit's large-print floor. A case's `alternate_format` is honoured too: large print, or
    its braille ("brf") or plain text ("txt") beside the formats asked.
    Raises `CaseError` for bad data, `TemplateError` for a bad block, `RuleError`
    (a `CaseError`) for a strict letter that breaks a rule.
    `language` writes the letter in another language than the case's ("es"), or in
    several, one after the other in one file ("en+es"; letterkit.bilingual).
    """
    if not isinstance(kit, Kit):
        kit = load_kit(case_kit(data, kit), tuple(templates))
    formats = _format_names(formats)
    for format in formats:
        writer(format)  # a ValueError naming the choices, before any work
    letters = [validate(case, kit) for case in in_languages(data, language)]
    profile, formats = profiles.honoured(letters[0].alternate_format, profile, formats)
    look = profiles.presentation(kit, profile)  # a ValueError naming the choices for an unknown one
    documents = [compose(letter, kit) for letter in letters]
    if strict and (failures := [f for letter, document in zip(letters, documents)
                                for f in check_rules(letter, kit, document, profile)]):
        raise RuleError(failures)
    letter, document = letters[0], documents[0] if len(documents) == 1 else bilingual.joined(documents)
    record = case_record(letter, kit) if options.archival and "pdf" in formats else None
    files = write_formats(document, formats, look, options, record)
    if options.seal is None:
        return files
    from .seal import seal_files  # pyHanko takes a second to import: only when sealing
    return seal_files(files, options.seal)


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
                profile: str | None = None) -> list[RuleFailure]:
    """Every rule of the kit the letter breaks, none if it meets them all; the letter is
    validated, and composed unless its `document` is given. What a reader sees is judged
    in the letter's `profile` (large print draws the same words larger)."""
    letter = validate(data, kit)
    seen = of_presentation(profiles.presentation(kit, profile))
    return check(letter, document or compose(letter, kit), kit.rules, kit.calendars, seen, kit.dates)


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
