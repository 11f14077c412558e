"""The plain text → speech, a WAV file, by eSpeak NG where it is installed.

The letter as `-f txt` writes it, read in the voice of the letter's language (eSpeak
NG's voices are named by language: "en-us", "es"). eSpeak NG is a program of the
system (Debian's espeak-ng), not a Python package: where it is missing, one line says so.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import RenderError
from .format import Files, Format, WriterInput

MISSING = "audio (-f wav) needs eSpeak NG: apt-get install espeak-ng"


def speech(text: str, language: str) -> bytes:
    """`text` spoken, as WAV bytes (16-bit mono, eSpeak NG's 22,050 samples a second)."""
    program = shutil.which("espeak-ng")
    if program is None:
        raise RenderError(MISSING)
    with tempfile.TemporaryDirectory(prefix="letterkit-audio-") as folder:
        # To a file, not standard output: there eSpeak NG cannot go back to write the length in the header
        wav = Path(folder) / "letter.wav"
        done = subprocess.run([program, "-v", language.lower(), "-w", str(wav), "--stdin"], input=text.encode("utf-8"),
                              capture_output=True)
        if done.returncode != 0 or not wav.exists():
            reason = done.stderr.decode("utf-8", "replace").strip().splitlines() or [f"exit status {done.returncode}"]
            raise RenderError(f"eSpeak NG could not read the letter aloud: {reason[0]}")
        return wav.read_bytes()


def _write_file(letter: WriterInput) -> Files:
    return {"wav": speech(letter.written["txt"]["txt"].decode("utf-8"), letter.document.meta.language)}


FORMAT = Format("wav", "wav", _write_file, "the plain text read aloud by eSpeak NG, where it is installed",
                needs=("txt",))
