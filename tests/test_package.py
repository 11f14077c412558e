"""The built-in kit works from an installed wheel, not only from a checkout."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a wheel built and installed

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_the_kit_and_renders_from_it(tmp_path):
    # built from a copy without build/: setuptools would add a stale build/lib's modules
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".*", "build", "out", "site", "*.egg-info", "__pycache__", "tests", "docs", "benchmarks"))
    # what importing the kit's model.py leaves beside it
    left_by_a_run = source / "templates" / "imr" / "__pycache__" / "model.cpython-311.pyc"
    left_by_a_run.parent.mkdir()
    left_by_a_run.write_bytes(b"bytecode")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(source)],
        check=True, capture_output=True, text=True,
    )
    # The build says nothing, as every install does (a kit folder left out of pyproject's
    # packages: a 40-line BuildBackendWarning, "Package would be ignored", on the user's terminal)
    assert not re.findall(r"\b\w+Warning\b.*", build.stderr), build.stderr
    wheel = next((tmp_path / "dist").glob("letterkit-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for kit_file in ("imr/kit.toml", "imr/model.py", "imr/letter.md.j2", "imr/style.css", "letter/reference.docx",
                     "imr/blocks/disputed-item.md.j2", "letter/fonts/LiberationSerif-Regular.ttf", "letter/kit.toml"):
        assert f"letterkit/templates/{kit_file}" in names, kit_file
    assert not [name for name in names if "__pycache__" in name], "bytecode is no kit's file"
    assert "letterkit/py.typed" in names  # PEP 561: the annotations are for type checkers too
    for module in (ROOT / "letterkit").rglob("*.py"):  # a subpackage left out of pyproject's list
        assert module.relative_to(ROOT).as_posix() in names, module

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    case = ROOT / "examples" / "imr-chiropractic-and-massage.yaml"
    script = (
        "import letterkit, sys; "
        "assert letterkit.__file__.startswith(sys.argv[1]), letterkit.__file__; "
        f"files = letterkit.render(letterkit.read_case({str(case)!r})); "
        "assert files['pdf'].startswith(b'%PDF') and files['docx'][:2] == b'PK'; "
        "import letterkit.cli"  # every command's modules import from the wheel alone
    )
    subprocess.run([sys.executable, "-c", script, str(site)], check=True, cwd=tmp_path,
                   env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    # the command too: its package and every package it imports (letterkit.mail) are in the wheel
    command = subprocess.run([sys.executable, "-m", "letterkit", "render", str(case), "-f", "html", "-o", "out"],
                             cwd=tmp_path, capture_output=True, text=True,
                             env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert command.returncode == 0 and (tmp_path / "out" / f"{case.stem}.html").is_file(), command.stderr
