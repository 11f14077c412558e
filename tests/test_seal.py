"""The seal: sealed letters stay PDF/A-3a and PDF/UA-1, pyHanko's own validator calls
them VALID, and `letterkit verify` catches a changed byte, another signer, a swapped case.
The certificate authorities and keys are made here, for each run."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import pytest
from conftest import ROOT
from pki import PASSPHRASE, make_pki
from test_archival import LETTERS, archival, failures  # noqa: F401 - archival is a fixture

import letterkit
from letterkit.seal import SealKey, _signer, seal_pdf

pytestmark = pytest.mark.slow  # keys made, letters sealed and verified by three tools

BIN = Path(sys.executable).parent
LETTERKIT = [str(BIN / "letterkit")]
CASE = ROOT / "examples" / "imr-chiropractic-initial-trial.yaml"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def stranger(tmp_path_factory):
    """A key under another root: a seal it makes is sound, but not the issuer's."""
    return make_pki(tmp_path_factory.mktemp("stranger"), signer="Someone Else")


@pytest.fixture(scope="module")
def sealed(tmp_path_factory, pki) -> Path:
    """The seed letter rendered archival and sealed, in all three formats, by the CLI."""
    outdir = tmp_path_factory.mktemp("sealed")
    result = subprocess.run([*LETTERKIT, "render", str(CASE), "-o", str(outdir), "--pdf-variant", "archival",
                             "--seal", str(pki.key), "--seal-passphrase", PASSPHRASE], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return outdir


def verify(path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([*LETTERKIT, "verify", str(path), *extra], capture_output=True, text=True)


def test_every_sealed_example_is_still_pdf_a_3a_and_pdf_ua_1(archival, pki):  # noqa: F811 (a fixture)
    key = SealKey(pki.key, PASSPHRASE)
    for stem, pdf in archival.items():
        signed = seal_pdf(pdf, key)
        assert signed.startswith(pdf)  # an incremental update: the letter's bytes as they were
        assert failures(signed, "3a") == [], stem
        assert failures(signed, "ua1") == [], stem
    assert len(archival) == len(LETTERS)


def test_the_signature_field_is_named_and_tagged(sealed):
    with pikepdf.open(sealed / "imr-chiropractic-initial-trial.pdf") as pdf:
        (field,) = list(pdf.Root.AcroForm.Fields)
        assert str(field.TU).startswith("Seal of the letter's issuer")
        assert field.F & 4  # printed (PDF/A), not hidden
        tagged = [kid for kid in pdf.Root.StructTreeRoot.K[0].K
                  if isinstance(kid, pikepdf.Dictionary) and kid.get("/S") == "/Form"]
        assert len(tagged) == 1 and tagged[0].K.Obj.objgen == field.objgen


def test_pyhanko_validates_the_seal_against_the_test_ca(sealed, pki):
    result = subprocess.run([str(BIN / "pyhanko"), "sign", "validate", "--trust", str(pki.ca_pem), "--trust-replace",
                             "--pretty-print", str(sealed / "imr-chiropractic-initial-trial.pdf")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The signature is judged VALID." in result.stdout
    assert "The signature covers the entire file." in result.stdout


def test_verify_passes_the_genuine_letter(sealed, pki):
    result = verify(sealed / "imr-chiropractic-initial-trial.pdf", "--kit", "imr", "--trust", str(pki.ca_pem))
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        "ok   seal", "ok   signer", "note timestamp", "ok   case", "ok   letter"]
    assert "ok   signer: Common Name: Test Review Organisation, issued by" in result.stdout
    assert result.stdout.splitlines()[1].endswith(": trusted")


def test_verify_fails_a_one_byte_change(sealed, pki, tmp_path):
    data = bytearray((sealed / "imr-chiropractic-initial-trial.pdf").read_bytes())
    at = data.index(b"<letterkit:kit>imr") + len(b"<letterkit:kit>")  # the XMP's kit: imr becomes jmr
    data[at] += 1
    (tmp_path / "changed.pdf").write_bytes(bytes(data))
    result = verify(tmp_path / "changed.pdf", "--trust", str(pki.ca_pem))
    assert result.returncode == 1
    assert "FAIL seal: letterkit-seal: broken: the file's bytes were changed after it was sealed" in result.stderr


def test_verify_fails_a_letter_sealed_again_by_another_key(sealed, pki, stranger, tmp_path):
    genuine = (sealed / "imr-chiropractic-initial-trial.pdf").read_bytes()
    unsealed = letterkit.render(letterkit.read_case(CASE), "imr", ("pdf",),
                                options=letterkit.WriterOptions(pdf_variant="archival"))["pdf"]
    assert genuine.startswith(unsealed)
    (tmp_path / "resealed.pdf").write_bytes(seal_pdf(unsealed, SealKey(stranger.key, PASSPHRASE)))
    result = verify(tmp_path / "resealed.pdf", "--kit", "imr", "--trust", str(pki.ca_pem))
    assert result.returncode == 1
    assert ("FAIL signer: Common Name: Someone Else, issued by Common Name: letterkit test root of Someone Else"
            in result.stderr)
    assert "does not chain to a trusted root" in result.stderr
    assert "ok   seal" in result.stdout  # a sound seal, by the wrong signer


def test_verify_fails_a_second_seal_over_the_first(sealed, pki, stranger, tmp_path):
    genuine = (sealed / "imr-chiropractic-initial-trial.pdf").read_bytes()
    (tmp_path / "countersigned.pdf").write_bytes(_seal_again(genuine, SealKey(stranger.key, PASSPHRASE)))
    result = verify(tmp_path / "countersigned.pdf", "--trust", str(pki.ca_pem))
    assert result.returncode == 1
    assert ("FAIL seal: letterkit-seal: intact, but does not cover the whole file: something was added after it"
            in result.stderr)


def _seal_again(pdf: bytes, key: SealKey) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="other"), signer=_signer(key)).getvalue()


def test_verify_fails_a_letter_whose_case_was_swapped(sealed, pki, tmp_path):
    swapped = _swap_case(sealed / "imr-chiropractic-initial-trial.pdf", fix_record=False)
    result = verify(swapped, "--kit", "imr", "--trust", str(pki.ca_pem))
    assert result.returncode == 1
    assert "FAIL seal: letterkit-seal: broken" in result.stderr
    assert "FAIL case: case.json SHA-256" in result.stderr and "differs from the letter's record" in result.stderr


def test_verify_with_the_kit_renders_no_case_whose_seal_is_gone(sealed, pki, tmp_path):
    """Unsealed, with the XMP's digest made to match: the case is not rendered at all."""
    swapped = _swap_case(sealed / "imr-chiropractic-initial-trial.pdf", fix_record=True)
    result = verify(swapped, "--kit", "imr", "--trust", str(pki.ca_pem))
    assert result.returncode == 1
    assert "FAIL seal: the file carries no seal" in result.stderr
    assert "ok   case" in result.stdout
    assert "??   letter: not rendered: the seal, signer or case did not pass" in result.stderr


def test_verify_with_the_kit_fails_a_swapped_case_sealed_again_by_the_issuer(sealed, pki, tmp_path):
    """Swapped, its record forged and sealed by the trusted key: only rendering the case again tells."""
    swapped = _swap_case(sealed / "imr-chiropractic-initial-trial.pdf", fix_record=True)
    swapped.write_bytes(seal_pdf(swapped.read_bytes(), SealKey(pki.key, PASSPHRASE)))
    result = verify(swapped, "--kit", "imr", "--trust", str(pki.ca_pem))
    assert result.returncode == 1
    assert "ok   seal" in result.stdout and "ok   case" in result.stdout
    assert "FAIL letter: rendering the embedded case gives other bytes" in result.stderr


def _swap_case(path: Path, fix_record: bool) -> Path:
    import hashlib
    with pikepdf.open(path) as pdf:
        stream = pdf.Root.AF[0].EF.F
        old = stream.read_bytes()
        case = json.loads(old)
        case["parties"]["employee"]["name"] = "Somebody Else"
        new = json.dumps(case, indent=2).encode()
        stream.write(new)
        if fix_record:
            xmp = pdf.Root.Metadata.read_bytes().replace(
                hashlib.sha256(old).hexdigest().encode(), hashlib.sha256(new).hexdigest().encode())
            pdf.Root.Metadata.write(xmp)
        if fix_record:  # a forger would drop the seal he cannot make again
            del pdf.Root.AcroForm
            for page in pdf.pages:
                if "/Annots" in page:
                    del page.Annots
        out = path.parent.parent / f"swapped-{fix_record}.pdf"
        pdf.save(out)
    return out


def test_verify_checks_the_docx_against_its_detached_signature(sealed, pki, tmp_path):
    docx = sealed / "imr-chiropractic-initial-trial.docx"
    assert (sealed / "imr-chiropractic-initial-trial.docx.p7s").exists()
    result = verify(docx, "--trust", str(pki.ca_pem))
    assert result.returncode == 0, result.stdout + result.stderr
    changed = tmp_path / docx.name
    changed.write_bytes(docx.read_bytes() + b"\0")
    (tmp_path / f"{docx.name}.p7s").write_bytes((sealed / f"{docx.name}.p7s").read_bytes())
    result = verify(changed, "--trust", str(pki.ca_pem))
    assert result.returncode == 1
    assert "FAIL seal: imr-chiropractic-initial-trial.docx.p7s: does not match the file" in result.stderr
    assert verify(docx).returncode == 3  # without a trust root, the signer is not checked


def test_a_sealed_batch_verifies_and_loads_its_key_once_per_worker(tmp_path, pki, case_data):
    source = tmp_path / "cases"
    source.mkdir()
    for number in range(3):
        case = json.loads(json.dumps(case_data))
        case["case"]["imr_number"] = f"CM15-{number:07d}"
        (source / f"case-{number}.json").write_text(json.dumps(case))
    _signer.cache_clear()
    with ThreadPoolExecutor(1) as worker:  # a worker in this process, whose key cache the test can see
        summary = letterkit.render_batch(
            source, tmp_path / "out", formats=("pdf", "docx"), jobs=1, executor=worker,
            options=letterkit.WriterOptions(pdf_variant="archival", seal=SealKey(pki.key, PASSPHRASE)))
    assert summary.rendered == 3 and summary.failed == 0
    assert _signer.cache_info().misses == 1  # one key load for three letters
    for number in range(3):
        for name in (f"case-{number}.pdf", f"case-{number}.docx"):
            result = verify(tmp_path / "out" / name, "--trust", str(pki.ca_pem))
            assert result.returncode == 0, result.stdout + result.stderr


def test_a_key_that_will_not_open_is_one_line_and_no_file(tmp_path, pki):
    result = subprocess.run([*LETTERKIT, "render", str(CASE), "-o", str(tmp_path), "--seal", str(pki.key),
                             "--seal-passphrase", "wrong"], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith(f"error {CASE}: cannot load the sealing key {pki.key}")
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
