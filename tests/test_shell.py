"""The `letterkit` command as a person at a shell meets it: version, help, completion."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from typer.testing import CliRunner

import letterkit
from conftest import ROOT
from letterkit.cli import app

LETTERKIT = [sys.executable, "-m", "letterkit"]
COMMANDS = ["render", "batch", "validate", "rules", "blocks", "lint", "new-kit", "preview", "vars", "schema"]


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*LETTERKIT, *args], capture_output=True, text=True, timeout=120, **kwargs)


def test_version_prints_the_installed_version():
    result = _run("--version")
    assert result.returncode == 0 and result.stdout == f"letterkit {letterkit.__version__}\n"


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_shows_names_not_python_types(command):
    result = CliRunner().invoke(app, [*filter(None, [command]), "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    for python in ("<list", "<str>", "<path>", "<bool>", "<int>", "<float", "Path]", "{cases}"):
        assert python not in result.output, (python, result.output)


def test_the_shell_completes_commands():
    script = _run("--show-completion", "bash")
    assert script.returncode == 0 and "complete" in script.stdout
    words = subprocess.run(LETTERKIT, capture_output=True, text=True,
                           env=dict(os.environ, _LETTERKIT_COMPLETE="complete_bash", COMP_WORDS="letterkit ren",
                                    COMP_CWORD="1"), timeout=60)
    assert words.stdout.split() == ["render"]


def test_the_names_the_docs_use_are_exported():
    for name in ("BatchLockedError", "BatchSummary", "Case", "render_batch"):
        assert name in letterkit.__all__ and getattr(letterkit, name) is getattr(letterkit.batch, name)


def test_the_readme_says_letterkit_runs_on_posix_only():
    # The batch lock is fcntl's and the time limit SIGALRM: POSIX only, said where users look.
    readme = (ROOT / "README.md").read_text()
    assert "runs on POSIX systems only" in readme.split("\n## ", 1)[0]


@pytest.mark.parametrize("command", ["render", "batch"])
@pytest.mark.parametrize("option, value, message", [
    ("--pdf-variant", "pdf/x", "choose from pdf/a-2b"),
    ("--reference-docx", "README.md", "is not a .docx file"),
    ("--reference-docx", "nowhere.docx", "no such file"),
    ("--kit", "nope", "no kit 'nope'"),
])
def test_a_bad_option_is_one_usage_error_before_any_case(tmp_path, command, option, value, message):
    cases = tmp_path / "cases"
    cases.mkdir()
    for number in range(3):
        (cases / f"case-{number}.yaml").write_text((ROOT / "examples" / "imr-medications-mixed.yaml").read_text())
    source = [str(path) for path in sorted(cases.iterdir())] if command == "render" else [str(cases)]
    result = CliRunner().invoke(app, [command, *source, "-o", str(tmp_path / "out"), option, value],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert result.stderr.count(message) == 1, result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("case-*"))
