"""The audit trail: every manifest line says when, who, which letterkit and with which
options; --audit-log keeps one line per letter rendered or verified, whole, however many
processes append at once."""

from __future__ import annotations

import datetime
import json
import multiprocessing
import shutil

import pytest
from conftest import ROOT
from typer.testing import CliRunner

import letterkit
from letterkit import audit
from letterkit.cli import app

CASE = ROOT / "examples" / "imr-chiropractic-initial-trial.yaml"


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.slow
def test_each_manifest_line_is_an_audit_record(tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(CASE, cases / "good.yaml")
    (cases / "bad.yaml").write_text("letter_date: [\n")
    letterkit.render_batch(cases, tmp_path / "out", formats=("html",), jobs=1,
                           options=letterkit.WriterOptions(pdf_variant="pdf/ua-1"), audit_log=tmp_path / "audit.jsonl")
    manifest = _lines(tmp_path / "out" / "manifest.jsonl")
    assert sorted(entry["id"] for entry in manifest) == ["bad", "good"]
    for entry in manifest:
        when = datetime.datetime.fromisoformat(entry["time"])
        assert when.utcoffset() == datetime.timedelta(0)
        assert abs(datetime.datetime.now(datetime.timezone.utc) - when) < datetime.timedelta(minutes=10)
        assert entry["letterkit_version"] == letterkit.__version__ and entry["operator"]
        assert entry["options"] == {**letterkit.WriterOptions(pdf_variant="pdf/ua-1").described(), "seal": False,
                                    "reference_docx": None, "formats": ["html"], "strict": False}
        assert entry["options"]["pdf_variant"] == "pdf/ua-1"
        assert len(entry["kit_sha256"]) == 64
    assert [{k: v for k, v in line.items() if k != "command"} for line in _lines(tmp_path / "audit.jsonl")] \
        == sorted(manifest, key=lambda entry: [e["id"] for e in manifest].index(entry["id"]))


def test_render_and_verify_append_a_line_per_letter(tmp_path):
    log = tmp_path / "audit.jsonl"
    runner = CliRunner()
    rendered = runner.invoke(app, ["render", str(CASE), str(tmp_path / "missing.yaml"), "-f", "pdf",
                                   "-o", str(tmp_path / "out"), "--audit-log", str(log)])
    assert rendered.exit_code == 1
    verified = runner.invoke(app, ["verify", str(tmp_path / "out" / f"{CASE.stem}.pdf")],
                             env={audit.ENVIRONMENT: str(log)})
    assert verified.exit_code != 0  # an unsealed letter
    render_ok, render_failed, verify = _lines(log)
    assert (render_ok["command"], render_ok["status"]) == ("render", "ok")
    assert render_ok["outputs"][0]["file"].endswith(".pdf") and len(render_ok["outputs"][0]["sha256"]) == 64
    assert (render_failed["status"], render_failed["outputs"]) == ("failed", [])
    assert "missing.yaml" in render_failed["error"]
    assert verify["command"] == "verify" and verify["passed"] is False and verify["findings"]
    assert verify["sha256"] == render_ok["outputs"][0]["sha256"]


def _append_many(path: str, writer: int) -> None:
    for number in range(200):
        audit.append(path, audit.record(writer=writer, number=number, padding="x" * 5000))


@pytest.mark.slow
def test_processes_appending_at_once_leave_whole_lines(tmp_path):
    log = str(tmp_path / "audit.jsonl")
    processes = [multiprocessing.get_context("spawn").Process(target=_append_many, args=(log, writer))
                 for writer in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    lines = _lines(tmp_path / "audit.jsonl")
    assert sorted((line["writer"], line["number"]) for line in lines) == [(w, n) for w in range(4) for n in range(200)]
