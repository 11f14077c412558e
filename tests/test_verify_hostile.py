"""`verify --kit` and `extract` on hostile letters: a letter may be anyone's, and so may the case
it carries. The embedded case is rendered only once the seal and the signer passed, as strictly
as a case file is read and within the batch's time limit; every malformed case is one line;
`extract` refuses a broken seal and never writes a control character to a terminal."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from conftest import ROOT
from pki import PASSPHRASE, make_pki

import letterkit
from letterkit.seal import SealKey, seal_pdf

pytestmark = pytest.mark.slow  # letters sealed, verified and extracted in subprocesses

LETTERKIT = [str(Path(sys.executable).parent / "letterkit")]
CASE = ROOT / "examples" / "imr-chiropractic-initial-trial.yaml"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


def carrying(unsealed: bytes, case_json: bytes, key: Path | None, path: Path) -> Path:
    """The letter with `case_json` put in its place, the XMP's record made to match, sealed
    by `key`: what a key holder (or, unsealed, anyone) could send."""
    with pikepdf.open(io.BytesIO(unsealed)) as pdf:
        stream = pdf.Root.AF[0].EF.F
        old = hashlib.sha256(stream.read_bytes()).hexdigest().encode()
        stream.write(case_json)
        digest = hashlib.sha256(case_json).hexdigest().encode()
        pdf.Root.Metadata.write(pdf.Root.Metadata.read_bytes().replace(old, digest))
        out = io.BytesIO()
        pdf.save(out)
    path.write_bytes(seal_pdf(out.getvalue(), SealKey(key, PASSPHRASE)) if key else out.getvalue())
    return path


def run(*arguments: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*LETTERKIT, *arguments], capture_output=True, **kwargs)


def many_items(count: int = 20_000) -> bytes:
    case = json.loads(json.dumps(letterkit.read_case(CASE)))
    case["items"] = case["items"][:1] * count
    return json.dumps(case).encode()


MALFORMED = {  # the case a letter carries (made when the test runs), and what its one line says
    "deep nesting": (lambda: b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, "nested more than 64 levels deep"),
    "cut-off JSON": (lambda: b'{"letter_date": "2014-01-27", "organisation": {"name": "MAXI', "invalid JSON"),
    "invalid UTF-8": (lambda: b'{"letter_date": "\xff\xfe"}', "not UTF-8 (byte 17)"),
    "a 100,000-digit number": (lambda: b'{"n": ' + b"9" * 100_000 + b"}", "a number of 100000 digits"),
    "20,000 items": (many_items, "44,102,580 bytes; no case is larger than 16 MB"),
    "2,000 items": (lambda: many_items(2_000), "took longer than 3 s to render (--case-timeout)"),
    "2,001 items": (lambda: many_items(2_001), "items: has 2,001 entries; a list in a case holds 2,000 at most"),
}


@pytest.mark.parametrize("kind", MALFORMED)
def test_each_malformed_embedded_case_is_one_line(unsealed, pki, tmp_path, kind):
    make, reason = MALFORMED[kind]
    letter = carrying(unsealed, make(), pki.key, tmp_path / "hostile.pdf")
    result = run("verify", str(letter), "--kit", "imr", "--trust", str(pki.ca_pem), "--case-timeout", "3", text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    (line,) = [line for line in result.stderr.splitlines() if " letter: " in line]
    assert line.startswith("FAIL letter: the embedded case does not render with kit imr: ") and reason in line, line
    assert len(result.stderr.splitlines()) == 1, result.stderr


def test_a_hostile_case_behind_a_broken_seal_is_never_rendered(unsealed, pki, tmp_path):
    letter = carrying(unsealed, many_items(), pki.key, tmp_path / "hostile.pdf")
    data = bytearray(letter.read_bytes())
    at = data.index(b"<letterkit:kit>imr") + len(b"<letterkit:kit>")
    data[at] += 1
    letter.write_bytes(bytes(data))
    result = run("verify", str(letter), "--kit", "imr", "--trust", str(pki.ca_pem), "--case-timeout", "0", text=True)
    assert result.returncode == 1
    assert "??   letter: not rendered: the seal, signer or case did not pass" in result.stderr


def test_a_hostile_case_by_an_untrusted_signer_is_never_rendered(unsealed, tmp_path):
    stranger = make_pki(tmp_path / "stranger", signer="Someone Else")
    issuer = make_pki(tmp_path / "issuer")
    letter = carrying(unsealed, many_items(), stranger.key, tmp_path / "hostile.pdf")
    result = run("verify", str(letter), "--kit", "imr", "--trust", str(issuer.ca_pem), "--case-timeout", "0", text=True)
    assert result.returncode == 1
    assert "??   letter: not rendered" in result.stderr


@pytest.fixture(scope="module")
def broken(unsealed, pki, tmp_path_factory) -> Path:
    """A sealed letter with one byte of its XMP changed after the seal."""
    path = tmp_path_factory.mktemp("broken") / "broken.pdf"
    data = bytearray(seal_pdf(unsealed, SealKey(pki.key, PASSPHRASE)))
    at = data.index(b"<letterkit:kit>imr") + len(b"<letterkit:kit>")
    data[at] += 1
    path.write_bytes(bytes(data))
    return path


def test_extract_refuses_a_broken_seal_and_says_why(broken):
    result = run("extract", str(broken), text=True)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error {broken}: the seal is broken (letterkit-seal: broken: the file's bytes were changed after it was "
        "sealed); nothing extracted (--force extracts it anyway)"]


def test_extract_with_force_warns_and_extracts(broken):
    result = run("extract", str(broken), "--force", text=True)
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        f"warning {broken}: the seal is broken (letterkit-seal: broken: the file's bytes were changed after it "
        "was sealed); the case below may not be the one that was sealed"]
    assert json.loads(result.stdout)["case"]["imr_number"] == "CM13-0062815"


def test_extract_warns_of_a_letter_without_a_seal(unsealed, tmp_path):
    (tmp_path / "plain.pdf").write_bytes(unsealed)
    result = run("extract", str(tmp_path / "plain.pdf"), text=True)
    assert result.returncode == 0
    assert result.stderr.splitlines() == [f"warning {tmp_path / 'plain.pdf'}: carries no seal: nothing shows this "
                                          "case is the one the letter was rendered from"]


ESCAPES = b'{"note": "\x1b[2J\x1b]0;owned\x07 and \xc2\x9b31m C1"}\n'  # clear screen, set title, C1 CSI


def on_a_terminal(*arguments: str) -> tuple[bytes, bytes]:
    """What a command writes to a terminal (a pseudo-terminal here) on stdout, and to stderr."""
    master, slave = pty.openpty()
    process = subprocess.Popen([*LETTERKIT, *arguments], stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    shown = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal's other end is closed: the command is done
            break
        if not chunk:
            break
        shown.append(chunk)
    _, stderr = process.communicate()
    os.close(master)
    return b"".join(shown), stderr


def test_extract_writes_no_control_character_to_a_terminal(unsealed, pki, tmp_path):
    letter = carrying(unsealed, ESCAPES, pki.key, tmp_path / "escapes.pdf")
    shown, stderr = on_a_terminal("extract", str(letter))
    assert stderr == b""
    assert b"\x1b" not in shown and b"\x07" not in shown and b"\xc2\x9b" not in shown
    assert b"\\x1b[2J\\x1b]0;owned\\x07 and \\x9b31m C1" in shown


def test_extract_piped_writes_the_case_exactly(unsealed, pki, tmp_path):
    letter = carrying(unsealed, ESCAPES, pki.key, tmp_path / "escapes.pdf")
    result = run("extract", str(letter))
    assert result.returncode == 0
    assert result.stdout == ESCAPES  # the bytes whose SHA-256 the letter records
