"""Case data for a scaf letter: add the fields your blocks print."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from letterkit.model import Letter, Organisation, Party, RichText


class ScafLetter(Letter):
    letter_date: date
    organisation: Organisation = Field(description="Who sends the letter.")
    recipient: Party
    body: RichText = Field(description="The letter's text, in Markdown.")
