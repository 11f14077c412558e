"""The options and arguments more than one command takes, each defined once so that its
name, metavar and help cannot drift between commands; and their checks, made as the
command line is read: one usage error, not the same error for every case.

Metavars are written as pandoc and git users read them: CASE..., FILE, DIR, KIT,
FORMAT[,FORMAT...], DATE — never a Python type.
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Optional

import typer
import typer.core

from .. import FORMATS, LetterkitError, WriterOptions, audit, load_kit
from ..kits import builtin_kits
from ..profiles import PROFILES
from ..writers import PDF_ENGINES
from ..writers.pdf import PDF_VARIANTS
from ..writers.typst_pdf import VARIANTS as TYPST_VARIANTS


def _usage_name(self: typer.core.TyperArgument) -> str:
    """CASE... and [CASE]..., as in pandoc's and git's usage lines (typer writes {CASE}...)."""
    name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
    return name + ("..." if self.nargs != 1 else "")


typer.core.TyperArgument._usage_display_name = _usage_name  # type: ignore[method-assign]
# typer prints each argument's Python type in --help (<list[Path]>); its metavar says what it is.
typer.core.TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]

STREAM = "-"  # a case read from standard input, or a letter written to standard output


def complete_from(names: Callable[[], Iterable[str]]) -> Callable[[str], list[str]]:
    """Shell completion: the names that start with what was typed."""
    return lambda incomplete: [name for name in names() if name.startswith(incomplete)]


def _choice(choices: Iterable[str], value: str | None) -> str | None:
    if value is not None and value not in choices:
        raise typer.BadParameter(f"choose from {', '.join(choices)} (got {value!r})")
    return value


def _kit(value: str | None) -> str | None:
    """The kit, loaded as the command line is read: a kit that is not there, or does not
    load, is one usage error. (A template folder's mistakes are reported with each case,
    as the block's are.)"""
    if value is not None:
        try:
            load_kit(value)
        except LetterkitError as error:
            raise typer.BadParameter(str(error)) from None
    return value


def _reference_docx(value: Path | None) -> Path | None:
    if value is not None and not (value.is_file() and zipfile.is_zipfile(value)):
        raise typer.BadParameter(f"{value} is not a .docx file" if value.exists() else f"no such file {value}")
    return value


def formats(value: str) -> tuple[str, ...]:
    """"html,pdf" → ("html", "pdf"), each a format of the writers' registry."""
    chosen = tuple(part.strip() for part in value.split(",") if part.strip())
    if not chosen or any(name not in FORMATS for name in chosen):
        raise typer.BadParameter(f"choose from {', '.join(FORMATS)} (got {value!r})", param_hint="'--formats' / '-f'")
    return chosen


def complete_formats(incomplete: str) -> list[str]:
    """`html,p` → `html,pdf`: the last name of a comma-separated list completed."""
    done, _, last = incomplete.rpartition(",")
    return [f"{done},{name}" if done else name for name in FORMATS if name.startswith(last)]


def writer_options(pdf_engine: str, pdf_variant: str | None, **others) -> WriterOptions:
    """The writers' options, the engine and variant checked together."""
    if pdf_engine not in PDF_ENGINES:
        raise typer.BadParameter(f"choose from {', '.join(PDF_ENGINES)} (got {pdf_engine!r})",
                                 param_hint="'--pdf-engine'")
    if pdf_engine == "typst" and pdf_variant not in (None, *TYPST_VARIANTS):
        raise typer.BadParameter(f"the typst engine writes a plain or an archival PDF, not {pdf_variant}",
                                 param_hint="'--pdf-variant'")
    return WriterOptions(pdf_variant=pdf_variant, pdf_engine=pdf_engine, **others)


def seal_key(seal: Path | None, passphrase: str | None, timestamp_url: str | None, long_term: bool = False):
    """The key to seal with. Without a passphrase (--seal-passphrase, LETTERKIT_SEAL_PASSPHRASE),
    a key that does not open without one is asked for it, when a person is at the terminal."""
    if seal is None:
        return None
    from ..seal import SealKey, opens  # pyHanko takes a second to import: only when sealing
    if passphrase is None and sys.stdin.isatty() and seal.is_file() and not opens(seal, None):
        passphrase = typer.prompt(f"Passphrase of {seal}", hide_input=True, err=True)
    return SealKey(seal, passphrase, timestamp_url, long_term)


FORMATS_HELP = f"Comma-separated: {','.join(FORMATS)}."  # the writers' registry's names
FORMATS_METAVAR = "FORMAT[,FORMAT...]"

Cases = Annotated[list[Path], typer.Argument(help="Case files, YAML or JSON.",
                                             show_default=False, metavar="CASE")]
Case = Annotated[Path, typer.Argument(help="A case file, YAML or JSON.", show_default=False, metavar="CASE")]
Kit = Annotated[str, typer.Option("--kit", "-k", help="Built-in kit name (letterkit kits), or a kit folder.",
                                  metavar="KIT", autocompletion=complete_from(builtin_kits))]
# For commands that take cases: a case may name its kit (`kit: ur`), used when --kit is not given.
CaseKit = Annotated[Optional[str], typer.Option(
    "--kit", "-k", help="Built-in kit name, or a kit folder [default: the case's `kit:`, else imr].",
    metavar="KIT", callback=_kit, autocompletion=complete_from(builtin_kits))]
Templates = Annotated[Optional[list[Path]], typer.Option(
    "--templates", "-t", help="A folder of blocks that override the kit's (repeatable).", metavar="DIR")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON on standard output, for other tools.")]
Strict = Annotated[bool, typer.Option(
    "--strict", help="Check each letter against its kit's legal rules (letterkit rules).")]
Language = Annotated[Optional[str], typer.Option(
    "--language", "-l", metavar="LANG", help="Write the letter in this language (es), or in two, one after the other "
    "in one file (en+es); default: the case's `language`.")]
CaseTimeout = Annotated[float, typer.Option(
    "--case-timeout", min=0, metavar="SECONDS", help="Seconds a case may take before it fails (0: no limit).")]
AuditLog = Annotated[Optional[Path], typer.Option(
    "--audit-log", envvar=audit.ENVIRONMENT, metavar="FILE", show_default=False,
    help="Append one JSON line per letter rendered, sealed or verified to FILE: when, who, which "
         "letterkit, what, with which options.")]

# What the writers are asked for
Formats = Annotated[str, typer.Option("--formats", "-f", help=FORMATS_HELP, metavar=FORMATS_METAVAR,
                                      autocompletion=complete_formats)]
PdfVariant = Annotated[Optional[str], typer.Option(
    "--pdf-variant", metavar="VARIANT", callback=lambda value: _choice(PDF_VARIANTS, value),
    autocompletion=complete_from(lambda: PDF_VARIANTS),
    help="pdf/a-2b, pdf/a-3b, pdf/ua-1 (tagged, accessible), "
         "or archival (pdf/a-3a+ua-1: both at once, with the case inside).")]
PdfEngine = Annotated[str, typer.Option(
    "--pdf-engine", metavar="ENGINE", help=f"What lays the PDF out: {' or '.join(PDF_ENGINES)} (about 10x faster; "
    "plain or archival PDF). Same words, same pages.")]
ReferenceDocx = Annotated[Optional[Path], typer.Option(
    "--reference-docx", metavar="FILE", callback=_reference_docx,
    help="A .docx whose Word styles, header and footer replace the kit's.")]
Dpi = Annotated[int, typer.Option(
    "--dpi", min=18, max=1200, help="Resolution of the page pictures (-f png), in dots per inch.", metavar="DPI")]
Profile = Annotated[Optional[str], typer.Option(
    "--profile", help="large-print: no text below the kit's large-print floor (18 pt unless the kit says).",
    metavar="PROFILE", callback=lambda value: _choice(PROFILES, value))]

# Sealing
Seal = Annotated[Optional[Path], typer.Option(
    "--seal", help="Sign each PDF (PAdES) and DOCX (a .p7s beside it) with this PKCS#12 key (a .p12 file).",
    metavar="FILE")]
SealPassphrase = Annotated[Optional[str], typer.Option(
    "--seal-passphrase", envvar="LETTERKIT_SEAL_PASSPHRASE", help="The key's passphrase.", show_default=False,
    metavar="PASSPHRASE")]
TimestampUrl = Annotated[Optional[str], typer.Option(
    "--timestamp-url", help="An RFC 3161 timestamp service: the PDF's seal becomes PAdES-B-T.", metavar="URL")]
SealLtv = Annotated[bool, typer.Option(
    "--seal-ltv", help="Embed the certificate chain and its revocation data in the PDF (PAdES-B-LT), so that "
                       "its seal can be checked after the certificate expires; with --timestamp-url.")]
