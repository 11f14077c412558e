"""The `letterkit` command: thin, it parses arguments and calls the library."""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import signal
import sys
import time
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.progress import Progress

from . import FORMATS, __version__, catalogue, compose, LetterkitError, WriterOptions, load_kit, read_case, render_file, validate
from . import api, audit, letter_language, libraries, phrasebook
from .api import check_rules
from .cases import case_kit, read_case_bytes
from .output import write_all
from .batch import render_batch
from .mail.imb import Tracking
from .mail.print_file import SORTS, VARIANTS, ImbOptions, PrintOptions, write_print_file
from .mail.render import MailJob
from .batch.progress import BatchProgress
from .batch.schedulers import connect
from .batch.sources import count_cases, read_cases
from .batch.storage import is_remote, storage_options_from
from .deprecations import TemplateDeprecationWarning
from .errors import CaseError, printable
from .kits import builtin_kits
from .long_lived import set_aside_once_loaded
from .lint import Problem, lint
from .readability import ReadingScore, rich_text_scores
from .rules import RuleError
from .preview import Preview, serve
from .scaffold import new_kit
from .time_limit import time_limit
from .upgrade import VOCABULARY_FILE, plan
from .profiles import PROFILES
from .writers import DEFAULT_FORMATS, PDF_ENGINES, WRITERS, file_name
from .writers.pdf import PDF_VARIANTS
from .writers.typst_pdf import VARIANTS as TYPST_VARIANTS

app = typer.Typer(
    help="Compose medical determination letters from blocks; render HTML, PDF and DOCX.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's plain help: rich's shows Python types (<list[Path]>)
)
# typer prints each argument's Python type in --help (<list[Path]>); its metavar says what it is.
typer.core.TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]
# No markup unless asked for: paths and messages hold what users typed, `[/]` included.
errors = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
out = Console(highlight=False, soft_wrap=True, markup=False)

Cases = Annotated[list[Path], typer.Argument(help="Case files, YAML or JSON.", show_default=False, metavar="CASE")]
def _complete_from(names: Callable[[], Iterable[str]]) -> Callable[[str], list[str]]:
    """Shell completion: the names that start with what was typed."""
    return lambda incomplete: [name for name in names() if name.startswith(incomplete)]


KitOption = Annotated[str, typer.Option("--kit", "-k", help="Built-in kit name (letterkit kits), or a kit folder.",
                                        metavar="KIT", autocompletion=_complete_from(builtin_kits))]
Templates = Annotated[
    Optional[list[Path]],
    typer.Option("--templates", "-t", help="A folder of blocks that override the kit's (repeatable).", metavar="FOLDER"),
]


def _print_version(asked: bool) -> None:
    if asked:
        print(f"letterkit {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Print letterkit's version and exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help=(
        "Show the log of the libraries letterkit uses (pyHanko, WeasyPrint, Dask, Ray) on stderr; "
        f"so does {libraries.DEBUG_VARIABLE}=1."))] = False,
) -> None:
    if verbose or libraries.debug_asked():
        libraries.show_debug_log()
    else:
        libraries.quiet_terminal()


Strict = Annotated[bool, typer.Option("--strict", help="Check each letter against its kit's legal rules (letterkit rules).")]
Language = Annotated[Optional[str], typer.Option(
    "--language", "-l", metavar="LANG", help="Write the letter in this language (es), or in two, one after the other "
    "in one file (en+es); default: the case's `language`.")]
SealOption = Annotated[Optional[Path], typer.Option(
    "--seal", help="Sign each PDF (PAdES) and DOCX (a .p7s beside it) with this PKCS#12 key.", metavar="KEY.p12")]
SealPassphrase = Annotated[Optional[str], typer.Option(
    "--seal-passphrase", envvar="LETTERKIT_SEAL_PASSPHRASE", help="The key's passphrase.", show_default=False,
    metavar="PASSPHRASE")]
def _profile(value: str | None) -> str | None:
    if value is not None and value not in PROFILES:
        raise typer.BadParameter(f"choose from {', '.join(PROFILES)} (got {value!r})")
    return value


ProfileOption = Annotated[Optional[str], typer.Option(
    "--profile", help="large-print: no text below the kit's large-print floor (18 pt unless the kit says).",
    metavar="PROFILE", callback=_profile)]
Dpi = Annotated[int, typer.Option("--dpi", min=18, max=1200, help="Resolution of the page pictures (-f png), in dots per inch.",
                                  metavar="DPI")]
TimestampUrl = Annotated[Optional[str], typer.Option(
    "--timestamp-url", help="An RFC 3161 timestamp service: the PDF's seal becomes PAdES-B-T.", metavar="URL")]


AuditLogOption = Annotated[Optional[Path], typer.Option(
    "--audit-log", envvar=audit.ENVIRONMENT, metavar="FILE", show_default=False,
    help="Append one JSON line per letter rendered, sealed or verified to FILE: when, who, which "
         "letterkit, what, with which options.")]

SealLtv = Annotated[bool, typer.Option(
    "--seal-ltv", help="Embed the certificate chain and its revocation data in the PDF (PAdES-B-LT), so that "
                       "its seal can be checked after the certificate expires; with --timestamp-url.")]


def _seal_key(seal: Path | None, passphrase: str | None, timestamp_url: str | None, long_term: bool = False):
    """The key to seal with. Without a passphrase (--seal-passphrase, LETTERKIT_SEAL_PASSPHRASE),
    a key that does not open without one is asked for it, when a person is at the terminal."""
    if seal is None:
        return None
    from .seal import SealKey, opens
    if passphrase is None and sys.stdin.isatty() and seal.is_file() and not opens(seal, None):
        passphrase = typer.prompt(f"Passphrase of {seal}", hide_input=True, err=True)
    return SealKey(seal, passphrase, timestamp_url, long_term)


def _print_table(table: Table) -> None:
    """On a terminal, fitted to its width; piped or redirected, never cut nor wrapped, so
    that each row is one line for grep and other tools (rich would assume 80 columns)."""
    if out.is_terminal:
        out.print(table)
        return
    wide = Console(highlight=False, soft_wrap=True, markup=False, width=1_000_000)
    with wide.capture() as captured:
        wide.print(table)
    print("\n".join(line.rstrip() for line in captured.get().splitlines()))


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """letterkit's warnings are one line each (a template folder's deprecation names the
    author's file:line, not letterkit's); another library's reach only the debug log."""
    if issubclass(category, TemplateDeprecationWarning) or Path(filename).is_relative_to(_PACKAGE):
        errors.print(f"[yellow]warning[/yellow] {escape(printable(str(message)))}", markup=True)
    elif libraries.debug_asked():
        _python_show_warning(message, category, filename, lineno, file, line)


_PACKAGE = Path(__file__).resolve().parent


_python_show_warning, warnings.showwarning = warnings.showwarning, _show_warning


def _pdf_variant(value: str | None) -> str | None:
    """Checked as the command line is read: one usage error, not one per case."""
    if value is not None and value not in PDF_VARIANTS:
        raise typer.BadParameter(f"choose from {', '.join(PDF_VARIANTS)} (got {value!r})")
    return value


PdfEngine = Annotated[str, typer.Option(
    "--pdf-engine", metavar="ENGINE", help=f"What lays the PDF out: {' or '.join(PDF_ENGINES)} (about 10x faster; "
    "plain or archival PDF). Same words, same pages.")]


def _writer_options(pdf_engine: str, pdf_variant: str | None, **others) -> WriterOptions:
    """The writers' options, the engine and variant checked together: one usage error, not one per case."""
    if pdf_engine not in PDF_ENGINES:
        raise typer.BadParameter(f"choose from {', '.join(PDF_ENGINES)} (got {pdf_engine!r})", param_hint="'--pdf-engine'")
    if pdf_engine == "typst" and pdf_variant not in (None, *TYPST_VARIANTS):
        raise typer.BadParameter(f"the typst engine writes a plain or an archival PDF, not {pdf_variant}",
                                 param_hint="'--pdf-variant'")
    return WriterOptions(pdf_variant=pdf_variant, pdf_engine=pdf_engine, **others)


def _reference_docx(value: Path | None) -> Path | None:
    if value is not None and not (value.is_file() and zipfile.is_zipfile(value)):
        raise typer.BadParameter(f"{value} is not a .docx file" if value.exists() else f"no such file {value}")
    return value


def _kit(value: str) -> str:
    """The kit, loaded as the command line is read: a kit that is not there, or does not
    load, is one usage error, not the same error for every case. (A template folder's
    mistakes are reported with each case, as the block's are.)"""
    try:
        load_kit(value)
    except LetterkitError as error:
        raise typer.BadParameter(str(error)) from None
    return value


CheckedKit = Annotated[str, typer.Option("--kit", "-k", help="Built-in kit name (letterkit kits), or a kit folder.",
                                         metavar="KIT", callback=_kit, autocompletion=_complete_from(builtin_kits))]
# For commands that take cases: a case may name its kit (`kit: ur`), used when --kit is not given.
CaseKit = Annotated[Optional[str], typer.Option(
    "--kit", "-k", help="Built-in kit name, or a kit folder [default: the case's `kit:`, else imr].",
    metavar="KIT", callback=lambda value: None if value is None else _kit(value),
    autocompletion=_complete_from(builtin_kits))]


_FORMATS_HELP = f"Comma-separated: {','.join(FORMATS)}."  # the writers' registry's names
_DEFAULT_FORMATS = ",".join(DEFAULT_FORMATS)


def _formats(value: str) -> tuple[str, ...]:
    formats = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise typer.BadParameter(f"choose from {', '.join(FORMATS)} (got {value!r})", param_hint="'--formats' / '-f'")
    return formats


def _complete_formats(incomplete: str) -> list[str]:
    """`html,p` → `html,pdf`: the last name of a comma-separated list completed."""
    done, _, last = incomplete.rpartition(",")
    return [f"{done},{name}" if done else name for name in FORMATS if name.startswith(last)]


# Options that more than one command takes: defined once, so their help cannot drift.
CaseTimeoutOption = Annotated[float, typer.Option(
    "--case-timeout", min=0, metavar="SECONDS", help="Seconds a case may take before it fails (0: no limit).")]
PdfVariantOption = Annotated[Optional[str], typer.Option(
    "--pdf-variant", metavar="VARIANT", callback=_pdf_variant, autocompletion=_complete_from(lambda: PDF_VARIANTS),
    help="pdf/a-2b, pdf/a-3b, pdf/ua-1 (tagged, accessible), or archival (pdf/a-3a+ua-1: both at once, with the case inside).")]
ReferenceDocxOption = Annotated[Optional[Path], typer.Option(
    "--reference-docx", metavar="DOCX", callback=_reference_docx,
    help="A .docx whose Word styles, header and footer replace the kit's.")]


def _report(case: Path | str, error: LetterkitError) -> None:
    # a JSON Lines case's own error names its line already
    lines = error.lines() if isinstance(error, CaseError) else [
        line if line.startswith(f"{case}:") else f"{case}: {line}" for line in error.lines()]
    for line in lines:
        _error(line)


def _error(message: str) -> None:
    """One line on stderr, "error" in red, the message exactly as it is (escaped for the terminal)."""
    errors.print(f"[red]error[/red] {escape(printable(message))}", markup=True)


@app.command()
def render(
    cases: Cases,
    formats: Annotated[Optional[str], typer.Option(
        "--formats", "-f", help=_FORMATS_HELP + " Default: html,pdf,docx; with -o FILE, that file's format.", metavar="FORMATS",
        show_default=False, autocompletion=_complete_formats)] = None,
    outdir: Annotated[Path, typer.Option(
        "--outdir", "-o", metavar="OUTDIR", help="Folder for the letters; or, for one case in one format, the file "
        "(-o letter.pdf); or - for standard output.")] = Path("out"),
    kit: CaseKit = None,
    templates: Templates = None,
    pdf_variant: PdfVariantOption = None,
    reference_docx: ReferenceDocxOption = None,
    strict: Strict = False,
    seal: SealOption = None,
    seal_passphrase: SealPassphrase = None,
    timestamp_url: TimestampUrl = None,
    audit_log: AuditLogOption = None,
    case_timeout: CaseTimeoutOption = 120.0,
    language: Language = None,
    dpi: Dpi = WriterOptions.dpi,
    profile: ProfileOption = None,
    seal_ltv: SealLtv = False,
    pdf_engine: PdfEngine = "weasyprint",
) -> None:
    """Render each case to OUTDIR/<case-file-stem>.<format> (a picture of each page,
    OUTDIR/<case-file-stem>-<page>.png).

    A case that fails writes no file; the others are still rendered. Exit status 1 if any failed.
    With --strict, a letter that breaks a rule of its kit fails too. One case in one format
    may go to a file, as pandoc does: letterkit render case.yaml -o letter.pdf. A case of -
    is read from standard input (OUTDIR/stdin.<format>); an OUTDIR of - writes one case's
    letter, in one format, to standard output: letterkit render - -f pdf -o - > letter.pdf
    """
    chosen, target = _destination(formats, outdir, cases)
    options = _writer_options(pdf_engine, pdf_variant, reference_docx=reference_docx,
                              seal=_seal_key(seal, seal_passphrase, timestamp_url, seal_ltv), dpi=dpi)
    failed = 0
    with Progress(console=errors, transient=True, disable=len(cases) < 2) as progress, set_aside_once_loaded() as next_letter:
        for case in progress.track(cases, description="Rendering"):
            next_letter()
            try:
                with time_limit(case_timeout or None):
                    if target is not None or str(case) == STREAM:
                        paths = _render_one(case, target or outdir, kit, chosen, tuple(templates or ()), options, strict, language, profile)
                    else:
                        paths = render_file(case, outdir, kit, chosen, templates or (), options, strict, language, profile)
            except LetterkitError as error:
                _report(case, error)
                _audit_render(audit_log, case, kit, chosen, options, strict, [], str(error))
                failed += 1
                continue
            _audit_render(audit_log, case, kit, chosen, options, strict, paths)
            if paths:  # none when standard output holds the letter itself
                out.print(f"{case} → " + ", ".join(str(path) for path in paths))
    if failed:
        errors.print(f"{failed} of {len(cases)} case(s) failed")
        raise typer.Exit(1)


STREAM = "-"  # a case read from standard input, or a letter written to standard output


def _audit_render(log: Path | None, case: Path, kit: str | None, formats: tuple[str, ...], options: WriterOptions,
                  strict: bool, paths: list[Path], error: str | None = None) -> None:
    if log is None:
        return
    outputs = [{"file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()} for path in paths]
    audit.append(log, audit.record(command="render", case=str(case), kit=kit, status="failed" if error else "ok",
                                   outputs=outputs, error=error,
                                   options={**options.described(), "formats": list(formats), "strict": strict}))


def _destination(formats: str | None, outdir: Path, cases: list[Path]) -> tuple[tuple[str, ...], Path | None]:
    """The formats to write, and the one file (or -, standard output) when -o names one
    rather than a folder: an OUTDIR ending in a format's extension, which is not a folder."""
    named = next((entry.name for entry in WRITERS if outdir.suffix.lower() == f".{entry.extension}"), None)
    one_file = str(outdir) == STREAM or (named is not None and not outdir.is_dir())
    chosen = _formats(formats) if formats else ((named,) if named and one_file else DEFAULT_FORMATS)
    if not one_file:
        return chosen, None
    if len(cases) != 1 or len(chosen) != 1 or (named is not None and chosen != (named,)):
        what = "standard output" if str(outdir) == STREAM else f"the {named} file {outdir}"
        raise typer.BadParameter(f"{what} takes one letter: give one case and one format "
                                 f"(-f {named or 'pdf'}), or a folder", param_hint="'--outdir'")
    return chosen, outdir


def _render_one(case: Path, target: Path, kit: str | None, formats: tuple[str, ...], templates: tuple[Path, ...],
                options: WriterOptions, strict: bool, language: str | None, profile: str | None) -> list[Path]:
    """A case (or standard input's) to one file, to standard output, or into a folder."""
    data = read_case_bytes(sys.stdin.buffer.read(), "(standard input)") if str(case) == STREAM else read_case(case)
    files = api.render(data, kit, formats, templates, options, strict, language, profile)
    if str(target) == STREAM:
        if formats[0] not in files:
            raise LetterkitError(f"-f {formats[0]} writes a file for each page: give a folder with -o")
        sys.stdout.buffer.write(files[formats[0]])
        sys.stdout.buffer.flush()
        return []
    if target.suffix.lower() == f".{formats[0]}" and not target.is_dir():  # -o letter.pdf
        written = {target.with_name(target.name + name.removeprefix(formats[0])): content
                   for name, content in files.items()}  # a sealed DOCX's signature: letter.docx.p7s
    else:
        written = {target / file_name("stdin", key): content for key, content in files.items()}
    write_all(written)
    return list(written)


@app.command()
def batch(
    source: Annotated[str, typer.Argument(help="A folder of case files, or a .jsonl file (one case per line); local, or a URL such as s3://bucket/cases/.",
                                                show_default=False, metavar="SOURCE")],
    formats: Annotated[str, typer.Option("--formats", "-f", help=_FORMATS_HELP, metavar="FORMATS",
                                         autocompletion=_complete_formats)] = _DEFAULT_FORMATS,
    outdir: Annotated[str, typer.Option("--outdir", "-o", help="Folder for the letters and manifest.jsonl; local, or a URL such as s3://bucket/letters/.",
                                           metavar="OUTDIR")] = "out",
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes.", show_default="one per core", metavar="N")] = None,
    kit: KitOption = "imr",
    templates: Templates = None,
    force: Annotated[bool, typer.Option("--force", help="Render again cases that are unchanged since the last run.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress; only failures and the summary.")] = False,
    pdf_variant: PdfVariantOption = None,
    reference_docx: ReferenceDocxOption = None,
    case_timeout: CaseTimeoutOption = 120.0,
    strict: Strict = False,
    seal: SealOption = None,
    seal_passphrase: SealPassphrase = None,
    timestamp_url: TimestampUrl = None,
    seal_ltv: SealLtv = False,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", metavar="ADDRESS", help="Render on this cluster instead of local processes: Dask (tcp://host:8786), Ray (ray://host:10001, or ray:auto for Ray on this machine); its workers must reach SOURCE and OUTDIR.")] = None,
    storage_options: Annotated[Optional[str], typer.Option("--storage-options", metavar="JSON", help='fsspec options for URLs, e.g. {"endpoint_url": "http://minio:9000"}; credentials come from the environment (AWS_ACCESS_KEY_ID...), never from here.')] = None,
    audit_log: AuditLogOption = None,
    dpi: Dpi = WriterOptions.dpi,
    profile: ProfileOption = None,
    print_file: Annotated[Optional[Path], typer.Option("--print-file", metavar="PDF", help="After the batch, one PDF of every mail piece of its successful letters, and OUTDIR/mailpieces.csv.", rich_help_panel="Mail")] = None,
    duplex: Annotated[bool, typer.Option("--duplex", help="Pad each piece to an even number of pages.", rich_help_panel="Mail")] = False,
    sort: Annotated[str, typer.Option("--sort", metavar="ORDER", help="Order of the pieces: zip, case or none.", rich_help_panel="Mail")] = "none",
    print_file_variant: Annotated[Optional[str], typer.Option("--print-file-variant", metavar="VARIANT", help="pdf/vt: pieces drawn as PDF/X-4, the file marked PDF/VT-1.", rich_help_panel="Mail")] = None,
    mail_date: Annotated[Optional[datetime.datetime], typer.Option("--mail-date", formats=["%Y-%m-%d"], metavar="DATE", show_default="today", help="Letters dated otherwise are left out of the print file.", rich_help_panel="Mail")] = None,
    resequence: Annotated[Optional[Path], typer.Option("--resequence", metavar="CSV", help="Rebuild the print file in the order of this mailpieces.csv.", rich_help_panel="Mail")] = None,
    reprint: Annotated[Optional[str], typer.Option("--reprint", metavar="PIECE_ID,...", help="A print file of just these pieces, with new IMb serials.", rich_help_panel="Mail")] = None,
    imb: Annotated[bool, typer.Option("--imb", help="Print a USPS Intelligent Mail barcode under each address.", rich_help_panel="Mail")] = False,
    mailer_id: Annotated[Optional[str], typer.Option("--mailer-id", metavar="N", help="Your USPS Mailer ID (6 or 9 digits).", rich_help_panel="Mail")] = None,
    service_type: Annotated[Optional[str], typer.Option("--service-type", metavar="N", help="The IMb Service Type ID (3 digits).", rich_help_panel="Mail")] = None,
    imb_serials: Annotated[Optional[Path], typer.Option("--imb-serials", metavar="FILE", show_default="one per user", help="The store of IMb serials issued.", rich_help_panel="Mail")] = None,
    pdf_engine: PdfEngine = "weasyprint",
) -> None:
    """Render many cases in parallel to OUTDIR/<case-id>.<format>, with OUTDIR/manifest.jsonl.

    A case id is the case file's name, or a JSON Lines case's "id" field (else its line
    number). Running the same command again resumes: unchanged cases whose files exist
    are skipped. Cases that would write the same files fail, each naming the others.
    One batch at a time may write to OUTDIR. Exit status: 0 if every case rendered,
    1 if any failed, 2 if the batch could not start, 130 if interrupted.
    """
    chosen = _formats(formats)
    options = _writer_options(pdf_engine, pdf_variant, reference_docx=reference_docx,
                              seal=_seal_key(seal, seal_passphrase, timestamp_url, seal_ltv), dpi=dpi)
    signal.signal(signal.SIGTERM, _interrupt)
    progress = None
    try:
        storage = storage_options_from(storage_options)
        total = count_cases(source, storage)
        if print_file is not None and is_remote(outdir):
            raise typer.BadParameter("the print file is made from letters in a local OUTDIR", param_hint="'--print-file'")
        with connect(scheduler, jobs) as executor, BatchProgress(total, errors, quiet) as progress:
            printing = _print_options(print_file, duplex, sort, print_file_variant, mail_date, resequence, reprint,
                                      imb, mailer_id, service_type, imb_serials, force, kit, templates)
            summary = render_batch(source, outdir, kit, chosen, templates or (), options, jobs=jobs,
                                   force=force, on_result=progress, case_timeout=case_timeout or None,
                                   strict=strict, executor=executor, storage_options=storage, audit_log=audit_log,
                                   mail=MailJob(print_file_variant, strict, imb) if printing else None, profile=profile)
        printed = write_print_file(Path(outdir), printing) if printing else None
    except LetterkitError as error:
        for line in error.lines():
            _error(line)
        raise typer.Exit(2)
    except KeyboardInterrupt:
        done = progress.done if progress else 0
        errors.print(f"interrupted: {done} of {total} cases finished; every file in "
                     f"{outdir} is complete. Run the same command again to resume.")
        raise typer.Exit(130)
    for warning in summary.warnings:
        errors.print(f"warning {printable(warning)}")
    out.print(f"{summary.rendered} rendered, {summary.failed} failed, {summary.skipped} unchanged "
              f"(skipped) in {_elapsed(progress)}; "
              f"manifest: {summary.manifest}")
    if printed:
        for line in printed.left_out:
            errors.print(f"[yellow]left out[/yellow] {escape(printable(line))}", markup=True)
        out.print(f"print file: {printed.path}, {printed.pieces} pieces, {printed.pages} pages; {printed.csv}")
    if summary.failed:
        raise typer.Exit(1)


def _print_options(print_file, duplex, sort, variant, mail_date, resequence, reprint, imb, mailer_id, service_type,
                   imb_serials, force, kit, templates) -> PrintOptions | None:
    """The print file's options; a mistake among them stops the batch before it starts."""
    if print_file is None:
        if duplex or resequence or reprint or imb or variant or sort != "none":
            raise LetterkitError("--duplex, --sort, --resequence, --reprint, --imb and --print-file-variant "
                                 "go with --print-file PDF")
        return None
    if sort not in SORTS:
        raise LetterkitError(f"--sort {sort}: choose one of {', '.join(SORTS)}")
    if variant not in VARIANTS:
        raise LetterkitError(f"--print-file-variant {variant}: the only variant is pdf/vt")
    imb_options = None
    if imb:
        if not (mailer_id and service_type):
            raise LetterkitError("--imb needs --mailer-id N and --service-type N")
        Tracking(mailer_id, service_type, 0)  # a bad Mailer ID or Service Type stops it here
        imb_options = ImbOptions(mailer_id, service_type, imb_serials)
    loaded = load_kit(kit, tuple(templates or ()))
    return PrintOptions(print_file.resolve(), duplex, sort, variant, mail_date.date() if mail_date else None,
                        imb_options, loaded.mail.window if loaded.mail else None, resequence,
                        tuple(p.strip() for p in reprint.split(",") if p.strip()) if reprint else (), force)


def _elapsed(progress: BatchProgress) -> str:
    seconds = time.monotonic() - progress.started
    return f"{seconds:.1f} s" if seconds < 120 else time.strftime("%H:%M:%S", time.gmtime(seconds))


def _interrupt(signum, frame) -> None:
    # SIGTERM stops a batch as Ctrl-C does: workers stopped, manifest consistent.
    raise KeyboardInterrupt


AsJson = Annotated[bool, typer.Option("--json", help="JSON on standard output, for other tools.")]


@app.command("validate")
def validate_command(cases: Cases, kit: CaseKit = None, templates: Templates = None, strict: Strict = False,
                     as_json: AsJson = False, case_timeout: CaseTimeoutOption = 120.0,
                     language: Language = None) -> None:
    """Check case files against the kit's data model, and compose each letter with the
    kit's blocks, without writing a file: what passes here renders.

    With --strict, also check each letter against the kit's legal rules, give each
    rich-text field's reading score, and warn about a field past the kit's reading level
    for the letter's language. A letter in another language than the kit's blocks' own
    gets a warning for each block and field it prints untranslated. With --json, one
    object per case: {"case", "valid", "problems": [{"field", "message"}]}, with --strict
    "reading" too."""
    failed, results = 0, []
    for case, read in _each_case(cases):
        try:
            with time_limit(case_timeout or None):
                case_data = read()
                loaded = load_kit(case_kit(case_data, kit), tuple(templates or ()))
                for data in api.in_languages(case_data, language):
                    letter = validate(data, loaded, str(case))
                    document = compose(letter, loaded)
                    reading = _check_strictly(case, letter, loaded, document) if strict else []
                    if not as_json:
                        for where, note in letter_language.notes(letter, loaded):
                            _warn(f"{case}: {letter.language}: {where}: {note}")
        except LetterkitError as error:
            failed += 1
            if as_json:
                results.append({"case": str(case), "valid": False, "problems": _problems(error)})
            else:
                _report(case, error)
            continue
        if as_json:
            results.append({"case": str(case), "valid": True, "problems": []}
                           | ({"reading": [score.describe(loaded.reading_limits.fields) for score in reading]} if strict else {}))
        else:
            for score in reading:  # those past the limit are warnings, on stderr
                if not score.past(loaded.reading_limits.fields):
                    out.print(f"{case}: {score.line(loaded.reading_limits.fields)}")
            out.print(f"{case}: valid")
    if as_json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    if failed:
        raise typer.Exit(1)


def _each_case(arguments: list[Path]) -> Iterator[tuple[str, Callable[[], dict]]]:
    """(where, how to read it) for each case the arguments name: a file, - (standard
    input), or every line of a JSON Lines export, as `batch` reads them."""
    for argument in arguments:
        if str(argument) == STREAM:
            yield "(standard input)", lambda: read_case_bytes(sys.stdin.buffer.read(), "(standard input)")
        elif argument.suffix == ".jsonl" and argument.is_file():
            yield from ((case.source, case.load) for case in read_cases(argument))
        else:
            yield str(argument), functools.partial(read_case, argument)


def _problems(error: LetterkitError) -> list[dict[str, str | None]]:
    if isinstance(error, CaseError):
        return [{"field": path, "message": message} for path, message in error.problems]
    return [{"field": None, "message": str(error)}]


def _check_strictly(case: Path | str, letter, loaded, document) -> list[ReadingScore]:
    """Raise the letter's rule failures; print a warning per rich-text field past the kit's
    reading level for the letter's language, and give every field's score."""
    if failures := check_rules(letter, loaded, document):
        raise RuleError(failures, str(case))
    scores = rich_text_scores(letter, document.meta.language)
    for score in scores:
        if score.past(loaded.reading_limits.fields):
            _warn(f"{case}: {score.line(loaded.reading_limits.fields)}; plain words and shorter sentences help")
    return scores


def _warn(message: str) -> None:
    """One line on stderr, "warning" in yellow, the message exactly as it is."""
    errors.print(f"[yellow]warning[/yellow] {escape(printable(message))}", markup=True)


@app.command("rules")
def rules_command(
    kit: KitOption = "imr",
    as_json: Annotated[bool, typer.Option("--json", help="The rules as JSON, for other tools.")] = False,
    on: Annotated[Optional[datetime.datetime], typer.Option(
        "--on", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
        help="Only the rules in force on this date (a letter of this date answers to them).")] = None,
) -> None:
    """List the legal rules the kit's letters answer to: id, citation, check, statement,
    and the dates they are in force."""
    try:
        found = load_kit(kit).rules
    except LetterkitError as error:
        _error(str(error))
        raise typer.Exit(1)
    if on is not None:
        found = tuple(rule for rule in found if rule.in_force(on.date()))
    if as_json:
        print(json.dumps([rule.describe() for rule in found], indent=2, ensure_ascii=False))
        return
    table = Table(box=None, header_style="bold")
    table.add_column("rule", no_wrap=True)
    for column in ("citation", "check", "statement"):
        table.add_column(column)
    table.add_column("in force", no_wrap=True)
    for rule in found:
        table.add_row(rule.id, rule.citation, rule.check + (f" (when {rule.when})" if rule.when else ""),
                      rule.statement, _in_force(rule))
    _print_table(table)


def _in_force(rule) -> str:
    """When a rule is in force: "always", "from 2013-07-01", "to 2020-08-17", or both."""
    if rule.in_force_from is None and rule.until is None:
        return "always"
    return " ".join(part for part in (f"from {rule.in_force_from}" if rule.in_force_from else "",
                                      f"to {rule.until}" if rule.until else "") if part)


@app.command("kits")
def kits_command(as_json: AsJson = False) -> None:
    """List the built-in kits, each with what it is for (give one to --kit)."""
    listed = [{"kit": name, "description": load_kit(name).description} for name in builtin_kits()]
    if as_json:
        print(json.dumps(listed, indent=2, ensure_ascii=False))
        return
    table = Table("kit", "what it is for", box=None, header_style="bold")
    for kit in listed:
        table.add_row(kit["kit"], kit["description"])
    _print_table(table)


@app.command()
def blocks(kit: KitOption = "imr", templates: Templates = None, as_json: AsJson = False) -> None:
    """List the letter's blocks: the file each comes from, and the data each reads."""
    try:
        found = catalogue.blocks(load_kit(kit, tuple(templates or ())))
    except LetterkitError as error:
        _error(str(error))
        raise typer.Exit(1)
    if as_json:
        print(json.dumps([{"block": block.name, "file": str(block.path), "from": block.origin,
                           "reads": list(block.variables)} for block in found], indent=2, ensure_ascii=False))
        return
    table = Table("block", "from", "reads", box=None, header_style="bold")
    for block in found:
        table.add_row(block.name, block.origin, ", ".join(block.variables))
    _print_table(table)


@app.command("lint")
def lint_command(
    kit: KitOption = "imr",
    templates: Templates = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too, not only on errors.")] = False,
    as_json: AsJson = False,
) -> None:
    """Check a kit and your template folder without rendering a case.

    Every block parses, every included block exists, every name a block prints is in the
    case, no block tag glues two lines (errors); every class a block uses is styled in the
    stylesheets and the reference DOCX (warnings); lines read on a screen (advice).
    Exits 1 on an error, or with --strict on a warning. With --json, a list of
    {"severity", "message"} on standard output.
    """
    try:
        with warnings.catch_warnings():  # lint reports them itself, as problems
            warnings.simplefilter("ignore", TemplateDeprecationWarning)
            problems = lint(load_kit(kit, tuple(templates or ())))
    except LetterkitError as error:
        problems = [Problem(line) for line in error.lines()]
    colours = {"error": "red", "warning": "yellow", "advice": "cyan"}
    if as_json:
        print(json.dumps([{"severity": p.severity, "message": str(p)} for p in problems], indent=2, ensure_ascii=False))
    for problem in [] if as_json else problems:
        colour = colours[problem.severity]
        errors.print(f"[{colour}]{problem.severity}[/{colour}] {escape(printable(problem))}", markup=True)
    failing = {"error", "warning"} if strict else {"error"}
    if any(problem.severity in failing for problem in problems):
        raise typer.Exit(1)
    if not as_json:
        out.print("no problems found" if not problems else f"{len(problems)} to look at, none failing")


@app.command("upgrade")
def upgrade_command(
    folders: Annotated[list[Path], typer.Argument(help="Template folders (or kits) to upgrade.", show_default=False)],
    kit: KitOption = "imr",
    write: Annotated[bool, typer.Option("--write", help="Apply the changes; without it, only show them.")] = False,
) -> None:
    """Rewrite template folders for the parts of the author's contract letterkit renamed
    or removed: a diff of what would change, or with --write, the change made.
    Exit status 1 if something is left to rewrite by hand."""
    try:
        vocabulary = load_kit(kit).files.find(VOCABULARY_FILE)
    except LetterkitError as error:
        _error(str(error))
        raise typer.Exit(1)
    left = changed = 0
    for folder in folders:
        if not folder.is_dir():
            _error(f"{folder}: not a folder")
            left += 1
            continue
        upgrade = plan(folder, vocabulary)
        for line in upgrade.by_hand:
            _error(line)
        left += len(upgrade.by_hand)
        changed += len(upgrade.files)
        if write:
            upgrade.write()
            for path in sorted(upgrade.files):
                out.print(f"{'removed' if upgrade.files[path] is None else 'wrote'} {path}")
        else:
            print(upgrade.diff(), end="")
        if not upgrade.files and not upgrade.by_hand:
            out.print(f"{folder}: nothing to upgrade")
    if changed and not write:
        errors.print(f"a dry run: {changed} file(s) would change; --write changes them")
    if left:
        raise typer.Exit(1)


@app.command("new-kit")
def new_kit_command(
    folder: Annotated[Path, typer.Argument(help="Folder for the new kit; its name is the kit's name.", show_default=False,
                                                 metavar="FOLDER")],
    extends: Annotated[Optional[str], typer.Option(
        "--extends", help="Build on this kit's model, letter and rules, adding fields in kit.toml.", metavar="KIT")] = None,
) -> None:
    """Start a kit: a new family of letters on the neutral `letter` kit (fields in
    kit.toml, a block, an example case; no Python); or, with --extends, a kit that builds
    on another kit's letter and adds a field."""
    try:
        written = new_kit(folder, extends)
    except LetterkitError as error:
        _error(str(error))
        raise typer.Exit(1)
    for path in written:
        out.print(f"wrote {path}")
    if extends is None:
        out.print(f"try it: letterkit render {folder / 'example.yaml'} --kit {folder}")
    else:
        out.print(f"try it: add notice_sent: 2026-01-15 to a case of the {extends} kit, then "
                  f"letterkit render CASE --kit {folder}; letterkit vars --kit {folder} lists its fields")


@app.command()
def preview(
    case: Annotated[Path, typer.Argument(help="A case file, YAML or JSON.", show_default=False, metavar="CASE")],
    kit: KitOption = "imr",
    templates: Templates = None,
    port: Annotated[int, typer.Option("--port", help="Port on localhost.", metavar="PORT")] = 8000,
) -> None:
    """Serve the case's HTML letter on localhost; the page reloads when a block,
    stylesheet or the case file changes."""
    try:
        server = serve(Preview(case, kit, tuple(str(t) for t in templates or ())), port=port)
    except OSError as error:
        _error(f"cannot serve on port {port}: {error.strerror or error}; choose another with --port")
        raise typer.Exit(1)
    out.print(f"previewing {case} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()


@app.command("vars")
def variables(kit: KitOption = "imr", templates: Templates = None, as_json: AsJson = False) -> None:
    """List what blocks can print: the case's fields (those a kit.toml or fields.toml
    declares too) and computed values, with their types."""
    try:
        found = catalogue.kit_fields(load_kit(kit, tuple(templates or ())))
    except LetterkitError as error:
        _error(str(error))
        raise typer.Exit(1)
    if as_json:
        print(json.dumps([{"field": field.path, "type": field.type, "computed": field.computed,
                           "description": field.description} for field in found], indent=2, ensure_ascii=False))
        return
    table = Table("field", "type", "description", box=None, header_style="bold")
    for field in found:
        table.add_row(field.path, field.type + (" (computed)" if field.computed else ""), field.description)
    _print_table(table)


@app.command()
def schema(kit: KitOption = "imr") -> None:
    """Print the JSON Schema of the kit's case data."""
    try:
        model = load_kit(kit).model
    except LetterkitError as error:
        _error(str(error))
        raise typer.Exit(1)
    print(json.dumps(model.model_json_schema(), indent=2))


@app.command()
def extract(
    letter: Annotated[Path, typer.Argument(help="An archival PDF (--pdf-variant archival).", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Extract even from a letter whose seal is broken.")] = False,
) -> None:
    """Print the case an archival PDF was rendered from, as JSON.

    A letter whose seal is broken (changed after it was sealed) is refused, exit status 1;
    --force extracts it with a warning. Piped or redirected, the case's bytes are written
    exactly as the letter holds them; on a terminal, control characters are shown
    escaped (\\x1b), so that no byte of a letter can act on the terminal."""
    from .archive import extract as extract_case
    from .certificates import Trust
    from .verify import FAIL, seal_findings
    try:
        data = letter.read_bytes()
        seal, sealed_revision = seal_findings(data, Trust(unchecked_on_purpose=True))
        case_json = extract_case(data, str(letter)).record.case_json
    except OSError as error:
        _error(f"{letter}: {error.strerror or error}")
        raise typer.Exit(1)
    except LetterkitError as error:
        _error(str(error))
        raise typer.Exit(1)
    broken = [finding.detail for finding in seal if finding.what == "seal" and finding.verdict == FAIL]
    if not sealed_revision:
        _warning(f"{letter}: carries no seal: nothing shows this case is the one the letter was rendered from")
    elif broken and not force:
        _error(f"{letter}: the seal is broken ({broken[0]}); nothing extracted (--force extracts it anyway)")
        raise typer.Exit(1)
    elif broken:
        _warning(f"{letter}: the seal is broken ({broken[0]}); the case below may not be the one that was sealed")
    if sys.stdout.isatty():
        text = case_json.decode("utf-8", errors="backslashreplace")
        print("\n".join(printable(line) for line in text.split("\n")), end="")
    else:
        sys.stdout.buffer.write(case_json)
        sys.stdout.buffer.flush()


def _warning(message: str) -> None:
    errors.print(f"[yellow]warning[/yellow] {escape(printable(message))}", markup=True)


@app.command("verify")
def verify_command(
    letter: Annotated[Path, typer.Argument(help="A sealed PDF, or a DOCX with its .p7s beside it.", show_default=False)],
    kit: Annotated[Optional[str], typer.Option(
        "--kit", "-k", help="Also render the embedded case with this kit and compare the letter.")] = None,
    trust: Annotated[Optional[list[Path]], typer.Option(
        "--trust", help="Root certificates (a PEM or DER file, or a folder of them) the signer must chain to "
                        "(repeatable); default: what LETTERKIT_TRUST names.", metavar="CA")] = None,
    crl: Annotated[Optional[list[Path]], typer.Option(
        "--crl", help="A certificate revocation list (PEM or DER) to check the signer against (repeatable).",
        metavar="FILE")] = None,
    at: Annotated[Optional[datetime.datetime], typer.Option(
        "--at", formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"], metavar="DATE",
        help="Judge the seal as of this date (UTC), not now.")] = None,
    no_trust: Annotated[bool, typer.Option(
        "--no-trust", help="Accept any signer on purpose: its certificate is named but not checked.")] = False,
    case_timeout: Annotated[float, typer.Option(
        "--case-timeout", min=0, metavar="SECONDS",
        help="Seconds rendering the embedded case may take, with --kit (0: no limit).")] = 120.0,
    audit_log: AuditLogOption = None,
) -> None:
    """Check a letter: its seal is intact and covers the whole file, who sealed it and that
    they chain to a root you trust, when (a timestamp), the embedded case's digest and,
    given the kit, that its case renders to the same letter.

    One line per finding: ok, FAIL, note, or ?? (not checked). Exit status 0 when all
    passed, 1 when one failed, 3 when none failed but the signer was not checked (no
    --trust nor LETTERKIT_TRUST; --no-trust accepts any signer on purpose)."""
    from .certificates import load_trust
    from .verify import OK, NOTE, exit_status, verify
    try:
        chosen = load_trust(trust or (), crl or (), at, no_trust)
        findings = verify(letter, kit, chosen, case_timeout or None)
    except OSError as error:
        _error(f"{letter}: {error.strerror or error}")
        raise typer.Exit(1)
    except LetterkitError as error:
        _error(str(error))
        raise typer.Exit(1)
    for finding in findings:
        (out if finding.verdict in (OK, NOTE) else errors).print(printable(finding.line()))
    status = exit_status(findings)
    if audit_log is not None:
        audit.append(audit_log, audit.record(
            command="verify", file=str(letter), sha256=hashlib.sha256(letter.read_bytes()).hexdigest(),
            passed=status == 0, findings=[finding.line() for finding in findings]))
    if status:
        raise typer.Exit(status)


translations = typer.Typer(help="A kit's translations: its short phrases for translators, what a language lacks.",
                           no_args_is_help=True, rich_markup_mode=None)
app.add_typer(translations, name="translations")


@translations.command("extract")
def translations_extract(
    kit: KitOption = "imr",
    templates: Templates = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE",
                                                   help="Write the catalogue here (default: standard output).")] = None,
) -> None:
    """Write the kit's short phrases (headings, labels, the closing, its rules' phrases) as a
    gettext catalogue template (.pot) for translators; whole paragraphs are translated as blocks."""
    try:
        pot = phrasebook.catalogue(load_kit(kit, tuple(templates or ())))
        if output is None:
            sys.stdout.buffer.write(pot)
        else:
            write_all({output: pot})
    except LetterkitError as error:
        _error(str(error))
        raise typer.Exit(1)


@translations.command("status")
def translations_status(
    language: Annotated[str, typer.Argument(help="A language code: es.", metavar="LANG", show_default=False)],
    kit: KitOption = "imr",
    templates: Templates = None,
) -> None:
    """Print what the kit lacks to write its letters in LANG, one line each; exit status 1
    if anything is missing."""
    try:
        missing = phrasebook.status(load_kit(kit, tuple(templates or ())), language)
    except LetterkitError as error:
        _error(str(error))
        raise typer.Exit(2)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="LANG") from None
    for item in missing:
        out.print(f"{item.where}: {item.what}")
    if missing:
        raise typer.Exit(1)
    out.print(f"kit {kit}: every template and phrase rule has its {language}")
