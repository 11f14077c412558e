"""Batches: good and bad cases, JSON Lines, interruption and resume, dead workers, Dask."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

import letterkit
from conftest import EXAMPLES, ROOT

LETTERKIT = [sys.executable, "-m", "letterkit"]


def _manifest(outdir: Path) -> dict[str, dict]:
    lines = (outdir / "manifest.jsonl").read_text().splitlines()
    return {entry["id"]: entry for entry in map(json.loads, lines)}


def _assert_consistent(outdir: Path) -> None:
    """Every file the manifest names is complete: its size and hash match; no temporary files."""
    for entry in _manifest(outdir).values():
        for output in entry.get("outputs", ()):
            content = (outdir / output["file"]).read_bytes()
            assert len(content) == output["bytes"]
            assert hashlib.sha256(content).hexdigest() == output["sha256"]
    assert not list(outdir.glob(".*.part"))


def _folder_of_cases(folder: Path, count: int, case_data: dict) -> Path:
    folder.mkdir()
    for number in range(count):
        data = json.loads(json.dumps(case_data))
        data["case"]["imr_number"] = f"CM15-{number:07d}"
        (folder / f"case-{number:03d}.json").write_text(json.dumps(data))
    return folder


def test_good_and_bad_cases(tmp_path, case_data):
    source = tmp_path / "cases"
    source.mkdir()
    for example in EXAMPLES:
        shutil.copy(example, source)
    bad = dict(case_data, items=[dict(case_data["items"][0], decision="Denied")])
    (source / "bad-decision.yaml").write_text(yaml.safe_dump(bad))
    outdir = tmp_path / "out"
    result = subprocess.run([*LETTERKIT, "batch", str(source), "-o", str(outdir), "-j", "2", "-q"],
                            capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert "3 rendered, 1 failed" in result.stdout
    manifest = _manifest(outdir)
    assert manifest["bad-decision"]["status"] == "failed"
    assert "items[0].decision" in manifest["bad-decision"]["error"]
    assert not list(outdir.glob("bad-decision.*"))
    for example in EXAMPLES:
        assert manifest[example.stem]["status"] == "ok"
        assert sorted(o["file"] for o in manifest[example.stem]["outputs"]) == [
            f"{example.stem}.{fmt}" for fmt in ("docx", "html", "pdf")]
    _assert_consistent(outdir)


def test_json_lines_ids_and_a_malformed_line(tmp_path, case_data):
    source = tmp_path / "cases.jsonl"
    source.write_text("\n".join([
        json.dumps({"id": "first", **case_data}),
        "{not json",
        json.dumps(case_data),
        json.dumps({"id": "../escape", **case_data}),
    ]) + "\n")
    summary = letterkit.render_batch(source, tmp_path / "out", formats=("html",), jobs=1)
    manifest = _manifest(tmp_path / "out")
    assert (summary.rendered, summary.failed) == (2, 2)
    assert manifest["first"]["status"] == "ok"
    assert manifest["line-000003"]["status"] == "ok"
    assert "cases.jsonl:2: invalid JSON" in manifest["line-000002"]["error"]
    assert "cannot name a file" in manifest["line-000004"]["error"]
    assert sorted(p.name for p in (tmp_path / "out").glob("*.html")) == ["first.html", "line-000003.html"]


def test_rerun_skips_unchanged_cases_redoes_changed_or_damaged_ones_and_force_redoes_all(tmp_path, case_data):
    source = _folder_of_cases(tmp_path / "cases", 3, case_data)
    outdir = tmp_path / "out"
    assert letterkit.render_batch(source, outdir, formats=("html",), jobs=1).rendered == 3
    data = json.loads((source / "case-001.json").read_text())
    data["clinical_summary"] = "Changed."
    (source / "case-001.json").write_text(json.dumps(data))
    (outdir / "case-002.html").write_bytes(b"")  # as a power cut can leave a file never flushed
    again = letterkit.render_batch(source, outdir, formats=("html",), jobs=1)
    assert (again.rendered, again.skipped) == (2, 1)
    assert (outdir / "case-002.html").stat().st_size > 0
    forced = letterkit.render_batch(source, outdir, formats=("html",), jobs=1, force=True)
    assert (forced.rendered, forced.skipped) == (3, 0)
    assert len((outdir / "manifest.jsonl").read_text().splitlines()) == 3


def test_sigterm_mid_batch_then_resume_gives_the_same_files(tmp_path, case_data):
    source = _folder_of_cases(tmp_path / "cases", 40, case_data)
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    command = [*LETTERKIT, "batch", str(source), "-f", "html,docx", "-j", "2", "-q"]
    subprocess.run([*command, "-o", str(whole)], check=True, capture_output=True)

    process = subprocess.Popen([*command, "-o", str(resumed)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    manifest = resumed / "manifest.jsonl"
    deadline = time.monotonic() + 60
    while not (manifest.exists() and len(manifest.read_text().splitlines()) >= 5):
        assert time.monotonic() < deadline and process.poll() is None, "batch did not start"
        time.sleep(0.02)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert b"Run the same command again to resume" in stderr
    finished = len(_manifest(resumed))
    assert 5 <= finished < 40
    _assert_consistent(resumed)

    result = subprocess.run([*command, "-o", str(resumed)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"{40 - finished} rendered, 0 failed, {finished} unchanged" in result.stdout
    for path in whole.glob("case-*"):
        assert (resumed / path.name).read_bytes() == path.read_bytes(), path.name
    _assert_consistent(resumed)


def _kit_whose_worker_dies(tmp_path: Path) -> Path:
    """The IMR kit, except that a case whose summary is 'SIGKILL' kills its worker."""
    kit = tmp_path / "kit"
    shutil.copytree(ROOT / "templates" / "imr", kit)
    model = kit / "model.py"
    model.write_text(model.read_text() + '''

import os, signal
from pydantic import field_validator

class DyingDetermination(FinalDetermination):
    @field_validator("clinical_summary")
    @classmethod
    def _die(cls, value):
        if value == "SIGKILL":
            os.kill(os.getpid(), signal.SIGKILL)
        return value
''')
    manifest = kit / "kit.toml"
    manifest.write_text(manifest.read_text().replace("model.py:FinalDetermination", "model.py:DyingDetermination"))
    return kit


def test_a_case_that_kills_its_worker_fails_alone(tmp_path, case_data):
    source = _folder_of_cases(tmp_path / "cases", 8, case_data)
    data = json.loads((source / "case-004.json").read_text())
    data["clinical_summary"] = "SIGKILL"
    (source / "case-004.json").write_text(json.dumps(data))
    summary = letterkit.render_batch(source, tmp_path / "out", kit=_kit_whose_worker_dies(tmp_path),
                                     formats=("html",), jobs=2)
    manifest = _manifest(tmp_path / "out")
    assert (summary.rendered, summary.failed) == (7, 1)
    assert "worker process died" in manifest["case-004"]["error"]
    _assert_consistent(tmp_path / "out")


@pytest.mark.parametrize("formats, count", [
    ("html,pdf", 30),    # one case per hand-off
    ("html,docx", 160),  # several: the dead worker's hand-off is cut short
])
def test_a_worker_killed_from_outside_loses_nothing(tmp_path, case_data, formats, count):
    source = _folder_of_cases(tmp_path / "cases", count, case_data)
    outdir = tmp_path / "out"
    process = subprocess.Popen([*LETTERKIT, "batch", str(source), "-o", str(outdir), "-f", formats,
                                "-j", "2", "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while not workers:
        assert time.monotonic() < deadline and process.poll() is None
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        workers = [int(pid) for pid in children.read_text().split()] if children.exists() else []
        manifest = outdir / "manifest.jsonl"
        if not (manifest.exists() and manifest.read_text().count("\n") >= 2):
            workers = []
        time.sleep(0.02)
    os.kill(workers[-1], signal.SIGKILL)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode in (0, 1), stderr
    manifest = _manifest(outdir)
    assert len(manifest) == count, "every case has its line"
    assert all(e["status"] == "ok" or "worker process died" in e["error"] for e in manifest.values())
    _assert_consistent(outdir)


def test_runs_on_a_dask_cluster(tmp_path, case_data):
    distributed = pytest.importorskip("distributed", reason="letterkit[dask] is not installed")
    source = _folder_of_cases(tmp_path / "cases", 6, case_data)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        summary = letterkit.render_batch(source, tmp_path / "out", formats=("html", "docx"),
                                         executor=client.get_executor())
    assert (summary.rendered, summary.failed) == (6, 0)
    _assert_consistent(tmp_path / "out")


def test_no_process_leaves_its_font_folder_in_the_temporary_directory(tmp_path, case_data):
    """WeasyPrint copies the fonts into a temporary folder per process; a nightly batch
    must not leave one behind for each worker, every night."""
    source = _folder_of_cases(tmp_path / "cases", 4, case_data)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    environment = dict(os.environ, TMPDIR=str(temporary))
    for command in (["render", str(source / "case-000.json")], ["batch", str(source), "-j", "2", "-q"]):
        subprocess.run([*LETTERKIT, *command, "-f", "pdf", "-o", str(tmp_path / "out")],
                       check=True, capture_output=True, env=environment)
        assert list(temporary.iterdir()) == [], command
