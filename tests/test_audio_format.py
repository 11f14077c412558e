"""Audio (`-f wav`): the plain text read aloud by eSpeak NG, where it is installed."""

from __future__ import annotations

import io
import shutil
import wave

import pytest
from conftest import EXAMPLES
from typer.testing import CliRunner

import letterkit
from letterkit.cli import app

runner = CliRunner()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng (tasks.py installs it)")
def test_the_wav_reads_the_whole_text_aloud(case_data):
    files = letterkit.render(case_data, formats=("txt", "wav"))
    with wave.open(io.BytesIO(files["wav"])) as audio:
        assert (audio.getnchannels(), audio.getsampwidth()) == (1, 2)
        seconds = audio.getnframes() / audio.getframerate()
    assert len(files["wav"]) == 44 + 2 * round(seconds * 22050)  # the header says the length it has
    words = len(files["txt"].split())
    assert 1.5 < words / seconds < 5  # every word spoken, at a speaking pace (eSpeak's 175 words a minute)
    assert letterkit.render(case_data, formats=("wav",))["wav"] == files["wav"]


def test_without_espeak_the_cli_says_so_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine without espeak-ng
    result = runner.invoke(app, ["render", str(EXAMPLES[0]), "-f", "wav", "-o", str(tmp_path)])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.strip()]
    assert errors[0].startswith("error") and "needs eSpeak NG: apt-get install espeak-ng" in errors[0], result.output
    assert not list(tmp_path.glob("*.wav")) and not list(tmp_path.glob("*.txt"))
