"""Draw the IMR kit's neutral letterhead mark: templates/imr/images/letterhead.png.

    python scripts/build_letterhead.py

A stand-in: an organisation puts its own logo at that path (or in its template
folder, which overrides the kit's). Drawn with the kit's own font, so the same
bytes come out on every machine.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

KIT = Path(__file__).resolve().parent.parent / "templates" / "imr"
NAVY = (27, 54, 93)


def build(path: Path) -> None:
    image = Image.new("RGB", (720, 240), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 20, 200, 220), radius=28, fill=NAVY)
    draw.line((100, 60, 100, 180), fill="white", width=14)  # a cross: medical review
    draw.line((40, 120, 160, 120), fill="white", width=14)
    font = ImageFont.truetype(str(KIT / "fonts" / "LiberationSerif-Bold.ttf"), 64)
    draw.text((240, 50), "Independent", font=font, fill=NAVY)
    draw.text((240, 125), "Medical Review", font=font, fill=NAVY)
    image.save(path, optimize=True)


if __name__ == "__main__":
    build(KIT / "images" / "letterhead.png")
