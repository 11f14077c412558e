"""`letterkit verify` and `extract`: what a sealed letter proves, and the case inside an archival one."""

from __future__ import annotations

import datetime
import hashlib
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import audit
from ..errors import printable
from . import options as o
from .exits import FAILED, reporting_errors
from .terminal import answer, error, errors, out, warning


@reporting_errors()
def extract(
    letter: Annotated[Path, typer.Argument(help="An archival PDF (--pdf-variant archival).", show_default=False,
                                           metavar="LETTER")],
    force: Annotated[bool, typer.Option("--force", help="Extract even from a letter whose seal is broken.")] = False,
) -> int | None:
    """Print the case an archival PDF was rendered from, as JSON.

    A letter whose seal is broken (changed after it was sealed) is refused, exit status 1;
    --force extracts it with a warning. Piped or redirected, the case's bytes are written
    exactly as the letter holds them; on a terminal, control characters are shown
    escaped (\\x1b), so that no byte of a letter can act on the terminal."""
    from ..archive import extract as extract_case
    from ..certificates import Trust
    from ..verify import FAIL, seal_findings
    data = letter.read_bytes()
    seal, sealed_revision = seal_findings(data, Trust(unchecked_on_purpose=True))
    case_json = extract_case(data, str(letter)).record.case_json
    broken = [finding.detail for finding in seal if finding.what == "seal" and finding.verdict == FAIL]
    if not sealed_revision:
        warning(f"{letter}: carries no seal: nothing shows this case is the one the letter was rendered from")
    elif broken and not force:
        error(f"{letter}: the seal is broken ({broken[0]}); nothing extracted (--force extracts it anyway)")
        return FAILED
    elif broken:
        warning(f"{letter}: the seal is broken ({broken[0]}); the case below may not be the one that was sealed")
    _print_case(case_json)
    return None


def _print_case(case_json: bytes) -> None:
    if sys.stdout.isatty():
        text = case_json.decode("utf-8", errors="backslashreplace")
        answer("\n".join(printable(line) for line in text.split("\n")))
    else:
        answer(case_json)


@reporting_errors()
def verify_command(
    letter: Annotated[Path, typer.Argument(help="A sealed PDF, or a DOCX with its .p7s beside it.", show_default=False,
                                           metavar="LETTER")],
    kit: Annotated[Optional[str], typer.Option(
        "--kit", "-k", metavar="KIT",
        help="Also render the embedded case with this kit and compare the letter.")] = None,
    trust: Annotated[Optional[list[Path]], typer.Option(
        "--trust", help="Root certificates (a PEM or DER file, or a folder of them) the signer must chain to "
                        "(repeatable); default: what LETTERKIT_TRUST names.", metavar="FILE|DIR")] = None,
    crl: Annotated[Optional[list[Path]], typer.Option(
        "--crl", help="A certificate revocation list (PEM or DER) to check the signer against (repeatable).",
        metavar="FILE")] = None,
    at: Annotated[Optional[datetime.datetime], typer.Option(
        "--at", formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"], metavar="DATE",
        help="Judge the seal as of this date (UTC), YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, not now.")] = None,
    no_trust: Annotated[bool, typer.Option(
        "--no-trust", help="Accept any signer on purpose: its certificate is named but not checked.")] = False,
    case_timeout: Annotated[float, typer.Option(
        "--case-timeout", min=0, metavar="SECONDS",
        help="Seconds rendering the embedded case may take, with --kit (0: no limit).")] = 120.0,
    audit_log: o.AuditLog = None,
) -> int:
    """Check a letter: its seal is intact and covers the whole file, who sealed it and that
    they chain to a root you trust, when (a timestamp), the embedded case's digest and,
    given the kit, that its case renders to the same letter.

    One line per finding: ok, FAIL, note, or ?? (not checked). Exit status 0 when all
    passed, 1 when one failed, 3 when none failed but the signer was not checked (no
    --trust nor LETTERKIT_TRUST; --no-trust accepts any signer on purpose)."""
    from ..certificates import load_trust
    from ..verify import NOTE, OK, exit_status, verify
    findings = verify(letter, kit, load_trust(trust or (), crl or (), at, no_trust), case_timeout or None)
    for finding in findings:
        (out if finding.verdict in (OK, NOTE) else errors).print(printable(finding.line()))
    status = exit_status(findings)
    if audit_log is not None:
        audit.append(audit_log, audit.record(
            command="verify", file=str(letter), sha256=hashlib.sha256(letter.read_bytes()).hexdigest(),
            passed=status == 0, findings=[finding.line() for finding in findings]))
    return status
