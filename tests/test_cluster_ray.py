"""The same accounting on Ray: one manifest line per case when actors are killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

import letterkit
from test_batch import _folder_of_cases
from test_cluster import FORMATS, _assert_accounted, _InBackground, _lines, _wait_for

pytestmark = pytest.mark.slow  # Ray started and its actors killed

ray = pytest.importorskip("ray", reason="letterkit[ray] is not installed")


@pytest.fixture
def ray_on_this_machine():
    ray.init(num_cpus=3, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        yield
    finally:
        ray.shutdown()


def test_ray_actors_killed_mid_batch_every_case_has_one_line(tmp_path, case_data, ray_on_this_machine):
    """Two actors killed during the run: one is started again by Ray, the other never."""
    from letterkit.batch.ray_cluster import RayExecutor

    source = _folder_of_cases(tmp_path / "cases", 60, case_data)
    outdir = tmp_path / "out"
    with RayExecutor(workers=3) as executor:
        actors = list(executor.actors)
        pids = ray.get([actor.pid.remote() for actor in actors])
        batch = _InBackground(lambda: letterkit.render_batch(source, outdir, formats=FORMATS, executor=executor))
        _wait_for(lambda: _lines(outdir) >= 5 or not batch.is_alive(), 60, "the first letters")
        assert _lines(outdir) < 60
        os.kill(pids[0], signal.SIGKILL)  # Ray starts it again
        _wait_for(lambda: _lines(outdir) >= 20 or not batch.is_alive(), 60, "more letters")
        assert _lines(outdir) < 60, "killed during the run"
        ray.kill(actors[1], no_restart=True)  # gone for good
        summary = batch.result(timeout=120)
        assert ray.get(actors[0].pid.remote()) != pids[0], "started again"
    assert summary.rendered + summary.failed == 60
    _assert_accounted(outdir, 60, least_ok=58)


def test_scheduler_ray_auto_accounts_for_every_case_like_dask(tmp_path, case_data):
    """From the command line: a Ray of its own on this machine, two actors; one case bad."""
    source = _folder_of_cases(tmp_path / "cases", 12, case_data)
    bad = json.loads((source / "case-005.json").read_text())
    bad["items"][0]["decision"] = "Denied"
    (source / "case-005.json").write_text(json.dumps(bad))
    outdir = tmp_path / "out"
    environment = {name: value for name, value in os.environ.items() if name != "RAY_ADDRESS"}
    result = subprocess.run([sys.executable, "-m", "letterkit", "batch", str(source), "-o", str(outdir), "-q",
                             "-f", ",".join(FORMATS), "--scheduler", "ray:auto", "-j", "2"],
                            capture_output=True, text=True, timeout=300, env=environment)
    assert result.returncode == 1, result.stderr
    assert "11 rendered, 1 failed, 0 unchanged" in result.stdout
    lines = _assert_accounted(outdir, 12, least_ok=11)
    (failed,) = [e for e in lines if e["status"] == "failed"]
    assert failed["id"] == "case-005" and "items[0].decision" in failed["error"]
