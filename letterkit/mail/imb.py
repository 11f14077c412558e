"""The USPS Intelligent Mail barcode (USPS-B-3200), encoded by zint.

zint (Debian's `zint` package) does the encoding — the CRC, the codeword tables and
the bar mapping of the specification; we only read its bars back, as the 65 states
A (ascender), D (descender), F (full) and T (tracker), and draw them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

from ..errors import LetterkitError

ZINT_USPS_IMAIL = "85"  # zint's barcode number for the Intelligent Mail barcode
BARS = 65


@dataclass(frozen=True)
class Tracking:
    """The tracking code: barcode id, service type, Mailer ID and serial number."""

    mailer_id: str  # 6 or 9 digits
    service_type: str  # 3 digits (STID)
    serial: int
    barcode_id: str = "00"

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d{6}|9\d{8}", self.mailer_id):
            raise LetterkitError(f"--mailer-id {self.mailer_id}: a Mailer ID is 6 digits, or 9 digits starting with 9")
        if not re.fullmatch(r"\d{3}", self.service_type):
            raise LetterkitError(f"--service-type {self.service_type}: a Service Type ID is 3 digits")
        if not 0 <= self.serial < self.serial_limit:
            raise LetterkitError(f"serial {self.serial} does not fit {self.serial_digits} digits")

    @property
    def serial_digits(self) -> int:
        return 15 - len(self.mailer_id)  # 9 for a 6-digit Mailer ID, 6 for a 9-digit one

    @property
    def serial_limit(self) -> int:
        return 10 ** self.serial_digits

    @property
    def digits(self) -> str:
        return f"{self.barcode_id}{self.service_type}{self.mailer_id}{self.serial:0{self.serial_digits}d}"


def routing_code(zip_code: str) -> str:
    """The routing code of a ZIP (5 digits), ZIP+4 (9) or ZIP+4 and delivery point (11);
    "" when the postal code is none of these."""
    digits = re.sub(r"[\s-]", "", zip_code or "")
    return digits if re.fullmatch(r"\d{5}|\d{9}|\d{11}", digits) else ""


def bar_states(tracking: str, routing: str = "") -> str:
    """The 65 bars (A, D, F, T) of the IMb for a 20-digit tracking code and a routing
    code of 0, 5, 9 or 11 digits, as zint encodes it."""
    if not re.fullmatch(r"\d{20}", tracking) or tracking[1] not in "01234":
        raise LetterkitError(f"IMb tracking code {tracking!r}: 20 digits, the second 0-4")
    if not re.fullmatch(r"|\d{5}|\d{9}|\d{11}", routing):
        raise LetterkitError(f"IMb routing code {routing!r}: 0, 5, 9 or 11 digits")
    zint = shutil.which("zint")
    if zint is None:
        raise LetterkitError("--imb needs zint, the barcode encoder: apt-get install zint")
    data = f"{tracking}-{routing}" if routing else tracking
    result = subprocess.run([zint, "-b", ZINT_USPS_IMAIL, "-d", data, "--dump"],
                            capture_output=True, text=True, check=False)
    rows = [_bits(line) for line in result.stdout.splitlines() if line.strip()]
    if result.returncode != 0 or len(rows) != 3:
        raise LetterkitError(f"zint could not encode the IMb {data}: {result.stderr.strip() or result.stdout.strip()}")
    ascender, _, descender = rows
    states = []
    for bar in range(BARS):
        column = 2 * bar  # a bar, then a space
        up, down = ascender[column] == "1", descender[column] == "1"
        states.append("F" if up and down else "A" if up else "D" if down else "T")
    return "".join(states)


def _bits(dump_line: str) -> str:
    """One row of zint's `--dump`: hexadecimal groups, the last possibly a part nibble."""
    bits = ""
    for group in dump_line.split():
        bits += "".join(f"{int(nibble, 16):04b}" for nibble in group)
    return bits


# USPS-B-3200 dimensions, in inches: a bar is 0.020 wide (0.015-0.025), 22 bars to the
# inch (pitch 1/22 in); full bar 0.145 tall (0.125-0.165), tracker 0.039 (0.026-0.053).
BAR_WIDTH = 0.02
PITCH = 1 / 22
FULL = 0.145
TRACKER = 0.039
ASCENDER = (FULL - TRACKER) / 2 + TRACKER  # from the bottom of the descender region
CLEAR_ZONE = 0.028  # above and below the bars, and 0.125 left and right
WIDTH = (BARS - 1) * PITCH + BAR_WIDTH  # about 2.93 in


def bars_pdf_operators(states: str, left: float, bottom: float) -> bytes:
    """PDF content operators drawing the bars as filled rectangles (vectors), `left`
    and `bottom` in points from the page's lower left corner."""
    points = 72.0
    width, full, tracker = BAR_WIDTH * points, FULL * points, TRACKER * points
    half = (full - tracker) / 2
    operators = ["q 0 g"]
    for index, state in enumerate(states):
        x = left + index * PITCH * points
        low = bottom if state in "FD" else bottom + half
        high = bottom + full if state in "FA" else bottom + half + tracker
        operators.append(f"{x:.3f} {low:.3f} {width:.3f} {high - low:.3f} re")
    operators.append("f Q")
    return "\n".join(operators).encode("ascii")
