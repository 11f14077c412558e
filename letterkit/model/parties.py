"""Who a letter is from and to."""

from __future__ import annotations

from pydantic import Field

from .base import CaseModel
from .pictures import Picture


class Address(CaseModel):
    """A postal address, printed line by line."""

    lines: list[str] = Field(min_length=1, description="Street lines, first to last.")
    city: str
    region: str = Field(description="State, province or county.")
    postal_code: str
    country: str | None = None


class Organisation(CaseModel):
    """An organisation that sends or receives letters."""

    name: str = Field(description="Full name, e.g. 'Pacific Review Services, Inc.'.")
    short_name: str | None = Field(
        None, description="Name used in running text, e.g. 'PRS'; defaults to the name."
    )
    address: Address | None = None
    phone: str | None = None

    @property
    def label(self) -> str:
        return self.short_name or self.name


class Party(CaseModel):
    """A person or office a letter concerns or is addressed to."""

    name: str
    organisation: str | None = None
    address: Address | None = None


class Signature(CaseModel):
    """Who signs the letter for the organisation."""

    name: str | None = None
    title: str = "Medical Director"
    image: Picture | None = None
