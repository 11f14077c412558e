"""Case data for a utilization review (UR) decision on a request for authorization.

What California requires of a written decision to modify, delay or deny (8 CCR
§9792.9.1(e)(5)) is checked by the kit's rules (rules.toml); fields the rules require
are optional here so that a missing one is reported with its rule and citation.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, model_validator

from letterkit.model import (
    CaseModel,
    CopyRecipient,
    GuidelineCitation,
    Letter,
    Organisation,
    Party,
    ReviewedDocument,
    Reviewer,
    RichText,
    Signature,
)


class URDecision(StrEnum):
    APPROVED = "Approved"
    MODIFIED = "Modified"
    DENIED = "Denied"


class RequestedTreatment(CaseModel):
    """One treatment the provider asked to have authorized, and what UR decided."""

    description: str
    decision: URDecision
    modification: str | None = Field(None, description="What is approved instead, when Modified.")
    guideline: GuidelineCitation = Field(description="The criteria or guideline the decision rests on.")
    rationale: RichText = Field(description="The reasons for the decision, clinical reasons included, in Markdown.")

    @model_validator(mode="after")
    def _modification_only_when_modified(self) -> RequestedTreatment:
        if (self.decision == URDecision.MODIFIED) != (self.modification is not None):
            raise ValueError("modification: give what is approved instead exactly when the decision is Modified")
        return self


class Claim(CaseModel):
    claim_number: str
    date_of_injury: date | None = None
    request_received: date = Field(description="Date the request for authorization was first received.")
    employer: str | None = None


class ClaimsAdjuster(CaseModel):
    """Who the employee may call about the notice (the mandatory language names them)."""

    name: str
    phone: str


class URReviewer(Reviewer):
    """The physician reviewer, and how the requesting physician can reach them."""

    phone: str | None = Field(None, description="A US telephone number to discuss the decision.")
    availability: str | None = Field(
        None, description="Hours the reviewer is available to discuss the decision, e.g. "
        "'Tuesdays and Thursdays, 9 a.m. to 11 a.m. Pacific time'.")


class UtilizationReviewDecision(Letter):
    """A UR decision letter."""

    letter_date: date
    decision_date: date = Field(description="Date of the decision.")
    organisation: Organisation = Field(description="The claims administrator or its UR organisation.")
    claim: Claim
    employee: Party
    provider: Party
    representative: Party | None = None
    claims_adjuster: ClaimsAdjuster | None = None
    reviewer: URReviewer = Field(description="The physician reviewer.")
    clinical_summary: RichText
    requests: list[RequestedTreatment] = Field(min_length=1)
    documents_reviewed: list[ReviewedDocument] = Field(
        default_factory=list, description="Every medical record reviewed.")
    internal_appeal: str | None = Field(
        None, description="How to use the claims administrator's internal UR appeal, if it has one.")
    signature: Signature = Signature()
    cc: list[CopyRecipient] = Field(
        default_factory=list, description="Further copies, besides the parties: each a party, with an "
        "address to be mailed one (a name alone still works, with a warning, until 0.3.0)."
    )

    @property
    def any_not_approved(self) -> bool:
        return any(request.decision != URDecision.APPROVED for request in self.requests)

    @property
    def modified_requests(self) -> list[RequestedTreatment]:
        """The requests approved in a modified form: each prints what is approved instead."""
        return [request for request in self.requests if request.decision == URDecision.MODIFIED]
