"""Set-up and everyday tasks, with nothing but Python 3.11 on the machine.

    python3 tasks.py examples   # render every example letter into out/
    python3 tasks.py test       # run ruff, mypy and lint-imports, then the test suite
    python3 tasks.py quick      # the test suite without the tests marked slow
    python3 tasks.py docs       # build the documentation site into site/
    python3 tasks.py newest     # the test suite against the newest release of everything
    python3 tasks.py lock       # constraints.txt anew, from the newest releases

Each task first makes sure of its environment: a virtual environment in .venv with
letterkit and its test tools installed at the versions constraints.txt pins (again
whenever pyproject.toml or constraints.txt changes), and the system libraries
WeasyPrint and the tests use (installed with apt-get when this runs as root, otherwise
the exact command is printed). `newest` and `lock` use a second environment,
.venv-newest, with no pins.
"""

from __future__ import annotations

import contextlib
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
NEWEST = ROOT / ".venv-newest"
CONSTRAINTS = ROOT / "constraints.txt"
APT_LOCK_WAIT = 300  # seconds apt-get waits for another apt-get or dpkg to finish


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
    (lambda: shutil.which("pdftotext"), "poppler-utils",
     "--strict reads where a mail piece's address was drawn (pdftotext -bbox-layout)"),
    (lambda: shutil.which("zint"), "zint", "--imb encodes the USPS Intelligent Mail barcode with zint"),
    (lambda: shutil.which("soffice"), "libreoffice-writer-nogui",
     "the tests open the DOCX in LibreOffice and compare it with the PDF"),
    (lambda: shutil.which("chromium"), "chromium",
     "the tests watch the live preview reload in a headless browser"),
    (lambda: shutil.which("pdftoppm"), "poppler-utils",
     "the documentation shows a picture of each example's first page; "
     "the tests compare the PDF engines' words (pdftotext)"),
    (lambda: shutil.which("msgfmt"), "gettext",
     "the tests check a kit's translation catalogue (.pot) with msgfmt --check"),
    (lambda: shutil.which("lou_translate"), "liblouis-bin",
     "braille (-f brf) is translated by liblouis (liblouis20, liblouis-data); "
     "the tests read it back with lou_translate"),
    (lambda: shutil.which("espeak-ng"), "espeak-ng", "audio (-f wav) is read aloud by eSpeak NG"),
]
RENDER_NEEDS = 4


TASKS = ("examples", "test", "quick", "docs", "newest", "lock")


def main(argv: list[str]) -> int:
    task = argv[1] if len(argv) > 1 else "help"
    if task not in TASKS:
        print(__doc__)
        return 0 if task == "help" else 2
    try:
        _ensure_system_packages(test=(task != "examples"))
    except subprocess.CalledProcessError as error:
        print(f"tasks.py: {' '.join(error.cmd[:2])} failed (exit status {error.returncode}); "
              f"run it yourself: sudo apt-get install -y {' '.join(_missing_packages(task != 'examples'))}")
        return 1
    if task in ("newest", "lock"):
        _ensure_venv(NEWEST, pinned=False)
        return _test(NEWEST, argv[2:]) if task == "newest" else _lock()
    _ensure_venv(VENV, pinned=True)
    if task == "examples":
        imr = sorted(str(p) for p in (ROOT / "examples").glob("*.yaml"))
        ur = sorted(str(p) for p in (ROOT / "examples" / "ur").glob("*.yaml"))
        abd = sorted(str(p) for p in (ROOT / "examples" / "adverse-benefit").glob("*.yaml"))
        letterkit = _bin(VENV) / "letterkit"
        return (_run([letterkit, "render", *imr, "-o", "out"])
                or _run([letterkit, "render", *ur, "--kit", "ur", "-o", "out"])
                or _run([letterkit, "render", *abd, "--kit", "adverse-benefit", "-o", "out"]))
    if task == "docs":
        return _run([_bin(VENV) / "python", "-m", "mkdocs", "build", "--strict", *argv[2:]])
    return _test(VENV, ["-m", "not slow", *argv[2:]] if task == "quick" else argv[2:])


# A worker a core (pytest-xdist), a module's tests on one worker, so its module fixtures are
# made once; `-n 0` after the task runs one process. Not `--dist loadgroup`: pytest 9 no
# longer reads the node id pytest-xdist 3.8 marks a group in, so groups were ignored.
WORKERS = ["-n", "auto", "--dist", "loadfile"]


def _test(environment: Path, pytest_arguments: list[str]) -> int:
    """ruff, mypy, lint-imports and pytest. The linter's, the type checker's and the layer
    contract's findings (pyproject.toml's [tool.ruff.lint], [tool.mypy], [tool.importlinter])
    fail the run as a test would; the tests run either way, so that one run shows all."""
    python = _bin(environment) / "python"
    lint = _run([python, "-m", "ruff", "check", "."])
    types = _run([python, "-m", "mypy"])
    layers = _run([_bin(environment) / "lint-imports"])
    return _run([python, "-m", "pytest", *WORKERS, *pytest_arguments]) or lint or types or layers


def _lock() -> int:
    """constraints.txt: every package .venv-newest holds, at the version it holds."""
    frozen = subprocess.run([_bin(NEWEST) / "python", "-m", "pip", "freeze", "--exclude-editable"],
                            capture_output=True, text=True, check=True).stdout
    pins = sorted((line for line in frozen.splitlines() if "==" in line), key=str.lower)
    CONSTRAINTS.write_text(f"{CONSTRAINTS_HEADER}\n" + "\n".join(pins) + "\n")
    print(f"tasks.py: {CONSTRAINTS.name}: {len(pins)} packages pinned; run python3 tasks.py test, then commit it")
    return 0


CONSTRAINTS_HEADER = """\
# The versions `python3 tasks.py test` and `examples` install: those the suite last passed with.
# Made by `python3 tasks.py lock` (pip freeze of .venv-newest); pyproject.toml keeps lower bounds."""


def _missing_packages(test: bool) -> dict[str, str]:
    """Each Debian package a task needs and this machine lacks, with why it is needed."""
    needs = SYSTEM_NEEDS if test else SYSTEM_NEEDS[:RENDER_NEEDS]
    return {package: why for found, package, why in needs if not found()}


def _ensure_system_packages(test: bool) -> None:
    packages = _missing_packages(test)
    if not packages:
        return
    for package, why in packages.items():
        print(f"tasks.py: needs {package}: {why}")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        # apt-get waits its turn, a bounded time, while another apt-get or dpkg holds the lock
        wait = ["-o", f"DPkg::Lock::Timeout={APT_LOCK_WAIT}"]
        subprocess.run(["apt-get", *wait, "update", "-qq"], check=True)
        subprocess.run(["apt-get", *wait, "install", "-y", "-qq", *packages], check=True)
    else:
        print(f"tasks.py: install them with: sudo apt-get install -y {' '.join(packages)}")


def _ensure_venv(environment: Path, pinned: bool) -> None:
    """letterkit and its test tools in `environment`: at the pinned versions, or the newest."""
    stamp = environment / ".installed"
    sources = [ROOT / "pyproject.toml", ROOT / "tasks.py"] + ([CONSTRAINTS] if pinned else [])  # and how it installs
    wanted = hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()
    if pinned and stamp.exists() and stamp.read_text() == wanted:
        return
    python = _bin(environment) / "python"
    if not python.exists():
        print(f"tasks.py: creating {environment.name}")
        venv.create(environment, with_pip=True)
    print(f"tasks.py: installing letterkit and its test tools into {environment.name}"
          + (f" at the versions {CONSTRAINTS.name} pins" if pinned else ", each at its newest release"))
    subprocess.run([python, "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    versions = ["-c", str(CONSTRAINTS)] if pinned else ["--upgrade", "--upgrade-strategy", "eager"]
    subprocess.run([python, "-m", "pip", "install", "-q", *versions, "-e", f"{ROOT}[test]"], check=True,
                   env={**os.environ, "PYTHONWARNINGS": _QUIET_EDITABLE_INSTALL})
    show_type_checkers(python)
    stamp.write_text(wanted)


# setuptools warns at every editable install whose packages are mapped to other folders
# (templates/ is letterkit.templates) that such a folder may shadow the package: nine lines
# of a library's voice on the first command a new user runs. Its other warnings still show
# (and tests/test_package.py fails on any in a wheel's build).
_QUIET_EDITABLE_INSTALL = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), "ignore:Editable installation"]))


def show_type_checkers(python: Path) -> None:
    """Put letterkit where type checkers look: a plain path in a .pth file of `python`'s
    site-packages. They read such lines, but cannot follow the import hook of setuptools'
    editable install (mypy found no letterkit in .venv); its "strict" and "compat" modes
    would link files (which the kit loader refuses) or lose letterkit.templates. The path
    is a folder holding only a link to the package: nothing else of the checkout becomes
    importable, and a module added to it is seen at once, as with the hook."""
    folder = ROOT / "build" / "type-checkers"
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # made by an earlier install
        (folder / "letterkit").symlink_to(ROOT / "letterkit", target_is_directory=True)
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "letterkit-type-checkers.pth").write_text(f"{folder}\n")


def _bin(environment: Path) -> Path:
    return environment / ("Scripts" if os.name == "nt" else "bin")


def _run(command: list) -> int:
    return subprocess.run([str(part) for part in command], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
