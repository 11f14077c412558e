"""One error contract: whatever stops a command — a letterkit error, the operating system's
(a full disk, a folder where a file was wanted), Ctrl-C — is one line on stderr and the exit
status `letterkit --help` lists; never a traceback."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from letterkit.cli import app, exits

LETTERKIT = [sys.executable, "-m", "letterkit"]
CASE = ROOT / "examples" / "imr-medications-mixed.yaml"


def test_help_lists_every_exit_status():
    said = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "100"}).stdout
    epilog = " ".join(said.split("Exit status:", 1)[1].split())
    for status in (exits.OK, exits.FAILED, exits.USAGE, exits.UNCHECKED, exits.INTERRUPTED, exits.READER_GONE):
        assert f"{status} " in epilog, (status, epilog)


def test_a_letterkit_error_is_one_line_and_status_1():
    result = CliRunner().invoke(app, ["vars", "--kit", "nope"])
    assert result.exit_code == exits.FAILED
    assert result.stderr.startswith("error no kit 'nope'") and result.stderr.count("\n") == 1


def test_a_folder_where_a_file_is_wanted_is_one_line_and_status_1(tmp_path):
    """--audit-log names a folder: the operating system's IsADirectoryError, said as a line."""
    result = CliRunner().invoke(app, ["render", str(CASE), "-f", "html", "-o", str(tmp_path / "out"),
                                      "--audit-log", str(tmp_path)])
    assert result.exit_code == exits.FAILED, result.output
    assert result.stderr.splitlines()[-1] == f"error {tmp_path}: Is a directory"
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.slow  # a second or more each, on a quiet machine
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a device that is always full")
@pytest.mark.parametrize("command", [["schema"], ["kits"], ["rules", "--json"]])
def test_a_full_disk_under_standard_output_is_one_line_and_status_1(command):
    with open("/dev/full", "w") as full:
        result = subprocess.run([*LETTERKIT, *command], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (exits.FAILED, "error standard output: No space left on device\n")


@pytest.mark.slow  # a second or more each, on a quiet machine
@pytest.mark.parametrize("command", [
    ["rules"], ["rules", "--json"], ["kits"], ["validate", str(CASE)], ["render", str(CASE), "-f", "html", "-o", "-"],
    ["--help"], ["--version"], ["render", "--help"]], ids=lambda command: " ".join(command).replace(f"{ROOT}/", ""))
def test_a_reader_that_stops_early_ends_the_command_quietly_as_git_does(command):
    """`letterkit rules | head`: once the reader has gone, the command stops without a word
    and with the status a shell reports for git or grep killed by SIGPIPE (128 + 13). The
    pipe's reading end is closed before letterkit starts, so every write meets a gone reader."""
    reading_end, writing_end = os.pipe()
    os.close(reading_end)
    try:
        result = subprocess.run([*LETTERKIT, *command], stdout=writing_end, stderr=subprocess.PIPE, text=True,
                                timeout=120)
    finally:
        os.close(writing_end)
    assert (result.returncode, result.stderr) == (exits.READER_GONE, "")
    assert exits.READER_GONE == 128 + signal.SIGPIPE


@pytest.mark.slow  # a second or more each, on a quiet machine
def test_ctrl_c_is_one_line_and_status_130(tmp_path):
    """Rendering six letters, stopped by SIGINT after the first: no traceback, no half file."""
    cases = [tmp_path / f"case-{number}.yaml" for number in range(6)]
    for case in cases:
        case.write_bytes(CASE.read_bytes())
    outdir = tmp_path / "out"
    process = subprocess.Popen([*LETTERKIT, "render", *map(str, cases), "-f", "pdf", "-o", str(outdir)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               # as at a terminal: a shell that started pytest in the background ignores SIGINT
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not (outdir / "case-0.pdf").exists():
        assert time.monotonic() < deadline and process.poll() is None, "render did not start"
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr.splitlines()[-1:]) == (exits.INTERRUPTED, ["interrupted"]), stderr
    assert "Traceback" not in stderr
    assert not list(outdir.glob(".*.part")) and all(path.stat().st_size for path in outdir.iterdir())


def test_no_command_ends_itself_with_exit():
    """Every failure's status comes from `exits`: no command raises typer.Exit on its own."""
    modules = sorted((ROOT / "letterkit").glob("cli.py")) + sorted((ROOT / "letterkit" / "cli").glob("*.py"))
    assert modules
    exits_elsewhere = [f"{path.name}:{number}" for path in modules if path.name != "exits.py"
                       for number, line in enumerate(path.read_text().splitlines(), 1)
                       if re.search(r"\bExit\(\s*[^)\s]", line)]
    assert exits_elsewhere == []
