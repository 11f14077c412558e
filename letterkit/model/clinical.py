"""Clinical parts common to medical determination letters: reviewers, guidelines, records."""

from __future__ import annotations

import datetime

from pydantic import Field

from .base import CaseModel


class Reviewer(CaseModel):
    """The clinician who reviewed the case. Often anonymous in the letter itself."""

    name: str | None = None
    licensure: list[str] = Field(
        min_length=1, description="States (or other jurisdictions) of licensure."
    )
    specialties: list[str] = Field(
        default_factory=list, description="Certification(s) / specialty, e.g. 'Family Practice'."
    )
    board_certifications: list[str] = Field(
        default_factory=list, description="Boards certified in, e.g. 'Occupational Medicine'."
    )


class GuidelineCitation(CaseModel):
    """Where a decision's guideline comes from: the source and the part of it relied on."""

    source: str = Field(description="e.g. 'MTUS Chronic Pain Medical Treatment'.")
    edition: str | None = Field(None, description="Edition or year, e.g. '2009'.")
    sections: list[str] = Field(
        default_factory=list, description="Section titles, e.g. 'Manual therapy & manipulation'."
    )
    pages: str | None = Field(None, description="Page or page range, e.g. '58-60'.")


class ReviewedDocument(CaseModel):
    """A record the reviewer considered."""

    document: str = Field(description="e.g. 'Primary treating physician progress report'.")
    author: str | None = None
    date: datetime.date | None = None  # `datetime.date`: the field's name hides the type here
    date_to: datetime.date | None = Field(None, description="End of a date range that starts at `date`.")
