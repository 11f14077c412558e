"""The same case gives byte-identical files, whatever the process or the clock."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import EXAMPLES

pytestmark = pytest.mark.slow  # letters rendered in separate processes


def test_two_processes_render_identical_bytes(tmp_path):
    example = EXAMPLES[0]
    for run, seed in (("a", "1"), ("b", "2")):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "letterkit", "render", str(example), "-o", str(tmp_path / run)],
            check=True, env=environment, capture_output=True,
        )
    for format in ("html", "pdf", "docx"):
        first = (tmp_path / "a" / f"{example.stem}.{format}").read_bytes()
        second = (tmp_path / "b" / f"{example.stem}.{format}").read_bytes()
        assert first == second, f"{format} differs between two renders"
