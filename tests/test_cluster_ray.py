"""The same accounting on Ray: one manifest line per case when actors are killed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from test_batch import _folder_of_cases
from test_cluster import FORMATS, _assert_accounted, _InBackground, _lines, _wait_for

import letterkit

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


def test_ray_actors_take_a_cpu_each_spread_over_the_nodes(tmp_path, case_data):
    """Two nodes of two CPUs: six workers asked, four started, two on each node (Ray's default
    actor holds no CPU while it runs, and all six went to the driver's node)."""
    from ray.cluster_utils import Cluster

    from letterkit.batch.ray_cluster import RayExecutor

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 2, "include_dashboard": False})
    try:
        cluster.add_node(num_cpus=2)
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, log_to_driver=False, configure_logging=False)
        with RayExecutor(workers=6) as executor:
            nodes = ray.get([actor.__ray_call__.remote(lambda _: ray.get_runtime_context().get_node_id())
                             for actor in executor.actors])
            source = _folder_of_cases(tmp_path / "cases", 8, case_data)
            summary = letterkit.render_batch(source, tmp_path / "out", formats=FORMATS, executor=executor)
        assert sorted(Counter(nodes).values()) == [2, 2]
        assert (summary.rendered, summary.failed) == (8, 0)
    finally:
        ray.shutdown()
        cluster.shutdown()


def test_scheduler_ray_client_address_accounts_for_every_case(tmp_path, case_data):
    """`--scheduler ray://HOST:PORT` against a Ray head started here with its client server.
    With a token in `~/.ray/auth_token` the head turns token authentication on by itself,
    and the batch must send it (Ray's client does not unless told)."""
    ports = [_free_port() for _ in range(2)]
    folder = tempfile.mkdtemp(prefix="lk-ray-", dir="/tmp")  # short: Ray's socket paths go under it
    environment = {name: value for name, value in os.environ.items() if not name.startswith("RAY_")}
    environment["HOME"] = str(tmp_path / "home")
    (tmp_path / "home" / ".ray").mkdir(parents=True)
    (tmp_path / "home" / ".ray" / "auth_token").write_text("0123456789abcdef" * 4)
    head = subprocess.Popen([str(Path(sys.executable).with_name("ray")), "start", "--head", "--block", "--num-cpus=2",
                             f"--port={ports[0]}", f"--ray-client-server-port={ports[1]}", "--include-dashboard=false",
                             f"--temp-dir={folder}", "--disable-usage-stats"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env=environment)
    try:
        _wait_for(lambda: _accepts(ports[1]) or head.poll() is not None, 120, "Ray's client server")
        source = _folder_of_cases(tmp_path / "cases", 10, case_data)
        result = subprocess.run([sys.executable, "-m", "letterkit", "batch", str(source), "-o", str(tmp_path / "out"),
                                 "-q", "-f", ",".join(FORMATS), "--scheduler", f"ray://127.0.0.1:{ports[1]}"],
                                capture_output=True, text=True, timeout=300, env=environment)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "10 rendered, 0 failed, 0 unchanged" in result.stdout
        _assert_accounted(tmp_path / "out", 10, least_ok=10)
    finally:
        _stop_tree(head)
        shutil.rmtree(folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _stop_tree(head: subprocess.Popen) -> None:
    """Stop the Ray head `ray start --block` runs (SIGINT: it stops what it started), and
    then, by their ids, any of its processes still there."""
    import psutil

    tree = [psutil.Process(head.pid), *psutil.Process(head.pid).children(recursive=True)]
    head.send_signal(signal.SIGINT)
    try:
        head.wait(60)
    except subprocess.TimeoutExpired:
        head.kill()
    _, alive = psutil.wait_procs(tree, timeout=30)
    for process in alive:
        process.kill()
