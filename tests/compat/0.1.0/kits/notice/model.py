"""The IMR final determination, and when its notice was sent (a kit written for 0.1.0)."""

from __future__ import annotations

from datetime import date

from letterkit.templates.imr.model import FinalDetermination
from pydantic import Field


class NoticeDetermination(FinalDetermination):
    notice_sent: date | None = Field(None, description="When the notice of this determination was sent.")
