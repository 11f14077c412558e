"""Sealing as a user meets it: a bad certificate refused in one line, a timestamp from a real
RFC 3161 server (local, over HTTP), long-term validation data that outlives the certificate, a
passphrase asked for at the terminal, and `letterkit.SealKey` carrying any pyHanko signer."""

from __future__ import annotations

import datetime as dt
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from conftest import ROOT
from pki import PASSPHRASE, make_pki
from test_archival import failures
from tsa import timestamp_server

import letterkit

pytestmark = pytest.mark.slow  # keys made, letters sealed, a timestamp server started

LETTERKIT = str(Path(sys.executable).parent / "letterkit")
CASE = ROOT / "examples" / "imr-chiropractic-initial-trial.yaml"
NOW = dt.datetime.now(dt.timezone.utc)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


def run(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([LETTERKIT, *arguments], capture_output=True, text=True,
                          env={key: value for key, value in os.environ.items() if key != "LETTERKIT_SEAL_PASSPHRASE"})


def seal(outdir: Path, key: Path, *extra: str, formats: str = "pdf") -> subprocess.CompletedProcess:
    return run("render", str(CASE), "-f", formats, "--pdf-variant", "archival", "-o", str(outdir),
               "--seal", str(key), "--seal-passphrase", PASSPHRASE, *extra)


def finding(result: subprocess.CompletedProcess, what: str) -> str:
    (line,) = [line for line in (result.stdout + result.stderr).splitlines() if line[5:].startswith(f"{what}:")]
    return line


@pytest.mark.parametrize("when", ["expired", "not yet valid"])
def test_sealing_with_a_certificate_out_of_its_dates_is_refused_in_one_line(pki, tmp_path, when):
    key = (pki.issue("Expired Reviewer", not_after=NOW - dt.timedelta(days=1)) if when == "expired"
           else pki.issue("Premature Reviewer", not_before=NOW + dt.timedelta(days=1)))
    result = seal(tmp_path / "out", key)
    assert result.returncode == 1
    reason = "its certificate expired on" if when == "expired" else "its certificate is not valid until"
    (line, summary) = result.stderr.splitlines()
    assert line.startswith(f"error {CASE}: cannot seal with {key}: {reason}"), line
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_a_timestamp_from_a_local_rfc3161_server_proves_when(pki, tmp_path):
    with timestamp_server(pki) as url:
        result = seal(tmp_path, pki.key, "--timestamp-url", url, formats="pdf,docx")
    assert result.returncode == 0, result.stderr
    for name in (f"{CASE.stem}.pdf", f"{CASE.stem}.docx"):
        verified = run("verify", str(tmp_path / name), "--trust", str(pki.ca_pem))
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert finding(verified, "timestamp").startswith(
            f"ok   timestamp: sealed on {NOW:%Y-%m-%d}"), verified.stdout
        assert "proved by Common Name: letterkit test timestamp authority" in finding(verified, "timestamp")
    checked = subprocess.run([str(Path(LETTERKIT).parent / "pyhanko"), "sign", "validate", "--trust", str(pki.ca_pem),
                              "--trust-replace", "--pretty-print", str(tmp_path / f"{CASE.stem}.pdf")],
                             capture_output=True, text=True)
    assert "The signature is judged VALID." in checked.stdout, checked.stdout + checked.stderr
    assert "Signature timestamp token" in checked.stdout


def test_a_b_lt_letter_verifies_after_its_certificate_expires_and_a_b_b_letter_does_not(pki, tmp_path):
    ends = NOW + dt.timedelta(days=200)
    after = f"{ends + dt.timedelta(days=365):%Y-%m-%d}"
    crl = tmp_path / "ca.crl"
    with timestamp_server(pki, crl=crl) as url:
        key = pki.issue("Short Lived Reviewer", not_after=ends, crl_url=f"{url}ca.crl")
        crl.write_bytes(pki.crl(name="published.crl").read_bytes())  # what the CA publishes at that URL
        long_term = seal(tmp_path / "b-lt", key, "--timestamp-url", url, "--seal-ltv")
        basic = seal(tmp_path / "b-b", key)
    assert long_term.returncode == 0 and basic.returncode == 0, long_term.stderr + basic.stderr
    b_lt, b_b = (tmp_path / folder / f"{CASE.stem}.pdf" for folder in ("b-lt", "b-b"))
    assert b"/DSS" in b_lt.read_bytes() and b"/CRLs" in b_lt.read_bytes()
    assert failures(b_lt.read_bytes(), "3a") == []  # still PDF/A-3a with its validation data
    for letter in (b_lt, b_b):  # both good today
        assert run("verify", str(letter), "--trust", str(pki.ca_pem)).returncode == 0
    later = run("verify", str(b_lt), "--trust", str(pki.ca_pem), "--at", after, "--kit", "imr")
    assert later.returncode == 0, later.stdout + later.stderr
    assert finding(later, "seal") == "ok   seal: letterkit-seal: intact, covers the whole file"
    assert finding(later, "letter").startswith("ok   letter")
    stale = run("verify", str(b_b), "--trust", str(pki.ca_pem), "--at", after)
    assert stale.returncode == 1
    assert finding(stale, "timestamp").startswith(
        f"FAIL timestamp: none, and the certificate expired on {ends:%Y-%m-%d}")


def test_sealing_b_lt_with_a_revoked_certificate_is_refused(pki, tmp_path):
    """Fetching its revocation list for the letter, the seal learns the key was revoked."""
    crl = tmp_path / "ca.crl"
    with timestamp_server(pki, crl=crl) as url:
        key = pki.issue("Revoked Later Reviewer", crl_url=f"{url}ca.crl")
        published = pki.crl(revoked=(key,), revoked_on=NOW - dt.timedelta(days=1), name="published.crl")
        crl.write_bytes(published.read_bytes())
        sealed = seal(tmp_path / "out", key, "--timestamp-url", url, "--seal-ltv")
    assert sealed.returncode == 1
    assert sealed.stderr.splitlines()[0].startswith(f"error {CASE}: cannot add long-term validation data: ")
    assert "was revoked" in sealed.stderr.splitlines()[0]


def on_a_terminal(arguments: list[str], answer: str | None, env: dict[str, str]) -> tuple[int, str]:
    """Run letterkit with a terminal as its controlling terminal and standard input (pty.fork),
    typing `answer` when it asks; its exit status and what the terminal showed."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: letterkit, on the terminal
        os.execve(LETTERKIT, [LETTERKIT, *arguments], env)
    shown, deadline = b"", time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([terminal], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # letterkit exited and closed the terminal
            break
        shown += chunk
        if answer is not None and b"Passphrase of" in shown and _echo_is_off(terminal, deadline):
            os.write(terminal, f"{answer}\n".encode())
            answer = None
    else:
        os.kill(pid, signal.SIGTERM)
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def _echo_is_off(terminal: int, deadline: float) -> bool:
    """Whether the program has turned echo off to read a secret; typed before then, the
    answer would be shown, and flushed when it does (getpass sets the terminal with TCSAFLUSH)."""
    while time.monotonic() < deadline:
        if not termios.tcgetattr(terminal)[3] & termios.ECHO:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def plain_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key != "LETTERKIT_SEAL_PASSPHRASE"}


def test_a_passphrase_is_asked_for_at_the_terminal(pki, tmp_path, plain_env):
    status, shown = on_a_terminal(["render", str(CASE), "-f", "pdf", "-o", str(tmp_path), "--seal", str(pki.key)],
                                  PASSPHRASE, plain_env)
    assert status == 0, shown
    assert f"Passphrase of {pki.key}:" in shown and PASSPHRASE not in shown  # not echoed
    assert (tmp_path / f"{CASE.stem}.pdf").exists()


def test_a_key_without_a_passphrase_is_not_asked_for_one(pki, tmp_path, plain_env):
    key = pki.issue("Open Reviewer", passphrase=None)
    status, shown = on_a_terminal(["render", str(CASE), "-f", "pdf", "-o", str(tmp_path), "--seal", str(key)],
                                  None, plain_env)
    assert status == 0, shown
    assert "Passphrase" not in shown


def test_the_environment_passphrase_is_not_asked_for_again(pki, tmp_path, plain_env):
    status, shown = on_a_terminal(["render", str(CASE), "-f", "pdf", "-o", str(tmp_path), "--seal", str(pki.key)],
                                  None, plain_env | {"LETTERKIT_SEAL_PASSPHRASE": PASSPHRASE})
    assert status == 0, shown
    assert "Passphrase" not in shown


def test_without_a_terminal_no_passphrase_is_asked_for(pki, tmp_path):
    result = subprocess.run([LETTERKIT, "render", str(CASE), "-f", "pdf", "-o", str(tmp_path), "--seal", str(pki.key)],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL,
                            env={k: v for k, v in os.environ.items() if k != "LETTERKIT_SEAL_PASSPHRASE"})
    assert result.returncode == 1
    assert "Passphrase" not in result.stderr
    assert result.stderr.splitlines()[0].startswith(f"error {CASE}: cannot load the sealing key {pki.key}")


def test_seal_key_carries_any_pyhanko_signer(pki, tmp_path):
    """A signer made by the script (here from a PKCS#12 file; an HSM's PKCS11Signer is another kind)."""
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(str(pki.key), passphrase=PASSPHRASE.encode())
    files = letterkit.render(letterkit.read_case(CASE), "imr", ("pdf", "docx"), options=letterkit.WriterOptions(
        pdf_variant="archival", seal=letterkit.SealKey(signer=signer)))
    (tmp_path / "letter.pdf").write_bytes(files["pdf"])
    (tmp_path / "letter.docx").write_bytes(files["docx"])
    (tmp_path / "letter.docx.p7s").write_bytes(files["docx.p7s"])
    for name in ("letter.pdf", "letter.docx"):
        result = run("verify", str(tmp_path / name), "--trust", str(pki.ca_pem))
        assert result.returncode == 0, result.stdout + result.stderr
    with pytest.raises(ValueError):
        letterkit.SealKey()


VISIBLE_KIT = """extends = "imr"

[seal]
page = -1
box = [36, 4, 280, 44]
font_size = 7
"""


def test_a_kit_can_show_its_seal_on_the_page_it_names(pki, tmp_path):
    """Who sealed, when and how to check, drawn in the box the kit gives on its last page; the
    letter stays PDF/A-3a and PDF/UA-1, and verifies."""
    from PIL import Image

    kit = tmp_path / "visible"
    kit.mkdir()
    (kit / "kit.toml").write_text(VISIBLE_KIT)
    result = run("render", str(CASE), "--kit", str(kit), "-f", "pdf", "--pdf-variant", "archival", "-o",
                 str(tmp_path / "visible-out"), "--seal", str(pki.key), "--seal-passphrase", PASSPHRASE)
    assert result.returncode == 0, result.stderr
    assert seal(tmp_path / "invisible-out", pki.key).returncode == 0
    visible, invisible = (tmp_path / folder / f"{CASE.stem}.pdf" for folder in ("visible-out", "invisible-out"))
    data = visible.read_bytes()
    assert failures(data, "3a") == [] and failures(data, "ua1") == []
    verified = run("verify", str(visible), "--trust", str(pki.ca_pem), "--kit", str(kit))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert b"/ActualText (Sealed by Test Review Organisation)" in data

    def ink_in_the_box(pdf: Path) -> int:  # dark pixels where the kit put the seal, on the last page, at 72 dpi
        pages = int(next(line.split()[1] for line in subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                                      text=True).stdout.splitlines()
                         if line.startswith("Pages:")))
        subprocess.run(["pdftoppm", "-gray", "-r", "72", "-f", str(pages), "-l", str(pages), "-singlefile", str(pdf),
                        str(pdf.with_suffix(""))], check=True)
        with Image.open(pdf.with_suffix(".pgm")) as page:
            box = page.crop((36 + 4, page.height - 44 + 4, 280 - 4, page.height - 4 - 4))
            return sum(box.convert("L").histogram()[:128])

    assert ink_in_the_box(invisible) == 0
    assert ink_in_the_box(visible) > 200
