"""Render every example and keep a picture of its first PDF page for the documentation.

    python scripts/first_pages.py        # writes docs/pictures/<example>.png

Needs pdftoppm (Debian's poppler-utils).
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import letterkit

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    pictures = ROOT / "docs" / "pictures"
    pictures.mkdir(parents=True, exist_ok=True)
    for case in sorted((ROOT / "examples").glob("*.yaml")):
        pdf = letterkit.render(letterkit.read_case(case), formats=("pdf",))["pdf"]
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "letter.pdf"
            source.write_bytes(pdf)
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                            str(source), str(pictures / case.stem)], check=True)
        print(pictures / f"{case.stem}.png")


if __name__ == "__main__":
    main()
