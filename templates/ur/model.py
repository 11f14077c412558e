"""Case data for a utilization review (UR) decision on a request for authorization."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from letterkit.model import CaseModel, GuidelineCitation, Letter, Organisation, Party, Reviewer, RichText


class URDecision(StrEnum):
    APPROVED = "Approved"
    MODIFIED = "Modified"
    DENIED = "Denied"


class RequestedTreatment(CaseModel):
    """One treatment the provider asked to have authorized, and what UR decided."""

    description: str
    decision: URDecision
    modification: str | None = Field(None, description="What is approved instead, when Modified.")
    guideline: GuidelineCitation
    rationale: RichText = Field(description="Why, in Markdown.")


class Claim(CaseModel):
    claim_number: str
    date_of_injury: date | None = None
    request_received: date = Field(description="Date the request for authorization was received.")
    employer: str | None = None


class UtilizationReviewDecision(Letter):
    """A UR decision letter."""

    letter_date: date
    organisation: Organisation = Field(description="The claims administrator or its UR organisation.")
    claim: Claim
    employee: Party
    provider: Party
    representative: Party | None = None
    reviewer: Reviewer = Field(description="The physician reviewer.")
    clinical_summary: RichText
    requests: list[RequestedTreatment] = Field(min_length=1)

    @property
    def any_not_approved(self) -> bool:
        return any(request.decision != URDecision.APPROVED for request in self.requests)
