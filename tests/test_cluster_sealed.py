"""A sealed batch on each cluster engine: every letter sealed by the worker that rendered it,
and each seal verified against the test root."""

from __future__ import annotations

import contextlib
import subprocess
import sys

import pytest
from pki import PASSPHRASE, make_pki
from test_batch import _folder_of_cases
from test_cluster import _assert_accounted, _cluster

import letterkit
from letterkit.seal import SealKey

pytestmark = pytest.mark.slow  # a cluster started, keys made, letters sealed and verified


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.mark.parametrize("engine", ["dask", "ray"])
def test_a_sealed_batch_on_a_cluster_verifies(engine, tmp_path, case_data, pki):
    source = _folder_of_cases(tmp_path / "cases", 2, case_data)
    options = letterkit.WriterOptions(pdf_variant="archival", seal=SealKey(pki.key, PASSPHRASE))
    with _engine(engine) as executor:
        summary = letterkit.render_batch(source, tmp_path / "out", formats=("pdf", "docx"), options=options,
                                         executor=executor)
    assert (summary.rendered, summary.failed) == (2, 0), summary.failures
    _assert_accounted(tmp_path / "out", 2, least_ok=2)
    for number in range(2):
        for name in (f"case-{number:03d}.pdf", f"case-{number:03d}.docx"):
            result = subprocess.run([sys.executable, "-m", "letterkit", "verify", str(tmp_path / "out" / name),
                                     "--trust", str(pki.ca_pem)], capture_output=True, text=True)
            assert result.returncode == 0, result.stdout + result.stderr


@contextlib.contextmanager
def _engine(engine: str):
    if engine == "dask":
        distributed = pytest.importorskip("distributed")
        with _cluster(2) as cluster, distributed.Client(cluster) as client:
            yield client
    else:
        pytest.importorskip("ray")
        from letterkit.batch.schedulers import connect
        with connect("ray:auto", workers=2) as executor:
            yield executor
