"""`python3 tasks.py test` runs a worker a core, each module's tests on one worker, so that a
module's fixtures are made once (the examples rendered, a cluster started)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT))
from tasks import WORKERS  # noqa: E402

MODULE = """
import os, pathlib
def test_{name}_{number}():
    with open(pathlib.Path(__file__).with_suffix(".seen"), "a") as seen:
        seen.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
"""


@pytest.mark.slow
def test_each_modules_tests_run_on_one_worker(tmp_path):
    for name in ("first", "second", "third"):
        tests = "".join(MODULE.format(name=name, number=number) for number in range(6))
        (tmp_path / f"test_{name}.py").write_text(tests)
    workers = [argument if argument != "auto" else "2" for argument in WORKERS]
    finished = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *workers,
                               "--rootdir", str(tmp_path), str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    for name in ("first", "second", "third"):
        seen = (tmp_path / f"test_{name}.seen").read_text().split()
        assert len(seen) == 6 and len(set(seen)) == 1, (name, seen)
