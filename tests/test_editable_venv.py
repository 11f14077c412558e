"""mypy in the README's editable .venv: a user's script that imports letterkit type-checks."""

from __future__ import annotations

import importlib.util
import subprocess
import sysconfig
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a virtual environment made and letterkit installed in it

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_strict_finds_letterkit_in_the_readmes_editable_venv(tmp_path):
    """The README's set-up (tasks.py) installs letterkit editable; a user's script run through
    mypy --strict there finds it, typed, and the README's own `load_kit(..., templates=[...])`
    type-checks."""
    spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=False)
    # pip, setuptools, mypy and letterkit's dependencies from this environment: nothing downloaded
    purelib = sysconfig.get_paths(vars={"base": str(environment), "platbase": str(environment)})["purelib"]
    (Path(purelib) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    python = environment / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "-e", str(ROOT)],
                   check=True, capture_output=True)  # as tasks.py installs it, less the downloads
    tasks.show_type_checkers(python)
    script = tmp_path / "letters.py"
    script.write_text('import letterkit\n\nkit = letterkit.load_kit("imr", templates=["mine"])\nprint(kit.name)\n')
    checked = subprocess.run([python, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), str(script)],
                             capture_output=True, text=True, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    (tmp_path / "mine").mkdir()
    ran = subprocess.run([python, str(script)], capture_output=True, text=True, cwd=tmp_path)
    assert ran.stdout == "imr\n", ran.stderr  # and it runs, the built-in kits found through the install
