"""One voice: on a user's terminal only letterkit speaks. Each command that seals,
verifies or extracts, given a self-signed key, a wrong trust root or a damaged file,
writes on stderr only lines letterkit wrote: no library's warning, log or traceback."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from pki import PASSPHRASE, make_pki, make_self_signed

pytestmark = pytest.mark.slow  # every sealing and verifying command run as a user would

LETTERKIT = [str(Path(sys.executable).parent / "letterkit")]
CASE = ROOT / "examples" / "imr-chiropractic-initial-trial.yaml"
# the lines letterkit itself writes on stderr: an error, a warning, a failed or unchecked finding, a case
OURS = re.compile(r"^(error|warning|FAIL|failed|\?\?) +\S|^\d+ of \d+ case\(s\) failed$")


def run(*arguments: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*LETTERKIT, *arguments], capture_output=True, text=True, cwd=cwd)


def strangers(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip() and not OURS.match(line)]


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    return {"issuer": make_pki(folder / "issuer"), "other": make_pki(folder / "other", signer="Someone Else"),
            "self-signed": make_self_signed(folder / "forger")}


@pytest.fixture(scope="module")
def letters(tmp_path_factory, keys):
    """The seed letter, archival, sealed with the issuer's key and with the self-signed one,
    and a copy of the first with one byte changed."""
    folder = tmp_path_factory.mktemp("letters")
    made = {}
    for name, key in (("issuer", keys["issuer"].key), ("self-signed", keys["self-signed"])):
        result = run("render", str(CASE), "-f", "pdf", "--pdf-variant", "archival", "-o", str(folder / name),
                     "--seal", str(key), "--seal-passphrase", PASSPHRASE)
        assert result.returncode == 0 and strangers(result.stderr) == [], result.stderr
        made[name] = folder / name / f"{CASE.stem}.pdf"
    damaged = bytearray(made["issuer"].read_bytes())
    middle = len(damaged) // 2
    damaged[middle] = (damaged[middle] + 1) % 256
    (folder / "damaged.pdf").write_bytes(bytes(damaged))
    made["damaged"] = folder / "damaged.pdf"
    (folder / "not-a-pdf.pdf").write_bytes(b"%PDF-1.7\nthis is not a PDF at all\n")
    made["not-a-pdf"] = folder / "not-a-pdf.pdf"
    return made


@pytest.mark.parametrize("letter", ["issuer", "self-signed", "damaged", "not-a-pdf"])
@pytest.mark.parametrize("trust", ["issuer", "other", None])
def test_verify_speaks_alone(letters, keys, letter, trust):
    result = run("verify", str(letters[letter]), *(["--trust", str(keys[trust].ca_pem)] if trust else []))
    assert strangers(result.stderr) == []
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("letter", ["issuer", "self-signed", "damaged", "not-a-pdf"])
def test_extract_speaks_alone(letters, letter):
    result = run("extract", str(letters[letter]))
    assert strangers(result.stderr) == []


@pytest.mark.parametrize("key", ["self-signed", "wrong passphrase", "not a key"])
def test_render_with_a_seal_speaks_alone(tmp_path, keys, key):
    path = {"self-signed": keys["self-signed"], "wrong passphrase": keys["issuer"].key,
            "not a key": CASE}[key]
    passphrase = "wrong" if key == "wrong passphrase" else PASSPHRASE
    result = run("render", str(CASE), "-f", "pdf", "-o", str(tmp_path), "--seal", str(path),
                 "--seal-passphrase", passphrase)
    assert strangers(result.stderr) == []
    assert (result.returncode == 0) == (key == "self-signed"), result.stderr


def test_a_sealed_batch_speaks_alone(tmp_path, keys):
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(CASE, cases)
    (cases / "broken.yaml").write_text("case_number: [unclosed\n")
    result = run("batch", str(cases), "-f", "pdf", "-o", str(tmp_path / "out"), "--quiet", "--jobs", "1",
                 "--seal", str(keys["self-signed"]), "--seal-passphrase", PASSPHRASE)
    assert result.returncode == 1
    assert strangers(result.stderr) == []


@pytest.mark.parametrize("module", ["letterkit", "letterkit.seal", "letterkit.verify", "letterkit.archive"])
def test_importing_letterkit_in_a_script_is_silent_even_with_warnings_as_errors(module):
    result = subprocess.run([sys.executable, "-W", "error", "-c", f"import {module}"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_the_debug_log_shows_what_was_quieted(letters, keys):
    """What letterkit quiets is not lost: LETTERKIT_DEBUG=1 shows the libraries' log."""
    import os
    quiet = run("verify", str(letters["self-signed"]), "--trust", str(keys["issuer"].ca_pem))
    loud = subprocess.run([*LETTERKIT, "verify", str(letters["self-signed"]), "--trust", str(keys["issuer"].ca_pem)],
                          capture_output=True, text=True, env={**os.environ, "LETTERKIT_DEBUG": "1"})
    assert strangers(quiet.stderr) == []
    assert strangers(loud.stderr) != []
