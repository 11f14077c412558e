"""A batch on a cluster of process workers: one manifest line per case whatever happens to
the workers, a time limit per case there too, and a resume after the client dies."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from test_batch import _assert_consistent, _folder_of_cases, _kit_where_a_summary_acts, _kit_with_a_slow_case, _manifest

import letterkit

pytestmark = pytest.mark.slow  # Dask clusters started and killed

distributed = pytest.importorskip("distributed", reason="letterkit[dask] is not installed")
import dask  # noqa: E402 - installed with distributed

FORMATS = ("html", "docx")  # tens of milliseconds a letter: 60 of them stay a quick test


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.02)


def _lines(outdir: Path) -> int:
    manifest = outdir / "manifest.jsonl"
    return manifest.read_text().count("\n") if manifest.exists() else 0


def _cluster(workers: int = 2):
    return distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                    dashboard_address=":0")


def _assert_accounted(outdir: Path, count: int, least_ok: int) -> list[dict]:
    """One line per case, at least `least_ok` of them ok, every other failed with a reason,
    every file named complete, and no temporary file left."""
    lines = [json.loads(line) for line in (outdir / "manifest.jsonl").read_text().splitlines()]
    assert sorted(e["id"] for e in lines) == [f"case-{n:03d}" for n in range(count)]
    ok = [e for e in lines if e["status"] == "ok"]
    assert len(ok) >= least_ok
    assert all(e["status"] == "failed" and e["error"] for e in lines if e not in ok)
    _assert_consistent(outdir)
    return lines


def test_dask_workers_killed_mid_batch_every_case_has_one_line(tmp_path, case_data):
    """Two workers killed during the run: one comes back (its nanny restarts it), the other
    never does. Their hand-offs go to the worker that is left."""
    source = _folder_of_cases(tmp_path / "cases", 60, case_data)
    outdir = tmp_path / "out"
    with _cluster(3) as cluster, distributed.Client(cluster) as client:
        batch = _InBackground(lambda: letterkit.render_batch(source, outdir, formats=FORMATS, executor=client))
        nannies = list(cluster.workers.values())
        _wait_for(lambda: _lines(outdir) >= 5 or not batch.is_alive(), 60, "the first letters")
        assert _lines(outdir) < 60
        restarted = nannies[0].pid
        os.kill(restarted, signal.SIGKILL)  # restarted by its nanny
        _wait_for(lambda: _lines(outdir) >= 20 or not batch.is_alive(), 60, "more letters")
        assert _lines(outdir) < 60, "killed during the run"
        gone = nannies[1]
        gone.close_gracefully()  # its nanny will not start it again
        os.kill(gone.pid, signal.SIGKILL)
        summary = batch.result(timeout=120)
        _wait_for(lambda: nannies[0].pid not in (None, restarted), 60, "the killed worker to start again")
    assert summary.rendered + summary.failed == 60
    _assert_accounted(outdir, 60, least_ok=58)


@pytest.mark.parametrize("block_signals", [False, True], ids=["in-python", "signals-blocked"])
def test_a_hanging_case_on_dask_fails_alone_by_its_time_limit(tmp_path, case_data, dask_client, block_signals):
    source = _folder_of_cases(tmp_path / "cases", 6, case_data)
    data = json.loads((source / "case-002.json").read_text())
    data["clinical_summary"] = "SLOW"
    (source / "case-002.json").write_text(json.dumps(data))
    started = time.monotonic()
    summary = letterkit.render_batch(source, tmp_path / "out", kit=_kit_with_a_slow_case(tmp_path, block_signals),
                                     formats=("html",), executor=dask_client, case_timeout=1)
    assert time.monotonic() - started < 30
    assert (summary.rendered, summary.failed) == (5, 1)
    error = _manifest(tmp_path / "out")["case-002"]["error"]
    assert "--case-timeout" in error and ("stopped" in error) == block_signals
    _assert_consistent(tmp_path / "out")


def test_resume_after_the_dask_client_dies_renders_only_what_is_missing(tmp_path, case_data, dask_client):
    source = _folder_of_cases(tmp_path / "cases", 30, case_data)
    outdir = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "letterkit", "batch", str(source), "-o", str(outdir), "-q",
                                "-f", ",".join(FORMATS), "--scheduler", dask_client.scheduler.address],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(lambda: _lines(outdir) >= 5 or process.poll() is not None, 60, "the first letters")
    process.kill()
    process.wait()
    before = {e["id"] for e in _manifest(outdir).values() if e["status"] == "ok"}
    assert 5 <= len(before) < 30, "the client died mid-batch"

    summary = letterkit.render_batch(source, outdir, formats=FORMATS, executor=dask_client)
    assert (summary.skipped, summary.rendered, summary.failed) == (len(before), 30 - len(before), 0)
    lines = _assert_accounted(outdir, 30, least_ok=30)
    assert len(lines) == 30, "the manifest is compacted to one line a case"


@pytest.fixture(scope="module")
def dask_client():
    with _cluster() as cluster, distributed.Client(cluster) as client:
        yield client


class _InBackground(threading.Thread):
    """A call on its own thread, so that the test can kill workers while it runs."""

    def __init__(self, call):
        super().__init__(daemon=True)
        self.call, self.value, self.error = call, None, None
        self.start()

    def run(self):
        try:
            self.value = self.call()
        except BaseException as error:
            self.error = error

    def result(self, timeout: float):
        self.join(timeout)
        assert not self.is_alive(), f"the batch did not end within {timeout} s"
        if self.error:
            raise self.error
        return self.value


def _kit_whose_case_kills_its_dask_worker(tmp_path: Path) -> Path:
    """The IMR kit, except that a case whose summary is 'KILL-WORKER' kills the worker it is
    rendered for (its renderer's parent), every time it is tried."""
    return _kit_where_a_summary_acts(tmp_path, "KILL-WORKER", "os.kill(os.getppid(), signal.SIGKILL)")


def test_after_a_killed_worker_the_cases_go_one_at_a_time_so_only_the_killer_fails(tmp_path, case_data):
    """Eight HTML letters go in one hand-off; the fourth kills every worker it reaches. Dask
    gives up on the hand-off (KilledWorker, here at the first death); its cases go again one
    at a time, and only the fourth fails. One worker, given one task at a time (Dask fails
    every task a dying worker holds when no failure is allowed)."""
    source = _folder_of_cases(tmp_path / "cases", 8, case_data)
    data = json.loads((source / "case-003.json").read_text())
    data["clinical_summary"] = "KILL-WORKER"
    (source / "case-003.json").write_text(json.dumps(data))
    kit = _kit_whose_case_kills_its_dask_worker(tmp_path)
    settings = {"distributed.scheduler.allowed-failures": 0, "distributed.scheduler.worker-saturation": 1.0}
    with dask.config.set(settings), _cluster(1) as cluster, distributed.Client(cluster) as client:
        summary = letterkit.render_batch(source, tmp_path / "out", kit=kit, formats=("html",), executor=client)
    assert (summary.rendered, summary.failed) == (7, 1)
    assert "KilledWorker" in _manifest(tmp_path / "out")["case-003"]["error"]
    _assert_accounted(tmp_path / "out", 8, least_ok=7)


def test_with_no_dask_worker_left_the_batch_waits_a_while_then_fails_the_rest(tmp_path, case_data):
    from letterkit.batch.dask_cluster import DaskExecutor

    source = _folder_of_cases(tmp_path / "cases", 40, case_data)
    outdir = tmp_path / "out"
    with _cluster(1) as cluster, distributed.Client(cluster) as client:
        executor = DaskExecutor(client, no_workers_timeout=3)
        batch = _InBackground(lambda: letterkit.render_batch(source, outdir, formats=("html", "pdf"),
                                                             executor=executor))
        _wait_for(lambda: _lines(outdir) >= 2 or not batch.is_alive(), 60, "the first letters")
        (nanny,) = cluster.workers.values()
        nanny.close_gracefully()  # its nanny will not start it again
        os.kill(nanny.pid, signal.SIGKILL)
        gone = time.monotonic()
        summary = batch.result(timeout=120)
        waited = time.monotonic() - gone
    assert 3 <= waited < 60
    assert summary.rendered + summary.failed == 40 and summary.failed >= 1
    lines = _assert_accounted(outdir, 40, least_ok=2)
    assert all("no worker was left for 3 s" in e["error"] for e in lines if e["status"] == "failed")


def test_a_print_file_from_a_dask_batch_holds_the_good_letters_pieces_and_none_of_a_failed_one(tmp_path, dask_client):
    """Three letters on the cluster with --print-file; the third's copy to the representative
    has an address too long for the window, so --strict fails that case after its original
    was drawn: it is listed and left out, none of its pieces in the print file."""
    import pikepdf
    import yaml
    from conftest import ROOT

    example = yaml.safe_load((ROOT / "examples" / "imr-chiropractic-and-massage.yaml").read_text())
    source = tmp_path / "cases"
    source.mkdir()
    for number in range(3):
        case = json.loads(json.dumps(example, default=str))
        case["case"]["imr_number"] = f"CM15-{number:07d}"
        if number == 2:
            case["parties"]["representative"]["address"]["lines"] = [f"Floor {n}" for n in range(1, 8)]
        (source / f"case-{number:03d}.json").write_text(json.dumps(case))
    outdir = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "letterkit", "batch", str(source), "-o", str(outdir), "-f", "pdf",
                             "-q", "--strict", "--scheduler", dask_client.scheduler.address,
                             "--print-file", str(outdir / "print.pdf"), "--mail-date", "2015-09-14",
                             "--sort", "case"],  # the cluster finishes cases in any order
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stderr
    assert "left out case-002: failed" in " ".join(result.stderr.split())
    entries = {entry["id"]: entry for entry in _assert_accounted(outdir, 3, least_ok=2)}
    assert entries["case-002"]["status"] == "failed" and "envelope window" in entries["case-002"]["error"]
    assert not list(outdir.glob("case-002.*"))
    with pikepdf.open(outdir / "print.pdf") as pdf:
        parts = [leaf for array in pdf.Root.DPartRoot.DPartRootNode.DParts for leaf in array]
        printed = [(str(leaf.DPM.CaseId), str(leaf.DPM.PieceId)) for leaf in parts]
    wanted = [(case_id, piece["piece_id"]) for case_id in ("case-000", "case-001")
              for piece in entries[case_id]["pieces"]]
    assert printed == wanted and len(wanted) == 8


@pytest.mark.parametrize("comes_back", [True, False], ids=["worker-restarted", "no-worker-left"])
def test_a_result_lost_with_its_worker_before_it_is_fetched_never_hangs_the_batch(tmp_path, case_data, comes_back):
    """A hand-off finishes, and its worker is killed before its result is fetched (Dask's one
    callback thread is held meanwhile, as a slow callback would). Dask computes it again on
    the restarted worker; with no worker left, its cases fail after the no-worker wait."""
    from letterkit.batch.dask_cluster import DaskExecutor

    source = _folder_of_cases(tmp_path / "cases", 3, case_data)  # one hand-off
    outdir = tmp_path / "out"
    with _cluster(1) as cluster, distributed.Client(cluster) as client, _dask_callbacks_held(client) as release:
        executor = DaskExecutor(client, no_workers_timeout=10)
        batch = _InBackground(lambda: letterkit.render_batch(source, outdir, formats=("html",), executor=executor))
        _wait_for(lambda: client.run_on_scheduler(_hand_off_states) == ["memory"], 60, "the hand-off to finish")
        (nanny,) = cluster.workers.values()
        if not comes_back:
            nanny.close_gracefully()  # its nanny will not start it again
        os.kill(nanny.pid, signal.SIGKILL)
        _wait_for(lambda: client.run_on_scheduler(_hand_off_states) != ["memory"], 60, "the result to be lost")
        release()
        summary = batch.result(timeout=90)
    lines = _assert_accounted(outdir, 3, least_ok=3 if comes_back else 0)
    if not comes_back:
        assert summary.failed == 3
        assert all("no worker was left for 10 s" in e["error"] for e in lines)


@contextlib.contextmanager
def _dask_callbacks_held(client):
    """Holds the one thread that runs every Dask future's done-callbacks, one after another,
    until the release function it yields is called (or the block ends)."""
    held, released = threading.Event(), threading.Event()
    gate = client.submit(int, 0, pure=False)
    gate.add_done_callback(lambda _: (held.set(), released.wait(120)))
    _wait_for(held.is_set, 60, "Dask's callback thread to be held")
    try:
        yield released.set
    finally:
        released.set()


def _hand_off_states(dask_scheduler) -> list[str]:
    return [task.state for key, task in dask_scheduler.tasks.items() if str(key).startswith("render_on_worker")]


def test_dask_memory_limit_covers_the_renderer(tmp_path, case_data):
    """A worker's memory limit covers its renderer: one case's renderer grows past it and
    that case fails, saying so; the others render, on a renderer started again. (Dask
    watches the worker process alone: a renderer grew to 655 MB under a 300 MB limit.)"""
    kit = _kit_where_a_summary_acts(tmp_path, "GROW", "held = b'x' * (1536 << 20)\ntime.sleep(30)")
    source = _folder_of_cases(tmp_path / "cases", 6, case_data)
    data = json.loads((source / "case-002.json").read_text())
    data["clinical_summary"] = "GROW"
    (source / "case-002.json").write_text(json.dumps(data))
    outdir = tmp_path / "out"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, memory_limit="1GB",
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        started = time.monotonic()
        summary = letterkit.render_batch(source, outdir, kit=kit, formats=FORMATS, executor=client)
    assert (summary.rendered, summary.failed) == (5, 1)
    lines = _assert_accounted(outdir, 6, least_ok=5)
    (failed,) = [entry for entry in lines if entry["status"] == "failed"]
    assert failed["id"] == "case-002"
    assert "its renderer process grew to" in failed["error"] and "memory limit" in failed["error"], failed["error"]
    assert time.monotonic() - started < 30, "stopped as it grew, not when its case ended"
