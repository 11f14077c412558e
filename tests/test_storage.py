"""Cases and letters in object storage: a real S3 endpoint (moto's server, started here on a
free port), reached the way a user's batch reaches S3 — environment variables, s3fs."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

import letterkit
from letterkit.batch.lock import exclusive_in_store
from letterkit.batch.storage import Folder, storage_options_from

pytestmark = pytest.mark.slow  # an S3 server, worker processes, a client killed

s3fs = pytest.importorskip("s3fs", reason="letterkit[s3] is not installed")
moto_server = pytest.importorskip("moto.server", reason="moto[server] is not installed")

LETTERKIT = [sys.executable, "-m", "letterkit"]


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on a free port of this machine, and the environment that points at it."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    environment = {"AWS_ENDPOINT_URL": f"http://{host}:{port}", "AWS_ACCESS_KEY_ID": "testing",
                   "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        yield environment
    server.stop()


@pytest.fixture
def bucket(s3_endpoint) -> str:
    """A new bucket for the test; its name."""
    name = f"letters-{uuid.uuid4().hex[:12]}"
    _fs().mkdir(name)
    return name


def _fs():
    return s3fs.S3FileSystem(skip_instance_cache=True)


def _put_cases(bucket: str, count: int, case_data: dict) -> str:
    fs = _fs()
    for number in range(count):
        data = json.loads(json.dumps(case_data))
        data["case"]["imr_number"] = f"CM15-{number:07d}"
        fs.pipe_file(f"{bucket}/cases/case-{number:03d}.json", json.dumps(data).encode())
    return f"s3://{bucket}/cases/"


def _objects(prefix: str) -> dict[str, bytes]:
    fs = _fs()
    return {path.rsplit("/", 1)[-1]: fs.cat_file(path) for path in fs.find(prefix)}


def _manifest_lines(prefix: str) -> list[dict]:
    content = _objects(prefix).get("manifest.jsonl", b"")
    return [json.loads(line) for line in content.decode().splitlines()]


def _assert_letters_match_manifest(prefix: str, count: int, formats: tuple[str, ...]) -> None:
    """One ok line per case, each letter's sha256 as its line says, and nothing else
    there: no temporary object, no lock."""
    objects = _objects(prefix)
    lines = _manifest_lines(prefix)
    assert sorted(e["id"] for e in lines) == [f"case-{n:03d}" for n in range(count)]
    assert all(e["status"] == "ok" for e in lines), [e.get("error") for e in lines]
    for entry in lines:
        for output in entry["outputs"]:
            content = objects[output["file"]]
            assert (len(content), hashlib.sha256(content).hexdigest()) == (output["bytes"], output["sha256"])
    expected = {f"case-{n:03d}.{fmt}" for n in range(count) for fmt in formats} | {"manifest.jsonl"}
    assert set(objects) == expected


def test_forty_cases_read_from_s3_and_written_back(bucket, case_data):
    source = _put_cases(bucket, 40, case_data)
    outdir = f"s3://{bucket}/letters/"
    result = subprocess.run([*LETTERKIT, "batch", source, "-o", outdir, "-f", "html,docx", "-j", "2", "-q"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "40 rendered, 0 failed, 0 unchanged (skipped)" in result.stdout
    assert f"manifest: s3://{bucket}/letters/manifest.jsonl" in result.stdout
    _assert_letters_match_manifest(f"{bucket}/letters", 40, ("html", "docx"))

    again = letterkit.render_batch(source, outdir, formats=("html", "docx"), jobs=2)
    assert (again.skipped, again.rendered, again.failed) == (40, 0, 0)
    _assert_letters_match_manifest(f"{bucket}/letters", 40, ("html", "docx"))


def test_the_client_killed_mid_run_then_the_batch_resumed_renders_only_what_is_missing(bucket, case_data):
    source = _put_cases(bucket, 24, case_data)
    outdir = f"s3://{bucket}/letters/"
    client = subprocess.Popen([*LETTERKIT, "batch", source, "-o", outdir, "-f", "pdf", "-j", "2", "-q"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fs = _fs()

    def letters() -> int:
        fs.invalidate_cache()
        return sum(name.endswith(".pdf") for name in fs.find(f"{bucket}/letters"))

    _wait_for(lambda: letters() >= 6 or client.poll() is not None, 120, "the first letters")
    client.send_signal(signal.SIGKILL)
    client.wait()
    assert letters() < 24, "the client was killed mid-run"
    assert fs.exists(f"{bucket}/letters/.letterkit-batch.lock"), "the dead client's lock is left"
    before = {e["id"] for e in _manifest_lines(f"{bucket}/letters") if e["status"] == "ok"}

    summary = letterkit.render_batch(source, outdir, formats=("pdf",), jobs=2)  # takes over the dead lock
    assert (summary.skipped, summary.rendered, summary.failed) == (len(before), 24 - len(before), 0)
    _assert_letters_match_manifest(f"{bucket}/letters", 24, ("pdf",))
    assert len(_manifest_lines(f"{bucket}/letters")) == 24, "compacted to one line a case"


def test_a_second_batch_on_the_same_prefix_is_refused_while_one_holds_it(bucket, case_data):
    source = _put_cases(bucket, 2, case_data)
    outdir = f"s3://{bucket}/letters"
    with exclusive_in_store(Folder(outdir)):
        result = subprocess.run([*LETTERKIT, "batch", source, "-o", outdir, "-f", "html", "-q"],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 2
        assert "another batch (pid" in result.stderr and "is writing to this folder" in result.stderr
        assert f"{outdir}/.letterkit-batch.lock is deleted" in result.stderr
    assert not _fs().exists(f"{bucket}/letters/.letterkit-batch.lock"), "released"
    summary = letterkit.render_batch(source, outdir, formats=("html",), jobs=1)
    assert (summary.rendered, summary.failed) == (2, 0)


def test_a_batch_on_a_dask_cluster_reads_and_writes_s3(bucket, case_data):
    distributed = pytest.importorskip("distributed")
    source = _put_cases(bucket, 12, case_data)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        summary = letterkit.render_batch(source, f"s3://{bucket}/letters/", formats=("html", "docx"),
                                         executor=client)
    assert (summary.rendered, summary.failed) == (12, 0)
    _assert_letters_match_manifest(f"{bucket}/letters", 12, ("html", "docx"))


def test_storage_options_refuse_secrets():
    assert storage_options_from('{"endpoint_url": "http://minio:9000", "client_kwargs": {"region_name": "eu"}}')
    for secret in ('{"secret": "x"}', '{"key": "AKIA"}', '{"client_kwargs": {"aws_secret_access_key": "x"}}'):
        with pytest.raises(letterkit.LetterkitError, match="a secret"):
            storage_options_from(secret)


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.05)


def test_no_object_store_library_warns_or_logs_on_the_terminal(bucket, case_data):
    source = _put_cases(bucket, 1, case_data)
    result = subprocess.run([*LETTERKIT, "batch", source, "-o", f"s3://{bucket}/out", "-f", "html", "-q"],
                            capture_output=True, text=True, timeout=120, env=dict(os.environ, PYTHONWARNINGS="default"))
    assert result.returncode == 0 and result.stderr == "", result.stderr
