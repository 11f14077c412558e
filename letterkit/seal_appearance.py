"""What a visible seal looks like, as a kit's `[seal]` table in kit.toml says it: the page
it is drawn on, where, its words and font. No pyHanko here: a kit is loaded without it.

    [seal]
    page = -1                      # 1 = the first page, -1 = the last
    box = [72, 40, 330, 96]        # x1, y1, x2, y2 in points from the page's lower left corner
    text = "Sealed by %(signer)s on %(ts)s"   # %(signer)s: the certificate's name; %(ts)s: when
    font = "fonts/LiberationSerif-Regular.ttf" # embedded, as PDF/A asks; found on the kit's path
    font_size = 8
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_TEXT = ("Sealed by %(signer)s\non %(ts)s\n"
                "Check this letter: letterkit verify LETTER.pdf --trust ROOT.pem")


@dataclass(frozen=True)
class SealAppearance:
    page: int  # 1 = the first page, -1 = the last (pyHanko counts from 0, and back from -1)
    box: tuple[int, int, int, int]
    text: str
    font: Path
    font_size: int

    @property
    def page_index(self) -> int:
        return self.page - 1 if self.page > 0 else self.page
