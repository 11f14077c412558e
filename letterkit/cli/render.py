"""`letterkit render`: cases to letters, one after the other, each into its files, a file, or standard output."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import Progress

from .. import LetterkitError, WriterOptions, api, audit, read_case, render_file
from ..cases import read_case_bytes
from ..long_lived import set_aside_once_loaded
from ..output import write_all
from ..time_limit import time_limit
from ..writers import DEFAULT_FORMATS, WRITERS, file_name
from . import options as o
from .exits import FAILED, reporting_errors
from .terminal import answer, errors, out, report


@reporting_errors()
def render(
    cases: o.Cases,
    formats: Annotated[Optional[str], typer.Option(
        "--formats", "-f", help=o.FORMATS_HELP + " Default: html,pdf,docx; with -o FILE, that file's format.",
        metavar=o.FORMATS_METAVAR, show_default=False, autocompletion=o.complete_formats)] = None,
    outdir: Annotated[Path, typer.Option(
        "--outdir", "-o", metavar="DIR|FILE", help="Folder for the letters; or, for one case in one format, the file "
        "(-o letter.pdf); or - for standard output.")] = Path("out"),
    kit: o.CaseKit = None,
    templates: o.Templates = None,
    pdf_variant: o.PdfVariant = None,
    reference_docx: o.ReferenceDocx = None,
    strict: o.Strict = False,
    seal: o.Seal = None,
    seal_passphrase: o.SealPassphrase = None,
    timestamp_url: o.TimestampUrl = None,
    audit_log: o.AuditLog = None,
    case_timeout: o.CaseTimeout = 120.0,
    language: o.Language = None,
    dpi: o.Dpi = WriterOptions.dpi,
    profile: o.Profile = None,
    seal_ltv: o.SealLtv = False,
    pdf_engine: o.PdfEngine = "weasyprint",
) -> int | None:
    """Render each case to DIR/STEM.FORMAT, STEM being the case file's name without its
    extension (a picture of each page: DIR/STEM-PAGE.png).

    A case that fails writes no file; the others are still rendered. Exit status 1 if any failed.
    With --strict, a letter that breaks a rule of its kit fails too. One case in one format
    may go to a file, as pandoc does: letterkit render case.yaml -o letter.pdf. A case of -
    is read from standard input (DIR/stdin.FORMAT); -o - writes one case's letter, in one
    format, to standard output: letterkit render - -f pdf -o - > letter.pdf
    """
    chosen, target = _destination(formats, outdir, cases)
    writing = o.writer_options(pdf_engine, pdf_variant, reference_docx=reference_docx,
                               seal=o.seal_key(seal, seal_passphrase, timestamp_url, seal_ltv), dpi=dpi)

    def one(case: Path) -> list[Path]:
        with time_limit(case_timeout or None):
            if target is not None or str(case) == o.STREAM:
                return _render_one(case, target or outdir, kit, chosen, tuple(templates or ()), writing, strict,
                                   language, profile)
            return render_file(case, outdir, kit, chosen, templates or (), writing, strict, language, profile)

    failed = _render_each(cases, one, _audit(audit_log, chosen, kit, writing, strict))
    if failed:
        errors.print(f"{failed} of {len(cases)} case(s) failed")
        return FAILED
    return None


def _render_each(cases: list[Path], one: Callable[[Path], list[Path]], audited: Callable[..., None]) -> int:
    """Each case rendered by `one`, its paths said on stdout, its error on stderr; how many failed."""
    failed = 0
    with Progress(console=errors, transient=True, disable=len(cases) < 2) as progress, \
            set_aside_once_loaded() as next_letter:
        for case in progress.track(cases, description="Rendering"):
            next_letter()
            try:
                paths = one(case)
            except LetterkitError as error:
                report(case, error)
                audited(case, [], str(error))
                failed += 1
                continue
            audited(case, paths)
            if paths:  # none when standard output holds the letter itself
                out.print(f"{case} → " + ", ".join(str(path) for path in paths))
    return failed


def _audit(log: Path | None, formats: tuple[str, ...], kit: str | None, options: WriterOptions,
           strict: bool) -> Callable[..., None]:
    """What appends a case's line to the audit log, if one is kept: its files' digests, or its error."""
    def append(case: Path, paths: list[Path], error: str | None = None) -> None:
        if log is None:
            return
        outputs = [{"file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()} for path in paths]
        audit.append(log, audit.record(command="render", case=str(case), kit=kit, status="failed" if error else "ok",
                                       outputs=outputs, error=error,
                                       options={**options.described(), "formats": list(formats), "strict": strict}))
    return append


def _destination(formats: str | None, outdir: Path, cases: list[Path]) -> tuple[tuple[str, ...], Path | None]:
    """The formats to write, and the one file (or -, standard output) when -o names one
    rather than a folder: an OUTDIR ending in a format's extension, which is not a folder."""
    named = next((entry.name for entry in WRITERS if outdir.suffix.lower() == f".{entry.extension}"), None)
    one_file = str(outdir) == o.STREAM or (named is not None and not outdir.is_dir())
    chosen = o.formats(formats) if formats else ((named,) if named and one_file else DEFAULT_FORMATS)
    if not one_file:
        return chosen, None
    if len(cases) != 1 or len(chosen) != 1 or (named is not None and chosen != (named,)):
        what = "standard output" if str(outdir) == o.STREAM else f"the {named} file {outdir}"
        raise typer.BadParameter(f"{what} takes one letter: give one case and one format "
                                 f"(-f {named or 'pdf'}), or a folder", param_hint="'--outdir'")
    return chosen, outdir


def _render_one(case: Path, target: Path, kit: str | None, formats: tuple[str, ...], templates: tuple[Path, ...],
                options: WriterOptions, strict: bool, language: str | None, profile: str | None) -> list[Path]:
    """A case (or standard input's) to one file, to standard output, or into a folder."""
    data = read_case_bytes(sys.stdin.buffer.read(), "(standard input)") if str(case) == o.STREAM else read_case(case)
    files = api.render(data, kit, formats, templates, options, strict, language, profile)
    if str(target) == o.STREAM:
        if formats[0] not in files:
            raise LetterkitError(f"-f {formats[0]} writes a file for each page: give a folder with -o")
        answer(files[formats[0]])
        return []
    if target.suffix.lower() == f".{formats[0]}" and not target.is_dir():  # -o letter.pdf
        written = {target.with_name(target.name + name.removeprefix(formats[0])): content
                   for name, content in files.items()}  # a sealed DOCX's signature: letter.docx.p7s
    else:
        written = {target / file_name("stdin", key): content for key, content in files.items()}
    write_all(written)
    return list(written)
