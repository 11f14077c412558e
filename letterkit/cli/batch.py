"""`letterkit batch`: many cases in parallel, a manifest line each, a progress bar, and the mail house's print file."""

from __future__ import annotations

import datetime
import signal
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from .. import LetterkitError, WriterOptions, load_kit
from ..batch import render_batch
from ..batch.progress import BatchProgress
from ..batch.schedulers import connect
from ..batch.sources import count_cases
from ..batch.storage import is_remote, storage_options_from
from ..errors import printable
from ..mail.imb import Tracking
from ..mail.print_file import SORTS, VARIANTS, ImbOptions, PrintOptions, write_print_file
from ..mail.render import MailJob
from ..writers import DEFAULT_FORMATS
from . import options as o
from .exits import FAILED, INTERRUPTED, UNPRINTED, USAGE, reporting_errors
from .terminal import error, errors, out

_MAIL = "Mail"  # the help's panel of the print file's options


@reporting_errors(letterkit_error=USAGE)  # a letterkit error here: the batch could not start
def batch(
    source: Annotated[str, typer.Argument(
        help="A folder of case files, or a .jsonl file (one case per line); local, or a URL such as s3://bucket/cases/.",
        show_default=False, metavar="SOURCE")],
    formats: o.Formats = ",".join(DEFAULT_FORMATS),
    outdir: Annotated[str, typer.Option(
        "--outdir", "-o", help="Folder for the letters and manifest.jsonl; local, or a URL such as s3://bucket/letters/.",
        metavar="DIR")] = "out",
    jobs: Annotated[Optional[int], typer.Option(
        "--jobs", "-j", min=1, help="Worker processes.", show_default="one per core", metavar="N")] = None,
    kit: o.Kit = "imr",
    templates: o.Templates = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Render again cases that are unchanged since the last run.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress; only failures and the summary.")] = False,
    pdf_variant: o.PdfVariant = None,
    reference_docx: o.ReferenceDocx = None,
    case_timeout: o.CaseTimeout = 120.0,
    strict: o.Strict = False,
    seal: o.Seal = None,
    seal_passphrase: o.SealPassphrase = None,
    timestamp_url: o.TimestampUrl = None,
    seal_ltv: o.SealLtv = False,
    scheduler: Annotated[Optional[str], typer.Option(
        "--scheduler", metavar="ADDRESS",
        help="Render on this cluster instead of local processes: Dask (tcp://host:8786), "
             "Ray (ray://host:10001, or ray:auto for Ray on this machine); "
             "its workers must reach SOURCE and DIR.")] = None,
    storage_options: Annotated[Optional[str], typer.Option(
        "--storage-options", metavar="JSON",
        help='fsspec options for URLs, e.g. {"endpoint_url": "http://minio:9000"}; '
             'credentials come from the environment (AWS_ACCESS_KEY_ID...), never from here.')] = None,
    audit_log: o.AuditLog = None,
    dpi: o.Dpi = WriterOptions.dpi,
    profile: o.Profile = None,
    print_file: Annotated[Optional[Path], typer.Option(
        "--print-file", metavar="FILE",
        help="After the batch, one PDF of every mail piece of its successful letters, and DIR/mailpieces.csv.",
        rich_help_panel=_MAIL)] = None,
    duplex: Annotated[bool, typer.Option(
        "--duplex", help="Pad each piece to an even number of pages.", rich_help_panel=_MAIL)] = False,
    sort: Annotated[str, typer.Option(
        "--sort", metavar="ORDER", help="Order of the pieces: zip, case or none.", rich_help_panel=_MAIL)] = "none",
    print_file_variant: Annotated[Optional[str], typer.Option(
        "--print-file-variant", metavar="VARIANT", help="pdf/vt: pieces drawn as PDF/X-4, the file marked PDF/VT-1.",
        rich_help_panel=_MAIL)] = None,
    mail_date: Annotated[Optional[datetime.datetime], typer.Option(
        "--mail-date", formats=["%Y-%m-%d"], metavar="DATE", show_default="today",
        help="Letters dated otherwise (YYYY-MM-DD) are left out of the print file.", rich_help_panel=_MAIL)] = None,
    resequence: Annotated[Optional[Path], typer.Option(
        "--resequence", metavar="FILE", help="Rebuild the print file in the order of this mailpieces.csv.",
        rich_help_panel=_MAIL)] = None,
    reprint: Annotated[Optional[str], typer.Option(
        "--reprint", metavar="PIECE_ID[,PIECE_ID...]", help="A print file of just these pieces, with new IMb serials.",
        rich_help_panel=_MAIL)] = None,
    imb: Annotated[bool, typer.Option(
        "--imb", help="Print a USPS Intelligent Mail barcode under each address.", rich_help_panel=_MAIL)] = False,
    mailer_id: Annotated[Optional[str], typer.Option(
        "--mailer-id", metavar="N", help="Your USPS Mailer ID (6 or 9 digits).", rich_help_panel=_MAIL)] = None,
    service_type: Annotated[Optional[str], typer.Option(
        "--service-type", metavar="N", help="The IMb Service Type ID (3 digits).", rich_help_panel=_MAIL)] = None,
    imb_serials: Annotated[Optional[Path], typer.Option(
        "--imb-serials", metavar="FILE", show_default="one per user", help="The store of IMb serials issued.",
        rich_help_panel=_MAIL)] = None,
    pdf_engine: o.PdfEngine = "weasyprint",
) -> int | None:
    """Render many cases in parallel to DIR/ID.FORMAT, with DIR/manifest.jsonl.

    A case's ID is the case file's name, or a JSON Lines case's "id" field (else its line
    number). Running the same command again resumes: unchanged cases whose files exist
    are skipped. Cases that would write the same files fail, each naming the others.
    One batch at a time may write to DIR. Exit status: 0 if every case rendered,
    1 if any failed, 2 if the batch could not start, 3 if the letters are done but the
    print file could not be made, 130 if interrupted.
    """
    chosen = o.formats(formats)
    writing = o.writer_options(pdf_engine, pdf_variant, reference_docx=reference_docx,
                               seal=o.seal_key(seal, seal_passphrase, timestamp_url, seal_ltv), dpi=dpi)
    signal.signal(signal.SIGTERM, _interrupt)
    storage = storage_options_from(storage_options)
    total = count_cases(source, storage)
    if print_file is not None and is_remote(outdir):
        raise typer.BadParameter("the print file is made from letters in a local DIR", param_hint="'--print-file'")
    progress = BatchProgress(total, errors, quiet)
    try:
        with connect(scheduler, jobs) as executor, progress:
            printing = _print_options(print_file, duplex, sort, print_file_variant, mail_date, resequence, reprint,
                                      imb, mailer_id, service_type, imb_serials, force, kit, templates)
            summary = render_batch(source, outdir, kit, chosen, templates or (), writing, jobs=jobs,
                                   force=force, on_result=progress, case_timeout=case_timeout or None,
                                   strict=strict, executor=executor, storage_options=storage, audit_log=audit_log,
                                   mail=MailJob(print_file_variant, strict, imb) if printing else None, profile=profile)
    except KeyboardInterrupt:
        errors.print(_interrupted(progress.done, total, outdir, force))
        return INTERRUPTED
    for warning in summary.warnings:
        errors.print(f"warning {printable(warning)}")
    out.print(f"{summary.rendered} rendered, {summary.failed} failed, {summary.skipped} unchanged "
              f"(skipped) in {_elapsed(progress)}; manifest: {summary.manifest}")
    try:
        printed = write_print_file(Path(outdir), printing) if printing else None
    except LetterkitError as failure:  # the letters are written: only the print file is to make again
        error(f"the letters are done, the print file is not: {' '.join(failure.lines())}; run the same command "
              "again to make it (unchanged letters are skipped)")
        return UNPRINTED
    if printed:
        for line in printed.left_out:
            errors.print(f"[yellow]left out[/yellow] {escape(printable(line))}", markup=True)
        out.print(f"print file: {printed.path}, {printed.pieces} pieces, {printed.pages} pages; {printed.csv}")
    return FAILED if summary.failed else None


def _interrupted(done: int, total: int | None, outdir: str, force: bool) -> str:
    """What a stopped batch left, and how to go on: --force again would render every case anew."""
    again = ("Run the same command without --force to resume (with it, every case is rendered again)"
             if force else "Run the same command again to resume")
    return f"interrupted: {done} of {total} cases finished; every file in {outdir} is complete. {again}."


def _print_options(print_file, duplex, sort, variant, mail_date, resequence, reprint, imb, mailer_id, service_type,
                   imb_serials, force, kit, templates) -> PrintOptions | None:
    """The print file's options; a mistake among them stops the batch before it starts."""
    if print_file is None:
        if duplex or resequence or reprint or imb or variant or sort != "none":
            raise LetterkitError("--duplex, --sort, --resequence, --reprint, --imb and --print-file-variant "
                                 "go with --print-file FILE")
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
                        imb_options, loaded, resequence,
                        tuple(p.strip() for p in reprint.split(",") if p.strip()) if reprint else (), force)


def _elapsed(progress: BatchProgress) -> str:
    seconds = time.monotonic() - progress.started
    return f"{seconds:.1f} s" if seconds < 120 else time.strftime("%H:%M:%S", time.gmtime(seconds))


def _interrupt(signum, frame) -> None:
    # SIGTERM stops a batch as Ctrl-C does: workers stopped, manifest consistent.
    raise KeyboardInterrupt
