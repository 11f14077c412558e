"""The built-in kit works from an installed wheel, not only from a checkout."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a wheel built and installed

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_the_kit_and_renders_from_it(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(ROOT)],
        check=True, capture_output=True,
    )
    wheel = next((tmp_path / "dist").glob("letterkit-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for kit_file in ("imr/kit.toml", "imr/model.py", "imr/letter.md.j2", "imr/style.css", "letter/reference.docx",
                     "imr/blocks/disputed-item.md.j2", "letter/fonts/LiberationSerif-Regular.ttf", "letter/kit.toml"):
        assert f"letterkit/templates/{kit_file}" in names, kit_file
    assert "letterkit/py.typed" in names  # PEP 561: the annotations are for type checkers too

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    case = ROOT / "examples" / "imr-chiropractic-and-massage.yaml"
    script = (
        "import letterkit, sys; "
        "assert letterkit.__file__.startswith(sys.argv[1]), letterkit.__file__; "
        f"files = letterkit.render(letterkit.read_case({str(case)!r})); "
        "assert files['pdf'].startswith(b'%PDF') and files['docx'][:2] == b'PK'"
    )
    subprocess.run([sys.executable, "-c", script, str(site)], check=True, cwd=tmp_path,
                   env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})


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
