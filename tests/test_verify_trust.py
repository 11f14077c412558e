"""`letterkit verify` says no unless it knows: a seal passes only when its signer chains to a
root the user trusts, and each failure names its real reason — changed bytes, an untrusted
chain, a revoked certificate, one that had expired or was not yet valid when it sealed.
Every letter here is a real sealed PDF, judged by the `letterkit` command a user runs."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from pki import PASSPHRASE, make_pki, make_self_signed

import letterkit

pytestmark = pytest.mark.slow  # keys made, letters rendered, sealed and verified in subprocesses

LETTERKIT = [str(Path(sys.executable).parent / "letterkit")]
CASE = ROOT / "examples" / "imr-chiropractic-initial-trial.yaml"
NOW = dt.datetime.now(dt.timezone.utc)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def letters(tmp_path_factory, pki, unsealed) -> dict[str, Path]:
    """The same letter sealed by each kind of key: the issuer's, and those a forger or an
    expired, revoked or premature certificate would make. Sealed with pyHanko directly, so
    that letterkit's own refusal to seal with a bad certificate does not stand in the way."""
    folder = tmp_path_factory.mktemp("letters")
    keys = {
        "genuine": pki.key,
        "forged": make_self_signed(folder / "forger", issuer="letterkit test root of Test Review Organisation"),
        "expired": pki.issue("Expired Reviewer", not_after=NOW - dt.timedelta(days=30)),
        "premature": pki.issue("Premature Reviewer", not_before=NOW + dt.timedelta(days=30)),
        "revoked": pki.issue("Revoked Reviewer"),
    }
    made = {}
    for name, key in keys.items():
        made[name] = folder / f"{name}.pdf"
        made[name].write_bytes(sign_anyway(unsealed, key))
    return made


def sign_anyway(pdf: bytes, key: Path) -> bytes:
    from pyhanko.sign import fields, signers

    from letterkit.seal import _MetadataKeepingWriter  # the XMP, with the case's record, as letterkit keeps it

    signer = signers.SimpleSigner.load_pkcs12(str(key), passphrase=PASSPHRASE.encode())
    meta = signers.PdfSignatureMetadata(field_name="letterkit-seal", subfilter=fields.SigSeedSubFilter.PADES,
                                        md_algorithm="sha256")
    return signers.sign_pdf(_MetadataKeepingWriter(io.BytesIO(pdf)), meta, signer=signer).getvalue()


def verify(path: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key != "LETTERKIT_TRUST"} | (env or {})
    return subprocess.run([*LETTERKIT, "verify", str(path), *extra], capture_output=True, text=True,
                          env=environment)


def lines(result: subprocess.CompletedProcess) -> dict[str, str]:
    """Each finding's line, by what it is about ("signer": "FAIL signer: …")."""
    found = {}
    for line in (result.stdout + result.stderr).splitlines():
        verdict, _, rest = line.partition(" ")
        found[rest.strip().split(":")[0]] = line
    return found


def test_without_a_trust_root_the_signer_is_not_checked_and_the_exit_status_says_so(letters):
    result = verify(letters["genuine"])
    assert result.returncode == 3, result.stdout + result.stderr
    assert lines(result)["signer"].startswith("??   signer: Common Name: Test Review Organisation")
    assert "not checked" in lines(result)["signer"]
    assert result.stderr.splitlines() == [lines(result)["signer"]]  # the one line that is not ok is on stderr


def test_no_trust_on_purpose_names_the_signer_and_passes(letters):
    result = verify(letters["forged"], "--no-trust")
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines(result)["signer"].startswith("note signer: Common Name: Test Review Organisation")


def test_the_signer_line_names_subject_issuer_and_fingerprint(letters, pki):
    from cryptography.hazmat.primitives import hashes
    from pki import certificate_of

    result = verify(letters["genuine"], "--trust", str(pki.ca_pem))
    assert result.returncode == 0, result.stdout + result.stderr
    fingerprint = ":".join(f"{byte:02X}" for byte in certificate_of(pki.key).fingerprint(hashes.SHA256()))
    assert lines(result)["signer"] == (
        "ok   signer: Common Name: Test Review Organisation, issued by Common Name: letterkit test root of "
        f"Test Review Organisation, SHA-256 {fingerprint}: trusted")


@pytest.mark.parametrize("where", ["file", "folder"])
def test_letterkit_trust_names_the_roots_when_no_trust_is_given(letters, pki, where):
    named = pki.ca_pem if where == "file" else pki.folder
    result = verify(letters["genuine"], env={"LETTERKIT_TRUST": str(named)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines(result)["signer"].endswith(": trusted")


def test_a_self_signed_key_under_the_issuers_name_is_untrusted(letters, pki):
    result = verify(letters["forged"], "--trust", str(pki.ca_pem))
    assert result.returncode == 1
    signer = lines(result)["signer"]
    assert signer.startswith("FAIL signer: Common Name: Test Review Organisation, issued by Common Name: "
                             "letterkit test root of Test Review Organisation, SHA-256 ")
    assert "does not chain to a trusted root" in signer
    assert lines(result)["seal"].startswith("ok   seal")  # sound bytes, by the wrong signer


def test_a_plainly_self_signed_key_is_untrusted(unsealed, pki, tmp_path):
    letter = tmp_path / "self-signed.pdf"
    letter.write_bytes(sign_anyway(unsealed, make_self_signed(tmp_path / "forger")))
    result = verify(letter, "--trust", str(pki.ca_pem))
    assert result.returncode == 1
    assert "does not chain to a trusted root (The X.509 certificate provided is self-signed" in lines(result)["signer"]
    assert "Traceback" not in result.stderr


def test_a_wrong_trust_root_is_untrusted(letters, tmp_path):
    other = make_pki(tmp_path / "other", signer="Someone Else")
    result = verify(letters["genuine"], "--trust", str(other.ca_pem))
    assert result.returncode == 1
    assert "does not chain to a trusted root (trusted: Common Name: letterkit test root of Someone Else)" \
        in lines(result)["signer"]


def test_a_changed_byte_is_called_changed_not_untrusted(letters, pki, tmp_path):
    data = bytearray(letters["genuine"].read_bytes())
    at = data.index(b"<letterkit:kit>imr") + len(b"<letterkit:kit>")
    data[at] += 1
    (tmp_path / "changed.pdf").write_bytes(bytes(data))
    result = verify(tmp_path / "changed.pdf", "--trust", str(pki.ca_pem))
    assert result.returncode == 1
    assert lines(result)["seal"] == ("FAIL seal: letterkit-seal: broken: "
                                     "the file's bytes were changed after it was sealed")
    assert "chain" not in lines(result)["signer"] and "the seal is broken" in lines(result)["signer"]


def test_a_revoked_certificate_is_called_revoked(letters, pki):
    from pki import certificate_of

    crl = pki.crl(revoked=(pki.folder / "revoked-reviewer.p12",), name="revoked.crl")
    assert certificate_of(pki.folder / "revoked-reviewer.p12")
    result = verify(letters["revoked"], "--trust", str(pki.ca_pem), "--crl", str(crl))
    assert result.returncode == 1
    assert "revoked on 2020-01-01" in lines(result)["signer"], result.stderr
    clean = verify(letters["genuine"], "--trust", str(pki.ca_pem), "--crl", str(crl))
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_a_crl_that_does_not_cover_the_signer_is_not_taken_for_a_clean_bill(letters, pki, tmp_path):
    stranger_crl = make_pki(tmp_path / "other", signer="Someone Else").crl()
    result = verify(letters["genuine"], "--trust", str(pki.ca_pem), "--crl", str(stranger_crl))
    assert result.returncode == 1
    assert "no revocation list given (--crl) covers it" in lines(result)["signer"]


def test_a_certificate_expired_when_it_sealed_is_called_expired(letters, pki):
    result = verify(letters["expired"], "--trust", str(pki.ca_pem))
    assert result.returncode == 1
    assert "the certificate had expired when the letter was sealed" in lines(result)["signer"]


def test_a_certificate_not_yet_valid_when_it_sealed_is_called_not_yet_valid(letters, pki):
    result = verify(letters["premature"], "--trust", str(pki.ca_pem))
    assert result.returncode == 1
    assert "the certificate was not yet valid when the letter was sealed" in lines(result)["signer"]


def test_without_a_timestamp_a_seal_is_good_until_the_certificate_expires(letters, pki):
    now = verify(letters["genuine"], "--trust", str(pki.ca_pem))
    assert lines(now)["timestamp"].startswith("note timestamp: none")
    later = verify(letters["genuine"], "--trust", str(pki.ca_pem), "--at", "2101-01-01")
    assert later.returncode == 1
    assert lines(later)["timestamp"].startswith("FAIL timestamp: none, and the certificate expired on 2100-01-01")


def test_a_sealed_letter_whose_case_says_eof_verifies(pki, tmp_path):
    """The XMP, uncompressed, carries the organisation's name: `%%EOF` there is no revision's end."""
    case = letterkit.read_case(CASE)
    case["organisation"]["name"] = "MAXIMUS %%EOF Federal Services"
    path = tmp_path / "eof.json"
    path.write_text(json.dumps(case))
    render = subprocess.run([*LETTERKIT, "render", str(path), "-f", "pdf", "--pdf-variant", "archival", "-o",
                             str(tmp_path), "--seal", str(pki.key), "--seal-passphrase", PASSPHRASE],
                            capture_output=True, text=True)
    assert render.returncode == 0, render.stderr
    sealed = (tmp_path / "eof.pdf").read_bytes()
    assert sealed.index(b"%%EOF") < sealed.index(b"/ByteRange")  # the case's text comes first
    result = verify(tmp_path / "eof.pdf", "--kit", "imr", "--trust", str(pki.ca_pem))
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines(result)["letter"] == ("ok   letter: rendering the embedded case with kit imr (weasyprint) "
                                       "gives the same bytes")


def test_the_sealed_docx_is_judged_by_the_same_rules(pki, tmp_path):
    render = subprocess.run([*LETTERKIT, "render", str(CASE), "-f", "docx", "-o", str(tmp_path),
                             "--seal", str(pki.key), "--seal-passphrase", PASSPHRASE], capture_output=True, text=True)
    assert render.returncode == 0, render.stderr
    docx = tmp_path / f"{CASE.stem}.docx"
    assert verify(docx).returncode == 3
    assert verify(docx, "--trust", str(pki.ca_pem)).returncode == 0
    other = make_pki(tmp_path / "other", signer="Someone Else")
    result = verify(docx, "--trust", str(other.ca_pem))
    assert result.returncode == 1 and "does not chain to a trusted root" in lines(result)["signer"]


def test_a_trust_file_that_is_not_a_certificate_is_one_line(letters, tmp_path):
    (tmp_path / "junk.pem").write_text("not a certificate\n")
    result = verify(letters["genuine"], "--trust", str(tmp_path / "junk.pem"))
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error {tmp_path / 'junk.pem'}: not a certificate in PEM or DER")
