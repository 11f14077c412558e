"""The `letterkit` command: thin, it parses arguments and calls the library."""

from __future__ import annotations

import contextlib
import datetime
import json
import signal
import sys
import time
import warnings
import zipfile
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.progress import Progress

from . import FORMATS, __version__, catalogue, compose, LetterkitError, WriterOptions, load_kit, read_case, render_file, validate
from . import api, libraries
from .api import check_rules
from .cases import parse_case
from .output import write_all
from .batch import render_batch
from .batch.progress import BatchProgress
from .batch.sources import count_cases
from .deprecations import TemplateDeprecationWarning
from .errors import CaseError, printable
from .lint import Problem, lint
from .readability import rich_text_grades
from .rules import RuleError
from .preview import Preview, serve
from .scaffold import new_kit
from .upgrade import VOCABULARY_FILE, plan
from .writers import PDF_ENGINES
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
KitOption = Annotated[str, typer.Option("--kit", "-k", help="Built-in kit name, or a kit folder.", metavar="KIT")]
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
SealOption = Annotated[Optional[Path], typer.Option(
    "--seal", help="Sign each PDF (PAdES) and DOCX (a .p7s beside it) with this PKCS#12 key.", metavar="KEY.p12")]
SealPassphrase = Annotated[Optional[str], typer.Option(
    "--seal-passphrase", envvar="LETTERKIT_SEAL_PASSPHRASE", help="The key's passphrase.", show_default=False,
    metavar="PASSPHRASE")]
TimestampUrl = Annotated[Optional[str], typer.Option(
    "--timestamp-url", help="An RFC 3161 timestamp service: the PDF's seal becomes PAdES-B-T.", metavar="URL")]


def _seal_key(seal: Path | None, passphrase: str | None, timestamp_url: str | None):
    if seal is None:
        return None
    from .seal import SealKey
    return SealKey(seal, passphrase, timestamp_url)


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


CheckedKit = Annotated[str, typer.Option("--kit", "-k", help="Built-in kit name, or a kit folder.", metavar="KIT",
                                         callback=_kit)]


_FORMATS_HELP = f"Comma-separated: {','.join(FORMATS)}."  # the writers' registry's names


def _formats(value: str) -> tuple[str, ...]:
    formats = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise typer.BadParameter(f"choose from {', '.join(FORMATS)} (got {value!r})")
    return formats


def _report(case: Path, error: LetterkitError) -> None:
    lines = error.lines() if isinstance(error, CaseError) else [f"{case}: {error}"]
    for line in lines:
        _error(line)


def _error(message: str) -> None:
    """One line on stderr, "error" in red, the message exactly as it is (escaped for the terminal)."""
    errors.print(f"[red]error[/red] {escape(printable(message))}", markup=True)


@app.command()
def render(
    cases: Cases,
    formats: Annotated[str, typer.Option("--formats", "-f", help=_FORMATS_HELP, metavar="FORMATS")] = ",".join(FORMATS),
    outdir: Annotated[Path, typer.Option("--outdir", "-o", help="Folder for the letters.", metavar="OUTDIR")] = Path("out"),
    kit: CheckedKit = "imr",
    templates: Templates = None,
    pdf_variant: Annotated[
        Optional[str], typer.Option("--pdf-variant", help="pdf/a-2b, pdf/a-3b, pdf/ua-1 (tagged, accessible), or archival "
                                            "(pdf/a-3a+ua-1: both at once, with the case inside).",
                                metavar="VARIANT", callback=_pdf_variant)
    ] = None,
    reference_docx: Annotated[
        Optional[Path], typer.Option("--reference-docx", help="A .docx whose Word styles, header and footer replace the kit's.",
                                   metavar="DOCX", callback=_reference_docx)
    ] = None,
    strict: Strict = False,
    seal: SealOption = None,
    seal_passphrase: SealPassphrase = None,
    timestamp_url: TimestampUrl = None,
    pdf_engine: PdfEngine = "weasyprint",
) -> None:
    """Render each case to OUTDIR/<case-file-stem>.<format>.

    A case that fails writes no file; the others are still rendered. Exit status 1 if any failed.
    With --strict, a letter that breaks a rule of its kit fails too. A case of - is read from
    standard input (OUTDIR/stdin.<format>); an OUTDIR of - writes one case's letter, in one
    format, to standard output: letterkit render - -f pdf -o - > letter.pdf
    """
    chosen = _formats(formats)
    if str(outdir) == STREAM and (len(cases) != 1 or len(chosen) != 1):
        raise typer.BadParameter("- writes one letter to standard output: give one case and one format",
                                 param_hint="'--outdir'")
    options = _writer_options(pdf_engine, pdf_variant, reference_docx=reference_docx,
                              seal=_seal_key(seal, seal_passphrase, timestamp_url))
    failed = 0
    with Progress(console=errors, transient=True, disable=len(cases) < 2) as progress:
        for case in progress.track(cases, description="Rendering"):
            try:
                if STREAM in (str(case), str(outdir)):
                    paths = _render_streamed(case, outdir, kit, chosen, tuple(templates or ()), options, strict)
                else:
                    paths = render_file(case, outdir, kit, chosen, templates or (), options, strict)
            except LetterkitError as error:
                _report(case, error)
                failed += 1
                continue
            if str(outdir) != STREAM:  # standard output holds the letter itself
                out.print(f"{case} → " + ", ".join(str(path) for path in paths))
    if failed:
        errors.print(f"{failed} of {len(cases)} case(s) failed")
        raise typer.Exit(1)


STREAM = "-"  # a case read from standard input, or a letter written to standard output


def _render_streamed(case: Path, outdir: Path, kit: str, formats: tuple[str, ...], templates: tuple[Path, ...],
                     options: WriterOptions, strict: bool) -> list[Path]:
    if str(case) == STREAM:
        text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
        data = parse_case(text, "json" if text.lstrip().startswith("{") else "yaml", "(standard input)")
    else:
        data = read_case(case)
    files = api.render(data, kit, formats, templates, options, strict)
    if str(outdir) == STREAM:
        sys.stdout.buffer.write(files[formats[0]])
        sys.stdout.buffer.flush()
        return []
    stem = "stdin" if str(case) == STREAM else case.stem
    written = {outdir / f"{stem}.{format}": content for format, content in files.items()}
    write_all(written)
    return list(written)


@app.command()
def batch(
    source: Annotated[Path, typer.Argument(help="A folder of case files, or a .jsonl file (one case per line).", show_default=False,
                                                 metavar="SOURCE")],
    formats: Annotated[str, typer.Option("--formats", "-f", help=_FORMATS_HELP, metavar="FORMATS")] = ",".join(FORMATS),
    outdir: Annotated[Path, typer.Option("--outdir", "-o", help="Folder for the letters and manifest.jsonl.", metavar="OUTDIR")] = Path("out"),
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes.", show_default="one per core", metavar="N")] = None,
    kit: KitOption = "imr",
    templates: Templates = None,
    force: Annotated[bool, typer.Option("--force", help="Render again cases that are unchanged since the last run.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress; only failures and the summary.")] = False,
    pdf_variant: Annotated[Optional[str], typer.Option("--pdf-variant", help="pdf/a-2b, pdf/a-3b, pdf/ua-1 or archival (pdf/a-3a+ua-1).",
                                                              metavar="VARIANT", callback=_pdf_variant)] = None,
    reference_docx: Annotated[Optional[Path], typer.Option("--reference-docx", help="A .docx whose Word styles replace the kit's.", metavar="DOCX",
                                                                  callback=_reference_docx)] = None,
    case_timeout: Annotated[float, typer.Option("--case-timeout", min=0, help="Seconds a case may take before it fails (0: no limit).",
                                                    metavar="SECONDS")] = 120.0,
    strict: Strict = False,
    seal: SealOption = None,
    seal_passphrase: SealPassphrase = None,
    timestamp_url: TimestampUrl = None,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", metavar="ADDRESS", help="Render on this Dask cluster (tcp://host:8786) instead of local processes; OUTDIR must be shared with its workers.")] = None,
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
                              seal=_seal_key(seal, seal_passphrase, timestamp_url))
    signal.signal(signal.SIGTERM, _interrupt)
    progress = None
    try:
        total = count_cases(source)
        with _dask_client(scheduler) as client, BatchProgress(total, errors, quiet) as progress:
            summary = render_batch(source, outdir, kit, chosen, templates or (), options, jobs=jobs,
                                   force=force, on_result=progress, case_timeout=case_timeout or None,
                                   strict=strict, executor=client)
    except LetterkitError as error:
        for line in error.lines() if isinstance(error, CaseError) else [str(error)]:
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
    if summary.failed:
        raise typer.Exit(1)


def _elapsed(progress: BatchProgress) -> str:
    seconds = time.monotonic() - progress.started
    return f"{seconds:.1f} s" if seconds < 120 else time.strftime("%H:%M:%S", time.gmtime(seconds))


def _dask_client(address: str | None):
    """A client of the Dask scheduler at `address` (render_batch runs on it), or none."""
    if address is None:
        return contextlib.nullcontext()
    try:
        from distributed import Client
    except ImportError:
        raise LetterkitError("--scheduler needs Dask: pip install 'letterkit[dask]'") from None
    try:
        return Client(address, timeout=30)
    except (OSError, TimeoutError, ValueError) as error:
        raise LetterkitError(f"--scheduler {address}: cannot reach it ({error})") from None


def _interrupt(signum, frame) -> None:
    # SIGTERM stops a batch as Ctrl-C does: workers stopped, manifest consistent.
    raise KeyboardInterrupt


AsJson = Annotated[bool, typer.Option("--json", help="JSON on standard output, for other tools.")]


@app.command("validate")
def validate_command(cases: Cases, kit: KitOption = "imr", templates: Templates = None, strict: Strict = False,
                     as_json: AsJson = False) -> None:
    """Check case files against the kit's data model, and compose each letter with the
    kit's blocks, without writing a file: what passes here renders.

    With --strict, also check each letter against the kit's legal rules, and warn about
    rich text above the kit's reading grade. With --json, one object per case:
    {"case", "valid", "problems": [{"field", "message"}]}."""
    failed, results = 0, []
    for case in cases:
        try:
            loaded = load_kit(kit, tuple(templates or ()))
            letter = validate(read_case(case), loaded, str(case))
            document = compose(letter, loaded)
            if strict:
                _check_strictly(case, letter, loaded, document)
        except LetterkitError as error:
            failed += 1
            if as_json:
                results.append({"case": str(case), "valid": False, "problems": _problems(error)})
            else:
                _report(case, error)
            continue
        if as_json:
            results.append({"case": str(case), "valid": True, "problems": []})
        else:
            out.print(f"{case}: valid")
    if as_json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    if failed:
        raise typer.Exit(1)


def _problems(error: LetterkitError) -> list[dict[str, str | None]]:
    if isinstance(error, CaseError):
        return [{"field": path, "message": message} for path, message in error.problems]
    return [{"field": None, "message": str(error)}]


def _check_strictly(case: Path, letter, loaded, document) -> None:
    """Raise the letter's rule failures; print a warning per field above the reading grade."""
    if failures := check_rules(letter, loaded, document):
        raise RuleError(failures, str(case))
    if loaded.reading_grade is not None:
        for found in rich_text_grades(letter):
            if found.grade > loaded.reading_grade:
                errors.print(f"[yellow]warning[/yellow] {escape(printable(str(case)))}: {found.path}: "
                             f"reading grade {found.grade:.1f} (Flesch-Kincaid), above the kit's "
                             f"{loaded.reading_grade:g}; plain words and shorter sentences help", markup=True)


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
    for rule in found:
        table.add_row(rule.id, rule.citation, rule.check + (f" (when {rule.when})" if rule.when else ""),
                      rule.statement + _in_force(rule))
    _print_table(table)


def _in_force(rule) -> str:
    if rule.in_force_from is None and rule.until is None:
        return ""
    return f" (in force {rule.in_force_from or '…'} to {rule.until or '…'})"


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
) -> None:
    """Check a kit and your template folder without rendering a case.

    Every block parses, every included block exists, every name a block prints is in the
    case, no block tag glues two lines (errors); every class a block uses is styled in the
    stylesheets and the reference DOCX (warnings); lines read on a screen (advice).
    Exits 1 on an error, or with --strict on a warning.
    """
    try:
        with warnings.catch_warnings():  # lint reports them itself, as problems
            warnings.simplefilter("ignore", TemplateDeprecationWarning)
            problems = lint(load_kit(kit, tuple(templates or ())))
    except LetterkitError as error:
        problems = [Problem(str(error))]
    colours = {"error": "red", "warning": "yellow", "advice": "cyan"}
    for problem in problems:
        colour = colours[problem.severity]
        errors.print(f"[{colour}]{problem.severity}[/{colour}] {escape(printable(problem))}", markup=True)
    failing = {"error", "warning"} if strict else {"error"}
    if any(problem.severity in failing for problem in problems):
        raise typer.Exit(1)
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
) -> None:
    """Print the case an archival PDF was rendered from, as JSON."""
    from .archive import extract as extract_case
    try:
        print(extract_case(letter.read_bytes(), str(letter)).record.case_json.decode("utf-8"), end="")
    except OSError as error:
        _error(f"{letter}: {error.strerror or error}")
        raise typer.Exit(1)
    except LetterkitError as error:
        _error(str(error))
        raise typer.Exit(1)


@app.command("verify")
def verify_command(
    letter: Annotated[Path, typer.Argument(help="A sealed PDF, or a DOCX with its .p7s beside it.", show_default=False)],
    kit: Annotated[Optional[str], typer.Option(
        "--kit", "-k", help="Also render the embedded case with this kit and compare the letter.")] = None,
    trust: Annotated[Optional[list[Path]], typer.Option(
        "--trust", help="A trusted root certificate (PEM or DER) the signer must chain to (repeatable).")] = None,
) -> None:
    """Check a letter: its seal is intact and covers the whole file, who signed it, the
    embedded case's digest and, given the kit, that its case renders to the same letter.
    One line per finding; exit status 1 if any failed."""
    from .verify import verify
    try:
        findings = verify(letter, kit, tuple(trust or ()))
    except OSError as error:
        _error(f"{letter}: {error.strerror or error}")
        raise typer.Exit(1)
    for finding in findings:
        (out if finding.passed else errors).print(finding.line())
    if not all(finding.passed for finding in findings):
        raise typer.Exit(1)
