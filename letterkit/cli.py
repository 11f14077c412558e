"""The `letterkit` command: thin, it parses arguments and calls the library."""

from __future__ import annotations

import contextlib
import json
import signal
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.progress import Progress

from . import FORMATS, catalogue, compose, LetterkitError, WriterOptions, load_kit, read_case, render_file, validate
from .api import check_rules
from .batch import render_batch
from .batch.progress import BatchProgress
from .batch.sources import count_cases
from .errors import CaseError, printable
from .lint import lint
from .readability import rich_text_grades
from .rules import RuleError
from .preview import Preview, serve
from .scaffold import new_kit

app = typer.Typer(
    help="Compose medical determination letters from blocks; render HTML, PDF and DOCX.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# No markup unless asked for: paths and messages hold what users typed, `[/]` included.
errors = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
out = Console(highlight=False, soft_wrap=True, markup=False)

Cases = Annotated[list[Path], typer.Argument(help="Case files, YAML or JSON.", show_default=False)]
KitOption = Annotated[str, typer.Option("--kit", "-k", help="Built-in kit name, or a kit folder.")]
Templates = Annotated[
    Optional[list[Path]],
    typer.Option("--templates", "-t", help="A folder of blocks that override the kit's (repeatable)."),
]


Strict = Annotated[bool, typer.Option("--strict", help="Check each letter against its kit's legal rules (letterkit rules).")]


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
    formats: Annotated[str, typer.Option("--formats", "-f", help="Comma-separated: html,pdf,docx.")] = ",".join(FORMATS),
    outdir: Annotated[Path, typer.Option("--outdir", "-o", help="Folder for the letters.")] = Path("out"),
    kit: KitOption = "imr",
    templates: Templates = None,
    pdf_variant: Annotated[
        Optional[str], typer.Option("--pdf-variant", help="pdf/a-2b, pdf/a-3b (archival) or pdf/ua-1 (tagged, accessible).")
    ] = None,
    reference_docx: Annotated[
        Optional[Path], typer.Option("--reference-docx", help="A .docx whose Word styles, header and footer replace the kit's.")
    ] = None,
    strict: Strict = False,
) -> None:
    """Render each case to OUTDIR/<case-file-stem>.<format>.

    A case that fails writes no file; the others are still rendered. Exit status 1 if any failed.
    With --strict, a letter that breaks a rule of its kit fails too.
    """
    chosen = _formats(formats)
    options = WriterOptions(pdf_variant=pdf_variant, reference_docx=reference_docx)
    failed = 0
    with Progress(console=errors, transient=True, disable=len(cases) < 2) as progress:
        for case in progress.track(cases, description="Rendering"):
            try:
                paths = render_file(case, outdir, kit, chosen, templates or (), options, strict)
            except LetterkitError as error:
                _report(case, error)
                failed += 1
                continue
            out.print(f"{case} → " + ", ".join(str(path) for path in paths))
    if failed:
        errors.print(f"{failed} of {len(cases)} case(s) failed")
        raise typer.Exit(1)


@app.command()
def batch(
    source: Annotated[Path, typer.Argument(help="A folder of case files, or a .jsonl file (one case per line).", show_default=False)],
    formats: Annotated[str, typer.Option("--formats", "-f", help="Comma-separated: html,pdf,docx.")] = ",".join(FORMATS),
    outdir: Annotated[Path, typer.Option("--outdir", "-o", help="Folder for the letters and manifest.jsonl.")] = Path("out"),
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes.", show_default="one per core")] = None,
    kit: KitOption = "imr",
    templates: Templates = None,
    force: Annotated[bool, typer.Option("--force", help="Render again cases that are unchanged since the last run.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress; only failures and the summary.")] = False,
    pdf_variant: Annotated[Optional[str], typer.Option("--pdf-variant", help="pdf/a-2b, pdf/a-3b or pdf/ua-1.")] = None,
    reference_docx: Annotated[Optional[Path], typer.Option("--reference-docx", help="A .docx whose Word styles replace the kit's.")] = None,
    case_timeout: Annotated[float, typer.Option("--case-timeout", min=0, help="Seconds a case may take before it fails (0: no limit).")] = 120.0,
    strict: Strict = False,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Render on this Dask cluster (tcp://host:8786) instead of local processes; OUTDIR must be shared with its workers.")] = None,
) -> None:
    """Render many cases in parallel to OUTDIR/<case-id>.<format>, with OUTDIR/manifest.jsonl.

    A case id is the case file's name, or a JSON Lines case's "id" field (else its line
    number). Running the same command again resumes: unchanged cases whose files exist
    are skipped. Cases that would write the same files fail, each naming the others.
    One batch at a time may write to OUTDIR. Exit status: 0 if every case rendered,
    1 if any failed, 2 if the batch could not start, 130 if interrupted.
    """
    chosen = _formats(formats)
    options = WriterOptions(pdf_variant=pdf_variant, reference_docx=reference_docx)
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


@app.command("validate")
def validate_command(cases: Cases, kit: KitOption = "imr", templates: Templates = None, strict: Strict = False) -> None:
    """Check case files against the kit's data model, and compose each letter with the
    kit's blocks, without writing a file: what passes here renders.

    With --strict, also check each letter against the kit's legal rules, and warn about
    rich text above the kit's reading grade."""
    failed = 0
    for case in cases:
        try:
            loaded = load_kit(kit, tuple(templates or ()))
            letter = validate(read_case(case), loaded, str(case))
            document = compose(letter, loaded)
            if strict:
                _check_strictly(case, letter, loaded, document)
        except LetterkitError as error:
            _report(case, error)
            failed += 1
            continue
        out.print(f"{case}: valid")
    if failed:
        raise typer.Exit(1)


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
) -> None:
    """List the legal rules the kit's letters answer to: id, citation, check, statement."""
    try:
        found = load_kit(kit).rules
    except LetterkitError as error:
        _error(str(error))
        raise typer.Exit(1)
    if as_json:
        print(json.dumps([rule.describe() for rule in found], indent=2, ensure_ascii=False))
        return
    table = Table(box=None, header_style="bold")
    table.add_column("rule", no_wrap=True)
    for column in ("citation", "check", "statement"):
        table.add_column(column)
    for rule in found:
        table.add_row(rule.id, rule.citation, rule.check + (f" (when {rule.when})" if rule.when else ""),
                      rule.statement)
    _print_table(table)


@app.command()
def blocks(kit: KitOption = "imr", templates: Templates = None) -> None:
    """List the letter's blocks: the file each comes from, and the data each reads."""
    try:
        found = catalogue.blocks(load_kit(kit, tuple(templates or ())))
    except LetterkitError as error:
        _error(str(error))
        raise typer.Exit(1)
    table = Table("block", "from", "reads", box=None, header_style="bold")
    for block in found:
        table.add_row(block.name, block.origin, ", ".join(block.variables))
    _print_table(table)


@app.command("lint")
def lint_command(kit: KitOption = "imr", templates: Templates = None) -> None:
    """Check a kit and your template folder without rendering a case.

    Every block parses, every included block exists, every class a block uses is styled
    in the stylesheets and the reference DOCX, every guideline key resolves.
    """
    try:
        problems = lint(load_kit(kit, tuple(templates or ())))
    except LetterkitError as error:
        problems = [str(error)]
    for problem in problems:
        _error(problem)
    if problems:
        raise typer.Exit(1)
    out.print("no problems found")


@app.command("new-kit")
def new_kit_command(
    folder: Annotated[Path, typer.Argument(help="Folder for the new kit; its name is the kit's name.", show_default=False)],
    extends: Annotated[Optional[str], typer.Option(
        "--extends", help="Build on this kit's model, letter and rules, adding fields in kit.toml.")] = None,
) -> None:
    """Start a kit: a new kind of letter with a model, blocks and an example case; or,
    with --extends, a kit that builds on another kit's letter and adds a field."""
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
    case: Annotated[Path, typer.Argument(help="A case file, YAML or JSON.", show_default=False)],
    kit: KitOption = "imr",
    templates: Templates = None,
    port: Annotated[int, typer.Option("--port", help="Port on localhost.")] = 8000,
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
def variables(kit: KitOption = "imr", templates: Templates = None) -> None:
    """List what blocks can print: the case's fields (those a kit.toml or fields.toml
    declares too) and computed values, with their types."""
    try:
        found = catalogue.kit_fields(load_kit(kit, tuple(templates or ())))
    except LetterkitError as error:
        _error(str(error))
        raise typer.Exit(1)
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


