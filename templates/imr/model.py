"""Case data for an Independent Medical Review (IMR) final determination."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field

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


class Decision(StrEnum):
    """What the reviewer decided about the utilization review's denial of an item."""

    UPHELD = "Upheld"          # the denial stands: the item is not medically necessary
    OVERTURNED = "Overturned"  # the denial is reversed: the item is medically necessary


class CaseNumbers(CaseModel):
    """Identifiers and dates of the dispute."""

    imr_number: str = Field(description="The IMR case number, e.g. 'CM15-0171234'.")
    claim_number: str | None = None
    date_of_injury: date | None = None
    ur_determination_date: date | None = Field(
        None, description="Date of the utilization review decision under dispute."
    )
    application_received: date | None = Field(
        None, description="Date the IMR application was received."
    )
    employer: str | None = None


class Parties(CaseModel):
    """The people and offices the letter concerns; every one is optional."""

    employee: Party | None = None
    representative: Party | None = None
    provider: Party | None = None
    claims_administrator: Party | None = None


class DisputedItem(CaseModel):
    """One disputed treatment or service and the reviewer's decision about it."""

    description: str = Field(description="The item as requested, e.g. 'Massage therapy, 6 sessions'.")
    strength: str | None = Field(None, description="For a medication, e.g. '10/325 mg'.")
    quantity: int | None = Field(None, ge=1, description="For a medication, units requested.")
    decision: Decision
    claims_administrator_guideline: str = Field(
        description="The guideline the claims administrator's decision was based on, as they cited it."
    )
    guideline: GuidelineCitation = Field(description="The guideline the reviewer's decision rests on.")
    rationale: RichText = Field(description="The decision rationale, in Markdown.")

    @property
    def title(self) -> str:
        """The item as printed: description, then strength and quantity for a medication."""
        parts = [self.description, self.strength, f"#{self.quantity}" if self.quantity else None]
        return " ".join(part for part in parts if part)


class Wording(CaseModel):
    """Choices between wordings that real letters use."""

    credentials: Literal["list", "sentence"] = Field(
        "list",
        description="'list': credentials as labelled lines after the boilerplate; "
        "'sentence': one sentence inside it.",
    )
    disputed_items: str = Field(
        "items/services", description="How the boilerplate names what is disputed."
    )


class FinalDetermination(Letter):
    """An IMR final determination letter."""

    letter_date: date
    organisation: Organisation = Field(description="The independent review organisation.")
    case: CaseNumbers
    parties: Parties = Parties()
    reviewer: Reviewer
    clinical_summary: RichText = Field(description="The case summary, in Markdown.")
    items: list[DisputedItem] = Field(min_length=1)
    documents_reviewed: list[ReviewedDocument] = Field(
        default_factory=list, description="Records the reviewer considered; listed when given."
    )
    signature: Signature = Signature()
    cc: list[CopyRecipient] = Field(
        default_factory=list, description="Further copies, besides the parties: each a party, with an "
        "address to be mailed one (a name alone still works, with a warning, until 0.3.0)."
    )
    wording: Wording = Wording()

    @property
    def overall(self) -> str:
        """The determination as a whole, derived from the items: never typed, never stale.

        "upheld" when every item is upheld, "overturned" when every item is overturned,
        "mixed" otherwise.
        """
        decisions = {item.decision for item in self.items}
        if decisions == {Decision.UPHELD}:
            return "upheld"
        if decisions == {Decision.OVERTURNED}:
            return "overturned"
        return "mixed"
