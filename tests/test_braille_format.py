"""Braille (`-f brf`): UEB grade 2 in BRF, as an embosser takes it, read back by liblouis."""

from __future__ import annotations

import ctypes.util
import functools
import shutil
import subprocess

import pytest
from conftest import EXAMPLES
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app
from letterkit.writers import liblouis

pytestmark = pytest.mark.skipif(shutil.which("lou_translate") is None,
                                reason="needs liblouis-bin (tasks.py installs it)")
BRF_ASCII = {chr(code) for code in range(0x20, 0x60)}  # space to underscore: the 64 cells, upper case


def _brf(data, **options) -> str:
    return letterkit.render(data, formats=("brf",), **options)["brf"].decode("ascii")


def _pages(brf: str) -> list[list[str]]:
    assert brf.endswith("\f")
    return [page.split("\r\n")[:-1] for page in brf.split("\f")[:-1]]


def back_translated(brf: str) -> str:
    """liblouis' own reading of the braille (its lou_translate program), line by line as
    a reader reads it, page-number lines left out."""
    lines = "".join(f"{line}\n" for page in _pages(brf) for line in page[:-1])
    done = subprocess.run(["lou_translate", "--backward", "en-us-brf.dis,en-ueb-g2.ctb"], input=lines,
                          capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


@pytest.fixture(scope="module")
def seed_brf() -> str:
    return _brf(letterkit.read_case(EXAMPLES[0]))


def test_every_line_fits_40_cells_every_page_25_lines_in_brf_ascii_only(seed_brf):
    pages = _pages(seed_brf)
    assert len(pages) > 5
    assert all(len(page) <= 25 for page in pages)
    assert all(len(line) <= 40 for page in pages for line in page)
    assert set(seed_brf) - {"\r", "\n", "\f"} <= BRF_ASCII


def test_each_page_ends_with_its_braille_page_number(seed_brf):
    for number, page in enumerate(_pages(seed_brf), 1):
        digits = str(number).translate(str.maketrans("1234567890", "ABCDEFGHIJ"))
        assert page[-1] == f"#{digits}".rjust(40)


def test_liblouis_reads_back_the_case_number_and_the_decision(seed_brf):
    text = back_translated(seed_brf)
    assert "CM15-0171234" in text
    assert "Overall: the utilization review decision is upheld." in text
    assert "FINAL DETERMINATION" in text


def test_headings_and_lists_keep_their_shape(case_data):
    case_data["clinical_summary"] = "Her history:\n\n1. low back pain since 2008\n2. neck pain"
    lines = [line for page in _pages(_brf(case_data)) for line in page]
    first = next(n for n, line in enumerate(lines) if line.startswith("#A4 "))  # "1." in braille
    assert lines[first + 1].startswith("#B4 ")  # the next entry, from the margin as the first
    heading = next(line for line in lines if ",,F9AL ,,DET]M9A;N" in line)
    assert heading.startswith("   ")  # centred


def test_without_liblouis_the_cli_says_so_in_one_line(tmp_path, monkeypatch):
    # A machine without liblouis20: the library is not found (it cannot be uninstalled for a test)
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(liblouis, "_library", functools.lru_cache(maxsize=1)(liblouis._library.__wrapped__))
    result = CliRunner().invoke(app, ["render", str(EXAMPLES[0]), "-f", "brf", "-o", str(tmp_path)])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and "needs liblouis" in errors[0], result.output
    assert not list(tmp_path.glob("*.brf"))
