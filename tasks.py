"""Set-up and everyday tasks, with nothing but Python 3.11 on the machine.

    python3 tasks.py examples   # render every example letter into out/
    python3 tasks.py test       # run ruff, mypy and lint-imports, then the test suite
    python3 tasks.py docs       # build the documentation site into site/

Each task first makes sure of its environment: a virtual environment in .venv with
letterkit and its test tools installed (again whenever pyproject.toml changes), and
the system libraries WeasyPrint and the tests use (installed with apt-get when this
runs as root, otherwise the exact command is printed).
"""

from __future__ import annotations

import ctypes.util
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _font_file(name: str):
    """Whether Debian's font folders hold `name` (fontconfig finds fonts there)."""
    return lambda: any(Path("/usr/share/fonts").rglob(name))


# (what to look for, Debian package, why); the first RENDER_NEEDS render letters, the rest test them
SYSTEM_NEEDS = [
    (lambda: ctypes.util.find_library("harfbuzz-subset"), "libharfbuzz-subset0",
     "WeasyPrint subsets fonts twice as fast with it"),
    (lambda: ctypes.util.find_library("pango-1.0"), "libpango-1.0-0",
     "WeasyPrint lays out text with Pango"),
    (_font_file("NotoNaskhArabic-Regular.ttf"), "fonts-noto-core",
     "the PDF draws Arabic, Hebrew, Devanagari, Thai... names with these fallback fonts"),
    (_font_file("NotoSerifCJK-Regular.ttc"), "fonts-noto-cjk",
     "the PDF draws Chinese, Japanese and Korean names with this fallback font"),
    (lambda: shutil.which("java"), "default-jre-headless",
     "the tests check HTML with the Nu HTML Checker, which runs on Java"),
    (lambda: shutil.which("qpdf"), "qpdf", "the tests check the PDF's structure with qpdf"),
    (lambda: shutil.which("soffice"), "libreoffice-writer-nogui",
     "the tests open the DOCX in LibreOffice and compare it with the PDF"),
    (lambda: shutil.which("chromium"), "chromium",
     "the tests watch the live preview reload in a headless browser"),
    (lambda: shutil.which("pdftoppm"), "poppler-utils",
     "the documentation shows a picture of each example's first page"),
]
RENDER_NEEDS = 4


def main(argv: list[str]) -> int:
    task = argv[1] if len(argv) > 1 else "help"
    if task not in ("examples", "test", "docs"):
        print(__doc__)
        return 0 if task == "help" else 2
    _ensure_system_packages(test=(task != "examples"))
    _ensure_venv()
    if task == "examples":
        imr = sorted(str(p) for p in (ROOT / "examples").glob("*.yaml"))
        ur = sorted(str(p) for p in (ROOT / "examples" / "ur").glob("*.yaml"))
        abd = sorted(str(p) for p in (ROOT / "examples" / "adverse-benefit").glob("*.yaml"))
        return (_run([BIN / "letterkit", "render", *imr, "-o", "out"])
                or _run([BIN / "letterkit", "render", *ur, "--kit", "ur", "-o", "out"])
                or _run([BIN / "letterkit", "render", *abd, "--kit", "adverse-benefit", "-o", "out"]))
    if task == "docs":
        return _run([BIN / "python", "-m", "mkdocs", "build", "--strict", *argv[2:]])
    # The linter's, the type checker's and the layer contract's findings (pyproject.toml's
    # [tool.ruff.lint], [tool.mypy], [tool.importlinter]) fail the run as a test would; the
    # tests run either way, so that one run shows all.
    lint = _run([BIN / "python", "-m", "ruff", "check", "."])
    types = _run([BIN / "python", "-m", "mypy"])
    layers = _run([BIN / "lint-imports"])
    return _run([BIN / "python", "-m", "pytest", *argv[2:]]) or lint or types or layers


def _ensure_system_packages(test: bool) -> None:
    needs = SYSTEM_NEEDS if test else SYSTEM_NEEDS[:RENDER_NEEDS]
    missing = [(package, why) for found, package, why in needs if not found()]
    if not missing:
        return
    packages = [package for package, _ in missing]
    for package, why in missing:
        print(f"tasks.py: needs {package}: {why}")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True)
    else:
        print(f"tasks.py: install them with: sudo apt-get install -y {' '.join(packages)}")


def _ensure_venv() -> None:
    stamp = VENV / ".installed"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    if not BIN.exists():
        print("tasks.py: creating .venv")
        venv.create(VENV, with_pip=True)
    print("tasks.py: installing letterkit and its test tools into .venv")
    subprocess.run([BIN / "python", "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run(
        [BIN / "python", "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"], check=True
    )
    stamp.write_text(wanted)


def _run(command: list) -> int:
    return subprocess.run([str(part) for part in command], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
