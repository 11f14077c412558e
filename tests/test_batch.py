"""Batches: good and bad cases, JSON Lines, interruption and resume, dead workers, Dask."""

from __future__ import annotations

import contextlib
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
from conftest import EXAMPLES, ROOT

import letterkit

pytestmark = pytest.mark.slow  # worker processes started, killed and timed out

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


def _kit_where_a_summary_acts(tmp_path: Path, word: str, action: str) -> Path:
    """The IMR kit, except that validating a case whose summary is `word` runs `action`
    (Python statements; os, signal and time imported) in the process that renders it."""
    kit = tmp_path / "kit"
    shutil.copytree(ROOT / "templates" / "imr", kit)
    model = kit / "model.py"
    statements = "\n".join(f"            {line}" for line in action.splitlines())
    model.write_text(model.read_text() + f'''

import os, signal, time
from pydantic import field_validator

class ActingDetermination(FinalDetermination):
    @field_validator("clinical_summary")
    @classmethod
    def _act(cls, value):
        if value == {word!r}:
{statements}
        return value
''')
    manifest = kit / "kit.toml"
    manifest.write_text(manifest.read_text().replace("model.py:FinalDetermination", "model.py:ActingDetermination"))
    return kit


def _kit_whose_worker_dies(tmp_path: Path) -> Path:
    """The IMR kit, except that a case whose summary is 'SIGKILL' kills its worker."""
    return _kit_where_a_summary_acts(tmp_path, "SIGKILL", "os.kill(os.getpid(), signal.SIGKILL)")


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


def _lines_per_id(outdir: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in (outdir / "manifest.jsonl").read_text().splitlines():
        case_id = json.loads(line)["id"]
        counts[case_id] = counts.get(case_id, 0) + 1
    return counts


def test_a_json_lines_batch_renders_every_good_line_beside_every_malformed_one(tmp_path, case_data):
    good = [json.dumps(dict(case_data, id=f"good-{n:02d}")).encode() for n in range(20)]
    one = json.dumps(case_data)
    malformed = {
        "impossible date": one.replace("2015-09-01", "2015-02-30"),
        "huge number": one[:-1] + ', "x": ' + "9" * 5000 + "}",
        "deep nesting": '{"x": ' + "[" * 5000 + "]" * 5000 + "}",
        "duplicate key": one[:-1] + ', "letter_date": "2015-09-02"}',
        "not UTF-8": one[:-1] + ', "x": "\xff"}',
        "null id": one[:-1] + ', "id": null}',
        "id with a slash": one[:-1] + ', "id": "../x"}',
        "not an object": "[1, 2]",
        "markup key": one[:-1] + ', "[/]": 1}',
    }
    lines = good[:10] + [m.encode("latin-1" if "\xff" in m else "utf-8") for m in malformed.values()] + good[10:]
    source = tmp_path / "cases.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    outdir = tmp_path / "out"
    result = subprocess.run([*LETTERKIT, "batch", str(source), "-f", "html", "-j", "2", "-o", str(outdir)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    entries = [json.loads(line) for line in (outdir / "manifest.jsonl").read_text().splitlines()]
    assert sorted(e["id"] for e in entries if e["status"] == "ok") == [f"good-{n:02d}" for n in range(20)]
    failed = [e for e in entries if e["status"] == "failed"]
    assert sorted(int(e["source"].rsplit(":", 1)[1]) for e in failed) == list(range(11, 11 + len(malformed)))
    assert f"20 rendered, {len(malformed)} failed" in result.stdout


def test_twins_fail_each_naming_the_others_before_anything_renders(tmp_path, case_data):
    source = tmp_path / "cases"
    source.mkdir()
    for name in ("a.yaml", "a.yml", "a.json", "b.yaml"):
        (source / name).write_text(json.dumps(case_data))
    summary = letterkit.render_batch(source, tmp_path / "out", formats=("html",), jobs=1)
    assert (summary.rendered, summary.failed) == (1, 3)
    failures = [e for e in map(json.loads, (tmp_path / "out" / "manifest.jsonl").read_text().splitlines())
                if e["status"] == "failed"]
    for entry in failures:
        others = {str(source / n) for n in ("a.yaml", "a.yml", "a.json")} - {entry["source"]}
        assert all(other in entry["error"] for other in others), entry
    assert not (tmp_path / "out" / "a.html").exists()

    lines = tmp_path / "cases.jsonl"
    lines.write_text("\n".join(json.dumps(dict(case_data, id=i)) for i in ("x", "y", "x")) + "\n")
    summary = letterkit.render_batch(lines, tmp_path / "out2", formats=("html",), jobs=1)
    assert (summary.rendered, summary.failed) == (1, 2)
    assert any(f"{lines}:3" in failure for failure in summary.failures)


def test_render_batch_takes_plain_mappings(tmp_path, case_data):
    cases = [dict(case_data, id="first"), case_data, "not a case", dict(case_data, id="twin"),
             dict(case_data, id="twin")]
    summary = letterkit.render_batch(cases, tmp_path / "out", formats=("html",), jobs=1)
    assert (summary.rendered, summary.failed) == (2, 3)
    assert sorted(p.name for p in (tmp_path / "out").glob("*.html")) == ["case-000002.html", "first.html"]
    assert any("mapping of fields" in f for f in summary.failures)
    assert any("(case 4)" in f and f.startswith("twin") for f in summary.failures)


def test_a_second_batch_on_the_same_folder_is_refused_and_the_first_completes(tmp_path, case_data):
    source = _folder_of_cases(tmp_path / "cases", 6, case_data)
    data = json.loads((source / "case-002.json").read_text())
    data["clinical_summary"] = "SLOW"  # keeps the first batch going for its time limit
    (source / "case-002.json").write_text(json.dumps(data))
    kit = _kit_with_a_slow_case(tmp_path, block_signals=False)
    outdir = tmp_path / "out"
    first = subprocess.Popen([*LETTERKIT, "batch", str(source), "-o", str(outdir), "-f", "html", "-j", "2", "-q",
                              "--kit", str(kit), "--case-timeout", "8"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock = outdir / ".letterkit-batch.lock"
    deadline = time.monotonic() + 60
    while not (lock.exists() and "pid" in lock.read_text()):
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.02)
    second = subprocess.run([*LETTERKIT, "batch", str(source), "-o", str(outdir), "-f", "html", "-q"],
                            capture_output=True, text=True, timeout=60)
    assert first.poll() is None, "the first batch should still be running"
    assert second.returncode == 2
    assert "another batch" in second.stderr and str(outdir) in second.stderr and "Traceback" not in second.stderr
    stdout, stderr = first.communicate(timeout=120)
    assert first.returncode == 1, stderr
    assert "5 rendered, 1 failed" in stdout
    assert _lines_per_id(outdir) == {f"case-{n:03d}": 1 for n in range(6)}
    _assert_consistent(outdir)


def test_a_worker_killed_ten_times_in_a_row_loses_nothing(tmp_path, case_data):
    count = 40
    source = _folder_of_cases(tmp_path / "cases", count, case_data)
    outdir = tmp_path / "out"
    process = subprocess.Popen([*LETTERKIT, "batch", str(source), "-o", str(outdir), "-f", "html,pdf",
                                "-j", "2", "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed: set[int] = set()
    deadline = time.monotonic() + 120
    while len(killed) < 10 and process.poll() is None:
        assert time.monotonic() < deadline
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        workers = [int(pid) for pid in children.read_text().split()] if children.exists() else []
        fresh = [pid for pid in workers if pid not in killed]
        if fresh:
            time.sleep(0.3)  # let it start a case
            with contextlib.suppress(ProcessLookupError):
                os.kill(fresh[0], signal.SIGKILL)
            killed.add(fresh[0])
        time.sleep(0.05)
    stdout, stderr = process.communicate(timeout=300)
    assert len(killed) == 10, "the batch ended before ten kills"
    assert process.returncode in (0, 1), stderr
    assert _lines_per_id(outdir) == {f"case-{n:03d}": 1 for n in range(count)}
    manifest = _manifest(outdir)
    assert all(e["status"] == "ok" or "worker process died" in e["error"] for e in manifest.values())
    assert sum(e["status"] == "ok" for e in manifest.values()) >= count - 10
    _assert_consistent(outdir)


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(")")[-1].split()[0] != "Z"


def _wait_for(condition, failure: str, process: subprocess.Popen | None = None, seconds: float = 60) -> None:
    """Poll `condition` until it holds; fail with `failure` past the deadline (or once
    `process`, which should still be running, has ended)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline and (process is None or process.poll() is None), failure
        time.sleep(0.05)


def test_workers_die_with_their_batch_and_the_next_batch_sweeps_its_folder(tmp_path, case_data):
    source = _folder_of_cases(tmp_path / "cases", 20, case_data)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    environment = dict(os.environ, TMPDIR=str(temporary))
    process = subprocess.Popen([*LETTERKIT, "batch", str(source), "-o", str(tmp_path / "out"), "-f", "pdf",
                                "-j", "2", "-q"], env=environment, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2:
        assert time.monotonic() < deadline and process.poll() is None
        workers = [int(pid) for pid in children.read_text().split()] if children.exists() else []
        time.sleep(0.05)
    # Into their first letters: each worker notes the case it is on in the batch's markers.
    _wait_for(lambda: {int(marker.name) for marker in temporary.glob("letterkit-batch-*/markers/*")} >= set(workers),
              "the workers never started a letter", process)
    process.kill()
    process.wait()
    _wait_for(lambda: not any(_alive(pid) for pid in workers), "a worker outlived its batch")
    assert list(temporary.glob("letterkit-batch-*")), "the killed batch left its folder"
    subprocess.run([*LETTERKIT, "batch", str(source), "-o", str(tmp_path / "out"), "-f", "html", "-q"],
                   env=environment, check=True, capture_output=True)
    assert list(temporary.iterdir()) == []


def _kit_with_a_slow_case(tmp_path: Path, block_signals: bool) -> Path:
    """The IMR kit, except that a case whose summary is 'SLOW' takes a minute: in Python
    code, or where no signal reaches it (as deep in C code)."""
    block = "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})" if block_signals else "pass"
    return _kit_where_a_summary_acts(tmp_path, "SLOW", f"{block}\ntime.sleep(60)")


@pytest.mark.parametrize("block_signals", [False, True], ids=["in-python", "signals-blocked"])
def test_a_case_past_its_time_limit_fails_alone(tmp_path, case_data, block_signals):
    source = _folder_of_cases(tmp_path / "cases", 6, case_data)
    data = json.loads((source / "case-002.json").read_text())
    data["clinical_summary"] = "SLOW"
    (source / "case-002.json").write_text(json.dumps(data))
    started = time.monotonic()
    summary = letterkit.render_batch(source, tmp_path / "out", kit=_kit_with_a_slow_case(tmp_path, block_signals),
                                     formats=("html",), jobs=2, case_timeout=1)
    assert time.monotonic() - started < 30
    assert (summary.rendered, summary.failed) == (5, 1)
    error = _manifest(tmp_path / "out")["case-002"]["error"]
    assert "--case-timeout" in error and ("stopped" in error) == block_signals
    _assert_consistent(tmp_path / "out")


def test_a_manifest_line_that_cannot_be_read_is_reported_and_ignored(tmp_path, case_data):
    source = _folder_of_cases(tmp_path / "cases", 3, case_data)
    outdir = tmp_path / "out"
    letterkit.render_batch(source, outdir, formats=("html",), jobs=1)
    manifest = outdir / "manifest.jsonl"
    manifest.write_text(manifest.read_text() + '[1, 2]\n{"id": 5, "status": "ok"}\n{"id": "case-001", "stat')
    result = subprocess.run([*LETTERKIT, "batch", str(source), "-o", str(outdir), "-f", "html"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warned = sorted(int(line.split(":")[1]) for line in result.stderr.splitlines() if line.startswith("warning"))
    assert warned == [4, 5, 6]
    assert "0 rendered, 0 failed, 3 unchanged" in result.stdout
    assert _lines_per_id(outdir) == {f"case-{n:03d}": 1 for n in range(3)}


def test_a_changed_reference_docx_renders_again_on_resume(tmp_path, case_data):
    import docx

    source = _folder_of_cases(tmp_path / "cases", 2, case_data)
    reference = tmp_path / "reference.docx"
    shutil.copy(ROOT / "templates" / "letter" / "reference.docx", reference)
    arguments = dict(formats=("docx",), jobs=1, options=letterkit.WriterOptions(reference_docx=reference))
    assert letterkit.render_batch(source, tmp_path / "out", **arguments).rendered == 2
    assert letterkit.render_batch(source, tmp_path / "out", **arguments).skipped == 2
    changed = docx.Document(str(reference))
    changed.styles["Normal"].font.size = docx.shared.Pt(13)
    changed.save(str(reference))
    assert letterkit.render_batch(source, tmp_path / "out", **arguments).rendered == 2


def test_a_batch_of_a_missing_source_names_it(tmp_path):
    result = subprocess.run([*LETTERKIT, "batch", str(tmp_path / "nosuch"), "-o", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("error ") and str(tmp_path / "nosuch") in result.stderr
    assert "Traceback" not in result.stderr


def test_a_strict_batch_fails_the_letter_that_breaks_a_rule(tmp_path):
    source = tmp_path / "cases"
    source.mkdir()
    example = yaml.safe_load((ROOT / "examples" / "imr-medications-mixed.yaml").read_text())
    for number in range(3):
        data = dict(example, documents_reviewed=[] if number == 1 else example["documents_reviewed"])
        (source / f"case-{number:03d}.yaml").write_text(yaml.safe_dump(data))
    loose = letterkit.render_batch(source, tmp_path / "out", formats=("html",), jobs=1)
    assert (loose.rendered, loose.failed) == (3, 0)
    strict = letterkit.render_batch(source, tmp_path / "out", formats=("html",), jobs=1, strict=True)
    assert (strict.rendered, strict.failed, strict.skipped) == (2, 1, 0), strict.failures
    error = _manifest(tmp_path / "out")["case-001"]["error"]
    assert "documents-reviewed" in error and "4610.6" in error
    assert not (tmp_path / "out" / "case-001.html").exists()


@pytest.mark.parametrize("name", [".letterkit-batch.lock", "manifest.jsonl", ".manifest.jsonl.part"])
def test_a_batch_never_writes_through_a_symbolic_link_in_its_folder(tmp_path, case_data, name):
    source = _folder_of_cases(tmp_path / "cases", 1, case_data)
    outdir = tmp_path / "out"
    outdir.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (outdir / name).symlink_to(victim)
    result = subprocess.run([*LETTERKIT, "batch", str(source), "-o", str(outdir), "-f", "html", "-q"],
                            capture_output=True, text=True)
    assert victim.read_text() == "keep me\n"
    if name.endswith(".part"):  # a leftover of a killed run: removed, never written through
        assert result.returncode == 0, result.stderr
        assert not (outdir / name).is_symlink()
    else:
        assert result.returncode != 0
        assert f"{outdir / name} is a symbolic link" in result.stderr and "Traceback" not in result.stderr


def test_twins_by_case_or_unicode_form_fail_like_other_twins(tmp_path, case_data):
    # One file on a case-insensitive disk (macOS, Windows), or one that normalises names.
    source = tmp_path / "cases"
    source.mkdir()
    for name in ("A.yaml", "a.yaml", "caf\u00e9.yaml", "cafe\u0301.yaml", "other.yaml"):
        (source / name).write_text(json.dumps(case_data))
    summary = letterkit.render_batch(source, tmp_path / "out", formats=("html",), jobs=1)
    assert (summary.rendered, summary.failed) == (1, 4)
    assert all("the same id, so the same files" in failure for failure in summary.failures)
    assert [path.name for path in (tmp_path / "out").glob("*.html")] == ["other.html"]


def test_the_progress_bar_counts_failures_as_they_come(tmp_path, case_data):
    """Failures first: the bar drawn under each failure's line says how many have failed so
    far, not the "0 failed" of its last refresh."""
    import io
    import re

    from rich.console import Console

    from letterkit.batch.progress import BatchProgress

    source = _folder_of_cases(tmp_path / "cases", 3, case_data)
    for number in range(3):
        (source / f"a-broken-{number}.yaml").write_text("items: [\n")
    screen = io.StringIO()
    with BatchProgress(6, Console(file=screen, force_terminal=True, width=200)) as progress:
        letterkit.render_batch(source, tmp_path / "out", formats=("html",), jobs=1, on_result=progress)
    drawn = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", " ", screen.getvalue())
    said = 0
    for match in re.finditer(r"(\d+) +failed|failed +(a-broken-\d)", drawn):
        if match.group(2):
            said += 1
        else:
            assert int(match.group(1)) >= said, f"the bar says {match.group(1)} failed after {said} failures"
    assert said == 3 and re.search(r"6/6 .*3 +failed", drawn)


def test_an_interrupted_forced_batch_says_to_resume_without_force(tmp_path, case_data):
    """Run again as it was, --force would render every case anew: the hint says to leave it out."""
    source = _folder_of_cases(tmp_path / "cases", 30, case_data)
    outdir = tmp_path / "out"
    process = subprocess.Popen([*LETTERKIT, "batch", str(source), "-f", "html", "-j", "1", "-q", "--force",
                                "-o", str(outdir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    manifest = outdir / "manifest.jsonl"
    deadline = time.monotonic() + 60
    while not (manifest.exists() and manifest.read_text().count("\n") >= 2):
        assert time.monotonic() < deadline and process.poll() is None, "batch did not start"
        time.sleep(0.02)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Run the same command without --force to resume" in stderr
    assert "Run the same command again" not in stderr


def test_a_renderer_child_says_nothing_on_stderr(capfd):
    """The child a Dask worker or a Ray actor renders in inherits their stderr: as
    `python -m letterkit.batch.renderer` it printed runpy's RuntimeWarning at every start
    (the package imports the module before runpy runs it)."""
    from letterkit.batch.renderer import Renderer

    renderer = Renderer()
    try:
        renderer.warm("imr")  # the child started, the kit loaded in it
    finally:
        renderer.stop()
    assert capfd.readouterr().err == ""


def test_a_batch_without_a_cluster_never_imports_dask():
    """Dask is an extra that takes 0.2 s to import: a local batch, and every renderer child
    (which imports this package), must not pay it."""
    code = ("import sys, letterkit.batch, letterkit.cli; from letterkit.batch.renderer import Renderer; "
            "print(sorted(m for m in ('dask', 'distributed', 'ray') if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert found.strip() == "[]"
